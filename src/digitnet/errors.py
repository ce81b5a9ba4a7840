"""The project's own error types.

Anything a user hands us (arguments, files, images) that we cannot use raises `DigitnetError`
with the value received and what to do about it. The CLI prints it as one line and exits non-zero.
"""


class DigitnetError(ValueError):
    """Bad user input: the message names the value received and what to do."""


class DivergenceError(DigitnetError):
    """Training produced a non-finite loss or weights (usually: the learning rate is too high)."""
