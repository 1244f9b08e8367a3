"""What the read side refuses, named so the API can answer 422/404 and the CLI one line."""

from __future__ import annotations

from nsai.errors import NsaiError


class BadInput(NsaiError):
    """A parameter that cannot be served: `field` names it, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(NsaiError):
    """Nothing published answers the request."""
