"""Hand-built portals for the planner: sessions on a zone's wall clock, past sessions that give a
training its shape, the week of 7 December as the window, and local times read back from UTC."""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from lu_data.ingest.normalise import normalise_portal
from lu_data.planning.proof import prove_plan
from lu_data.planning.propose import Plan, propose_sessions
from lu_data.planning.requests import PlanError, PlanRequest, PlanSettings
from tests.support.records import raw_portal, timed_record, tutor_fields

TODAY = date(2026, 11, 27)  # a Friday; the default window is the week of Monday 7 December
DUBLIN, SYDNEY = "Europe/Dublin", "Australia/Sydney"
RAILS = {DUBLIN: "Dublin", SYDNEY: "Sydney"}
# Trainings (training_id, title), tutors (user id, first, last) and rooms (location id, name).
EXCEL, WORD, SAFETY = (1, "Excel basics"), (2, "Word styles"), (3, "Fire safety")
AOIFE, BRIAN, CIARA = (501, "Aoife", "Byrne"), (502, "Brian", "Kelly"), (503, "Ciara", "Walsh")
NOBODY: tuple[Any, Any, Any] = (None, None, None)
ROOM2, ROOM3, ONLINE = (77, "Dublin room 2"), (78, "Dublin room 3"), (-1, "")
HARBOUR = (90, "Sydney harbour room")
NOVEMBER_TUESDAYS = ("2026-11-03", "2026-11-10", "2026-11-17")


def held(
    training: tuple[int, str],
    start: str,
    end: str,
    tutor: tuple = AOIFE,
    room: tuple[int, str] = ONLINE,
    zone: str = DUBLIN,
) -> dict[str, Any]:
    """A session record: its start and end on `zone`'s wall clock ("2026-12-07 09:00"), in
    `room` (ONLINE: LearnUpon's location -1), taught by `tutor` (NOBODY: no tutor)."""

    def utc(text: str) -> str:
        return pd.Timestamp(text, tz=zone).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")

    user, first, last = tutor
    email = f"{first.lower()}@example.ie" if first else None
    return timed_record(
        None,
        utc(start),
        utc(end),
        training_id=training[0],
        title=training[1],
        timezone=RAILS[zone],
        location_id=room[0],
        location=room[1],
        **tutor_fields(user, first, last, email),
    )


def history(
    training: tuple[int, str],
    tutor: tuple = AOIFE,
    room: tuple[int, str] = ONLINE,
    clock: str = "10:00-13:00",
    days: tuple[str, ...] = NOVEMBER_TUESDAYS,
    zone: str = DUBLIN,
) -> list[dict[str, Any]]:
    """Past sessions that give a training its shape: by default three Tuesdays of November,
    10:00-13:00, one a week (so a tutor's busiest recent week is 3 h)."""
    begin, finish = clock.split("-")
    return [held(training, f"{d} {begin}", f"{d} {finish}", tutor, room, zone) for d in days]


def portal(*records: dict[str, Any]) -> pd.DataFrame:
    """The sessions of these records, numbered in order (session 1, 2, ...), through the one
    normaliser (the zone checks and rollups of a full load add nothing the planner reads).

    The same records give a copy of the same frame: several tests start from one portal, and
    normalising it costs more than planning on it."""
    return _normalised(json.dumps(records, sort_keys=True)).copy()


@lru_cache(maxsize=64)
def _normalised(records: str) -> pd.DataFrame:
    numbered = [{**r, "session_id": n} for n, r in enumerate(json.loads(records), start=1)]
    return normalise_portal(raw_portal(numbered), "portal")[0]


def settings(first: str = "2026-12-07", last: str = "2026-12-11", **fields: Any) -> PlanSettings:
    """The working week of 7 December (or the days given), a 40 h weekly limit and a 2 s
    solver limit unless set."""
    fields.setdefault("max_week_hours", 40.0)
    fields.setdefault("seconds", 2.0)
    return PlanSettings(date.fromisoformat(first), date.fromisoformat(last), **fields)


def local(times: pd.Series, zones: pd.Series, fmt: str = "%a %d %b %H:%M") -> list[str]:
    """UTC instants on their zones' wall clocks, worked out again with zoneinfo."""
    return [
        t.to_pydatetime().astimezone(ZoneInfo(z)).strftime(fmt)
        for t, z in zip(times, zones, strict=True)
    ]


def refused(call, *args) -> str:
    """The one-line message of the PlanError (a ValueError) the call raises."""
    with pytest.raises(PlanError) as caught:
        call(*args)
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert "\n" not in message
    return message


def plan(
    sessions: pd.DataFrame, asks: dict[tuple[int, str], int], today: date = TODAY, **fields: Any
) -> Plan:
    """Propose `asks` (training: count) against `sessions` with settings(**fields)."""
    requests = [PlanRequest(f"training:{t[0]}", n) for t, n in asks.items()]
    return propose_sessions(sessions, requests, settings(**fields), today)


def placed_local(placed: pd.DataFrame, fmt: str = "%a %d %b %H:%M") -> list[str]:
    """Each proposal's start on its zone's wall clock, worked out again from UTC."""
    return local(placed["start_utc"], placed["zone"], fmt)


def span(placed: pd.DataFrame) -> list[str]:
    """Each proposal as "Wed 09 Dec 11:00-13:00" on its zone's wall clock, from UTC."""
    ends = local(placed["end_utc"], placed["zone"], "%H:%M")
    return [f"{s}-{e}" for s, e in zip(placed_local(placed), ends, strict=True)]


def clean(sessions: pd.DataFrame, result: Plan) -> None:
    """The dashboard's own checks find nothing new in the existing sessions plus the plan."""
    proof = prove_plan(sessions, result.placed, result.settings)
    assert proof.clean, proof.summary
