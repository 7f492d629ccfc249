"""Replicas for the load test: the servers, the stand-in, and what a page shows."""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import BrowserContext, Page

from lu_data.sources.fake_portal import FakePortal
from lu_data.store.sql_tables import PORTAL_SNAPSHOTS, SYNC_RUNS
from lu_data.store.store import Store, SyncRun
from tests.support.browser import IDLE

KEPT_NOTE = "showing the data already loaded"  # ui.store_view, when a store read fails
TAB_PATH = "/quality"  # a light page (cards and tables, no charts) showing the session count
TIMEOUT = 90_000  # ms: a page on two busy cores
PASSWORD = "load-Pa55word"


@dataclass
class Replica:
    """One streamlit server of the cluster and the file its output is drained into."""

    proc: subprocess.Popen
    url: str
    log: Path
    drain: threading.Thread

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None


@dataclass
class Cluster:
    """The replicas, the stand-in they fetch from, and the store they share."""

    replicas: list[Replica]
    portal: FakePortal
    clean_fetch: list[str]  # the requests of one clean fetch, in order
    store: Store
    name: str  # the portal's name in the store

    def alive(self) -> list[Replica]:
        return [r for r in self.replicas if r.alive]

    def replica_of(self, run: SyncRun) -> Replica:
        """The replica whose process ran (or runs) a sync: its holder is hostname:pid."""
        assert run.holder, run
        pid = int(run.holder.rsplit(":", 1)[1])
        found = [r for r in self.replicas if r.proc.pid == pid]
        assert found, (run.holder, [r.proc.pid for r in self.replicas])
        return found[0]

    def last_run(self) -> SyncRun:
        run = self.store.last_run(self.name)
        assert run is not None
        return run

    def latest_id(self) -> int | None:
        return self.store.latest_snapshot_ids().get(self.name)


def copy_lines(proc: subprocess.Popen, log: Path) -> None:
    """Append the server's output to log line by line until it exits."""
    with log.open("ab") as out:
        for line in proc.stdout:
            out.write(line)
            out.flush()


def stop(replica: Replica) -> None:
    """Stop a replica and wait until its output is in the log file."""
    if replica.alive:
        replica.proc.terminate()
        try:
            replica.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            replica.proc.kill()
            replica.proc.wait()
    replica.drain.join(timeout=20)


def log_size(replica: Replica) -> int:
    """Bytes the replica has logged so far: where a test's own part of the log starts."""
    return replica.log.stat().st_size if replica.log.exists() else 0


def check_log_since(replica: Replica, start: int = 0) -> None:
    """What the replica logged since start holds no traceback and no credential."""
    time.sleep(0.5)  # let the last lines of the run reach the file
    with replica.log.open("rb") as log:
        log.seek(start)
        text = log.read().decode("utf-8", "replace")
    assert "Traceback" not in text, text[-3000:]
    assert PASSWORD not in text


# --- what a page shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """What one page showed: the sidebar's "data as of" line and the Sessions card."""

    as_of: str
    sessions: int
    # The page said the store could not be read and showed what its server last loaded
    # (ui.store_view's documented fallback): not part of what is compared.
    kept: bool = field(default=False, compare=False)


def open_page(context: BrowserContext, replica: Replica) -> Page:
    """A new tab on the replica's light page; returns once the navigation is under way."""
    page = context.new_page()
    page.goto(replica.url + TAB_PATH, wait_until="commit")
    return page


def read_page(page: Page) -> Shown:
    """Wait until the page has drawn the data and its run is over; what it shows."""
    as_of = page.get_by_test_id("stSidebar").get_by_text("Data as of").first
    as_of.wait_for(timeout=TIMEOUT)
    page.wait_for_selector(IDLE, timeout=TIMEOUT)
    assert page.get_by_test_id("stException").count() == 0
    card = page.get_by_test_id("stMetric").filter(has_text="Sessions")
    value = card.get_by_test_id("stMetricValue").inner_text()
    # the caption names the portal, then the time, then the data's age ("(just now)",
    # "(2 min ago)"), which moves on its own: the time alone is compared
    text = as_of.inner_text()
    as_of_time = text[text.index("Data as of") :].split(" (")[0].strip()
    kept = page.get_by_text(KEPT_NOTE).count() > 0
    return Shown(as_of_time, int(value.replace(",", "")), kept)


def shows(page: Page, want: Shown) -> bool:
    """Whether an open page (rerun by its snapshot watcher) now shows `want`."""
    try:
        return page.locator(IDLE).count() == 1 and read_page(page) == want
    except Exception:  # noqa: BLE001 - mid-rerun: elements come and go; ask again
        return False


def expected(store: Store, name: str) -> dict[int, Shown]:
    """What a page shows for each stored complete snapshot of the portal, by snapshot id."""
    c = PORTAL_SNAPSHOTS.c
    query = sa.select(c.snapshot_id, c.fetched_at, c.sessions).where(c.portal == name, c.complete)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return {
        int(r.snapshot_id): Shown(f"Data as of {r.fetched_at:%d %b %Y %H:%M} UTC", int(r.sessions))
        for r in rows
    }


def sync_runs(cluster: Cluster) -> list[sa.Row]:
    """Every sync run of the portal, oldest first."""
    c = SYNC_RUNS.c
    query = sa.select(SYNC_RUNS).where(c.portal == cluster.name).order_by(c.run_id)
    with cluster.store.engine.connect() as conn:
        return list(conn.execute(query).all())


def run_row(store: Store, run_id: int) -> sa.Row:
    """One sync_runs row."""
    with store.engine.connect() as conn:
        return conn.execute(sa.select(SYNC_RUNS).where(SYNC_RUNS.c.run_id == run_id)).one()


def fetches(cluster: Cluster) -> list[list[str]]:
    """The stand-in's request log cut into fetches (each begins as a clean fetch does)."""
    out: list[list[str]] = []
    first = cluster.clean_fetch[0]
    for entry in list(cluster.portal.request_log):
        if entry == first or not out:
            out.append([])
        out[-1].append(entry)
    return out


def gaps(starts: list[float]) -> list[float]:
    """Seconds between consecutive fetch starts."""
    return [b - a for a, b in zip(starts, starts[1:], strict=False)]
