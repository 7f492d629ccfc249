"""A plausible, deterministic enrolment history for the demo portal, built without a database.

Each demo session gets one snapshot a day (at the demo's fetch time of day) from when it opened
(its creation, at most HISTORY_DAYS before start) until it starts or until the anchor, whichever
comes first. Enrolment follows an S-shaped curve with a late surge that ends exactly at the
session's enrolment: the final count for past sessions, today's count for upcoming ones.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from lu_data.model.schema import UTC_DT, empty_frame
from lu_data.model.timezones import as_utc
from lu_data.sources.demo import DEMO_SEED
from lu_data.store.store import HISTORY_DTYPES, history_frame

HISTORY_DAYS = 90
DAY = pd.Timedelta(days=1)
# Per-session curve shape as shares of the booking window: where half the seats are taken
# (days before start) and how sharp the surge is. Late midpoints give the late surge.
MIDPOINT_SHARE = (0.2, 0.55)
STEEPNESS_SHARE = (0.08, 0.18)
NOISE_SD = 0.06


def demo_history(
    sessions: pd.DataFrame, anchor: datetime | pd.Timestamp, seed: int = DEMO_SEED
) -> pd.DataFrame:
    """Daily snapshots for every session with an enrolment count, in the history frame shape."""
    now = as_utc(anchor)
    keep = sessions["enrolled"].notna() & sessions["start_utc"].notna()
    s = sessions.loc[keep].sort_values("session_key", kind="stable")
    if s.empty:
        return empty_frame(HISTORY_DTYPES)
    start = s["start_utc"].to_numpy(dtype="datetime64[us]")
    created = s["created_at"].to_numpy(dtype="datetime64[us]")
    now64 = np.datetime64(now.tz_localize(None), "us")
    day = np.timedelta64(1, "D").astype("timedelta64[us]")
    opened = start - HISTORY_DAYS * day
    opened = np.where(np.isnat(created) | (created < opened), opened, created)
    opened = np.minimum(opened, now64)  # the demo invents some creation dates after "today"
    # Snapshot k is taken k days before the anchor's time of day: keep those in [opened, start).
    k_lo = np.maximum(0, np.floor((now64 - start) / day).astype(np.int64) + 1)
    k_hi = np.floor((now64 - opened) / day).astype(np.int64)
    counts = np.maximum(k_hi - k_lo + 1, 0)
    owner = np.repeat(np.arange(len(s)), counts)
    first = np.cumsum(counts) - counts
    k = k_hi[owner] - (np.arange(counts.sum()) - first[owner])  # oldest snapshot first
    taken = now64 - k * day

    rng = np.random.default_rng(seed)
    window = np.maximum((start - opened) / day, 1.0)
    mid = window * rng.uniform(*MIDPOINT_SHARE, len(s))
    steep = window * rng.uniform(*STEEPNESS_SHARE, len(s))
    days_left = (start[owner] - taken) / day
    share = _fill_share(days_left, window[owner], mid[owner], steep[owner])
    last = np.cumsum(counts) - 1  # index of each session's newest snapshot
    share_last = np.repeat(share[last[counts > 0]], counts[counts > 0])
    # Scale the curve so the newest snapshot is the session's known count exactly.
    relative = np.where(share_last > 0, share / np.where(share_last > 0, share_last, 1), 1.0)
    relative = np.clip(relative * (1 + rng.normal(0, NOISE_SD, len(relative))), 0, 1)
    final = s["enrolled"].to_numpy(dtype="float64")
    values = np.round(final[owner] * relative)
    values = _running_max(values, owner)  # enrolments mostly only grow
    values[last[counts > 0]] = final[counts > 0]
    # The columns' own arrays are taken, not NumPy copies of them: a tz-aware column as NumPy
    # is objects, and turning 3 million of them back into times was most of the cost at 100k.
    frame = pd.DataFrame(
        {
            "session_key": s["session_key"].array.take(owner),
            "training_key": s["training_key"].fillna(s["session_key"]).array.take(owner),
            "recorded_at": pd.DatetimeIndex(taken).tz_localize("UTC").astype(UTC_DT),
            "start_utc": s["start_utc"].array.take(owner),
            "max_capacity": s["max_capacity"].array.take(owner),
            "enrolled": np.minimum(values, final[owner]).astype("int64"),
        }
    )
    return history_frame(frame)


def _fill_share(days_left: np.ndarray, window: np.ndarray, mid: np.ndarray, steep: np.ndarray):
    """Logistic share of final enrolment by days left, 0 when booking opens and 1 at start."""

    def logistic(d: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp((d - mid) / steep))

    low, high = logistic(window), logistic(np.zeros_like(days_left))
    return np.clip((logistic(days_left) - low) / np.maximum(high - low, 1e-9), 0.0, 1.0)


def _running_max(values: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Cumulative maximum within each session (owner runs are contiguous and sorted)."""
    offset = owner.astype("float64") * (values.max(initial=0) + 1)
    return np.maximum.accumulate(values + offset) - offset
