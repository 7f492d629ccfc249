"""PostgreSQL for tests: a throwaway server on loopback, one fresh database per test.

Import the fixtures into a test module (`from tests.support.pg import postgres_server, store_url`).
`store_url` is parametrized over SQLite (always) and PostgreSQL: the PostgreSQL runs use
LU_TEST_PG_URL when set (an existing server, e.g. a CI service), otherwise start Debian's
postgresql binaries (`apt-get install -y postgresql`) as the `postgres` user when run as root,
and are skipped with the reason when neither is available. A test that stops its server (to
see the store go away and come back) takes `own_postgres`, a server of its own.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_URL_ENV = "LU_TEST_PG_URL"
PG_USER = "postgres"
DEBIAN_PG_GLOB = "/usr/lib/postgresql/*/bin"
START_TIMEOUT_S = 60


def find_pg_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else Debian's newest version."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(
        (p for p in Path("/").glob(DEBIAN_PG_GLOB.lstrip("/")) if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return candidates[-1] if candidates else None


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user() -> tuple[list[str], int | None, int | None]:
    """Command prefix and ids to run PostgreSQL tools: initdb refuses to run as root."""
    if os.geteuid() != 0:
        return [], None, None
    try:
        entry = pwd.getpwnam(PG_USER)
    except KeyError:
        pytest.skip(f"running as root and no '{PG_USER}' user to run PostgreSQL as")
    return ["runuser", "-u", PG_USER, "--"], entry.pw_uid, entry.pw_gid


def _run(cmd: list[str]) -> None:
    """Run a server tool; on failure show its output in the test report."""
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=START_TIMEOUT_S)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A server URL (no database): LU_TEST_PG_URL, or a throwaway local server."""
    given = os.environ.get(PG_URL_ENV, "").strip()
    if given:
        yield given
        return
    bindir = find_pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries not installed (apt-get install -y postgresql)")
    with throwaway_server(bindir) as url:
        yield url


class PgServer:
    """A throwaway PostgreSQL server in a temp folder on 127.0.0.1, which a test may stop
    (as a crash would: immediate shutdown) and start again on the same port and data."""

    def __init__(self, bindir: Path, *, durable: bool = False) -> None:
        # Not durable: commits return before their WAL is written (fast; a crash may lose the
        # last ones). Durable: what a production server does, so a crash loses no commit.
        self.durable = durable
        self.prefix, uid, gid = _as_server_user()
        self.root = Path(tempfile.mkdtemp(prefix="lu-pg-"))
        if uid is not None:
            os.chown(self.root, uid, gid)  # type: ignore[arg-type]
        self.data, self.port = self.root / "data", free_port()
        self.pg_ctl = [*self.prefix, str(bindir / "pg_ctl"), "-D", str(self.data)]
        _run([*self.prefix, str(bindir / "initdb"), "-D", str(self.data), "-U", PG_USER,
              "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"])  # fmt: skip

    @property
    def url(self) -> str:
        """The server URL, no database."""
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start it and wait until it accepts connections (pg_ctl -w)."""
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root} "
            "-c fsync=off -c full_page_writes=off "
            f"-c synchronous_commit={'on' if self.durable else 'off'}"
        )
        log = str(self.root / "server.log")
        _run([*self.pg_ctl, "-o", options, "-l", log, "-w", "start"])

    def stop(self) -> None:
        """Stop it at once, without waiting for clients to go (what a crash looks like to them)."""
        _run([*self.pg_ctl, "-m", "immediate", "-w", "stop"])

    def remove(self) -> None:
        """Stop it if running and delete its folder."""
        with contextlib.suppress(Exception):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def throwaway_server(bindir: Path) -> Iterator[str]:
    """Start a PostgreSQL server on 127.0.0.1 in a temp folder; stop and delete it after."""
    with stoppable_server(bindir, durable=False) as server:
        yield server.url


@contextlib.contextmanager
def stoppable_server(bindir: Path, *, durable: bool = True) -> Iterator[PgServer]:
    """A started PgServer of its own, for a test that stops it; removed after."""
    server = PgServer(bindir, durable=durable)
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
def own_postgres() -> Iterator[PgServer]:
    """A PostgreSQL server for this test alone (it may stop it), never the shared one."""
    bindir = find_pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries not installed (apt-get install -y postgresql)")
    with stoppable_server(bindir) as server:
        yield server


def new_database(server: str) -> str:
    """Create an empty database on the server; its URL."""
    import sqlalchemy as sa

    name = f"lu_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(f"{server.rstrip('/')}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return f"{server.rstrip('/')}/{name}"


@contextlib.contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """Create an empty database on the server; drop it afterwards."""
    import sqlalchemy as sa

    url = new_database(server)
    yield url
    name = sa.make_url(url).database
    admin = sa.create_engine(f"{server.rstrip('/')}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty history store URL: an SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'history.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    with fresh_database(server) as url:
        yield url
