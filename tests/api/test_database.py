"""The API when the database drops its connections or refuses new ones (api/database.py): a read
whose connection was dropped is answered on a new one; a database that cannot be reached is a 503
problem saying to try again, never a 500."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from api import database
from api.app import create_app
from nsai.config import Settings
from nsai.db.engine import statement_options
from tests.conftest import Server
from tests.published import Published, publish


@pytest.fixture(scope="module")
def own(
    server: Server, template_db: str, region: Path, tmp_path_factory: pytest.TempPathFactory
) -> Published:
    # A database of its own: these tests cut every connection to it.
    return publish(server, template_db, region, tmp_path_factory.mktemp("database"))


@pytest.fixture
def client(own: Published, tmp_path: Path) -> Iterator[TestClient]:
    # Nothing kept in memory (api/lookup_cache.py): every lookup reads the database.
    settings = Settings(
        database_url=own.url,
        home=tmp_path / ".nsai",
        anonymous_reads=True,
        api_connections=2,
        api_lookup_cache=0,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _cut(own: Published, server: Server, *, refuse: bool) -> None:
    """End every session on the database, as a restart does; with `refuse`, take no new ones
    until `_restore`."""
    name = own.url.rsplit("/", 1)[1]
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        if refuse:
            conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )


def _restore(own: Published, server: Server) -> None:
    name = own.url.rsplit("/", 1)[1]
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def test_a_read_on_a_dropped_connection_is_answered_on_a_new_one(
    client: TestClient, own: Published, server: Server
) -> None:
    uprn = own.scalar("SELECT min(uprn) FROM national_address WHERE status = 'active'")
    for _ in range(3):  # both pooled connections in use at some point
        assert client.get(f"/v1/addresses/{uprn}").status_code == 200
    _cut(own, server, refuse=False)
    for _ in range(3):
        answer = client.get(f"/v1/addresses/{uprn}")
        assert answer.status_code == 200
        assert answer.json()["uprn"] == uprn


def test_a_database_that_refuses_connections_is_a_503_to_retry(
    client: TestClient, own: Published, server: Server
) -> None:
    uprn = own.scalar("SELECT min(uprn) FROM national_address WHERE status = 'active'")
    assert client.get(f"/v1/addresses/{uprn}").status_code == 200
    _cut(own, server, refuse=True)
    try:
        answer = client.get(f"/v1/addresses/{uprn}")
        assert answer.status_code == 503
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["retry-after"] == "5"
        assert answer.json()["detail"] == "the database could not answer; try again shortly"
        assert client.get("/v1/search", params={"q": "mill lane"}).status_code == 503
    finally:
        _restore(own, server)
    assert client.get(f"/v1/addresses/{uprn}").status_code == 200


def test_a_read_on_the_loop_waits_for_a_free_connection_at_most_so_long(
    own: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "WAIT_FOR_CONNECTION", 0.2)

    async def scenario() -> None:
        connections = database.LoopConnections(own.url, 1)
        async with connections.connection() as held:
            pid = held.info.backend_pid
            with pytest.raises(database.Busy):
                async with connections.connection():
                    pass
        async with connections.connection() as conn:  # free again, and the same one kept
            assert conn.info.backend_pid == pid
        await connections.close()

    asyncio.run(scenario())


def test_every_statement_of_the_api_is_bounded_in_time(own: Published, tmp_path: Path) -> None:
    settings = Settings(database_url=own.url, home=tmp_path, statement_timeout_seconds=0.5)
    db = database.Database(settings)

    async def sleep_on_the_loop(conn: psycopg.AsyncConnection[Any]) -> None:
        await conn.execute("SELECT pg_sleep(5)")

    try:
        for attempt in (
            lambda: db.read(lambda conn: conn.exec_driver_sql("SELECT pg_sleep(5)")),
            lambda: db.read_on_loop(sleep_on_the_loop),
        ):
            started = time.monotonic()
            with pytest.raises((OperationalError, psycopg.errors.QueryCanceled)):
                asyncio.run(attempt())
            assert time.monotonic() - started < 4
        # Key checks and steward writes too.
        with db.writes.connect() as conn, pytest.raises(OperationalError, match="statement"):
            conn.exec_driver_sql("SELECT pg_sleep(5)")
    finally:
        asyncio.run(db.dispose())


def test_a_worker_started_while_the_database_is_away_answers_503_then_serves(
    own: Published, server: Server, tmp_path: Path
) -> None:
    # uvicorn stops every worker when one fails to start: a worker replacing a dead one while
    # the database is away must start all the same.
    uprn = own.scalar("SELECT min(uprn) FROM national_address WHERE status = 'active'")
    settings = Settings(database_url=own.url, home=tmp_path / ".nsai", anonymous_reads=True)
    _cut(own, server, refuse=True)
    try:
        with TestClient(create_app(settings)) as client:
            away = client.get(f"/v1/addresses/{uprn}")
            assert away.status_code == 503
            assert away.headers["retry-after"] == "5"
            _restore(own, server)
            assert client.get(f"/v1/addresses/{uprn}").status_code == 200
    finally:
        _restore(own, server)


def test_the_statement_bound_keeps_the_urls_own_options() -> None:
    assert statement_options(0) == {}
    assert statement_options(0, "-c search_path=x") == {"options": "-c search_path=x"}
    assert statement_options(2.5) == {"options": "-c statement_timeout=2500"}
    assert statement_options(1, "-c search_path=x") == {
        "options": "-c search_path=x -c statement_timeout=1000"
    }


def test_writes_hold_no_more_connections_than_their_setting(own: Published, tmp_path: Path) -> None:
    settings = Settings(database_url=own.url, home=tmp_path, api_write_connections=2)
    db = database.Database(settings)
    try:
        held = [db.writes.connect() for _ in range(2)]
        third: list[Any] = []
        waiting = threading.Thread(target=lambda: third.append(db.writes.connect()))
        waiting.start()
        waiting.join(1.0)
        assert waiting.is_alive()  # a third waits for one of the two
        assert not third
        held.pop().close()
        waiting.join(5.0)
        assert len(third) == 1
        for conn in [*held, *third]:
            conn.close()
    finally:
        asyncio.run(db.dispose())
