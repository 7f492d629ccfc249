"""A session without a title, tutor or location reads the same in every table, event and chart."""

from __future__ import annotations

import pandas as pd
import pytest

from lu_data import load_portal
from lu_data.figures.schedule import timeline_frame
from lu_data.presentation.palette import DARK_TEXT, STATUS_COLORS
from lu_data.sources.demo import generate_demo
from lu_data.views.calendar_events import calendar_events
from lu_data.views.session_tables import sessions_table
from tests.support import ANCHOR


@pytest.fixture(scope="module")
def bare() -> pd.DataFrame:
    """Two demo sessions stripped of title, tutor and location."""
    sessions = load_portal(generate_demo(anchor=ANCHOR, n_sessions=40)).sessions.head(2).copy()
    for col in ("title", "tutor_name", "location"):
        sessions[col] = pd.Series([None] * len(sessions), index=sessions.index, dtype="str")
    return sessions


def test_sessions_table_names_what_is_missing(bare):
    """The sessions table says (untitled), (no tutor) and (no location)."""
    table = sessions_table(bare)
    assert set(table["Title"]) == {"(untitled)"}
    assert set(table["Tutor"]) == {"(no tutor)"}
    assert set(table["Location"]) == {"(no location)"}


def test_calendar_events_and_timeline_use_the_same_words(bare):
    """Calendar events and the timeline's hover text use the table's words."""
    for event in calendar_events(bare, "local"):
        props = event["extendedProps"]
        assert (props["title"], props["tutor"], props["location"]) == (
            "(untitled)",
            "(no tutor)",
            "(no location)",
        )
    frame, _ = timeline_frame(bare, "local")
    assert set(frame["title"]) == {"(untitled)"}
    assert set(frame["tutor"]) == {"(no tutor)"}
    assert set(frame["location"]) == {"(no location)"}


def test_near_full_events_get_dark_text_on_their_status_colour():
    """A near-full event is drawn in the near-full colour with dark, readable text."""
    sessions = load_portal(generate_demo(anchor=ANCHOR, n_sessions=400)).sessions
    near = sessions.loc[sessions["status"] == "near_full"].head(3)
    assert len(near)
    for event in calendar_events(near, "utc"):
        assert event["backgroundColor"] == STATUS_COLORS["near_full"]
        assert event["textColor"] == DARK_TEXT
