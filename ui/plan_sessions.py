"""The Plan page's new sessions, once proposed: the cards and the proof, the table with its
downloads, what could not be placed and why, and the proposals on a calendar among the
existing sessions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from lu_data.analyses.filters import Filters, filter_sessions
from lu_data.exports.plan_export import plan_csv_frame, plan_ics, plan_workbook
from lu_data.planning.portal_plan import PortalPlan
from lu_data.planning.requests import PlanSettings
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
from ui.calendar_view import calendar_zone, render_calendar, render_zone_caption
from ui.downloads import offer_download
from ui.metrics import Card, render_cards
from ui.page_choices import segmented_choice
from ui.plan import PlanChoices, plan_today
from ui.table_view import (
    DATETIME_FORMAT,
    download_name,
    render_status_legend,
    table_with_download,
)
from ui.view import View, memo

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROOF_TABLES = ("Double-bookings", "Room clashes", "Zone warnings", "Outside working hours")


def render_plan_result(view: View, choices: PlanChoices, result: PortalPlan) -> None:
    """A plan as the page shows it: proof, table and downloads, what was not placed, calendar."""
    settings = choices.settings()
    rows = rows_in_order(result.plan.rows)
    # Downloads are named after the plan's window, and their audit lines say it, not the sidebar's.
    plan_view = replace(
        view, filters=Filters(date_from=settings.first_day, date_to=settings.last_day, tz=view.tz)
    )
    _render_proof(choices, result)
    _render_table(plan_view, rows, result)
    lines = unplaced_lines(result.plan.unplaced)
    if lines:
        st.subheader("Not placed")
        st.text("\n".join(lines))  # plain text: titles are never read as Markdown
    _render_plan_calendar(view, settings, result.proposals)


def _render_proof(choices: PlanChoices, result: PortalPlan) -> None:
    """The cards, what the dashboard's own checks found, and the solver's figures."""
    plan, proof = result.plan, result.proof
    st.subheader("Proposal")
    clashes = len(proof.double_bookings) + len(proof.room_clashes)
    render_cards(
        [
            Card("Requested", f"{choices.requested:,}", help="New sessions asked for in all"),
            Card("Placed", f"{len(plan.placed):,}", help="Sessions proposed, in the table below"),
            Card(
                "Not placed",
                f"{len(plan.unplaced):,}",
                help="Asked for but no tutor, room or time keeps every rule; each says why below",
            ),
            Card(
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
        frames = (proof.double_bookings, proof.room_clashes, proof.zone_warnings)
        for name, frame in zip(PROOF_TABLES, (*frames, proof.outside_hours), strict=True):
            if len(frame):
                st.markdown(f"**{name}**")
                st.dataframe(frame, hide_index=True, key=f"plan_proof_{name.split()[0].lower()}")
    figures = plan.figures
    st.caption(
        solver_text(
            figures.status, figures.seconds, figures.candidates, figures.objective, figures.bound
        )
    )


def _render_table(plan_view: View, rows: pd.DataFrame, result: PortalPlan) -> None:
    """Every requested session, placed or not, with its CSV, Excel and .ics downloads."""

    def more_downloads() -> None:
        """The plan as an Excel workbook and its proposals as a calendar, beside the CSVs."""
        offer_download(
            None,
            "Excel",
            lambda: plan_workbook(rows),
            rows=len(rows),
            filters=plan_view.filters,
            mime=XLSX_MIME,
            file_name=download_name(plan_view, "plan", "xlsx"),
            key="plan_xlsx",
            icon=":material/grid_on:",
            help="The proposed sessions, their times as Excel dates in UTC and in each "
            "session's zone; then a sheet of those not placed, with why",
        )
        offer_download(
            None,
            "Calendar (.ics)",
            lambda: plan_ics(result.proposals),
            rows=len(result.proposals),
            filters=plan_view.filters,
            mime="text/calendar",
            file_name=download_name(plan_view, "plan", "ics"),
            key="plan_ics",
            icon=":material/event:",
            help="The proposed sessions as calendar events titled “Proposed: …”, each in its "
            "own zone, to hold the dates while they are created in LearnUpon",
            disabled=result.proposals.empty,
        )

    st.subheader("Proposed sessions")
    st.caption(
        "Start and End in the session's own zone (Zone), then in UTC. Every requested session "
        "has a row: those not placed come last, with why."
    )
    table_with_download(
        proposal_table(rows),
        name="plan",
        key="plan_sessions",
        view=plan_view,
        csv_frame=plan_csv_frame(rows),
        column_config={
            "Start": st.column_config.DatetimeColumn(
                "Start", format=DATETIME_FORMAT, help="Start in the session's own zone"
            ),
            "End": st.column_config.DatetimeColumn(
                "End", format=DATETIME_FORMAT, help="End in the session's own zone"
            ),
            "Start (UTC)": st.column_config.DatetimeColumn(
                "Start (UTC)", format=DATETIME_FORMAT + " [UTC]"
            ),
            "End (UTC)": st.column_config.DatetimeColumn(
                "End (UTC)", format=DATETIME_FORMAT + " [UTC]"
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


def _render_plan_calendar(view: View, settings: PlanSettings, proposals: pd.DataFrame) -> None:
    """The proposals, dashed, among the existing sessions of the window (the sidebar's
    filters other than its dates), in the Calendar page's views and zones."""
    st.subheader("On the calendar")
    mode = segmented_choice(
        "View", CALENDAR_VIEWS, key="plan_calendar_mode", param="view", default=DEFAULT_VIEW
    )
    tz = calendar_zone(mode, view.tz)
    existing = memo(view, sessions_between, view, settings.first_day, settings.last_day)
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
    render_zone_caption(tz, view.tz)
    render_status_legend(proposed=True)
    opens_on = settings.first_day
    if len(proposals):  # the month (week, day) of the first proposal
        opens_on = min(display_times(proposals, tz)["start_display"]).date()
        opens_on = min(max(opens_on, settings.first_day), settings.last_day)
    state = render_calendar(
        calendar_events(shown, tz, MAX_EVENTS, proposed=set(proposals["session_key"])),
        mode=mode,
        tz=tz,
        first_day=settings.first_day,
        last_day=settings.last_day,
        today=plan_today(view),
        key="plan_calendar",
        opens_on=opens_on,
    )
    render_clicked_session(shown, state, view.tz, "plan_calendar_selected")


def sessions_between(view: View, first: date, last: date) -> pd.DataFrame:
    """The sessions of the sidebar's filters (other than its dates) from `first` to `last`."""
    window = replace(view.filters, date_from=first, date_to=last)
    return filter_sessions(view.portal.sessions, window)


def render_clicked_session(shown: pd.DataFrame, state: object, tz: str, key: str) -> None:
    """The session a calendar click picked, as Field/Value rows (nothing without a click)."""
    clicked = clicked_session_key(state)
    if clicked:
        st.markdown("**Selected session**")
        st.dataframe(session_details(shown, clicked, tz), hide_index=True, key=key)
