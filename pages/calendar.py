"""Calendar: sessions by month, week, day or list, coloured by fill status, plus a timeline."""

import streamlit as st

import ui
from lu_data.exports.csv import sessions_export
from lu_data.exports.ics import sessions_ics
from lu_data.figures.schedule import TIMELINE_BY, TOP_ROWS, timeline_figure, timeline_frame
from lu_data.presentation.time_text import date_text
from lu_data.views.calendar_events import (
    CALENDAR_VIEWS,
    DEFAULT_VIEW,
    MAX_EVENTS,
    calendar_events,
    calendar_window,
    clicked_session_key,
    session_details,
    sessions_days,
)

view = ui.start_page("Calendar")
sessions = view.sessions

mode = ui.segmented_choice(
    "View", CALENDAR_VIEWS, key="calendar_mode", param="view", default=DEFAULT_VIEW
)
# Week and day views put every session on one clock; month and list keep the sidebar's zone.
tz = ui.calendar_zone(mode, view.tz)
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
ui.render_zone_caption(tz, view.tz)
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
state = ui.render_calendar(
    events,
    mode=mode,
    tz=tz,
    first_day=window.first_day if paged else view.filters.date_from,
    last_day=window.last_day if paged else view.filters.date_to,
    today=view.today,
    key="calendar",
    opens_on=view.filters.date_from,
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
