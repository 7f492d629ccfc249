"""The Sessions page's search and the overview's "soonest" order, as lu_data functions."""

from __future__ import annotations

import pandas as pd
import pytest

from lu_data.analyses.filters import search_sessions
from lu_data.views.session_tables import soonest_rows


@pytest.fixture
def sessions() -> pd.DataFrame:
    """Four sessions; one has no tutor and no location."""
    return pd.DataFrame(
        {
            "session_key": ["a", "b", "c", "d"],
            "title": ["Excel basics", "Advanced EXCEL", "Fire safety", "Data (a+b)*"],
            "tutor_name": pd.Series(["Aoife Byrne", "Tom Ng", None, "Aoife Kelly"], dtype="str"),
            "location": pd.Series(["Dublin", "Cork", None, "Online"], dtype="str"),
            "start_utc": pd.to_datetime(
                ["2026-12-01 09:00", "2026-12-01 13:30", "2026-12-01 09:30", "2026-11-30 23:00"],
                utc=True,
            ),
        }
    )


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("excel", ["a", "b"]),  # any case, in the title
        ("  aoife ", ["a", "d"]),  # in the tutor, spaces around ignored
        ("CORK", ["b"]),  # in the location
        ("(a+b)*", ["d"]),  # literal text, not a pattern
        ("", ["a", "b", "c", "d"]),  # blank keeps everything
        ("   ", ["a", "b", "c", "d"]),
        ("nowhere", []),
    ],
)
def test_search_looks_in_title_tutor_and_location(sessions, text, keys):
    """Search keeps the sessions whose title, tutor or location holds the text."""
    assert search_sessions(sessions, text)["session_key"].tolist() == keys


def test_soonest_orders_by_the_instant_not_the_wall_clock(sessions):
    """Rows come in order of their sessions' UTC start, however the table lists them."""
    # The table lists wall-clock times in each session's zone, so its own order misleads.
    table = pd.DataFrame({"Session key": ["a", "b", "c", "d"], "Start": ["09:00"] * 4})
    assert soonest_rows(table, sessions, 3)["Session key"].tolist() == ["d", "a", "c"]
    assert soonest_rows(table, sessions, 10)["Session key"].tolist() == ["d", "a", "c", "b"]


def test_soonest_keeps_the_table_order_for_equal_starts(sessions):
    """Two sessions starting at the same instant stay in the table's order."""
    same = sessions.assign(start_utc=sessions["start_utc"].iloc[0])
    table = pd.DataFrame({"Session key": ["c", "a", "b"]})
    assert soonest_rows(table, same, 2)["Session key"].tolist() == ["c", "a"]
