"""Sessions as people read them: location, seats (short, with fill, in words), start times."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lu_data.model.schema import NO_LOCATION, NO_TUTOR
from lu_data.presentation.display_zone import display_times
from lu_data.presentation.time_text import day_text, zoned_time_text

WARNING_SESSION_COLUMNS = ("title", "local_start", "tutor")  # what warning_sessions adds
PROPOSED_TITLE = "Proposed: "  # a proposal's title in a calendar, never mistaken for a session


def location_labels(sessions: pd.DataFrame) -> pd.Series:
    """The location as people read it; sessions without one say so."""
    return sessions["location"].fillna(NO_LOCATION)


def seats_text(sessions: pd.DataFrame) -> pd.Series:
    """ "12/15 seats" per session; "12 enrolled · no limit" when no capacity is set."""
    enrolled = sessions["enrolled"].fillna(0).astype("int64").astype("str")
    cap = sessions["max_capacity"].astype("str")
    limited = enrolled + "/" + cap + " seats"
    return limited.where(sessions["max_capacity"].notna(), enrolled + " enrolled · no limit")


def seats_fill_text(enrolled: pd.Series, capacity: pd.Series, fill: pd.Series) -> pd.Series:
    """ "12/20 · 60%" per session; "12 · no limit" when no capacity is set."""
    taken = enrolled.astype("Float64").fillna(0).round().astype("Int64").astype("str")
    cap = capacity.astype("Float64").round().astype("Int64").astype("str")
    percent = (fill.astype("Float64") * 100).round().astype("Int64").astype("str") + "%"
    limited = (taken + "/" + cap + " · " + percent).astype("object")
    return limited.where(capacity.notna(), taken + " · no limit").astype("str")


def seats_sentence(sessions: pd.DataFrame) -> pd.Series:
    """Seats in words: "8 of 10 seats taken, 2 left", "12 of 10 seats taken, 2 over", ..."""
    cap = sessions["max_capacity"].astype("Int64")
    enrolled = sessions["enrolled"].astype("Int64").fillna(0)
    spare = cap - enrolled
    noun = pd.Series(
        np.where(cap.fillna(0) == 1, "seat", "seats"), index=sessions.index, dtype="str"
    )
    taken = enrolled.astype("str") + " of " + cap.astype("str") + " " + noun + " taken, "
    tail = pd.Series(
        np.where(spare.fillna(0) >= 0, " left", " over"), index=sessions.index, dtype="str"
    )
    limited = taken + spare.abs().astype("str") + tail
    unlimited = enrolled.astype("str") + " enrolled, no limit set"
    return limited.where(cap.notna(), unlimited).astype("str")


def start_texts(sessions: pd.DataFrame, tz: str) -> pd.DataFrame:
    """The start as text in the display zone, in the session's own zone, and both together."""
    shown = display_times(sessions, tz)
    display = zoned_time_text(
        shown["start_display"], shown["display_abbr"], shown["display_offset"], day="none"
    )
    own = zoned_time_text(
        sessions["start_local"], sessions["tz_abbr"], sessions["utc_offset"], day="none"
    )
    # Said once when the two readings agree: the same zone, or another name for it (a browser
    # in "Asia/Calcutta" showing a Kolkata session) or a zone on the same clock that day.
    same = (display == own).fillna(False)
    both = display.where(same, display + " · own zone " + own)
    day = day_text(shown["start_display"])
    return pd.DataFrame(
        {
            "display": display,
            "own": own,
            "both": both,
            "day": day,
            "start": shown["start_display"],
            "end": shown["end_display"],
        },
        index=sessions.index,
    )


def warning_sessions(warnings: pd.DataFrame, sessions: pd.DataFrame) -> pd.DataFrame:
    """The warning rows with their session's title, local start (with its zone) and tutor.

    "record 17 · session:30017" alone cannot be found in LearnUpon; "Excel basics, 2026-12-17
    09:30 GMT (+00:00), Aoife Byrne" can. A warning whose session is not loaded gets blanks.
    """
    out = warnings.copy()
    found = (
        sessions.drop_duplicates("session_key")
        .set_index("session_key")
        .reindex(warnings["session_key"])
    )
    start = found["start_local"]
    start_text = zoned_time_text(start, found["tz_abbr"], found["utc_offset"])
    known = found["title"].notna() | start.notna()
    out["title"] = found["title"].astype("str").where(found["title"].notna(), "").to_numpy()
    out["local_start"] = start_text.where(start.notna(), "").to_numpy()
    tutor = found["tutor_name"].astype("str").where(found["tutor_name"].notna(), NO_TUTOR)
    out["tutor"] = tutor.where(known, "").to_numpy()
    return out
