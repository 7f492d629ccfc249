"""What monitoring asks of the store: each portal's newest complete snapshot and last sync run.

`lu-data status` runs from a timer or a probe, often: this reads with a plain engine, neither
creating nor migrating the store (a read-only login will do), never loads a snapshot's frames,
and imports no pandas or Alembic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lu_data.store.engine import create_engine
from lu_data.store.errors import translated_errors
from lu_data.store.sql_tables import (
    PORTAL_SNAPSHOTS,
    PORTALS,
    SYNC_RUNS,
    portals_last_run_and_snapshot,
)

STATUS_TABLES = {PORTALS.name, SYNC_RUNS.name, PORTAL_SNAPSHOTS.name}


@dataclass(frozen=True)
class SnapshotFacts:
    """A portal's newest complete snapshot, without its frames."""

    snapshot_id: int
    fetched_at: datetime
    written_at: datetime
    sessions: int


@dataclass(frozen=True)
class RunFacts:
    """A portal's last sync run: how it ended, when, by which process, and its error.

    The fields of snapshots.SyncRun, kept apart because that module imports pandas.
    """

    run_id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    error: str | None
    sessions: int | None
    holder: str | None  # "hostname:pid"; None on runs from before it was recorded


@dataclass(frozen=True)
class PortalRecord:
    """One portal as the store knows it: its newest complete snapshot and its last sync run."""

    name: str
    snapshot: SnapshotFacts | None
    last_run: RunFacts | None


def read_portal_records(url: str) -> dict[str, PortalRecord]:
    """Every portal in the store at url, by name; {} for a store no sync has set up yet.

    Raises StoreError (password masked) when the store cannot be reached or read.
    """
    with translated_errors(url):
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                return select_portal_records(conn)
        finally:
            engine.dispose()


def select_portal_records(conn: Connection) -> dict[str, PortalRecord]:
    """Every portal on conn with its newest complete snapshot and last run, by name."""
    inspector = sa.inspect(conn)
    if not set(inspector.get_table_names()) >= STATUS_TABLES:
        return {}
    runs, snaps = SYNC_RUNS.c, PORTAL_SNAPSHOTS.c
    # Revision 0003 added the holder; a store not opened since reads without it.
    has_holder = any(col["name"] == "holder" for col in inspector.get_columns(SYNC_RUNS.name))
    holder = runs.holder if has_holder else sa.null().label("holder")
    query = portals_last_run_and_snapshot(
        PORTALS.c.name,
        runs.run_id,
        runs.status,
        runs.started_at,
        runs.finished_at,
        runs.error,
        runs.sessions.label("run_sessions"),
        holder,
        snaps.snapshot_id,
        snaps.fetched_at,
        snaps.written_at,
        snaps.sessions.label("snapshot_sessions"),
    )
    return {row.name: _record_of(row) for row in conn.execute(query)}


def _record_of(row: sa.Row) -> PortalRecord:
    """A PortalRecord from one row of the outer-joined query (None where nothing joined)."""
    snapshot = None
    if row.snapshot_id is not None:
        snapshot = SnapshotFacts(
            snapshot_id=int(row.snapshot_id),
            fetched_at=row.fetched_at,
            written_at=row.written_at,
            sessions=int(row.snapshot_sessions),
        )
    run = None
    if row.run_id is not None:
        run = RunFacts(
            run_id=int(row.run_id),
            status=row.status,
            started_at=row.started_at,
            finished_at=row.finished_at,
            error=row.error,
            sessions=row.run_sessions,
            holder=row.holder,
        )
    return PortalRecord(name=row.name, snapshot=snapshot, last_run=run)
