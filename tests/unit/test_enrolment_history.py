"""The enrolment history of a load: the demo's synthetic one, or what the store recorded."""

from __future__ import annotations

import pandas as pd
from pandas.testing import assert_frame_equal

from lu_data import load_portal
from lu_data.sources.demo import generate_demo
from lu_data.store.demo_history import demo_history
from lu_data.store.enrolment import enrolment_history
from lu_data.store.store import open_store
from tests.support import ANCHOR


def test_the_demo_gets_its_synthetic_history_not_the_store():
    """The demo's history is built from its sessions, whatever the store holds."""
    portal = load_portal(generate_demo(anchor=ANCHOR, n_sessions=60))
    as_of = pd.Timestamp(portal.fetched_at)
    with open_store() as store:
        store.record(portal)  # a stored fetch of the demo must not replace its synthetic history
    history = enrolment_history(portal.sessions, as_of, portal.origin, demo=True)
    assert_frame_equal(history, demo_history(portal.sessions, as_of))
    assert len(history) > len(portal.sessions)  # several readings per session


def test_any_other_source_gets_what_the_store_recorded_for_its_origin():
    """A portal that is not the demo has no history until a fetch of it is recorded."""
    portal = load_portal(generate_demo(anchor=ANCHOR, n_sessions=60))
    as_of = pd.Timestamp(portal.fetched_at)
    assert enrolment_history(portal.sessions, as_of, portal.origin, demo=False).empty
    with open_store() as store:
        added = store.record(portal, min_gap=None)
    history = enrolment_history(portal.sessions, as_of, portal.origin, demo=False)
    assert added > 0
    assert len(history) == added
    assert set(history["session_key"]) <= set(portal.sessions["session_key"])
    assert enrolment_history(portal.sessions, as_of, "another portal", demo=False).empty
