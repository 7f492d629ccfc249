"""A greedy baseline for the planner, to show what the solver buys.

It reads the very candidates the solver chooses among (lu_data.planning's shapes, workload,
candidates and fewest_starts, built as propose_sessions builds them) and keeps the same hard
rules, but chooses the simple way: requests in order, each session the earliest free start
that still keeps every rule against the existing schedule and the greedy's own earlier
picks, with the first qualified tutor (the training's tutors, most experienced first) and
room in order. `rule_breaks` checks any set of picks against those rules independently of
both choosers, so the comparison can show that neither cheats.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from lu_data.model.result_schemas import PLAN_DTYPES
from lu_data.model.schema import PORTAL_COLUMN, empty_frame, enforce_dtypes
from lu_data.planning.candidates import (
    EPOCH,
    FREE,
    Workload,
    candidates,
    fewest_starts,
    read_workload,
)
from lu_data.planning.propose import ADD
from lu_data.planning.requests import PlanRequest, PlanSettings, check_window
from lu_data.planning.shapes import TrainingShape, Tutor, training_shapes, tutor_directory


@dataclass
class PlanInputs:
    """What propose_sessions builds before its solver runs: the free candidates and more."""

    counts: dict[str, int]  # training key -> sessions asked for, in the order first asked
    shapes: dict[str, TrainingShape]  # the trainings that have a shape to copy
    teams: dict[str, tuple[Tutor, ...]]  # who may teach each, most experienced first
    work: Workload
    free: pd.DataFrame  # the solver's options: free candidates, fewest_starts, 0..n-1 index


@dataclass
class GreedyPlan:
    """The greedy's picks (rows of the inputs' free candidates) and how long it took."""

    inputs: PlanInputs
    picked: pd.DataFrame
    seconds: float  # the choice alone, after the inputs
    inputs_seconds: float = 0.0
    placed_per_training: dict[str, int] = field(default_factory=dict)

    @property
    def placed(self) -> int:
        """Sessions the greedy placed."""
        return len(self.picked)


def plan_inputs(
    sessions: pd.DataFrame, requests: list[PlanRequest], settings: PlanSettings, today: date
) -> PlanInputs:
    """The solver's inputs, built step for step as lu_data.planning.propose_sessions does."""
    check_window(settings, today)
    counts: dict[str, int] = {}
    for r in requests:
        counts[r.training_key] = counts.get(r.training_key, 0) + r.count
    shaped = training_shapes(sessions, list(counts))
    shapes = {k: s for k, s in shaped.items() if isinstance(s, TrainingShape)}
    directory = tutor_directory(sessions)
    extra: dict[str, list[Tutor]] = {}
    for key, tutor_key in settings.extra_tutors:
        if tutor_key in directory:
            extra.setdefault(key, []).append(directory[tutor_key])
    teams = {}
    for key, shape in shapes.items():
        known = {t.key for t in shape.tutors}
        teams[key] = shape.tutors + tuple(t for t in extra.get(key, []) if t.key not in known)
    everyone = sorted({t.key for team in teams.values() for t in team})
    work = read_workload(sessions, everyone, settings, today)
    frames = [candidates(shape, teams[key], work, settings, today) for key, shape in shapes.items()]
    options = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    free = options.loc[options["blocked"].eq(FREE).to_numpy()] if len(options) else options
    free = fewest_starts(free).reset_index(drop=True)
    return PlanInputs(counts, shapes, teams, work, free)


def room_left_minutes(work: Workload, tutor: str, week: int) -> int:
    """Minutes a tutor may still teach in a week: the solver's rounding of limit and bookings."""
    booked = int(round(float(work.week_hours.get((tutor, week), 0.0)) * 60))
    return math.floor(work.limits.get(tutor, 0.0) * 60 + 1e-6) - booked


def session_minutes(hours: np.ndarray) -> np.ndarray:
    """A candidate's hours as whole minutes against the weekly limit (the solver's rounding)."""
    return np.ceil(np.asarray(hours, dtype="float64") * 60 - 1e-9).astype("int64")


def greedy_choice(inputs: PlanInputs, buffer_minutes: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """Requests in order; each session takes the earliest free candidate that keeps every rule
    against the greedy's earlier picks, ties going to the training's first tutor, then room."""
    free = inputs.free
    if free.empty:
        return free, {k: 0 for k in inputs.counts}
    start = free["start_min"].to_numpy(dtype="int64")
    end = free["end_min"].to_numpy(dtype="int64")
    day = free["day"].to_numpy(dtype="int64")
    week = free["week"].to_numpy(dtype="int64")
    minutes = session_minutes(free["hours"].to_numpy())
    tutor = free["tutor_key"].to_numpy(dtype=object)
    room = free["room_key"].to_numpy(dtype=object)
    training = free["training_key"].to_numpy(dtype=object)
    tutor_rank = np.zeros(len(free), dtype="int64")
    room_rank = np.zeros(len(free), dtype="int64")
    for key, team in inputs.teams.items():
        mine = training == key
        order = {t.key: i for i, t in enumerate(team)}
        tutor_rank[mine] = [order[t] for t in tutor[mine]]
        rooms = {r.key: i for i, r in enumerate(inputs.shapes[key].rooms)}
        room_rank[mine] = [rooms.get(r, 0) for r in room[mine]]
    order = np.lexsort((room_rank, tutor_rank, start))  # earliest, then first tutor, first room
    training_days: set[tuple[object, int]] = set()
    tutor_days: set[tuple[object, int]] = set()
    tutor_times: dict[object, list[tuple[int, int]]] = defaultdict(list)
    room_times: dict[object, list[tuple[int, int]]] = defaultdict(list)
    used: dict[tuple[object, int], int] = defaultdict(int)
    chosen: list[int] = []
    placed: dict[str, int] = {}
    gap = buffer_minutes
    for key, wanted in inputs.counts.items():
        placed[key] = 0
        for i in order[training[order] == key]:
            if placed[key] == wanted:
                break
            s, e, t, r = int(start[i]), int(end[i]), tutor[i], room[i]
            if (key, day[i]) in training_days or (t, day[i]) in tutor_days:
                continue
            if any(a < e + gap and s < b + gap for a, b in tutor_times[t]):
                continue
            if r and any(a < e and s < b for a, b in room_times[r]):
                continue
            if used[(t, week[i])] + minutes[i] > room_left_minutes(inputs.work, str(t), week[i]):
                continue
            chosen.append(int(i))
            placed[key] += 1
            training_days.add((key, int(day[i])))
            tutor_days.add((t, int(day[i])))
            tutor_times[t].append((s, e))
            if r:
                room_times[r].append((s, e))
            used[(t, int(week[i]))] += int(minutes[i])
    return free.iloc[chosen], placed


def greedy_plan(
    sessions: pd.DataFrame, requests: list[PlanRequest], settings: PlanSettings, today: date
) -> GreedyPlan:
    """The greedy's plan for these requests: the solver's inputs, then greedy_choice."""
    started = time.perf_counter()
    inputs = plan_inputs(sessions, requests, settings, today)
    built = time.perf_counter()
    picked, placed = greedy_choice(inputs, settings.buffer_minutes)
    done = time.perf_counter()
    return GreedyPlan(inputs, picked, done - built, built - started, placed)


def rule_breaks(
    picked: pd.DataFrame, inputs: PlanInputs, buffer_minutes: int, *, limit: int = 10
) -> list[str]:
    """Every hard rule a set of picks breaks (up to `limit` lines), checked afresh: the count
    per training, one per training and per tutor a day, no tutor overlap with the buffer and
    no room overlap (against existing bookings and each other), in-person on one place a day,
    and the weekly limits. Picks need the candidate columns (training_key ... hours)."""
    out: list[str] = []
    work, gap = inputs.work, buffer_minutes
    per_training = picked["training_key"].value_counts()
    for key, n in per_training.items():
        if n > inputs.counts.get(str(key), 0):
            out.append(f"{key}: {n} placed, {inputs.counts.get(str(key), 0)} asked")
    for cols in (["training_key", "day"], ["tutor_key", "day"]):
        twice = picked.duplicated(cols, keep=False)
        if twice.any():
            out.append(f"{int(twice.sum())} picks share a {cols[0].split('_')[0]} and a day")
    rows = list(picked.itertuples(index=False))
    for i, a in enumerate(rows):
        s, e = int(a.start_min), int(a.end_min)
        starts, ends = work.busy.get(a.tutor_key, (np.array([]), np.array([])))
        if np.any((starts < e + gap) & (s < ends + gap)):
            out.append(f"{a.tutor_key} booked within {gap} min of a pick at {s}")
        if a.room_key:
            starts, ends = work.rooms.get(a.room_key, (np.array([]), np.array([])))
            if np.any((starts < e) & (s < ends)):
                out.append(f"{a.room_key} booked at a pick at {s}")
            days = work.in_person_days
            away = days["tutor_key"].eq(a.tutor_key) & days["day"].eq(a.day)
            if (away & days["place"].ne(a.room_key)).any():
                out.append(f"{a.tutor_key} teaches in person elsewhere on day {a.day}")
        for b in rows[i + 1 :]:
            bs, be = int(b.start_min), int(b.end_min)
            if a.tutor_key == b.tutor_key and bs < e + gap and s < be + gap:
                out.append(f"{a.tutor_key}: two picks within {gap} min at {s} and {bs}")
            if a.room_key and a.room_key == b.room_key and bs < e and s < be:
                out.append(f"{a.room_key}: two picks overlap at {s} and {bs}")
    minutes = picked.assign(minutes=session_minutes(picked["hours"].to_numpy()))
    for (t, wk), m in minutes.groupby(["tutor_key", "week"])["minutes"].sum().items():
        left = room_left_minutes(work, str(t), int(wk))
        if m > max(left, 0):
            out.append(f"{t} week {wk}: {m} min placed, {max(left, 0)} min left under the limit")
    return out[:limit]


def busiest_week(picked: pd.DataFrame, work: Workload) -> tuple[float, str, int]:
    """The busiest week of a tutor who received a proposal that week: hours already booked plus
    the hours proposed, as (hours, tutor key, week ordinal); (0, "", 0) with no picks."""
    if picked.empty:
        return 0.0, "", 0
    proposed = picked.groupby(["tutor_key", "week"])["hours"].sum()
    loads = [
        (float(work.week_hours.get((t, wk), 0.0)) + float(hours), str(t), int(wk))
        for (t, wk), hours in proposed.items()
    ]
    return max(loads, key=lambda x: x[0])


def plan_rows(picked: pd.DataFrame, inputs: PlanInputs) -> pd.DataFrame:
    """Picks as plan rows (PLAN_DTYPES, action "add"), what lu_data.planning.proof reads."""
    if picked.empty:
        return empty_frame(PLAN_DTYPES)
    rows = []
    for r in picked.itertuples(index=False):
        shape = inputs.shapes[r.training_key]
        tutor = next(t for t in inputs.teams[r.training_key] if t.key == r.tutor_key)
        room = next((x for x in shape.rooms if x.key == r.room_key), None)
        rows.append(
            {
                "action": ADD,
                PORTAL_COLUMN: shape.portal,
                "training_key": shape.training_key,
                "training_id": shape.training_id,
                "training_title": shape.title,
                "start_utc": EPOCH + pd.Timedelta(minutes=int(r.start_min)),
                "end_utc": EPOCH + pd.Timedelta(minutes=int(r.end_min)),
                "zone": r.zone,
                "start_local": r.start_local,
                "end_local": r.end_local,
                "hours": float(r.hours),
                "tutor_key": tutor.key,
                "tutor_name": tutor.name,
                "tutor_email": tutor.email,
                "room_key": room.key if room else None,
                "location_id": room.location_id if room else None,
                "location": room.location if room else None,
                "virtual": shape.virtual,
                "capacity": shape.capacity,
                "reason": "greedy",
            }
        )
    frame = pd.DataFrame(rows).reindex(columns=list(PLAN_DTYPES))
    return enforce_dtypes(frame, PLAN_DTYPES)
