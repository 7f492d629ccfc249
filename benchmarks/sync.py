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

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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

SYNC_DEADLINE_S = 600.0  # a 100k fetch, normalise and write takes well under this
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
import sys, time
from lu_data.sources.files import read_path
from lu_data.sources.fake_portal import FakePortal
fake = FakePortal(read_path(sys.argv[1]), username=sys.argv[2], password=sys.argv[3],
                  page_size=int(sys.argv[4]), minute_quota=int(sys.argv[5]))
fake.start()
print(fake.base_url, flush=True)
sys.stdin.read()  # serve until the parent closes stdin
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


def measure_rerun_during_sync(report: Report, n: int, path: Path, cheap: int) -> None:
    """Overview reruns with no sync running, then while the server's syncer syncs n sessions."""
    serve = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SERVE_CHILD,
            str(path),
            API_USER,
            API_PASSWORD,
            str(API_PAGE_SIZE),
            str(UNLIMITED_QUOTA),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert serve.stdout is not None
        base_url = serve.stdout.readline().strip()
        with tempfile.TemporaryDirectory(prefix="lu-bench-sync-") as tmp:
            env = {
                "LEARNUPON_BASE_URL": base_url,
                "LEARNUPON_USERNAME": API_USER,
                "LEARNUPON_PASSWORD": API_PASSWORD,
                "LEARNUPON_REQUESTS_PER_SECOND": "0",
                "LEARNUPON_ALL_MODULES": "true",
                "LEARNUPON_CACHE_MINUTES": "600",  # no sync but the one asked for below
                "LU_DATA_DIR": tmp,
            }
            _reruns_around_a_sync(report, n, env, cheap)
    finally:
        if serve.stdin is not None:
            serve.stdin.close()
        serve.wait(timeout=30)


def _reruns_around_a_sync(report: Report, n: int, env: dict[str, str], cheap: int) -> None:
    """The measurement itself, with the app pointed at the stand-in through env."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with app_environment(n):
            # app_environment hides portal settings; put them back for this app
            os.environ.update(env)
            from lu_data.store.store import default_url, open_store
            from ui.loaders import background_syncer

            at = new_app()
            started = time.perf_counter()
            run_app(at)  # the first viewer ever waits for the first sync
            first_sync = time.perf_counter() - started
            log(f"  sync: first run with the first sync {first_sync:.1f} s")
            idle = [run_app(at) for _ in range(cheap)]
            syncer = background_syncer(default_url())
            with open_store(default_url()) as store:
                before = store.latest_snapshot_ids()
                during: list[float] = []
                asked = time.perf_counter()
                syncer.request()
                while time.perf_counter() - asked < SYNC_DEADLINE_S:
                    busy = bool(syncer.fetching)
                    seconds = run_app(at)
                    landed = store.latest_snapshot_ids() != before
                    if busy and syncer.fetching and not landed:
                        during.append(seconds)  # started and ended with the sync under way
                    if landed:
                        break
                    time.sleep(0.05)  # a viewer's click rate, not a busy loop
                sync_s = time.perf_counter() - asked
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    label = size_label(n)
    note = f"request → new snapshot, {label} sessions"
    report.add("sync_portal_s", sync_s, "s", deadline=SYNC_DEADLINE_S, note=note)
    report.add("page_rerun_no_sync_s", median(idle), "s", runs=idle, note="Overview, warm")
    if not during:
        report.add("page_rerun_during_sync_s", None, "s", note="n/a: no rerun within the sync")
        report.add("page_rerun_during_sync_vs_idle", None, "x", note="n/a: no rerun")
        return
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
