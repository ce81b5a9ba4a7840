"""The server's one logger: a failed run, a failed answer, a client gone mid-request each cost one
line, `digitnet: ...` on stderr (a program that embeds the server may route LOG elsewhere)."""

from __future__ import annotations

import logging
import sys


class StderrLines(logging.Handler):
    """Each record as one whole line on the current sys.stderr (the handler's lock keeps the
    lines of threads that report at once apart)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write the formatted record and a newline."""
        sys.stderr.write(self.format(record) + "\n")
        sys.stderr.flush()


LOG = logging.getLogger("digitnet.serve")
if not LOG.handlers:
    _handler = StderrLines()
    _handler.setFormatter(logging.Formatter("digitnet: %(message)s"))
    LOG.addHandler(_handler)
    LOG.propagate = False
