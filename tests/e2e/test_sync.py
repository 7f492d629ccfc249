"""Sync: `lu-data sync` against stand-in portals, into a real store; one fetch per period.

Real HTTP on 127.0.0.1 (the stand-in portal), real SQLite and PostgreSQL stores (the
`store_url` fixture), real processes for the command line.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lu_data.sources.api_settings import PortalConfig
from lu_data.sources.demo import generate_demo
from lu_data.sources.fake_portal import FakePortal, Faults
from lu_data.store.store import open_store
from lu_data.sync.syncer import Syncer, sync_portal
from tests.support import ANCHOR, ROOT, pg

postgres_server = pg.postgres_server  # the fixtures, by name in this module
store_url = pg.store_url
USER = "sync-user"
PASSWORD = "sync-Pa55-word"
TABS = 20
WRONG = "pw-not-the-apac-one-7f3a"


@pytest.fixture
def two_portals() -> Iterator[tuple[FakePortal, FakePortal]]:
    """Two stand-in portals of 30 demo sessions each, one of them on other keys."""
    raw = generate_demo(n_sessions=30, anchor=ANCHOR)
    with (
        FakePortal(raw, username=USER, password=PASSWORD) as emea,
        FakePortal(raw, username=USER, password=PASSWORD + "-apac") as apac,
    ):
        yield emea, apac


def config_file(tmp_path: Path, emea: FakePortal, apac: FakePortal, apac_password: str) -> Path:
    """A sync config naming both portals, as an admin would write it."""
    path = tmp_path / "sync.toml"
    path.write_text(
        f'[learnupon.portals.emea]\nbase_url = "{emea.base_url}"\nusername = "{USER}"\n'
        f'password = "{PASSWORD}"\nrequests_per_second = 0\n'
        f'[learnupon.portals.apac]\nbase_url = "{apac.base_url}"\nusername = "{USER}"\n'
        f'password = "{apac_password}"\nrequests_per_second = 0\n',
        encoding="utf-8",
    )
    return path


def lu_data(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a fresh process."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LEARNUPON_")}
    return subprocess.run(
        [sys.executable, "-m", "lu_data", *args],
        cwd=ROOT,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sync_once_writes_each_portal_and_names_the_one_that_failed(
    two_portals, store_url, tmp_path
) -> None:
    """Exit 1, one stderr line naming the failed portal and why; the other is written."""
    emea, apac = two_portals
    done = lu_data(
        "sync", "--once", "--config", str(config_file(tmp_path, emea, apac, WRONG)),
        "--db", store_url,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    failed = [line for line in done.stderr.splitlines() if "failed" in line]
    assert len(failed) == 1 and failed[0].startswith("lu-data sync: apac failed: ")
    assert "API Keys" in failed[0] or "401" in failed[0], failed[0]
    assert "emea: 30 sessions, snapshot" in done.stdout
    for text in (done.stdout, done.stderr):
        assert PASSWORD not in text and WRONG not in text
    with open_store(store_url) as store:
        assert set(store.latest_snapshot_ids()) == {"emea"}
        assert len(store.read_snapshot("emea").portal.sessions) == 30
        assert store.last_run("apac").status == "failed"
    # The retry with the right keys, through the command's main() in this process (the real
    # process's exit 0 is checked by the tests further down).
    from lu_data.cli.commands import main

    ok = main([
        "sync", "--config", str(config_file(tmp_path, emea, apac, PASSWORD + "-apac")),
        "--db", store_url, "--portal", "apac",
    ])  # fmt: skip
    assert ok == 0
    with open_store(store_url) as store:
        assert set(store.latest_snapshot_ids()) == {"emea", "apac"}


def test_sync_setup_errors_exit_2_with_one_line(tmp_path) -> None:
    """No portal configured, or an unknown --portal: exit 2 and what to do."""
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    done = lu_data("sync", "--config", str(empty), "--db", f"sqlite:///{tmp_path / 's.db'}")
    assert done.returncode == 2
    assert done.stderr.strip().startswith("lu-data sync: error: no portal configured")
    assert "Traceback" not in done.stderr


def emea_config(fp: FakePortal, minutes: float = 15.0) -> PortalConfig:
    """The stand-in portal as a configured portal named emea."""
    return PortalConfig(
        fp.base_url, USER, PASSWORD, requests_per_second=None, cache_minutes=minutes, name="emea"
    )


def test_two_syncers_started_together_fetch_once(two_portals, store_url) -> None:
    """Two syncers (each with its own store connection) on one portal: one fetch."""
    emea, _ = two_portals
    config = emea_config(emea)
    gate = threading.Barrier(2)
    results = []

    def one() -> None:
        with open_store(store_url) as store:
            gate.wait()
            results.append(sync_portal(store, config))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r.status for r in results) == ["ok", "skipped"]
    assert len(emea.fetch_starts()) == 1


def test_two_sync_processes_started_together_fetch_once(two_portals, store_url, tmp_path) -> None:
    """Two `lu-data sync --once` processes on one portal and one store: one fetch, both exit 0.

    Whichever takes the portal's lock (a file lock on SQLite, an advisory lock on PostgreSQL)
    first is held at the stand-in's gate until the other has finished, so the two really
    overlap however slowly each process starts. `--once` forces a fetch, so without the lock
    the second would fetch as well.
    """
    emea, apac = two_portals
    config = config_file(tmp_path, emea, apac, PASSWORD + "-apac")
    emea.gate = threading.Event()
    command = [sys.executable, "-m", "lu_data", "sync", "--once", "--portal", "emea",
               "--config", str(config), "--db", store_url]  # fmt: skip
    procs = [
        subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while all(p.poll() is None for p in procs) and time.monotonic() < deadline:
            if len(emea.fetch_starts()) > 1:  # both fetching: no lock kept them apart
                break
            time.sleep(0.05)
        assert [p.poll() is None for p in procs].count(True) == 1, "one must wait at the gate"
        assert emea.fetch_starts(), "the one still running is the one fetching"
    finally:
        emea.gate.set()
        outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outs]
    said = sorted(out for out, _ in outs)
    assert sum("emea: 30 sessions, snapshot" in out for out in said) == 1, said
    assert sum("emea: skipped: another syncer is fetching it now" in out for out in said) == 1
    assert len(emea.fetch_starts()) == 1 and apac.request_count == 0
    with open_store(store_url) as store:
        assert set(store.latest_snapshot_ids()) == {"emea"}
        assert store.last_run("emea").status == "ok"


def test_refresh_pressed_twenty_times_together_is_one_fetch(two_portals, store_url) -> None:
    """Twenty Refresh presses at once: each returns at once, and the syncer fetches once."""
    emea, _ = two_portals
    syncer = Syncer(open_store=lambda: open_store(store_url), configs=[emea_config(emea)])
    syncer.run_once()  # the first snapshot
    emea.reset_counts()
    gate = threading.Barrier(TABS)
    took: list[float] = []

    def press() -> None:
        gate.wait()
        start = time.monotonic()
        syncer.request()
        took.append(time.monotonic() - start)

    threads = [threading.Thread(target=press) for _ in range(TABS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert max(took) < 0.1  # a press never waits for LearnUpon
    syncer.run_once()
    syncer.run_once()  # nothing more was asked for since: no second fetch
    assert len(emea.fetch_starts()) == 1


def test_sync_every_stops_cleanly_on_sigterm(two_portals, tmp_path) -> None:
    """`--every` syncs, then on SIGTERM finishes and exits 0 with the snapshot in place."""
    emea, apac = two_portals
    db = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "lu_data", "sync", "--every", "60", "--db", db,
         "--config", str(config_file(tmp_path, emea, apac, PASSWORD + "-apac"))],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with open_store(db) as store:
                if set(store.latest_snapshot_ids()) == {"emea", "apac"}:
                    break
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopping (SIGTERM)" in err and "Traceback" not in err
    assert "emea: 30 sessions" in out and "apac: 30 sessions" in out
    assert len(emea.fetch_starts()) == 1  # within its 60-minute period: fetched once


def test_a_stale_portal_is_fetched_again_and_a_fresh_one_is_not(two_portals, store_url) -> None:
    """The period decides: a fresh portal is skipped; one asked for after its run is fetched."""
    emea, _ = two_portals
    config = emea_config(emea)
    with open_store(store_url) as store:
        assert sync_portal(store, config).status == "ok"
        assert sync_portal(store, config).status == "skipped"
        asked = datetime.now(UTC)
        assert sync_portal(store, config, requested_at=asked).status == "ok"
        emea.faults = Faults(revoke_after=0)
        failed = sync_portal(store, config, force=True)
        assert failed.status == "failed" and PASSWORD not in failed.reason
        kept = store.read_snapshot("emea")
        assert kept is not None and len(kept.portal.sessions) == 30  # the last good one stays
    assert len(emea.fetch_starts()) == 3
