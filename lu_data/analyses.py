"""Analyses of a sessions frame: filters, KPIs, weekly capacity, at-risk lists, double-bookings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from lu_data.frames import tutor_keys
from lu_data.timeview import display_times, zone_label

DEFAULT_WEEKS_AHEAD = 8
AT_RISK_DAYS = 14
AT_RISK_BELOW = 0.5
WEEK_FREQ = "W-SUN"  # weeks ending Sunday, so each starts on a Monday


@dataclass(frozen=True)
class Filters:
    """What the user picked in the shared sidebar; empty tuples mean "all"."""

    date_from: date | None = None
    date_to: date | None = None
    trainings: tuple[str, ...] = ()
    tutors: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    tz: str = "local"
    extra: dict[str, str] = field(default_factory=dict)


def default_range(today: date, weeks: int = DEFAULT_WEEKS_AHEAD) -> tuple[date, date]:
    """From today for the next `weeks` weeks."""
    return today, today + timedelta(weeks=weeks)


def location_labels(sessions: pd.DataFrame) -> pd.Series:
    """The location as people read it; sessions without one say so."""
    return sessions["location"].fillna("(no location)")


def filter_sessions(sessions: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Sessions matching the filters; dates compare against the start in the display zone."""
    keep = np.ones(len(sessions), dtype=bool)
    if f.date_from is not None or f.date_to is not None:
        day = display_times(sessions, f.tz)["start_display"].dt.normalize()
        if f.date_from is not None:
            keep &= (day >= pd.Timestamp(f.date_from)).fillna(False).to_numpy()
        if f.date_to is not None:
            keep &= (day <= pd.Timestamp(f.date_to)).fillna(False).to_numpy()
    if f.trainings:
        keep &= sessions["training_key"].isin(f.trainings).to_numpy()
    if f.tutors:
        keep &= tutor_keys(sessions).isin(f.tutors).to_numpy()
    if f.locations:
        keep &= location_labels(sessions).isin(f.locations).to_numpy()
    if f.kinds:
        keep &= sessions["module_kind"].astype("str").isin(f.kinds).to_numpy()
    if f.statuses:
        keep &= sessions["status"].astype("str").isin(f.statuses).to_numpy()
    return sessions.loc[keep]


def describe_view(sessions: pd.DataFrame, f: Filters) -> str:
    """One sentence saying what is shown, e.g. "214 sessions · 3 tutors · 1 Dec 2026 – ..."."""
    n = len(sessions)
    tutors = tutor_keys(sessions).nunique() if n else 0
    parts = [
        f"{n:,} session{'s' if n != 1 else ''}",
        f"{tutors:,} tutor{'s' if tutors != 1 else ''}",
    ]
    if f.date_from or f.date_to:
        start = _day(f.date_from) if f.date_from else "…"
        end = _day(f.date_to) if f.date_to else "…"
        parts.append(f"{start} – {end}")
    parts.append(f"times in {zone_label(f.tz)}")
    return " · ".join(parts)


def capacity_kpis(sessions: pd.DataFrame, today: date) -> dict[str, float | int | None]:
    """Headline numbers for a set of sessions."""
    limited = sessions["max_capacity"].notna()
    offered = int(sessions.loc[limited, "max_capacity"].sum())
    taken_limited = int(sessions.loc[limited, "enrolled"].sum())
    return {
        "sessions": len(sessions),
        "seats_offered": offered,
        "seats_taken": int(sessions["enrolled"].sum()),
        "fill_rate": (taken_limited / offered) if offered else None,
        "full": int((sessions["status"] == "full").sum()),
        "overbooked": int((sessions["status"] == "overbooked").sum()),
        "no_limit": int((~limited).sum()),
        "under_filled_soon": len(at_risk_sessions(sessions, today)),
    }


def at_risk_sessions(
    sessions: pd.DataFrame, today: date, days: int = AT_RISK_DAYS, below: float = AT_RISK_BELOW
) -> pd.DataFrame:
    """Upcoming sessions within `days` that are under `below` full: soonest, then emptiest first."""
    start = pd.Timestamp(today, tz="UTC")
    soon = (sessions["start_utc"] >= start) & (
        sessions["start_utc"] < start + pd.Timedelta(days=days)
    )
    low = (sessions["fill_rate"] < below).fillna(False)
    out = sessions.loc[soon & low]
    return out.sort_values(["start_utc", "fill_rate"], kind="stable")


def weekly_capacity(sessions: pd.DataFrame, tz: str = "local") -> pd.DataFrame:
    """Per week (Monday start, display zone): sessions, seats offered, seats taken, fill rate."""
    if sessions.empty:
        return pd.DataFrame(columns=["week", "sessions", "capacity", "enrolled", "fill_rate"])
    day = display_times(sessions, tz)["start_display"]
    week = day.dt.to_period(WEEK_FREQ).dt.start_time
    limited = sessions["max_capacity"].notna()
    frame = pd.DataFrame(
        {
            "week": week,
            "capacity": sessions["max_capacity"].fillna(0).astype("int64"),
            "enrolled": sessions["enrolled"].astype("int64"),
            "limited_enrolled": sessions["enrolled"].where(limited, 0).astype("int64"),
            "no_limit": ~limited,
        }
    )
    out = (
        frame.groupby("week", sort=True)
        .agg(
            sessions=("capacity", "size"),
            capacity=("capacity", "sum"),
            enrolled=("enrolled", "sum"),
            limited_enrolled=("limited_enrolled", "sum"),
            no_limit_sessions=("no_limit", "sum"),
        )
        .reset_index()
    )
    out["fill_rate"] = out["limited_enrolled"] / out["capacity"].where(out["capacity"] > 0)
    return out.drop(columns="limited_enrolled")


def double_bookings(sessions: pd.DataFrame) -> pd.DataFrame:
    """Pairs of overlapping sessions of the same tutor (sort and sweep per tutor, not pairwise).

    Two sessions overlap when one starts before the other ends, to the minute; touching
    end-to-start is not a clash. Each pair is listed once, earlier session first.
    Rows are ordered by (tutor key, start, session key) on integer ranks, and only the
    columns of clashing rows are ever copied.
    """
    cols = [
        "tutor_key",
        "tutor_name",
        "session_key_a",
        "title_a",
        "start_utc_a",
        "end_utc_a",
        "session_key_b",
        "title_b",
        "start_utc_b",
        "end_utc_b",
        "overlap_minutes",
    ]
    rows = np.flatnonzero(
        (sessions["tutor_id"].notna() | sessions["tutor_email"].notna()).to_numpy()
    )
    if len(rows) < 2:
        return pd.DataFrame(columns=cols)
    keys = tutor_keys(sessions[["tutor_id", "tutor_email", "tutor_name"]].iloc[rows])
    order, tutor_rank = _tutor_start_order(sessions, rows, keys.to_numpy(dtype=object))
    picked = rows[order]
    tutor = tutor_rank[order]
    start = _minutes(sessions["start_utc"])[picked]
    end = _minutes(sessions["end_utc"])[picked]
    same = np.r_[False, tutor[1:] == tutor[:-1]]
    group_start = np.flatnonzero(~same)
    pairs_a: list[int] = []
    pairs_b: list[int] = []
    # Sweep: a row clashes only if it starts before the running maximum end of the
    # tutor's earlier rows, so only those rows are visited.
    ends = pd.Series(end).groupby(np.cumsum(~same)).cummax().shift(1).to_numpy()
    candidates = np.flatnonzero(same & (start < ends))
    group_of = np.cumsum(~same) - 1
    for j in candidates:  # only rows that clash are visited, then scanned back within the tutor
        i = j - 1
        first = group_start[group_of[j]]
        while i >= first:
            if end[i] > start[j]:
                pairs_a.append(i)
                pairs_b.append(j)
            i -= 1
            if j - i > 50:  # a tutor never runs fifty sessions at once; bound the scan
                break
    if not pairs_a:
        return pd.DataFrame(columns=cols)
    needed = ["tutor_name", "session_key", "title", "start_utc", "end_utc"]
    a = sessions[needed].iloc[picked[pairs_a]].reset_index(drop=True)
    b = sessions[needed].iloc[picked[pairs_b]].reset_index(drop=True)
    overlap = (np.minimum(a["end_utc"], b["end_utc"]) - b["start_utc"]) / pd.Timedelta(minutes=1)
    out = pd.DataFrame(
        {
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


def _tutor_start_order(
    sessions: pd.DataFrame, rows: np.ndarray, keys: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Order of rows by (tutor key, start, session key); and each row's tutor-key rank."""
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


def _minutes(times: pd.Series) -> np.ndarray:
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


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"
