"""Candidate sessions: every start a training's shape allows in the window and working hours
(in its own zone, so 09:00 stays 09:00 across a DST change), for each qualified tutor and room,
each marked with the first rule the existing schedule breaks, or none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from lu_data.model.places import place_keys
from lu_data.model.teaching_time import teaching_days
from lu_data.planning.requests import PlanSettings
from lu_data.planning.shapes import TrainingShape, Tutor

STEP_MINUTES = 30  # candidate starts every half hour (and the training's usual start)
LOOKBACK_WEEKS = 12  # a tutor's default weekly limit: their busiest week of this many
MINUTE = pd.Timedelta(minutes=1)
EPOCH = pd.Timestamp("1970-01-01", tz="UTC")
# Why a candidate cannot be used, in the order they are tested.
ROOM_BOOKED = "room_booked"
TUTOR_BOOKED = "tutor_booked"
ELSEWHERE = "elsewhere_that_day"
WEEK_LIMIT = "week_limit"
FREE = ""
CANDIDATE_COLUMNS = [
    "training_key",
    "tutor_key",
    "room_key",
    "zone",
    "start_local",
    "end_local",
    "start_min",
    "end_min",
    "day",
    "week",
    "hours",
    "cost",
    "blocked",
]


@dataclass(frozen=True)
class Workload:
    """The existing schedule as the planner reads it: who is busy when, and where."""

    busy: dict[str, tuple[np.ndarray, np.ndarray]]  # tutor key -> (starts, ends) in minutes
    rooms: dict[str, tuple[np.ndarray, np.ndarray]]  # place key -> (starts, ends)
    in_person_days: pd.DataFrame  # tutor_key, day (ordinal), place: where tutors teach
    week_hours: pd.Series  # (tutor_key, week ordinal) -> hours booked
    limits: dict[str, float]  # tutor key -> weekly limit in hours


def read_workload(
    sessions: pd.DataFrame, tutors: list[str], settings: PlanSettings, today: date
) -> Workload:
    """The tutors' and rooms' bookings in `sessions`, and each tutor's weekly limit."""
    timed = sessions.loc[sessions["start_utc"].notna().to_numpy() & sessions["end_utc"].notna()]
    start = minutes_of(timed["start_utc"])
    end = minutes_of(timed["end_utc"])
    tutor = timed["tutor_key"].to_numpy(dtype=object)
    wanted = set(tutors)
    busy = {str(k): (start[rows], end[rows]) for k, rows in _groups(tutor).items() if k in wanted}
    place = place_keys(timed).to_numpy(dtype=object)
    rooms = {str(k): (start[rows], end[rows]) for k, rows in _groups(place).items()}
    mine = timed.loc[pd.Series(tutor).isin(wanted).to_numpy()]
    days = teaching_days(mine)
    day = pd.to_datetime(days["local_start"]).dt.normalize()
    row = days["session"].to_numpy(dtype="int64")
    keys = mine["tutor_key"].to_numpy(dtype=object)[row]
    week = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    load = pd.DataFrame({"tutor_key": keys, "week": _ordinals(week), "hours": days["hours"]})
    week_hours = load.groupby(["tutor_key", "week"])["hours"].sum()
    in_person = place_keys(mine).to_numpy(dtype=object)[row]
    in_person_days = pd.DataFrame(
        {"tutor_key": keys, "day": _ordinals(day), "place": in_person}
    ).dropna()
    return Workload(busy, rooms, in_person_days, week_hours, _limits(load, tutors, settings, today))


def _limits(load: pd.DataFrame, tutors: list[str], settings: PlanSettings, today: date) -> dict:
    """Each tutor's weekly limit: the setting, else their busiest week of the last
    LOOKBACK_WEEKS; a tutor who taught nothing then, their busiest week before today; one who
    never taught before today (named to teach it), the busiest week of the others lately."""
    if settings.max_week_hours is not None:
        return {t: float(settings.max_week_hours) for t in tutors}
    monday = today.toordinal() - today.weekday()
    past = load.loc[load["week"].lt(monday)]
    weekly = past.groupby(["tutor_key", "week"])["hours"].sum()
    recent = weekly.loc[weekly.index.get_level_values("week") >= monday - 7 * LOOKBACK_WEEKS]
    busiest = recent.groupby("tutor_key").max()
    ever = weekly.groupby("tutor_key").max()
    # A limit of 0 h would make a tutor back from leave, or one named with --tutor, unplaceable.
    team = float(busiest.max()) if len(busiest) else 0.0
    return {t: float(busiest.get(t, ever.get(t, team))) for t in tutors}


def candidates(
    shape: TrainingShape,
    tutors: tuple[Tutor, ...],
    work: Workload,
    settings: PlanSettings,
    today: date,
) -> pd.DataFrame:
    """Every (start, tutor, room) a new session of the training could take, with why not."""
    places = [(r.key, r.zone) for r in shape.rooms] if not shape.virtual else [("", shape.zone)]
    frames = []
    for room_key, zone in places:
        slots = slot_times(shape, zone, settings, today)
        if slots.empty:
            continue
        room_busy = (
            _overlapping(*work.rooms[room_key], slots["start_min"], slots["end_min"], 0)
            if room_key in work.rooms
            else np.zeros(len(slots), dtype=bool)
        )
        for tutor in tutors:
            frame = slots.assign(tutor_key=tutor.key, room_key=room_key, zone=zone)
            blocked = np.full(len(frame), FREE, dtype=object)
            blocked[room_busy] = ROOM_BOOKED
            if tutor.key in work.busy:
                starts, ends = work.busy[tutor.key]
                gap = settings.buffer_minutes
                clash = _overlapping(starts, ends, frame["start_min"], frame["end_min"], gap)
                blocked[clash & (blocked == FREE)] = TUTOR_BOOKED
            if room_key:
                away = _elsewhere(work.in_person_days, tutor.key, frame, room_key)
                blocked[away & (blocked == FREE)] = ELSEWHERE
            booked = (
                work.week_hours.xs(tutor.key, level="tutor_key")
                if tutor.key in work.week_hours.index.get_level_values("tutor_key")
                else pd.Series(dtype="float64")
            )
            already = booked.reindex(frame["week"]).fillna(0.0).to_numpy()
            over = already + frame["hours"].to_numpy() > work.limits.get(tutor.key, 0.0) + 1e-9
            blocked[over & (blocked == FREE)] = WEEK_LIMIT
            frames.append(frame.assign(blocked=blocked))
    if not frames:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    out = pd.concat(frames, ignore_index=True).assign(training_key=shape.training_key)
    return out[CANDIDATE_COLUMNS]


def slot_times(
    shape: TrainingShape, zone: str, settings: PlanSettings, today: date
) -> pd.DataFrame:
    """The starts a session of the shape may take in one zone: local days of the window after
    today (weekdays unless weekends are allowed), inside the working hours, start to end."""
    first = max(settings.first_day.toordinal(), today.toordinal() + 1)
    days = pd.date_range(date.fromordinal(first), settings.last_day, freq="D")
    open_from = settings.day_start.hour * 60 + settings.day_start.minute
    open_to = settings.day_end.hour * 60 + settings.day_end.minute
    starts = set(range(open_from, open_to, STEP_MINUTES))
    if open_from <= shape.start_minute < open_to:
        starts.add(shape.start_minute)
    minute = np.array(sorted(starts), dtype="int64")
    if not len(days) or not len(minute):
        return _empty_slots()
    day = np.repeat(days.to_numpy(dtype="datetime64[us]"), len(minute))
    start_local = day + np.tile(minute, len(days)).astype("timedelta64[m]")
    end_local = start_local + np.timedelta64(shape.minutes, "m")
    end_day = end_local.astype("datetime64[D]")
    end_clock = (end_local - end_day.astype("datetime64[us]")) / np.timedelta64(1, "m")
    span = (end_day - day.astype("datetime64[D]")).astype("int64")
    start_clock = np.tile(minute, len(days))
    fits = (end_clock <= open_to) & ((span == 0) | (end_clock >= open_from))
    # several days: the same hours each day, so the end's clock time must come after the start's
    fits &= (span == 0) | (end_clock > start_clock)
    fits &= end_day <= np.datetime64(settings.last_day, "D")  # ends within the window too
    weekday = pd.DatetimeIndex(day).day_of_week.to_numpy()
    if not settings.weekends:
        fits &= weekday + span <= 4  # Monday to Friday, with no weekend inside it
    start_local, end_local = start_local[fits], end_local[fits]
    if not len(start_local):
        return _empty_slots()
    start_utc = pd.Series(start_local).dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    end_utc = pd.Series(end_local).dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    real = (start_utc.notna() & end_utc.notna()).to_numpy()  # not inside a DST change's gap
    local_day = pd.Series(start_local[real]).dt.normalize()
    span_days = span[fits][real]
    length = (end_local[real] - start_local[real]) / np.timedelta64(1, "h")
    window = (end_clock[fits][real] - start_clock[fits][real]) / 60.0
    hours = np.where(span_days == 0, length, (span_days + 1) * window)
    usual_start = start_clock[fits][real] == shape.start_minute
    usual_day = np.isin(weekday[fits][real], list(shape.weekdays))
    return pd.DataFrame(
        {
            "start_local": pd.Series(start_local[real], dtype="datetime64[us]"),
            "end_local": pd.Series(end_local[real], dtype="datetime64[us]"),
            "start_min": minutes_of(start_utc[real]),
            "end_min": minutes_of(end_utc[real]),
            "day": _ordinals(local_day),
            "week": _ordinals(local_day - pd.to_timedelta(local_day.dt.day_of_week, unit="D")),
            "hours": hours.astype("float64"),
            "cost": (~usual_start).astype("int64") + (~usual_day).astype("int64"),
        }
    )


def _empty_slots() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "start_local": pd.Series(dtype="datetime64[us]"),
            "end_local": pd.Series(dtype="datetime64[us]"),
            **{c: pd.Series(dtype="int64") for c in ("start_min", "end_min", "day", "week")},
            "hours": pd.Series(dtype="float64"),
            "cost": pd.Series(dtype="int64"),
        }
    )


def minutes_of(times: pd.Series) -> np.ndarray:
    """tz-aware instants as whole minutes since 1970 (int64)."""
    return ((times - EPOCH) // MINUTE).to_numpy(dtype="int64")


def _ordinals(days: pd.Series) -> np.ndarray:
    """Midnight timestamps as proleptic Gregorian ordinals (date.toordinal)."""
    epoch_days = days.to_numpy(dtype="datetime64[D]").astype("int64")
    return epoch_days + date(1970, 1, 1).toordinal()


def _groups(keys: np.ndarray) -> dict[object, np.ndarray]:
    """Row positions per key, missing keys left out."""
    series = pd.Series(keys)
    return {k: np.asarray(v) for k, v in series.groupby(series, sort=False).indices.items()}


def _overlapping(
    busy_start: np.ndarray, busy_end: np.ndarray, start: pd.Series, end: pd.Series, gap: int
) -> np.ndarray:
    """Which [start, end) come within `gap` minutes of a busy interval (touching with no gap
    is free), by a sorted search: busy intervals sorted by start with a running max of ends."""
    order = np.argsort(busy_start, kind="stable")
    starts = busy_start[order]
    reach = np.maximum.accumulate(busy_end[order])
    s, e = np.asarray(start, dtype="int64"), np.asarray(end, dtype="int64")
    last = np.searchsorted(starts, e + gap, side="left") - 1
    hit = last >= 0
    hit[hit] = reach[last[hit]] > s[hit] - gap
    return hit


def _elsewhere(days: pd.DataFrame, tutor: str, frame: pd.DataFrame, room: str) -> np.ndarray:
    """Candidates on a local day (any of theirs, first to last) the tutor already teaches in
    person at another place."""
    mine = days.loc[days["tutor_key"].eq(tutor).to_numpy() & days["place"].ne(room).to_numpy()]
    if mine.empty:
        return np.zeros(len(frame), dtype=bool)
    away = np.unique(mine["day"].to_numpy(dtype="int64"))
    first = frame["day"].to_numpy(dtype="int64")
    span = frame["end_local"].to_numpy(dtype="datetime64[D]") - frame["start_local"].to_numpy(
        dtype="datetime64[D]"
    )
    last = first + span.astype("int64")
    return np.searchsorted(away, last, side="right") > np.searchsorted(away, first, side="left")


def fewest_starts(free: pd.DataFrame) -> pd.DataFrame:
    """Of the free starts of one training, tutor and room on one day, the ones worth a choice:
    the cheapest (the usual start), the earliest and the latest, and in a room the starts a
    whole number of sessions after the earliest or before the latest.

    One tutor teaches once a day, so starts of a day differ only in how they share the room
    with other proposals: the day's two ends leave it the most room either side, and the
    starts between them let three or more sessions of a day follow each other in one room.
    """
    if free.empty:
        return free
    group = ["training_key", "tutor_key", "room_key", "day"]
    ordered = free.sort_values([*group, "start_min"], kind="stable")
    keep = ordered.groupby(group, sort=False)
    cheapest = ordered.sort_values([*group, "cost", "start_min"], kind="stable")
    picks = [keep.head(1).index, keep.tail(1).index, cheapest.groupby(group).head(1).index]
    rows = picks[0].union(picks[1]).union(picks[2])
    start = ordered["start_min"]
    length = ordered["end_min"] - start
    after = (start - keep["start_min"].transform("min")) % length == 0
    before = (keep["start_min"].transform("max") - start) % length == 0
    packed = ordered["room_key"].ne("") & (after | before)
    rows = rows.union(ordered.index[packed.to_numpy()])
    return free.loc[rows.sort_values()]
