"""Display tables: sessions as a person reads them, times in the chosen zone with their zone."""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
import pandas as pd

from lu_data.model.fill_status import STATUS_LABELS, percent_text
from lu_data.model.schema import MODULE_KIND_LABELS, NO_TUTOR, UNTITLED
from lu_data.presentation.display_zone import SESSION_ZONE, display_times
from lu_data.presentation.session_text import location_labels, seats_fill_text
from lu_data.presentation.time_text import zone_text

RISK_TITLE_CHARS = 70  # longer titles are cut in the at-risk digest; tables show them whole
SESSION_TABLE_COLUMNS = [
    "Start",
    "End",
    "Zone",
    "Title",
    "Tutor",
    "Location",
    "Capacity",
    "Enrolled",
    "Seats left",
    "Fill",
    "Status",
    "Kind",
    "Session key",
]

# What a coordinator decides from, left to right: when (start, zone), what, who, then the
# numbers to act on. Every other column keeps its order after these.
SEATS = "Seats"  # "12/20 · 60%": enrolled/capacity and fill in one narrow column, on screen only
PROJECTED = "Projected"  # "16/20 · 80%": projected enrolled/capacity and projected fill, alike
DECISION_COLUMNS = [
    "Start",
    "Zone",
    "Title",
    "Tutor",
    SEATS,
    PROJECTED,
    "Projected fill",
    "Projected enrolled",
    "Enrolled",
    "Capacity",
    "Fill",
    "Fill today",
    "Seats left",
    "Status",
]


def decision_first(table: pd.DataFrame) -> pd.DataFrame:
    """A table of sessions as drawn: DECISION_COLUMNS first, the rest after, in their order.

    Beside the sidebar at 1024 px a table has about 560 px: start, zone, a bounded title, the
    tutor and one "Seats" column ("12/20 · 60%", from Enrolled, Capacity and Fill or Fill
    today) fit there, with "Projected" beside it in a fill-pace table; the separate numbers
    follow. Only tables of sessions (those with a
    Start) change; roll-ups keep their own order. Exports keep theirs: this is for the screen.
    """
    if "Start" not in table.columns:
        return table
    fill = "Fill" if "Fill" in table.columns else "Fill today"
    if {"Enrolled", "Capacity", fill} <= set(table.columns):
        table = table.assign(
            **{SEATS: seats_fill_text(table["Enrolled"], table["Capacity"], table[fill])}
        )
    if {"Projected enrolled", "Projected fill", "Capacity"} <= set(table.columns):
        projected = seats_fill_text(
            table["Projected enrolled"], table["Capacity"], table["Projected fill"]
        )
        table = table.assign(
            **{PROJECTED: projected.where(table["Projected enrolled"].notna(), "n/a")}
        )
    lead = [c for c in DECISION_COLUMNS if c in table.columns]
    return table[lead + [c for c in table.columns if c not in lead]]


def sessions_table(
    sessions: pd.DataFrame, tz: str = SESSION_ZONE, *, with_utc: bool = False
) -> pd.DataFrame:
    """The sessions as a display table: start/end in the display zone, its label, seats, status."""
    shown = display_times(sessions, tz)
    table = pd.DataFrame(
        {
            "Start": shown["start_display"],
            "End": shown["end_display"],
            "Zone": zone_text(shown["display_abbr"], shown["display_offset"]),
            "Title": sessions["title"].fillna(UNTITLED),
            "Tutor": sessions["tutor_name"].fillna(NO_TUTOR),
            "Location": location_labels(sessions),
            "Capacity": sessions["max_capacity"],
            "Enrolled": sessions["enrolled"],
            "Seats left": sessions["seats_left"],
            "Fill": sessions["fill_rate"],
            "Status": sessions["status"].map(STATUS_LABELS).astype("str"),
            "Kind": sessions["module_kind"].map(MODULE_KIND_LABELS).astype("str"),
            "Session key": sessions["session_key"],
        },
        index=sessions.index,
    )
    if "portal" in sessions and sessions["portal"].nunique() > 1:  # only a view of several
        table.insert(len(table.columns) - 1, "Portal", sessions["portal"])
    if with_utc:
        table.insert(3, "Start (UTC)", sessions["start_utc"].dt.tz_localize(None))
        table.insert(4, "Own zone start", sessions["start_local"])
        table.insert(
            5,
            "Own zone",
            sessions["tz"] + " · " + zone_text(sessions["tz_abbr"], sessions["utc_offset"]),
        )
    return table.reset_index(drop=True)


def risk_lines(table: pd.DataFrame, title_chars: int = RISK_TITLE_CHARS) -> list[str]:
    """One plain line per at-risk session: start, zone, title, seats and (projected) fill.

    Takes a sessions table or a fill-pace table; titles are put on one line and shortened,
    so no title can pass for a line of its own.
    """
    projected = "Projected fill" in table
    fills = table["Projected fill" if projected else "Fill"]
    lines = []
    for start, zone, title, enrolled, capacity, fill in zip(
        table["Start"],
        table["Zone"],
        table["Title"],
        table["Enrolled"],
        table["Capacity"],
        fills,
        strict=True,
    ):
        when = f"{start:%a} {start.day} {start:%b %Y, %H:%M}" if pd.notna(start) else "no start"
        title = " ".join(str(title).split())
        if len(title) > title_chars:
            title = title[: title_chars - 1].rstrip() + "…"
        fill_text = percent_text(fill)
        fill_text = f"projected {fill_text} full" if projected else f"{fill_text} full"
        seats = f"{_count(enrolled)} of {_count(capacity)} seats"
        lines.append(f"{when} {zone} · {title} · {seats} · {fill_text}")
    return lines


def _count(value: object) -> str:
    return f"{int(float(value)):,}" if isinstance(value, Real) and not math.isnan(value) else "?"


def soonest_rows(table: pd.DataFrame, sessions: pd.DataFrame, n: int) -> pd.DataFrame:
    """The n rows of a table (with a "Session key" column) whose sessions start first.

    Ordered by the instant, not the clock: tables list each session at its own zone's wall
    clock, where 08:30 EST sorts before 09:00 GMT though it starts four and a half hours later.
    Ties keep the table's order.
    """
    starts = sessions.set_index("session_key")["start_utc"].reindex(table["Session key"])
    order = np.argsort(starts.to_numpy(dtype="datetime64[us]"), kind="stable")
    return table.iloc[order[:n]]
