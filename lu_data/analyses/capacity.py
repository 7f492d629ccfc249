"""Capacity analyses: seats against enrolment per session, per training and per location."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from pandas.api.types import pandas_dtype

from lu_data.model.fill_status import (
    AT_RISK_BELOW,
    AT_RISK_DAYS,
    STATUS_LABELS,
    STATUS_ORDER,
    fill_of,
    fill_status,
    percent_text,
    seat_columns,
)
from lu_data.model.result_schemas import (
    FILL_BIN_LABELS,
    FILL_DISTRIBUTION_DTYPES,
    NO_LIMIT_LEARNERS,
    ROLLUP_DTYPES,
    SESSION_CAPACITY_DTYPES,
    WEEKLY_CAPACITY_DTYPES,
)
from lu_data.model.schema import NO_TUTOR, STATUS_DTYPE, UNTITLED, empty_frame
from lu_data.presentation.display_zone import SESSION_ZONE, display_times, zone_label
from lu_data.presentation.session_text import location_labels
from lu_data.presentation.time_text import zoned_time_text

WEEK_FREQ = "W-SUN"  # weeks ending Sunday, so each starts on a Monday

# Above this many sessions a bar per session is unreadable (and slow): aggregate instead.
MAX_SESSION_BARS = 300
# Rows of the aggregated per-training chart; the rest are named in a caption.
MAX_GROUP_BARS = 40
SESSION_LISTS: dict[str, str] = {
    "full": "Full",
    "overbooked": "Overbooked",
    "under_filled": STATUS_LABELS["under_filled"],
    "no_limit": "No limit",
}
FILL_BIN_EDGES = [i / 10 for i in range(11)]
ROLLUP_BY = {"training": "Training", "location": "Location"}
# Fill sits beside the two numbers it is computed from.
ROLLUP_SEAT_COLUMNS = [
    "Sessions",
    "Seats offered",
    "Seats taken",
    "Fill",
    "Seats left",
    NO_LIMIT_LEARNERS,
]
TITLE_CHARS = 34


def at_risk_today_text(below: float = AT_RISK_BELOW) -> str:
    """The today's-fill rule in words; reads after "At risk:" and, capitalised, on its own."""
    return f"starting within {AT_RISK_DAYS} days and under {percent_text(below)} full today"


AT_RISK_TODAY_TEXT = at_risk_today_text()


def short_text(text: pd.Series, limit: int = TITLE_CHARS) -> pd.Series:
    """Text cut to `limit` characters with an ellipsis, so axis labels stay readable."""
    text = text.fillna(UNTITLED).astype("str")
    return text.where(text.str.len() <= limit, text.str.slice(0, limit - 1) + "…")


def session_capacity(sessions: pd.DataFrame, tz: str = SESSION_ZONE) -> pd.DataFrame:
    """One row per session, grouped by training then start: the per-session chart's data.

    session_key is the bar's own category (plotly merges equal labels into one bar); tick is
    the text written beside it.
    """
    columns = [
        "training",
        "label",
        "tick",
        "training_key",
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
    start_text = zoned_time_text(
        shown["start_display"], shown["display_abbr"], shown["display_offset"], day="short"
    )
    frame = pd.DataFrame(
        {
            "training": short_text(sessions["title"]),
            "training_key": sessions["training_key"],
            "label": start_text,
            "session_key": sessions["session_key"],
            "title": sessions["title"].fillna(UNTITLED),
            "start": start_text,
            "start_sort": sessions["start_utc"],
            "capacity": sessions["max_capacity"].astype("Float64"),
            "enrolled": sessions["enrolled"].astype("int64"),
            "fill_rate": sessions["fill_rate"],
            "status": sessions["status"],
            "status_label": sessions["status"].map(STATUS_LABELS).astype("str"),
            "tutor": sessions["tutor_name"].fillna(NO_TUTOR),
            "location": location_labels(sessions),
        }
    )
    frame["over"] = (frame["enrolled"] - frame["capacity"]).clip(lower=0).fillna(0)
    # Two trainings may share a title: the key keeps each one's sessions together.
    frame = frame.sort_values(
        ["training", "training_key", "start_sort", "session_key"], kind="stable"
    )
    # Two sessions of one training at the same minute read alike: number the repeats.
    repeat = frame.groupby(["training_key", "label"], sort=False).cumcount()
    numbered = frame["label"] + " (" + (repeat + 1).astype("str") + ")"
    frame["label"] = frame["label"].where(repeat == 0, numbered)
    # The axis text: the training's name on its first bar, then the session starts under it.
    # Sessions of one ILT Center module can carry titles of their own: a new title is named too.
    first = frame["training_key"].ne(frame["training_key"].shift()) | frame["training"].ne(
        frame["training"].shift()
    )
    frame["tick"] = frame["label"].where(~first, frame["training"] + " · " + frame["label"])
    return frame[columns].reset_index(drop=True)


def capacity_rollup(sessions: pd.DataFrame, by: str = "training") -> pd.DataFrame:
    """Per training or location: sessions, seats offered and taken, fill, status counts.

    Seats and fill count only sessions with a capacity (fill = Seats taken ÷ Seats offered);
    learners of no-limit sessions are their own column.
    """
    label = ROLLUP_BY[by]
    status_cols = [STATUS_LABELS[s] for s in STATUS_ORDER]
    columns = [label, *ROLLUP_SEAT_COLUMNS, *status_cols]
    if sessions.empty:
        return empty_frame({label: pandas_dtype("str"), **ROLLUP_DTYPES})
    name = sessions["title"].fillna(UNTITLED) if by == "training" else location_labels(sessions)
    # Two trainings can share a title: group on the key, show the title.
    group = sessions["training_key"] if by == "training" else name
    seats = seat_columns(sessions)
    frame = pd.DataFrame(
        {
            "group": group,
            "name": name,
            **seats,
            "seats_left": sessions["seats_left"].fillna(0).astype("int64"),
        }
    )
    totals = frame.groupby("group", sort=False).agg(
        name=("name", "first"),
        sessions=("offered", "size"),
        offered=("offered", "sum"),
        taken=("taken", "sum"),
        no_limit_learners=("no_limit_learners", "sum"),
        seats_left=("seats_left", "sum"),
    )
    # groupby().size() is vectorised; crosstab falls back to a Python loop per group.
    status = sessions["status"].astype(STATUS_DTYPE)
    counts = frame.groupby([frame["group"], status], observed=True).size().unstack(fill_value=0)
    counts = counts.reindex(columns=STATUS_ORDER, fill_value=0).reindex(totals.index, fill_value=0)
    out = pd.DataFrame(
        {
            label: totals["name"],
            "Sessions": totals["sessions"],
            "Seats offered": totals["offered"],
            "Seats taken": totals["taken"],
            "Fill": fill_of(totals["offered"], totals["taken"]),
            "Seats left": totals["seats_left"],
            NO_LIMIT_LEARNERS: totals["no_limit_learners"],
        }
    )
    for code in STATUS_ORDER:
        out[STATUS_LABELS[code]] = counts[code].astype("int64")
    out = out.sort_values(["Sessions", label], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)[columns]


def rollup_status(rollup: pd.DataFrame) -> pd.Series:
    """The fill status of each roll-up row from its seats offered and taken (the sessions' rule)."""
    status = fill_status(rollup["Seats offered"], rollup["Seats taken"])
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


WEEKLY_COLUMNS = [
    "week",
    "sessions",
    "seats_offered",
    "seats_taken",
    "fill_rate",
    "no_limit_sessions",
    "no_limit_learners",
]


@dataclass(frozen=True)
class CapacityKpis:
    """Headline numbers of a set of sessions; seats and fill count limited sessions only."""

    sessions: int
    seats_offered: int
    seats_taken: int
    no_limit_sessions: int
    no_limit_learners: int
    full: int
    overbooked: int

    @property
    def fill_rate(self) -> float | None:
        """Seats taken ÷ seats offered, None when no session has a capacity."""
        return self.seats_taken / self.seats_offered if self.seats_offered else None


def capacity_kpis(sessions: pd.DataFrame) -> CapacityKpis:
    """Headline numbers for a set of sessions."""
    seats = seat_columns(sessions)
    return CapacityKpis(
        sessions=len(sessions),
        seats_offered=int(seats["offered"].sum()),
        seats_taken=int(seats["taken"].sum()),
        no_limit_sessions=int(sessions["max_capacity"].isna().sum()),
        no_limit_learners=int(seats["no_limit_learners"].sum()),
        full=int((sessions["status"] == "full").sum()),
        overbooked=int((sessions["status"] == "overbooked").sum()),
    )


def at_risk_sessions(
    sessions: pd.DataFrame, today: date, days: int = AT_RISK_DAYS, below: float = AT_RISK_BELOW
) -> pd.DataFrame:
    """At risk by today's fill: starting within `days` and under `below` full, soonest first.

    The fallback when there is no enrolment history to project from (see AT_RISK_TODAY_TEXT).
    """
    start = pd.Timestamp(today, tz="UTC")
    soon = (sessions["start_utc"] >= start) & (
        sessions["start_utc"] < start + pd.Timedelta(days=days)
    )
    low = (sessions["fill_rate"] < below).fillna(False)
    out = sessions.loc[soon & low]
    return out.sort_values(["start_utc", "fill_rate"], kind="stable")


def weekly_capacity(sessions: pd.DataFrame, tz: str = SESSION_ZONE) -> pd.DataFrame:
    """Per week (Monday start, display zone): sessions, seats offered and taken, fill rate.

    As everywhere, seats and fill count sessions with a capacity; no-limit sessions and their
    learners are counted in columns of their own.
    """
    if sessions.empty:
        return empty_frame(WEEKLY_CAPACITY_DTYPES)
    day = display_times(sessions, tz)["start_display"]
    week = day.dt.to_period(WEEK_FREQ).dt.start_time
    frame = pd.DataFrame(
        {"week": week, **seat_columns(sessions), "no_limit": sessions["max_capacity"].isna()}
    )
    out = (
        frame.groupby("week", sort=True)
        .agg(
            sessions=("offered", "size"),
            seats_offered=("offered", "sum"),
            seats_taken=("taken", "sum"),
            no_limit_sessions=("no_limit", "sum"),
            no_limit_learners=("no_limit_learners", "sum"),
        )
        .reset_index()
    )
    out["fill_rate"] = fill_of(out["seats_offered"], out["seats_taken"])
    return out[WEEKLY_COLUMNS]
