"""Which enrolment history belongs to a load: the demo's synthetic one or the store's."""

from __future__ import annotations

import pandas as pd

from lu_data.model.portal import Portal
from lu_data.model.portals import stack_histories
from lu_data.store.demo_history import demo_history
from lu_data.store.store import open_store


def enrolment_history(
    sessions: pd.DataFrame, as_of: pd.Timestamp, origin: str, *, demo: bool
) -> pd.DataFrame:
    """The enrolment history of one load.

    The demo has no past fetches, so it gets a synthetic history built from its sessions; any
    other source reads what the history store recorded for its origin.
    """
    if demo:
        return demo_history(sessions, as_of)
    with open_store() as store:
        return store.history(origin=origin)


def portal_history(portal: Portal, as_of: pd.Timestamp, *, demo: bool) -> pd.DataFrame:
    """The enrolment history of a load, keyed as its sessions are.

    A view of several portals reads each portal's history (recorded under its own origin and
    plain keys) and qualifies the keys as the view's; the demo's is built from its sessions.
    """
    if demo or not portal.parts:
        return enrolment_history(portal.sessions, as_of, portal.origin, demo=demo)
    return stack_histories(
        {
            name: enrolment_history(part.sessions, as_of, part.origin, demo=False)
            for name, part in portal.parts.items()
        }
    )
