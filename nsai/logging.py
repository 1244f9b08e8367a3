"""Logging, configured once by each entry point (the CLI, the API factory)."""

from __future__ import annotations

import logging
import sys


class _Formatter(logging.Formatter):
    """`nsai: message` for information, `nsai: warning: message` above it: one line each."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno > logging.INFO:
            return f"nsai: {record.levelname.lower()}: {message}"
        return f"nsai: {message}"


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # GDAL's chatter ("Created N records") and Dask's ("Start Nanny at ...", a line per worker
    # and connection) are not news to an NSAI user.
    for chatty in ("pyogrio", "distributed"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLevelName(level)))
