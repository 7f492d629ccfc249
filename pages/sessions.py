"""Sessions and export: every filtered session with UTC and local times, searchable, as CSV."""

import streamlit as st

import ui
from lu_data.analyses.filters import search_sessions
from lu_data.exports.csv import sessions_export, to_csv_bytes, view_frame
from lu_data.exports.ics import sessions_ics
from lu_data.exports.xlsx import sessions_workbook
from lu_data.presentation.display_zone import zone_label
from lu_data.views.links import PARAM_SEARCH
from lu_data.views.session_tables import sessions_table

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

view = ui.start_page("Sessions and export")

ui.page_choice("sessions_search", PARAM_SEARCH, "")
query = st.text_input(
    "Search title, tutor or location",
    key="sessions_search",
    placeholder="e.g. Excel, Aoife, Dublin",
    icon=":material/search:",
)
rows = search_sessions(view.sessions, query)
total = len(view.sessions)
if query.strip():
    st.markdown(f"**{len(rows):,}** of {total:,} sessions match “{query.strip()}”.")
else:
    st.markdown(f"**{total:,}** session{'s' if total != 1 else ''} in this view.")

if rows.empty:
    hint = "clear the search or " if query.strip() else ""
    st.info(
        f"No sessions to show: {hint}widen the dates or clear some filters in the sidebar.",
        icon=":material/filter_alt_off:",
    )
    st.stop()

shown_in = zone_label(view.tz)
st.caption(
    f"Start and End are in {shown_in}; Zone says which. Start (UTC) and the session's own "
    "zone are there too, so both readings sit side by side."
)
config = {
    "Start": st.column_config.DatetimeColumn(
        "Start", format=ui.DATETIME_FORMAT, help=f"Start in {shown_in}"
    ),
    "End": st.column_config.DatetimeColumn(
        "End", format=ui.DATETIME_FORMAT, help=f"End in {shown_in}"
    ),
    "Zone": st.column_config.TextColumn(
        "Zone", width=95, help="Zone of Start and End: abbr. (offset)"
    ),
    "Start (UTC)": st.column_config.DatetimeColumn(
        "Start (UTC)", format=ui.DATETIME_FORMAT + " [UTC]"
    ),
    "Own zone start": st.column_config.DatetimeColumn(
        "Own zone start", format=ui.DATETIME_FORMAT, help="Start in the session's own time zone"
    ),
    "Own zone": st.column_config.TextColumn("Own zone", width="medium"),
    "Capacity": st.column_config.NumberColumn("Capacity", help="Empty when no limit is set"),
    "Fill": ui.percent_column("Fill", help="Enrolled ÷ capacity; over 100% is overbooked"),
    "Session key": st.column_config.TextColumn("Session key", width="small"),
}
# On screen the table leads with when, what, who and the seats (ui.table_with_download orders
# it); End, the UTC and own-zone readings, location and key follow.
table = sessions_table(rows, view.tz, with_utc=True)
ui.table_with_download(
    table,
    name="sessions",
    key="sessions_all",
    view=view,
    csv_frame=lambda: sessions_export(rows, view.tz),
    column_config=config,
    height=560,
)
st.caption(
    "The sessions CSV is the same file `lu-data export` writes for these filters: ISO 8601 "
    "times in UTC and in the display zone with offsets, UTF-8 for Excel."
)

st.subheader("More exports of these sessions")
# One row of buttons as wide as their labels (equal columns left uneven gaps between them);
# short labels fit the four at 1024 px, and each one's help says what it holds.
row = st.container(horizontal=True, gap="small")
for name, what in (("trainings", "One row per training"), ("tutors", "One row per tutor")):
    ui.offer_download(
        row,
        f"{name.capitalize()} CSV",
        lambda n=name: to_csv_bytes(view_frame(rows, n, view.tz)),
        rows=len(rows),
        filters=view.filters,
        file_name=ui.download_name(view, name),
        mime="text/csv",
        key=f"sessions_{name}_csv",
        icon=":material/download:",
        help=f"Download the {name} CSV: {what.lower()}, over the {len(rows):,} sessions above",
    )
ui.offer_download(
    row,
    ".ics",
    lambda: sessions_ics(rows),
    rows=len(rows),
    filters=view.filters,
    mime="text/calendar",
    file_name=ui.download_name(view, "sessions", "ics"),
    key="sessions_ics",
    icon=":material/event:",
    help="Download the sessions as a calendar (.ics) for Outlook or Google Calendar; "
    "re-importing updates the same events",
)
# A large workbook takes seconds to build, so it is built on request rather than every rerun.
if row.button(
    "Excel",
    key="sessions_xlsx_prepare",
    icon=":material/grid_on:",
    help="Prepare an Excel workbook of these sessions, then download it",
):
    workbook = sessions_workbook(rows, view.tz)
    ui.offer_download(
        None,
        "Download the Excel workbook",
        lambda: workbook,
        rows=len(rows),
        filters=view.filters,
        mime=XLSX_MIME,
        file_name=ui.download_name(view, "sessions", "xlsx"),
        key="sessions_xlsx",
        icon=":material/download:",
        help="Sessions, Trainings and Tutors sheets; dates as Excel dates in the display zone",
    )

ui.render_digest_preview(view)
