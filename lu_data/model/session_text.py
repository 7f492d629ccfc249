"""Sessions as people read them: location, seats and start times as text."""

from __future__ import annotations

import pandas as pd

from lu_data.model.display_zone import display_times
from lu_data.model.schema import NO_LOCATION
from lu_data.model.time_text import day_text, zone_text


def location_labels(sessions: pd.DataFrame) -> pd.Series:
    """The location as people read it; sessions without one say so."""
    return sessions["location"].fillna(NO_LOCATION)


def seats_text(sessions: pd.DataFrame) -> pd.Series:
    """ "12/15 seats" per session; "12 enrolled · no limit" when no capacity is set."""
    enrolled = sessions["enrolled"].fillna(0).astype("int64").astype("str")
    cap = sessions["max_capacity"].astype("str")
    limited = enrolled + "/" + cap + " seats"
    return limited.where(sessions["max_capacity"].notna(), enrolled + " enrolled · no limit")


def start_texts(sessions: pd.DataFrame, tz: str) -> pd.DataFrame:
    """The start as text in the display zone, in the session's own zone, and both together."""
    shown = display_times(sessions, tz)
    display = (
        shown["start_display"].dt.strftime("%H:%M")
        + " "
        + zone_text(shown["display_abbr"], shown["display_offset"])
    )
    own = (
        sessions["start_local"].dt.strftime("%H:%M")
        + " "
        + zone_text(sessions["tz_abbr"], sessions["utc_offset"])
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
