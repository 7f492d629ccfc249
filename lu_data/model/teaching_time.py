"""Teaching time: the hours a session teaches on each local day it touches, not elapsed time."""

from __future__ import annotations

import numpy as np
import pandas as pd

HOUR = pd.Timedelta(hours=1)
DAY = pd.Timedelta(days=1)
# A session over more local days than this is a typing error (the quality report flags sessions
# over 14 days); counting each of, say, 60,000 days would swamp every total.
MAX_TEACHING_DAYS = 366
TEACHING_DAY_COLUMNS = ["session", "local_start", "start_utc", "hours"]


def teaching_days(sessions: pd.DataFrame) -> pd.DataFrame:
    """One row per session and local day it teaches on, with the hours taught that day.

    The rule, in the session's own zone: a session within one local day counts its elapsed
    hours. A session over several local days teaches the daily window from its start clock
    time to its end clock time on each day from its start date to its end date (11:00 on day 1
    to 14:00 on day 2 is 2 days of 3 hours, not 27 hours). When the end clock time is not after
    the start clock time (22:00 to 02:00 the next day), the elapsed time is split at local
    midnight instead. At most MAX_TEACHING_DAYS days count.

    Returns:
        session: the row's position in `sessions`; local_start: the day's first taught minute
        on the session's wall clock; start_utc: that minute as an instant; hours.
    """
    start = sessions["start_local"].to_numpy(dtype="datetime64[us]")
    end = sessions["end_local"].to_numpy(dtype="datetime64[us]")
    first_day = start.astype("datetime64[D]")
    last_day = end.astype("datetime64[D]")
    known = ~(np.isnat(start) | np.isnat(end)) & (end >= start)
    span = np.where(known, (last_day - first_day).astype("int64"), 0)
    # An end at exactly midnight teaches nothing on that day.
    midnight_end = known & (span > 0) & (end == last_day.astype("datetime64[us]"))
    span = np.clip(span - midnight_end, 0, MAX_TEACHING_DAYS - 1)
    days = span + 1
    row = np.repeat(np.arange(len(sessions)), days)
    nth = np.arange(len(row)) - np.repeat(np.cumsum(days) - days, days)
    day = first_day[row] + nth.astype("timedelta64[D]")
    day_start = day.astype("datetime64[us]")
    start_clock = start[row] - first_day[row].astype("datetime64[us]")
    end_clock = end[row] - last_day[row].astype("datetime64[us]")
    one_day = (days == 1)[row]
    window = (end_clock > start_clock) & ~midnight_end[row]
    # Split at midnight: the part of [start, end] that falls on this local day.
    piece_start = np.maximum(start[row], day_start)
    piece_end = np.minimum(end[row], day_start + np.timedelta64(1, "D"))
    split_hours = (piece_end - piece_start) / np.timedelta64(1, "h")
    window_hours = (end_clock - start_clock) / np.timedelta64(1, "h")
    elapsed = sessions["duration_hours"].to_numpy(dtype="float64", na_value=np.nan)[row]
    hours = np.where(one_day, elapsed, np.where(window, window_hours, split_hours))
    hours = np.where(known[row], np.nan_to_num(hours, nan=0.0), 0.0)
    local_start = np.where(window | one_day, day_start + start_clock, piece_start)
    utc = sessions["start_utc"].iloc[row].reset_index(drop=True)
    shift = pd.Series(local_start - start[row], dtype="timedelta64[us]")
    return pd.DataFrame(
        {
            "session": row,
            "local_start": pd.Series(local_start, dtype="datetime64[us]"),
            "start_utc": utc + shift,
            "hours": hours.astype("float64"),
        }
    )[TEACHING_DAY_COLUMNS]


def teaching_hours(sessions: pd.DataFrame) -> pd.Series:
    """Hours each session teaches, summed over its local days (see teaching_days)."""
    days = teaching_days(sessions)
    total = np.bincount(days["session"], weights=days["hours"], minlength=len(sessions))
    return pd.Series(total, index=sessions.index, dtype="float64")
