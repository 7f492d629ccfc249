"""The store's tables as SQLAlchemy Core objects: enrolment history and portal snapshots.

The migrations in `migrations/versions` create these; they spell out their own columns (a
migration must keep doing what it did when later code changes these objects), and
tests/e2e/test_store_snapshots.py checks both agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

RUN_STATUSES = ("running", "ok", "failed")


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime both ways: SQLite hands back naive values, PG aware ones."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC (SQLite keeps the wall time only, so it must be UTC already)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Aware UTC, whatever the backend returned."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


METADATA = sa.MetaData()

# --- enrolment history (revision 0001, today's schema v2) -----------------------------------
FETCHES = sa.Table(
    "fetches",
    METADATA,
    sa.Column("fetch_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("origin", sa.String(500), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sessions", sa.Integer, nullable=False),
    sa.UniqueConstraint("origin", "recorded_at", name="uq_fetches_origin_recorded_at"),
)
SNAPSHOTS = sa.Table(
    "snapshots",
    METADATA,
    sa.Column(
        "fetch_id",
        sa.Integer,
        sa.ForeignKey("fetches.fetch_id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("session_key", sa.String(200), primary_key=True),
    sa.Column("training_key", sa.String(200), nullable=False),
    sa.Column("start_utc", sa.DateTime(timezone=True), nullable=False),
    sa.Column("max_capacity", sa.Integer, nullable=True),
    sa.Column("enrolled", sa.Integer, nullable=True),
    sa.Index("ix_snapshots_session_key", "session_key"),
)

# --- portals, sync runs and complete portal snapshots (revision 0002) -----------------------
PORTALS = sa.Table(
    "portals",
    METADATA,
    sa.Column("portal_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("base_url", sa.String(500), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)
SYNC_RUNS = sa.Table(
    "sync_runs",
    METADATA,
    sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "portal", sa.String(100), sa.ForeignKey("portals.name", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("finished_at", UtcDateTime, nullable=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("sessions", sa.Integer, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    # "hostname:pid" of the process that ran the sync (revision 0003; NULL on older runs)
    sa.Column("holder", sa.String(200), nullable=True),
    sa.CheckConstraint("status IN ('running', 'ok', 'failed')", name="ck_sync_runs_status"),
    sa.Index("ix_sync_runs_portal_run", "portal", "run_id"),
)
PORTAL_SNAPSHOTS = sa.Table(
    "portal_snapshots",
    METADATA,
    sa.Column("snapshot_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "portal", sa.String(100), sa.ForeignKey("portals.name", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "run_id",
        sa.Integer,
        sa.ForeignKey("sync_runs.run_id", ondelete="SET NULL"),
        nullable=True,
    ),
    sa.Column("fetched_at", UtcDateTime, nullable=False),
    sa.Column("written_at", UtcDateTime, nullable=False),
    sa.Column("complete", sa.Boolean, nullable=False),
    sa.Column("sessions", sa.Integer, nullable=False),
    sa.Column("origin", sa.String(500), nullable=False),
    sa.Column("is_demo", sa.Boolean, nullable=False),
    sa.Column("quality", sa.Text, nullable=False),  # the report's counts as JSON
    sa.Column("sessions_frame", sa.LargeBinary, nullable=False),  # Arrow IPC, zstd
    sa.Column("trainings_frame", sa.LargeBinary, nullable=False),
    sa.Column("tutors_frame", sa.LargeBinary, nullable=False),
    sa.Column("rejected_frame", sa.LargeBinary, nullable=False),
    sa.Column("warnings_frame", sa.LargeBinary, nullable=False),
    # The dashboard polls "newest complete snapshot per portal": an index-only lookup.
    sa.Index("ix_portal_snapshots_latest", "portal", "complete", "snapshot_id"),
)

# --- the audit log (revision 0004) ----------------------------------------------------------
AUDIT_EVENTS = sa.Table(
    "audit_events",
    METADATA,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("event", sa.String(20), nullable=False),
    sa.Column("email", sa.String(320), nullable=True),
    sa.Column("name", sa.String(200), nullable=True),
    sa.Column("role", sa.String(20), nullable=True),
    sa.Column("page", sa.String(200), nullable=True),
    sa.Column("file", sa.String(500), nullable=True),
    sa.Column("rows", sa.Integer, nullable=True),
    sa.Column("filters", sa.Text, nullable=True),  # the view's filters as JSON
    sa.Column("counts", sa.Text, nullable=True),  # what a merge proposal or a check found, JSON
    sa.Column("reason", sa.String(500), nullable=True),
    sa.Column("process", sa.String(200), nullable=True),  # "hostname:pid", as sync_runs.holder
    # SHA-256 of a sign-in's identity token (issuer, subject, issue time): one row per sign-in
    sa.Column("sign_in_key", sa.String(64), nullable=True),
    sa.UniqueConstraint("sign_in_key", name="uq_audit_events_sign_in_key"),
    sa.Index("ix_audit_events_at", "at"),
    sa.Index("ix_audit_events_email_at", "email", "at"),
)


def portals_last_run_and_snapshot(*columns: Any) -> sa.Select[Any]:
    """SELECT `columns` over every portal joined to its last sync run and its newest complete
    snapshot (outer joins: a portal with neither still has its row), by portal name."""
    runs, snaps = SYNC_RUNS.c, PORTAL_SNAPSHOTS.c
    last_run = (
        sa.select(runs.portal, sa.func.max(runs.run_id).label("run_id"))
        .group_by(runs.portal)
        .subquery()
    )
    last_snap = (
        sa.select(snaps.portal, sa.func.max(snaps.snapshot_id).label("snapshot_id"))
        .where(snaps.complete)
        .group_by(snaps.portal)
        .subquery()
    )
    joined = (
        PORTALS.outerjoin(last_run, last_run.c.portal == PORTALS.c.name)
        .outerjoin(SYNC_RUNS, runs.run_id == last_run.c.run_id)
        .outerjoin(last_snap, last_snap.c.portal == PORTALS.c.name)
        .outerjoin(PORTAL_SNAPSHOTS, snaps.snapshot_id == last_snap.c.snapshot_id)
    )
    return sa.select(*columns).select_from(joined).order_by(PORTALS.c.name)
