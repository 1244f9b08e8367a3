"""What every command gets from `main`: the settings, built once from the given environment,
and the database they name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.engine import Engine

from nsai.config import Settings
from nsai.db.engine import make_engine
from nsai.db.migrate import require_current


def settings_of(ctx: typer.Context) -> Settings:
    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)
    return settings


@contextmanager
def engine_of(settings: Settings, *, current: bool = True) -> Iterator[Engine]:
    """A one-connection engine on the command's database, disposed of when the block ends;
    `current`: refused unless the schema is up to date."""
    engine = make_engine(settings, pool_size=1)
    try:
        if current:
            require_current(engine)
        yield engine
    finally:
        engine.dispose()
