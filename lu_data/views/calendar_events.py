"""FullCalendar event dicts for sessions: naive display-zone times, status colours, plain text."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from lu_data.model.fill_status import STATUS_LABELS, percent_text
from lu_data.model.result_schemas import DETAILS_DTYPES
from lu_data.model.schema import NO_TUTOR, UNTITLED, empty_frame
from lu_data.model.timezones import is_valid_zone
from lu_data.presentation.display_zone import SESSION_ZONE, display_times, normalise_zone_choice
from lu_data.presentation.palette import (
    DIVIDER_COLOR,
    LIGHT_TEXT,
    PROPOSED_COLOR,
    PROPOSED_FILL,
    PROPOSED_TEXT,
    STATUS_COLORS,
    STATUS_TEXT_COLORS,
)
from lu_data.presentation.session_text import (
    PROPOSED_TITLE,
    location_labels,
    seats_text,
    start_texts,
)
from lu_data.presentation.time_text import day_text
from lu_data.views.session_tables import sessions_table

# The browser draws every event as DOM nodes: more than this many makes the page crawl.
MAX_EVENTS = 1000  # about 0.8 MB of event JSON: the page stays under 1 MB
# MIT-licensed FullCalendar views only; resource and timeline views need a commercial key.
# FullCalendar's list over a given span: every session of the range, not one month of it.
LIST_VIEW = "list"
CALENDAR_VIEWS: dict[str, str] = {
    "dayGridMonth": "Month",
    "timeGridWeek": "Week",
    "timeGridDay": "Day",
    LIST_VIEW: "List",
}
DEFAULT_VIEW = "dayGridMonth"
# Views that lay sessions on one clock: side by side means "at the same time" there.
TIME_GRID_VIEWS = ("timeGridWeek", "timeGridDay")
ISO_WALL = "%Y-%m-%dT%H:%M:%S"
HOUR_FORMAT = {"hour": "2-digit", "minute": "2-digit", "hour12": False}
DAY_HEADER = {"weekday": "short", "day": "numeric", "month": "short"}
# British English: day before month, no comma ("Tue 1 Dec", "1 – 7 Dec 2026"), as on every
# other page; FullCalendar formats its dates through the browser's Intl in this locale.
CALENDAR_LOCALE = "en-GB"
# A session running past midnight is one timed event; the day grid draws it as one bar from
# its first day to its last (the threshold: any time after midnight counts as a day).
NEXT_DAY_THRESHOLD = "00:00:00"
PROPOSED_CLASS = "lu-proposed"  # a proposed session's event: drawn dashed (CALENDAR_CSS)
PROPOSED_LABEL = "Proposed"
# A merge plan's sessions: the one freed (struck through, faded) and the one that takes its
# learners (a thick outline), each titled with a note naming the other.
MERGE_FROM_CLASS, MERGE_INTO_CLASS = "lu-merge-from", "lu-merge-into"
MERGE_FROM_LABEL, MERGE_INTO_LABEL = "Merged away", "Takes a merge"
# Card-like event blocks; FullCalendar's defaults are tuned for a white page with no chrome.
# Where a long session's bar wraps onto the next week's row, FullCalendar would label that
# piece with the row's midnight ("00:00"): only the piece holding the real start shows a time.
CALENDAR_CSS = """
.fc-event { font-size: 0.78rem; cursor: pointer; }
.fc-daygrid-event .fc-event-time { flex-shrink: 0; }
.fc-daygrid-event:not(.fc-event-start) .fc-event-time { display: none; }
.fc-daygrid-event .fc-event-title { overflow: hidden; text-overflow: ellipsis; }
.fc-toolbar-title { font-size: 1.25rem; }
.fc-event.lu-proposed { border-style: dashed; border-width: 2px; font-weight: 600; }
.fc-event.lu-merge-from { opacity: 0.6; border-style: dotted; border-width: 2px; }
.fc-event.lu-merge-from .fc-event-title, .fc-event.lu-merge-from .fc-list-event-title {
  text-decoration: line-through; }
.fc-event.lu-merge-into { border-width: 3px; border-color: #0f172a !important; font-weight: 600; }
"""


@dataclass(frozen=True)
class CalendarWindow:
    """The whole display-zone days the calendar can show at once, and their sessions."""

    sessions: pd.DataFrame
    first_day: date | None
    last_day: date | None
    total: int  # sessions in the whole filtered view
    day_capped: bool  # the first day alone has more sessions than the calendar can draw


def sessions_days(sessions: pd.DataFrame, tz: str) -> list[date]:
    """The distinct days, in the display zone, on which the sessions start, in order."""
    day = display_times(sessions, tz)["start_display"].dt.normalize().dropna()
    return [d.date() for d in day.drop_duplicates().sort_values()]


def calendar_window(
    sessions: pd.DataFrame, tz: str, start: date | None = None, limit: int = MAX_EVENTS
) -> CalendarWindow:
    """Sessions of the whole days from `start` on (display zone) that fit in `limit` events.

    Cutting at a day boundary, and telling the calendar the window ends there, keeps a day
    from looking empty (or half full) only because its events were not sent.
    """
    day = display_times(sessions, tz)["start_display"].dt.normalize()
    if start is not None:
        day = day.where(day >= pd.Timestamp(start))
    per_day = day.value_counts().sort_index()
    if per_day.empty:
        return CalendarWindow(sessions.iloc[:0], None, None, len(sessions), False)
    fits = per_day.cumsum() <= limit
    days = per_day.index[fits] if fits.iloc[0] else per_day.index[:1]
    first, last = days[0], days[-1]
    rows = sessions.loc[((day >= first) & (day <= last)).fillna(False).to_numpy()]
    if len(days) < len(per_day):  # days without sessions up to the next one are shown too
        last = per_day.index[len(days)] - pd.Timedelta(days=1)
    return CalendarWindow(rows, first.date(), last.date(), len(sessions), not fits.iloc[0])


def grid_zone(view: str, tz: str, browser: str | None) -> str:
    """The zone `view` draws in: time grids put every session on one clock.

    In "each session's own zone", Sydney 08:00 and Mumbai 09:00 would sit side by side on a
    time grid as if they ran together; there the browser's zone (UTC when it is not known)
    is used instead. Month and list views, and any single display zone, stay as chosen.
    """
    if view not in TIME_GRID_VIEWS or normalise_zone_choice(tz) != SESSION_ZONE:
        return tz
    return browser if browser and is_valid_zone(browser) else "UTC"


def calendar_events(
    sessions: pd.DataFrame,
    tz: str,
    limit: int = MAX_EVENTS,
    proposed: Collection[str] = (),
    freed: Mapping[str, str] | None = None,
    joined: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """FullCalendar events for the first `limit` sessions by start, in the display zone.

    Times are naive wall-clock ISO strings already converted here; the calendar must run
    with timeZone "UTC" so it shows them unchanged. A session over several days is one
    event from its real start to its real end, its last day and end time in the title.
    Sessions whose keys are in `proposed` are drafts (a plan's proposals): titled
    "Proposed: …", outlined dashed in their own colour instead of a fill status. A merge
    plan's sessions carry a note before their title: `freed` (key → "Merge into …: ") struck
    through, `joined` (key → "+2 learners from …: ") outlined.
    """
    if sessions.empty:
        return []
    rows = sessions.sort_values(["start_utc", "session_key"], kind="stable").head(limit)
    when = start_texts(rows, tz)
    # The last moment of the session names its last day: an end at 00:00 closes the day before.
    last_day = (when["end"] - pd.Timedelta(microseconds=1)).dt.normalize()
    multi_day = (last_day > when["start"].dt.normalize()).fillna(False)
    until = " · until " + day_text(when["end"], year=False) + " " + when["end"].dt.strftime("%H:%M")
    when_text = when["both"].where(~multi_day, when["both"] + until.fillna(""))
    title = rows["title"].fillna(UNTITLED).astype("str")
    tutor = rows["tutor_name"].fillna(NO_TUTOR).astype("str")
    location = location_labels(rows).astype("str")
    seats = seats_text(rows)
    status = rows["status"].astype("str")
    label = rows["status"].map(STATUS_LABELS).astype("str")
    color = status.map(STATUS_COLORS).fillna(STATUS_COLORS["no_limit"])
    text_color = status.map(STATUS_TEXT_COLORS).fillna(LIGHT_TEXT)
    draft = rows["session_key"].isin(list(proposed)).to_numpy()
    title = title.where(~draft, PROPOSED_TITLE + title)
    label = label.where(~draft, PROPOSED_LABEL)
    keys = rows["session_key"].astype("str")
    merged_from = keys.map(freed or {}).astype("object")
    merged_into = keys.map(joined or {}).astype("object")
    gone, taking = merged_from.notna().to_numpy(), merged_into.notna().to_numpy()
    title = title.where(~gone, merged_from.fillna("") + title)
    title = title.where(~taking, merged_into.fillna("") + title)
    label = label.where(~gone, MERGE_FROM_LABEL).where(~taking, MERGE_INTO_LABEL)
    top = pd.DataFrame(
        {
            "id": rows["session_key"].astype("str"),
            "title": title + " · " + seats + " · " + tutor + " · " + location + " · " + when_text,
            "start": when["start"].dt.strftime(ISO_WALL),
            "end": when["end"].dt.strftime(ISO_WALL),
            "allDay": False,
            "backgroundColor": color.where(~draft, PROPOSED_FILL),
            "borderColor": color.where(~draft, PROPOSED_COLOR),
            "textColor": text_color.where(~draft, PROPOSED_TEXT),
        }
    )
    if draft.any() or gone.any() or taking.any():
        classes = (PROPOSED_CLASS, MERGE_FROM_CLASS, MERGE_INTO_CLASS)
        # only a plan's calendar has them: every other page's events stay as they were
        top["classNames"] = [
            [c for c, on in zip(classes, flags, strict=True) if on]
            for flags in zip(draft, gone, taking, strict=True)
        ]
    extended = pd.DataFrame(
        {
            "session_key": rows["session_key"].astype("str"),
            "title": title,
            "tutor": tutor,
            "location": location,
            "seats": seats,
            "status": status,
            "status_label": label,
            "day": when["day"],
            "start_display": when["display"],
            "start_own": when["own"],
            "when": when_text,
            "proposed": draft,
        }
    )
    # One dict per event is the component's contract; the rows are already capped.
    return [
        {**{str(k): v for k, v in event.items()}, "extendedProps": props}
        for event, props in zip(top.to_dict("records"), extended.to_dict("records"), strict=True)
    ]


# What one step of the calendar's Previous / Next moves, per view: months or days.
VIEW_STEPS: dict[str, tuple[str, int]] = {
    "dayGridMonth": ("month", 1),
    "timeGridWeek": ("week", 7),
    "timeGridDay": ("day", 1),
}


def step_day(view: str, day: date, steps: int) -> date:
    """The day `steps` periods of `view` from `day`: a month (to its 1st), a week or a day."""
    unit, days = VIEW_STEPS.get(view, ("month", 1))
    if unit != "month":
        return day + timedelta(days=days * steps)
    months = day.year * 12 + day.month - 1 + steps
    return date(months // 12, months % 12 + 1, 1)


def clamp_day(day: date, first: date, last: date) -> date:
    """`day`, moved into first..last."""
    return min(max(day, first), last)


# Days outside the range are shaded like FullCalendar's own disabled days; only those days.
OUTSIDE_RANGE_COLOR = DIVIDER_COLOR
# Far enough either side to cover any view's spill-over (a month view shows six weeks).
OUTSIDE_RANGE_REACH = timedelta(days=42)


def outside_range_events(view: str, first: date | None, last: date | None) -> list[dict[str, Any]]:
    """Background events shading the days before `first` and after `last`, and no others.

    FullCalendar's `validRange` is not used: the page keeps the calendar in range itself, and
    shading is per day, so the days of a month shown that are in range stay unshaded. Time
    grids shade the whole day in their time slots (timed events); day grids the day cells.
    """
    spans = []
    if first is not None:
        spans.append((first - OUTSIDE_RANGE_REACH, first))
    if last is not None:
        after = last + timedelta(days=1)
        spans.append((after, after + OUTSIDE_RANGE_REACH))
    timed = view in TIME_GRID_VIEWS
    return [
        {
            "start": start.isoformat() + ("T00:00:00" if timed else ""),
            "end": end.isoformat() + ("T00:00:00" if timed else ""),
            "allDay": not timed,
            "display": "background",
            "backgroundColor": OUTSIDE_RANGE_COLOR,
            "classNames": ["lu-outside-range"],
        }
        for start, end in spans
    ]


def calendar_options(
    view: str, opens_on: date | None, today: date, days: tuple[date, date] | None = None
) -> dict[str, Any]:
    """FullCalendar options: one MIT view, display times unshifted, opened on `opens_on`.

    The page moves the calendar (its Previous / Next and date box, kept in the URL) and keeps
    it in range, so the calendar's own toolbar only titles it; the days outside the range are
    shaded by `outside_range_events`. The list covers `days` (first, last) whole, when given.
    """
    if view not in CALENDAR_VIEWS:
        choices = ", ".join(CALENDAR_VIEWS)
        raise ValueError(f"unknown calendar view '{view}': choose one of {choices}")
    options: dict[str, Any] = {
        "initialView": view,
        # Times arrive as display-zone wall clock; "UTC" tells FullCalendar not to shift them.
        "timeZone": "UTC",
        "now": today.isoformat(),
        "firstDay": 1,
        "locale": CALENDAR_LOCALE,
        "headerToolbar": {"left": "", "center": "title", "right": ""},
        "eventTimeFormat": HOUR_FORMAT,
        "slotLabelFormat": HOUR_FORMAT,
        # Dated column headers only where a column is one day; month columns are weekdays.
        "views": {
            **{v: {"dayHeaderFormat": DAY_HEADER} for v in TIME_GRID_VIEWS},
            "dayGridMonth": {"nextDayThreshold": NEXT_DAY_THRESHOLD},
        },
        "eventDisplay": "block",
        "dayMaxEvents": 4,
        "height": 760,
        "scrollTime": "07:00:00",
        "editable": False,
        "selectable": False,
        "navLinks": False,
    }
    if opens_on is not None:
        options["initialDate"] = opens_on.isoformat()
    if view == LIST_VIEW:
        first, last = days or _month_of(opens_on or today)
        options["visibleRange"] = {
            "start": first.isoformat(),
            "end": (last + timedelta(days=1)).isoformat(),  # FullCalendar's end is exclusive
        }
        options["initialDate"] = first.isoformat()
    return options


def _month_of(day: date) -> tuple[date, date]:
    """The first and last day of the month holding `day`."""
    after = step_day("dayGridMonth", day, 1)
    return date(day.year, day.month, 1), after - timedelta(days=1)


def clicked_session_key(state: Any) -> str | None:
    """The session key of an eventClick the calendar component sent back, else None."""
    if not isinstance(state, dict) or state.get("callback") != "eventClick":
        return None
    event = (state.get("eventClick") or {}).get("event") or {}
    key = event.get("id") or (event.get("extendedProps") or {}).get("session_key")
    return str(key) if key else None


def session_details(sessions: pd.DataFrame, key: str, tz: str) -> pd.DataFrame:
    """One session as Field/Value rows (plain text), with times in both zones."""
    rows = sessions.loc[sessions["session_key"] == key]
    if rows.empty:
        return empty_frame(DETAILS_DTYPES)
    table = sessions_table(rows.head(1), tz, with_utc=True)
    when = start_texts(rows.head(1), tz).iloc[0]
    values = table.iloc[0].astype("str")
    fill = rows["fill_rate"].iloc[0]
    values["Fill"] = percent_text(fill, missing="n/a (no limit)")
    extra = pd.Series(
        {"Starts": f"{when['day']} {when['both']}", "Seats": seats_text(rows.head(1)).iloc[0]}
    )
    out = pd.concat([extra, values.drop(labels=["Start", "End", "Zone"])])
    return pd.DataFrame({"Field": out.index, "Value": out.to_numpy()})
