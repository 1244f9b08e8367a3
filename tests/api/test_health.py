"""Liveness and readiness, through the real app against the test database."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from nsai.config import Settings
from tests.conftest import Server


def test_readyz_is_503_on_a_migrated_database_with_nothing_published(
    db_url: str, tmp_path: Path
) -> None:
    # Ready once records are published: tests/api/test_v1_feed.py.
    app = create_app(Settings(database_url=db_url, home=tmp_path))
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["detail"] == (
            "no national records are published yet: run `nsai reconcile`"
        )


def test_readyz_is_503_while_migrations_are_pending(server: Server, tmp_path: Path) -> None:
    url = server.url(server.create_database())
    app = create_app(Settings(database_url=url, home=tmp_path))
    with TestClient(app) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "migrations pending: 001_initial_schema, 002_loading" in response.json()["detail"]


def test_readyz_says_not_ready_without_the_databases_words(
    server: Server, template_db: str, tmp_path: Path
) -> None:
    name = server.create_database(template=template_db)
    app = create_app(Settings(database_url=server.url(name), home=tmp_path))
    with TestClient(app) as client:
        server.drop(name)
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["detail"] == "the database is unavailable"
    # Nothing of the server's message (which names the database, its host and user).
    assert name not in response.text
    assert "127.0.0.1" not in response.text
