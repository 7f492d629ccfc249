"""Which enrolment history belongs to a load: the demo's synthetic one or the store's."""

from __future__ import annotations

import pandas as pd

from lu_data.store.demo_history import demo_history
from lu_data.store.history import open_store


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
