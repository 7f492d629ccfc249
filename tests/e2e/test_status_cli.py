"""`lu-data status` as monitoring runs it, against a store the real syncer wrote: a real process
for each exit code (0, 1, 2), the command's main() in this process for the rest of the cases.

The store is filled by the syncer itself (`lu-data sync`, or `sync_portal` fetching the stand-in
portal over HTTP on 127.0.0.1); a snapshot is made old or dated in the future by re-dating what
the fetch returned, as a slow or wrong clock would. SQLite always, PostgreSQL when available
(tests/support/pg.py), including a server that checks passwords.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest

from lu_data.sources.api_settings import PortalConfig
from lu_data.sources.demo import generate_demo
from lu_data.sources.fake_portal import FakePortal
from lu_data.store.store import Store, open_store
from lu_data.sync.syncer import default_fetch, sync_portal
from tests.support import ANCHOR, ROOT, pg

postgres_server = pg.postgres_server  # the fixture, by name in this module
USER = "status-user"
PASSWORD = "status-Pa55-word"
WRONG = "not-the-password-9c1e"
DB_PASSWORD = "db-Secret-4f2a"
DB_WRONG = "db-Wrong-77b1"
# Portals of the shared store: what each one's last sync left behind.
FRESH, OLD, REFUSED, AHEAD, NEVER, DROPPED = "acme", "emea", "apac", "ahead", "newco", "legacy"


def lu_data(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a fresh process, with no LEARNUPON_* set but env's."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LEARNUPON_", "LU_STORE"))}
    return subprocess.run(
        [sys.executable, "-m", "lu_data", *args],
        cwd=cwd,
        env={**clean, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_config(
    path: Path, portal: FakePortal, names: list[str], password: str = PASSWORD
) -> Path:
    """A sync config naming these portals, all on the stand-in portal, as an admin writes it."""
    tables = [
        f'[learnupon.portals.{name}]\nbase_url = "{portal.base_url}"\nusername = "{USER}"\n'
        f'password = "{password}"\nrequests_per_second = 0\n'
        for name in names
    ]
    path.write_text("\n".join(tables), encoding="utf-8")
    return path


def portal_config(portal: FakePortal, name: str, password: str = PASSWORD) -> PortalConfig:
    """One configured portal on the stand-in (15-minute period: 45 minutes allowed)."""
    return PortalConfig(portal.base_url, USER, password, requests_per_second=None, name=name)


def sync_dated(store: Store, config: PortalConfig, shift: timedelta) -> None:
    """One real sync whose fetch is dated `shift` from now, as a host's clock would date it."""

    def fetch(config: PortalConfig, *, progress=None):
        raw = default_fetch(config, progress=progress)
        return replace(raw, fetched_at=datetime.now(UTC) + shift)

    result = sync_portal(store, config, force=True, fetch=fetch)
    assert result.status == "ok", result.reason


def fill_store(url: str, portal: FakePortal) -> None:
    """Fresh, 3 h old, refused on its last run, dated 2 h ahead, and a portal since dropped."""
    with open_store(url) as store:
        sync_dated(store, portal_config(portal, FRESH), timedelta(0))
        sync_dated(store, portal_config(portal, OLD), -timedelta(hours=3))
        sync_dated(store, portal_config(portal, REFUSED), -timedelta(minutes=10))
        refused = sync_portal(store, portal_config(portal, REFUSED, WRONG), force=True)
        assert refused.status == "failed"
        # 2.5 h ahead reads "2 h" for the next half hour (whole hours, rounded down), however
        # long a loaded machine takes between this fixture and the test that reads it.
        sync_dated(store, portal_config(portal, AHEAD), timedelta(hours=2, minutes=30))
        sync_dated(store, portal_config(portal, DROPPED), timedelta(0))


@pytest.fixture(scope="module")
def stand_in() -> Iterator[FakePortal]:
    """The stand-in portal: 30 demo sessions, Basic auth on USER and PASSWORD."""
    with FakePortal(
        generate_demo(n_sessions=30, anchor=ANCHOR), username=USER, password=PASSWORD
    ) as portal:
        yield portal


@pytest.fixture(scope="module")
def sqlite_store(stand_in, tmp_path_factory) -> str:
    """An SQLite store holding every case of fill_store."""
    url = f"sqlite:///{tmp_path_factory.mktemp('status') / 'store.sqlite3'}"
    fill_store(url, stand_in)
    return url


def status(config: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """`lu-data status --config FILE --db URL …` as a real process, checked to print no
    traceback (what monitoring runs: the exit code of the process is the answer)."""
    done = lu_data("status", "--config", str(config), "--db", url, *extra)
    assert "Traceback" not in done.stdout + done.stderr
    return done


def status_here(config: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """The same command through its main() in this process, with no LEARNUPON_* or LU_STORE*
    set: its code, stdout and stderr, checked to hold no traceback. `python -m lu_data` exits
    with what main() returns; real processes below check exit 0, 1 and 2 for themselves."""
    from lu_data.cli.commands import main

    argv = ["status", "--config", str(config), "--db", url, *extra]
    out, err = io.StringIO(), io.StringIO()
    outside = {k: v for k, v in os.environ.items() if k.startswith(("LEARNUPON_", "LU_STORE"))}
    with mock.patch.dict(os.environ), redirect_stdout(out), redirect_stderr(err):
        for name in outside:
            del os.environ[name]
        code = main(argv)
    done = subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())
    assert "Traceback" not in done.stdout + done.stderr
    return done


def line_of(output: str, name: str) -> str:
    """The one line of output about a portal."""
    found = [line for line in output.splitlines() if line.split()[1:2] == [f"{name}:"]]
    assert len(found) == 1, output
    return found[0]


def test_fresh_portal_synced_by_lu_data_sync_is_ok(stand_in, tmp_path) -> None:
    """After `lu-data sync`: exit 0, the portal OK with its 30 sessions, run time and process."""
    config = write_config(tmp_path / "portals.toml", stand_in, [FRESH])
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    synced = lu_data("sync", "--config", str(config), "--db", url)
    assert synced.returncode == 0, synced.stderr
    done = status(config, url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    line = line_of(done.stdout, FRESH)
    assert line.startswith(f"OK      {FRESH}: snapshot ")
    assert re.search(r"\((just now|\d+ min ago), max 45 min\), 30 sessions; last sync ok ", line)
    assert " s, by " in line  # how long it took and which hostname:pid ran it


def test_old_snapshot_is_stale_and_fails_the_check(sqlite_store, stand_in, tmp_path) -> None:
    """A 3 h old snapshot against 3 × 15 min: exit 1, STALE naming the portal; --max-age wins."""
    config = write_config(tmp_path / "portals.toml", stand_in, [FRESH, OLD])
    done = status_here(config, sqlite_store)
    assert done.returncode == 1
    assert line_of(done.stdout, FRESH).startswith("OK ")
    line = line_of(done.stdout, OLD)
    assert line.startswith(f"STALE   {OLD}: snapshot ")
    assert "(3 h ago, over the 45 min allowed), 30 sessions; last sync ok" in line
    relaxed = status_here(config, sqlite_store, "--max-age", "240")
    assert relaxed.returncode == 0, relaxed.stdout
    assert "(3 h ago, max 240 min)" in line_of(relaxed.stdout, OLD)


def test_failed_last_run_is_failing_with_its_error_line(sqlite_store, stand_in, tmp_path) -> None:
    """Last run refused by the portal: exit 1, FAILING, the stored error, no password anywhere."""
    config = write_config(tmp_path / "portals.toml", stand_in, [REFUSED])
    done = status_here(config, sqlite_store)
    assert done.returncode == 1
    line = line_of(done.stdout, REFUSED)
    assert line.startswith(f"FAILING {REFUSED}: snapshot ")  # the last good one is still there
    assert re.search(r"\(\d+ min ago, max 45 min\), 30 sessions; last sync failed ", line)
    assert "401" in line or "API Keys" in line, line
    assert WRONG not in done.stdout and PASSWORD not in done.stdout


def test_portal_never_synced_is_stale(sqlite_store, stand_in, tmp_path) -> None:
    """A configured portal the store has never seen: STALE, "never synced", exit 1."""
    config = write_config(tmp_path / "portals.toml", stand_in, [NEVER])
    done = status_here(config, sqlite_store)
    assert done.returncode == 1
    assert line_of(done.stdout, NEVER) == f"STALE   {NEVER}: never synced; no sync run yet"


def test_snapshot_dated_in_the_future_is_not_trusted(sqlite_store, stand_in, tmp_path) -> None:
    """A snapshot 2 h ahead of this clock is reported as such and STALE, not fresh."""
    config = write_config(tmp_path / "portals.toml", stand_in, [AHEAD])
    done = status_here(config, sqlite_store)
    assert done.returncode == 1
    line = line_of(done.stdout, AHEAD)
    assert line.startswith(f"STALE   {AHEAD}: snapshot ")
    assert "(dated 2 h in the future: clocks disagree, not trusted)" in line


def test_portal_no_longer_configured_is_listed_not_counted(
    sqlite_store, stand_in, tmp_path
) -> None:
    """Store portals the config dropped (stale or failing ones too) are listed, exit still 0."""
    config = write_config(tmp_path / "portals.toml", stand_in, [FRESH])
    done = status_here(config, sqlite_store)
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"OK      {FRESH}: ")
    for name in (AHEAD, REFUSED, OLD, DROPPED):
        assert line_of(done.stdout, name).startswith(
            f"-       {name}: not configured any more, not counted; snapshot "
        )
    assert len(lines) == 5


def test_json_keys_each_portal_as_check_does(sqlite_store, stand_in, tmp_path) -> None:
    """--json: one object; each configured portal keyed as `check --json` keys its portals."""
    config = write_config(tmp_path / "portals.toml", stand_in, [FRESH, OLD, REFUSED, NEVER])
    done = status_here(config, sqlite_store, "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["exit_code"] == 1
    assert report["store"] == sqlite_store
    by_name = {p["name"]: p for p in report["portals"]}
    assert list(by_name) == [FRESH, OLD, REFUSED, NEVER]  # in config order
    assert {p["name"] for p in report["not_configured"]} == {AHEAD, DROPPED}
    fresh = by_name[FRESH]
    assert {"name", "snapshot_id", "snapshot_at", "status"} <= set(fresh)  # as in check
    assert fresh["health"] == "OK" and fresh["status"] == "ok" and fresh["problems"] == []
    assert fresh["sessions"] == 30 and fresh["max_age_minutes"] == 45
    assert fresh["run_seconds"] >= 0 and ":" in fresh["run_holder"]
    assert datetime.fromisoformat(fresh["snapshot_at"]).tzinfo is not None
    assert by_name[OLD]["health"] == "STALE" and 179 < by_name[OLD]["age_minutes"] < 240
    assert by_name[OLD]["problems"] == ["snapshot 3 h old, over the 45 min allowed"]
    refused = by_name[REFUSED]
    assert refused["health"] == "FAILING" and refused["status"] == "failed"
    assert refused["run_error"] and refused["problems"][0].startswith("last sync failed: ")
    never = by_name[NEVER]
    assert never["health"] == "STALE" and never["problems"] == ["never synced"]
    assert never["snapshot_at"] is None and never["status"] is None and never["sessions"] is None
    assert all(p["configured"] is False and p["health"] is None for p in report["not_configured"])


def test_without_flags_it_reads_what_sync_reads(sqlite_store, stand_in, tmp_path) -> None:
    """No --config or --db: the LEARNUPON_* portal (named after its host) and LU_STORE_URL."""
    env = {
        "LU_STORE_URL": sqlite_store,
        "LEARNUPON_BASE_URL": stand_in.base_url,
        "LEARNUPON_USERNAME": USER,
        "LEARNUPON_PASSWORD": PASSWORD,
    }
    done = lu_data("status", env=env, cwd=tmp_path)  # no .streamlit/secrets.toml here
    assert done.returncode == 1, done.stderr
    name = f"127-0-0-1-{stand_in.base_url.split(':')[2].split('/')[0]}"
    assert line_of(done.stdout, name) == f"STALE   {name}: never synced; no sync run yet"
    assert line_of(done.stdout, FRESH).startswith(f"-       {FRESH}: not configured any more")


@pytest.mark.parametrize(
    ("config_text", "db", "expected"),
    [
        ("OK", "sqlite:///{tmp}/none/store.sqlite3", "does not exist: no sync has written it yet"),
        ("OK", "not a url", "store URL not a url does not parse: expected e.g. sqlite:///FILE"),
        ("OK", "postgresql+psycopg://lu:pw@127.0.0.1:port/lu", "does not parse"),
        ("OK", f"postgresql+psycopg://lu:{DB_PASSWORD}@x@127.0.0.1/lu", "has more than one @"),
        ("[learnupon.portals.acme\n", "", "is not valid TOML"),
        ("TWICE", "", "is not valid TOML: Cannot declare ('learnupon', 'portals', 'acme') twice"),
        ("CASE", "", "two portals are named 'acme'"),
        ("", "", "no portal configured"),
    ],
    ids=[
        "no-store",
        "not-a-url",
        "bad-port",
        "loose-at",
        "bad-toml",
        "twice",
        "twice-by-case",
        "no-portal",
    ],  # fmt: skip
)
def test_setup_errors_exit_2_with_one_line(stand_in, tmp_path, config_text, db, expected) -> None:
    """No store, a URL that does not parse, a bad config or a portal named twice: exit 2,
    one line on stderr, nothing on stdout, no password."""
    table = f'portal = "acme"\nusername = "{USER}"\npassword = "{PASSWORD}"\n'
    texts = {
        "OK": f"[learnupon.portals.acme]\n{table}",
        "TWICE": f"[learnupon.portals.acme]\n{table}[learnupon.portals.acme]\n{table}",
        "CASE": f"[learnupon.portals.acme]\n{table}[learnupon.portals.ACME]\n{table}",
    }
    config = tmp_path / "portals.toml"
    config.write_text(texts.get(config_text, config_text), encoding="utf-8")
    url = db.format(tmp=tmp_path) or f"sqlite:///{tmp_path / 'never-opened.sqlite3'}"
    done = status_here(config, url)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("lu-data status: error: ")
    assert expected in done.stderr, done.stderr
    for secret in (PASSWORD, DB_PASSWORD, ":pw@"):
        assert secret not in done.stderr
    assert not (tmp_path / "none").exists()  # a missing SQLite store is not created


def test_postgres_fresh_then_stale(postgres_server, stand_in, tmp_path) -> None:
    """On PostgreSQL: fresh is exit 0; a 3 h old snapshot is exit 1, STALE."""
    config = write_config(tmp_path / "portals.toml", stand_in, [FRESH])
    with pg.fresh_database(postgres_server) as url:
        with open_store(url) as store:
            sync_dated(store, portal_config(stand_in, FRESH), timedelta(0))
        done = status_here(config, url)
        assert done.returncode == 0, done.stdout + done.stderr
        assert line_of(done.stdout, FRESH).startswith(f"OK      {FRESH}: snapshot ")
        with open_store(url) as store:
            sync_dated(store, portal_config(stand_in, FRESH), -timedelta(hours=3))
        done = status_here(config, url)
        assert done.returncode == 1
        assert "(3 h ago, over the 45 min allowed), 30 sessions" in line_of(done.stdout, FRESH)


@pytest.fixture
def password_postgres() -> Iterator[str]:
    """A PostgreSQL server of its own that checks passwords (scram) on 127.0.0.1; its URL
    without a password."""
    bindir = pg.find_pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries not installed (apt-get install -y postgresql)")
    server = pg.PgServer(bindir)
    try:
        server.start()
        admin = subprocess.run(
            [*server.prefix, str(bindir / "psql"), "-h", "127.0.0.1", "-p", str(server.port),
             "-U", pg.PG_USER, "-c", f"ALTER USER {pg.PG_USER} PASSWORD '{DB_PASSWORD}'"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert admin.returncode == 0, admin.stderr
        (server.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n", encoding="utf-8"
        )
        pg._run([*server.pg_ctl, "reload"])
        yield server.url
    finally:
        server.remove()


def test_postgres_wrong_password_exits_2_with_it_masked(
    password_postgres, stand_in, tmp_path
) -> None:
    """A store that refuses the password: exit 2, one line saying so, the password nowhere."""
    config = write_config(tmp_path / "portals.toml", stand_in, [FRESH])
    host = password_postgres.removeprefix(f"postgresql+psycopg://{pg.PG_USER}@")
    done = status(config, f"postgresql+psycopg://{pg.PG_USER}:{DB_WRONG}@{host}/postgres")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == "" and len(done.stderr.splitlines()) == 1
    assert "password authentication failed" in done.stderr, done.stderr
    assert f"{pg.PG_USER}:***@" in done.stderr
    assert DB_WRONG not in done.stderr
    right = status_here(config, f"postgresql+psycopg://{pg.PG_USER}:{DB_PASSWORD}@{host}/postgres")
    assert right.returncode == 1, right.stderr  # let in: an empty store, never synced
    assert line_of(right.stdout, FRESH) == f"STALE   {FRESH}: never synced; no sync run yet"
    assert DB_PASSWORD not in right.stdout + right.stderr
