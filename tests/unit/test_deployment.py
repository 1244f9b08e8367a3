"""docker-compose.yml and the Dockerfile, checked by reading (no Docker engine runs here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_postgis_image_is_pinned_and_healthchecked() -> None:
    db = _compose()["services"]["db"]
    assert re.fullmatch(r"postgis/postgis:\d+-\d+\.\d+(@sha256:[0-9a-f]{64})?", db["image"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v.startswith("nsai-db:") for v in db["volumes"])
    assert "nsai-db" in _compose()["volumes"]


def test_api_is_built_here_waits_for_a_healthy_db_and_publishes_its_port() -> None:
    api = _compose()["services"]["api"]
    assert api["build"] == "."
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    assert api["ports"] == ["127.0.0.1:8000:8000"]
    assert api["environment"]["NSAI_DATABASE_URL"].startswith("postgresql://nsai:")
    assert "@db:5432/nsai" in api["environment"]["NSAI_DATABASE_URL"]
    # The API itself connects as the role that cannot change the schema.
    assert api["environment"]["NSAI_API_DATABASE_URL"].startswith("postgresql://nsai_api:")
    assert "@db:5432/nsai" in api["environment"]["NSAI_API_DATABASE_URL"]


def test_dockerfile_migrates_before_it_serves_as_an_unprivileged_user() -> None:
    lines = (REPO / "Dockerfile").read_text().splitlines()
    command = next(line for line in lines if line.startswith("CMD "))
    assert command.index("nsai db migrate") < command.index("nsai db api-login")
    assert command.index("nsai db api-login") < command.index("nsai serve")
    assert "--port 8000" in command
    assert any(line.startswith("USER nsai") for line in lines)
    copied = {line.split()[1] for line in lines if line.startswith("COPY ")}
    for needed in ("nsai", "loaders", "api", "sql", "pyproject.toml"):
        assert any(needed in c for c in copied), needed
        assert (REPO / needed).exists()


def test_the_dask_profile_runs_a_scheduler_with_its_dashboard_and_two_one_thread_workers() -> None:
    services = _compose()["services"]
    scheduler, worker = services["scheduler"], services["worker"]
    assert scheduler["profiles"] == worker["profiles"] == ["dask"]
    assert "profiles" not in services["api"]  # the default stays as it was
    assert scheduler["build"] == worker["build"] == "."  # the API's image: the same nsai
    assert scheduler["command"][:2] == ["dask", "scheduler"]
    assert "127.0.0.1:8787:8787" in scheduler["ports"]
    assert worker["command"][:3] == ["dask", "worker", "tcp://scheduler:8786"]
    assert worker["command"][worker["command"].index("--nthreads") + 1] == "1"
    assert worker["deploy"]["replicas"] == 2
    assert worker["depends_on"]["scheduler"]["condition"] == "service_healthy"
    # The dashboard needs bokeh, which the image installs through the dashboard extra.
    assert "pip install '.[dashboard]'" in (REPO / "Dockerfile").read_text()
