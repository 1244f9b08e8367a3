"""Errors that reach a user as one line saying what went wrong and what to do."""


class NsaiError(Exception):
    """An expected failure: the CLI prints its message on one line and exits non-zero."""

    exit_code = 1


def first_line(exc: BaseException) -> str:
    """An exception's message cut to its first line, for one-line errors."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
