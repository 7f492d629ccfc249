"""The demo portal for the pinned today, the pages' default view of it, frames cut from it."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from tests.support import ANCHOR

if TYPE_CHECKING:
    import pandas as pd

    from lu_data.analyses.filters import Filters
    from lu_data.model.portal import Portal
    from lu_data.planning.portal_plan import PortalPlan

DEFAULT_END = date(2027, 1, 22)  # the pages' default range: the pinned today and 8 weeks on


@lru_cache(maxsize=4)
def demo_portal(n_sessions: int | None = None) -> Portal:
    """The demo portal for the pinned today, built once per test process and size.

    Every caller gets the same object: copy a frame before changing it (the `demo_portal`
    fixture fails the test that changes it in place).
    """
    from lu_data import load_portal
    from lu_data.sources.demo import generate_demo

    sized = {} if n_sessions is None else {"n_sessions": n_sessions}
    # named as the app names its demo, so frames and exports compare equal
    return load_portal(generate_demo(anchor=ANCHOR, **sized), name="demo")


def default_filters(**changes: Any) -> Filters:
    """The pages' default filters (the pinned today to DEFAULT_END), with `changes` made."""
    from lu_data.analyses.filters import Filters

    return Filters(date_from=ANCHOR, date_to=DEFAULT_END, **changes)


def projected_risk_keys(date_to: date = DEFAULT_END, threshold: float = 0.5) -> list[str]:
    """Session keys the demo's pace projection puts under `threshold` full in the default view."""
    import pandas as pd

    from lu_data.analyses.filters import Filters, filter_sessions
    from lu_data.analyses.forecast import project_sessions, projected_at_risk, typical_curves
    from lu_data.store.demo_history import demo_history

    portal = demo_portal()
    as_of = pd.Timestamp(portal.fetched_at)
    curves = typical_curves(demo_history(portal.sessions, as_of), portal.sessions, as_of)
    sessions = filter_sessions(portal.sessions, Filters(date_from=ANCHOR, date_to=date_to))
    risk = projected_at_risk(sessions, project_sessions(sessions, curves, as_of), threshold)
    return sorted(risk["session_key"])


def in_one_place(
    sessions: pd.DataFrame, count: int, location_id: int, location: str
) -> pd.DataFrame:
    """Copies of the first `count` sessions, numbered from 0, in person at one location."""
    import pandas as pd

    out = sessions.head(count).copy().reset_index(drop=True)
    out["is_virtual"] = False
    out["location_id"] = pd.array([location_id] * count, dtype="Int64")
    out["location"] = location
    return out


def demo_verdicts() -> pd.DataFrame:
    """Supply and demand of the demo's trainings, on the demo's own enrolment history (as the
    app judges them: the Plan page's suggestion)."""
    import pandas as pd

    from lu_data.analyses.supply_demand import supply_demand
    from lu_data.store.demo_history import demo_history

    portal = demo_portal()
    as_of = pd.Timestamp(portal.fetched_at)
    return supply_demand(demo_history(portal.sessions, as_of), portal.sessions, as_of)


@lru_cache(maxsize=8)
def demo_plan(requests: tuple[tuple[str, int], ...] | None = None, **settings: Any) -> PortalPlan:
    """The plan lu_data makes of the demo for these requests (None: the Plan page's
    suggestion) and settings (default: the page's default window from the pinned today)."""
    from lu_data.planning.portal_plan import plan_portal
    from lu_data.planning.requests import PlanRequest, PlanSettings, default_window

    first, last = default_window(ANCHOR)
    asked = None if requests is None else [PlanRequest(k, n) for k, n in requests]
    wanted = PlanSettings(**{"first_day": first, "last_day": last, **settings})
    return plan_portal(demo_portal(), asked, wanted, ANCHOR, demo_verdicts())
