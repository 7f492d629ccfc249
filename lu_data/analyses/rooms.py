"""Rooms: two in-person sessions in one room at the same time (whatever their tutors), and
the hours each location is booked per week."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lu_data.analyses.double_bookings import group_start_order, minute_stamps, overlapping_pairs
from lu_data.analyses.tutors import (
    pairs_with_times,
    span_text,
    stack_sides,
    times_by_key,
    weekly_load,
)
from lu_data.model.places import place_keys
from lu_data.model.result_schemas import (
    ROOM_CLASH_DTYPES,
    ROOM_CLASH_EXPORT_DTYPES,
    ROOM_CLASH_ROWS_DTYPES,
)
from lu_data.model.schema import NO_TUTOR, PORTAL_COLUMN, UNTITLED, empty_frame
from lu_data.presentation.display_zone import SESSION_ZONE

MINUTE_US = 60_000_000
NO_ROOM_NAME = "(no name)"  # a room placed by address whose sessions name no location


def room_clashes(sessions: pd.DataFrame) -> pd.DataFrame:
    """Every pair of in-person sessions in one room that overlap (to the minute; touching
    end-to-start does not clash), earlier session first, found by a sorted search."""
    keys = place_keys(sessions)
    known = sessions["start_utc"].notna() & sessions["end_utc"].notna() & keys.notna()
    rows = np.flatnonzero(known.to_numpy())
    if len(rows) < 2:
        return empty_frame(ROOM_CLASH_DTYPES)
    key_values = keys.to_numpy(dtype=object)[rows]
    order, room_rank = group_start_order(sessions, rows, key_values)
    picked = rows[order]
    room = room_rank[order]
    start = minute_stamps(sessions["start_utc"])[picked].view("int64") // MINUTE_US
    end = minute_stamps(sessions["end_utc"])[picked].view("int64") // MINUTE_US
    pairs_a, pairs_b = overlapping_pairs(room, start, end)
    if not len(pairs_a):
        return empty_frame(ROOM_CLASH_DTYPES)
    needed = ["session_key", "title", "tutor_name", "start_utc", "end_utc"]
    a = sessions[needed].iloc[picked[pairs_a]].reset_index(drop=True)
    b = sessions[needed].iloc[picked[pairs_b]].reset_index(drop=True)
    first = sessions.iloc[picked[pairs_a]].reset_index(drop=True)
    overlap = (np.minimum(a["end_utc"], b["end_utc"]) - b["start_utc"]) / pd.Timedelta(minutes=1)
    out = pd.DataFrame(
        {
            PORTAL_COLUMN: first.get(PORTAL_COLUMN, pd.NA),
            "room_key": pd.Series(key_values[order][pairs_a], dtype="str"),
            "location_id": first["location_id"],
            "location": first["location"],
            "overlap_minutes": overlap.round().astype("int64"),
            **{f"{c}_a": a[c] for c in needed},
            **{f"{c}_b": b[c] for c in needed},
        }
    )
    out = out.sort_values(["start_utc_a", "room_key"], kind="stable", ignore_index=True)
    return out[list(ROOM_CLASH_DTYPES)].astype(dict(ROOM_CLASH_DTYPES))


def room_clashed_sessions(pairs: pd.DataFrame) -> int:
    """Sessions in at least one room clash: three pairs can hold six sessions, or four."""
    return len(set(pairs["session_key_a"]) | set(pairs["session_key_b"]))


def room_clashes_export(
    pairs: pd.DataFrame, sessions: pd.DataFrame, tz: str = SESSION_ZONE
) -> pd.DataFrame:
    """The clashes for CSV: room, both sessions' keys, titles, tutors, UTC and display-zone
    times as ISO 8601, and the overlap in minutes."""
    if pairs.empty:
        return empty_frame(ROOM_CLASH_EXPORT_DTYPES)
    return pairs_with_times(pairs, sessions, tz)[list(ROOM_CLASH_EXPORT_DTYPES)]


def room_labels(sessions: pd.DataFrame, keys: pd.Series) -> pd.Series:
    """Each room key's name as people read it: its location, else its address."""
    placed = keys.notna()
    name = sessions["location"].where(sessions["location"].fillna("").ne(""), sessions["address_1"])
    frame = pd.DataFrame({"key": keys[placed], "name": name[placed].fillna(NO_ROOM_NAME)})
    return frame.drop_duplicates("key").set_index("key")["name"]


def weekly_room_hours(sessions: pd.DataFrame, tz: str = SESSION_ZONE) -> pd.DataFrame:
    """Sessions and hours booked per room per week, as the tutors' weekly load is counted."""
    keys = place_keys(sessions)
    placed = keys.notna().to_numpy()
    rooms = sessions.loc[placed]
    return weekly_load(rooms, tz, keys[placed], room_labels(sessions, keys))


def room_clash_rows(
    pairs: pd.DataFrame, sessions: pd.DataFrame, tz: str = SESSION_ZONE
) -> pd.DataFrame:
    """The clashes stacked for a narrow screen: each clash's two sessions, numbered alike."""
    if pairs.empty:
        return empty_frame(ROOM_CLASH_ROWS_DTYPES)
    times = times_by_key(sessions, tz)
    clash = pd.Series(np.arange(1, len(pairs) + 1), dtype="int64")
    p = pairs.reset_index(drop=True)
    return stack_sides(
        [
            pd.DataFrame(
                {
                    "Clash": clash,
                    "Room": p["location"].fillna(NO_ROOM_NAME),
                    "When": span_text(
                        times.reindex(p[f"session_key_{side}"]).reset_index(drop=True)
                    ),
                    "Title": p[f"title_{side}"].fillna(UNTITLED),
                    "Tutor": p[f"tutor_name_{side}"].fillna(NO_TUTOR),
                    "Overlap (min)": p["overlap_minutes"],
                }
            )
            for side in "ab"
        ]
    )
