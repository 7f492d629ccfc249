"""Capacity: seats against enrolment per session, per training and per location."""

import streamlit as st

import ui
from lu_data.analyses.capacity import (
    MAX_GROUP_BARS,
    MAX_SESSION_BARS,
    ROLLUP_BY,
    SESSION_LISTS,
    capacity_kpis,
    capacity_rollup,
    fill_distribution,
    session_capacity,
    session_list,
    session_list_counts,
    zone_note,
)
from lu_data.exports.csv import sessions_export
from lu_data.figures.capacity import (
    fill_distribution_figure,
    group_capacity_figure,
    rollup_status_figure,
    session_capacity_figure,
)
from lu_data.model.fill_status import STATUS_LABELS
from lu_data.presentation.display_zone import zone_label
from lu_data.views.session_tables import sessions_table

PERCENT = ui.percent_column(bar=False)

view = ui.start_page("Capacity")
sessions = view.sessions

kpi = ui.memo(view, capacity_kpis, sessions)
ui.render_cards(ui.seat_cards(kpi))
ui.render_cards(  # seats, then the sessions that need a look
    [
        ui.Card("Full", f"{kpi.full:,}", help="Enrolled equals capacity"),
        ui.Card("Overbooked", f"{kpi.overbooked:,}", help="More enrolled than seats"),
        ui.Card(
            "No limit set",
            f"{kpi.no_limit_sessions:,}",
            help="No capacity set: left out of seats and fill rates",
        ),
    ]
)
ui.render_demand_link(view)  # which trainings need more sessions, or fewer

# --- Per session -------------------------------------------------------------------------------
st.subheader("Capacity against enrolment per session")
if len(sessions) > MAX_SESSION_BARS:
    by_training = ui.memo(view, capacity_rollup, sessions, "training")
    st.caption(
        f"{len(sessions):,} sessions are in range, too many to draw one bar each (over "
        f"{MAX_SESSION_BARS}): showing totals per training instead"
        + (
            f", the {MAX_GROUP_BARS} trainings with most sessions."
            if len(by_training) > MAX_GROUP_BARS
            else "."
        )
        + " Narrow the dates or pick trainings to see each session."
    )
    st.plotly_chart(
        ui.memo(view, group_capacity_figure, by_training, ROLLUP_BY["training"]),
        key="capacity_session_chart",
    )
else:
    st.caption(
        "Grey bar: capacity. Coloured bar inside it: enrolled, coloured by fill status; "
        "overbooked bars run past the grey bar, no-limit sessions say so. " + zone_note(view.tz)
    )
    ui.render_status_legend(capacity=True)
    with st.container(height=640, border=False):
        st.plotly_chart(
            ui.memo(
                view, session_capacity_figure, ui.memo(view, session_capacity, sessions, view.tz)
            ),
            key="capacity_session_chart",
        )

# --- Roll-ups ----------------------------------------------------------------------------------
st.subheader("Roll-up")
by = ui.segmented_choice(
    "Roll up by", ROLLUP_BY, key="capacity_group_by", param="rollup", default="training"
)
rollup = ui.memo(view, capacity_rollup, sessions, by)
if len(rollup) > MAX_GROUP_BARS:
    st.caption(
        f"Chart: the {MAX_GROUP_BARS} of {len(rollup):,} with most sessions; "
        "the table lists them all."
    )
st.plotly_chart(
    ui.memo(view, rollup_status_figure, rollup, ROLLUP_BY[by]),
    key="capacity_rollup_chart",
)
ui.table_with_download(
    rollup,
    name=f"capacity-by-{by}",
    key="capacity_rollup",
    view=view,
    column_config={"Fill": PERCENT},  # Seats taken ÷ Seats offered, the columns beside it
    height=400,
)

# --- Fill-rate distribution --------------------------------------------------------------------
st.subheader("Fill-rate distribution")
st.caption(
    "Sessions per 10-point band of enrolled ÷ capacity; 100% is exactly full. "
    f"{STATUS_LABELS['under_filled']} is today's fill, not the at-risk projection."
)
st.plotly_chart(
    ui.memo(view, fill_distribution_figure, ui.memo(view, fill_distribution, sessions)),
    key="capacity_fill_chart",
)

# --- Session lists -----------------------------------------------------------------------------
st.subheader("Sessions to act on")
counts = ui.memo(view, session_list_counts, sessions)
which = ui.segmented_choice(
    "Show",
    SESSION_LISTS,
    key="capacity_list",
    param="list",
    default="full",
    format_func=lambda k: f"{SESSION_LISTS[k]} ({counts[k]:,})",
)
rows = ui.memo(view, session_list, sessions, which)
if rows.empty:
    st.success(f"No {SESSION_LISTS[which].lower()} sessions in this view.", icon=":material/check:")
else:
    ui.table_with_download(
        ui.memo(view, sessions_table, rows, view.tz),
        view=view,
        key="capacity_sessions",
        name=f"{which.replace('_', '-')}-sessions",
        csv_frame=lambda: sessions_export(rows, view.tz),
    )
    st.caption(f"Start and End are in {zone_label(view.tz)}; the Zone column says which.")

# --- Projected at risk -------------------------------------------------------------------------
ui.render_projected_risk(view, key="capacity_risk")
