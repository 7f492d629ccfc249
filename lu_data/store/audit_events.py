"""The audit log's rows in the store: written (a sign-in once), read by person, kind and dates,
counted, and pruned by age.

lu_data.store.audit decides when to write (and keeps events while the store is down); this
module only says what to write and read. Every function takes an open Store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa

from lu_data.model.schema import UTC_DT
from lu_data.store.engine import insert_ignore, write_transaction
from lu_data.store.errors import translated_errors
from lu_data.store.sql_tables import AUDIT_EVENTS
from lu_data.store.store import Store

# The columns of an event as read back, newest first; `filters` and `counts` stay JSON text.
AUDIT_COLUMNS = (
    "at",
    "event",
    "email",
    "name",
    "role",
    "page",
    "file",
    "rows",
    "filters",
    "counts",
    "reason",
    "process",
)
TEXT_LIMITS = {c.name: c.type.length for c in AUDIT_EVENTS.columns if hasattr(c.type, "length")}


@dataclass(frozen=True)
class AuditEvent:
    """One audit event as stored: the fixed fields only, so nothing else can get in."""

    at: datetime
    event: str
    email: str | None = None
    name: str | None = None
    role: str | None = None
    page: str | None = None
    file: str | None = None
    rows: int | None = None
    filters: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)  # what a merge or a check found
    reason: str | None = None
    process: str | None = None
    sign_in_key: str | None = None  # SHA-256 naming one sign-in: stored once however often seen

    def record(self) -> dict[str, Any]:
        """The event as JSON-ready values: the fields that have one, time first (ISO, UTC)."""
        out: dict[str, Any] = {"at": self.at.astimezone(UTC).isoformat(timespec="seconds")}
        for name in AUDIT_COLUMNS[1:]:
            value = getattr(self, name)
            if value not in (None, "", {}):
                out[name] = value
        return out


@dataclass(frozen=True)
class AuditQuery:
    """Which events to read: people (emails), kinds, and a range of UTC days (both kept)."""

    emails: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None


def insert_audit_events(store: Store, events: Sequence[AuditEvent]) -> int:
    """Write events in one transaction, oldest first; a sign-in already stored adds nothing.

    Returns the rows added. Raises StoreError when the store cannot be written.
    """
    if not events:
        return 0
    added = 0
    with translated_errors(store.engine.url), write_transaction(store.engine) as conn:
        for event in events:
            result = conn.execute(insert_ignore(conn, AUDIT_EVENTS).values(**_row(event)))
            added += max(result.rowcount or 0, 0)
    return added


def read_audit_events(
    store: Store, query: AuditQuery | None = None, *, limit: int | None = None
) -> pd.DataFrame:
    """The events matching query, newest first (at most `limit`), columns AUDIT_COLUMNS."""
    c = AUDIT_EVENTS.c
    select = sa.select(*(c[name] for name in AUDIT_COLUMNS)).where(*_conditions(query))
    select = select.order_by(c.at.desc(), c.event_id.desc())
    if limit is not None:
        select = select.limit(limit)
    with translated_errors(store.engine.url), store.engine.connect() as conn:
        rows = conn.execute(select).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=list(AUDIT_COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"], utc=True).astype(UTC_DT)
    frame["rows"] = pd.to_numeric(frame["rows"]).astype("Int64")
    for name in AUDIT_COLUMNS[1:]:
        if name != "rows":
            frame[name] = frame[name].astype("object").where(frame[name].notna(), None)
    return frame


def count_audit_events(store: Store, query: AuditQuery | None = None) -> pd.DataFrame:
    """How many events each person has of each kind: columns email, event, events."""
    c = AUDIT_EVENTS.c
    select = (
        sa.select(c.email, c.event, sa.func.count().label("events"))
        .where(*_conditions(query))
        .group_by(c.email, c.event)
        .order_by(c.email, c.event)
    )
    with translated_errors(store.engine.url), store.engine.connect() as conn:
        rows = conn.execute(select).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["email", "event", "events"])
    frame["events"] = frame["events"].astype("int64")
    return frame


def audit_people(store: Store) -> list[str]:
    """Every email address the audit log names, sorted: the choices of a person filter."""
    c = AUDIT_EVENTS.c
    select = sa.select(c.email).where(c.email.is_not(None)).distinct().order_by(c.email)
    with translated_errors(store.engine.url), store.engine.connect() as conn:
        return [str(email) for email in conn.execute(select).scalars()]


def prune_audit_events(store: Store, *, days: int, now: datetime | None = None) -> int:
    """Delete the events older than `days` days; how many went."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    delete = AUDIT_EVENTS.delete().where(AUDIT_EVENTS.c.at < cutoff)
    with translated_errors(store.engine.url), write_transaction(store.engine) as conn:
        return max(conn.execute(delete).rowcount or 0, 0)


def _row(event: AuditEvent) -> dict[str, Any]:
    """The event as column values: texts cut to their column's width, filters and counts as
    JSON."""
    values: dict[str, Any] = {"at": event.at.astimezone(UTC), "rows": event.rows}
    for name in ("event", "email", "name", "role", "page", "file", "reason", "process"):
        text = getattr(event, name)
        values[name] = None if text in (None, "") else str(text)[: TEXT_LIMITS[name]]
    for name in ("filters", "counts"):
        found = getattr(event, name)
        values[name] = (
            json.dumps(found, ensure_ascii=False, sort_keys=True, default=str) if found else None
        )
    values["sign_in_key"] = event.sign_in_key
    return values


def _conditions(query: AuditQuery | None) -> list[sa.ColumnElement[bool]]:
    """WHERE terms for a query: any of its people, any of its kinds, within its days."""
    if query is None:
        return []
    c = AUDIT_EVENTS.c
    terms: list[sa.ColumnElement[bool]] = []
    if query.emails:
        terms.append(c.email.in_(list(query.emails)))
    if query.events:
        terms.append(c.event.in_(list(query.events)))
    if query.date_from is not None:
        terms.append(c.at >= datetime.combine(query.date_from, time.min, UTC))
    if query.date_to is not None:
        terms.append(c.at < datetime.combine(query.date_to + timedelta(days=1), time.min, UTC))
    return terms
