"""The API connects as a role that reads and writes data but cannot change the schema
(sql/013_api_role.sql): lookups and a steward's operation work through it, DDL does not."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from api.app import create_app
from nsai import api_keys
from nsai.config import Settings
from nsai.db.engine import make_engine
from nsai.match.job import LOCK_KEY
from tests.conftest import Server
from tests.published import Published, publish


@pytest.fixture
def login(server: Server) -> Iterator[str]:
    """A login role of the API's group role, for this test only."""
    name = f"nsai_api_test_{secrets.token_hex(3)}"
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE nsai_api").format(
                sql.Identifier(name), sql.Literal(name)
            )
        )
    yield name
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


@pytest.fixture
def gazetteer(server: Server, template_db: str, region: Path, tmp_path: Path) -> Published:
    return publish(server, template_db, region, tmp_path)


@pytest.fixture
def as_api(
    server: Server, gazetteer: Published, login: str, tmp_path: Path
) -> tuple[Settings, str]:
    """Settings whose API connects as `login` (the owner's URL for the rest), and a steward's
    key made by the owner."""
    name = gazetteer.url.rsplit("/", 1)[1]
    settings = Settings(
        database_url=gazetteer.url,  # the owner's: migrations, keys, jobs
        api_database_url=server.url(name, user=login, password=login),
        home=tmp_path / ".nsai",
    )
    owner = make_engine(settings)
    try:
        return settings, api_keys.create(owner, "steward", ("read", "steward")).key
    finally:
        owner.dispose()


def test_the_api_reads_and_writes_as_its_role_and_cannot_change_the_schema(
    gazetteer: Published, login: str, as_api: tuple[Settings, str]
) -> None:
    settings, key = as_api
    uprn = gazetteer.scalar("SELECT min(uprn) FROM national_address WHERE status = 'active'")
    with TestClient(create_app(settings)) as client:
        headers = {"X-API-Key": key}
        assert client.get("/readyz").status_code == 200
        assert client.get(f"/v1/addresses/{uprn}", headers=headers).status_code == 200
        retired = client.post(
            "/v1/steward/retire", json={"uprn": uprn, "reason": "demolished"}, headers=headers
        )
        assert retired.status_code == 200, retired.text
        engine = client.app.state.writes  # type: ignore[attr-defined]
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == login
        for ddl in (
            "CREATE TABLE taken (n int)",
            "DROP TABLE change_event",
            "ALTER TABLE national_address ADD COLUMN taken int",
            "TRUNCATE change_event",
        ):
            with engine.connect() as conn, pytest.raises(ProgrammingError):
                conn.execute(text(ddl))
    assert gazetteer.scalar("SELECT status FROM national_address WHERE uprn = %s", uprn) == (
        "retired"
    )


def test_a_steward_cancels_a_run_through_the_apis_role(
    gazetteer: Published, as_api: tuple[Settings, str]
) -> None:
    # The run's session is the owner's (here a superuser's): the API's role may not interrupt
    # it itself, and asks through nsai_cancel_run.
    settings, key = as_api
    with psycopg.connect(gazetteer.url, autocommit=True) as run:
        run.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        (run_id,) = run.execute(
            "INSERT INTO reconcile_run (workers, started_by, backend_pid) "
            "VALUES (1, 'test', pg_backend_pid()) RETURNING run_id"
        ).fetchone() or (0,)
        outcome: list[str] = []

        def work() -> None:
            try:
                run.execute("SELECT pg_sleep(5)")
                outcome.append("slept")
            except psycopg.errors.QueryCanceled:
                outcome.append("interrupted")

        thread = threading.Thread(target=work)
        thread.start()
        time.sleep(0.3)
        with TestClient(create_app(settings)) as client:
            asked = client.post(f"/v1/jobs/{run_id}/cancel", headers={"X-API-Key": key})
        thread.join()
        assert asked.status_code == 202, asked.text
        assert outcome == ["interrupted"]
    assert gazetteer.scalar("SELECT cancel_requested FROM reconcile_run WHERE run_id = %s", run_id)
