"""Plan: new sessions where demand outruns supply, merges of under-filled sessions, and a draft
checked before it goes into LearnUpon; for coordinators and admins."""

import streamlit as st

import ui
from lu_data.planning.requests import PlanError

view = ui.start_page("Plan", page="plan", need_sessions=False, describe=False)
mode = ui.plan_mode()
if mode == ui.MODE_MERGES:
    ui.render_merges(view)
    st.stop()
if mode == ui.MODE_CHECK:
    ui.render_draft_check(view)
    st.stop()

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
    result = ui.view_plan(view, choices, verdicts)
except PlanError as exc:  # a value the planner cannot take: say which, never a traceback
    st.error(f"Cannot propose: {exc}.", icon=":material/error:")
    st.stop()
ui.render_plan_result(view, choices, result)
