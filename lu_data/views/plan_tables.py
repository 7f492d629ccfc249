"""What the Plan page shows of a plan: the trainings to ask sessions of, the proposals as a
coordinator reads them, why the rest could not be placed, the solver's figures in words and the
sessions its calendar draws around the proposals.

Plans are frames here (PLAN_DTYPES rows, proposals as SESSION_DTYPES rows): the planning layer
makes them, and this layer only reads them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from lu_data.analyses.supply_demand import SELLS_OUT
from lu_data.model.places import place_keys
from lu_data.model.schema import NO_LOCATION, NO_TUTOR, UNTITLED
from lu_data.model.timezones import localize
from lu_data.presentation.time_text import zone_text

TRAINING = "Training"
COUNT = "Add"  # new sessions to propose of the training
VERDICT = "Supply and demand"
EVIDENCE = "Evidence"
VIRTUAL_ROOM = "Virtual"
ADDED, NOT_PLACED = "Add", "Not placed"
SOLVER_STATUS = {
    "OPTIMAL": "the best plan there is",
    "FEASIBLE": "the best plan found within the time limit",
    "INFEASIBLE": "no plan keeps every rule",
    "EMPTY": "no candidate session to choose from",
}


def request_table(
    labels: Mapping[str, str], verdicts: pd.DataFrame | None, counts: Mapping[str, int]
) -> pd.DataFrame:
    """Every training (key → label) with the sessions asked of it and its supply-and-demand
    verdict and evidence; indexed by training key, those asked for first, then those that sell
    out early, then by label."""
    keys = list(labels)
    verdict = pd.Series("", index=keys, dtype="str")
    evidence = pd.Series("", index=keys, dtype="str")
    if verdicts is not None and len(verdicts):
        judged = verdicts.drop_duplicates("training_key").set_index("training_key")
        verdict = judged["verdict"].reindex(keys).fillna("").astype("str")
        evidence = judged["evidence"].reindex(keys).fillna("").astype("str")
    table = pd.DataFrame(
        {
            TRAINING: pd.Series(labels, index=keys, dtype="str"),
            COUNT: pd.Series([int(counts.get(k, 0)) for k in keys], index=keys, dtype="int64"),
            VERDICT: verdict,
            EVIDENCE: evidence,
        },
        index=pd.Index(keys, name="training_key", dtype="str"),
    )
    order = pd.DataFrame(
        {
            "unasked": table[COUNT].le(0).to_numpy(),
            "not_short": table[VERDICT].ne(SELLS_OUT).to_numpy(),
            "label": table[TRAINING].str.casefold().to_numpy(),
        }
    ).sort_values(["unasked", "not_short", "label"], kind="stable")
    return table.iloc[order.index.to_numpy()]


def requested_counts(table: pd.DataFrame) -> dict[str, int]:
    """The sessions asked of each training in an edited request table (blank or 0: none)."""
    counts = pd.to_numeric(table[COUNT], errors="coerce").fillna(0).round().astype("int64")
    return {str(k): int(n) for k, n in counts.items() if n > 0}


def rows_in_order(rows: pd.DataFrame) -> pd.DataFrame:
    """A plan's rows as the page lists them: the proposals by start, then those not placed."""
    order = rows.sort_values(["start_utc", "training_title"], kind="stable", na_position="last")
    return order.reset_index(drop=True)


def proposal_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Every requested session of a plan (PLAN_DTYPES rows) as a coordinator reads it, row for
    row: start and end in the session's own zone and in UTC, tutor, room and why; a session
    not placed has no times, and says why not."""
    placed = rows["start_utc"].notna().to_numpy()
    zone = rows["zone"].fillna("UTC").astype("str")
    _, offset, abbr = localize(rows["start_utc"], zone)
    virtual = rows["virtual"].fillna(False).astype("bool").to_numpy()
    room = rows["location"].fillna(NO_LOCATION).astype("str").where(~virtual, VIRTUAL_ROOM)
    blank = pd.Series("", index=rows.index, dtype="str")
    table = pd.DataFrame(
        {
            "Start": rows["start_local"],
            "End": rows["end_local"],
            "Zone": zone_text(abbr, offset).where(placed, blank),
            "Title": rows["training_title"].fillna(UNTITLED).astype("str"),
            "Tutor": rows["tutor_name"].fillna(NO_TUTOR).astype("str").where(placed, blank),
            "Room": room.where(placed, blank),
            "Capacity": rows["capacity"].astype("Int64"),
            "Proposal": pd.Series(np.where(placed, ADDED, NOT_PLACED), index=rows.index),
            "Start (UTC)": rows["start_utc"].dt.tz_localize(None),
            "End (UTC)": rows["end_utc"].dt.tz_localize(None),
            "Time zone": rows["zone"].fillna("").astype("str"),
            "Reason": rows["reason"].fillna("").astype("str"),
        }
    )
    return table.reset_index(drop=True)


def unplaced_lines(unplaced: pd.DataFrame) -> list[str]:
    """One plain line per training with sessions not placed: how many, and why.

    Titles are put on one line, so no title can pass for a line of its own.
    """
    if unplaced.empty:
        return []
    lines = []
    for _, group in unplaced.groupby("training_key", sort=False):
        title = " ".join(str(group["training_title"].fillna(UNTITLED).iloc[0]).split())
        n = len(group)
        why = " ".join(str(group["reason"].fillna("").iloc[0]).split())
        lines.append(f"{title} ({n} session{'' if n == 1 else 's'} not placed): {why}")
    return lines


def solver_text(
    status: str, seconds: float, candidates: int, objective: float, bound: float
) -> str:
    """The solver's figures in one sentence, for the page's caption."""
    said = SOLVER_STATUS.get(status, status.lower())
    if status == "EMPTY":
        return f"Solver: {said}."
    return (
        f"Solver (OR-Tools CP-SAT): {said}, chosen among {candidates:,} candidate sessions in "
        f"{seconds:.1f} s (objective {objective:,.0f}, best bound {bound:,.0f}). The same "
        "choices always give the same plan."
    )


def plan_calendar_sessions(
    existing: pd.DataFrame, proposals: pd.DataFrame, limit: int
) -> tuple[pd.DataFrame, int]:
    """The sessions a plan's calendar draws, at most `limit`: every proposal, and the existing
    sessions around them; when those are too many, first the ones that share a tutor, a
    training or a room with a proposal, soonest first. Returns them and how many were left out.
    """
    total = len(existing)
    if total + len(proposals) > limit and len(proposals):
        near = (
            existing["tutor_key"].isin(proposals["tutor_key"].dropna())
            | existing["training_key"].isin(proposals["training_key"].dropna())
            | place_keys(existing).isin(place_keys(proposals).dropna())
        )
        existing = existing.loc[near.fillna(False).to_numpy()]
    room = max(limit - len(proposals), 0)
    kept = existing.sort_values(["start_utc", "session_key"], kind="stable").head(room)
    both = pd.concat([proposals, kept], ignore_index=True) if len(kept) else proposals
    return both.reset_index(drop=True), total - len(kept)
