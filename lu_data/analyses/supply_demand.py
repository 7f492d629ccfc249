"""Supply and demand per training, from the enrolment history the forecast uses: trainings whose
recent sessions sell out early (candidates for another session) and trainings whose sessions
rarely fill (candidates to merge)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from lu_data.model.fill_status import AT_RISK_BELOW, fill_of, percent_text
from lu_data.model.result_schemas import SUPPLY_DEMAND_DTYPES
from lu_data.model.schema import PORTAL_COLUMN, UNTITLED, empty_frame, enforce_dtypes
from lu_data.model.selection import is_in
from lu_data.model.timezones import as_utc

RECENT = 6  # a training's most recent completed sessions looked at
FULL_EARLY_DAYS = 7  # "full N+ days before start"
MIN_SESSIONS = 3  # fewer completed sessions with history than this: not enough to say
SHARE = 2 / 3  # the share of those sessions that makes the pattern
SELLS_OUT = "Sells out early"
RARELY_FILLS = "Rarely fills"
AS_PLANNED = "Fills as planned"
TOO_FEW = "Not enough history"
VERDICT_ORDER = (SELLS_OUT, RARELY_FILLS, AS_PLANNED, TOO_FEW)
CANDIDATE_HEADINGS = {
    SELLS_OUT: "Sell out early: candidates for another session",
    RARELY_FILLS: "Rarely fill: candidates to merge sessions",
}
SUGGESTIONS = {SELLS_OUT: "Candidate for another session", RARELY_FILLS: "Candidate to merge"}
FULL_EARLY_COLUMN = "Full early"  # on screen; its help says how early


def supply_demand(
    history: pd.DataFrame,
    sessions: pd.DataFrame,
    as_of: datetime | pd.Timestamp,
    threshold: float = AT_RISK_BELOW,
    early_days: int = FULL_EARLY_DAYS,
) -> pd.DataFrame:
    """Every training of `sessions`, judged on its last RECENT completed sessions with a capacity
    and enrolment history: how many were full `early_days`+ days before they started, how many
    ended under `threshold` full, what that says (VERDICT_ORDER) with the evidence in words, and
    its upcoming sessions with the seats still free in them."""
    when = as_utc(as_of)
    if sessions.empty:
        return empty_frame(SUPPLY_DEMAND_DTYPES)
    sessions = sessions.assign(training=sessions["training_key"].fillna(sessions["session_key"]))
    cap = sessions["max_capacity"]
    started = (sessions["start_utc"] < when).fillna(False)
    done = sessions.loc[
        started
        & cap.gt(0).fillna(False)
        & sessions["enrolled"].notna()
        & is_in(sessions["session_key"], history["session_key"])
    ]
    recent = (
        done.sort_values("start_utc", ascending=False, kind="stable")
        .groupby("training", sort=False)
        .head(RECENT)
    )
    full = history.loc[history["enrolled"].ge(history["max_capacity"]).fillna(False)]
    first_full = full.groupby("session_key")["recorded_at"].min()
    # reindex, not map: map() cannot fill a datetime Series from an empty one.
    lead = recent["start_utc"] - first_full.reindex(recent["session_key"]).array
    judged = recent.assign(
        early=(lead >= pd.Timedelta(days=early_days)).fillna(False).astype("int64"),
        under=(fill_of(recent["max_capacity"], recent["enrolled"]) < threshold)
        .fillna(False)
        .astype("int64"),
    ).groupby("training")
    ahead = sessions.loc[sessions["start_utc"].ge(when).fillna(False)]
    free = (ahead["max_capacity"] - ahead["enrolled"].fillna(0)).clip(lower=0)
    # A view of several portals names each training's portal: titles repeat across portals.
    portal = {PORTAL_COLUMN: (PORTAL_COLUMN, "first")} if PORTAL_COLUMN in sessions else {}
    per = sessions.groupby("training", sort=False).agg(title=("title", "first"), **portal)
    per["looked_at"] = judged["session_key"].size().reindex(per.index, fill_value=0)
    per["full_early"] = judged["early"].sum().reindex(per.index, fill_value=0)
    per["ended_under"] = judged["under"].sum().reindex(per.index, fill_value=0)
    per["upcoming"] = ahead.groupby("training").size().reindex(per.index, fill_value=0)
    # Sessions without a seat limit have no free seats to count; a training with none is NA.
    per["upcoming_free"] = (
        free.groupby(ahead["training"]).sum(min_count=1).reindex(per.index).astype("Int64")
    )
    per = per.reset_index().rename(columns={"training": "training_key"})
    per["verdict"], per["evidence"] = _verdicts(per, threshold, early_days)
    per["suggestion"] = per["verdict"].map(SUGGESTIONS).fillna("")
    rank = per["verdict"].map({v: i for i, v in enumerate(VERDICT_ORDER)})
    per = per.assign(_rank=rank).sort_values(["_rank", "title"], kind="stable")
    return enforce_dtypes(per.reset_index(drop=True), SUPPLY_DEMAND_DTYPES)


def _verdicts(per: pd.DataFrame, threshold: float, early_days: int) -> tuple[list[str], list[str]]:
    """Each training's verdict and the evidence for it, from its counts."""
    verdicts, evidence = [], []
    limit = percent_text(threshold)
    for n, early, under in zip(
        per["looked_at"], per["full_early"], per["ended_under"], strict=True
    ):
        of_last = f"of the last {n} sessions"
        needed = int(np.ceil(SHARE * n))
        if n == 0:
            verdicts.append(TOO_FEW)
            evidence.append("No completed session with an enrolment history yet")
        elif n < MIN_SESSIONS:
            verdicts.append(TOO_FEW)
            evidence.append(
                f"Only {n} completed {'session' if n == 1 else 'sessions'} with an enrolment "
                f"history; {MIN_SESSIONS} are needed to say"
            )
        elif early >= needed:
            verdicts.append(SELLS_OUT)
            evidence.append(f"{early} {of_last} were full {early_days}+ days before start")
        elif under >= needed:
            verdicts.append(RARELY_FILLS)
            evidence.append(f"{under} {of_last} ended under {limit} full")
        else:
            verdicts.append(AS_PLANNED)
            evidence.append(
                f"{early} {of_last} full {early_days}+ days before start, {under} under {limit}"
            )
    return verdicts, evidence


def supply_demand_rows(table: pd.DataFrame, threshold: float = AT_RISK_BELOW) -> pd.DataFrame:
    """The table as drawn beside the sidebar: the training, its verdict, the two counts behind
    it ("5 of 6"), what is booked ahead, then the evidence in words."""
    n = table["looked_at"].astype("int64")

    def of_n(counts: pd.Series) -> pd.Series:
        return (counts.astype("int64").astype("str") + " of " + n.astype("str")).where(n > 0, "")

    several = table[PORTAL_COLUMN].nunique() > 1
    return pd.DataFrame(
        {
            "Training": table["title"].fillna(UNTITLED),
            **({"Portal": table[PORTAL_COLUMN]} if several else {}),
            "Verdict": table["verdict"],
            FULL_EARLY_COLUMN: of_n(table["full_early"]),
            under_column(threshold): of_n(table["ended_under"]),
            "Sessions ahead": table["upcoming"].astype("int64"),
            "Seats free ahead": table["upcoming_free"],
            "Evidence": table["evidence"],
        }
    )


def under_column(threshold: float) -> str:
    """The on-screen name of the "ended under the threshold" count: "Under 50%"."""
    return f"Under {percent_text(threshold)}"


def supply_demand_lines(
    table: pd.DataFrame, verdict: str, limit: int = 10, more: str = "in the table below"
) -> list[str]:
    """One plain line per training with `verdict`: title, evidence and what is booked ahead;
    past `limit`, a last line says how many more there are and where (`more`)."""
    rows = table.loc[table["verdict"] == verdict]
    lines = [
        f"{title}: {evidence}; {_ahead_text(upcoming, None if pd.isna(free) else int(free))}"
        for title, evidence, upcoming, free in zip(
            rows["title"].fillna(UNTITLED).head(limit),
            rows["evidence"].head(limit),
            rows["upcoming"].head(limit),
            rows["upcoming_free"].head(limit),
            strict=True,
        )
    ]
    if len(rows) > limit:
        lines.append(f"… and {len(rows) - limit:,} more {more}")
    return lines


def _ahead_text(upcoming: int, free: int | None) -> str:
    """ "3 sessions ahead, 12 seats free" (no seat count when none has a limit)."""
    if upcoming == 0:
        return "none scheduled ahead"
    sessions = f"{upcoming} session{'s' if upcoming != 1 else ''} ahead"
    if free is None:
        return sessions
    return f"{sessions}, {free} seat{'s' if free != 1 else ''} free"
