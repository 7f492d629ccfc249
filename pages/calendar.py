"""Calendar: sessions by month, week, day or list, coloured by fill status, plus a timeline."""

import streamlit as st
from streamlit_calendar import calendar

import ui
from lu_data.exports.csv import sessions_export
from lu_data.exports.ics import sessions_ics
from lu_data.figures.schedule import TIMELINE_BY, TOP_ROWS, timeline_figure, timeline_frame
from lu_data.presentation.display_zone import zone_label
from lu_data.presentation.time_text import date_text
from lu_data.views.calendar_events import (
    CALENDAR_CSS,
    CALENDAR_VIEWS,
    DEFAULT_VIEW,
    LIST_VIEW,
    MAX_EVENTS,
    calendar_events,
    calendar_options,
    calendar_window,
    clicked_session_key,
    grid_zone,
    outside_range_events,
    session_details,
    sessions_days,
)

view = ui.start_page("Calendar")
sessions = view.sessions

mode = ui.segmented_choice(
    "View", CALENDAR_VIEWS, key="calendar_mode", param="view", default=DEFAULT_VIEW
)
# Week and day views put every session on one clock; month and list keep the sidebar's zone.
tz = grid_zone(mode, view.tz, getattr(st.context, "timezone", None))
window = ui.memo(view, calendar_window, sessions, tz)
if len(window.sessions) < len(sessions):
    # Too many to draw at once: page through whole days instead of silently cutting off.
    days = ui.memo(view, sessions_days, sessions, tz)
    if st.session_state.get("calendar_from") not in days:
        st.session_state.pop("calendar_from", None)  # the filters moved past the picked day
    ui.calendar_from_link("calendar_from", days)  # a linked ?date= opens the page holding it
    shown_from = st.select_slider(
        "Show the calendar from",
        options=days,
        key="calendar_from",
        format_func=date_text,
    )
    window = ui.memo(view, calendar_window, sessions, tz, shown_from)
paged = len(window.sessions) < len(sessions)
events = ui.memo(view, calendar_events, window.sessions, tz)
if tz != view.tz:
    st.caption(
        f"Week and day views show times in {zone_label(tz)} so sessions that run together "
        "sit together; each event also names the zone it runs in. Click an event for its details."
    )
else:
    st.caption(
        f"Times in {zone_label(tz)}; each event also names the zone it runs in. "
        "Click an event for its details."
    )
ui.render_status_legend()
if paged:
    span = (
        date_text(window.first_day)
        if window.last_day == window.first_day
        else f"{date_text(window.first_day, weekday=False, year=False)} – "
        f"{date_text(window.last_day, weekday=False)}"
    )
    st.warning(
        f"{len(sessions):,} sessions are in range, more than the {MAX_EVENTS:,} a calendar can "
        f"draw at once: it shows {span} ({len(window.sessions):,} sessions)"
        + (f", the first {len(events):,} of that day" if window.day_capped else "")
        + ". Move the slider to page on, or narrow the dates or filters.",
        icon=":material/filter_alt:",
    )
first_day = window.first_day if paged else view.filters.date_from
last_day = window.last_day if paged else view.filters.date_to
shown = None
days = (first_day, last_day) if first_day is not None and last_day is not None else None
if days is not None and mode == LIST_VIEW:
    # The list holds the whole range (or page of days): nothing to move through.
    st.caption(
        f"Every session from {date_text(days[0], weekday=False)} to "
        f"{date_text(days[1], weekday=False)}, day by day."
    )
elif days is not None:  # the day shown, in the URL as ?date=
    shown = ui.calendar_day(
        "calendar_date", mode, *days, view.today, opens_on=view.filters.date_from
    )
start = shown or first_day or events[0]["start"][:10]
state = calendar(
    # Days outside the range (or the page of days shown) are shaded, one by one.
    events=events + outside_range_events(mode, first_day, last_day),
    options=calendar_options(mode, shown or first_day, view.today, days),
    custom_css=CALENDAR_CSS,
    # eventsSet/dateClick would rerun the script on every render; only clicks matter here.
    callbacks=["eventClick"],
    key=f"calendar_{mode}_{start}_{tz}",
)

ui.offer_download(
    None,
    "Add these sessions to your calendar (.ics)",
    lambda: sessions_ics(sessions),
    rows=len(sessions),
    filters=view.filters,
    file_name=ui.download_name(view, "sessions", "ics"),
    mime="text/calendar",
    key="calendar_ics",
    icon=":material/event:",
    help="Each event keeps its own time zone; re-importing updates events instead of duplicating",
)

key = clicked_session_key(state)
if key:
    details = session_details(sessions, key, view.tz)
    st.subheader("Selected session")
    ui.table_with_download(
        details,
        name="session",
        key="calendar_selected",
        view=view,
        csv_frame=sessions_export(sessions.loc[sessions["session_key"] == key], view.tz),
    )
else:
    st.caption("No session selected yet.")

# --- Timeline -----------------------------------------------------------------------------------
st.subheader("Timeline")
by = ui.segmented_choice(
    "One line per", TIMELINE_BY, key="calendar_timeline_by", param="timeline", default="training"
)
frame, total_rows = ui.memo(view, timeline_frame, sessions, view.tz, by)
shown_rows = frame["row"].nunique()
if shown_rows < total_rows or len(frame) < len(sessions):
    st.caption(
        f"Showing the {shown_rows} of {total_rows} {TIMELINE_BY[by].lower()}s with most "
        f"sessions ({len(frame):,} of {len(sessions):,} sessions, at most {TOP_ROWS} "
        "lines); filter to see the others."
    )
st.plotly_chart(
    ui.memo(view, timeline_figure, frame, view.tz, by),
    key="calendar_timeline_chart",
)
