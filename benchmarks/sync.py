"""The store-backed dashboard: a restarted server's cold start, and page reruns during a sync.

Cold start: a fresh process opens the store and reads the newest snapshot into the frames, what
a restarted server or a new replica does before its first page (timed after the imports, which
any Python server pays anyway; the imports are reported apart).

Rerun during a sync: the dashboard on a configured portal (the stand-in, in a process of its
own, as LearnUpon is), its Overview rerun with warm caches, first with no sync running and then
while the server's own background syncer fetches, normalises and stores a portal of the same
size in the same process, competing with the page for the interpreter.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.harness import (
    API_PAGE_SIZE,
    API_PASSWORD,
    API_USER,
    ROOT,
    UNLIMITED_QUOTA,
    Report,
    log,
    median,
    size_label,
)
from benchmarks.pages import app_environment, new_app, run_app

SYNC_DEADLINE_S = 600.0  # at 100k; a fetch, normalise and write takes well under this
SYNC_DEADLINE_FLOOR_S = 60.0  # small portals: a stuck sync fails in a minute, not ten
LOOPBACK = "127.0.0.1"
COLD_CHILD = """
import json, sys, time
t0 = time.perf_counter()
from lu_data.store.store import open_store
t1 = time.perf_counter()
with open_store(sys.argv[1]) as store:
    snaps = store.read_snapshots()
rows = sum(len(s.portal.sessions) for s in snaps.values())
t2 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "read": t2 - t1, "rows": rows}))
"""
SERVE_CHILD = """
import json, sys
from lu_data.sources.files import read_path
from lu_data.sources.fake_portal import FakePortal
fake = FakePortal(read_path(sys.argv[1]), username=sys.argv[2], password=sys.argv[3],
                  page_size=int(sys.argv[4]), minute_quota=int(sys.argv[5]))
fake.start()
print(fake.base_url, flush=True)
for _ in sys.stdin:  # each line asks what was served; closing stdin ends the serving
    print(json.dumps({"requests": fake.request_count, "fetches": len(fake.fetch_starts())}),
          flush=True)
"""


def measure_cold_start(report: Report, n: int, path: Path, repeats: int) -> None:
    """Open the store and read the newest snapshot in fresh processes (SQLite)."""
    from lu_data.ingest.loading import load_portal
    from lu_data.sources.files import read_path
    from lu_data.store.store import open_store

    with tempfile.TemporaryDirectory(prefix="lu-bench-cold-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'store.sqlite3'}"
        with open_store(url) as store:
            store.write_snapshot("bench", load_portal(read_path(path, lean=True)))
        reads, imports = [], []
        for _ in range(repeats):
            out = subprocess.run(
                [sys.executable, "-c", COLD_CHILD, url],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            got = json.loads(out.stdout.strip().splitlines()[-1])
            assert got["rows"] == n, got
            reads.append(got["read"])
            imports.append(got["imports"])
    note = f"fresh process: open SQLite store + read {size_label(n)} sessions into frames"
    report.add("store_cold_start_s", median(reads), "s", runs=reads, note=note)
    report.add("store_cold_imports_s", median(imports), "s", runs=imports, note="lu_data.store")


def sync_deadline(n: int) -> float:
    """How long the timed sync may take before the run fails: 600 s at 100k, less below."""
    return max(SYNC_DEADLINE_FLOOR_S, SYNC_DEADLINE_S * n / 100_000)


@dataclass
class TimedSync:
    """One requested sync as the harness saw it: its time, the reruns within it, what it wrote."""

    seconds: float
    during: list[float]
    landed: str | None  # the portal whose new snapshot ended the wait; None at the deadline
    requests: int  # what the stand-in answered from the request to the landing
    fetches: int  # fetches the stand-in saw start in that time


def measure_rerun_during_sync(report: Report, n: int, path: Path, cheap: int) -> None:
    """Overview reruns with no sync running, then while the server's syncer syncs n sessions."""
    with (
        stand_in_portal(path) as (base_url, served),
        tempfile.TemporaryDirectory(prefix="lu-bench-sync-") as tmp,
    ):
        env = {
            "LEARNUPON_BASE_URL": base_url,
            "LEARNUPON_USERNAME": API_USER,
            "LEARNUPON_PASSWORD": API_PASSWORD,
            "LEARNUPON_REQUESTS_PER_SECOND": "0",
            "LEARNUPON_ALL_MODULES": "true",
            "LEARNUPON_CACHE_MINUTES": "600",  # no sync but the one asked for below
            "LU_DATA_DIR": tmp,
        }
        _reruns_around_a_sync(report, n, env, cheap, served)


@contextlib.contextmanager
def stand_in_portal(path: Path) -> Iterator[tuple[str, Callable[[], dict[str, int]]]]:
    """The stand-in serving path in a process of its own: its URL, and a way to ask what it
    served (requests, fetches started)."""
    argv = [str(path), API_USER, API_PASSWORD, str(API_PAGE_SIZE), str(UNLIMITED_QUOTA)]
    serve = subprocess.Popen(
        [sys.executable, "-c", SERVE_CHILD, *argv],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert serve.stdin is not None and serve.stdout is not None
    ask, answer = serve.stdin, serve.stdout

    def served() -> dict[str, int]:
        ask.write("\n")
        ask.flush()
        return dict(json.loads(answer.readline()))

    try:
        yield answer.readline().strip(), served
    finally:
        ask.close()
        serve.wait(timeout=30)


@contextlib.contextmanager
def loopback_server() -> Iterator[None]:
    """The app under AppTest listens on loopback alone, as a dashboard beside its portal may.

    AppTest binds no address, so server.address is unset, which the no-sign-in rule
    (lu_data.views.access) reads as every interface: the app would refuse the configured
    portal with its "Sign-in needed" page and never sync it. The tests do the same.
    """
    from streamlit import config

    before = config.get_option("server.address")
    config.set_option("server.address", LOOPBACK)
    try:
        yield
    finally:
        config.set_option("server.address", before)


@contextlib.contextmanager
def environ(env: dict[str, str]) -> Iterator[None]:
    """These environment variables set for the block, the old values back after it."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _reruns_around_a_sync(
    report: Report, n: int, env: dict[str, str], cheap: int, served: Callable[[], dict[str, int]]
) -> None:
    """The measurement itself, with the app pointed at the stand-in through env."""
    deadline = sync_deadline(n)
    with environ(env), app_environment(n), loopback_server():
        # app_environment hides portal settings; put them back for this app
        os.environ.update(env)
        from lu_data.store.store import default_url, open_store
        from ui.store_view import background_syncer

        at = new_app()
        started = time.perf_counter()
        run_app(at)  # the first viewer ever waits for the first sync
        log(f"  sync: first run with the first sync {time.perf_counter() - started:.1f} s")
        with open_store(default_url()) as store:
            _check_first_sync(at, store)
            idle = [run_app(at) for _ in range(cheap)]
            sync = _timed_sync(at, store, background_syncer(default_url()), served, deadline)
            _report_sync(report, n, sync, idle, deadline, store)


def _check_first_sync(at: Any, store: Any) -> None:
    """Stop the run, saying what the page showed, unless the first run synced the stand-in."""
    if store.latest_snapshot_ids():
        return
    shown = " | ".join(str(e.value) for e in (*at.title, *at.error)) or "no title, no error"
    raise RuntimeError(f"the app never synced the stand-in portal; its page showed: {shown[:400]}")


def _timed_sync(
    at: Any, store: Any, syncer: Any, served: Callable[[], dict[str, int]], deadline: float
) -> TimedSync:
    """Ask the server's syncer for a sync and rerun the Overview until its snapshot lands."""
    before, counts = store.latest_snapshot_ids(), served()
    during: list[float] = []
    landed: list[str] = []
    asked = time.perf_counter()
    syncer.request()
    while not landed and time.perf_counter() - asked < deadline:
        # A rerun counts only if the sync is under way when it starts: until the syncer's
        # thread has begun, wait rather than spend a small portal's short sync on one.
        seconds = run_app(at) if syncer.fetching else None
        ended_busy = bool(syncer.fetching)
        landed = _landed(store, before)
        if seconds is not None and ended_busy and not landed:
            during.append(seconds)  # started and ended with the sync under way
        if not landed:
            time.sleep(0.05)  # a viewer's click rate, not a busy loop
    seconds, after = time.perf_counter() - asked, served()
    return TimedSync(
        seconds,
        during,
        landed[0] if landed else None,
        after["requests"] - counts["requests"],
        after["fetches"] - counts["fetches"],
    )


def _landed(store: Any, before: dict[str, int]) -> list[str]:
    """Portals whose newest snapshot is not the one they had before the request."""
    now = store.latest_snapshot_ids()
    return [name for name, sid in now.items() if before.get(name) != sid]


def _report_sync(
    report: Report, n: int, sync: TimedSync, idle: list[float], deadline: float, store: Any
) -> None:
    """The sync's figures: its time (failing the run at the deadline), what it fetched, reruns."""
    label = size_label(n)
    note = f"request → new snapshot, {label} sessions"
    if sync.landed is None:
        run = store.last_run(next(iter(store.latest_snapshot_ids())))
        note = f"no new snapshot within {deadline:.0f} s; last run {run.status}: {run.error}"
    report.add("sync_portal_s", sync.seconds, "s", deadline=deadline, note=note)
    report.add(
        "sync_portal_requests",
        float(sync.requests),
        "requests",
        note=f"the stand-in answered them; fetches started: {sync.fetches}",
    )
    # The snapshot itself, not its run's row: the run is marked done just after it lands.
    snapshot = store.read_snapshot(sync.landed) if sync.landed else None
    stored = None if snapshot is None else float(len(snapshot.portal.sessions))
    why = "in the snapshot the sync wrote" if snapshot else "n/a: no snapshot written"
    report.add("sync_portal_sessions", stored, "sessions", note=why)
    report.add("page_rerun_no_sync_s", median(idle), "s", runs=idle, note="Overview, warm")
    if not sync.during:
        report.add("page_rerun_during_sync_s", None, "s", note="n/a: no rerun within the sync")
        report.add("page_rerun_during_sync_vs_idle", None, "x", note="n/a: no rerun")
        return
    during = sync.during
    report.add(
        "page_rerun_during_sync_s",
        median(during),
        "s",
        runs=during,
        note=f"Overview, {len(during)} reruns while the syncer synced {label} (max "
        f"{max(during):.2f} s)",
    )
    report.add("page_rerun_during_sync_vs_idle", median(during) / median(idle), "x")


def measure_sync_section(report: Report, n: int, path: Path, repeats: int, cheap: int) -> None:
    """Both measurements at one size."""
    measure_cold_start(report, n, path, repeats)
    measure_rerun_during_sync(report, n, path, cheap)
