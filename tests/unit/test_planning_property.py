"""The planner's hard rules over random small portals: whatever the bookings, no plan adds a
tutor double-booking (or a gap under the buffer), a room clash, a start outside working hours
in its own zone, a second place for a tutor on one day, an unqualified tutor or a week over the
limit. Each rule is worked out again here from the sessions, not read from the planner."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lu_data.analyses.double_bookings import double_bookings
from lu_data.analyses.rooms import room_clashes
from lu_data.model.places import place_keys
from lu_data.model.teaching_time import teaching_days
from lu_data.planning.proof import PROPOSED_PREFIX, proposed_sessions
from lu_data.planning.propose import propose_sessions
from lu_data.planning.requests import PlanRequest
from tests.support.planning import (
    AOIFE,
    BRIAN,
    CIARA,
    DUBLIN,
    EXCEL,
    HARBOUR,
    ONLINE,
    ROOM2,
    ROOM3,
    SAFETY,
    SYDNEY,
    TODAY,
    WORD,
    held,
    portal,
    settings,
)

TRAININGS = (EXCEL, WORD, SAFETY)
TUTORS = (AOIFE, BRIAN, CIARA)
ROOMS = {DUBLIN: (ROOM2, ROOM3), SYDNEY: (HARBOUR,)}
PAST_DAYS = ("2026-11-03", "2026-11-10", "2026-11-17")
WINDOW_DAYS = tuple(f"2026-12-{d:02d}" for d in (7, 8, 9, 10, 11, 14, 15, 16, 17, 18))


def clock(day: str, minute: int) -> str:
    """ "2026-12-07 09:30" from a day and minutes after its midnight (may run into the next)."""
    moment = datetime.fromisoformat(day) + timedelta(minutes=minute)
    return moment.strftime("%Y-%m-%d %H:%M")


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[dict], list[PlanRequest], dict]:
    """Records of 1-3 trainings with a few past sessions each, up to 6 bookings in the window
    (any tutor, room and hour, some over several days), the requests and the settings."""
    records: list[dict] = []
    requests = []
    zones: dict[int, str] = {}
    for training in draw(st.lists(st.sampled_from(TRAININGS), min_size=1, max_size=3, unique=True)):
        zone = draw(st.sampled_from((DUBLIN, SYDNEY)))
        zones[training[0]] = zone
        room = draw(st.sampled_from((ONLINE, *ROOMS[zone])))
        start = draw(st.sampled_from((9 * 60, 10 * 60, 13 * 60 + 30)))
        minutes = draw(st.sampled_from((60, 120, 180, 210)))
        days = draw(st.sampled_from((1, 1, 1, 2)))  # some run 09:00-12:00 two days running
        if days == 2:
            start, minutes = 9 * 60, 24 * 60 + 180
        team = draw(st.lists(st.sampled_from(TUTORS), min_size=1, max_size=2, unique=True))
        for i, day in enumerate(PAST_DAYS[: draw(st.integers(1, 3))]):
            tutor = team[i % len(team)]
            begin, end = clock(day, start), clock(day, start + minutes)
            records.append(held(training, begin, end, tutor, room, zone))
        requests.append(PlanRequest(f"training:{training[0]}", draw(st.integers(1, 3))))
    for _ in range(draw(st.integers(0, 6))):
        training = draw(st.sampled_from(TRAININGS))
        zone = zones.get(training[0], DUBLIN)
        room = draw(st.sampled_from((ONLINE, *ROOMS[zone])))
        day = draw(st.sampled_from(WINDOW_DAYS))
        start = draw(st.integers(14, 36)) * 30  # 07:00 to 18:00
        minutes = draw(st.sampled_from((60, 90, 180, 480, 24 * 60 + 120)))
        tutor = draw(st.sampled_from(TUTORS))
        records.append(
            held(training, clock(day, start), clock(day, start + minutes), tutor, room, zone)
        )
    fields = {
        "last": draw(st.sampled_from(("2026-12-09", "2026-12-11", "2026-12-11", "2026-12-18"))),
        "buffer_minutes": draw(st.sampled_from((0, 30))),
        "max_week_hours": draw(st.sampled_from((None, 8.0, 40.0))),
        "seconds": 2.0,
    }
    return records, requests, fields


def wall(times: pd.Series, zones: pd.Series) -> list[datetime]:
    """UTC instants on their zones' wall clocks (naive), by zoneinfo."""
    return [
        t.to_pydatetime().astimezone(ZoneInfo(z)).replace(tzinfo=None)
        for t, z in zip(times, zones, strict=True)
    ]


def local_days(start: datetime, end: datetime) -> set[date]:
    """The local days a session touches (an end at midnight touches no more)."""
    last = (end - timedelta(microseconds=1)).date() if end > start else start.date()
    return {start.date() + timedelta(days=n) for n in range((last - start.date()).days + 1)}


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cases())
def test_no_plan_breaks_a_hard_rule(case):
    records, requests, fields = case
    existing = portal(*records)
    chosen = settings(**fields)
    result = propose_sessions(existing, requests, chosen, TODAY)
    placed = result.placed.reset_index(drop=True)
    asked = {r.training_key: r.count for r in requests}

    # Every request has a row; every row not placed says why.
    assert result.rows["training_key"].value_counts().to_dict() == asked
    assert result.unplaced["reason"].str.len().gt(0).all()
    if placed.empty:
        return
    proposals = proposed_sessions(existing, placed)
    both = pd.concat([existing, proposals], ignore_index=True)
    new = set(proposals["session_key"])

    def involving(pairs: pd.DataFrame) -> pd.DataFrame:
        return pairs.loc[(pairs["session_key_a"].isin(new) | pairs["session_key_b"].isin(new))]

    # No tutor double-booking and no room clash, by the dashboard's own checks.
    assert involving(double_bookings(both)).empty
    assert involving(room_clashes(both)).empty

    # Working hours on the session's own wall clock, on weekdays of the window after today.
    starts, ends = (
        wall(placed["start_utc"], placed["zone"]),
        wall(placed["end_utc"], placed["zone"]),
    )
    for start, end in zip(starts, ends, strict=True):
        assert chosen.first_day <= start.date() and end.date() <= chosen.last_day
        assert start.date() > TODAY
        assert start.time() >= chosen.day_start and end.time() <= chosen.day_end, (start, end)
        assert start.weekday() < 5 and end.weekday() < 5 and (end - start).days < 5
        if end.date() != start.date():
            assert end.time() > start.time()  # the same hours each day
    assert [s.time() for s in starts] == [t.time() for t in placed["start_local"]]

    # Every session as plain values: key, tutor, place, UTC and wall-clock times.
    rows = list(
        zip(
            both["session_key"],
            both["tutor_key"],
            place_keys(both),
            both["start_utc"],
            both["end_utc"],
            wall(both["start_utc"], both["tz"]),
            wall(both["end_utc"], both["tz"]),
            strict=True,
        )
    )
    gap = pd.Timedelta(minutes=chosen.buffer_minutes)
    for key, tutor, place, start_utc, end_utc, start, end in rows:
        if key not in new:
            continue
        for other, o_tutor, o_place, o_start_utc, o_end_utc, o_start, o_end in rows:
            if other == key or o_tutor != tutor:
                continue
            # The buffer between a proposal and every other session of its tutor.
            assert not (o_start_utc < end_utc + gap and start_utc < o_end_utc + gap), (key, other)
            # In person at one place a day: no other place on any day a proposal touches.
            if isinstance(place, str) and isinstance(o_place, str) and place != o_place:
                shared = local_days(start, end) & local_days(o_start, o_end)
                assert not shared, (key, place, other, o_place, shared)

    # One proposal a tutor a day, one a training a day (local start days).
    days = pd.Series([s.date() for s in starts])
    assert not pd.DataFrame({"t": placed["tutor_key"], "d": days}).duplicated().any()
    assert not pd.DataFrame({"t": placed["training_key"], "d": days}).duplicated().any()

    # Qualified tutors, rooms the training has used (none when virtual).
    taught = existing.groupby("training_key")["tutor_key"].agg(set)
    used = existing.assign(place=place_keys(existing)).groupby("training_key")["place"].agg(set)
    for p in placed.itertuples():
        assert p.tutor_key in taught[p.training_key]
        if p.virtual:
            assert pd.isna(p.room_key)
        else:
            assert p.room_key in used[p.training_key]

    # The weekly limit, by the teaching hours of each week with a proposal.
    if chosen.max_week_hours is not None:
        mine = both.loc[both["tutor_key"].isin(set(placed["tutor_key"]))].reset_index(drop=True)
        taught_days = teaching_days(mine)
        day = taught_days["local_start"].dt.normalize()
        week = day - pd.to_timedelta(day.dt.dayofweek, unit="D")
        load = pd.DataFrame(
            {
                "tutor": mine["tutor_key"].to_numpy()[taught_days["session"]],
                "week": week,
                "hours": taught_days["hours"],
                "new": mine["session_key"]
                .str.startswith(PROPOSED_PREFIX)
                .to_numpy()[taught_days["session"]],
            }
        )
        weeks = load.loc[load["new"], ["tutor", "week"]].drop_duplicates()
        totals = load.groupby(["tutor", "week"])["hours"].sum()
        for tutor, monday in weeks.itertuples(index=False):
            assert totals[(tutor, monday)] <= chosen.max_week_hours + 1e-6, (tutor, monday)
