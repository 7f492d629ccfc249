"""The planner on hand-built portals whose answer is known: free slots, shared tutors, busy
rooms, DST weeks, weekly limits, reasons for what cannot be placed. The requests' own parsing
and errors are in test_plan_requests.py."""

from __future__ import annotations

from datetime import date, time

import pandas as pd
import pytest

from lu_data.analyses.double_bookings import double_bookings
from lu_data.planning.proof import proposed_sessions, prove_plan
from lu_data.planning.propose import Plan, propose_sessions
from lu_data.planning.requests import (
    PlanRequest,
)
from tests.support.planning import (
    AOIFE,
    BRIAN,
    CIARA,
    DUBLIN,
    EXCEL,
    HARBOUR,
    NOBODY,
    ONLINE,
    ROOM2,
    ROOM3,
    SAFETY,
    SYDNEY,
    TODAY,
    WORD,
    held,
    history,
    portal,
    refused,
    settings,
)
from tests.support.planning import local as wall_clock


def plan(
    sessions: pd.DataFrame, asks: dict[tuple[int, str], int], today: date = TODAY, **fields
) -> Plan:
    """Propose `asks` (training: count) against `sessions` with settings(**fields)."""
    requests = [PlanRequest(f"training:{t[0]}", n) for t, n in asks.items()]
    return propose_sessions(sessions, requests, settings(**fields), today)


def local(placed: pd.DataFrame, fmt: str = "%a %d %b %H:%M") -> list[str]:
    """Each proposal's start on its zone's wall clock, worked out again from UTC."""
    return wall_clock(placed["start_utc"], placed["zone"], fmt)


def span(placed: pd.DataFrame) -> list[str]:
    """Each proposal as "Wed 09 Dec 11:00-13:00" on its zone's wall clock, from UTC."""
    ends = wall_clock(placed["end_utc"], placed["zone"], "%H:%M")
    return [f"{s}-{e}" for s, e in zip(local(placed), ends, strict=True)]


def clean(sessions: pd.DataFrame, result: Plan) -> None:
    """The dashboard's own checks find nothing new in the existing sessions plus the plan."""
    proof = prove_plan(sessions, result.placed, result.settings)
    assert proof.clean, proof.summary


# The only free slot ------------------------------------------------------------------------


def test_the_only_free_slot_in_a_busy_week_is_found():
    """Aoife teaches all day Monday, Tuesday, Thursday and Friday; on Wednesday she is busy
    to 10:30 and from 13:30: with the 30-minute buffer only 11:00-13:00 is left."""
    busy = [
        held(WORD, f"2026-12-{d} 09:00", f"2026-12-{d} 17:00") for d in ("07", "08", "10", "11")
    ]
    busy += [
        held(WORD, "2026-12-09 09:00", "2026-12-09 10:30"),
        held(WORD, "2026-12-09 13:30", "2026-12-09 17:00"),
    ]
    sessions = portal(*history(EXCEL, clock="10:00-12:00"), *busy)
    result = plan(sessions, {EXCEL: 1})
    assert span(result.placed) == ["Wed 09 Dec 11:00-13:00"]
    assert list(result.placed["start_utc"]) == [pd.Timestamp("2026-12-09 11:00", tz="UTC")]
    assert list(result.placed["tutor_name"]) == ["Aoife Byrne"]
    assert list(result.placed["reason"]) == [
        "Aoife Byrne taught it 3 times; virtual: no room needed; 37 h already booked that week"
    ]
    clean(sessions, result)


def test_a_slot_that_only_fits_without_the_buffer():
    """Wednesday is free from 10:00 to 12:00 only: a 2-hour session fits with no buffer,
    touching both neighbours, and not with the default 30 minutes."""
    busy = [
        held(WORD, f"2026-12-{d} 09:00", f"2026-12-{d} 17:00") for d in ("07", "08", "10", "11")
    ]
    busy += [
        held(WORD, "2026-12-09 09:00", "2026-12-09 10:00"),
        held(WORD, "2026-12-09 12:00", "2026-12-09 17:00"),
    ]
    sessions = portal(*history(EXCEL, clock="10:00-12:00"), *busy)
    assert plan(sessions, {EXCEL: 1}).unplaced["reason"].str.contains("Aoife Byrne booked").all()
    result = plan(sessions, {EXCEL: 1}, buffer_minutes=0)
    assert span(result.placed) == ["Wed 09 Dec 10:00-12:00"]
    clean(sessions, result)


# Tutors shared, rooms busy -----------------------------------------------------------------


def test_two_trainings_with_one_tutor_take_two_days_or_say_why_not():
    """Aoife alone has taught Excel and Word: one a day, so a one-day window places one."""
    sessions = portal(*history(EXCEL), *history(WORD, days=("2026-11-04", "2026-11-11")))
    two_days = plan(sessions, {EXCEL: 1, WORD: 1}, last="2026-12-08")
    assert two_days.unplaced.empty
    assert set(two_days.placed["tutor_name"]) == {"Aoife Byrne"}
    assert sorted(local(two_days.placed, "%a %d %b")) == ["Mon 07 Dec", "Tue 08 Dec"]
    clean(sessions, two_days)
    result = plan(sessions, {EXCEL: 1, WORD: 1}, last="2026-12-07")
    assert len(result.placed) == 1 and len(result.unplaced) == 1
    assert list(result.placed["tutor_name"]) == ["Aoife Byrne"]
    assert local(result.placed, "%a %d %b") == ["Mon 07 Dec"]
    other = result.unplaced["training_title"].iloc[0]
    assert other != result.placed["training_title"].iloc[0]
    assert result.unplaced["reason"].iloc[0] == (
        f"No tutor who has taught {other} is free 09:00–17:00 Dublin on any weekday from "
        "07 Dec to 07 Dec: Aoife Byrne taken by the other proposals"
    )


def test_a_second_qualified_tutor_takes_the_training_the_shared_one_cannot():
    """Aoife alone has taught Excel; Word has had Aoife and Brian: on one day, Brian takes Word."""
    word = history(WORD, days=("2026-11-04", "2026-11-11")) + history(WORD, BRIAN)
    sessions = portal(*history(EXCEL), *word)
    result = plan(sessions, {EXCEL: 1, WORD: 1}, last="2026-12-07")
    placed = result.placed.set_index("training_title")
    assert placed.loc["Excel basics", "tutor_name"] == "Aoife Byrne"
    assert placed.loc["Word styles", "tutor_name"] == "Brian Kelly"
    assert placed.loc["Word styles", "reason"].startswith("Brian Kelly taught it 3 times; ")
    clean(sessions, result)


def test_a_room_busy_all_morning_leaves_the_afternoon():
    """Excel runs 4 hours in room 2; Brian holds room 2 until 13:00 on the only day."""
    sessions = portal(
        *history(EXCEL, room=ROOM2, clock="09:00-13:00"),
        held(WORD, "2026-12-07 08:00", "2026-12-07 13:00", BRIAN, ROOM2),
    )
    result = plan(sessions, {EXCEL: 1}, last="2026-12-07")
    assert span(result.placed) == ["Mon 07 Dec 13:00-17:00"]
    row = result.placed.iloc[0]
    assert (row["location"], row["location_id"], row["tutor_name"]) == (
        "Dublin room 2",
        77,
        "Aoife Byrne",
    )
    assert row["reason"] == (
        "Aoife Byrne taught it 3 times; Dublin room 2 is free; 0 h already booked that week"
    )
    clean(sessions, result)


def test_when_its_usual_room_is_busy_the_training_takes_another_it_has_used():
    past = history(EXCEL, room=ROOM2, days=("2026-11-03", "2026-11-10"))
    past += history(EXCEL, room=ROOM3, days=("2026-11-17",))
    sessions = portal(*past, held(WORD, "2026-12-08 08:00", "2026-12-08 18:00", BRIAN, ROOM2))
    result = plan(sessions, {EXCEL: 1}, first="2026-12-08", last="2026-12-08")
    assert span(result.placed) == ["Tue 08 Dec 10:00-13:00"]
    assert list(result.placed["location"]) == ["Dublin room 3"]
    assert list(result.placed["room_key"]) == ["portal/location:78"]
    clean(sessions, result)


def test_rooms_booked_all_day_are_named_as_the_reason():
    past = history(EXCEL, room=ROOM2, days=("2026-11-03", "2026-11-10"))
    past += history(EXCEL, room=ROOM3, days=("2026-11-17",))
    busy = [held(WORD, "2026-12-08 08:00", "2026-12-08 18:00", BRIAN, r) for r in (ROOM2, ROOM3)]
    result = plan(portal(*past, *busy), {EXCEL: 1}, first="2026-12-08", last="2026-12-08")
    assert result.placed.empty
    assert list(result.unplaced["reason"]) == [
        "Dublin room 2, Dublin room 3 booked whenever Excel basics could run 09:00–17:00 "
        "Dublin on any weekday from 08 Dec to 08 Dec"
    ]


def test_three_trainings_share_one_room_on_one_day():
    """Three 2-hour trainings, each with its own tutor, have only ever used room 2 and all start
    at 09:00: on the one day they follow each other in the room."""
    sessions = portal(
        *history(EXCEL, AOIFE, ROOM2, clock="09:00-11:00"),
        *history(WORD, BRIAN, ROOM2, clock="09:00-11:00"),
        *history(SAFETY, CIARA, ROOM2, clock="09:00-11:00"),
    )
    one_day = {"first": "2026-12-08", "last": "2026-12-08"}
    result = plan(sessions, {EXCEL: 1, WORD: 1, SAFETY: 1}, **one_day)
    assert result.unplaced.empty, list(result.unplaced["reason"])
    assert set(result.placed["location"]) == {"Dublin room 2"}
    assert local(result.placed.sort_values("start_utc"), "%H:%M")[0] == "09:00"
    clean(sessions, result)


def test_a_virtual_training_needs_no_room():
    """Room 2 is busy all week, but Excel has only ever run online."""
    busy = [
        held(WORD, f"2026-12-{d} 08:00", f"2026-12-{d} 18:00", BRIAN, ROOM2)
        for d in ("07", "08", "09", "10", "11")
    ]
    sessions = portal(*history(EXCEL), *busy)
    result = plan(sessions, {EXCEL: 1})
    assert span(result.placed) == ["Tue 08 Dec 10:00-13:00"]
    assert result.placed["room_key"].isna().all() and result.placed["virtual"].all()


# Working hours across DST changes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "room", "past", "today", "first", "last", "expected"),
    [
        pytest.param(
            DUBLIN,
            ROOM2,
            ("2026-09-08", "2026-09-15", "2026-09-22"),
            date(2026, 10, 1),
            "2026-10-19",
            "2026-10-30",  # Dublin leaves summer time on Sunday 25 October
            [("Tue 20 Oct 09:00", "08:00"), ("Tue 27 Oct 09:00", "09:00")],
            id="Dublin-October",
        ),
        pytest.param(
            SYDNEY,
            HARBOUR,
            ("2026-08-11", "2026-08-18", "2026-08-25"),
            date(2026, 9, 1),
            "2026-09-28",
            "2026-10-09",  # Sydney starts summer time on Sunday 4 October
            [("Tue 29 Sep 09:00", "23:00"), ("Tue 06 Oct 09:00", "22:00")],
            id="Sydney-October",
        ),
    ],
)
def test_a_week_with_a_dst_change_keeps_the_local_start(
    zone, room, past, today, first, last, expected
):
    """Excel usually starts at 09:00 on a Tuesday: the week before the change and the week
    after, a proposal starts at 09:00 on the zone's wall clock, at a UTC hour an hour apart."""
    sessions = portal(*history(EXCEL, room=room, clock="09:00-12:00", days=past, zone=zone))
    result = plan(sessions, {EXCEL: 2}, today=today, first=first, last=last)
    assert list(result.placed["zone"]) == [zone, zone]
    assert local(result.placed) == [text for text, _ in expected]
    assert [t.strftime("%H:%M") for t in result.placed["start_utc"]] == [u for _, u in expected]
    assert [t.strftime("%a %d %b %H:%M") for t in result.placed["start_local"]] == [
        text for text, _ in expected
    ]
    assert [t.strftime("%H:%M") for t in result.placed["end_local"]] == ["12:00", "12:00"]
    clean(sessions, result)


def test_a_window_over_both_changes_keeps_each_zone_at_nine():
    """Dublin springs forward on 28 March 2027 and Sydney falls back on 4 April: three weeks,
    a Dublin and a Sydney training each week, every one at 09:00 in its own zone."""
    tuesdays = ("2027-02-09", "2027-02-16", "2027-02-23")
    sessions = portal(
        *history(EXCEL, room=ROOM2, clock="09:00-12:00", days=tuesdays),
        *history(WORD, BRIAN, HARBOUR, clock="09:00-12:00", days=tuesdays, zone=SYDNEY),
    )
    result = plan(
        sessions, {EXCEL: 3, WORD: 3}, today=date(2027, 3, 1), first="2027-03-22", last="2027-04-09"
    )
    by = result.placed.sort_values(["training_title", "start_utc"])
    assert (
        local(by)
        == [
            "Tue 23 Mar 09:00",
            "Tue 30 Mar 09:00",
            "Tue 06 Apr 09:00",
        ]
        * 2
    )
    assert list(by["zone"]) == [DUBLIN] * 3 + [SYDNEY] * 3
    assert [t.strftime("%d %H:%M") for t in by["start_utc"]] == [
        "23 09:00",  # GMT
        "30 08:00",  # IST
        "06 08:00",
        "22 22:00",  # AEDT: Monday evening in UTC
        "29 22:00",
        "05 23:00",  # AEST
    ]
    clean(sessions, result)


def test_a_session_over_a_weekend_dst_change_keeps_its_hours_each_day():
    """With weekends allowed, a two-day Excel (09:00-17:00 each day) over Sunday 25 October,
    when Dublin leaves summer time: 09:00 on both days, an hour apart in UTC; 16 h taught."""
    two_days = [
        held(EXCEL, f"2026-09-{a} 09:00", f"2026-09-{b} 17:00")
        for a, b in (("05", "06"), ("12", "13"))
    ]
    result = plan(
        portal(*two_days),
        {EXCEL: 1},
        today=date(2026, 10, 1),
        first="2026-10-24",
        last="2026-10-25",
        weekends=True,
    )
    assert span(result.placed) == ["Sat 24 Oct 09:00-17:00"]
    assert list(result.placed["start_utc"]) == [pd.Timestamp("2026-10-24 08:00", tz="UTC")]
    assert list(result.placed["end_utc"]) == [pd.Timestamp("2026-10-25 17:00", tz="UTC")]
    assert list(result.placed["hours"]) == [16.0]


def test_a_proposal_copies_the_usual_shape():
    """Sessions of 2, 3 and 3 hours for 10, 12 and 20 seats, online, two in Sydney and one in
    Dublin: a 3 h session for 12 seats in Sydney."""
    past = [
        {**held(WORD, "2026-11-03 10:00", "2026-11-03 12:00", zone=SYDNEY), "max_capacity": 10},
        {**held(WORD, "2026-11-10 10:00", "2026-11-10 13:00", zone=SYDNEY), "max_capacity": 12},
        {**held(WORD, "2026-11-17 10:00", "2026-11-17 13:00"), "max_capacity": 20},
    ]
    result = plan(portal(*past), {WORD: 1})
    row = result.placed.iloc[0]
    assert (row["zone"], row["capacity"], row["hours"], row["virtual"]) == (SYDNEY, 12, 3.0, True)
    assert span(result.placed) == ["Tue 08 Dec 10:00-13:00"]


# Weekly limits, one session a day -------------------------------------------------------------


def six_hour_week() -> list[dict]:
    """Aoife's busiest week of the 12 before today is 6 h (two Excel sessions on Tuesday 3
    November; a 16 h week in August is older), and she already has 6 h of Word on Monday and
    Tuesday of the week of 7 December (on Tuesday from 10:30 to 13:30)."""
    return [
        held(WORD, "2026-08-04 09:00", "2026-08-05 17:00"),
        *history(EXCEL, days=("2026-11-10", "2026-11-17")),
        held(EXCEL, "2026-11-03 10:00", "2026-11-03 13:00"),
        held(EXCEL, "2026-11-03 14:00", "2026-11-03 17:00"),
        held(WORD, "2026-12-07 09:00", "2026-12-07 12:00"),
        held(WORD, "2026-12-08 10:30", "2026-12-08 13:30"),
    ]


def test_a_tutor_at_their_weekly_limit_is_not_given_more():
    result = plan(portal(*six_hour_week()), {EXCEL: 1}, max_week_hours=None)
    assert result.placed.empty
    assert list(result.unplaced["reason"]) == [
        "No tutor who has taught Excel basics is free 09:00–17:00 Dublin on any weekday from "
        "07 Dec to 11 Dec: Aoife Byrne at their 6 h weekly limit"
    ]


def test_a_tutor_at_their_limit_one_week_is_given_the_next():
    result = plan(portal(*six_hour_week()), {EXCEL: 1}, max_week_hours=None, last="2026-12-18")
    assert span(result.placed) == ["Tue 15 Dec 10:00-13:00"]
    assert result.placed["reason"].iloc[0].endswith("; 0 h already booked that week")


def booked_all_week(tutor: tuple = AOIFE) -> list[dict]:
    """`tutor` teaching Word 09:00-17:00 every weekday of the week of 7 December."""
    days = ("07", "08", "09", "10", "11")
    return [held(WORD, f"2026-12-{d} 09:00", f"2026-12-{d} 17:00", tutor) for d in days]


def test_a_tutor_with_no_recent_week_keeps_their_busiest_week_on_record():
    """Brian taught Excel twice in one August week (6 h), nothing in the 12 weeks before
    today; Aoife is booked all week. Brian is not held to 0 h: he takes two, not a third."""
    august = [held(EXCEL, f"2026-08-0{d} 10:00", f"2026-08-0{d} 13:00", BRIAN) for d in (4, 5)]
    result = plan(
        portal(*history(EXCEL), *booked_all_week(), *august), {EXCEL: 3}, max_week_hours=None
    )
    assert list(result.placed["tutor_name"]) == ["Brian Kelly"] * 2
    assert len(result.unplaced) == 1


def test_a_tutor_named_to_teach_with_no_week_on_record_gets_the_teams_busiest():
    """Ciara has taught nothing yet (one Word session after the window); named for Excel, her
    limit is the busiest recent week of the others (Aoife's 3 h), not 0 h."""
    later = held(WORD, "2026-12-15 10:00", "2026-12-15 13:00", CIARA)
    sessions = portal(*history(EXCEL), *booked_all_week(), later)
    named = (("training:1", "user:503"),)
    result = plan(sessions, {EXCEL: 2}, max_week_hours=None, extra_tutors=named)
    assert list(result.placed["tutor_name"]) == ["Ciara Walsh"]
    assert len(result.unplaced) == 1


def test_a_higher_limit_lets_the_booked_week_take_one_more():
    tuesday = {"first": "2026-12-08", "last": "2026-12-08"}
    result = plan(portal(*six_hour_week()), {EXCEL: 1}, max_week_hours=9, **tuesday)
    assert span(result.placed) == ["Tue 08 Dec 14:00-17:00"]  # after Word, with the buffer
    assert result.placed["reason"].iloc[0] == (
        "Aoife Byrne taught it 4 times; virtual: no room needed; 6 h already booked that week"
    )


def test_proposals_count_towards_the_weekly_limit():
    """A 6 h limit and no bookings: two 3 h sessions fill Aoife's week, the third waits."""
    result = plan(portal(*history(EXCEL)), {EXCEL: 3}, max_week_hours=6)
    assert len(result.placed) == 2 and len(result.unplaced) == 1
    assert result.placed["hours"].sum() == 6
    assert result.unplaced["reason"].iloc[0].startswith("Only 2 placed: ")


def test_a_week_booked_past_168_hours_does_not_sink_the_whole_plan():
    """Two overlapping Word sessions (entered twice) give Aoife 188 h the week of 7 December;
    with the limit set high, Excel still fits her Friday and Ciara's Fire safety her week."""
    twice = [held(WORD, "2026-12-07 00:00", "2026-12-10 23:30")] * 2
    sessions = portal(*history(EXCEL), *history(SAFETY, CIARA), *twice)
    result = plan(sessions, {EXCEL: 1, SAFETY: 1}, max_week_hours=500)
    assert result.figures.status == "OPTIMAL"
    placed = result.placed.set_index("training_title")
    assert span(placed.loc[["Excel basics"]]) == ["Fri 11 Dec 10:00-13:00"]
    assert placed.loc["Excel basics", "reason"].endswith("; 188 h already booked that week")
    assert span(placed.loc[["Fire safety"]]) == ["Tue 08 Dec 10:00-13:00"]


def test_one_training_one_tutor_one_session_a_day():
    result = plan(portal(*history(EXCEL)), {EXCEL: 3}, last="2026-12-08")
    assert sorted(local(result.placed, "%a %d %b")) == ["Mon 07 Dec", "Tue 08 Dec"]
    assert len(result.unplaced) == 1


# What binds when nothing fits ------------------------------------------------------------------


def test_a_tutor_booked_all_week_is_named():
    busy = [
        held(WORD, f"2026-12-{d} 09:00", f"2026-12-{d} 17:00")
        for d in ("07", "08", "09", "10", "11")
    ]
    result = plan(portal(*history(EXCEL), *busy), {EXCEL: 2})
    assert result.placed.empty
    assert (
        list(result.unplaced["reason"])
        == [
            "No tutor who has taught Excel basics is free 09:00–17:00 Dublin on any weekday from "
            "07 Dec to 11 Dec: Aoife Byrne booked"
        ]
        * 2
    )


def test_a_tutor_teaching_in_person_elsewhere_every_day_is_named():
    """Aoife teaches Word in room 3 from 09:00 to 10:00 each day: Excel in room 2 would fit
    her hours after that, but not her place."""
    elsewhere = [
        held(WORD, f"2026-12-{d} 09:00", f"2026-12-{d} 10:00", AOIFE, ROOM3)
        for d in ("07", "08", "09", "10", "11")
    ]
    result = plan(portal(*history(EXCEL, room=ROOM2), *elsewhere), {EXCEL: 1})
    assert list(result.unplaced["reason"]) == [
        "No tutor who has taught Excel basics is free 09:00–17:00 Dublin on any weekday from "
        "07 Dec to 11 Dec: Aoife Byrne teaching in person elsewhere those days"
    ]


@pytest.mark.parametrize("room", [ROOM2, ONLINE], ids=["same-room", "online"])
def test_an_early_session_in_the_same_room_or_online_leaves_the_rest_of_the_day(room):
    mornings = [
        held(WORD, f"2026-12-{d} 09:00", f"2026-12-{d} 10:00", AOIFE, room)
        for d in ("07", "08", "09", "10", "11")
    ]
    sessions = portal(*history(EXCEL, room=ROOM2), *mornings)
    result = plan(sessions, {EXCEL: 1})
    assert local(result.placed, "%a %d %b") == ["Tue 08 Dec"]  # its usual weekday
    assert local(result.placed, "%H:%M") >= ["10:30"]  # the buffer after Word
    assert list(result.placed["location"]) == ["Dublin room 2"]
    clean(sessions, result)


def test_the_last_day_of_a_multi_day_session_elsewhere_counts():
    """Aoife teaches Word in room 3 from Monday 09:00 to Tuesday 10:00: on Tuesday from 10:30
    she is free by the clock but has taught in room 3 that day; Wednesday she is not."""
    sessions = portal(
        *history(EXCEL, room=ROOM2),
        held(WORD, "2026-12-07 09:00", "2026-12-08 10:00", AOIFE, ROOM3),
    )
    result = plan(sessions, {EXCEL: 1}, first="2026-12-08", last="2026-12-08")
    assert result.placed.empty
    assert (
        result.unplaced["reason"]
        .iloc[0]
        .endswith("Aoife Byrne teaching in person elsewhere those days")
    )
    wednesday = plan(sessions, {EXCEL: 1}, first="2026-12-08", last="2026-12-09")
    assert span(wednesday.placed) == ["Wed 09 Dec 10:00-13:00"]


def test_a_training_without_a_tutor_asks_for_one():
    result = plan(portal(*history(SAFETY, NOBODY)), {SAFETY: 1})
    assert list(result.unplaced["reason"]) == [
        "No tutor has taught Fire safety in this source: name one who may (--tutor TRAINING=EMAIL)"
    ]


def test_a_session_longer_than_the_working_day_does_not_fit():
    sessions = portal(*history(EXCEL, clock="09:00-18:00"))
    result = plan(sessions, {EXCEL: 1})
    assert list(result.unplaced["reason"]) == [
        "No 9 h session of Excel basics fits 09:00–17:00 Dublin on any weekday from "
        "07 Dec to 11 Dec"
    ]
    longer = plan(sessions, {EXCEL: 1}, day_start=time(8, 0), day_end=time(18, 0))
    assert span(longer.placed) == ["Tue 08 Dec 09:00-18:00"]


def test_a_weekend_window_has_no_weekday():
    result = plan(portal(*history(EXCEL)), {EXCEL: 1}, first="2026-12-12", last="2026-12-13")
    assert list(result.unplaced["reason"]) == [
        "No 3 h session of Excel basics fits 09:00–17:00 Dublin on any weekday from "
        "12 Dec to 13 Dec"
    ]
    weekend = plan(
        portal(*history(EXCEL)), {EXCEL: 2}, first="2026-12-12", last="2026-12-13", weekends=True
    )
    assert sorted(local(weekend.placed)) == ["Sat 12 Dec 10:00", "Sun 13 Dec 10:00"]


def test_trainings_with_nothing_to_copy_say_so_each():
    """The loader keeps no session without times; a frame that has some (a view built
    elsewhere) gives no duration to copy. A training with no session at all says that."""
    sessions = portal(*history(EXCEL), *history(WORD, BRIAN), *history(SAFETY, CIARA))
    untimed = sessions["training_key"].isin(["training:1", "training:2"]).to_numpy()
    sessions.loc[untimed, ["start_local", "end_local"]] = pd.NaT
    requests = [PlanRequest("training:1", 2), PlanRequest("training:2"), PlanRequest("training:9")]
    result = propose_sessions(sessions, requests, settings(), TODAY)
    assert list(result.unplaced["reason"]) == [
        "Excel basics has no session with times and a zone to copy",
        "Excel basics has no session with times and a zone to copy",
        "Word styles has no session with times and a zone to copy",
        "training:9 has no session in this source",
    ]
    assert list(result.unplaced["training_title"])[:3] == ["Excel basics"] * 2 + ["Word styles"]
    assert result.placed.empty
    alongside = propose_sessions(
        sessions, [*requests, PlanRequest("training:3")], settings(), TODAY
    )
    assert list(alongside.placed["training_title"]) == ["Fire safety"]
    assert len(alongside.unplaced) == 4


# Qualified tutors, and sessions over several days ------------------------------------------


def test_only_a_tutor_who_taught_it_or_is_named_for_it_is_proposed():
    """Aoife (Excel's only tutor) is booked all week; Brian has taught only Word."""
    busy = [
        held(WORD, f"2026-12-{d} 09:00", f"2026-12-{d} 17:00")
        for d in ("07", "08", "09", "10", "11")
    ]
    sessions = portal(*history(EXCEL), *busy, *history(WORD, BRIAN))
    assert plan(sessions, {EXCEL: 1}).placed.empty
    named = plan(sessions, {EXCEL: 1}, extra_tutors=(("training:1", "user:502"),))
    assert list(named.placed["tutor_name"]) == ["Brian Kelly"]
    assert named.placed["reason"].iloc[0].startswith("Brian Kelly was named to teach it; ")
    assert span(named.placed) == ["Tue 08 Dec 10:00-13:00"]


def test_a_multi_day_booking_blocks_every_day_it_covers():
    """Word runs Monday 09:00 to Wednesday 17:00 and all Friday: Thursday is Excel's day."""
    sessions = portal(
        *history(EXCEL),
        held(WORD, "2026-12-07 09:00", "2026-12-09 17:00"),
        held(WORD, "2026-12-11 09:00", "2026-12-11 17:00"),
    )
    result = plan(sessions, {EXCEL: 1})
    assert span(result.placed) == ["Thu 10 Dec 10:00-13:00"]
    clean(sessions, result)


def test_multi_day_proposals_do_not_overlap_each_other():
    """Excel runs two days, 09:00-17:00 each: a week holds two of Aoife's, not three."""
    two_days = [
        held(EXCEL, f"2026-11-{a} 09:00", f"2026-11-{b} 17:00")
        for a, b in (("03", "04"), ("17", "18"))
    ]
    sessions = portal(*two_days)
    result = plan(sessions, {EXCEL: 3})
    assert len(result.placed) == 2 and len(result.unplaced) == 1
    assert list(result.placed["hours"]) == [16.0, 16.0]
    assert all(t.endswith("09:00") for t in local(result.placed))
    ends = wall_clock(result.placed["end_utc"], result.placed["zone"], "%H:%M")
    assert ends == ["17:00", "17:00"]
    both = proposed_sessions(sessions, result.placed)
    assert double_bookings(both).empty
    clean(sessions, result)


def test_a_multi_day_proposal_keeps_off_a_day_taught_elsewhere():
    """Excel runs Monday to Tuesday in room 2; Aoife teaches Word in room 3 on Tuesday at
    17:30, after Excel's day: that Tuesday she teaches in person elsewhere."""
    two_days = [
        held(EXCEL, f"2026-11-{a} 09:00", f"2026-11-{b} 17:00", AOIFE, ROOM2)
        for a, b in (("02", "03"), ("16", "17"))
    ]
    sessions = portal(*two_days, held(WORD, "2026-12-08 17:30", "2026-12-08 18:30", AOIFE, ROOM3))
    result = plan(sessions, {EXCEL: 1}, last="2026-12-08")
    assert result.placed.empty, span(result.placed)
    assert (
        result.unplaced["reason"]
        .iloc[0]
        .endswith("Aoife Byrne teaching in person elsewhere those days")
    )


def test_a_multi_day_proposal_and_one_in_another_room_do_not_share_a_day():
    """Excel runs two mornings in room 2 (Monday 09:00 to Tuesday 12:00), Word an afternoon in
    room 3, both Aoife's: they do not overlap, but she cannot be in both rooms on one day."""
    two_mornings = [
        held(EXCEL, f"2026-11-{a} 09:00", f"2026-11-{b} 12:00", AOIFE, ROOM2)
        for a, b in (("02", "03"), ("16", "17"))
    ]
    sessions = portal(*two_mornings, *history(WORD, AOIFE, ROOM3, clock="13:00-16:00"))
    two_days = plan(sessions, {EXCEL: 1, WORD: 1}, last="2026-12-08")
    assert len(two_days.placed) == 1 and len(two_days.unplaced) == 1
    three_days = plan(sessions, {EXCEL: 1, WORD: 1}, last="2026-12-09")
    placed = three_days.placed.set_index("training_title")
    excel, word = placed.loc[["Excel basics"]], placed.loc[["Word styles"]]
    excel_days = {local(excel, "%a")[0], wall_clock(excel["end_utc"], excel["zone"], "%a")[0]}
    assert excel_days in ({"Mon", "Tue"}, {"Tue", "Wed"})
    assert local(word, "%a")[0] not in excel_days
    clean(sessions, three_days)


def test_a_multi_day_proposal_ends_inside_the_window():
    """Two-day Excel and a window of Monday and Tuesday: it starts Monday, never Tuesday."""
    two_days = [held(EXCEL, f"2026-11-{a} 09:00", f"2026-11-{b} 17:00") for a, b in (("03", "04"),)]
    result = plan(portal(*two_days), {EXCEL: 2}, last="2026-12-08")
    assert span(result.placed) == ["Mon 07 Dec 09:00-17:00"]
    assert wall_clock(result.placed["end_utc"], result.placed["zone"], "%a %d %b") == ["Tue 08 Dec"]
    assert len(result.unplaced) == 1


# Determinism ------------------------------------------------------------------------------


def busy_portal() -> pd.DataFrame:
    """Three trainings, three tutors, two rooms and a fortnight with bookings here and there."""
    return portal(
        *history(EXCEL, room=ROOM2),
        *history(EXCEL, BRIAN, ROOM3, days=("2026-11-05", "2026-11-12")),
        *history(WORD, BRIAN, clock="14:00-16:00"),
        *history(WORD, CIARA, clock="14:00-16:00", days=("2026-11-06",)),
        *history(SAFETY, CIARA, ROOM2, clock="09:00-10:30"),
        held(WORD, "2026-12-08 09:00", "2026-12-08 12:00", AOIFE, ROOM3),
        held(WORD, "2026-12-10 13:00", "2026-12-10 17:00", BRIAN),
        held(SAFETY, "2026-12-15 09:00", "2026-12-15 12:00", CIARA, ROOM2),
    )


def test_the_same_input_gives_the_same_plan():
    asks = {EXCEL: 3, WORD: 2, SAFETY: 2}
    sessions = busy_portal()
    first = plan(sessions, asks, last="2026-12-18", max_week_hours=None)
    again = plan(busy_portal(), asks, last="2026-12-18", max_week_hours=None)
    assert len(first.placed) >= 5
    pd.testing.assert_frame_equal(first.rows, again.rows)
    clean(sessions, first)


# Bad input ------------------------------------------------------------------------------


def test_a_past_window_is_refused_by_the_planner_and_a_begun_one_starts_tomorrow():
    sessions = portal(*history(EXCEL))
    requests = [PlanRequest("training:1")]
    past = settings(first="2026-11-16", last="2026-11-20")
    assert refused(propose_sessions, sessions, requests, past, TODAY) == (
        "the window ends 2026-11-20, in the past (today is 2026-11-27): "
        "new sessions start after today"
    )
    begun = plan(sessions, {EXCEL: 5}, first="2026-11-23", last="2026-12-04")
    assert sorted(local(begun.placed, "%a %d %b")) == [
        "Fri 04 Dec",
        "Mon 30 Nov",
        "Thu 03 Dec",
        "Tue 01 Dec",
        "Wed 02 Dec",
    ]  # from Monday 30 November: the first day after today (Friday 27) that is a weekday
