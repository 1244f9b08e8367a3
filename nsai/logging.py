"""Logging, configured once by each entry point (the CLI, the API factory)."""

from __future__ import annotations

import logging

from rich.console import Console
from rich.logging import RichHandler


def configure_logging(level: str) -> None:
    handler = RichHandler(console=Console(stderr=True), show_path=False, show_time=False)
    logging.basicConfig(level=level, format="%(message)s", handlers=[handler], force=True)
