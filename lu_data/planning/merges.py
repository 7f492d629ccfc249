"""Merge under-filled sessions into others of the same training with room for their learners:
every candidate and target solved together (OR-Tools CP-SAT), so no two merges overfill one
target; a candidate with nowhere to go is kept, with why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from lu_data.model.places import place_keys
from lu_data.model.result_schemas import MERGE_DTYPES
from lu_data.model.schema import NO_TUTOR, PORTAL_COLUMN, UNTITLED, empty_frame, enforce_dtypes
from lu_data.model.teaching_time import teaching_hours
from lu_data.model.timezones import as_utc
from lu_data.planning.shapes import session_training_keys

MERGE_BELOW = 0.5  # a session projected to end under this fill is a candidate to merge
HORIZON_DAYS = 21  # candidates start within this many days
WITHIN_DAYS = 14  # a target starts within this many days of its candidate
VIRTUAL_FROM, VIRTUAL_TO = 8 * 60, 20 * 60  # a virtual target starts 08:00–20:00, their zone
MERGE, KEEP = "merge", "keep"
SEED = 7
DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class MergeSettings:
    """Which sessions are candidates and which may take their learners."""

    merge_below: float = MERGE_BELOW
    horizon_days: int = HORIZON_DAYS
    within_days: int = WITHIN_DAYS
    seconds: float = 5.0


@dataclass
class MergePlan:
    """One row per candidate (MERGE_DTYPES): merged into a target, or kept with why."""

    rows: pd.DataFrame
    status: str

    @property
    def merges(self) -> pd.DataFrame:
        """The candidates that merge."""
        return self.rows.loc[self.rows["action"].eq(MERGE).to_numpy()]

    def totals(self, seats_before: int) -> dict[str, float]:
        """Sessions freed, tutor hours freed, and the seats still offered in the horizon."""
        merged = self.merges
        freed_seats = int(merged["from_capacity"].fillna(0).sum())
        return {
            "sessions_freed": len(merged),
            "tutor_hours_freed": float(merged["tutor_hours_freed"].sum()),
            "seats_still_offered": seats_before - freed_seats,
        }


def merge_candidates(
    sessions: pd.DataFrame,
    projected_fill: pd.Series | None,
    now: datetime | pd.Timestamp,
    settings: MergeSettings,
) -> pd.DataFrame:
    """Sessions starting within the horizon whose projected final fill (today's fill where
    there is no projection) is under the threshold; sessions with no seat limit never are."""
    when = as_utc(now)
    start = sessions["start_utc"]
    soon = ((start > when) & (start <= when + settings.horizon_days * DAY)).fillna(False)
    fill = sessions["fill_rate"].astype("Float64")
    if projected_fill is not None and len(projected_fill):
        projected = sessions["session_key"].map(projected_fill).astype("Float64")
        fill = projected.fillna(fill)
    limited = sessions["max_capacity"].gt(0).fillna(False)
    low = (fill < settings.merge_below).fillna(False)
    keep = (soon & limited & low).to_numpy()
    # fill of the kept rows only: assigning a whole Series to an empty frame adds its rows
    return sessions.loc[keep].assign(fill=fill.loc[keep])


def propose_merges(
    sessions: pd.DataFrame,
    projected_fill: pd.Series | None,
    now: datetime | pd.Timestamp,
    settings: MergeSettings,
) -> MergePlan:
    """The best set of merges: most sessions freed, then most tutor hours freed, then the
    fewest learner-days moved; every target keeps a seat for each learner it takes."""
    when = as_utc(now)
    cands = merge_candidates(sessions, projected_fill, when, settings)
    if cands.empty:
        return MergePlan(empty_frame(MERGE_DTYPES), "NO_CANDIDATES")
    pairs, funnel = _pairs(sessions, cands, when, settings)
    chosen, status = _solve(pairs, cands, settings.seconds)
    hours = teaching_hours(cands).to_numpy()
    picked = sessions.loc[sorted(set(chosen.values()))]  # type: ignore[type-var]
    targets = dict(zip(picked.index, _plain(picked), strict=True))
    learners = cands["enrolled"].fillna(0).astype("int64").to_numpy()
    moved_in: dict[object, int] = {}  # target -> learners every merge into it brings
    for c_pos, into in chosen.items():
        moved_in[into] = moved_in.get(into, 0) + int(learners[c_pos])
    rows = []
    plain = _plain(cands)
    for c_pos, cand in enumerate(plain):
        into = chosen.get(c_pos)
        if into is None:
            why = _keep_reason(cand, funnel.get(c_pos, (0, 0, 0)), settings)
            if not why:  # every rule passed: other merges took its place
                why = _crowded_reason(c_pos, sessions, cands, pairs, chosen, plain)
            rows.append(_keep_row(cand, why))
        else:
            shared = sum(1 for t in chosen.values() if t == into) > 1
            row = _merge_row(cand, targets[into], float(hours[c_pos]), shared, moved_in[into])
            rows.append(row)
    frame = enforce_dtypes(pd.DataFrame(rows).reindex(columns=list(MERGE_DTYPES)), MERGE_DTYPES)
    return MergePlan(frame, status)


def _pairs(
    sessions: pd.DataFrame, cands: pd.DataFrame, when: pd.Timestamp, settings: MergeSettings
) -> tuple[pd.DataFrame, dict[int, tuple[int, int, int]]]:
    """Every (candidate, target) pair that keeps the rules, and per candidate how many
    sessions passed each rule in turn (same training in time, same delivery, free seats)."""
    training = session_training_keys(sessions)
    upcoming = (sessions["start_utc"] > when).fillna(False).to_numpy()
    keys = set(session_training_keys(cands))
    pool = sessions.loc[upcoming & training.isin(keys).to_numpy()]
    pool = pool.assign(
        training=session_training_keys(pool),
        place=place_keys(pool).astype("str"),
        free=(pool["max_capacity"] - pool["enrolled"].fillna(0)).clip(lower=0).fillna(0),
        unlimited=~pool["max_capacity"].gt(0).fillna(False),
        target=pool.index,
    )
    c = cands.assign(
        training=session_training_keys(cands),
        place=place_keys(cands).astype("str"),
        cand=np.arange(len(cands)),
        learners=cands["enrolled"].fillna(0).astype("int64"),
    )
    cols = ["training", "place", "start_utc", "tz", "is_virtual", "cand", "learners", "session_key"]
    joined = c[cols].merge(
        pool[
            ["training", "place", "start_utc", "is_virtual", "free", "unlimited", "target"]
            + ["session_key"]
        ],
        on="training",
        suffixes=("", "_t"),
    )
    joined = joined.loc[joined["session_key"].ne(joined["session_key_t"]).to_numpy()]
    gap = (joined["start_utc_t"] - joined["start_utc"]).abs()
    near = (gap <= settings.within_days * DAY).to_numpy()
    virtual = joined["is_virtual"].fillna(False).astype(bool)
    virtual_t = joined["is_virtual_t"].fillna(False).astype(bool)
    place = joined["place"].astype("str").to_numpy(dtype=object)
    place_t = joined["place_t"].astype("str").to_numpy(dtype=object)
    same_place = joined["place"].notna().to_numpy() & (place == place_t)
    wall = _wall_minutes(joined["start_utc_t"], joined["tz"])
    in_hours = (wall >= VIRTUAL_FROM) & (wall <= VIRTUAL_TO)
    in_person = (~virtual & ~virtual_t).to_numpy() & same_place
    delivery = in_person | (virtual & virtual_t & in_hours).to_numpy()
    seats = (joined["unlimited"] | (joined["free"] >= joined["learners"])).fillna(False).to_numpy()
    funnel: dict[int, tuple[int, int, int]] = {}
    steps = pd.DataFrame(
        {"cand": joined["cand"], "a": near, "b": near & delivery, "c": near & delivery & seats}
    )
    counts = steps.groupby("cand")[["a", "b", "c"]].sum()
    for cand, a, b, c in zip(counts.index, counts["a"], counts["b"], counts["c"], strict=True):
        funnel[int(cand)] = (int(a), int(b), int(c))
    return joined.loc[near & delivery & seats].reset_index(drop=True), funnel


def _solve(
    pairs: pd.DataFrame, cands: pd.DataFrame, seconds: float
) -> tuple[dict[int, object], str]:
    """Candidate position -> the target's index in the sessions, for the chosen merges."""
    if pairs.empty:
        return {}, "NO_TARGETS"
    m = cp_model.CpModel()
    y = [m.new_bool_var(f"y{i}") for i in range(len(pairs))]
    cand = pairs["cand"].to_numpy()
    target = pairs["target"].to_numpy()
    learners = pairs["learners"].to_numpy(dtype="int64")
    minutes = np.rint(teaching_hours(cands).to_numpy()[cand] * 60).astype("int64")
    gap = (pairs["start_utc_t"] - pairs["start_utc"]).abs().dt.total_seconds().to_numpy()
    days = np.rint(gap / 86400)
    moved = learners * days.astype("int64")
    by_cand: dict[int, list[int]] = {}
    by_target: dict[object, list[int]] = {}
    for i, (c, t) in enumerate(zip(cand, target, strict=True)):
        by_cand.setdefault(int(c), []).append(i)
        by_target.setdefault(t, []).append(i)
    for rows in by_cand.values():
        m.add_at_most_one(y[i] for i in rows)
    index_of = {idx: pos for pos, idx in enumerate(cands.index)}
    for t, rows in by_target.items():
        first = rows[0]
        if not pairs["unlimited"].iat[first]:
            free = int(pairs["free"].to_numpy(dtype="int64")[first])
            m.add(sum(int(learners[i]) * y[i] for i in rows) <= free)
        emptied = by_cand.get(index_of.get(t, -1), [])
        for i in rows:  # a target that is itself merged away takes no one
            for j in emptied:
                m.add_bool_or([~y[i], ~y[j]])
    w_hours = int(moved.sum()) + 1
    w_count = w_hours * (int(minutes.sum()) + 1) + int(moved.sum()) + 1
    m.maximize(
        sum((w_count + w_hours * int(minutes[i]) - int(moved[i])) * y[i] for i in range(len(y)))
    )
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = SEED
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = seconds
    status = solver.solve(m)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}, name
    return {int(cand[i]): target[i] for i in range(len(y)) if solver.boolean_value(y[i])}, name


def _wall_minutes(utc: pd.Series, zones: pd.Series) -> pd.Series:
    """Minutes after local midnight of each instant in the row's zone."""
    out = pd.Series(np.nan, index=utc.index, dtype="float64")
    for zone, rows in utc.groupby(zones.fillna("UTC")).groups.items():
        local = utc.loc[rows].dt.tz_convert(str(zone))
        out.loc[rows] = (local.dt.hour * 60 + local.dt.minute).to_numpy(dtype="float64")
    return out


def _plain(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts, missing values as None: read field by field, faster than rows."""
    return [
        {str(k): (None if v is pd.NA or v is pd.NaT else v) for k, v in r.items()}
        for r in frame.to_dict("records")
    ]


def _merge_row(cand: dict, into: dict, hours: float, shared: bool, moved_in: int) -> dict:
    """A merge, in words and numbers; the target's enrolment and fill after are after every
    merge into it (`moved_in` learners in all)."""
    learners = int(0 if pd.isna(cand["enrolled"]) else cand["enrolled"])
    cap = into["max_capacity"]
    after = int(0 if pd.isna(into["enrolled"]) else into["enrolled"]) + moved_in
    days = int(round((into["start_utc"] - cand["start_utc"]) / DAY))
    fill_after = after / cap if pd.notna(cap) and cap > 0 else None
    share = " with another merge" if shared else ""
    when = _when(into)
    return {
        **_from_columns(cand),
        "action": MERGE,
        "into_session_key": into["session_key"],
        "into_title": into["title"],
        "into_start_utc": into["start_utc"],
        "into_start_local": into["start_local"],
        "into_zone": into["tz"],
        "learners_moved": learners,
        "into_enrolled_after": after,
        "into_capacity": cap,
        "into_fill_after": fill_after,
        "days_moved": days,
        "tutor_hours_freed": hours,
        "tutor_freed": cand["tutor_name"] if isinstance(cand["tutor_name"], str) else NO_TUTOR,
        "room_freed": None if cand["is_virtual"] else cand["location"],
        "reason": _merge_reason(learners, days, when, share, fill_after),
    }


def _merge_reason(learners: int, days: int, when: str, share: str, fill_after: float | None) -> str:
    """ "3 learners move 5 days later to Tue 09 Feb 10:00 Europe/Dublin, 90% full after"; an
    empty session has no one to move."""
    if learners == 0:
        stays = f", which stays {fill_after:.0%} full" if fill_after is not None else ""
        return f"no learners to move; the session of {when} ({_days_text(days)}) runs{stays}"
    full = f", {fill_after:.0%} full after" if fill_after is not None else ""
    plural = "s" if learners != 1 else ""
    return f"{learners} learner{plural} move {_days_text(days)} to {when}{share}{full}"


def _days_text(days: int) -> str:
    """+3 as "3 days later", -1 as "1 day earlier", 0 as "to the same day"."""
    if days == 0:
        return "the same day"
    unit = "day" if abs(days) == 1 else "days"
    return f"{abs(days)} {unit} {'later' if days > 0 else 'earlier'}"


def _keep_row(cand: dict, reason: str) -> dict:
    return {**_from_columns(cand), "action": KEEP, "reason": reason}


def _from_columns(cand: dict) -> dict:
    return {
        PORTAL_COLUMN: cand.get(PORTAL_COLUMN),
        "from_session_key": cand["session_key"],
        "from_title": cand["title"] if isinstance(cand["title"], str) else UNTITLED,
        "from_start_utc": cand["start_utc"],
        "from_start_local": cand["start_local"],
        "from_zone": cand["tz"],
        "from_enrolled": cand["enrolled"],
        "from_capacity": cand["max_capacity"],
        "from_fill": cand["fill"],
    }


def _keep_reason(cand: dict, funnel: tuple[int, int, int], settings: MergeSettings) -> str:
    """Why a candidate stays: the first rule no other session of its training passed."""
    title = cand["title"] if isinstance(cand["title"], str) else UNTITLED
    within = f"within {settings.within_days} days"
    near, delivered, roomy = funnel
    learners = int(0 if pd.isna(cand["enrolled"]) else cand["enrolled"])
    if not near:
        return f"no other {title} session starts {within}"
    if not delivered:
        if cand["is_virtual"]:
            return f"no other virtual {title} session {within} starts 08:00–20:00 {cand['tz']}"
        return f"no other {title} session {within} is at {cand['location'] or 'the same place'}"
    if not roomy:
        return f"no other {title} session {within} has {learners} free seats"
    return ""


def _crowded_reason(
    c_pos: int,
    sessions: pd.DataFrame,
    cands: pd.DataFrame,
    pairs: pd.DataFrame,
    chosen: dict[int, object],
    plain: list[dict],
) -> str:
    """Why a candidate with targets stays: it takes other candidates' learners itself, or
    each of its targets is merged away or has no seats left once other merges move in."""
    taking = [p for p, into in chosen.items() if into == cands.index[c_pos]]
    if taking:
        first = plain[min(taking, key=lambda p: plain[p]["start_utc"])]
        moved = sum(
            int(0 if pd.isna(plain[p]["enrolled"]) else plain[p]["enrolled"]) for p in taking
        )
        more = f" and {len(taking) - 1} more" if len(taking) > 1 else ""
        return (
            f"kept to take {moved} learner{'s' if moved != 1 else ''} from the session "
            f"of {_when(first)}{more}"
        )
    targets = list(pairs.loc[pairs["cand"].to_numpy() == c_pos, "target"])
    emptied = {cands.index[p] for p in chosen}
    away = sum(t in emptied for t in targets)
    full = len(targets) - away
    if len(targets) == 1:
        only = _plain(sessions.loc[targets])[0]
        fate = "is merged away itself" if away else "has no seats left after another merge"
        return f"its only possible target, {_when(only)}, {fate}"
    parts = (
        [f"{full} {'has' if full == 1 else 'have'} no seats left after other merges"]
        if full
        else []
    )
    parts += [f"{away} {'is' if away == 1 else 'are'} merged away"] if away else []
    return f"of its {len(targets)} possible targets, " + " and ".join(parts)


def _when(session: dict) -> str:
    """A session's start on its own wall clock: "Tue 09 Feb 10:00 Europe/Dublin"."""
    return f"{session['start_local']:%a %d %b %H:%M} {session['tz'] or 'UTC'}"
