"""Sync faults end to end: the store going away and coming back, and one of two portals' keys
rotated. Real PostgreSQL (a server of the test's own, so it can be stopped), stand-in portals
over loopback HTTP, the app in AppTest and the syncer on its own thread.
"""

from __future__ import annotations

import logging
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from lu_data import load_portal
from lu_data.analyses.filters import filter_sessions
from lu_data.core.raw import RawPortal
from lu_data.sources.api_settings import PortalConfig, label_of
from lu_data.sources.demo import generate_demo
from lu_data.sources.fake_portal import FakePortal, Faults
from lu_data.store.sql_tables import FETCHES, PORTAL_SNAPSHOTS, SNAPSHOTS, SYNC_RUNS
from lu_data.store.store import SyncRun, default_url, open_store
from lu_data.sync.syncer import ABANDONED, Syncer, SyncResult
from tests.support import ANCHOR, PORTAL_ENV, pg
from tests.support.apptest import dashboard, metrics
from tests.support.demo import default_filters
from tests.support.security import PASSWORD, USER, assert_no_secret
from tests.support.servers import point_app_at, wait_until
from ui.source_picker import REFRESH_REQUESTED, REFRESH_WHILE_DOWN

STORE_PASSWORD = "store-Pa55-never-shown"  # trust auth ignores it; it must still never show
OTHER_PASSWORD = "emea-Pa55-word-kept"
DEADLINE_S = 30.0
UNREACHABLE = "The data store is unreachable"


# --- helpers ----------------------------------------------------------------------------------


def new_session(refresh: bool = False, secrets: dict | None = None):
    """A new browser session (AppTest) on the Overview, optionally with Refresh now pressed."""
    at = dashboard(refresh=refresh, timeout=DEADLINE_S)
    if secrets:
        at.secrets.update(secrets)
    at.run()
    assert not at.exception, at.exception
    return at


def new_session_on(page: str):
    """A new session opened straight on one page."""
    at = dashboard(page, timeout=DEADLINE_S).run()
    assert not at.exception, at.exception
    return at


def warnings(at) -> list[str]:
    """Every warning and error on the page and in the sidebar."""
    out = [w.value for w in at.warning] + [e.value for e in at.error]
    return out + [w.value for w in at.sidebar.warning] + [e.value for e in at.sidebar.error]


def element_texts(at) -> str:
    """Every element the run drew (protobuf text), sidebar included."""
    return "\n".join(str(getattr(node, "proto", "")) for node in at._tree)


def finished_run(url: str, name: str, after: datetime) -> SyncRun | None:
    """The portal's newest run when it started after `after` and has finished, else None."""
    with open_store(url) as store:
        run = store.last_run(name)
    if run is not None and run.started_at >= after and run.status != "running":
        return run
    return None


def latest_ids(url: str) -> dict[str, int]:
    """Each stored portal's newest complete snapshot id."""
    with open_store(url) as store:
        return store.latest_snapshot_ids()


def table_counts(url: str) -> dict[str, int]:
    """Rows of the history, the snapshots and the sync runs: what must never be lost."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
                for t in (FETCHES, SNAPSHOTS, PORTAL_SNAPSHOTS, SYNC_RUNS)
            }
    finally:
        engine.dispose()


def snapshot_ids_of(url: str, name: str) -> list[int]:
    """Every stored snapshot id of one portal, oldest first."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            query = (
                sa.select(PORTAL_SNAPSHOTS.c.snapshot_id)
                .where(PORTAL_SNAPSHOTS.c.portal == name)
                .order_by(PORTAL_SNAPSHOTS.c.snapshot_id)
            )
            return list(conn.execute(query).scalars())
    finally:
        engine.dispose()


def sessions_in_default_range(*raws: RawPortal) -> str:
    """The Sessions card of the default view (today and 8 weeks) of these portals together."""
    window = default_filters()
    return f"{sum(len(filter_sessions(load_portal(r).sessions, window)) for r in raws):,}"


@pytest.fixture(scope="module")
def stoppable_postgres() -> Iterator[pg.PgServer]:
    """A PostgreSQL server of this module's own (never the shared one): its tests stop it and
    start it again; each has a database of its own on it."""
    bindir = pg.find_pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries not installed (apt-get install -y postgresql)")
    with pg.stoppable_server(bindir) as server:
        yield server


@pytest.fixture
def pg_store(stoppable_postgres: pg.PgServer) -> Iterator[tuple[pg.PgServer, str]]:
    """The module's PostgreSQL server, running, and a new store URL on it carrying a password;
    the server is left running for the next test even if this one failed while it was down."""
    server = stoppable_postgres
    url = sa.make_url(pg.new_database(server.url)).set(password=STORE_PASSWORD)
    try:
        yield server, url.render_as_string(hide_password=False)
    finally:
        if subprocess.run([*server.pg_ctl, "status"], capture_output=True).returncode != 0:
            server.start()


@pytest.fixture(scope="module")
def raw() -> RawPortal:
    """A small demo portal: 40 sessions."""
    return generate_demo(n_sessions=40, anchor=ANCHOR)


# --- PostgreSQL goes away while the app runs, and comes back ----------------------------------


def test_app_serves_what_it_has_while_postgres_is_down_and_syncs_when_it_is_back(
    pg_store, raw, monkeypatch
) -> None:
    """Store down: same data, a warning that it is unreachable, the syncer alive and failing;
    store back: the next sync lands and every earlier row is still there."""
    from ui.store_view import background_syncer

    server, url = pg_store
    monkeypatch.setenv("LU_STORE_URL", url)
    with FakePortal(raw, username="api-user", password=PASSWORD) as fp:
        point_app_at(monkeypatch, fp, fp.username, PASSWORD)
        name = label_of(fp.base_url)
        first = new_session()  # the first viewer waits for the first sync
        good = metrics(first)
        assert good["Sessions"] == sessions_in_default_range(raw)
        assert not warnings(first)
        before = table_counts(url)
        assert before["sync_runs"] == 1 and before["fetches"] == 1 and before["snapshots"] > 0
        [first_snapshot] = snapshot_ids_of(url, name)
        syncer = background_syncer(url)  # the server's own syncer, as the pages started it
        assert syncer.last_error is None

        server.stop()
        down = new_session(refresh=True)  # a new viewer, pressing Refresh now
        assert metrics(down) == good
        notes = [w for w in warnings(down) if w.startswith(UNREACHABLE)]
        assert len(notes) == 1 and "showing the data already loaded" in notes[0], warnings(down)
        assert REFRESH_WHILE_DOWN in warnings(down) and REFRESH_REQUESTED not in warnings(down)
        assert "postgres:***@127.0.0.1" in notes[0]  # names the store, password masked
        on_pace = new_session_on("pages/pace.py")  # reads enrolment history: still no traceback
        assert any(w.startswith(UNREACHABLE) for w in warnings(on_pace))
        failed = wait_until("the syncer noticing the store is down", lambda: syncer.last_error)
        assert "postgres:***@127.0.0.1" in str(failed) and STORE_PASSWORD not in str(failed)
        assert any(t.name == "lu-syncer" and t.is_alive() for t in threading.enumerate())
        for at in (down, on_pace):
            assert STORE_PASSWORD not in element_texts(at) and PASSWORD not in element_texts(at)

        server.start()
        pressed = datetime.now(UTC)
        new_session(refresh=True)
        run = wait_until(
            "a sync after the store came back", lambda: finished_run(url, name, pressed)
        )
        assert run.status == "ok", run
        # the run is stored as finished a moment before the loop's round ends and clears it
        wait_until("the syncer clearing its error", lambda: syncer.last_error is None)
        back = new_session()
        assert metrics(back) == good and not warnings(back)
    after = table_counts(url)
    assert after["sync_runs"] == 2  # the outage wrote nothing, lost nothing
    assert after["fetches"] == before["fetches"] and after["snapshots"] == before["snapshots"]
    kept = snapshot_ids_of(url, name)
    assert len(kept) == 2 and kept[0] == first_snapshot  # the earlier snapshot is still there


class Pauses(threading.Event):
    """The syncer's wake event, noting each pause the loop asks for and keeping it short.

    The loop's pauses (the tick, or the backoff while the store is down) are what is checked;
    waiting them out for real would only make the test slow.
    """

    def __init__(self, longest: float = 0.02) -> None:
        super().__init__()
        self.asked: list[float] = []
        self.longest = longest

    def wait(self, timeout: float | None = None) -> bool:
        self.asked.append(float("inf") if timeout is None else timeout)
        return super().wait(self.longest if timeout is None else min(timeout, self.longest))


def test_syncer_backs_off_while_postgres_is_down_and_catches_up_when_it_is_back(
    pg_store, raw
) -> None:
    """Every round fails with the store named (no password), each pause twice the last up to
    the cap; the loop never ends; back up, one requested sync lands and nothing is lost."""
    server, url = pg_store
    errors: list[str] = []
    results: list[SyncResult] = []
    with FakePortal(raw, username="api-user", password=PASSWORD) as fp:
        config = PortalConfig(
            fp.base_url, "api-user", PASSWORD, requests_per_second=None, name="emea"
        )
        pauses = Pauses()
        syncer = Syncer(
            open_store=lambda: open_store(url),
            configs=[config],
            tick_seconds=0.01,
            on_error=errors.append,
            on_result=results.append,
            wake=pauses,
        )
        loop = syncer.start()
        try:
            wait_until("the first sync", lambda: results)
            assert [r.status for r in results] == ["ok"]
            before = table_counts(url)
            [first_snapshot] = snapshot_ids_of(url, "emea")

            server.stop()
            syncer.request()  # asked for while the store is down: answered once it is back
            wait_until("five failed rounds", lambda: len(errors) >= 5)
            assert loop.is_alive() and syncer.last_error is not None
            for error in errors:
                assert "postgres:***@127.0.0.1" in error, error
                assert STORE_PASSWORD not in error and PASSWORD not in error
            server.start()
            wait_until("the sync after the outage", lambda: len(results) == 2)
            wait_until("a round after it", lambda: pauses.asked[-1] == 0.01)
        finally:
            syncer.stop()
            loop.join(timeout=DEADLINE_S)
        assert not loop.is_alive()  # it ended because it was told to, not by an error
    assert [r.status for r in results] == ["ok", "ok"], results
    assert syncer.last_error is None
    failing = len(errors)
    backoff = [p for p in pauses.asked if p != 0.01]
    assert backoff == [min(300.0, 2.0**n) for n in range(failing)]  # 1, 2, 4, 8, … s
    assert len(fp.fetch_starts()) == 2  # the outage cost no fetch, the request one
    after = table_counts(url)
    assert after["sync_runs"] == before["sync_runs"] + 1
    assert after["fetches"] == before["fetches"] and after["snapshots"] == before["snapshots"]
    kept = snapshot_ids_of(url, "emea")
    assert len(kept) == 2 and kept[0] == first_snapshot


# --- one of two portals has its keys rotated (401) ------------------------------------------


def portals_from_secrets_only(monkeypatch) -> None:
    """Today pinned and no portal in the environment: the portals come from secrets.toml."""
    monkeypatch.setenv("LU_TODAY", ANCHOR.isoformat())
    for var in PORTAL_ENV:
        monkeypatch.delenv(var, raising=False)


def portals_secrets(emea: FakePortal, apac: FakePortal) -> dict:
    """secrets.toml with two [learnupon.portals.NAME] tables, as an admin would write it."""
    return {
        "learnupon": {
            "portals": {
                "emea": {
                    "base_url": emea.base_url,
                    "username": emea.username,
                    "password": OTHER_PASSWORD,
                    "requests_per_second": 0,
                },
                "apac": {
                    "base_url": apac.base_url,
                    "username": USER,
                    "password": PASSWORD,
                    "requests_per_second": 0,
                },
            }
        }
    }


def test_first_view_waits_for_every_portal_not_the_first_to_land(raw, monkeypatch) -> None:
    """apac's first fetch is held at its stand-in while emea's lands: the first viewer keeps
    waiting (one portal's sessions alone would pass for everything), then sees both."""
    portals_from_secrets_only(monkeypatch)
    emea_raw = generate_demo(n_sessions=30, anchor=ANCHOR)
    url = default_url()
    viewers: list = []
    with (
        FakePortal(emea_raw, username="emea-user", password=OTHER_PASSWORD) as emea,
        FakePortal(raw, username=USER, password=PASSWORD) as apac,
    ):
        apac.gate = threading.Event()
        viewer = threading.Thread(
            target=lambda: viewers.append(new_session(secrets=portals_secrets(emea, apac)))
        )
        viewer.start()
        wait_until("emea's snapshot", lambda: "emea" in latest_ids(url))
        viewer.join(timeout=2.0)  # several of the page's polls, with emea's data in the store
        assert viewer.is_alive() and not viewers, "the page showed before apac landed"
        apac.gate.set()
        viewer.join(timeout=DEADLINE_S)
    assert viewers, "the first view never finished"
    assert metrics(viewers[0])["Sessions"] == sessions_in_default_range(emea_raw, raw)
    assert not warnings(viewers[0])


def test_rotated_keys_flag_their_portal_while_the_other_updates(
    raw, monkeypatch, caplog, tmp_path
) -> None:
    """apac answers 401: its run fails with a reason, the page says so with the time of the
    data it keeps showing; emea's new data shows; the password is nowhere."""
    caplog.set_level(logging.DEBUG)  # every logger, urllib3's request lines included
    portals_from_secrets_only(monkeypatch)
    emea_before = generate_demo(n_sessions=30, anchor=ANCHOR)
    emea_after = generate_demo(n_sessions=60, anchor=ANCHOR)
    url = default_url()
    runs: list = []
    with (
        FakePortal(emea_before, username="emea-user", password=OTHER_PASSWORD) as emea,
        FakePortal(raw, username=USER, password=PASSWORD) as apac,
    ):
        secrets = portals_secrets(emea, apac)
        first = new_session(secrets=secrets)
        assert metrics(first)["Sessions"] == sessions_in_default_range(emea_before, raw)
        assert not warnings(first)
        with open_store(url) as store:
            before = store.latest_snapshot_ids()
            apac_kept = store.read_snapshot("apac")
        assert set(before) == {"emea", "apac"} and apac_kept is not None

        apac.faults = Faults(revoke_after=0)  # the keys were rotated: every request is a 401
        emea.serve(emea_after)  # and emea's sessions changed meanwhile
        pressed = datetime.now(UTC)
        pressing = new_session(refresh=True, secrets=secrets)
        for name in ("emea", "apac"):
            runs.append(wait_until(f"{name}'s sync", lambda n=name: finished_run(url, n, pressed)))
        emea_run, apac_run = runs
        assert emea_run.status == "ok"
        assert apac_run.status == "failed" and "API Keys" in (apac_run.error or ""), apac_run
        at = new_session(secrets=secrets)
        updated = sessions_in_default_range(emea_after, raw)
        assert updated != metrics(first)["Sessions"] and metrics(at)["Sessions"] == updated
        notes = [w for w in warnings(at) if "Refresh failed" in w]
        stamp = f"Showing data as of {apac_kept.fetched_at:%d %b %Y %H:%M} UTC."
        assert len(notes) == 1, warnings(at)
        assert notes[0].startswith("Refresh failed for apac: ") and notes[0].endswith(stamp)
        assert "API Keys" in notes[0]
        with open_store(url) as store:
            now = store.latest_snapshot_ids()
            status = store.portal_status()
        assert now["apac"] == before["apac"]  # its last good snapshot is the one served
        assert now["emea"] > before["emea"]
        assert len(apac.fetch_starts()) == 2 and len(emea.fetch_starts()) == 2
        for session in (first, pressing, at):
            assert_no_secret(element_texts(session), "the page")
    stored = " ".join(str(v) for v in status.astype("string").fillna("").to_numpy().ravel())
    assert_no_secret(stored + " ".join(r.error or "" for r in runs), "sync_runs and portals")
    for path in sorted((tmp_path / "lu-data").iterdir()):
        assert_no_secret(path.read_bytes(), path.name)  # the store file, its WAL, the locks
    assert_no_secret(caplog.text, "the logs")
    assert OTHER_PASSWORD not in caplog.text


def test_postgres_going_away_during_a_sync_loses_nothing(pg_store, raw) -> None:
    """The store stops while a fetch is under way: the round fails with one line naming the
    store, the loop lives on; back up, the interrupted run is closed as abandoned and the next
    one writes the snapshot and its history."""
    server, url = pg_store
    errors: list[str] = []
    results: list[SyncResult] = []
    with FakePortal(raw, username="api-user", password=PASSWORD) as fp:
        config = PortalConfig(
            fp.base_url, "api-user", PASSWORD, requests_per_second=None, name="emea"
        )
        syncer = Syncer(
            open_store=lambda: open_store(url),
            configs=[config],
            tick_seconds=0.01,
            on_error=errors.append,
            on_result=results.append,
            wake=Pauses(),
        )
        fp.gate = threading.Event()  # the fetch waits at the stand-in until the store is down
        loop = syncer.start()
        try:
            wait_until("the fetch to start", fp.fetch_starts)
            server.stop()
            fp.gate.set()
            wait_until("the loop noticing", lambda: errors)
            assert loop.is_alive() and not results
            server.start()
            wait_until("the sync after the outage", lambda: results)
        finally:
            syncer.stop()
            loop.join(timeout=DEADLINE_S)
    assert errors[0].startswith("StoreError: store postgresql+psycopg://postgres:***@127.0.0.1:")
    assert all("\n" not in e and STORE_PASSWORD not in e for e in errors), errors
    assert [r.status for r in results] == ["ok"] and len(fp.fetch_starts()) == 2
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            query = sa.select(SYNC_RUNS.c.status, SYNC_RUNS.c.error).order_by(SYNC_RUNS.c.run_id)
            runs = [tuple(row) for row in conn.execute(query)]
    finally:
        engine.dispose()
    assert runs == [("failed", ABANDONED), ("ok", None)]
    counts = table_counts(url)
    assert counts["portal_snapshots"] == 1 and counts["fetches"] == 1 and counts["snapshots"] > 0
