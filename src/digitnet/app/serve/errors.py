"""What the server's errors mean in HTTP: a request not possible now (409), something that does
not exist (404), a worker too busy to take the job in time (503), anything else the user sent
(400)."""

from __future__ import annotations

from http import HTTPStatus

from ...errors import DigitnetError


class Refused(DigitnetError):
    """A request that is well formed but not possible now (HTTP 409 Conflict)."""


class NotFound(DigitnetError):
    """A request for something that does not exist (HTTP 404)."""


class Busy(DigitnetError):
    """The worker did not get to a job in time (HTTP 503); the job will not run."""


def error_status(error: DigitnetError) -> HTTPStatus:
    """The HTTP status an error stands for: 503 busy, 409 not possible now, 404 not found, else
    400."""
    if isinstance(error, Busy):
        return HTTPStatus.SERVICE_UNAVAILABLE
    if isinstance(error, Refused):
        return HTTPStatus.CONFLICT
    if isinstance(error, NotFound):
        return HTTPStatus.NOT_FOUND
    return HTTPStatus.BAD_REQUEST
