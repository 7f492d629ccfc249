"""Tutor double-bookings: every pair of overlapping sessions of one tutor."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lu_data.model.result_schemas import DOUBLE_BOOKING_DTYPES
from lu_data.model.rollups import tutor_keys
from lu_data.model.schema import PORTAL_COLUMN, empty_frame

MINUTE_US = 60_000_000  # microseconds in a minute: sessions clash to the minute
# What a tutor key is read from: the normaliser's key (portal-qualified in a view of several
# portals, so one e-mail in two portals is two tutors), else the tutor's id, e-mail or name.
TUTOR_KEY_INPUTS = ("tutor_key", "tutor_id", "tutor_email", "tutor_name")


def double_bookings(sessions: pd.DataFrame) -> pd.DataFrame:
    """Every pair of overlapping sessions of the same tutor (sorted search, not pairwise).

    Two sessions overlap when one starts before the other ends, to the minute; touching
    end-to-start is not a clash. Each pair is listed once, earlier session first, however
    many sessions run at once (a 10-day session holding 60 short ones gives 60 pairs).
    Rows are ordered by (tutor key, start, session key) on integer ranks, and only the
    columns of clashing rows are ever copied.
    """
    known = sessions["start_utc"].notna() & sessions["end_utc"].notna()
    has_tutor = sessions["tutor_id"].notna() | sessions["tutor_email"].notna()
    rows = np.flatnonzero((has_tutor & known).to_numpy())
    if len(rows) < 2:
        return empty_frame(DOUBLE_BOOKING_DTYPES)
    keys = tutor_keys(sessions[[c for c in TUTOR_KEY_INPUTS if c in sessions]].iloc[rows])
    order, tutor_rank = group_start_order(sessions, rows, keys.to_numpy(dtype=object))
    picked = rows[order]
    tutor = tutor_rank[order]
    start = minute_stamps(sessions["start_utc"])[picked].view("int64") // MINUTE_US
    end = minute_stamps(sessions["end_utc"])[picked].view("int64") // MINUTE_US
    pairs_a, pairs_b = overlapping_pairs(tutor, start, end)
    if not len(pairs_a):
        return empty_frame(DOUBLE_BOOKING_DTYPES)
    needed = ["tutor_name", "session_key", "title", "start_utc", "end_utc"]
    a = sessions[needed].iloc[picked[pairs_a]].reset_index(drop=True)
    b = sessions[needed].iloc[picked[pairs_b]].reset_index(drop=True)
    overlap = (np.minimum(a["end_utc"], b["end_utc"]) - b["start_utc"]) / pd.Timedelta(minutes=1)
    portal = (
        sessions[PORTAL_COLUMN].iloc[picked[pairs_a]].reset_index(drop=True)
        if PORTAL_COLUMN in sessions
        else pd.Series(pd.NA, index=a.index, dtype="str")
    )
    out = pd.DataFrame(
        {
            PORTAL_COLUMN: portal,
            "tutor_key": pd.Series(keys.to_numpy(dtype=object)[order][pairs_a], dtype="str"),
            "tutor_name": a["tutor_name"],
            "session_key_a": a["session_key"],
            "title_a": a["title"],
            "start_utc_a": a["start_utc"],
            "end_utc_a": a["end_utc"],
            "session_key_b": b["session_key"],
            "title_b": b["title"],
            "start_utc_b": b["start_utc"],
            "end_utc_b": b["end_utc"],
            "overlap_minutes": overlap.round().astype("int64"),
        }
    )
    return out.sort_values(["start_utc_a", "tutor_name"], kind="stable", ignore_index=True)


def overlapping_pairs(
    tutor: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs (i, j), i < j, of one group (a tutor, a room) with start[j] < end[i]; rows
    sorted by group, then start.

    Within a tutor the starts are sorted, so the rows that session i overlaps later are the
    contiguous run after it up to the first start at or after end[i]: one binary search per
    row over a key that keeps each tutor in its own band, then the runs are expanded.
    """
    base = start.min()
    band = int(max(end.max(), start.max()) - base) + 1
    key = tutor * band + (start - base)
    reach = tutor * band + np.clip(end - base, 0, band - 1)
    stop = np.searchsorted(key, reach, side="left")
    here = np.arange(len(start))
    count = np.clip(stop - here - 1, 0, None)
    pairs_a = np.repeat(here, count)
    # j runs from i + 1 for count[i] rows: offsets 1..count[i] within each run
    run_start = np.cumsum(count) - count
    pairs_b = pairs_a + 1 + (np.arange(len(pairs_a)) - np.repeat(run_start, count))
    return pairs_a, pairs_b


def group_start_order(
    sessions: pd.DataFrame, rows: np.ndarray, keys: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Order of rows by (group key, start, session key); and each row's group-key rank."""
    codes, uniques = pd.factorize(keys)
    rank_of = np.empty(len(uniques), dtype="int64")
    rank_of[np.argsort(uniques.astype(object), kind="stable")] = np.arange(len(uniques))
    tutor_rank = rank_of[codes]
    start = sessions["start_utc"].to_numpy(dtype="datetime64[us]")[rows].view("int64")
    start = np.where(np.isnat(start.view("datetime64[us]")), np.iinfo("int64").max, start)
    order = np.lexsort((start, tutor_rank))
    # The same tutor starting two sessions at the same instant: order those by session key.
    t, st = tutor_rank[order], start[order]
    tie = np.r_[False, (t[1:] == t[:-1]) & (st[1:] == st[:-1])]
    if tie.any():
        session_key = sessions["session_key"].to_numpy(dtype=object)[rows]
        # runs of tied rows: each starts one row before its first tie flag
        edges = np.flatnonzero(np.diff(np.r_[0, tie.astype("int8"), 0]))
        for lo, hi in zip(edges[::2] - 1, edges[1::2], strict=True):  # few: one per clash
            run = order[lo:hi]
            order[lo:hi] = run[np.argsort(session_key[run].astype(str), kind="stable")]
    return order, tutor_rank


def minute_stamps(times: pd.Series) -> np.ndarray:
    """tz-aware times floored to the minute, as naive UTC datetime64 (NaT stays NaT)."""
    return times.dt.floor("min").to_numpy(dtype="datetime64[us]")


def conflict_counts(pairs: pd.DataFrame) -> pd.Series:
    """Number of double-booked sessions per tutor key."""
    if pairs.empty:
        return pd.Series(dtype="int64")
    keys = pd.concat(
        [
            pairs[["tutor_key", "session_key_a"]].set_axis(["tutor_key", "session_key"], axis=1),
            pairs[["tutor_key", "session_key_b"]].set_axis(["tutor_key", "session_key"], axis=1),
        ]
    ).drop_duplicates()
    return keys.groupby("tutor_key").size()


def double_booked_sessions(pairs: pd.DataFrame) -> int:
    """Sessions in at least one clash (per tutor), as the Tutors page counts them.

    Pairs and sessions differ: three pairs can hold six sessions, or four when one session
    overlaps three others.
    """
    return int(conflict_counts(pairs).sum())
