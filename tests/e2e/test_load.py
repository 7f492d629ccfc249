"""Load: three dashboard replicas on one PostgreSQL share one fetch per period; a soak.

Three `streamlit run` replicas share one throwaway PostgreSQL store and read one stand-in
portal (real HTTP on 127.0.0.1, all-modules mode: a fetch is two requests; requests and
fetch starts are recorded there). 6 browser sessions, one on each replica at a time, see one
fetch per period and the same "data as of"; a page opened while a slow sync is under way is
drawn from the previous snapshot while that sync is still running, and the tabs left open on
every replica then show the new one; SIGKILLing the replica that holds the portal's lock
mid-fetch leaves the next sync to another replica, and those open tabs of the others show its
snapshot. The soak then refreshes under faults on one survivor and checks its memory stays
flat: LU_SOAK_SECONDS lengthens it (default 3 s, and never fewer than nine refreshes, so the
last three never include the three after warm-up), LU_SOAK_LONG=1 adds a 10-minute run.

Every new snapshot makes each replica with an open tab read it and rerun that tab, so the test
keeps few tabs open, a sync period of 20 s and small portals: what it proves does not depend on
how often or how much is fetched.

Timing goals (a load during a sync within 1.5x one without) are the benchmarks' business
(page_rerun_during_sync_vs_idle): the test asserts the behaviour behind them and prints the
load time during the sync.
"""

from __future__ import annotations

import os
import signal
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from lu_data.sources.api_client import PortalConfig, fetch_portal
from lu_data.sources.api_settings import label_of
from lu_data.sources.demo import generate_demo
from lu_data.sources.fake_portal import FakePortal, Faults
from lu_data.store.store import SyncRun, open_store
from lu_data.sync.syncer import ABANDONED
from tests.support import ANCHOR, pg
from tests.support.browser import IDLE
from tests.support.replicas import (
    PASSWORD,
    TIMEOUT,
    Cluster,
    Replica,
    Shown,
    check_log_since,
    copy_lines,
    expected,
    fetches,
    gaps,
    log_size,
    open_page,
    read_page,
    run_row,
    shows,
    stop,
    sync_runs,
)
from tests.support.servers import start_streamlit
from tests.support.servers import wait_until as wait_at_most

postgres_server = pg.postgres_server

REPLICAS = 3
VIEWERS = 6  # browser sessions, spread over the replicas
BATCH = REPLICAS  # sessions open at once, one on each replica
CACHE_MINUTES = 0.34  # a 20.4-second sync period: several periods fit in the test
PERIOD = CACHE_MINUTES * 60
CLOCK_SLACK = 0.01  # seconds: run start times round-trip through the database
SLOW_DELAY = 3.5  # seconds the stand-in stalls each request of a slow fetch (two: 7 s)
SIZES = {"first": 24, "second": 28, "third": 32}  # sessions the portal holds, phase by phase
USER = "load-user"
WAIT = 3 * PERIOD + 15  # s: the longest wait for a fetch, a sync or a page to catch up
wait_until = partial(wait_at_most, timeout=WAIT)
SOAK_SECONDS = float(os.environ.get("LU_SOAK_SECONDS", "3"))
LONG_SOAK_SECONDS = 600.0
SOAK_WARMUP = 3  # refreshes before the memory baseline is taken
SOAK_WINDOW = 3  # refreshes whose median is the baseline, and as many at the end
# The end window never overlaps the baseline's, so growth between them can always be seen.
SOAK_MIN_REFRESHES = SOAK_WARMUP + 2 * SOAK_WINDOW
SOAK_MAX_GROWTH_MB = 60.0
SOAK_FAULTS = Faults(
    rate_limit_every=7, retry_after=0, fail_requests=frozenset(range(5, 1_000_000, 13))
)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, postgres_server: str) -> Iterator[Cluster]:
    """Three replicas on one fresh PostgreSQL database and one stand-in portal."""
    folder = tmp_path_factory.mktemp("replicas")
    raw = generate_demo(anchor=ANCHOR, n_sessions=SIZES["first"])
    with (
        pg.fresh_database(postgres_server) as url,
        FakePortal(raw, username=USER, password=PASSWORD) as fp,
        open_store(url) as store,  # created and migrated once, before the replicas open it
    ):
        fetch_portal(
            PortalConfig(fp.base_url, USER, PASSWORD, requests_per_second=None, all_modules=True)
        )
        clean_fetch = list(fp.request_log)
        fp.reset_counts()
        env = {
            "LU_STORE_URL": url,
            "LEARNUPON_BASE_URL": fp.base_url,
            "LEARNUPON_USERNAME": USER,
            "LEARNUPON_PASSWORD": PASSWORD,
            "LEARNUPON_REQUESTS_PER_SECOND": "0",
            "LEARNUPON_CACHE_MINUTES": str(CACHE_MINUTES),
            "LEARNUPON_ALL_MODULES": "true",
            "PYTHONUNBUFFERED": "1",  # log lines reach the file as they happen
        }
        replicas: list[Replica] = []
        try:
            with ThreadPoolExecutor(REPLICAS) as pool:  # the three start side by side
                started = list(pool.map(lambda _: start_streamlit(env), range(REPLICAS)))
            for i, (proc, address) in enumerate(started):
                log = folder / f"replica-{i}.log"
                # drain each server's output as it comes (a full pipe would block the server)
                drain = threading.Thread(target=copy_lines, args=(proc, log), daemon=True)
                drain.start()
                replicas.append(Replica(proc, address, log, drain))
            yield Cluster(replicas, fp, clean_fetch, store, label_of(fp.base_url))
        finally:
            for replica in replicas:
                stop(replica)


@pytest.fixture(scope="module")
def context(browser: Browser) -> Iterator[BrowserContext]:
    """One browser context for every tab of the module: its cache spares each tab fetching and
    compiling Streamlit's scripts again (each tab is still a session of its own on its replica)."""
    shared = browser.new_context(viewport={"width": 1000, "height": 700})
    shared.set_default_navigation_timeout(TIMEOUT)  # a new tab's server may be busy fetching
    try:
        yield shared
    finally:
        shared.close()


# --- the replicas test ------------------------------------------------------------------------


@pytest.mark.browser
def test_three_replicas_share_one_fetch_per_period_and_survive_losing_the_lock_holder(
    context: BrowserContext, cluster: Cluster
) -> None:
    """6 sessions over 3 replicas: one fetch per period, one "data as of"; a viewer never
    waits for a sync; killing the replica fetching mid-fetch leaves the next sync to another."""
    began = time.monotonic()
    watchers: list[Page] = []
    try:
        known, watchers = viewers_share_one_fetch_per_period(context, cluster)
        viewed = time.monotonic()
        page_never_waits_for_a_sync(context, cluster, known, watchers)
        waited = time.monotonic()
        killing_the_fetching_replica_leaves_the_sync_to_another(cluster, known, watchers)
    finally:
        cluster.portal.faults = Faults()
        for page in watchers:
            page.close()
    done = time.monotonic()
    print(
        f"replicas test {done - began:.1f} s: sessions {viewed - began:.1f} s, slow sync "
        f"{waited - viewed:.1f} s, kill {done - waited:.1f} s"
    )
    for replica in cluster.replicas:
        check_log_since(replica)


def viewers_share_one_fetch_per_period(
    context: BrowserContext, cluster: Cluster
) -> tuple[dict[int, Shown], list[Page]]:
    """6 sessions, one on each replica at a time: all show the snapshot of the moment; the
    stand-in sees one complete fetch per period. Returns what each snapshot shows and the last
    batch's tabs, left open (one on each replica, in replica order) to follow what comes."""
    store = cluster.store
    known: dict[int, Shown] = {}
    shown: list[Shown] = []
    pages: list[Page] = []
    began = time.monotonic()
    for batch in range(VIEWERS // BATCH):
        for page in pages:  # closed once read: a new snapshot reruns every open tab
            page.close()
        before = cluster.latest_id()
        pages = [
            open_page(context, cluster.replicas[(batch * BATCH + i) % REPLICAS])
            for i in range(BATCH)
        ]
        seen = [read_page(page) for page in pages]
        after = cluster.latest_id()
        known |= expected(store, cluster.name)
        assert after is not None
        # What was newest while the batch loaded: a page shows one of those, and all the same
        # when no snapshot landed meanwhile (a new one lands at most once a period).
        current = [known[i] for i in known if (before is None or i >= before) and i <= after]
        assert current, (before, after, known)
        # A page whose store read failed under load shows its server's last view and says so.
        fresh = [s for s in seen if not s.kept]
        assert fresh, seen
        assert all(s in current for s in fresh), (seen, current)
        if len(current) == 1:
            assert set(fresh) == set(current), seen
        shown += seen
    loading = time.monotonic() - began
    assert len(shown) == VIEWERS
    assert {s.sessions for s in shown} == {SIZES["first"]}
    fetched = one_fetch_per_period(cluster)
    print(
        f"\n{VIEWERS} sessions over {REPLICAS} replicas in {loading:.1f} s "
        f"({len({s.as_of for s in shown})} distinct 'data as of'); {fetched}"
    )
    return known, pages


def one_fetch_per_period(cluster: Cluster) -> str:
    """One fetch per period since the first, each complete, never two within a period; says
    how many fetches came how far apart."""
    # The stand-in's fetches come one after another, whole, one per sync run, and the runs (the
    # periods are counted from their starts) start at least a period apart. The stand-in's own
    # gaps may be shorter: on busy cores a run's first request can lag its start.
    runs, starts, done = sync_runs(cluster), cluster.portal.fetch_starts(), fetches(cluster)
    window = time.monotonic() - starts[0]
    if done and len(done[-1]) < len(cluster.clean_fetch):
        done = done[:-1]  # a fetch under way right now
    assert all(f == cluster.clean_fetch for f in done), done
    in_flight = int(runs[-1].status == "running")  # its first request may not be there yet
    assert len(runs) - in_flight <= len(starts) <= len(runs), (runs, starts)
    run_gaps = gaps([r.started_at.timestamp() for r in runs])
    assert all(gap >= PERIOD - CLOCK_SLACK for gap in run_gaps), run_gaps
    assert all(r.status in ("ok", "running") for r in runs), runs
    assert 1 <= len(starts) <= 1 + int(window // PERIOD), (len(starts), window)
    return (
        f"{len(starts)} fetches ({len(cluster.clean_fetch)} requests each) in {window:.1f} s, "
        f"period {PERIOD:.1f} s; runs {', '.join(f'{g:.1f}' for g in run_gaps)} s apart, "
        f"fetches at the stand-in {', '.join(f'{g:.1f}' for g in gaps(starts))} s"
    )


def page_never_waits_for_a_sync(
    context: BrowserContext, cluster: Cluster, known: dict[int, Shown], watchers: list[Page]
) -> None:
    """After the period, a page opened on the replica running a slow sync is drawn from the
    previous snapshot while the stand-in still serves that fetch; once the sync is over, that
    page and the open ones show the new snapshot. Prints the page's load time (the benchmarks
    compare it with one without a sync: page_rerun_during_sync_vs_idle)."""
    fp, store = cluster.portal, cluster.store
    fp.faults = Faults(delay=SLOW_DELAY)
    fp.serve(generate_demo(anchor=ANCHOR, n_sessions=SIZES["second"]))
    slow = next_fetch(cluster, since=len(fp.fetch_starts()))
    latest = cluster.latest_id()
    assert latest is not None
    prior = expected(store, cluster.name)[latest]
    holder = cluster.replica_of(slow)
    t0 = time.monotonic()
    page = open_page(context, holder)
    try:
        during = read_page(page)
        loaded = time.monotonic() - t0
        run_now = cluster.last_run()
    finally:
        page.close()  # the holder's open tab (a watcher) shows what comes next
    # The sync that began before the page was opened is still running once the page is drawn:
    # the page did not wait for it (on a loaded machine the load itself may outlast the
    # stand-in's stalls, so the run's state, not the stand-in's, is the proof).
    assert run_now.run_id == slow.run_id and run_now.status == "running", run_now
    assert during == prior, (during, prior)  # drawn from the snapshot before it

    def slow_sync_done() -> SyncRun | None:
        run = cluster.last_run()
        return run if run.run_id == slow.run_id and run.status == "ok" else None

    wait_until("the slow sync to finish", slow_sync_done)
    fp.faults = Faults()  # the next sync is a quick one, whenever it comes
    fetched = one_fetch_per_period(cluster)  # every period so far, the slow one's included
    known |= expected(store, cluster.name)
    assert known[max(known)].sessions == SIZES["second"]
    # The pages open on every replica, the holder's included, follow it on their own (or a
    # later quick sync's snapshot, which has the same sessions).
    for tab in watchers:
        wait_until(
            "an open page to show the new sessions",
            lambda p=tab: shows_snapshot_of(p, cluster, SIZES["second"]),
        )
    print(
        f"page load on the replica fetching (the stand-in stalls {SLOW_DELAY} s a request): "
        f"{loaded:.2f} s during the sync; {fetched}"
    )


def shows_snapshot_of(page: Page, cluster: Cluster, sessions: int) -> bool:
    """Whether an open page (rerun by its snapshot watcher) now shows a stored snapshot with
    `sessions` sessions: its "data as of" and its Sessions card."""
    try:
        if page.locator(IDLE).count() != 1:
            return False
        seen = read_page(page)
    except Exception:  # noqa: BLE001 - mid-rerun: elements come and go; ask again
        return False
    return seen.sessions == sessions and seen in expected(cluster.store, cluster.name).values()


def next_fetch(cluster: Cluster, since: int) -> SyncRun:
    """The sync run of the first fetch to start after the stand-in had seen `since` fetches,
    once it has started and while it still runs (a later one if that one was over before it
    could be looked at)."""
    deadline = time.monotonic() + WAIT
    while True:
        wait_until(
            "the next fetch to start",
            lambda n=since: len(cluster.portal.fetch_starts()) > n,
            timeout=max(1.0, deadline - time.monotonic()),
        )
        run = cluster.last_run()
        if run.status == "running":
            return run
        since = len(cluster.portal.fetch_starts())


def killing_the_fetching_replica_leaves_the_sync_to_another(
    cluster: Cluster, known: dict[int, Shown], watchers: list[Page]
) -> None:
    """SIGKILL the replica holding the lock mid-fetch: another completes the next sync, the
    dead one's run is marked abandoned, and the survivors' open pages (`watchers`, one on each
    replica) show the new snapshot."""
    fp, store = cluster.portal, cluster.store
    fp.faults = Faults(delay=SLOW_DELAY)
    fp.serve(generate_demo(anchor=ANCHOR, n_sessions=SIZES["third"]))
    n_before = len(fp.fetch_starts())
    doomed = next_fetch(cluster, since=n_before)
    n_killed = len(fp.fetch_starts()) - 1
    victim = cluster.replica_of(doomed)
    victim.proc.send_signal(signal.SIGKILL)
    victim.proc.wait(timeout=20)
    fp.faults = Faults()  # the survivor's fetch runs at full speed

    def next_sync() -> SyncRun | None:
        run = cluster.last_run()
        return run if run.run_id > doomed.run_id and run.status != "running" else None

    finished = wait_until("another replica to complete the next sync", next_sync)
    assert isinstance(finished, SyncRun)
    assert finished.status == "ok", finished
    assert cluster.replica_of(finished) in cluster.alive()
    abandoned = run_row(store, doomed.run_id)
    assert (abandoned.status, abandoned.error) == ("failed", ABANDONED)
    assert abandoned.finished_at is not None
    cut = fetches(cluster)[n_killed:]
    assert n_killed >= n_before and len(cut) == 2, cut  # the killed fetch, then one more
    assert cut[-1] == cluster.clean_fetch, cut
    known |= expected(store, cluster.name)
    third = known[max(known)]
    assert third.sessions == SIZES["third"]
    for page, replica in zip(watchers, cluster.replicas, strict=True):
        if replica.alive:
            wait_until("a survivor's open page to show it", lambda p=page: shows(p, third))
    print(
        f"killed replica {cluster.replicas.index(victim)} (pid {victim.proc.pid}) mid-fetch; "
        f"run {finished.run_id} by {finished.holder} completed the next sync"
    )


# --- the soak ---------------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def wait_loaded(page: Page) -> None:
    """The run has finished and its first metric is drawn."""
    page.get_by_test_id("stMetric").first.wait_for(timeout=TIMEOUT)
    page.wait_for_selector(IDLE, timeout=TIMEOUT)


def soak(
    context: BrowserContext, cluster: Cluster, replica: Replica, seconds: float
) -> list[float]:
    """Refresh repeatedly under faults for `seconds`; return the replica's RSS after each."""
    cluster.portal.faults = SOAK_FAULTS
    page = context.new_page()
    samples: list[float] = []
    try:
        page.goto(replica.url)
        wait_loaded(page)
        deadline = time.monotonic() + seconds
        n = 0
        while time.monotonic() < deadline or n < SOAK_MIN_REFRESHES:
            n += 1
            if n % 5 == 0:
                page.reload()  # a new session; the old one is dropped
                wait_loaded(page)
            else:
                page.get_by_test_id("stSidebar").get_by_role("button", name="Refresh now").click()
                page.wait_for_timeout(100)
                page.wait_for_selector(IDLE, timeout=TIMEOUT)
            assert page.get_by_test_id("stException").count() == 0
            samples.append(rss_mb(replica.proc.pid))
    finally:
        page.close()
        cluster.portal.faults = Faults()
    return samples


def check_soak(samples: list[float], cluster: Cluster) -> None:
    """Memory after warm-up stays within bounds."""
    base = statistics.median(samples[SOAK_WARMUP : SOAK_WARMUP + SOAK_WINDOW])
    end = statistics.median(samples[-SOAK_WINDOW:])
    print(
        f"\nsoak: {len(samples)} refreshes, RSS start {samples[0]:.0f} MB, after warm-up "
        f"{base:.0f} MB, end {end:.0f} MB, max {max(samples):.0f} MB; "
        f"{cluster.portal.request_count} requests to the stand-in"
    )
    assert end - base < SOAK_MAX_GROWTH_MB


@pytest.mark.browser
def test_soak_under_faults_keeps_memory_flat(context: BrowserContext, cluster: Cluster) -> None:
    """Repeated refreshes with 429s and 5xx for a bounded time: flat RSS, no traceback."""
    replica = cluster.alive()[0]
    logged = log_size(replica)
    check_soak(soak(context, cluster, replica, SOAK_SECONDS), cluster)
    check_log_since(replica, logged)


@pytest.mark.browser
@pytest.mark.skipif(not os.environ.get("LU_SOAK_LONG"), reason="set LU_SOAK_LONG=1 (10 min)")
def test_long_soak_under_faults_keeps_memory_flat(
    context: BrowserContext, cluster: Cluster
) -> None:
    """The same soak for ten minutes."""
    replica = cluster.alive()[0]
    logged = log_size(replica)
    check_soak(soak(context, cluster, replica, LONG_SOAK_SECONDS), cluster)
    check_log_since(replica, logged)
