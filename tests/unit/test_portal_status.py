"""Judging a portal OK, STALE or FAILING at a given time, and store URLs shown without passwords.

The cases a real store is awkward to bring about (a run dated in the future, a run still going,
a period of 0); tests/e2e/test_status_cli.py runs the command against real stores.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lu_data.sources.api_settings import PortalConfig
from lu_data.store.errors import safe_url
from lu_data.store.status import PortalRecord, RunFacts, SnapshotFacts
from lu_data.sync.status import default_max_age, health_line, judge_portal, status_report

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def record(snapshot_age: timedelta | None, status: str = "ok", run_age=timedelta(0), error=None):
    """A portal whose snapshot is snapshot_age old and whose last run ended run_age ago."""
    snapshot = None
    if snapshot_age is not None:
        at = NOW - snapshot_age
        snapshot = SnapshotFacts(snapshot_id=7, fetched_at=at, written_at=at, sessions=1200)
    ended = NOW - run_age
    run = RunFacts(
        run_id=9,
        status=status,
        started_at=ended - timedelta(seconds=42),
        finished_at=None if status == "running" else ended,
        error=error,
        sessions=None,
        holder="web-2:811",
    )
    return PortalRecord("acme", snapshot, run)


def test_fresh_snapshot_line_has_time_age_sessions_and_the_run() -> None:
    """Every fact a person on call needs, on one line."""
    health = judge_portal("acme", record(timedelta(minutes=6)), 45, NOW)
    assert health_line(health) == (
        "OK      acme: snapshot 2026-12-07 08:54 UTC (6 min ago, max 45 min), 1,200 sessions; "
        "last sync ok 2026-12-07 09:00 UTC, 42.0 s, by web-2:811"
    )


def test_failed_run_wins_over_a_fresh_snapshot_and_shows_its_first_error_line() -> None:
    """The last good snapshot is still young, but the sync broke: FAILING, with the cause."""
    error = "401 Unauthorized: check the API keys\nTraceback-like detail the driver added"
    health = judge_portal("acme", record(timedelta(minutes=3), "failed", error=error), 45, NOW)
    assert health.verdict == "FAILING"
    assert health_line(health).endswith(": 401 Unauthorized: check the API keys")
    assert health.problems == ("last sync failed: 401 Unauthorized: check the API keys",)


def test_failed_first_run_is_failing_and_never_synced() -> None:
    """No snapshot at all and the only run failed: FAILING, and both problems named."""
    health = judge_portal("acme", record(None, "failed", error="boom"), 45, NOW)
    assert health.verdict == "FAILING"
    assert health.problems == ("last sync failed: boom", "never synced")


def test_run_dated_in_the_future_is_not_trusted() -> None:
    """A run that ends 3 h from now means clocks disagree: STALE, and said so."""
    health = judge_portal(
        "acme", record(timedelta(minutes=5), run_age=-timedelta(hours=3)), 45, NOW
    )
    assert health.verdict == "STALE"
    assert health.problems == ("last sync dated 3 h in the future",)
    assert "(dated 3 h in the future: not trusted)" in health_line(health)


def test_a_few_seconds_of_clock_skew_are_tolerated() -> None:
    """A snapshot 20 s ahead (another host's clock) is still OK."""
    health = judge_portal("acme", record(-timedelta(seconds=20)), 45, NOW)
    assert health.verdict == "OK"


def test_run_in_progress_over_a_fresh_snapshot_is_ok() -> None:
    """A sync under way is not a fault: the line says since when and by whom."""
    health = judge_portal("acme", record(timedelta(minutes=10), "running"), 45, NOW)
    assert health.verdict == "OK"
    assert "last sync running since 2026-12-07 08:59 UTC, by web-2:811" in health_line(health)


@pytest.mark.parametrize(("period", "allowed"), [(15, 45), (60, 180), (0, 5), (1, 5)])
def test_default_max_age_is_three_periods_but_never_below_5_minutes(period, allowed) -> None:
    """cache_minutes 0 (fetch at every look) still allows the time one fetch takes."""
    config = PortalConfig("https://acme.learnupon.com/api/v1/", "u", "p", cache_minutes=period)
    assert default_max_age(config) == allowed


def test_report_counts_configured_portals_only() -> None:
    """A stale portal the config no longer names is listed last and leaves exit 0."""
    configs = [PortalConfig("https://acme.learnupon.com/api/v1/", "u", "p", name="acme")]
    records = {"acme": record(timedelta(minutes=1)), "gone": record(timedelta(days=9))}
    report = status_report("sqlite:///s.db", configs, records, NOW)
    assert report.exit_code == 0
    assert report.lines()[1].startswith("-       gone: not configured any more, not counted; ")
    assert "(9 days ago)" in report.lines()[1]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://lu:s3cret@db/lu", "postgresql+psycopg://lu:***@db/lu"),
        ("postgresql+psycopg://lu:s3cr@t/x@db/lu", "postgresql+psycopg://lu:***@db/lu"),
        ("postgresql+psycopg://lu:s3cret@db:port/lu", "postgresql+psycopg://lu:***@db:port/lu"),
        ("sqlite:////srv/lu/store.sqlite3", "sqlite:////srv/lu/store.sqlite3"),
    ],
)
def test_store_urls_are_shown_without_their_password(url, shown) -> None:
    """Masked even when SQLAlchemy cannot parse the URL, or would split the password at an @."""
    assert safe_url(url) == shown
