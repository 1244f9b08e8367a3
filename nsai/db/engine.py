"""Which database NSAI talks to, and SQLAlchemy engines for it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from nsai.config import Settings
from nsai.db.cluster import LocalCluster
from nsai.errors import NsaiError


def database_url(settings: Settings) -> URL:
    """NSAI_DATABASE_URL if set, else the managed local cluster (started on demand)."""
    if settings.database_url is None:
        return to_sqlalchemy_url(LocalCluster(settings).ensure_running())
    return to_sqlalchemy_url(settings.database_url, source="NSAI_DATABASE_URL")


def api_database_url(settings: Settings) -> URL:
    """The API's: NSAI_API_DATABASE_URL if set, else the managed cluster's API login, else
    NSAI_DATABASE_URL (the owner: the README says to give the API a role of its own)."""
    if settings.api_database_url is not None:
        return to_sqlalchemy_url(settings.api_database_url, source="NSAI_API_DATABASE_URL")
    if settings.database_url is None:
        return to_sqlalchemy_url(LocalCluster(settings).api_url())
    return database_url(settings)


def to_sqlalchemy_url(raw: str, source: str = "database URL") -> URL:
    """Parse a postgresql:// URL and bind it to the psycopg 3 driver."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise NsaiError(
            f"{source} is not a database URL; expected postgresql://USER:PASSWORD@HOST:PORT/DB"
        ) from None
    if url.get_backend_name() not in {"postgresql", "postgres"}:
        raise NsaiError(f"{source} must be a postgresql:// URL, not {url.drivername}://")
    if not url.database:
        raise NsaiError(f"{source} names no database; add /DBNAME to it")
    return url.set(drivername="postgresql+psycopg")


def describe(url: URL) -> str:
    """host:port/db for messages, without the password."""
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def make_engine(
    settings: Settings,
    *,
    pool_size: int = 5,
    max_overflow: int = 10,
    pre_ping: bool = True,
    statement_timeout: float = 0.0,
    api: bool = False,
    check: bool = True,
) -> Engine:
    """An engine on NSAI's database, checked to be reachable. `pre_ping` tests each connection
    with a round trip as it is checked out, so that one the server dropped is never used;
    `statement_timeout` (seconds, 0 for none) bounds every statement of its connections; `api`
    connects as the API's role (api_database_url); `check` connects once before returning, so
    that an unreachable database is a clear error at once."""
    url = api_database_url(settings) if api else database_url(settings)
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=pre_ping,
        connect_args={
            "connect_timeout": 10,
            "application_name": "nsai",
            # After the URL's own options, which connect_args would otherwise replace.
            **statement_options(statement_timeout, _given_options(url)),
        },
    )
    hint = (
        "check NSAI_DATABASE_URL and that the server is running"
        if settings.database_url
        else "see `nsai db status`"
    )
    if check:
        check_reachable(engine, hint)
    return engine


def _given_options(url: URL) -> str | None:
    given = url.query.get("options")
    return given if isinstance(given, str) else None


def statement_options(seconds: float, given: str | None = None) -> dict[str, str]:
    """libpq's connection options (those `given` in the URL, if any) with each statement bounded
    to `seconds` (none for 0)."""
    if seconds <= 0:
        return {"options": given} if given else {}
    bound = f"-c statement_timeout={round(seconds * 1000)}"
    return {"options": f"{given} {bound}" if given else bound}


def check_reachable(engine: Engine, hint: str) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise NsaiError(
            f"cannot connect to the database at {describe(engine.url)} ({reason}): {hint}"
        ) from None


@contextmanager
def driver_connection(engine: Engine) -> Iterator[psycopg.Connection[Any]]:
    """A connection of `engine`'s pool as psycopg's own (COPY, server-side cursors, named SQL),
    given back to the pool when the block ends."""
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert isinstance(conn, psycopg.Connection)
        yield conn
    finally:
        raw.close()
