"""Supply and demand per training, from the enrolment history the forecast uses: trainings whose
recent sessions sell out early (candidates for another session) and trainings whose sessions
rarely fill (candidates to merge)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from lu_data.analyses.capacity import AT_RISK_BELOW
from lu_data.model.fill_status import percent_text
from lu_data.model.timezones import as_utc

RECENT = 6  # a training's most recent completed sessions looked at
FULL_EARLY_DAYS = 7  # "full N+ days before start"
MIN_SESSIONS = 3  # fewer completed sessions with history than this: not enough to say
SHARE = 2 / 3  # the share of those sessions that makes the pattern
SELLS_OUT = "Sells out early: a candidate for another session"
RARELY_FILLS = "Rarely fills: a candidate to merge"
AS_PLANNED = "Fills as planned"
TOO_FEW = "Not enough history"
VERDICT_ORDER = (SELLS_OUT, RARELY_FILLS, AS_PLANNED, TOO_FEW)
COLUMNS = [
    "training_key",
    "title",
    "verdict",
    "evidence",
    "looked_at",
    "full_early",
    "ended_under",
]


def supply_demand(
    history: pd.DataFrame,
    sessions: pd.DataFrame,
    as_of: datetime | pd.Timestamp,
    threshold: float = AT_RISK_BELOW,
    early_days: int = FULL_EARLY_DAYS,
) -> pd.DataFrame:
    """Per training, its last RECENT completed sessions with a capacity and enrolment history:
    how many were full `early_days`+ days before they started, how many ended under
    `threshold` full, and what that says (VERDICT_ORDER), with the evidence in words."""
    when = as_utc(as_of)
    cap = sessions["max_capacity"]
    done = sessions.loc[
        (sessions["start_utc"] < when).fillna(False)
        & cap.gt(0).fillna(False)
        & sessions["enrolled"].notna()
        & sessions["session_key"].isin(history["session_key"])
    ]
    if done.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})
    recent = (
        done.assign(training=done["training_key"].fillna(done["session_key"]))
        .sort_values("start_utc", ascending=False, kind="stable")
        .groupby("training", sort=False)
        .head(RECENT)
    )
    full = history.loc[history["enrolled"].ge(history["max_capacity"]).fillna(False)]
    first_full = full.groupby("session_key")["recorded_at"].min()
    lead = recent["start_utc"] - recent["session_key"].map(first_full)
    early = (lead >= pd.Timedelta(days=early_days)).fillna(False)
    under = (recent["enrolled"] / recent["max_capacity"] < threshold).fillna(False)
    per = (
        recent.assign(early=early.astype("int64"), under=under.astype("int64"))
        .groupby("training", sort=False)
        .agg(
            title=("title", "first"),
            looked_at=("session_key", "size"),
            full_early=("early", "sum"),
            ended_under=("under", "sum"),
        )
        .reset_index()
        .rename(columns={"training": "training_key"})
    )
    n = per["looked_at"]
    enough = n >= MIN_SESSIONS
    sells = enough & (per["full_early"] >= np.ceil(SHARE * n))
    rarely = enough & ~sells & (per["ended_under"] >= np.ceil(SHARE * n))
    per["verdict"] = np.select(
        [~enough, sells, rarely], [TOO_FEW, SELLS_OUT, RARELY_FILLS], default=AS_PLANNED
    )
    of_last = per["looked_at"].map(lambda k: f"of the last {k} sessions" if k > 1 else "")
    per["evidence"] = np.select(
        [~enough, sells, rarely],
        [
            per["looked_at"].astype("str") + " completed session(s) with history: too few to say",
            per["full_early"].astype("str") + f" {{}} were full {early_days}+ days before start",
            per["ended_under"].astype("str") + f" {{}} ended under {percent_text(threshold)} full",
        ],
        default=per["full_early"].astype("str")
        + f" {{}} full {early_days}+ days early, "
        + per["ended_under"].astype("str")
        + f" under {percent_text(threshold)}",
    )
    per["evidence"] = [e.replace("{}", o) for e, o in zip(per["evidence"], of_last, strict=True)]
    rank = per["verdict"].map({v: i for i, v in enumerate(VERDICT_ORDER)})
    per = per.assign(_rank=rank).sort_values(["_rank", "title"], kind="stable")
    return per[COLUMNS].reset_index(drop=True)
