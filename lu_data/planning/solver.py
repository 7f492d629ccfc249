"""The choice among candidate sessions, by OR-Tools CP-SAT: no tutor or room overlap, one
session per tutor and per training a day, tutors' weekly limits; then the soft goals in order."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from lu_data.planning.candidates import Workload

SEED = 7
WORKERS = 1  # one worker: the same input gives the same plan, whatever the machine
EARLY_WEEKS_CAP = 26  # earliness counts weeks from the window's first, up to this
FIRST_SHARE = 0.7  # of the time limit, for the main goals; the rest for usual start times


@dataclass(frozen=True)
class SolverFigures:
    """What the solver said: its status, objective and best bound, and its size and time."""

    status: str
    objective: float
    bound: float
    seconds: float
    candidates: int
    placed: int


def choose_sessions(
    options: pd.DataFrame,
    counts: dict[str, int],
    sells_out: set[str],
    work: Workload,
    buffer_minutes: int,
    seconds: float,
) -> tuple[np.ndarray, SolverFigures]:
    """Positions in `options` (free candidates) of the sessions to propose.

    Hard: at most counts[training] per training, one per training a day, one per tutor a day,
    no overlap per tutor (with the buffer) or per room, and each tutor's week within their
    limit. Goals, each outweighing the next: place as many as asked; spread a training over
    weeks; earlier weeks for trainings that sell out; the lowest busiest tutor-week; the
    training's usual start time and weekday.
    """
    if options.empty:
        return np.array([], dtype="int64"), SolverFigures("EMPTY", 0.0, 0.0, 0.0, 0, 0)
    m = cp_model.CpModel()
    n = len(options)
    x = [m.new_bool_var(f"x{i}") for i in range(n)]
    training = options["training_key"].to_numpy(dtype=object)
    tutor = options["tutor_key"].to_numpy(dtype=object)
    room = options["room_key"].to_numpy(dtype=object)
    day = options["day"].to_numpy(dtype="int64")
    week = options["week"].to_numpy(dtype="int64")
    start = options["start_min"].to_numpy(dtype="int64")
    end = options["end_min"].to_numpy(dtype="int64")
    minutes = np.ceil(options["hours"].to_numpy(dtype="float64") * 60 - 1e-9).astype("int64")
    cost = options["cost"].to_numpy(dtype="int64")

    for key, rows in _groups(training).items():
        m.add(sum(x[i] for i in rows) <= counts.get(str(key), 0))
    for rows in _groups_by(training, day).values():
        m.add_at_most_one(x[i] for i in rows)
    for rows in _groups_by(tutor, day).values():
        m.add_at_most_one(x[i] for i in rows)
    # One session a tutor a day keeps a day's sessions apart; what can still overlap is a
    # session over several days, or days of two zones: those pairs are excluded one by one.
    for a, b in _cross_day_overlaps(tutor, day, start, end, buffer_minutes):
        m.add_bool_or([~x[a], ~x[b]])
    # In person at one place a day: a session over several days and another in a different
    # room on one of its later days are excluded too (they need not overlap in time).
    last_day = day + (
        options["end_local"].to_numpy(dtype="datetime64[D]")
        - options["start_local"].to_numpy(dtype="datetime64[D]")
    ).astype("int64")
    for a, b in _elsewhere_pairs(tutor, room, day, last_day):
        m.add_bool_or([~x[a], ~x[b]])
    for key, rows in _groups(room).items():
        if key:
            _no_overlap(m, x, rows, start, end, 0)

    # Weekly limits, and the busiest tutor-week among those that take a proposal: a week's
    # bookings may pass 168 h (sessions that overlap), so its bound is the most booked plus that.
    booked_most = float(work.week_hours.max()) if len(work.week_hours) else 0.0
    top = 24 * 7 + math.ceil(booked_most)
    busiest = m.new_int_var(0, top, "busiest_hours")
    for (who, wk), rows in _groups_by(tutor, week).items():
        booked = int(round(float(work.week_hours.get((who, wk), 0.0)) * 60))
        room_left = math.floor(work.limits.get(str(who), 0.0) * 60 + 1e-6) - booked
        load = sum(int(minutes[i]) * x[i] for i in rows)
        m.add(load <= max(room_left, 0))
        # Counted only in a week that takes a proposal: a tutor's busy week with nothing new
        # in it is not the plan's doing.
        touched = m.new_bool_var("")
        for i in rows:
            m.add_implication(x[i], touched)
        m.add(booked + load <= 60 * busiest).only_enforce_if(touched)

    # Spread: each extra session of one training in the same week is a penalty.
    crowding = []
    for rows in _groups_by(training, week).values():
        if len(rows) > 1:
            extra = m.new_int_var(0, len(rows), "")
            m.add(extra >= sum(x[i] for i in rows) - 1)
            crowding.append(extra)

    first_week = int(week.min())
    early = np.minimum((week - first_week) // 7, EARLY_WEEKS_CAP)
    lateness = [int(early[i]) * x[i] for i in range(n) if training[i] in sells_out and early[i] > 0]

    wanted = sum(counts.values())
    w_late = top + 1
    w_crowd = w_late * (EARLY_WEEKS_CAP * wanted + 1)
    w_place = w_crowd * (wanted + 1)
    goals = w_place * sum(x) - w_crowd * sum(crowding) - w_late * sum(lateness) - busiest
    unusual = sum(int(cost[i]) * x[i] for i in range(n) if cost[i])

    # First the goals that matter (placed, spread, early, balanced), then, keeping those, the
    # usual times: one weighted objective for all would leave the solver a weak bound.
    # A first-fit plan as the starting point: the solver improves on it, and when it finds
    # nothing better in time (a very large request), the first-fit plan still stands.
    fallback = first_fit(options, counts, work, buffer_minutes)
    hinted = set(fallback.tolist())
    for i, var in enumerate(x):
        m.add_hint(var, i in hinted)
    solver = _solver(seconds * FIRST_SHARE)
    m.maximize(goals)
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        name = f"{solver.status_name(status)}: first fit kept"
        figures = SolverFigures(name, 0.0, 0.0, solver.wall_time, n, len(fallback))
        return fallback, figures
    first = [solver.boolean_value(v) for v in x]
    name = solver.status_name(status)
    objective, bound = float(solver.objective_value), float(solver.best_objective_bound)
    spent = float(solver.wall_time)
    m.add(goals >= int(round(solver.objective_value)))
    m.clear_hints()  # a variable hinted twice makes the model invalid
    for var, value in zip(x, first, strict=True):
        m.add_hint(var, value)
    m.minimize(unusual)
    second = _solver(max(seconds - solver.wall_time, 0.1))
    second.parameters.cp_model_presolve = False  # the first solve presolved it; again costs seconds
    status = second.solve(m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        first = [second.boolean_value(v) for v in x]
        spent += float(second.wall_time)
    chosen = np.array([i for i in range(n) if first[i]], dtype="int64")
    return chosen, SolverFigures(name, objective, bound, spent, n, len(chosen))


def first_fit(
    options: pd.DataFrame, counts: dict[str, int], work: Workload, buffer_minutes: int
) -> np.ndarray:
    """Positions of a plan that keeps every hard rule, built in one pass: each training in
    the order asked, each session at its earliest free start with the first free tutor."""
    rank = {key: i for i, key in enumerate(counts)}
    asked = options["training_key"].map(rank).fillna(len(rank)).to_numpy(dtype="int64")
    order = np.lexsort((options["start_min"].to_numpy(dtype="int64"), asked))
    cols = {c: options[c].to_numpy() for c in ("training_key", "tutor_key", "room_key", "day")}
    start = options["start_min"].to_numpy(dtype="int64")
    end = options["end_min"].to_numpy(dtype="int64")
    week = options["week"].to_numpy(dtype="int64")
    hours = options["hours"].to_numpy(dtype="float64")
    placed: dict[str, int] = {}
    taken: set[tuple[object, object]] = set()
    tutor_busy: dict[object, list[tuple[int, int]]] = {}
    room_busy: dict[object, list[tuple[int, int]]] = {}
    load: dict[tuple[object, int], float] = {}
    chosen = []
    for i in order:
        training, tutor, room, day = (
            cols[c][i] for c in ("training_key", "tutor_key", "room_key", "day")
        )
        if placed.get(training, 0) >= counts.get(str(training), 0):
            continue
        if (training, day) in taken or (tutor, day) in taken:
            continue
        gap = buffer_minutes
        if any(s < end[i] + gap and e + gap > start[i] for s, e in tutor_busy.get(tutor, [])):
            continue
        if room and any(s < end[i] and e > start[i] for s, e in room_busy.get(room, [])):
            continue
        booked = float(work.week_hours.get((tutor, int(week[i])), 0.0))
        week_load = load.get((tutor, int(week[i])), 0.0) + hours[i]
        if booked + week_load > work.limits.get(str(tutor), 0.0) + 1e-9:
            continue
        chosen.append(i)
        placed[training] = placed.get(training, 0) + 1
        taken |= {(training, day), (tutor, day)}
        tutor_busy.setdefault(tutor, []).append((int(start[i]), int(end[i])))
        if room:
            room_busy.setdefault(room, []).append((int(start[i]), int(end[i])))
        load[(tutor, int(week[i]))] = week_load
    return np.array(sorted(chosen), dtype="int64")


def _solver(seconds: float) -> cp_model.CpSolver:
    """A CP-SAT solver with the fixed seed, worker count and a time limit."""
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = SEED
    solver.parameters.num_workers = WORKERS
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.symmetry_level = 0  # little symmetry left, and finding it costs
    return solver


def _no_overlap(
    m: cp_model.CpModel,
    x: list[cp_model.IntVar],
    rows: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    gap: int,
) -> None:
    """No two chosen rows within `gap` minutes of each other (optional fixed intervals)."""
    if len(rows) < 2:
        return
    m.add_no_overlap(
        m.new_optional_fixed_size_interval_var(
            int(start[i]), int(end[i] - start[i] + gap), x[i], ""
        )
        for i in rows
    )


def _cross_day_overlaps(
    tutor: np.ndarray, day: np.ndarray, start: np.ndarray, end: np.ndarray, gap: int
) -> list[tuple[int, int]]:
    """Pairs of one tutor's candidates on different days that come within `gap` minutes."""
    pairs: list[tuple[int, int]] = []
    for rows in _groups(tutor).values():
        rows = rows[np.argsort(start[rows], kind="stable")]
        reach = np.searchsorted(start[rows], end[rows] + gap, side="left")
        for i, stop in enumerate(reach):
            for j in range(i + 1, stop):
                if day[rows[i]] != day[rows[j]]:
                    pairs.append((int(rows[i]), int(rows[j])))
    return pairs


def _elsewhere_pairs(
    tutor: np.ndarray, room: np.ndarray, day: np.ndarray, last_day: np.ndarray
) -> list[tuple[int, int]]:
    """Pairs of one tutor's in-person candidates in two rooms, starting on different days,
    whose local days meet: one of them runs over several days."""
    pairs: set[tuple[int, int]] = set()
    in_room = np.array([bool(r) for r in room], dtype=bool)
    for rows in _groups(tutor).values():
        rows = rows[in_room[rows]]
        for a in rows[last_day[rows] > day[rows]]:
            meet = (day[rows] <= last_day[a]) & (last_day[rows] >= day[a])
            meet &= (room[rows] != room[a]) & (day[rows] != day[a])
            pairs.update((int(min(a, b)), int(max(a, b))) for b in rows[meet])
    return sorted(pairs)


def _groups(keys: np.ndarray) -> dict[object, np.ndarray]:
    """Row positions per key value."""
    series = pd.Series(keys)
    return {k: np.asarray(v) for k, v in series.groupby(series, sort=True).indices.items()}


def _groups_by(a: np.ndarray, b: np.ndarray) -> dict[tuple[object, object], np.ndarray]:
    """Row positions per pair of key values."""
    frame = pd.DataFrame({"a": a, "b": b})
    return {
        (k[0], k[1]): np.asarray(v)  # type: ignore[index]
        for k, v in frame.groupby(["a", "b"], sort=True).indices.items()
    }
