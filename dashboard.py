"""Overview, the home page: the headline numbers a manager reviews each week.

Streamlit's folder mode: this file is the home page and every script in pages/ is a page whose
URL is its file name (pages/calendar.py is /calendar). The built-in page list is hidden
(`showSidebarNavigation = false`); each page's first call, ui.start_page, sets the page config
and draws the menu and the shared sidebar itself, so a deep link opened first on a fresh server
shows its page, filters and sidebar.
"""

import streamlit as st

import ui
from lu_data.analyses.capacity import (
    at_risk_sessions,
    at_risk_today_text,
    capacity_kpis,
    weekly_capacity,
)
from lu_data.analyses.double_bookings import double_booked_sessions, double_bookings
from lu_data.analyses.forecast import projected_at_risk, projected_risk_text
from lu_data.analyses.rooms import room_clashed_sessions, room_clashes
from lu_data.exports.csv import sessions_export
from lu_data.figures.overview import weekly_capacity_figure
from lu_data.model.fill_status import AT_RISK_DAYS
from lu_data.views.session_tables import sessions_table

view = ui.start_page("ILT sessions overview", need_sessions=False)

kpi = ui.memo(view, capacity_kpis, view.sessions)
clashes = ui.memo(view, double_bookings, view.sessions)
rooms = ui.memo(view, room_clashes, view.sessions)
# The at-risk card counts exactly the list under it: by projection where enrolment history
# exists, else by today's fill of the sessions starting soon; under the threshold of the view
# (set on Fill pace, carried by the links).
projections = ui.view_projections(view)
threshold = ui.view_threshold()
today_rule = at_risk_today_text(threshold)
if projections is not None:
    at_risk = ui.memo(view, projected_at_risk, view.sessions, projections, threshold)
    risk_card = ui.Card(
        "At risk (projected)",
        f"{len(at_risk):,}",
        help=f"{projected_risk_text(threshold).capitalize()}, from each training's fill pace",
    )
else:
    at_risk = ui.memo(view, at_risk_sessions, view.sessions, view.today, AT_RISK_DAYS, threshold)
    risk_card = ui.Card(
        "At risk (today's fill)",
        f"{len(at_risk):,}",
        help=f"{today_rule.capitalize()}; no enrolment history to project from",
    )
ui.render_cards(
    [
        ui.Card("Sessions", f"{kpi.sessions:,}"),
        *ui.seat_cards(kpi),
        ui.Card(
            "Full",
            f"{kpi.full:,}",
            help="Enrolled equals capacity",
            note=f"{kpi.overbooked:,} overbooked",
        ),
        risk_card,
        ui.Card(
            "Double-booking pairs",
            f"{len(clashes):,}",
            help="Pairs of one tutor's sessions that overlap; each pair is two sessions",
            note=f"{double_booked_sessions(clashes):,} sessions",
        ),
        ui.Card(
            "Room clashes",
            f"{len(rooms):,}",
            help="Pairs of in-person sessions in one room at the same time, whatever their tutors",
            note=f"{room_clashed_sessions(rooms):,} sessions",
        ),
        ui.Card(
            "Data-quality warnings",
            f"{len(view.portal.quality.warnings):,}",
            help=(
                "About the sessions you teach, whatever the filters; see the Data quality page"
                if view.portal.viewer
                else "Across the whole source, whatever the filters; see the Data quality page"
            ),
            note="your sessions" if view.portal.viewer else "whole source",
        ),
    ]
)
# Every count above opens the sessions behind it.
drills = [
    ui.Drill("Full sessions", "sessions", ("full",)),
    ui.Drill("Overbooked sessions", "sessions", ("overbooked",)),
]
if projections is not None:
    drills.append(ui.Drill("At-risk sessions", "pace"))
drills += [
    ui.Drill("Double-bookings", "tutors"),
    ui.Drill("Room clashes", "tutors"),
    ui.Drill("Data-quality warnings", "quality"),
]
ui.render_drills(drills)

st.subheader("Seats offered and taken per week")
st.plotly_chart(
    ui.memo(view, weekly_capacity_figure, ui.memo(view, weekly_capacity, view.sessions, view.tz)),
    key="overview_weekly_chart",
)

if projections is not None:
    ui.render_projected_risk(view, key="overview_risk", digest=True)
else:
    st.subheader(f"At risk: {today_rule}")
    if at_risk.empty:
        st.success(f"No session is {today_rule}.", icon=":material/check:")
    else:
        ui.render_risk_digest(
            ui.memo(view, sessions_table, at_risk, view.tz),
            name="at-risk",
            key="overview_risk",
            view=view,
            csv_frame=lambda: sessions_export(at_risk, view.tz),
        )
