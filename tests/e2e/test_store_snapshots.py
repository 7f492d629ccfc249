"""Portal snapshots in the store: round trips, retention, failed writes, locks, status.

Every test runs on SQLite and on a real PostgreSQL (the store_url fixture) unless it says why
not.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
from dataclasses import fields, replace
from datetime import timedelta
from functools import lru_cache

import pandas as pd
import pytest
import sqlalchemy as sa

from lu_data import load_portal, load_source
from lu_data.model.portal import Portal
from lu_data.model.portals import renamed
from lu_data.model.quality import QualityReport
from lu_data.model.schema import PORTAL_STATUS_DTYPES, SESSION_DTYPES
from lu_data.sources.demo import generate_demo
from lu_data.store import engine as engine_module
from lu_data.store import snapshots as snap
from lu_data.store.sql_tables import METADATA
from lu_data.store.store import StoreError, latest_revision, open_store
from tests.support import ANCHOR, DATA, ROOT, pg

# The PostgreSQL fixtures, made visible to pytest in this module.
postgres_server = pg.postgres_server
store_url = pg.store_url

SAMPLE = DATA / "sample_ilt_center.json"
WITH_FINDINGS = DATA / "bad" / "numbers_huge.json"  # rejected rows and warnings both
V2_STORE = DATA / "store_v2.sqlite3"
V2_HISTORY = DATA / "store_v2_history.csv"
CHILD_TIMEOUT_S = 60


@lru_cache(maxsize=1)
def demo_portal() -> Portal:
    """A small demo portal (fetched at the demo's anchor), built once."""
    return load_portal(generate_demo(n_sessions=150, anchor=ANCHOR), is_demo=True)


def fetched(portal: Portal, hours: int) -> Portal:
    """The portal as if fetched `hours` after its own fetch time."""
    return replace(portal, fetched_at=portal.fetched_at + timedelta(hours=hours))


def dtype_names(frame: pd.DataFrame) -> dict[str, str]:
    """Column -> dtype text, categories and time zone included."""
    return {c: repr(t) for c, t in frame.dtypes.items()}


def assert_same_portal(got: Portal, want: Portal) -> None:
    """Frames equal with identical dtypes, and the quality report equal field by field."""
    for frame in ("sessions", "trainings", "tutors"):
        assert dtype_names(getattr(got, frame)) == dtype_names(getattr(want, frame)), frame
        pd.testing.assert_frame_equal(getattr(got, frame), getattr(want, frame))
    assert_same_report(got.quality, want.quality)
    assert (got.origin, got.complete, got.is_demo) == (want.origin, want.complete, want.is_demo)
    assert got.fetched_at == want.fetched_at


def assert_same_report(got: QualityReport, want: QualityReport) -> None:
    """Every field of two reports equal (frames with their dtypes)."""
    for f in fields(QualityReport):
        a, b = getattr(got, f.name), getattr(want, f.name)
        if isinstance(b, pd.DataFrame):
            assert dtype_names(a) == dtype_names(b), f.name
            pd.testing.assert_frame_equal(a, b)
        else:
            assert a == b, f.name


def history_rows(store) -> int:
    """How many enrolment-history rows the store holds."""
    return len(store.history())


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["demo", "findings"])
def test_snapshot_round_trip_keeps_values_dtypes_and_quality(store_url, source):
    """read_snapshot gives back every frame with its declared dtypes, and the same report."""
    portal = demo_portal() if source == "demo" else load_source(WITH_FINDINGS)
    if source == "findings":
        assert len(portal.quality.rejected) and len(portal.quality.warnings)
    with open_store(store_url) as store:
        snapshot_id = store.write_snapshot("emea", portal)
        got = store.read_snapshot("emea")
    assert got is not None and got.snapshot_id == snapshot_id and got.name == "emea"
    assert got.fetched_at == portal.fetched_at and got.fetched_at.tzinfo is not None
    assert got.written_at.tzinfo is not None
    assert dtype_names(got.portal.sessions) == {c: repr(t) for c, t in SESSION_DTYPES.items()}
    # the store names the portal: every frame's portal column reads "emea"
    assert got.portal.name == "emea" and set(got.portal.sessions["portal"]) == {"emea"}
    assert_same_portal(got.portal, renamed(portal, "emea"))


def test_empty_store_has_no_snapshots(store_url):
    """A new store answers None, {} and an empty status frame with the declared columns."""
    with open_store(store_url) as store:
        assert store.read_snapshot("emea") is None
        assert store.read_snapshots() == {}
        assert store.latest_snapshot_ids() == {}
        assert store.last_run("emea") is None
        status = store.portal_status()
    assert status.empty and dtype_names(status) == {
        c: repr(t) for c, t in PORTAL_STATUS_DTYPES.items()
    }


def test_latest_snapshot_ids_and_read_snapshots_name_each_portals_newest(store_url):
    """Two portals, three writes: the ids and the snapshots read are each portal's newest."""
    portal = demo_portal()
    with open_store(store_url) as store:
        first = store.write_snapshot("emea", portal)
        apac = store.write_snapshot("apac", load_source(SAMPLE))
        newest = store.write_snapshot("emea", fetched(portal, 2))
        assert store.latest_snapshot_ids() == {"emea": newest, "apac": apac}
        assert first < newest
        both = store.read_snapshots()
        only = store.read_snapshots(["apac", "nowhere"])
    assert sorted(both) == ["apac", "emea"]
    assert both["emea"].snapshot_id == newest
    assert both["emea"].fetched_at == portal.fetched_at + timedelta(hours=2)
    assert list(only) == ["apac"] and len(only["apac"].portal.sessions) == 3


def test_partial_fetch_is_kept_but_not_served(store_url):
    """A snapshot of an incomplete fetch is stored, yet readers keep the last complete one."""
    portal = demo_portal()
    with open_store(store_url) as store:
        complete = store.write_snapshot("emea", portal)
        store.write_snapshot("emea", replace(fetched(portal, 2), complete=False))
        assert store.latest_snapshot_ids() == {"emea": complete}
        assert store.read_snapshot("emea").snapshot_id == complete


# --- retention ------------------------------------------------------------------------------


def test_retention_keeps_the_last_n_complete_snapshots_and_all_history(store_url, monkeypatch):
    """With LU_KEEP_SNAPSHOTS=2, five writes leave the newest two; every fetch's history stays."""
    monkeypatch.setenv("LU_KEEP_SNAPSHOTS", "2")
    portal = demo_portal()
    with open_store(store_url) as store:
        ids = [store.write_snapshot("emea", fetched(portal, 2 * i)) for i in range(5)]
        other = store.write_snapshot("apac", portal)  # another portal's count is its own
        with store.engine.connect() as conn:
            kept = conn.execute(
                sa.text("SELECT portal, snapshot_id FROM portal_snapshots ORDER BY snapshot_id")
            ).fetchall()
        fetches = store.history().groupby("recorded_at").size()
    assert [tuple(r) for r in kept] == [("emea", ids[3]), ("emea", ids[4]), ("apac", other)]
    # Five fetch times two hours apart are five history fetches (apac's repeats emea's first).
    assert len(fetches) == 5
    assert (fetches > 0).all()


def test_retention_default_is_three(store_url, monkeypatch):
    """Without LU_KEEP_SNAPSHOTS a portal keeps three snapshots."""
    monkeypatch.delenv("LU_KEEP_SNAPSHOTS", raising=False)
    portal = demo_portal()
    with open_store(store_url) as store:
        ids = [store.write_snapshot("emea", fetched(portal, 2 * i)) for i in range(4)]
        with store.engine.connect() as conn:
            left = conn.execute(sa.text("SELECT snapshot_id FROM portal_snapshots")).scalars()
            assert sorted(left) == ids[1:]


# --- failed and killed writes ---------------------------------------------------------------


def test_write_failing_mid_transaction_leaves_the_previous_snapshot(store_url, monkeypatch):
    """An error after the snapshot and history inserts rolls both back; the next write works."""
    portal = demo_portal()
    with open_store(store_url) as store:
        before = store.write_snapshot("emea", portal)
        rows = history_rows(store)

        def boom(*_args, **_kwargs):
            raise RuntimeError("disk pulled out mid-write")

        monkeypatch.setattr(snap, "apply_retention", boom)
        with pytest.raises(RuntimeError, match="mid-write"):
            store.write_snapshot("emea", fetched(portal, 2))
        assert store.latest_snapshot_ids() == {"emea": before}
        assert store.read_snapshot("emea").fetched_at == portal.fetched_at
        assert history_rows(store) == rows  # the history rows of the failed fetch went too
        monkeypatch.undo()
        after = store.write_snapshot("emea", fetched(portal, 2))
        assert store.latest_snapshot_ids() == {"emea": after}
        assert history_rows(store) > rows


def test_writer_killed_mid_write_leaves_the_previous_snapshot(store_url, tmp_path):
    """SIGKILL of a writer inside its transaction: readers see the old snapshot; writes go on."""
    portal = demo_portal()
    with open_store(store_url) as store:
        before = store.write_snapshot("emea", portal)
    child = _python(
        f"""
        import sys, time
        from dataclasses import replace
        from datetime import timedelta
        from lu_data import load_portal
        from lu_data.sources.demo import generate_demo
        from lu_data.store import snapshots as snap
        from lu_data.store.store import open_store
        from tests.support import ANCHOR

        def stall(*args, **kwargs):  # inside the write transaction, after the inserts
            print("inside", flush=True)
            time.sleep(120)

        snap.apply_retention = stall
        portal = load_portal(generate_demo(n_sessions=150, anchor=ANCHOR), is_demo=True)
        with open_store({store_url!r}) as store:
            later = replace(portal, fetched_at=portal.fetched_at + timedelta(hours=2))
            store.write_snapshot("emea", later)
        """
    )
    try:
        assert child.stdout.readline().strip() == "inside"
        child.send_signal(signal.SIGKILL)
        child.wait(CHILD_TIMEOUT_S)
    finally:
        child.kill()
    with open_store(store_url) as store:
        assert store.latest_snapshot_ids() == {"emea": before}
        assert store.read_snapshot("emea").fetched_at == portal.fetched_at
        after = store.write_snapshot("emea", fetched(portal, 4))
        assert store.latest_snapshot_ids() == {"emea": after}


# --- read-only, full and unreachable stores ---------------------------------------------------


def test_read_only_store_gives_one_clear_error_and_keeps_its_snapshot(store_url):
    """Writing to a read-only store raises StoreError "store … is read-only"; reads still work."""
    portal = demo_portal()
    with open_store(store_url) as store:
        before = store.write_snapshot("emea", portal)
    if store_url.startswith("sqlite"):
        # chmod does not stop root; SQLite's own read-only open does, for anyone.
        path = sa.make_url(store_url).database
        read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    else:
        database = sa.make_url(store_url).database
        admin = sa.create_engine(store_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(
                sa.text(f'ALTER DATABASE "{database}" SET default_transaction_read_only = on')
            )
        admin.dispose()
        read_only = store_url
    with open_store(read_only) as store:
        with pytest.raises(StoreError) as caught:
            store.write_snapshot("emea", fetched(portal, 2))
        assert store.latest_snapshot_ids() == {"emea": before}
        assert store.read_snapshot("emea").snapshot_id == before
    message = str(caught.value)
    assert message.startswith(f"store {store.url} is read-only: ")
    assert "\n" not in message


def test_full_sqlite_store_gives_one_clear_error_and_keeps_its_snapshot(tmp_path):
    """SQLite only (a page limit stands in for a full disk): "is full", old snapshot intact."""
    url = f"sqlite:///{tmp_path / 'full.sqlite3'}"
    portal = demo_portal()
    with open_store(url) as store:
        before = store.write_snapshot("emea", portal)

        @sa.event.listens_for(store.engine, "connect")
        def _no_more_pages(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            pages = cur.execute("PRAGMA page_count").fetchone()[0]
            cur.execute(f"PRAGMA max_page_count = {pages}")
            cur.close()

        store.engine.dispose()  # new connections get the limit
        with pytest.raises(StoreError, match=r"^store sqlite:///.*full\.sqlite3 is full: "):
            store.write_snapshot("emea", fetched(portal, 2))
        assert store.read_snapshot("emea").snapshot_id == before


def test_unreachable_store_error_names_it_without_the_password():
    """A PostgreSQL store that cannot be reached: StoreError with the URL, password masked."""
    url = "postgresql+psycopg://user:topsecret@127.0.0.1:1/none?connect_timeout=2"
    with pytest.raises(StoreError) as caught:
        open_store(url)
    assert "topsecret" not in str(caught.value)
    assert str(caught.value).startswith("store postgresql+psycopg://user:***@127.0.0.1:1/none")


def test_store_host_that_never_answers_fails_within_the_connect_timeout(monkeypatch):
    """A PostgreSQL host that accepts the connection and never answers (a hung server, a cut
    network): StoreError after the connect timeout, not a wait with no end."""
    monkeypatch.setattr(engine_module, "PG_CONNECT_TIMEOUT_S", 2)  # libpq's shortest
    outcome: list[BaseException | None] = []

    def try_open(url: str) -> None:
        try:
            open_store(url).close()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    with socket.socket() as silent:  # the kernel completes the handshake; nothing answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"postgresql+psycopg://user:topsecret@127.0.0.1:{silent.getsockname()[1]}/none"
        opener = threading.Thread(target=try_open, args=(url,), daemon=True)
        opener.start()
        opener.join(timeout=60)
    assert not opener.is_alive(), "open_store still waiting on a host that never answers"
    [caught] = outcome
    assert isinstance(caught, StoreError), caught
    assert str(caught).startswith("store postgresql+psycopg://user:***@127.0.0.1:")
    assert "timeout" in str(caught) and "topsecret" not in str(caught)


# --- sync runs, status and locks --------------------------------------------------------------


def test_runs_and_status_frame(store_url):
    """portal_status: one row per portal with its last run and newest snapshot; no password."""
    portal = demo_portal()
    with open_store(store_url) as store:
        run = store.start_run("emea", "https://api:s3cret@emea.example.com/api/v1/?token=x")
        assert store.last_run("emea").status == "running"
        snapshot_id = store.write_snapshot("emea", portal, run_id=run)
        store.finish_run(run, status="ok", sessions=len(portal.sessions))
        failed = store.start_run("apac", "https://apac.example.com/api/v1/")
        store.finish_run(
            failed, status="failed", error="GET https://api:s3cret@apac.example.com/x: HTTP 401"
        )
        with pytest.raises(ValueError, match="status must be one of"):
            store.finish_run(failed, status="maybe")
        last = store.last_run("emea")
        status = store.portal_status()
    assert last.run_id == run and last.status == "ok" and last.sessions == len(portal.sessions)
    assert last.started_at <= last.finished_at and last.error is None
    assert last.holder == f"{socket.gethostname()}:{os.getpid()}"  # the process that ran it
    assert dtype_names(status) == {c: repr(t) for c, t in PORTAL_STATUS_DTYPES.items()}
    rows = status.set_index("name")
    assert sorted(rows.index) == ["apac", "emea"]
    assert rows.loc["emea", "base_url"] == "https://emea.example.com/api/v1/"
    assert rows.loc["emea", "last_run_status"] == "ok"
    assert rows.loc["emea", "last_run_holder"] == last.holder
    assert rows.loc["emea", "snapshot_id"] == snapshot_id
    assert rows.loc["emea", "snapshot_fetched_at"] == pd.Timestamp(portal.fetched_at)
    assert pd.isna(rows.loc["emea", "last_error"])
    assert rows.loc["apac", "last_run_status"] == "failed"
    assert rows.loc["apac", "last_error"] == "GET https://apac.example.com/x: HTTP 401"
    assert pd.isna(rows.loc["apac", "snapshot_id"]) and pd.isna(
        rows.loc["apac", "snapshot_fetched_at"]
    )
    assert "s3cret" not in status.to_csv()


def test_sync_lock_lets_one_holder_in(store_url):
    """Two stores on one database: the second gets False while the first holds the portal."""
    with open_store(store_url) as a, open_store(store_url) as b:
        with a.sync_lock("emea") as held:
            assert held is True
            with b.sync_lock("emea") as second, b.sync_lock("apac") as other:
                assert second is False
                assert other is True  # locks are per portal
        with b.sync_lock("emea") as after:
            assert after is True  # released when the block ended


def test_sync_lock_across_processes_is_released_when_the_holder_dies(store_url):
    """A holder in another process keeps us out; once it is SIGKILLed, the lock is free."""
    child = _python(
        f"""
        import time
        from lu_data.store.store import open_store

        with open_store({store_url!r}) as store, store.sync_lock("emea") as held:
            print(held, flush=True)
            time.sleep(120)
        """
    )
    try:
        assert child.stdout.readline().strip() == "True"
        with open_store(store_url) as store:
            with store.sync_lock("emea") as held:
                assert held is False
            child.send_signal(signal.SIGKILL)
            child.wait(CHILD_TIMEOUT_S)
            with store.sync_lock("emea") as held:
                assert held is True
    finally:
        child.kill()


def test_memory_store_locks_with_a_threading_lock():
    """sqlite:// (memory) has no file to lock: one process, one holder at a time."""
    with (
        open_store("sqlite://") as store,
        store.sync_lock("emea") as first,
        store.sync_lock("emea") as second,
    ):
        assert (first, second) == (True, False)


# --- upgrade of a store written by the release before -----------------------------------------


def test_store_written_by_the_v2_release_opens_with_its_history(tmp_path):
    """The committed v2 file upgrades to the newest revision: every history row is still there."""
    path = tmp_path / "store.sqlite3"
    shutil.copy(V2_STORE, path)
    url = f"sqlite:///{path}"
    want = pd.read_csv(V2_HISTORY, dtype=str)
    with open_store(url) as store:
        assert store.revision() == latest_revision()
        tables = set(sa.inspect(store.engine).get_table_names())
        got = store.history()
        origins = store.origins()
        snapshot_id = store.write_snapshot("emea", load_source(SAMPLE))
        assert store.latest_snapshot_ids() == {"emea": snapshot_id}
    assert {"portals", "sync_runs", "portal_snapshots", "fetches", "snapshots"} <= tables
    assert len(got) == len(want) == 32
    as_text = got.astype(str).sort_values(["session_key", "recorded_at"]).reset_index(drop=True)
    want = want.sort_values(["session_key", "recorded_at"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(as_text, want, check_dtype=False)
    assert origins == ["demo portal", "https://acme.learnupon.com/api/v1/"]


def test_migrations_create_the_tables_the_code_uses(store_url):
    """The Alembic revisions and lu_data.store.sql_tables agree on every table and column."""
    with open_store(store_url) as store:
        inspector = sa.inspect(store.engine)
        for table in METADATA.sorted_tables:
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            assert columns == set(table.columns.keys()), table.name
            indexes = {i["name"] for i in inspector.get_indexes(table.name)}
            assert {i.name for i in table.indexes} <= indexes, table.name


def _python(code: str) -> subprocess.Popen[str]:
    """Start `python -c code` from the project root, its stdout a pipe we read lines from."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
