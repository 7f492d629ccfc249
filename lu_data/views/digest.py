"""The digest of a loaded portal: its lists, projections and supply and demand, assembled."""

from __future__ import annotations

from datetime import date

import pandas as pd

from lu_data.analyses.digest import Digest, build_digest
from lu_data.analyses.filters import Filters, filter_sessions, whole_history
from lu_data.analyses.supply_demand import supply_demand
from lu_data.model.fill_status import AT_RISK_BELOW
from lu_data.model.portal import Portal
from lu_data.store.enrolment import portal_history
from lu_data.views.pace import portal_projections


def portal_digest(
    portal: Portal,
    filters: Filters,
    today: date,
    threshold: float = AT_RISK_BELOW,
    suggested: pd.DataFrame | None = None,
) -> Digest:
    """The digest of a portal for these filters (their dates are the window), closed by the
    trainings that sell out early or rarely fill, as the Fill pace page judges them.

    `suggested` is the Plan page's merges of the whole load (MergePlan.merges), worked out by
    the caller (views do not plan): the coming week's become the Suggested section.
    """
    as_of = pd.Timestamp(portal.fetched_at)
    try:
        history = portal_history(portal, as_of, demo=portal.is_demo)
    except Exception:  # an unreachable history store only removes the projection and demand
        projections = demand = None
    else:
        projections = portal_projections(portal, history)
        scope = filter_sessions(portal.sessions, whole_history(filters))
        demand = supply_demand(history, scope, as_of, threshold)
    return build_digest(
        portal.sessions,
        portal.quality.warnings,
        filters,
        today,
        projections,
        threshold,
        demand,
        suggested,
    )
