"""Overview, the home page: the headline numbers a manager reviews each week.

Streamlit's folder mode: this file is the home page and every script in pages/ is a page whose
URL is its file name (pages/calendar.py is /calendar). The built-in page list is hidden
(`showSidebarNavigation = false`); each page's first call, ui.start_page, sets the page config
and draws the menu and the shared sidebar itself, so a deep link opened first on a fresh server
shows its page, filters and sidebar.
"""

import streamlit as st

import ui
from lu_data.analyses.capacity import at_risk_sessions, capacity_kpis, weekly_capacity
from lu_data.analyses.display_tables import sessions_table
from lu_data.analyses.double_bookings import double_bookings
from lu_data.exports.csv import sessions_export
from lu_data.figures.overview import weekly_capacity_figure

view = ui.start_page("ILT sessions overview", need_sessions=False)

kpi = ui.memo(view, capacity_kpis, view.sessions, view.today)
clashes = ui.memo(view, double_bookings, view.sessions)
ui.render_cards(
    [
        ui.Card("Sessions", f"{kpi['sessions']:,}"),
        *ui.seat_cards(kpi),
        ui.Card(
            "Full",
            f"{kpi['full']:,}",
            help="Enrolled equals capacity",
            note=f"{kpi['overbooked']:,} overbooked",
        ),
        ui.Card(
            "Under-filled soon",
            f"{kpi['under_filled_soon']:,}",
            help="Starting within 14 days of today and under 50% full",
        ),
        ui.Card("Tutor double-bookings", f"{len(clashes):,}"),
        ui.Card(
            "Data-quality warnings",
            f"{len(view.portal.quality.warnings):,}",
            help="Across the whole source; see the Data quality page",
        ),
    ]
)

st.subheader("Capacity against enrolment per week")
st.plotly_chart(
    ui.memo(view, weekly_capacity_figure, ui.memo(view, weekly_capacity, view.sessions, view.tz)),
    key="overview_weekly_chart",
)

if not ui.render_projected_risk(view, key="overview_risk", digest=True):
    st.subheader("At risk: starting within 14 days and under 50% full")
    rows = ui.memo(view, at_risk_sessions, view.sessions, view.today)
    if rows.empty:
        st.success(
            "No session starting in the next 14 days is under 50% full.", icon=":material/check:"
        )
    else:
        ui.render_risk_digest(
            ui.memo(view, sessions_table, rows, view.tz),
            name="at-risk",
            key="overview_risk",
            view=view,
            csv_frame=lambda: sessions_export(rows, view.tz),
        )
