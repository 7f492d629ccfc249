"""The sessions export frame that the CSV and Excel exports share: times in the display zone."""

from __future__ import annotations

import pandas as pd

from lu_data.presentation.display_zone import SESSION_ZONE, display_times

SESSION_EXPORT_COLUMNS = [
    "portal",
    "session_key",
    "module_kind",
    "module_id",
    "training_id",
    "session_id",
    "training_key",
    "title",
    "start_utc",
    "end_utc",
    "start_local",
    "end_local",
    "timezone",
    "tz",
    "utc_offset",
    "tz_abbr",
    "duration_hours",
    "max_capacity",
    "enrolled",
    "seats_left",
    "fill_rate",
    "status",
    "tutor_id",
    "tutor_name",
    "tutor_email",
    "location",
    "is_virtual",
    "address_1",
    "address_2",
    "address_3",
    "country_code",
    "state_code",
    "course_ids",
    "updated_at",
]


def session_export_frame(sessions: pd.DataFrame, tz: str | None = SESSION_ZONE) -> pd.DataFrame:
    """The sessions with their local columns in the display zone, still typed (not yet text).

    start_local/end_local are naive wall clocks in the chosen zone, utc_offset and
    end_utc_offset their offsets (a session can span a DST change), tz and tz_abbr the zone;
    UTC columns stay tz-aware. Each export then writes these as its format needs.
    """
    shown = display_times(sessions, tz)
    out = sessions.copy()
    out["start_local"] = shown["start_display"]
    out["end_local"] = shown["end_display"]
    out["tz"] = shown["display_tz"]
    out["utc_offset"] = shown["display_offset"]
    out["end_utc_offset"] = shown["display_end_offset"]
    out["tz_abbr"] = shown["display_abbr"]
    out["duration_hours"] = sessions["duration_hours"].round(2)
    return out
