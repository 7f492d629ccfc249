"""Whether each configured portal is fresh: OK, STALE or FAILING, judged from the store.

`lu-data status` asks this for a timer, cron job or probe. A portal is FAILING when its last
sync run failed, STALE when its newest complete snapshot is older than its allowed age (three
sync periods unless told), missing, or dated in the future (another clock disagrees, so its
age means nothing), and OK otherwise. Portals the store holds but the config no longer names
are listed apart and never counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lu_data.presentation.age_words import age_text, span_text
from lu_data.sources.api_settings import PortalConfig
from lu_data.store.status import PortalRecord, RunFacts, SnapshotFacts

OK, STALE, FAILING = "OK", "STALE", "FAILING"
EXIT_OK = 0
EXIT_UNHEALTHY = 1
PERIODS_ALLOWED = 3  # a portal may miss two syncs in a row before anyone is woken
# A period of 0 (fetch at every look) must still allow one fetch of a large portal.
MIN_MAX_AGE_MINUTES = 5.0
# Hosts sharing a store keep their own clocks: a few seconds apart is normal, more is not.
CLOCK_SLACK = timedelta(minutes=1)
VERDICT_WIDTH = len(FAILING)
NOT_CONFIGURED = "-"  # the verdict column of a portal no longer configured
TIME_FORMAT = "%Y-%m-%d %H:%M UTC"


@dataclass(frozen=True)
class PortalHealth:
    """One portal's verdict, why, and the facts behind it."""

    name: str
    configured: bool
    verdict: str | None  # OK, STALE or FAILING; None for a portal no longer configured
    problems: tuple[str, ...]
    max_age_minutes: float | None
    snapshot: SnapshotFacts | None
    run: RunFacts | None
    now: datetime

    @property
    def age_minutes(self) -> float | None:
        """How old the newest complete snapshot is (negative: dated in the future)."""
        if self.snapshot is None:
            return None
        return (self.now - self.snapshot.fetched_at).total_seconds() / 60

    @property
    def run_seconds(self) -> float | None:
        """How long the last run took (so far, while it runs; None when it never ended)."""
        if self.run is None or self.run.finished_at is None:
            return None
        return max(0.0, (self.run.finished_at - self.run.started_at).total_seconds())


@dataclass(frozen=True)
class StatusReport:
    """Every configured portal's health, then the store's portals no longer configured."""

    store: str
    checked_at: datetime
    portals: tuple[PortalHealth, ...]
    not_configured: tuple[PortalHealth, ...]

    @property
    def exit_code(self) -> int:
        """0 when every configured portal is OK, else 1."""
        return EXIT_OK if all(p.verdict == OK for p in self.portals) else EXIT_UNHEALTHY

    def lines(self) -> list[str]:
        """One line per portal: the configured ones first, in config order."""
        return [health_line(p) for p in (*self.portals, *self.not_configured)]

    def to_dict(self) -> dict[str, Any]:
        """The report for `--json`: each portal keyed as `check --json` keys its `portals`."""
        return {
            "store": self.store,
            "checked_at": self.checked_at.isoformat(),
            "exit_code": self.exit_code,
            "portals": [health_dict(p) for p in self.portals],
            "not_configured": [health_dict(p) for p in self.not_configured],
        }


def default_max_age(config: PortalConfig) -> float:
    """Minutes a portal's snapshot may age: three of its sync periods (at least 5 min)."""
    return max(PERIODS_ALLOWED * config.cache_minutes, MIN_MAX_AGE_MINUTES)


def status_report(
    store: str,
    configs: Sequence[PortalConfig],
    records: Mapping[str, PortalRecord],
    now: datetime,
    max_age_minutes: float | None = None,
) -> StatusReport:
    """Judge every configured portal at `now`; list the store's other portals apart."""
    portals = tuple(
        judge_portal(
            c.name,
            records.get(c.name),
            default_max_age(c) if max_age_minutes is None else max_age_minutes,
            now,
        )
        for c in configs
    )
    names = {c.name for c in configs}
    gone = tuple(
        PortalHealth(name, False, None, (), None, r.snapshot, r.last_run, now)
        for name, r in sorted(records.items())
        if name not in names
    )
    return StatusReport(store, now, portals, gone)


def judge_portal(
    name: str, record: PortalRecord | None, max_age_minutes: float, now: datetime
) -> PortalHealth:
    """OK, STALE or FAILING for one configured portal, with the problems that decided it."""
    snapshot = None if record is None else record.snapshot
    run = None if record is None else record.last_run
    problems: list[str] = []
    if run is not None and run.status == "failed":
        problems.append(f"last sync failed: {error_line(run.error)}")
    if snapshot is None:
        problems.append("never synced")
    elif snapshot.fetched_at - now > CLOCK_SLACK:
        problems.append(f"snapshot dated {_ahead(snapshot.fetched_at, now)} in the future")
    elif (now - snapshot.fetched_at).total_seconds() / 60 > max_age_minutes:
        old = int((now - snapshot.fetched_at).total_seconds() // 60)
        problems.append(
            f"snapshot {span_text(old)} old, over the {_minutes(max_age_minutes)} allowed"
        )
    if run is not None and _run_time(run) - now > CLOCK_SLACK:
        problems.append(f"last sync dated {_ahead(_run_time(run), now)} in the future")
    failing = run is not None and run.status == "failed"
    verdict = FAILING if failing else STALE if problems else OK
    return PortalHealth(name, True, verdict, tuple(problems), max_age_minutes, snapshot, run, now)


def health_line(health: PortalHealth) -> str:
    """`OK      acme: snapshot …, N sessions; last sync ok …, 2.1 s, by host:pid`."""
    label = health.verdict or NOT_CONFIGURED
    parts = [_snapshot_text(health), _run_text(health)]
    if not health.configured:
        parts.insert(0, "not configured any more, not counted")
    return f"{label:<{VERDICT_WIDTH}} {health.name}: " + "; ".join(parts)


def health_dict(health: PortalHealth) -> dict[str, Any]:
    """One portal for `--json`: name, snapshot_id, snapshot_at and status as in `check`."""
    snap, run = health.snapshot, health.run
    return {
        "name": health.name,
        "snapshot_id": None if snap is None else snap.snapshot_id,
        "snapshot_at": None if snap is None else snap.fetched_at.isoformat(),
        "status": None if run is None else run.status,  # the last sync run's, as in `check`
        "health": health.verdict,
        "problems": list(health.problems),
        "configured": health.configured,
        "sessions": None if snap is None else snap.sessions,
        "age_minutes": _rounded(health.age_minutes),
        "max_age_minutes": health.max_age_minutes,
        "run_started_at": None if run is None else run.started_at.isoformat(),
        "run_finished_at": _iso(None if run is None else run.finished_at),
        "run_seconds": _rounded(health.run_seconds),
        "run_holder": None if run is None else run.holder,
        "run_error": None if run is None else error_line(run.error) if run.error else None,
    }


def error_line(error: str | None) -> str:
    """A stored error's first line: the cause, without the detail some drivers add below."""
    lines = (error or "").strip().splitlines()
    return lines[0] if lines else "no reason recorded"


def _snapshot_text(health: PortalHealth) -> str:
    """The snapshot part: time, age against the allowed age, sessions; or "never synced"."""
    snap, now = health.snapshot, health.now
    if snap is None:
        return "never synced"
    when = f"snapshot {snap.fetched_at.astimezone(UTC):{TIME_FORMAT}}"
    if snap.fetched_at - now > CLOCK_SLACK:
        age = f"dated {_ahead(snap.fetched_at, now)} in the future: clocks disagree, not trusted"
    else:
        age = age_text(snap.fetched_at, now)
        if health.max_age_minutes is not None:
            over = (now - snap.fetched_at).total_seconds() / 60 > health.max_age_minutes
            age += f", {'over the' if over else 'max'} {_minutes(health.max_age_minutes)}"
            age += " allowed" if over else ""
    return f"{when} ({age}), {snap.sessions:,} sessions"


def _run_text(health: PortalHealth) -> str:
    """The last run part: outcome, when, how long, by which process, and its error line."""
    run, now = health.run, health.now
    if run is None:
        return "no sync run yet"
    verb = "running since" if run.status == "running" else run.status
    when = f"last sync {verb} {_run_time(run).astimezone(UTC):{TIME_FORMAT}}"
    if _run_time(run) - now > CLOCK_SLACK:
        when += f" (dated {_ahead(_run_time(run), now)} in the future: not trusted)"
    parts = [when]
    if health.run_seconds is not None:
        parts.append(f"{health.run_seconds:.1f} s")
    if run.holder:
        parts.append(f"by {run.holder}")
    text = ", ".join(parts)
    return f"{text}: {error_line(run.error)}" if run.status == "failed" else text


def _run_time(run: RunFacts) -> datetime:
    """When a run last did something: its end, or its start while it runs."""
    return run.finished_at or run.started_at


def _ahead(then: datetime, now: datetime) -> str:
    """How far `then` lies after `now`: "2 h", "5 min"."""
    return span_text(max(1, round((then - now).total_seconds() / 60)))


def _minutes(minutes: float) -> str:
    """A minute count as the line shows it: "45 min", "2.5 min"."""
    return f"{minutes:g} min"


def _rounded(value: float | None) -> float | None:
    """A figure for JSON: one decimal."""
    return None if value is None else round(value, 1)


def _iso(value: datetime | None) -> str | None:
    """ISO 8601, or None."""
    return None if value is None else value.isoformat()
