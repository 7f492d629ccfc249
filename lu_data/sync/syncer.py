"""One sync of one portal, all portals in parallel, and the loop that keeps them fresh.

Exactly one process fetches a portal per period, however many dashboards and workers share the
store: each sync takes the portal's store lock (a PostgreSQL advisory lock, or a file lock on
SQLite) without waiting, and only then looks at when that portal was last fetched. The syncer
also prunes the audit log of events older than LU_AUDIT_DAYS; page runs never do.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from lu_data.core.raw import RawPortal
from lu_data.ingest.loading import load_portal
from lu_data.sources.api_settings import PortalConfig, PortalError

if TYPE_CHECKING:
    from lu_data.store.store import Store, SyncRun

RETRY_FAILED_MINUTES = 1.0  # a failed portal is tried again soon, not after a whole period
TICK_SECONDS = 5.0  # how often a loop looks whether a portal is due
BACKOFF_MAX_SECONDS = 300.0  # the longest pause while the store itself is unreachable
ABANDONED = "abandoned: the syncer stopped before it finished"
PRUNE_EVERY_SECONDS = 3600.0  # a loop prunes the audit log on its first round, then hourly
LOG = logging.getLogger(__name__)

Status = Literal["ok", "failed", "skipped"]
Fetch = Callable[..., RawPortal]
Progress = Callable[[str, int, int, str], None]


@dataclass(frozen=True)
class SyncResult:
    """What one sync of one portal did: synced, failed (and why) or skipped (and why)."""

    name: str
    status: Status
    sessions: int | None = None
    snapshot_id: int | None = None
    seconds: float = 0.0
    reason: str = ""

    def line(self) -> str:
        """One line for a person: what happened to this portal."""
        if self.status == "ok":
            return (
                f"{self.name}: {self.sessions:,} sessions, snapshot {self.snapshot_id} "
                f"({self.seconds:.1f} s)"
            )
        return f"{self.name}: {self.status}: {self.reason}"


def is_due(
    last: SyncRun | None,
    period_minutes: float,
    now: datetime,
    requested_at: datetime | None = None,
) -> bool:
    """Whether a portal needs a fetch: never fetched, asked for, failed a while ago, or stale."""
    if last is None or last.status == "running":  # under our lock, a running run is dead
        return True
    # A request is answered by a run that finished after it (one that was under way when the
    # button was pressed included), so many presses during one fetch never queue another.
    if requested_at is not None and (last.finished_at or last.started_at) < requested_at:
        return True
    minutes = period_minutes if last.status == "ok" else min(period_minutes, RETRY_FAILED_MINUTES)
    return now - last.started_at >= timedelta(minutes=minutes)


def default_fetch(
    config: PortalConfig, *, progress: Callable[..., None] | None = None
) -> RawPortal:
    """Fetch a portal with the API client (imported here so the loop needs requests only then)."""
    from lu_data.sources.api_client import fetch_portal

    return fetch_portal(config, progress=progress, lean=True)


def sync_portal(
    store: Store,
    config: PortalConfig,
    *,
    period_minutes: float | None = None,
    force: bool = False,
    requested_at: datetime | None = None,
    fetch: Fetch = default_fetch,
    progress: Progress | None = None,
) -> SyncResult:
    """Fetch one portal and write its snapshot, unless another process has it or it is fresh."""
    name = config.name
    period = config.cache_minutes if period_minutes is None else period_minutes
    with store.sync_lock(name) as mine:
        if not mine:
            return SyncResult(name, "skipped", reason="another syncer is fetching it now")
        last = store.last_run(name)
        if last is not None and last.status == "running":
            store.finish_run(last.run_id, status="failed", error=ABANDONED)
        if not force and not is_due(last, period, datetime.now(UTC), requested_at):
            return SyncResult(name, "skipped", reason="fetched within its period")
        started = time.monotonic()
        run_id = store.start_run(name, config.base_url)
        if progress is not None:
            progress(name, 0, 0, "starting")
        try:
            report = None if progress is None else _progress_of(name, progress)
            portal = load_portal(fetch(config, progress=report), name=name)
        except PortalError as exc:
            store.finish_run(run_id, status="failed", error=str(exc))
            return SyncResult(name, "failed", seconds=time.monotonic() - started, reason=str(exc))
        except Exception as exc:  # noqa: BLE001 - one portal's surprise must not stop the rest
            reason = f"{type(exc).__name__}: {exc}"
            store.finish_run(run_id, status="failed", error=reason)
            return SyncResult(name, "failed", seconds=time.monotonic() - started, reason=reason)
        snapshot_id = store.write_snapshot(name, portal, run_id=run_id)
        store.finish_run(run_id, status="ok", sessions=len(portal.sessions))
        return SyncResult(
            name,
            "ok",
            sessions=len(portal.sessions),
            snapshot_id=snapshot_id,
            seconds=time.monotonic() - started,
        )


def sync_portals(
    store: Store,
    configs: Sequence[PortalConfig],
    *,
    period_minutes: float | None = None,
    force: bool = False,
    requested_at: datetime | None = None,
    fetch: Fetch = default_fetch,
    progress: Progress | None = None,
) -> list[SyncResult]:
    """sync_portal for every portal, in parallel: each with its own keys and pace."""
    if not configs:
        return []

    def one(config: PortalConfig) -> SyncResult:
        return sync_portal(
            store,
            config,
            period_minutes=period_minutes,
            force=force,
            requested_at=requested_at,
            fetch=fetch,
            progress=progress,
        )

    with ThreadPoolExecutor(max_workers=len(configs), thread_name_prefix="lu-sync") as pool:
        return list(pool.map(one, configs))


def prune_audit(store: Store, *, days: int | None = None, now: datetime | None = None) -> int:
    """Delete the audit events older than `days` (default LU_AUDIT_DAYS, else 400); how many.

    Raises ValueError for an LU_AUDIT_DAYS that is not a whole number of days.
    """
    from lu_data.store.audit_events import prune_audit_events
    from lu_data.store.settings import audit_days

    return prune_audit_events(store, days=audit_days() if days is None else days, now=now)


def log_pruned(pruned: int) -> None:
    """The default report of a prune: a line in the server log when anything went."""
    if pruned:
        LOG.info("audit log: %d events older than the retention period pruned", pruned)


@dataclass
class Syncer:
    """Keeps every portal fresh until stopped; `request` asks for a sync now and returns."""

    open_store: Callable[[], Store]
    configs: Sequence[PortalConfig]
    period_minutes: float | None = None
    fetch: Fetch = default_fetch
    on_result: Callable[[SyncResult], None] | None = None
    on_error: Callable[[str], None] | None = None
    tick_seconds: float = TICK_SECONDS
    stop_event: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event = field(default_factory=threading.Event)
    requested_at: datetime | None = None
    progress: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    fetching: set[str] = field(default_factory=set)
    last_error: str | None = None
    on_pruned: Callable[[int], None] = log_pruned
    pruned_at: float | None = None  # time.monotonic() of the last prune of the audit log

    def request(self, at: datetime | None = None) -> None:
        """Ask for a sync of every portal now; many requests together still mean one fetch.

        `at` (default now) is when the caller last looked at the store: a sync finishing
        after it answers the request, so a caller that saw no snapshot just before one landed
        does not cause a second fetch.
        """
        at = datetime.now(UTC) if at is None else at
        if self.requested_at is None or at > self.requested_at:  # a later request stands
            self.requested_at = at
        self.wake.set()

    def stop(self) -> None:
        """Stop after the write in progress, if any (a snapshot is never half written)."""
        self.stop_event.set()
        self.wake.set()

    def run_once(self) -> list[SyncResult]:
        """One round: each portal that is due is fetched; results go to on_result."""
        store = self.open_store()
        try:
            results = sync_portals(
                store,
                self.configs,
                period_minutes=self.period_minutes,
                requested_at=self.requested_at,
                fetch=self.fetch,
                progress=self._note_progress,
            )
            self._prune_when_due(store)
        finally:
            store.close()
            self.fetching.clear()
        for result in results:
            if self.on_result is not None and result.status != "skipped":
                self.on_result(result)
        return results

    def run_forever(self) -> None:
        """Round after round until stopped; while the store is unreachable, back off."""
        backoff = 0.0
        while not self.stop_event.is_set():
            try:
                self.run_once()
                backoff, self.last_error = 0.0, None
            except Exception as exc:  # noqa: BLE001 - a store outage must not end the loop
                self.last_error = error_line(exc)
                if self.on_error is not None:
                    self.on_error(self.last_error)
                backoff = min(BACKOFF_MAX_SECONDS, max(1.0, backoff * 2))
            self.wake.wait(timeout=max(backoff, self.tick_seconds))
            self.wake.clear()

    def start(self) -> threading.Thread:
        """run_forever on a daemon thread, returned started."""
        thread = threading.Thread(target=self.run_forever, name="lu-syncer", daemon=True)
        thread.start()
        return thread

    def _prune_when_due(self, store: Store) -> None:
        """Prune the audit log on the first round, then once every PRUNE_EVERY_SECONDS."""
        now = time.monotonic()
        if self.pruned_at is not None and now - self.pruned_at < PRUNE_EVERY_SECONDS:
            return
        self.pruned_at = now
        try:
            pruned = prune_audit(store)
        except ValueError as exc:  # a bad LU_AUDIT_DAYS keeps every event, and says so
            LOG.warning("audit log not pruned: %s", exc)
            return
        self.on_pruned(pruned)

    def _note_progress(self, name: str, done: int, total: int, message: str) -> None:
        self.fetching.add(name)
        self.progress[name] = (done, total, message)


def error_line(exc: BaseException) -> str:
    """One line naming an error that ended a round: its type and the first line of its text.

    Store errors already name the store (password masked) and why; driver errors carry their
    SQL and parameters on later lines, which are no use in a log line or on a page.
    """
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def _progress_of(name: str, progress: Progress) -> Callable[..., None]:
    """The API client's progress callback, naming the portal."""

    def report(done: int, total: int, message: str = "") -> None:
        progress(name, done, total, message)

    return report
