"""A training's usual shape, read from its sessions: duration, capacity, zone, rooms, weekdays,
start time and the tutors who have taught it; what a proposed session of it copies."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lu_data.model.places import place_keys
from lu_data.model.rollups import NO_TUTOR_KEY
from lu_data.model.schema import NO_TUTOR, PORTAL_COLUMN, UNTITLED

ROUND_MINUTES = 15  # a usual duration is rounded to this
USUAL_WEEKDAY_SHARE = 0.2  # a weekday with this share of a training's sessions is usual for it
MAX_ROOMS = 3  # a proposal may take one of the training's most used rooms, up to this many


@dataclass(frozen=True)
class Room:
    """A place a training has been taught in person (model.places' rule), in its zone."""

    key: str
    location_id: int | None
    location: str
    zone: str


@dataclass(frozen=True)
class Tutor:
    """A tutor who may teach a training, with how often they have taught it."""

    key: str
    name: str
    email: str
    taught: int


@dataclass(frozen=True)
class TrainingShape:
    """What a new session of a training copies from its past ones."""

    training_key: str
    portal: str
    title: str
    training_id: int | None
    minutes: int  # wall-clock length, start to end, in its own zone
    capacity: int | None  # None: its sessions set no seat limit
    virtual: bool
    zone: str  # IANA; a virtual training's most used zone, else its first room's
    rooms: tuple[Room, ...]  # in person: the rooms it has used, most used first
    weekdays: frozenset[int]  # usual weekdays, Monday 0
    start_minute: int  # usual start, minutes after local midnight
    tutors: tuple[Tutor, ...]  # most experienced first
    sessions: int


def session_training_keys(sessions: pd.DataFrame) -> pd.Series:
    """Each session's training key; a legacy module without one is its own training."""
    return sessions["training_key"].fillna(sessions["session_key"])


def training_shapes(sessions: pd.DataFrame, keys: list[str]) -> dict[str, TrainingShape | str]:
    """Per training key, its shape, or why it has none (no session with a zone and times)."""
    training = session_training_keys(sessions)
    usable = (
        sessions["start_local"].notna() & sessions["end_local"].notna() & sessions["tz"].notna()
    )
    rooms = _room_table(sessions)
    wanted = training.isin(keys).to_numpy()
    asked = sessions.loc[wanted].assign(_usable=usable.to_numpy()[wanted])
    by_key = asked.groupby(training[wanted].to_numpy(), sort=False).indices
    out: dict[str, TrainingShape | str] = {}
    for key in keys:
        rows = by_key.get(key)
        mine = asked.iloc[rows] if rows is not None else asked.iloc[:0]
        timed = mine.loc[mine["_usable"].to_numpy()]
        title = str(mine["title"].dropna().mode().iloc[0]) if mine["title"].notna().any() else ""
        if mine.empty:
            out[key] = f"{key} has no session in this source"
        elif timed.empty:
            out[key] = f"{title or UNTITLED} has no session with times and a zone to copy"
        else:
            out[key] = _shape(key, title or UNTITLED, timed, rooms)
    return out


def _shape(key: str, title: str, s: pd.DataFrame, rooms: pd.DataFrame) -> TrainingShape:
    """The shape of one training from its timed sessions."""
    length = (s["end_local"] - s["start_local"]).dt.total_seconds() / 60
    minutes = int(max(ROUND_MINUTES, round(float(length.median()) / ROUND_MINUTES) * ROUND_MINUTES))
    capacity = s["max_capacity"].where(s["max_capacity"].gt(0))
    cap = None if capacity.notna().sum() == 0 else int(round(float(capacity.median())))
    virtual_flags = s["is_virtual"].fillna(False).astype(bool)
    virtual = bool(virtual_flags.mean() >= 0.5)
    in_person = s.loc[~virtual_flags.to_numpy()]
    used = place_keys(in_person).dropna()
    room_list: list[Room] = []
    counts = used.value_counts(sort=False).rename("n").reset_index()
    counts = counts.sort_values(["n", counts.columns[0]], ascending=[False, True], kind="stable")
    for room_key in counts.iloc[:MAX_ROOMS, 0]:  # most used first, ties by key
        row = rooms.loc[room_key]
        room_list.append(
            Room(str(room_key), _int_or_none(row["location_id"]), str(row["name"]), str(row["tz"]))
        )
    if not room_list:
        virtual = True
    zones = s.loc[virtual_flags.to_numpy(), "tz"] if virtual and virtual_flags.any() else s["tz"]
    zone = str(zones.mode().iloc[0]) if virtual else room_list[0].zone
    weekday = s["start_local"].dt.day_of_week
    share = weekday.value_counts(normalize=True)
    usual = frozenset(int(d) for d in share.index[share >= USUAL_WEEKDAY_SHARE])
    start_minute = s["start_local"].dt.hour * 60 + s["start_local"].dt.minute
    training_id = s["training_id"].dropna()
    return TrainingShape(
        training_key=key,
        portal=str(s[PORTAL_COLUMN].iloc[0]) if PORTAL_COLUMN in s else "",
        title=title,
        training_id=int(training_id.iloc[0]) if len(training_id) else None,
        minutes=minutes,
        capacity=cap,
        virtual=virtual,
        zone=zone,
        rooms=() if virtual else tuple(room_list),
        weekdays=usual or frozenset(int(d) for d in weekday.unique()),
        start_minute=int(start_minute.mode().min()),
        tutors=_tutors(s),
        sessions=len(s),
    )


def _tutors(s: pd.DataFrame) -> tuple[Tutor, ...]:
    """The tutors of a training's sessions, most sessions first (ties by name)."""
    has = s["tutor_key"].notna() & s["tutor_key"].ne(NO_TUTOR_KEY)
    t = s.loc[has.to_numpy()]
    if t.empty:
        return ()
    counts = t.groupby("tutor_key").agg(
        n=("session_key", "size"), name=("tutor_name", "first"), email=("tutor_email", "first")
    )
    counts = counts.assign(label=counts["name"].fillna(counts["email"]).fillna(NO_TUTOR))
    counts = counts.sort_values(["n", "label"], ascending=[False, True], kind="stable")
    return tuple(
        Tutor(str(k), str(r.label), "" if pd.isna(r.email) else str(r.email), int(r.n))
        for k, r in counts.iterrows()
    )


def tutor_directory(sessions: pd.DataFrame) -> dict[str, Tutor]:
    """Every tutor of the source by key, with no count: for tutors named by hand."""
    has = sessions["tutor_key"].notna() & sessions["tutor_key"].ne(NO_TUTOR_KEY)
    t = sessions.loc[has.to_numpy()].drop_duplicates("tutor_key")
    return {
        str(k): Tutor(
            str(k),
            str(n if isinstance(n, str) else e if isinstance(e, str) else NO_TUTOR),
            e if isinstance(e, str) else "",
            0,
        )
        for k, n, e in zip(t["tutor_key"], t["tutor_name"], t["tutor_email"], strict=True)
    }


def _room_table(sessions: pd.DataFrame) -> pd.DataFrame:
    """Per place key: its location id and name and the zone most of its sessions use."""
    keys = place_keys(sessions)
    placed = keys.notna().to_numpy() & sessions["tz"].notna().to_numpy()
    s = sessions.loc[placed]
    name = s["location"].where(s["location"].fillna("").ne(""), s["address_1"]).fillna("(room)")
    frame = pd.DataFrame(
        {"key": keys[placed], "location_id": s["location_id"], "name": name, "tz": s["tz"]}
    )
    zone = frame.groupby(["key", "tz"]).size().rename("n").reset_index()
    zone = zone.sort_values(["key", "n", "tz"], ascending=[True, False, True], kind="stable")
    first = frame.drop_duplicates("key").set_index("key")[["location_id", "name"]]
    return first.join(zone.drop_duplicates("key").set_index("key")["tz"])


def _int_or_none(value: object) -> int | None:
    missing = value is None or value is pd.NA or value != value  # NaN is not itself
    return None if missing else int(np.int64(str(value)))
