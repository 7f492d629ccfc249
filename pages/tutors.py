"""Tutors: who teaches what, weekly workload, double-bookings and the team at a glance."""

import streamlit as st

import ui
from lu_data.analyses.double_bookings import double_bookings
from lu_data.analyses.rooms import (
    room_clash_rows,
    room_clashes,
    room_clashes_export,
    weekly_room_hours,
)
from lu_data.analyses.tutors import (
    ALL_TRAININGS,
    ALL_TUTORS,
    HEATMAP_MAX_TUTORS,
    clash_rows,
    double_bookings_export,
    double_bookings_table,
    sessions_by_training,
    sessions_of_tutor,
    team_table,
    training_summary,
    tutor_labels,
    weekly_workload,
    workload_grid,
)
from lu_data.exports.csv import sessions_export
from lu_data.figures.tutors import hours_per_tutor_figure, workload_heatmap
from lu_data.model.rollups import count_tutors, tutor_keys
from lu_data.model.teaching_time import teaching_hours
from lu_data.views.filter_options import MAX_LISTED
from lu_data.views.session_tables import sessions_table

ROOMS_FREE = "No two in-person sessions share a room at the same time in this view."
ROOMS_EMPTY = "No in-person session with a location in this range"
ROOM_COLUMN = st.column_config.TextColumn("Room", width=120, help="Click a cell to read it whole")

view = ui.start_page("Tutors")

labels = ui.memo(view, tutor_labels, view.sessions)
names = ui.memo(view, labels.to_dict)
# One tutor state: the sidebar's Tutor filter (and the URL's ?tutor=) is this page's pick.
current = ui.sidebar_tutor("tutors_pick", names)
keys = list(labels.index)
where = st
if len(keys) > MAX_LISTED:  # thousands of tutors: find one by name first, beside the picker
    find, where = st.columns(2, vertical_alignment="top")
    keys = ui.searched_options(
        find, "tutors_pick", keys, names, "Tutor", [] if current == ALL_TUTORS else [current]
    )
picked = ui.tutor_picker(where, "tutors_pick", [ALL_TUTORS, *keys], names)
mine = ui.memo(view, sessions_of_tutor, view.sessions, picked)
# With one tutor left in the view, "all tutors" would read oddly: name them.
only = labels.iloc[0] if len(labels) == 1 else "all tutors"
who = only if picked == ALL_TUTORS else labels[picked]
# Everything below depends only on the view and the picked tutor: worked out once for both, so
# a click elsewhere on the page (a training picked, a download) reruns in a blink at any size.
pairs = ui.memo(view, double_bookings, mine)
team = ui.memo(view, team_table, mine, pairs)

ui.render_cards(
    [
        ui.Card("Tutors", f"{count_tutors(tutor_keys(mine)):,}"),
        ui.Card("Sessions", f"{len(mine):,}"),
        ui.Card(
            "Teaching hours",
            f"{ui.memo(view, teaching_hours, mine).sum():,.1f}",
            help="Hours taught on each local day a session runs, not elapsed time",
        ),
        ui.Card(
            "Double-booked sessions",  # sessions, not pairs: a pair holds two
            f"{int(team['Conflicts'].sum()):,}",
            help="Sessions that overlap another session of the same tutor, to the minute",
        ),
    ]
)

# --- double-bookings first: they are what someone has to act on
st.subheader("Double-bookings")
if pairs.empty:
    st.success(f"No double-bookings for {who} in this view.", icon=":material/check_circle:")
else:
    plural = "s" if len(pairs) != 1 else ""
    st.warning(
        f"{len(pairs):,} overlapping pair{plural} of sessions for {who}: both are listed below.",
        icon=":material/event_busy:",
    )
    # Two rows per clash (session A, then B) keep both sessions on screen at 1024 px; the tutor,
    # the same on both rows, comes last.
    clash_config = {
        "Clash": st.column_config.NumberColumn("#", width=36),
        "When": st.column_config.TextColumn("When", width=225),
        "Title": st.column_config.TextColumn("Title", width=140),
        "Overlap (min)": st.column_config.NumberColumn("Overlap", format="%d min", width=70),
        "Tutor": st.column_config.TextColumn("Tutor", width=90),
    }
    ui.table_with_download(
        ui.memo(view, clash_rows, ui.memo(view, double_bookings_table, pairs, mine, view.tz)),
        name="double-bookings",
        key="tutors_clashes",
        view=view,
        column_config=clash_config,
        csv_frame=lambda: double_bookings_export(pairs, mine, view.tz),
    )

# --- workload
st.subheader("Teaching hours per week")
grid = ui.memo(view, workload_grid, ui.memo(view, weekly_workload, mine, view.tz))
if grid.hidden_tutors:
    st.caption(
        f"Showing the {HEATMAP_MAX_TUTORS} busiest of {grid.total_tutors:,} tutors by hours; "
        "pick a tutor or filter the sidebar to see the others."
    )
st.caption(
    "Weeks start on Monday in the display zone; a session over several days counts the hours "
    "it teaches on each day. Hover a cell for sessions and hours."
)
st.plotly_chart(ui.memo(view, workload_heatmap, grid), key="tutors_heatmap")

# --- rooms: whatever the tutor picked, two sessions in one room at once clash
st.subheader("Rooms")
rooms = ui.memo(view, room_clashes, view.sessions)
if rooms.empty:
    st.success(ROOMS_FREE, icon=":material/meeting_room:")
else:
    st.warning(
        f"{len(rooms):,} pair{'s' if len(rooms) != 1 else ''} of in-person sessions in one room "
        "at the same time: both of each pair are listed.",
        icon=":material/meeting_room:",
    )
    ui.table_with_download(
        ui.memo(view, room_clash_rows, rooms, view.sessions, view.tz),
        name="room-clashes",
        key="tutors_rooms",
        view=view,
        csv_frame=lambda: room_clashes_export(rooms, view.sessions, view.tz),
        column_config={"Clash": st.column_config.NumberColumn(width=55), "Room": ROOM_COLUMN},
    )
st.caption("Hours booked per week in each room (in-person sessions; a location id, or an address).")
room_grid = ui.memo(view, workload_grid, ui.memo(view, weekly_room_hours, view.sessions, view.tz))
st.plotly_chart(
    ui.memo(view, workload_heatmap, room_grid, "hours booked", ROOMS_EMPTY), key="tutors_rooms_map"
)

# --- team
st.subheader("Team")
ui.table_with_download(
    team,
    name="tutors-team",
    key="tutors_team",
    view=view,
    column_config={
        "Teaching hours": st.column_config.NumberColumn(format="%.1f h"),
        "Conflicts": st.column_config.NumberColumn(help="Sessions that overlap another of theirs"),
    },
)
if len(team) > 1:  # one bar compares nothing
    st.caption("Teaching hours per tutor; red bars are tutors with double-booked sessions.")
    st.plotly_chart(
        ui.memo(view, hours_per_tutor_figure, team),
        key="tutors_hours_chart",
    )

# --- sessions by training
st.subheader(f"Sessions of {who} by training")
summary = ui.memo(view, training_summary, mine, view.tz)
ui.table_with_download(
    summary.drop(columns="training_key"),
    name="tutor-trainings",
    key="tutors_trainings",
    view=view,
    column_config={"Teaching hours": st.column_config.NumberColumn(format="%.1f h")},
)
titles = summary.set_index("training_key")["Training"]
trainings = [ALL_TRAININGS, *titles.index]
ui.page_choice("tutors_training", "sessions_of", ALL_TRAININGS, options=trainings)
training = st.selectbox(
    "Show the sessions of",
    trainings,
    key="tutors_training",
    format_func=lambda k: "Every training" if k == ALL_TRAININGS else titles[k],
)
rows = ui.memo(view, sessions_by_training, mine, training)
ui.table_with_download(
    ui.memo(view, sessions_table, rows, view.tz),
    name="tutor-sessions",
    key="tutors_sessions",
    view=view,
    csv_frame=lambda: sessions_export(rows, view.tz),
)
