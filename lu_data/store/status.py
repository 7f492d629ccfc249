"""What monitoring asks of the store: each portal's newest complete snapshot and last sync run.

One read, no frames: `lu-data status` runs from a timer or a probe every few seconds, so it
reads the snapshot's time and session count and never its Arrow blobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from lu_data.store.errors import translated_errors
from lu_data.store.snapshots import SyncRun
from lu_data.store.sql_tables import PORTAL_SNAPSHOTS, PORTALS, SYNC_RUNS

if TYPE_CHECKING:
    from lu_data.store.store import Store


@dataclass(frozen=True)
class SnapshotFacts:
    """A portal's newest complete snapshot, without its frames."""

    snapshot_id: int
    fetched_at: datetime
    written_at: datetime
    sessions: int


@dataclass(frozen=True)
class PortalRecord:
    """One portal as the store knows it: its newest complete snapshot and its last sync run."""

    name: str
    snapshot: SnapshotFacts | None
    last_run: SyncRun | None


def read_portal_records(store: Store) -> dict[str, PortalRecord]:
    """Every portal in the store, by name: newest complete snapshot and last run (None if none)."""
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
    query = (
        sa.select(
            PORTALS.c.name,
            runs.run_id,
            runs.status,
            runs.started_at,
            runs.finished_at,
            runs.error,
            runs.sessions.label("run_sessions"),
            runs.holder,
            snaps.snapshot_id,
            snaps.fetched_at,
            snaps.written_at,
            snaps.sessions.label("snapshot_sessions"),
        )
        .select_from(PORTALS)
        .outerjoin(last_run, last_run.c.portal == PORTALS.c.name)
        .outerjoin(SYNC_RUNS, runs.run_id == last_run.c.run_id)
        .outerjoin(last_snap, last_snap.c.portal == PORTALS.c.name)
        .outerjoin(PORTAL_SNAPSHOTS, snaps.snapshot_id == last_snap.c.snapshot_id)
        .order_by(PORTALS.c.name)
    )
    with translated_errors(store.engine.url), store.engine.connect() as conn:
        rows = conn.execute(query).fetchall()
    return {row.name: _record_of(row) for row in rows}


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
        run = SyncRun(
            run_id=int(row.run_id),
            status=row.status,
            started_at=row.started_at,
            finished_at=row.finished_at,
            error=row.error,
            sessions=row.run_sessions,
            holder=row.holder,
        )
    return PortalRecord(name=row.name, snapshot=snapshot, last_run=run)
