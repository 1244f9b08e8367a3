"""The managed local cluster: created from nothing, keeps its data across restarts, recovers."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from nsai.config import Settings
from nsai.db.cluster import LocalCluster
from nsai.db.engine import make_engine
from nsai.db.migrate import migrate
from nsai.errors import NsaiError
from tests.conftest import MIGRATIONS, CliRunner

pytestmark = pytest.mark.cluster


class Clusters:
    """Clusters a test makes, stopped and removed afterwards (before their homes are)."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.made: list[LocalCluster] = []
        self.dirs: list[Path] = []

    def make(self, home: Path | None = None, **settings: object) -> LocalCluster:
        cluster = LocalCluster(Settings(home=home or self.tmp_path / ".nsai", **settings))
        self.made.append(cluster)
        return cluster

    def reachable_home(self) -> Path:
        """A home the cluster's system user can enter (pytest's tmp_path is private to root)."""
        parent = Path(tempfile.mkdtemp(prefix="nsai-home-", dir="/tmp"))
        parent.chmod(0o755)
        self.dirs.append(parent)
        return parent / ".nsai"

    def clean_up(self) -> None:
        for cluster in self.made:
            cluster.down()
            if cluster.data_link.is_symlink():
                shutil.rmtree(cluster.data_link.resolve(), ignore_errors=True)
        for directory in self.dirs:
            shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def clusters(tmp_path: Path) -> Iterator[Clusters]:
    made = Clusters(tmp_path)
    yield made
    made.clean_up()


def _wait_until(predicate: Callable[[], bool], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _query(cluster: LocalCluster, statement: str) -> list[tuple[object, ...]]:
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        cur = conn.execute(statement)
        return cur.fetchall() if cur.description else []


def test_starts_from_nothing_keeps_data_across_restart_and_stops(
    clusters: Clusters,
) -> None:
    cluster = clusters.make()
    assert not cluster.status().created

    status = cluster.up()
    assert status.created
    assert status.running
    assert status.port
    assert (cluster.home / "cluster.json").stat().st_mode & 0o777 == 0o600
    _query(cluster, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)")
    _query(cluster, "CREATE EXTENSION postgis")
    assert _query(cluster, "SELECT postgis_lib_version() IS NOT NULL") == [(True,)]

    assert cluster.down() is True
    assert not cluster.status().running
    with pytest.raises(psycopg.OperationalError):
        _query(cluster, "SELECT 1")
    assert cluster.down() is False

    assert cluster.up().running
    assert _query(cluster, "SELECT n FROM kept") == [(42,)]


def test_listens_on_loopback_only_with_a_password(clusters: Clusters) -> None:
    cluster = clusters.make()
    port = cluster.up().port
    assert _query(cluster, "SHOW listen_addresses") == [("127.0.0.1",)]
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(f"postgresql://nsai:wrong@127.0.0.1:{port}/nsai").close()


def test_root_runs_the_cluster_as_an_unprivileged_user(clusters: Clusters, tmp_path: Path) -> None:
    # pytest's tmp_path is private to its user (mode 0700): as root, the cluster's own user
    # cannot enter it, so the data must live elsewhere and .nsai/pgdata link there.
    cluster = clusters.make()
    cluster.up()
    owner = _query(cluster, "SELECT current_setting('data_directory')")[0][0]
    data_dir = Path(str(owner))
    if os.geteuid() == 0:
        assert data_dir.stat().st_uid != 0
        assert cluster.data_link.is_symlink()
        assert cluster.data_link.resolve() == data_dir
    else:
        assert data_dir == cluster.data_link
        assert data_dir.stat().st_uid == os.geteuid()


def test_data_lives_in_home_when_the_cluster_user_can_reach_it(clusters: Clusters) -> None:
    cluster = clusters.make(home=clusters.reachable_home())
    cluster.up()
    assert not cluster.data_link.is_symlink()
    assert (cluster.data_link / "PG_VERSION").is_file()


def test_recovers_from_a_killed_server(clusters: Clusters) -> None:
    cluster = clusters.make()
    status = cluster.up()
    _query(cluster, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)")
    assert status.pid is not None
    os.kill(status.pid, signal.SIGKILL)
    _wait_until(lambda: not cluster.status().running)
    assert (Path(str(status.data_dir)) / "postmaster.pid").exists()  # left behind

    assert cluster.up().running
    assert _query(cluster, "SELECT n FROM kept") == [(7,)]


def test_recovers_from_a_pid_file_naming_another_live_process(
    clusters: Clusters,
) -> None:
    cluster = clusters.make()
    status = cluster.up()
    cluster.down()
    pid_file = Path(str(status.data_dir)) / "postmaster.pid"
    # The pid of a killed server, since handed to an unrelated process (this one).
    pid_file.write_text(f"{os.getpid()}\n{status.data_dir}\n0\n{status.port}\n\n\n")
    assert not cluster.status().running

    assert cluster.up().running
    assert _query(cluster, "SELECT 1") == [(1,)]


def test_a_taken_port_gets_a_clear_error_and_can_be_moved(
    clusters: Clusters, cli: CliRunner, tmp_path: Path
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        env = {"NSAI_HOME": str(tmp_path / ".nsai"), "NSAI_LOCAL_PORT": str(taken)}
        clusters.make()  # registers the home for clean-up

        result = cli("db", "up", environ=env)
        assert result.code == 1
        assert f"port {taken} is in use" in result.err
        assert "nsai db up --port" in result.err
        assert result.err.strip().splitlines()[-1].startswith("nsai: error: port")

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            free = probe.getsockname()[1]
        moved = cli("db", "up", "--port", str(free), environ=env)
        assert moved.code == 0, moved.err
        assert f"127.0.0.1:{free}" in moved.out


def test_an_interrupted_creation_is_cleaned_up(clusters: Clusters) -> None:
    cluster = clusters.make(home=clusters.reachable_home())
    cluster.home.mkdir()
    # What a creation killed during initdb leaves: a half-written scratch directory.
    scratch = cluster.home / "pgdata.creating"
    scratch.mkdir()
    (scratch / "PG_VERSION").write_text("15\n")

    assert cluster.up().running
    assert not scratch.exists()


def test_a_data_directory_without_its_config_is_refused(
    clusters: Clusters,
) -> None:
    cluster = clusters.make()
    (cluster.home / "pgdata").mkdir(parents=True)
    with pytest.raises(NsaiError, match=r"remove .*pgdata"):
        cluster.up()


def test_home_that_is_a_file_is_refused(tmp_path: Path, cli: CliRunner) -> None:
    home = tmp_path / "not-a-dir"
    home.write_text("x")
    result = cli("db", "up", environ={"NSAI_HOME": str(home)})
    assert result.code == 1
    assert "is not a directory" in result.err
    assert home.read_text() == "x"


def test_cli_up_status_down(clusters: Clusters, cli: CliRunner, tmp_path: Path) -> None:
    clusters.make()
    env = {"NSAI_HOME": str(tmp_path / ".nsai")}
    assert "created:     False" in cli("db", "status", environ=env).out

    assert cli("db", "up", environ=env).code == 0
    status = cli("db", "status", environ=env)
    assert status.code == 0
    assert "running:     True" in status.out
    assert "postgis:" in status.out
    assert f"0 applied, {MIGRATIONS} pending" in status.out

    # A command that needs the database starts the cluster on demand.
    assert cli("db", "down", environ=env).out.strip() == "local cluster stopped"
    migrated = cli("db", "migrate", environ=env)
    assert migrated.code == 0, migrated.err
    assert "applied 001_initial_schema" in migrated.out
    assert "running:     True" in cli("db", "status", environ=env).out

    assert cli("db", "down", environ=env).code == 0
    assert cli("db", "down", environ=env).out.strip() == "local cluster was not running"


def test_cluster_commands_refuse_when_a_url_is_set(cli: CliRunner, tmp_path: Path) -> None:
    env = {"NSAI_DATABASE_URL": "postgresql://u@127.0.0.1:1/x", "NSAI_HOME": str(tmp_path)}
    result = cli("db", "up", environ=env)
    assert result.code == 1
    assert "NSAI_DATABASE_URL is set" in result.err


def test_only_db_up_creates_a_cluster(cli: CliRunner, tmp_path: Path) -> None:
    home = tmp_path / "elsewhere" / ".nsai"
    result = cli("db", "migrate", environ={"NSAI_HOME": str(home)})
    assert result.code == 1
    assert f"no local cluster in {home}: create it with `nsai db up`" in result.err
    assert not (home / "pgdata").exists()


def _migrated(cluster: LocalCluster) -> LocalCluster:
    """`cluster` up, its database migrated."""
    cluster.up()
    engine = make_engine(cluster.settings)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    return cluster


def test_the_api_logs_in_as_a_role_that_cannot_change_the_schema(clusters: Clusters) -> None:
    cluster = _migrated(clusters.make())
    with psycopg.connect(cluster.api_url(), autocommit=True) as api:
        assert api.execute("SELECT current_user").fetchone() == ("nsai_api",)
        assert api.execute("SELECT count(*) FROM national_address").fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            api.execute("CREATE TABLE taken (n int)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            api.execute("DROP TABLE national_address")
    # Its password is kept with the cluster's and survives a restart.
    cluster.down()
    cluster.up()
    with psycopg.connect(cluster.api_url()) as api:
        assert api.execute("SELECT 1").fetchone() == (1,)


def test_the_api_answers_again_after_the_database_restarts_without_a_restart_of_its_own(
    clusters: Clusters,
) -> None:
    cluster = _migrated(clusters.make())
    settings = cluster.settings.model_copy(update={"anonymous_reads": True})
    with TestClient(create_app(settings)) as client:
        assert client.get("/v1/addresses/100000001").status_code == 404  # answered: none such
        cluster.down()
        for path in ("/v1/addresses/100000001", "/v1/search?q=church", "/readyz"):
            down = client.get(path)
            assert down.status_code == 503, (path, down.text)
            assert down.headers["content-type"] == "application/problem+json"
        assert client.get("/v1/addresses/100000001").headers["retry-after"] == "5"
        cluster.up()
        assert client.get("/v1/addresses/100000001").status_code == 404
        assert client.get("/v1/search", params={"q": "church"}).status_code == 200


def test_a_running_cluster_made_before_the_apis_login_gets_one_when_asked(
    clusters: Clusters,
) -> None:
    cluster = clusters.make()
    cluster.up()
    made = json.loads((cluster.home / "cluster.json").read_text())
    del made["api_password"]  # as a version without the API's login wrote it
    (cluster.home / "cluster.json").write_text(json.dumps(made))
    with psycopg.connect(cluster.api_url()) as api:  # still running: no `nsai db up` between
        assert api.execute("SELECT current_user").fetchone() == ("nsai_api",)
