"""A FullCalendar on a page (the Calendar and the Plan): the zone it draws in and the caption
saying it, the day it shows (moved by the page, kept in the URL) and the component itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import streamlit as st
from streamlit_calendar import calendar

from lu_data.presentation.display_zone import zone_label
from lu_data.presentation.time_text import date_text
from lu_data.views.calendar_events import (
    CALENDAR_CSS,
    LIST_VIEW,
    calendar_options,
    grid_zone,
    outside_range_events,
)
from ui.page_choices import calendar_day


def calendar_zone(mode: str, tz: str) -> str:
    """The zone the calendar draws `mode` in: week and day views put every session on one
    clock (the browser's, else UTC); month and list keep the sidebar's zone `tz`."""
    return grid_zone(mode, tz, getattr(st.context, "timezone", None))


def render_zone_caption(drawn_in: str, tz: str) -> None:
    """Say which zone the calendar's times are in, and why when it is not the sidebar's."""
    if drawn_in != tz:
        st.caption(
            f"Week and day views show times in {zone_label(drawn_in)} so sessions that run "
            "together sit together; each event also names the zone it runs in. Click an event "
            "for its details."
        )
    else:
        st.caption(
            f"Times in {zone_label(drawn_in)}; each event also names the zone it runs in. "
            "Click an event for its details."
        )


def render_calendar(
    events: list[dict[str, Any]],
    *,
    mode: str,
    tz: str,
    first_day: date | None,
    last_day: date | None,
    today: date,
    key: str,
    opens_on: date | None = None,
    callbacks: Sequence[str] = ("eventClick",),
) -> Any:
    """The calendar of `events` over first_day..last_day (other days shaded), opened on the day
    kept as `{key}_date` (Previous / Today / Next and a date box above it), or the whole span
    as a list; returns what the component sent back (an eventClick, or {}).
    """
    shown = None
    days = (first_day, last_day) if first_day is not None and last_day is not None else None
    if days is not None and mode == LIST_VIEW:
        # The list holds the whole range (or page of days): nothing to move through.
        st.caption(
            f"Every session from {date_text(days[0], weekday=False)} to "
            f"{date_text(days[1], weekday=False)}, day by day."
        )
    elif days is not None:  # the day shown, in the URL as ?date=
        shown = calendar_day(f"{key}_date", mode, *days, today, opens_on=opens_on)
    fallback = events[0]["start"][:10] if events else today.isoformat()
    start = shown or first_day or fallback
    return calendar(
        # Days outside the range (or the page of days shown) are shaded, one by one.
        events=events + outside_range_events(mode, first_day, last_day),
        options=calendar_options(mode, shown or first_day, today, days),
        custom_css=CALENDAR_CSS,
        # eventsSet/dateClick would rerun the script on every render; only clicks matter here.
        callbacks=list(callbacks),
        key=f"{key}_{mode}_{start}_{tz}",
    )
