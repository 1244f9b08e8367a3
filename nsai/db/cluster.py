"""The managed local PostgreSQL + PostGIS cluster: NSAI's embedded default database.

With no NSAI_DATABASE_URL, NSAI keeps a private cluster under `.nsai/` (initdb and pg_ctl of the
installed PostgreSQL), listening on 127.0.0.1 only, with a generated password. PostgreSQL refuses
to run as root, so when NSAI runs as root the cluster runs as an unprivileged system user
(`postgres` by default). If that user cannot reach `.nsai/` (a home directory of mode 0700, say),
the data directory lives under /var/lib/nsai/clusters/ and `.nsai/pgdata` is a symlink to it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from nsai.config import Settings
from nsai.db.roles import API_ROLE
from nsai.errors import NsaiError

log = logging.getLogger(__name__)

SUPERUSER = "nsai"
DATABASE = "nsai"
SHARED_DATA_ROOT = Path("/var/lib/nsai/clusters")
START_TIMEOUT_S = 60
LEFTOVER_WAIT_S = 15

# Written into postgresql.conf at creation: loopback TCP only (no Unix socket, whose path length
# would limit where .nsai/ may live), and a modest memory footprint for a developer machine.
SERVER_CONF = """
# --- NSAI managed cluster ---
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 100
shared_buffers = '256MB'
work_mem = '32MB'
maintenance_work_mem = '256MB'
max_wal_size = '2GB'
"""


@dataclass(frozen=True)
class ClusterConfig:
    """What `.nsai/cluster.json` records about a created cluster."""

    port: int
    password: str
    data_dir: str
    bindir: str
    api_password: str = ""  # made at the first `up` after a version that had none

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def api_url(self, database: str = DATABASE) -> str:
        return f"postgresql://{API_ROLE}:{self.api_password}@127.0.0.1:{self.port}/{database}"


@dataclass(frozen=True)
class ClusterStatus:
    home: Path
    created: bool
    running: bool
    pid: int | None
    port: int | None
    data_dir: str | None

    def as_dict(self) -> dict[str, object]:
        return {"mode": "managed", **asdict(self), "home": str(self.home)}


def find_bindir(settings: Settings) -> Path:
    """Where initdb and pg_ctl are: NSAI_PG_BINDIR, else PATH, else the newest Debian install."""
    if settings.pg_bindir is not None:
        candidates = [settings.pg_bindir]
    else:
        on_path = shutil.which("initdb")
        candidates = [Path(on_path).resolve().parent] if on_path else []
        debian = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
            reverse=True,
        )
        candidates += debian
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise NsaiError(
        "PostgreSQL server programs (initdb, pg_ctl) were not found: run `make setup` "
        "(Debian: apt-get install postgresql postgresql-15-postgis-3), set NSAI_PG_BINDIR, "
        "or set NSAI_DATABASE_URL to use an existing server"
    )


def _someone_listens_on(port: int) -> bool:
    # A connect test, not a bind test: connections of a killed server linger in TIME_WAIT and
    # make a bind probe fail, although PostgreSQL (SO_REUSEADDR) can still listen there.
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LocalCluster:
    """A private PostgreSQL cluster in `settings.home`, created and started on demand."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.home = settings.home.expanduser().absolute()
        self.config_path = self.home / "cluster.json"
        self.data_link = self.home / "pgdata"
        self._owner = self._run_as_user()

    # -- public -----------------------------------------------------------------------------

    def status(self) -> ClusterStatus:
        config = self._read_config()
        if config is None:
            return ClusterStatus(self.home, False, False, None, None, None)
        pid = self._live_postmaster_pid(Path(config.data_dir))
        return ClusterStatus(self.home, True, pid is not None, pid, config.port, config.data_dir)

    def up(self, port: int | None = None) -> ClusterStatus:
        """Create the cluster if needed, start it if stopped; returns its status."""
        with self._lock():
            config = self._read_config() or self._create(port)
            if port is not None and port != config.port:
                config = self._move_port(config, port)
            data_dir = Path(config.data_dir)
            if self._live_postmaster_pid(data_dir) is None:
                self._start(config)
            if not config.api_password:
                config = dataclasses.replace(config, api_password=secrets.token_urlsafe(24))
                self._write_config(config)
            self._ensure_database(config)
        return self.status()

    def ensure_running(self, *, create: bool = False) -> str:
        """The database URL of the running cluster, started if stopped.

        Only `create=True` (`nsai db up`, the test suite) makes a new cluster: any other command
        run from the wrong directory would otherwise start an empty one there.
        """
        status = self.status()
        if not status.created and not create:
            raise NsaiError(
                f"no local cluster in {self.home}: create it with `nsai db up` (from the "
                "directory you work in), or set NSAI_DATABASE_URL"
            )
        config = self._read_config()
        if not status.running or config is None:
            self.up()
            config = self._read_config()
        assert config is not None
        return config.url()

    def api_url(self) -> str:
        """The URL the API connects with (as API_ROLE), the cluster started if stopped."""
        self.ensure_running()
        config = self._read_config()
        if config is None or not config.api_password:
            # A cluster made by a version without the API's login, still running: made now.
            self.up()
            config = self._read_config()
        assert config is not None
        return config.api_url()

    def down(self) -> bool:
        """Stop the cluster; False if it was not running."""
        with self._lock():
            config = self._read_config()
            if config is None or self._live_postmaster_pid(Path(config.data_dir)) is None:
                return False
            result = self._pg(
                config.bindir, "pg_ctl", "stop", "-D", config.data_dir, "-m", "fast", "-w"
            )
            if result.returncode != 0:
                raise NsaiError(f"the local cluster did not stop: {_last_line(result)}")
            return True

    def url(self, database: str = DATABASE) -> str:
        config = self._read_config()
        if config is None:
            raise NsaiError(f"no local cluster in {self.home}: run `nsai db up` first")
        return config.url(database)

    # -- creation -----------------------------------------------------------------------------

    def _create(self, port: int | None) -> ClusterConfig:
        if self.data_link.exists() or self.data_link.is_symlink():
            raise NsaiError(
                f"{self.data_link} exists but {self.config_path.name} does not, so its password "
                f"is unknown: remove {self.data_link} (and anything it links to) to start afresh"
            )
        bindir = find_bindir(self.settings)
        chosen = port or self.settings.local_port or _free_port()
        data_dir = self._data_dir_location()
        scratch = data_dir.with_name(data_dir.name + ".creating")
        if scratch.exists():
            log.info("removing %s, left by an interrupted creation", scratch)
            shutil.rmtree(scratch)
        password = secrets.token_urlsafe(24)
        scratch.mkdir(mode=0o700, parents=True)
        self._chown(scratch)
        with tempfile.TemporaryDirectory(prefix="nsai-initdb-") as secret_dir:
            # initdb reads the password from a file that the cluster's user must be able to open.
            pwfile = Path(secret_dir) / "pw"
            pwfile.write_text(password)
            self._chown(Path(secret_dir))
            self._chown(pwfile)
            result = self._pg(
                str(bindir), "initdb", "-D", str(scratch), "-U", SUPERUSER,
                "--auth-local=peer", "--auth-host=scram-sha-256", f"--pwfile={pwfile}",
                "-E", "UTF8", "--locale=C",
            )  # fmt: skip
        if result.returncode != 0:
            shutil.rmtree(scratch, ignore_errors=True)
            raise NsaiError(f"initdb failed: {_last_line(result)}")
        with (scratch / "postgresql.conf").open("a") as conf:
            conf.write(SERVER_CONF)
        scratch.rename(data_dir)
        if data_dir != self.data_link:
            self.data_link.symlink_to(data_dir)
        config = ClusterConfig(chosen, password, str(data_dir), str(bindir))
        self._write_config(config)
        log.info("created the local cluster in %s (port %d)", data_dir, chosen)
        return config

    def _data_dir_location(self) -> Path:
        """HOME/pgdata, unless the cluster's system user cannot reach HOME (see module doc)."""
        self.home.mkdir(parents=True, exist_ok=True)
        if self._owner is None or self._user_can_enter(self.home):
            return self.data_link
        digest = hashlib.sha256(str(self.home).encode()).hexdigest()[:16]
        SHARED_DATA_ROOT.mkdir(parents=True, exist_ok=True)
        return SHARED_DATA_ROOT / digest

    def _move_port(self, config: ClusterConfig, port: int) -> ClusterConfig:
        if self._live_postmaster_pid(Path(config.data_dir)) is not None:
            raise NsaiError(
                f"the local cluster is running on port {config.port}: "
                "stop it with `nsai db down` before moving it to another port"
            )
        moved = dataclasses.replace(config, port=port)
        self._write_config(moved)
        return moved

    # -- start and state ------------------------------------------------------------------

    def _start(self, config: ClusterConfig) -> None:
        data_dir = Path(config.data_dir)
        if not (data_dir / "PG_VERSION").is_file():
            raise NsaiError(
                f"the local cluster's data directory {data_dir} is missing or damaged: "
                f"remove {self.home} to create a new cluster"
            )
        self._remove_stale_pid_file(data_dir)
        self._wait_for_leftovers(data_dir)
        if _someone_listens_on(config.port):
            raise NsaiError(
                f"port {config.port} is in use by another program: "
                "start the local cluster on another port with `nsai db up --port N`"
            )
        logfile = data_dir / "server.log"
        result = self._pg(
            config.bindir, "pg_ctl", "start", "-D", str(data_dir), "-l", str(logfile),
            "-w", "-t", str(START_TIMEOUT_S), "-o", f"-p {config.port}",
        )  # fmt: skip
        if result.returncode != 0:
            raise NsaiError(
                f"the local cluster did not start (log: {logfile}): {_last_log_line(logfile)}"
            )
        log.info("started the local cluster on 127.0.0.1:%d", config.port)

    def _ensure_database(self, config: ClusterConfig) -> None:
        with psycopg.connect(config.url("postgres"), autocommit=True, connect_timeout=10) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
            if exists.fetchone() is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
            # The API's login (its grants come with the migrations).
            role = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (API_ROLE,))
            verb = "CREATE" if role.fetchone() is None else "ALTER"
            conn.execute(
                sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(API_ROLE), sql.Literal(config.api_password)
                )
            )
            postgis = conn.execute(
                "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'"
            ).fetchone()
            if postgis is None:
                version = conn.info.server_version // 10000
                raise NsaiError(
                    f"PostGIS is not installed for PostgreSQL {version}: run `make setup` "
                    f"(Debian: apt-get install postgresql-{version}-postgis-3)"
                )

    def _live_postmaster_pid(self, data_dir: Path) -> int | None:
        """The pid of this cluster's running postmaster, or None."""
        pid = _pid_from_file(data_dir / "postmaster.pid")
        if pid is None:
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return None
        # A pid from a file left by a killed server may since have been given to another process.
        if any(arg == str(data_dir).encode() for arg in cmdline):
            return pid
        return None

    def _wait_for_leftovers(self, data_dir: Path) -> None:
        """Wait for the children of a killed server to exit: they hold its port and memory."""
        deadline = time.monotonic() + LEFTOVER_WAIT_S
        while pids := _processes_working_in(data_dir):
            if time.monotonic() > deadline:
                raise NsaiError(
                    f"processes of a stopped server still run in {data_dir} "
                    f"(pids {', '.join(map(str, pids))}): end them, then try again"
                )
            time.sleep(0.1)

    def _remove_stale_pid_file(self, data_dir: Path) -> None:
        pid_file = data_dir / "postmaster.pid"
        if pid_file.exists() and self._live_postmaster_pid(data_dir) is None:
            log.warning("removing %s left by a server that is no longer running", pid_file)
            pid_file.unlink()

    # -- files, users and processes -----------------------------------------------------------

    def _read_config(self) -> ClusterConfig | None:
        if self.home.exists() and not self.home.is_dir():
            raise NsaiError(f"{self.home} is not a directory: remove it or set NSAI_HOME")
        try:
            raw = json.loads(self.config_path.read_text())
            return ClusterConfig(**raw)
        except FileNotFoundError:
            return None
        except (ValueError, TypeError) as exc:
            raise NsaiError(
                f"{self.config_path} is unreadable ({exc}): remove {self.home} "
                "to create a new cluster"
            ) from exc

    def _write_config(self, config: ClusterConfig) -> None:
        scratch = self.config_path.with_suffix(".tmp")
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(asdict(config), out, indent=2)
        scratch.replace(self.config_path)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialise creation/start/stop between concurrent nsai processes."""
        if self.home.exists() and not self.home.is_dir():
            raise NsaiError(f"{self.home} is not a directory: remove it or set NSAI_HOME")
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise NsaiError(f"cannot create {self.home}: {exc.strerror}") from exc
        with (self.home / "lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def _run_as_user(self) -> pwd.struct_passwd | None:
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(self.settings.local_user)
        except KeyError:
            raise NsaiError(
                f"running as root, NSAI runs the local cluster as the system user "
                f"{self.settings.local_user!r}, which does not exist: install PostgreSQL "
                "(it creates `postgres`) or set NSAI_LOCAL_USER to an unprivileged user"
            ) from None

    def _user_can_enter(self, directory: Path) -> bool:
        assert self._owner is not None
        probe = subprocess.run(
            ["test", "-x", str(directory)],
            user=self._owner.pw_uid,
            group=self._owner.pw_gid,
            extra_groups=[],
            cwd="/",
            check=False,
        )
        return probe.returncode == 0

    def _chown(self, path: Path) -> None:
        if self._owner is not None:
            os.chown(path, self._owner.pw_uid, self._owner.pw_gid)

    def _pg(self, bindir: str | Path, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL program, as the unprivileged cluster user when we are root."""
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "TZ": "UTC"}
        kwargs: dict[str, object] = {}
        if self._owner is not None:
            env["HOME"] = self._owner.pw_dir
            kwargs = {
                "user": self._owner.pw_uid,
                "group": self._owner.pw_gid,
                "extra_groups": [],
            }
        return subprocess.run(  # type: ignore[call-overload, no-any-return]
            [str(Path(bindir) / program), *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
            cwd="/",
            check=False,
            start_new_session=True,  # a Ctrl-C at the terminal must not kill the server
            **kwargs,
        )


def _processes_working_in(directory: Path) -> list[int]:
    """Pids of live processes whose working directory is `directory` (PostgreSQL's all are)."""
    target = directory.resolve()
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if Path(os.readlink(proc / "cwd")) == target:
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


def _pid_from_file(pid_file: Path) -> int | None:
    try:
        first = pid_file.read_text().splitlines()[0].strip()
    except (OSError, IndexError):
        return None
    return int(first) if re.fullmatch(r"\d+", first) else None


def _last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
    return lines[-1].strip() if lines else f"exit code {result.returncode}"


def _last_log_line(logfile: Path) -> str:
    try:
        lines = [line for line in logfile.read_text().splitlines() if line.strip()]
    except OSError:
        return "no log written"
    return lines[-1].strip() if lines else "empty log"
