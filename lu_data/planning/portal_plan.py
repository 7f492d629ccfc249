"""A plan of one load, as the Plan page and `lu-data plan` make it: what sells out early (from
the enrolment history), the proposals, the proof, and the proposals as sessions."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from lu_data.analyses.forecast import MAX_DAYS, project_sessions, typical_curves
from lu_data.analyses.supply_demand import supply_demand
from lu_data.model.portal import Portal
from lu_data.planning.merges import MergePlan, MergeSettings, propose_merges
from lu_data.planning.proof import PlanProof, proposed_sessions, prove_plan
from lu_data.planning.propose import Plan, propose_sessions
from lu_data.planning.requests import (
    PlanRequest,
    PlanSettings,
    default_requests,
    sells_out_keys,
)
from lu_data.store.enrolment import portal_history


@dataclass
class PortalPlan:
    """A plan with its proof, and its proposals as session rows (calendar, ICS)."""

    plan: Plan
    proof: PlanProof
    proposals: pd.DataFrame
    requests: list[PlanRequest]


def demand_verdicts(portal: Portal) -> pd.DataFrame:
    """Supply and demand of every training of the load, on its whole enrolment history."""
    as_of = pd.Timestamp(portal.fetched_at)
    history = portal_history(portal, as_of, demo=portal.is_demo)
    return supply_demand(history, portal.sessions, as_of)


def plan_portal(
    portal: Portal,
    requests: list[PlanRequest] | None,
    settings: PlanSettings,
    today: date,
    verdicts: pd.DataFrame | None = None,
) -> PortalPlan:
    """Propose the requested sessions (default: one more of each training that sells out
    early) against the whole load, and prove them with the dashboard's checks."""
    verdicts = demand_verdicts(portal) if verdicts is None else verdicts
    asked = default_requests(verdicts) if requests is None else requests
    plan = propose_sessions(portal.sessions, asked, settings, today, sells_out_keys(verdicts))
    proof = prove_plan(portal.sessions, plan.placed, settings)
    return PortalPlan(plan, proof, proposed_sessions(portal.sessions, plan.placed), asked)


def merge_portal(portal: Portal, settings: MergeSettings, now: date | None = None) -> MergePlan:
    """Merges of the load's under-filled sessions, judged on their projected final fill (the
    Fill pace forecast; today's fill where there is no enrolment history). Today is `now`
    (from midnight UTC), or when the data was fetched, also when `now` is that day."""
    as_of = pd.Timestamp(portal.fetched_at)
    fetch_day = as_of.tz_convert("UTC").date() if as_of.tzinfo else as_of.date()
    when = as_of if now is None or now == fetch_day else pd.Timestamp(now, tz="UTC")
    history = portal_history(portal, as_of, demo=portal.is_demo)
    projected = None
    if not history.empty:
        # Candidates start within the horizon of `when`, so their projections read the curves
        # no further out than that from `as_of`: the rest of the curves is never looked at.
        reach = settings.horizon_days + max(0, math.ceil((when - as_of) / pd.Timedelta(days=1)))
        days = range(min(reach, MAX_DAYS) + 1)
        curves = typical_curves(history, portal.sessions, as_of, days=days)
        if not curves.empty:
            projections = project_sessions(portal.sessions, curves, as_of)
            projected = projections.set_index("session_key")["projected_fill"]
    return propose_merges(portal.sessions, projected, when, settings)
