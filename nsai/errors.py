"""Errors that reach a user as one line saying what went wrong and what to do."""


class NsaiError(Exception):
    """An expected failure: the CLI prints its message on one line and exits non-zero."""

    exit_code = 1
