"""Propose new sessions: each requested training's shape, its candidates against the existing
schedule, the solver's choice, and a reason for every row, placed or not."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from lu_data.model.result_schemas import PLAN_DTYPES
from lu_data.model.schema import PORTAL_COLUMN, empty_frame, enforce_dtypes
from lu_data.planning.candidates import (
    ELSEWHERE,
    EPOCH,
    FREE,
    ROOM_BOOKED,
    TUTOR_BOOKED,
    WEEK_LIMIT,
    Workload,
    candidates,
    fewest_starts,
    read_workload,
)
from lu_data.planning.requests import PlanRequest, PlanSettings, check_window
from lu_data.planning.shapes import TrainingShape, Tutor, training_shapes, tutor_directory
from lu_data.planning.solver import SolverFigures, choose_sessions

ADD = "add"
UNPLACED = "unplaced"


@dataclass
class Plan:
    """Proposed sessions (PLAN_DTYPES, one row per requested session) and how they were found."""

    rows: pd.DataFrame
    figures: SolverFigures
    settings: PlanSettings
    shapes: dict[str, TrainingShape] = field(default_factory=dict)

    @property
    def placed(self) -> pd.DataFrame:
        """The sessions proposed."""
        return self.rows.loc[self.rows["action"].eq(ADD).to_numpy()]

    @property
    def unplaced(self) -> pd.DataFrame:
        """The requested sessions that could not be placed, each with why."""
        return self.rows.loc[self.rows["action"].eq(UNPLACED).to_numpy()]


def propose_sessions(
    sessions: pd.DataFrame,
    requests: list[PlanRequest],
    settings: PlanSettings,
    today: date,
    sells_out: frozenset[str] = frozenset(),
) -> Plan:
    """New sessions for each request that keep every hard rule against `sessions` (the whole
    schedule: existing bookings of tutors and rooms) and each other; the rest unplaced, each
    with the rule that binds."""
    check_window(settings, today)
    counts: dict[str, int] = {}
    for r in requests:
        counts[r.training_key] = counts.get(r.training_key, 0) + r.count
    shapes = training_shapes(sessions, list(counts))
    directory = tutor_directory(sessions)
    extra: dict[str, list[Tutor]] = {}
    for key, tutor_key in settings.extra_tutors:
        if tutor_key in directory:
            extra.setdefault(key, []).append(directory[tutor_key])
    teams = {
        key: _team(shape, extra.get(key, []))
        for key, shape in shapes.items()
        if isinstance(shape, TrainingShape)
    }
    everyone = sorted({t.key for team in teams.values() for t in team})
    work = read_workload(sessions, everyone, settings, today)
    frames = [
        candidates(shape, teams[key], work, settings, today)
        for key, shape in shapes.items()
        if isinstance(shape, TrainingShape)
    ]
    options = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    free = options.loc[options["blocked"].eq(FREE).to_numpy()] if len(options) else options
    free = fewest_starts(free).reset_index(drop=True)
    chosen, figures = choose_sessions(
        free, counts, set(sells_out), work, settings.buffer_minutes, settings.seconds
    )
    picked = free.iloc[chosen]
    rows = []
    for key, wanted in counts.items():
        shape = shapes[key]
        if not isinstance(shape, TrainingShape):
            rows += [_unplaced_row(key, sessions, shape)] * wanted
            continue
        mine = picked.loc[picked["training_key"].eq(key).to_numpy()].sort_values("start_min")
        rows += [_placed_row(shape, teams[key], work, row) for _, row in mine.iterrows()]
        if len(mine) < wanted:
            mine_options = options.loc[options["training_key"].eq(key).to_numpy()]
            why = unplaced_reason(shape, teams[key], mine_options, work, settings, len(mine))
            rows += [_shape_row(shape, UNPLACED, why)] * (wanted - len(mine))
    frame = pd.DataFrame(rows) if rows else empty_frame(PLAN_DTYPES)
    frame = frame.reindex(columns=list(PLAN_DTYPES))
    shaped = {k: s for k, s in shapes.items() if isinstance(s, TrainingShape)}
    return Plan(enforce_dtypes(frame, PLAN_DTYPES), figures, settings, shaped)


def _team(shape: TrainingShape, extra: list[Tutor]) -> tuple[Tutor, ...]:
    """Who may teach it: its past tutors, then any named by hand."""
    known = {t.key for t in shape.tutors}
    return shape.tutors + tuple(t for t in extra if t.key not in known)


def _shape_row(shape: TrainingShape, action: str, reason: str) -> dict:
    """The columns every row of a training shares."""
    return {
        "action": action,
        PORTAL_COLUMN: shape.portal,
        "training_key": shape.training_key,
        "training_id": shape.training_id,
        "training_title": shape.title,
        "zone": shape.zone,
        "capacity": shape.capacity,
        "virtual": shape.virtual,
        "reason": reason,
    }


def _unplaced_row(key: str, sessions: pd.DataFrame, why: str) -> dict:
    """A request for a training that has no shape to copy."""
    portal = sessions[PORTAL_COLUMN].iloc[0] if PORTAL_COLUMN in sessions and len(sessions) else ""
    return {
        "action": UNPLACED,
        PORTAL_COLUMN: portal,
        "training_key": key,
        "training_title": why.split(" has no session")[0],
        "reason": why,
    }


def _placed_row(
    shape: TrainingShape, team: tuple[Tutor, ...], work: Workload, row: pd.Series
) -> dict:
    """One proposed session, with its reason in words."""
    tutor = next(t for t in team if t.key == row["tutor_key"])
    room = next((r for r in shape.rooms if r.key == row["room_key"]), None)
    booked = float(work.week_hours.get((tutor.key, int(row["week"])), 0.0))
    taught = (
        f"{tutor.name} taught it {tutor.taught} time{'s' if tutor.taught != 1 else ''}"
        if tutor.taught
        else f"{tutor.name} was named to teach it"
    )
    where = f"{room.location} is free" if room else "virtual: no room needed"
    load = f"{_hours(booked)} h already booked that week"
    start = EPOCH + pd.Timedelta(minutes=int(row["start_min"]))
    end = EPOCH + pd.Timedelta(minutes=int(row["end_min"]))
    return {
        **_shape_row(shape, ADD, f"{taught}; {where}; {load}"),
        "zone": row["zone"],
        "start_utc": start,
        "end_utc": end,
        "start_local": row["start_local"],
        "end_local": row["end_local"],
        "hours": float(row["hours"]),
        "tutor_key": tutor.key,
        "tutor_name": tutor.name,
        "tutor_email": tutor.email,
        "room_key": room.key if room else None,
        "location_id": room.location_id if room else None,
        "location": room.location if room else None,
    }


def unplaced_reason(
    shape: TrainingShape,
    team: tuple[Tutor, ...],
    options: pd.DataFrame,
    work: Workload,
    settings: PlanSettings,
    placed: int,
) -> str:
    """Why (more) sessions of the training could not be placed, naming what binds."""
    city = shape.zone.rsplit("/", 1)[-1].replace("_", " ")
    days = "day" if settings.weekends else "weekday"
    span = f"from {settings.first_day:%d %b} to {settings.last_day:%d %b}"
    when = f"{settings.hours_text} {city} on any {days} {span}"
    more = f"Only {placed} placed: " if placed else ""
    if not team:
        return (
            f"{more}No tutor has taught {shape.title} in this source: name one who may "
            "(--tutor TRAINING=EMAIL)"
        )
    if options.empty:
        return f"{more}No {_hours(shape.minutes / 60)} h session of {shape.title} fits {when}"
    if options["blocked"].eq(ROOM_BOOKED).all():
        names = ", ".join(r.location for r in shape.rooms)
        return f"{more}{names} booked whenever {shape.title} could run {when}"
    parts = [
        _tutor_reason(t, options.loc[options["tutor_key"].eq(t.key).to_numpy()], work) for t in team
    ]
    who = "No tutor who has taught" if all(t.taught for t in team) else "No tutor named for"
    return f"{more}{who} {shape.title} is free {when}: {', '.join(parts)}"


def _tutor_reason(tutor: Tutor, mine: pd.DataFrame, work: Workload) -> str:
    """What keeps one tutor from the training's free times: the rule that blocks most of them."""
    open_rows = mine.loc[mine["blocked"].ne(ROOM_BOOKED).to_numpy()]
    if open_rows.empty:
        return f"{tutor.name} only free when the room is booked"
    counts = open_rows["blocked"].value_counts()
    if counts.get(FREE, 0):
        return f"{tutor.name} taken by the other proposals"
    reason = str(counts.idxmax())
    limit = work.limits.get(tutor.key, 0.0)
    return {
        TUTOR_BOOKED: f"{tutor.name} booked",
        ELSEWHERE: f"{tutor.name} teaching in person elsewhere those days",
        WEEK_LIMIT: f"{tutor.name} at their {_hours(limit)} h weekly limit",
    }.get(reason, f"{tutor.name} not free")


def _hours(value: float) -> str:
    """Hours as people write them: 9, 7.5."""
    return f"{value:.1f}".removesuffix(".0")
