"""Plan: new sessions where demand outruns supply, proposed by a solver and checked by the
dashboard's own clash checks; for coordinators and admins."""

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

import ui
from lu_data.analyses.filters import Filters, filter_sessions
from lu_data.exports.plan_export import plan_csv_frame, plan_ics, plan_workbook
from lu_data.planning.requests import PlanError
from lu_data.presentation.display_zone import display_times
from lu_data.views.calendar_events import (
    CALENDAR_VIEWS,
    DEFAULT_VIEW,
    MAX_EVENTS,
    calendar_events,
    clicked_session_key,
    session_details,
)
from lu_data.views.plan_tables import (
    plan_calendar_sessions,
    proposal_table,
    rows_in_order,
    solver_text,
    unplaced_lines,
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

view = ui.start_page("Plan", page="plan", need_sessions=False, describe=False)
st.caption(
    "Proposes new sessions of the trainings you pick, within the window and working hours you "
    "set, with tutors who have taught them and rooms they were held in; then checks them "
    "against every session of this data with the same double-booking, room-clash and zone "
    "checks the other pages report. Proposals are drafts to create in LearnUpon: nothing is "
    "written to the portal."
)

verdicts = ui.plan_verdicts(view)
choices = ui.render_plan_form(view, verdicts)
if not ui.plan_proposed():
    st.info(
        "Pick the trainings and how many sessions of each, then press **Propose**.",
        icon=":material/info:",
    )
    st.stop()
if not choices.counts:
    st.info(
        "No training has sessions to add: give at least one a count, then press **Propose**.",
        icon=":material/info:",
    )
    st.stop()
try:
    settings = choices.settings()
    result = ui.view_plan(view, choices, verdicts)
except PlanError as exc:  # a value the planner cannot take: say which, never a traceback
    st.error(f"Cannot propose: {exc}.", icon=":material/error:")
    st.stop()

plan, proof = result.plan, result.proof
rows = rows_in_order(plan.rows)
# Downloads are named after the plan's window, and their audit lines say it, not the sidebar's.
plan_view = replace(
    view, filters=Filters(date_from=settings.first_day, date_to=settings.last_day, tz=view.tz)
)

st.subheader("Proposal")
clashes = len(proof.double_bookings) + len(proof.room_clashes)
ui.render_cards(
    [
        ui.Card("Requested", f"{choices.requested:,}", help="New sessions asked for in all"),
        ui.Card("Placed", f"{len(plan.placed):,}", help="Sessions proposed, in the table below"),
        ui.Card(
            "Not placed",
            f"{len(plan.unplaced):,}",
            help="Asked for but no tutor, room or time keeps every rule; each says why below",
        ),
        ui.Card(
            "New clashes",
            f"{clashes:,}",
            help="Double-bookings (a tutor in two sessions at once) and room clashes (two "
            "in-person sessions in one room at once) the proposals would make, found by the "
            "checks of the Tutors page",
        ),
    ]
)
checked = (
    f"Checked against every existing session with the dashboard's own checks: {proof.summary}."
)
if proof.clean:
    st.success(checked, icon=":material/verified:")
else:
    st.warning(checked + " The rows concerned are listed below.", icon=":material/warning:")
    for name, frame in (
        ("Double-bookings", proof.double_bookings),
        ("Room clashes", proof.room_clashes),
        ("Zone warnings", proof.zone_warnings),
        ("Outside working hours", proof.outside_hours),
    ):
        if len(frame):
            st.markdown(f"**{name}**")
            st.dataframe(frame, hide_index=True, key=f"plan_proof_{name.split()[0].lower()}")
figures = plan.figures
st.caption(
    solver_text(
        figures.status, figures.seconds, figures.candidates, figures.objective, figures.bound
    )
)


def more_downloads() -> None:
    """The plan as an Excel workbook and its proposals as a calendar, beside the CSVs."""
    ui.offer_download(
        None,
        "Excel",
        lambda: plan_workbook(rows),
        rows=len(rows),
        filters=plan_view.filters,
        mime=XLSX_MIME,
        file_name=ui.download_name(plan_view, "plan", "xlsx"),
        key="plan_xlsx",
        icon=":material/grid_on:",
        help="The proposed sessions, their times as Excel dates in UTC and in each session's "
        "zone; then a sheet of those not placed, with why",
    )
    ui.offer_download(
        None,
        "Calendar (.ics)",
        lambda: plan_ics(result.proposals),
        rows=len(result.proposals),
        filters=plan_view.filters,
        mime="text/calendar",
        file_name=ui.download_name(plan_view, "plan", "ics"),
        key="plan_ics",
        icon=":material/event:",
        help="The proposed sessions as calendar events titled “Proposed: …”, each in its own "
        "zone, to hold the dates while they are created in LearnUpon",
        disabled=result.proposals.empty,
    )


st.subheader("Proposed sessions")
st.caption(
    "Start and End in the session's own zone (Zone), then in UTC. Every requested session has a "
    "row: those not placed come last, with why."
)
ui.table_with_download(
    proposal_table(rows),
    name="plan",
    key="plan_sessions",
    view=plan_view,
    csv_frame=plan_csv_frame(rows),
    column_config={
        "Start": st.column_config.DatetimeColumn(
            "Start", format=ui.DATETIME_FORMAT, help="Start in the session's own zone"
        ),
        "End": st.column_config.DatetimeColumn(
            "End", format=ui.DATETIME_FORMAT, help="End in the session's own zone"
        ),
        "Start (UTC)": st.column_config.DatetimeColumn(
            "Start (UTC)", format=ui.DATETIME_FORMAT + " [UTC]"
        ),
        "End (UTC)": st.column_config.DatetimeColumn(
            "End (UTC)", format=ui.DATETIME_FORMAT + " [UTC]"
        ),
        "Room": st.column_config.TextColumn("Room", width="medium"),
        "Capacity": st.column_config.NumberColumn("Capacity", width="small"),
        "Proposal": st.column_config.TextColumn("Proposal", width="small"),
        "Time zone": st.column_config.TextColumn("Time zone", width="medium"),
        "Reason": st.column_config.TextColumn(
            "Reason", width="large", help="Why this tutor, room and time (or why none)"
        ),
    },
    more=more_downloads,
)


lines = unplaced_lines(plan.unplaced)
if lines:
    st.subheader("Not placed")
    st.text("\n".join(lines))  # plain text: titles are never read as Markdown

# --- Calendar -----------------------------------------------------------------------------------
st.subheader("On the calendar")
mode = ui.segmented_choice(
    "View", CALENDAR_VIEWS, key="plan_calendar_mode", param="view", default=DEFAULT_VIEW
)
tz = ui.calendar_zone(mode, view.tz)


def around(first: date, last: date) -> pd.DataFrame:
    """The sessions of the sidebar's filters (other than its dates) in the plan's window."""
    window = replace(view.filters, date_from=first, date_to=last)
    return filter_sessions(view.portal.sessions, window)


existing = ui.memo(view, around, settings.first_day, settings.last_day)
proposals = result.proposals
shown, left_out = plan_calendar_sessions(existing, proposals, MAX_EVENTS)
n = len(proposals)
st.caption(
    (
        f"The {n:,} proposed session{'s' if n != 1 else ''} among the "
        if n
        else "No proposal could be placed; here are the "
    )
    + f"{len(existing) - left_out:,} existing sessions of the window that the sidebar's "
    "filters keep."
    + (
        f" {left_out:,} more are left out so the calendar stays quick: those that share a "
        "tutor, training or room with a proposal are kept first."
        if left_out
        else ""
    )
)
ui.render_zone_caption(tz, view.tz)
ui.render_status_legend(proposed=True)
opens_on = settings.first_day
if len(proposals):  # the month (week, day) of the first proposal
    opens_on = min(display_times(proposals, tz)["start_display"]).date()
    opens_on = min(max(opens_on, settings.first_day), settings.last_day)
state = ui.render_calendar(
    calendar_events(shown, tz, MAX_EVENTS, proposed=set(proposals["session_key"])),
    mode=mode,
    tz=tz,
    first_day=settings.first_day,
    last_day=settings.last_day,
    today=ui.plan_today(view),
    key="plan_calendar",
    opens_on=opens_on,
)
key = clicked_session_key(state)
if key:
    st.markdown("**Selected session**")
    st.dataframe(
        session_details(shown, key, view.tz), hide_index=True, key="plan_calendar_selected"
    )
