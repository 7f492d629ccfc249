"""Portals, sync runs and complete portal snapshots: the statements, each on a given connection.

The Store (lu_data.store.store) owns the transactions; these functions only say what to read
or write, so a snapshot and its enrolment-history rows can share one transaction.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lu_data.model.portal import Portal
from lu_data.model.schema import PORTAL_STATUS_DTYPES, empty_frame, enforce_dtypes
from lu_data.store.payload import FRAME_COLUMNS, portal_from_row, snapshot_values
from lu_data.store.sql_tables import (
    PORTAL_SNAPSHOTS,
    PORTALS,
    RUN_STATUSES,
    SYNC_RUNS,
    portals_last_run_and_snapshot,
)

ERROR_TEXT_LIMIT = 2000
HOLDER_LIMIT = 200  # sync_runs.holder's width
# user:password@ in any URL an error message quotes: dropped before the text is stored.
URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")


@dataclass(frozen=True)
class StoredSnapshot:
    """The newest complete snapshot of one portal, as read back."""

    snapshot_id: int
    name: str
    fetched_at: datetime
    written_at: datetime
    portal: Portal


@dataclass(frozen=True)
class SyncRun:
    """One sync of a portal: when it ran, how it ended, and the error when it failed."""

    run_id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    error: str | None
    sessions: int | None = None
    holder: str | None = None  # "hostname:pid" of the process that ran it


def scrub_error(text: str | None) -> str | None:
    """An error text safe to store: no credentials in URLs, at most ERROR_TEXT_LIMIT chars."""
    if text is None:
        return None
    return URL_CREDENTIALS.sub(r"\g<scheme>", text)[:ERROR_TEXT_LIMIT]


def this_process() -> str:
    """The "hostname:pid" naming this process among every host sharing the store."""
    return f"{socket.gethostname()}:{os.getpid()}"


def holder_text(holder: str | None) -> str | None:
    """A holder as stored: at most HOLDER_LIMIT characters."""
    return None if holder is None else holder[:HOLDER_LIMIT]


def save_portal(conn: Connection, name: str, base_url: str, *, replace: bool) -> None:
    """Insert the portals row; with replace, an existing row takes the new base_url."""
    insert = _dialect_insert(conn, PORTALS).values(
        name=name, base_url=base_url, created_at=datetime.now(UTC)
    )
    if replace:
        conn.execute(
            insert.on_conflict_do_update(index_elements=["name"], set_={"base_url": base_url})
        )
    else:
        conn.execute(insert.on_conflict_do_nothing(index_elements=["name"]))


def insert_run(conn: Connection, name: str, holder: str | None = None) -> int:
    """A new running sync_run of the portal, run by `holder` ("hostname:pid"); its run_id."""
    query = (
        SYNC_RUNS.insert()
        .values(
            portal=name, started_at=datetime.now(UTC), status="running", holder=holder_text(holder)
        )
        .returning(SYNC_RUNS.c.run_id)
    )
    return int(conn.execute(query).scalar_one())


def update_run(
    conn: Connection, run_id: int, *, status: str, sessions: int | None, error: str | None
) -> None:
    """End a sync run with its status, session count and (scrubbed) error."""
    if status not in RUN_STATUSES:
        raise ValueError(f"sync run status must be one of {', '.join(RUN_STATUSES)}")
    finished = None if status == "running" else datetime.now(UTC)
    done = conn.execute(
        SYNC_RUNS.update()
        .where(SYNC_RUNS.c.run_id == run_id)
        .values(status=status, finished_at=finished, sessions=sessions, error=scrub_error(error))
    )
    if done.rowcount == 0:
        raise ValueError(f"no sync run {run_id}")


def select_last_run(conn: Connection, name: str) -> SyncRun | None:
    """The portal's newest sync run."""
    c = SYNC_RUNS.c
    query = (
        sa.select(c.run_id, c.status, c.started_at, c.finished_at, c.error, c.sessions, c.holder)
        .where(c.portal == name)
        .order_by(c.run_id.desc())
        .limit(1)
    )
    row = conn.execute(query).first()
    return None if row is None else SyncRun(**row._asdict())


def insert_snapshot(conn: Connection, name: str, portal: Portal, run_id: int | None) -> int:
    """One portal_snapshots row holding the whole normalised portal; its snapshot_id."""
    query = (
        PORTAL_SNAPSHOTS.insert()
        .values(
            portal=name,
            run_id=run_id,
            fetched_at=pd.Timestamp(portal.fetched_at).to_pydatetime(),
            written_at=datetime.now(UTC),
            origin=portal.origin[:500],
            **snapshot_values(portal),
        )
        .returning(PORTAL_SNAPSHOTS.c.snapshot_id)
    )
    return int(conn.execute(query).scalar_one())


def apply_retention(conn: Connection, name: str, keep: int) -> None:
    """Keep the portal's newest `keep` complete snapshots (and as many newer partial ones)."""
    c = PORTAL_SNAPSHOTS.c
    for complete, which in ((True, c.portal == name), (False, ~c.complete)):
        oldest_kept = (
            sa.select(c.snapshot_id)
            .where(c.portal == name, c.complete == complete)
            .order_by(c.snapshot_id.desc())
            .limit(1)
            .offset(keep - 1)
            .scalar_subquery()
        )
        # Anything older than the oldest complete one kept goes; of partial snapshots (kept
        # for a look at what failed), only the newest `keep` stay too.
        conn.execute(
            PORTAL_SNAPSHOTS.delete().where(c.portal == name, which, c.snapshot_id < oldest_kept)
        )


def select_latest_ids(conn: Connection) -> dict[str, int]:
    """Portal name -> its newest complete snapshot id (an index-only query)."""
    c = PORTAL_SNAPSHOTS.c
    query = sa.select(c.portal, sa.func.max(c.snapshot_id)).where(c.complete).group_by(c.portal)
    return {str(name): int(sid) for name, sid in conn.execute(query)}


def select_snapshots(
    conn: Connection, names: Iterable[str] | None, ids: Iterable[int] | None = None
) -> dict[str, StoredSnapshot]:
    """The newest complete snapshot of each named portal (all portals when names is None), or
    exactly the snapshots `ids` names: a reader keyed by ids must get those, not newer ones."""
    latest = select_latest_ids(conn) if ids is None else {str(i): int(i) for i in ids}
    if names is not None and ids is None:
        wanted = set(names)
        latest = {name: sid for name, sid in latest.items() if name in wanted}
    if not latest:
        return {}
    c = PORTAL_SNAPSHOTS.c
    columns = [c.snapshot_id, c.portal, c.fetched_at, c.written_at, c.origin, c.complete]
    columns += [c.is_demo, c.quality, *(c[name] for name in FRAME_COLUMNS)]
    query = sa.select(*columns).where(c.snapshot_id.in_(list(latest.values())))
    out: dict[str, StoredSnapshot] = {}
    for row in conn.execute(query):
        out[row.portal] = StoredSnapshot(
            snapshot_id=int(row.snapshot_id),
            name=row.portal,
            fetched_at=row.fetched_at,
            written_at=row.written_at,
            portal=portal_from_row(row, row.origin, row.fetched_at, row.portal),
        )
    return dict(sorted(out.items()))


def select_status(conn: Connection) -> pd.DataFrame:
    """One row per portal: its last sync run and newest complete snapshot (PORTAL_STATUS_DTYPES)."""
    runs, snaps = SYNC_RUNS.c, PORTAL_SNAPSHOTS.c
    query = portals_last_run_and_snapshot(
        PORTALS.c.name,
        PORTALS.c.base_url,
        runs.status.label("last_run_status"),
        runs.started_at.label("last_run_started"),
        runs.finished_at.label("last_run_finished"),
        runs.error.label("last_error"),
        runs.holder.label("last_run_holder"),
        snaps.snapshot_id,
        snaps.fetched_at.label("snapshot_fetched_at"),
    )
    result = conn.execute(query)
    rows = result.fetchall()
    if not rows:
        return empty_frame(PORTAL_STATUS_DTYPES)
    frame = pd.DataFrame(rows, columns=list(result.keys()))
    for col in ("last_run_started", "last_run_finished", "snapshot_fetched_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    return enforce_dtypes(frame, PORTAL_STATUS_DTYPES)


def _dialect_insert(conn: Connection, table: sa.Table) -> Any:
    """The dialect's INSERT, which has on_conflict_do_nothing / on_conflict_do_update."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    raise ValueError(f"store: unsupported database {conn.dialect.name}")
