"""Capacity analyses: seats against enrolment per session, per training and per location."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from pandas.api.types import pandas_dtype

from lu_data.analyses.filters import location_labels
from lu_data.model.display_zone import display_times, zone_label
from lu_data.model.normalise import NEAR_FULL_AT, UNDER_FILLED_BELOW
from lu_data.model.schema import (
    FILL_BIN_LABELS,
    FILL_DISTRIBUTION_DTYPES,
    ROLLUP_DTYPES,
    SESSION_CAPACITY_DTYPES,
    STATUS_DTYPE,
    STATUS_LABELS,
    STATUS_ORDER,
    WEEKLY_CAPACITY_DTYPES,
    empty_frame,
)

# Above this many sessions a bar per session is unreadable (and slow): aggregate instead.
MAX_SESSION_BARS = 300
# Rows of the aggregated per-training chart; the rest are named in a caption.
MAX_GROUP_BARS = 40
SESSION_LISTS: dict[str, str] = {
    "full": "Full",
    "overbooked": "Overbooked",
    "under_filled": "Under-filled",
    "no_limit": "No limit",
}
FILL_BIN_EDGES = [i / 10 for i in range(11)]
ROLLUP_BY = {"training": "Training", "location": "Location"}
TITLE_CHARS = 34


def short_text(text: pd.Series, limit: int = TITLE_CHARS) -> pd.Series:
    """Text cut to `limit` characters with an ellipsis, so axis labels stay readable."""
    text = text.fillna("(untitled)").astype("str")
    return text.where(text.str.len() <= limit, text.str.slice(0, limit - 1) + "…")


def session_capacity(sessions: pd.DataFrame, tz: str = "local") -> pd.DataFrame:
    """One row per session, grouped by training then start: the per-session chart's data."""
    columns = [
        "training",
        "label",
        "session_key",
        "title",
        "start",
        "capacity",
        "enrolled",
        "over",
        "fill_rate",
        "status",
        "status_label",
        "tutor",
        "location",
    ]
    if sessions.empty:
        return empty_frame(SESSION_CAPACITY_DTYPES)
    shown = display_times(sessions, tz)
    start_text = (
        shown["start_display"].dt.strftime("%a %d %b %H:%M")
        + " "
        + shown["display_abbr"].fillna("UTC")
    )
    frame = pd.DataFrame(
        {
            "training": short_text(sessions["title"]),
            "label": start_text,
            "session_key": sessions["session_key"],
            "title": sessions["title"].fillna("(untitled)"),
            "start": start_text,
            "start_sort": sessions["start_utc"],
            "capacity": sessions["max_capacity"].astype("Float64"),
            "enrolled": sessions["enrolled"].astype("int64"),
            "fill_rate": sessions["fill_rate"],
            "status": sessions["status"],
            "status_label": sessions["status"].map(STATUS_LABELS).astype("str"),
            "tutor": sessions["tutor_name"].fillna("(no tutor)"),
            "location": location_labels(sessions),
        }
    )
    frame["over"] = (frame["enrolled"] - frame["capacity"]).clip(lower=0).fillna(0)
    frame = frame.sort_values(["training", "start_sort", "session_key"], kind="stable")
    # Two sessions of one training at the same minute would share a bar: number the repeats.
    repeat = frame.groupby(["training", "label"], sort=False).cumcount()
    numbered = frame["label"] + " (" + (repeat + 1).astype("str") + ")"
    frame["label"] = frame["label"].where(repeat == 0, numbered)
    return frame[columns].reset_index(drop=True)


def capacity_rollup(sessions: pd.DataFrame, by: str = "training") -> pd.DataFrame:
    """Per training or location: sessions, seats, enrolled, seats left, fill, status counts."""
    label = ROLLUP_BY[by]
    status_cols = [STATUS_LABELS[s] for s in STATUS_ORDER]
    columns = [label, "Sessions", "Capacity", "Enrolled", "Seats left", "Fill", *status_cols]
    if sessions.empty:
        return empty_frame({label: pandas_dtype("str"), **ROLLUP_DTYPES})
    name = sessions["title"].fillna("(untitled)") if by == "training" else location_labels(sessions)
    # Two trainings can share a title: group on the key, show the title.
    group = sessions["training_key"] if by == "training" else name
    limited = sessions["max_capacity"].notna()
    frame = pd.DataFrame(
        {
            "group": group,
            "name": name,
            "capacity": sessions["max_capacity"].fillna(0).astype("int64"),
            "enrolled": sessions["enrolled"].astype("int64"),
            "limited_enrolled": sessions["enrolled"].where(limited, 0).astype("int64"),
            "seats_left": sessions["seats_left"].fillna(0).astype("int64"),
        }
    )
    totals = frame.groupby("group", sort=False).agg(
        name=("name", "first"),
        sessions=("capacity", "size"),
        capacity=("capacity", "sum"),
        enrolled=("enrolled", "sum"),
        limited_enrolled=("limited_enrolled", "sum"),
        seats_left=("seats_left", "sum"),
    )
    # groupby().size() is vectorised; crosstab falls back to a Python loop per group.
    status = sessions["status"].astype(STATUS_DTYPE)
    counts = frame.groupby([frame["group"], status], observed=True).size().unstack(fill_value=0)
    counts = counts.reindex(columns=STATUS_ORDER, fill_value=0).reindex(totals.index, fill_value=0)
    fill = totals["limited_enrolled"] / totals["capacity"].where(totals["capacity"] > 0)
    out = pd.DataFrame(
        {
            label: totals["name"],
            "Sessions": totals["sessions"],
            "Capacity": totals["capacity"],
            "Enrolled": totals["enrolled"],
            "Seats left": totals["seats_left"],
            "Fill": fill.astype("Float64"),
        }
    )
    for code in STATUS_ORDER:
        out[STATUS_LABELS[code]] = counts[code].astype("int64")
    out = out.sort_values(["Sessions", label], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)[columns]


def rollup_status(rollup: pd.DataFrame) -> pd.Series:
    """The fill status of each roll-up row, from its totals, with the sessions' thresholds."""
    cap = rollup["Capacity"].astype("float64")
    fill = rollup["Fill"].astype("float64")
    has_cap = (cap > 0).to_numpy()
    # Enrolment on no-limit sessions is left out of the fill, as for the KPIs.
    status = np.select(
        [
            ~has_cap,
            (fill > 1).to_numpy(),
            (fill == 1).to_numpy(),
            (fill >= NEAR_FULL_AT).to_numpy(),
            (fill < UNDER_FILLED_BELOW).to_numpy(),
        ],
        ["no_limit", "overbooked", "full", "near_full", "under_filled"],
        default="healthy",
    )
    return pd.Series(pd.Categorical(status, dtype=STATUS_DTYPE), index=rollup.index)


def fill_distribution(sessions: pd.DataFrame) -> pd.DataFrame:
    """Sessions per fill-rate bin and status (10-point bins, then 100%, over 100%, no limit)."""
    columns = ["bin", "status", "status_label", "sessions"]
    if sessions.empty:
        return empty_frame(FILL_DISTRIBUTION_DTYPES)
    fill = sessions["fill_rate"].astype("float64").to_numpy()
    tens = np.clip(np.floor(np.nan_to_num(fill, nan=0.0) * 10), 0, 9).astype("int64")
    code = np.select([np.isnan(fill), fill > 1, fill == 1], [12, 11, 10], default=tens)
    frame = pd.DataFrame({"bin": code, "status": sessions["status"].to_numpy()})
    counts = frame.groupby(["bin", "status"], observed=True).size().rename("sessions").reset_index()
    counts = counts.loc[counts["sessions"] > 0]
    counts["status"] = counts["status"].astype(STATUS_DTYPE)
    counts["status_label"] = counts["status"].map(STATUS_LABELS).astype("str")
    codes = counts["bin"].to_numpy()
    counts["bin"] = pd.Categorical.from_codes(codes, pd.Index(FILL_BIN_LABELS), ordered=True)
    return counts.sort_values(["bin", "status"], ignore_index=True)[columns]


def session_list(sessions: pd.DataFrame, which: str) -> pd.DataFrame:
    """Sessions of one list (full, overbooked, under_filled, no_limit), soonest first."""
    if which not in SESSION_LISTS:
        raise ValueError(f"unknown list '{which}': choose one of {', '.join(SESSION_LISTS)}")
    rows = sessions.loc[sessions["status"] == which]
    if which == "under_filled":
        return rows.sort_values(["start_utc", "fill_rate"], kind="stable")
    return rows.sort_values(["start_utc", "session_key"], kind="stable")


def session_list_counts(sessions: pd.DataFrame) -> dict[str, int]:
    """How many sessions each list holds, for the switch's labels."""
    counts = sessions["status"].value_counts()
    return {k: int(counts.get(k, 0)) for k in SESSION_LISTS}


def zone_note(tz: str) -> str:
    """Which zone the session labels use, in words."""
    return f"Session starts in {zone_label(tz)}; every label carries its zone abbreviation."


AT_RISK_DAYS = 14
AT_RISK_BELOW = 0.5
WEEK_FREQ = "W-SUN"  # weeks ending Sunday, so each starts on a Monday


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
        return empty_frame(WEEKLY_CAPACITY_DTYPES)
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
