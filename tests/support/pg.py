"""PostgreSQL for tests: a throwaway server on loopback, one fresh database per test.

Import the fixtures into a test module (`from tests.support.pg import postgres_server, store_url`).
`store_url` is parametrized over SQLite (always) and PostgreSQL: the PostgreSQL runs use
LU_TEST_PG_URL when set (an existing server, e.g. a CI service), otherwise start Debian's
postgresql binaries (`apt-get install -y postgresql`) as the `postgres` user when run as root,
and are skipped with the reason when neither is available.
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


@contextlib.contextmanager
def throwaway_server(bindir: Path) -> Iterator[str]:
    """Start a PostgreSQL server on 127.0.0.1 in a temp folder; stop and delete it after."""
    prefix, uid, gid = _as_server_user()
    root = Path(tempfile.mkdtemp(prefix="lu-pg-"))
    if uid is not None:
        os.chown(root, uid, gid)  # type: ignore[arg-type]
    data, port = root / "data", free_port()
    _run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", PG_USER, "-A", "trust",
          "-E", "UTF8", "--no-locale", "--no-sync"])  # fmt: skip
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={root} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    pg_ctl = [*prefix, str(bindir / "pg_ctl"), "-D", str(data)]
    # -w: pg_ctl itself waits until the server accepts connections.
    _run([*pg_ctl, "-o", options, "-l", str(root / "server.log"), "-w", "start"])
    try:
        yield f"postgresql+psycopg://{PG_USER}@127.0.0.1:{port}"
    finally:
        with contextlib.suppress(Exception):
            _run([*pg_ctl, "-m", "immediate", "-w", "stop"])
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """Create an empty database on the server; drop it afterwards."""
    import sqlalchemy as sa

    name = f"lu_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(f"{server.rstrip('/')}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield f"{server.rstrip('/')}/{name}"
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
