"""The `nsai` command line: thin typer commands over the core.

`main(argv, environ)` takes its arguments and environment as parameters so that tests call it
in-process exactly as the console script does.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, Sequence

import psycopg
import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import DBAPIError
from typer.exceptions import Abort, Exit, TyperException

from nsai.cli.app import app
from nsai.config import Settings, unknown_variables
from nsai.errors import NsaiError, first_line
from nsai.logging import configure_logging


def _first_line(error: ValidationError) -> str:
    first = error.errors()[0]
    field = "NSAI_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
    return f"{field}: {first['msg']}"


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run one `nsai` command; returns the exit code instead of exiting."""
    args = list(sys.argv[1:] if argv is None else argv)
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    try:
        settings = Settings.from_environ(environ)
    except ValidationError as exc:
        err.print(f"nsai: error: {_first_line(exc)}", markup=False)
        return 2
    configure_logging(settings.log_level)
    for name in unknown_variables(environ):
        logging.getLogger("nsai").warning("%s is not an NSAI setting and is ignored", name)
    command = typer.main.get_command(app)
    try:
        command.main(args=args, prog_name="nsai", standalone_mode=False, obj=settings)
    except NsaiError as exc:
        err.print(f"nsai: error: {exc}", markup=False)
        return exc.exit_code
    except (psycopg.Error, DBAPIError) as exc:
        # What the database refused reaches the user as one line; every command's writes are
        # one transaction, so a refused one changed nothing.
        cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
        err.print(f"nsai: error: the database refused this ({first_line(cause)})", markup=False)
        return 1
    except Exit as exc:
        return exc.exit_code
    except TyperException as exc:
        # Usage errors: show them as typer would (usage line, then the problem).
        show = getattr(exc, "show", None)
        if callable(show):
            show(file=sys.stderr)
        else:
            err.print(f"nsai: error: {exc.format_message()}", markup=False)
        return exc.exit_code
    except Abort:
        err.print("nsai: aborted", markup=False)
        return 130
    except KeyboardInterrupt:
        err.print("nsai: interrupted", markup=False)
        return 130
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
