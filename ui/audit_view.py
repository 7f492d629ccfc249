"""The Audit page's glue: its filters (person, kind, days) kept in the URL, the reads from the
shared store, and the events table with its two CSVs (each download itself audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from lu_data.exports.csv import to_csv_bytes
from lu_data.exports.file_names import date_range_text
from lu_data.store.audit import pending_audit
from lu_data.store.audit_events import (
    AuditQuery,
    audit_people,
    count_audit_events,
    read_audit_events,
)
from lu_data.store.store import default_url
from lu_data.views.audit_tables import audit_table, event_kinds, event_label
from ui.downloads import offer_download
from ui.page_choices import page_choices, show_choice
from ui.store_view import STORE_ERRORS, shared_store
from ui.table_view import MAX_TABLE_ROWS, shown_frame, table_height

QP_PERSON, QP_EVENT = "person", "event"  # repeated: ?person=a@x.org&person=b@x.org
QP_AUDIT_FROM, QP_AUDIT_TO = "audit_from", "audit_to"  # the days, apart from the sidebar's
PERSON_HELP = "Everyone the audit log names, by the email address they signed in with"
DEFAULT_DAYS_SHOWN = 30  # a first visit shows the last 30 days, today included
# Pixels: a range "2026-11-08 – 2026-12-07" and its icon need 230; all three fit in the
# 560 px beside the sidebar at 1024 px (wider screens keep them at these widths).
PERSON_WIDTH, EVENT_WIDTH, DAYS_WIDTH = 165, 190, 230  # Event fits "Download" and a second kind
AUDIT_COLUMN_CONFIG: dict[str, Any] = {
    "When (UTC)": st.column_config.DatetimeColumn(
        "When (UTC)", format="YYYY-MM-DD HH:mm:ss", width=140
    ),
    "Event": st.column_config.TextColumn("Event", width=80),
    "Person": st.column_config.TextColumn("Person", width=110),
    "Email": st.column_config.TextColumn("Email", width=210),
    "Rows": st.column_config.TextColumn("Rows", width=60, alignment="right"),
    "Page": st.column_config.TextColumn("Page", width=130),
    "Filters": st.column_config.TextColumn("Filters", width="medium"),
}


@dataclass(frozen=True)
class AuditRead:
    """What the page shows: the newest events, the counts, and how many there are in all."""

    events: pd.DataFrame
    counts: pd.DataFrame
    total: int
    waiting: int  # events this server keeps in memory until the store answers


def audit_today() -> date:
    """Today in UTC, by the real clock: the audit log records real times, never a pinned day."""
    return datetime.now(UTC).date()


def audit_store_people() -> tuple[list[str], str | None]:
    """Every person the log names, and an error text when the store cannot be read."""
    try:
        return audit_people(shared_store(default_url())), None
    except STORE_ERRORS as exc:
        return [], f"The audit log cannot be read: {exc}"


def audit_filters(people: list[str], today: date) -> AuditQuery:
    """The person, event-kind and date filters, in a row, each mirrored in the URL."""
    kinds = event_kinds()
    # One wrapping row: at 1024 px beside the sidebar the date range moves under the others
    # rather than being cut.
    row = st.container(horizontal=True, wrap=True, vertical_alignment="bottom", gap="small")
    page_choices("audit_people", QP_PERSON, people)
    emails = row.multiselect(
        "Person",
        people,
        key="audit_people",
        placeholder="Everyone",
        help=PERSON_HELP,
        width=PERSON_WIDTH,
    )
    page_choices("audit_events", QP_EVENT, kinds)
    events = row.multiselect(
        "Event",
        kinds,
        key="audit_events",
        format_func=event_label,
        placeholder="Every kind",
        width=EVENT_WIDTH,
    )
    first, last = _audit_days(row, today)
    return AuditQuery(
        emails=tuple(emails),
        events=tuple(events),
        date_from=first,
        date_to=last,
    )


def _audit_days(where: Any, today: date) -> tuple[date | None, date | None]:
    """The range of days (UTC), seeded from ?audit_from / ?audit_to and written back."""
    start = today - timedelta(days=DEFAULT_DAYS_SHOWN - 1)
    if "audit_days" not in st.session_state:
        # A link with its days the wrong way round means the same range.
        linked = sorted((_qp_date(QP_AUDIT_FROM) or start, _qp_date(QP_AUDIT_TO) or today))
        st.session_state["audit_days"] = tuple(linked)
    picked = where.date_input("Days (UTC)", key="audit_days", format="YYYY-MM-DD", width=DAYS_WIDTH)
    days = tuple(picked) if isinstance(picked, (tuple, list)) else (picked,)
    first = days[0] if days else None
    last = days[1] if len(days) > 1 else first
    show_choice(QP_AUDIT_FROM, first, start, date.isoformat)
    show_choice(QP_AUDIT_TO, last, today, date.isoformat)
    return first, last


def _qp_date(name: str) -> date | None:
    try:
        return date.fromisoformat(st.query_params.get(name, ""))
    except ValueError:
        return None


def read_audit(query: AuditQuery) -> AuditRead:
    """The newest MAX_TABLE_ROWS events matching query and the counts of all of them.

    Raises one of STORE_ERRORS when the store cannot be read.
    """
    store = shared_store(default_url())
    counts = count_audit_events(store, query)
    events = read_audit_events(store, query, limit=MAX_TABLE_ROWS)
    return AuditRead(events, counts, int(counts["events"].sum()), pending_audit())


def render_audit_events(read: AuditRead, query: AuditQuery) -> None:
    """The events table, newest first, and its Full data and As shown CSVs of every match."""
    table = audit_table(read.events)
    st.dataframe(
        table,
        hide_index=True,
        column_config=AUDIT_COLUMN_CONFIG,
        key="audit_table",
        height=table_height(len(table)),
    )
    if read.total > len(table):
        st.caption(
            f"Showing the newest {len(table):,} of {read.total:,} events; both CSVs hold all."
        )
    days = date_range_text(query.date_from, query.date_to)
    filters = {
        "people": list(query.emails),
        "events": list(query.events),
        "date_from": query.date_from,
        "date_to": query.date_to,
    }

    def every_event() -> pd.DataFrame:
        return read_audit_events(shared_store(default_url()), query)

    def build() -> bytes:
        return to_csv_bytes(every_event())

    def build_shown() -> bytes:
        return to_csv_bytes(shown_frame(audit_table(every_event()), AUDIT_COLUMN_CONFIG))

    with st.container(horizontal=True, gap="small"):
        offer_download(
            None,
            "Full data (CSV)",
            build,
            rows=read.total,
            filters=filters,
            help=f"Download these {read.total:,} events with every field: ISO 8601 times in "
            "UTC, the filters of each download as JSON (UTF-8, opens in Excel)",
            key="audit_csv",
            mime="text/csv",
            icon=":material/download:",
            file_name=f"ilt-audit_{days}.csv",
        )
        offer_download(
            None,
            "As shown",
            build_shown,
            rows=read.total,
            filters=filters,
            help=f"Download these {read.total:,} events as the table shows them (CSV, UTF-8)",
            key="audit_shown_csv",
            mime="text/csv",
            icon=":material/table_view:",
            file_name=f"ilt-audit-as-shown_{days}.csv",
        )
