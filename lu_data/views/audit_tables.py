"""The Audit page's tables: events as people read them, counts per person and kind, the
sentence that sums them up, and the raw events for the full-data CSV."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from lu_data.store.audit import EVENTS
from lu_data.store.audit_events import AuditQuery

EVENT_LABELS = {"sign-in": "Sign-in", "refused": "Refused", "download": "Download"}
ROLE_NAMES = {"admin": "Admin", "coordinator": "Coordinator", "tutor": "Tutor"}
# Who did what first (a download's rows and file beside the person), then where and how.
EVENT_TABLE_COLUMNS = (
    "When (UTC)",
    "Event",
    "Person",
    "Email",
    "Rows",
    "File",
    "Role",
    "Page",
    "Filters",
    "Found",
    "Reason",
    "Process",
)
NO_EVENTS_TEXT = "No audit events match these choices."


def event_label(event: str) -> str:
    """An event kind as the page names it ("download" → "Download")."""
    return EVENT_LABELS.get(event, event.replace("-", " ").capitalize())


def event_kinds(seen: list[str] | None = None) -> list[str]:
    """The kinds a filter offers: the known ones in order, then any other the log holds."""
    known = list(EVENTS)
    return known + sorted(set(seen or ()) - set(known))


def audit_table(events: pd.DataFrame) -> pd.DataFrame:
    """Events as the page shows them, newest first: when, what, who, where, how many."""
    if events.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in EVENT_TABLE_COLUMNS}).assign(
            **{"When (UTC)": pd.Series(dtype="datetime64[us, UTC]")}
        )
    email = events["email"].fillna("")
    return pd.DataFrame(
        {
            "When (UTC)": events["at"],
            "Event": events["event"].map(event_label),
            "Person": events["name"].where(events["name"].notna(), email),
            "Email": email,
            "Rows": events["rows"].map(rows_text),
            "File": events["file"].fillna(""),
            "Role": events["role"].map(lambda r: ROLE_NAMES.get(r, r or "")),
            "Page": events["page"].fillna(""),
            "Filters": events["filters"].map(filters_text),
            "Found": events["counts"].map(filters_text),
            "Reason": events["reason"].fillna(""),
            "Process": events["process"].fillna(""),
        }
    ).reset_index(drop=True)


def rows_text(rows: object) -> str:
    """A download's row count as the table shows it ("1,234"); empty for other events."""
    return "" if rows is None or pd.isna(rows) else f"{int(rows):,}"  # type: ignore[call-overload]


def filters_text(stored: str | None) -> str:
    """Stored JSON (a download's filters, what a merge or a check found) as one short line
    ("date_from 2026-11-27 · tz UTC", "merges 2 · kept 3")."""
    if not stored:
        return ""
    try:
        values = json.loads(stored)
    except ValueError:
        return str(stored)
    if not isinstance(values, dict):
        return str(values)
    parts = []
    for name, value in values.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"{name} {shown}")
    return " · ".join(parts)


def counts_table(counts: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Events per person (rows) and kind (columns), with a total; the busiest first.

    `counts` has email, event and events (lu_data.store.audit_events.count_audit_events);
    `names` maps an email to the name shown beside it.
    """
    if counts.empty:
        return pd.DataFrame(columns=["Person", "Email", "Total"])
    frame = counts.assign(email=counts["email"].fillna(""))
    wide = frame.pivot_table(
        index="email", columns="event", values="events", aggfunc="sum", fill_value=0
    )
    kinds = [k for k in event_kinds(list(wide.columns)) if k in wide.columns]
    wide = wide[kinds].astype("int64")
    wide.columns = [event_label(k) for k in kinds]
    wide["Total"] = wide.sum(axis=1)
    wide = wide.reset_index().rename(columns={"email": "Email"})
    wide.insert(0, "Person", wide["Email"].map(lambda e: (names or {}).get(e) or e or "(none)"))
    wide = wide.sort_values(["Total", "Email"], ascending=[False, True], kind="stable")
    return wide.reset_index(drop=True)


def audit_description(total: int, people: int, query: AuditQuery) -> str:
    """The sentence under the filters: "12 events · 3 people · 1 Nov 2026 – 30 Nov 2026"."""
    noun = "event" if total == 1 else "events"
    who = "person" if people == 1 else "people"
    parts = [f"{total:,} {noun}", f"{people:,} {who}"]
    if query.events:
        parts.append(", ".join(event_label(e) for e in query.events))
    parts.append(_days_text(query.date_from, query.date_to))
    return " · ".join(parts)


def _days_text(first: date | None, last: date | None) -> str:
    """A range of days as the sidebar writes one ("1 Nov 2026 – 30 Nov 2026")."""
    if first is None and last is None:
        return "all dates"
    start = f"{first:%-d %b %Y}" if first else "the start"
    end = f"{last:%-d %b %Y}" if last else "today"
    return f"{start} – {end} (UTC)"


def names_by_email(events: pd.DataFrame) -> dict[str, str]:
    """The newest name each email signed in with (from events that carry one)."""
    named = events.loc[events["name"].notna() & events["email"].notna(), ["email", "name"]]
    return dict(zip(named["email"][::-1], named["name"][::-1], strict=True))
