"""Session times in a display zone: each session's own zone, UTC, or any IANA zone."""

from __future__ import annotations

import pandas as pd

from lu_data.model.timezones import is_valid_zone, localize
from lu_data.presentation.time_text import offset_labels
from lu_data.presentation.zone_names import SESSION_ZONE, UTC_MODE


def normalise_zone_choice(choice: str | None) -> str:
    """Validate a display-zone choice: 'local', 'utc' or an IANA zone name."""
    if choice is None or choice == "" or choice.lower() == SESSION_ZONE:
        return SESSION_ZONE
    if choice.lower() == UTC_MODE:
        return UTC_MODE
    if is_valid_zone(choice):
        return choice
    raise ValueError(
        f"unknown time zone '{choice}': use local, utc or an IANA name such as Europe/Dublin"
    )


def display_times(sessions: pd.DataFrame, choice: str | None) -> pd.DataFrame:
    """Display-zone columns: start/end wall clock (naive), their offsets, abbreviation and zone."""
    zone = normalise_zone_choice(choice)
    if zone == SESSION_ZONE:
        start, offset, abbr = sessions["start_local"], sessions["utc_offset"], sessions["tz_abbr"]
        end, zones = sessions["end_local"], sessions["tz"]
    else:
        iana = "UTC" if zone == UTC_MODE else zone
        zones = pd.Series(iana, index=sessions.index, dtype="str")
        start, offset, abbr = localize(sessions["start_utc"], zones)
        end, _, _ = localize(sessions["end_utc"], zones, labels=False)
    # The end can sit on the other side of a DST change from the start.
    end_offset = offset_labels(end, sessions["end_utc"])
    return pd.DataFrame(
        {
            "start_display": start,
            "end_display": end,
            "display_offset": offset,
            "display_end_offset": end_offset,
            "display_abbr": abbr,
            "display_tz": zones,
        },
        index=sessions.index,
    )


def zone_label(choice: str | None) -> str:
    """Words for the chosen display zone, e.g. "each session's own zone"."""
    zone = normalise_zone_choice(choice)
    if zone == SESSION_ZONE:
        return "each session's own zone"
    return "UTC" if zone == UTC_MODE else zone
