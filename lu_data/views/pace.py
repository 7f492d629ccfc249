"""Fill pace of a load: its enrolment history, typical curves, back-test and projections.

One path for the dashboard (which caches it per load) and the digest, so both project alike.
"""

from __future__ import annotations

import pandas as pd

from lu_data.analyses.forecast import backtest, project_sessions, typical_curves
from lu_data.model.portal import Portal
from lu_data.store.enrolment import portal_history

# What Fill pace says before a load has any history to learn from.
EMPTY_HISTORY_MESSAGE = (
    "No enrolment history yet: it builds up each time data is loaded from a portal, "
    "or run `lu-data record` on a schedule."
)


def pace_inputs(
    portal: Portal, *, demo: bool | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """History, typical curves and back-test of a load as of its fetch time.

    `demo` says whose history to read (the demo's synthetic one); default the load's own flag.
    A view of several portals reads each portal's own history (see portal_history).
    """
    as_of = pd.Timestamp(portal.fetched_at)
    history = portal_history(portal, as_of, demo=portal.is_demo if demo is None else demo)
    curves = typical_curves(history, portal.sessions, as_of)
    return history, curves, backtest(history, portal.sessions, as_of=as_of)


def project_portal(portal: Portal, curves: pd.DataFrame) -> pd.DataFrame | None:
    """Projected final enrolment of every upcoming session of a load, or None without curves.

    Each session's projection depends only on itself and the curves, so one pass over the
    whole load serves every filter.
    """
    if curves.empty:
        return None
    return project_sessions(portal.sessions, curves, pd.Timestamp(portal.fetched_at))


def portal_projections(portal: Portal, history: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Projected final enrolment of a load's upcoming sessions, as the dashboard projects them
    (same history, curves and as-of time), or None without enough history."""
    as_of = pd.Timestamp(portal.fetched_at)
    if history is None:
        history = portal_history(portal, as_of, demo=portal.is_demo)
    if history.empty:
        return None
    return project_portal(portal, typical_curves(history, portal.sessions, as_of))
