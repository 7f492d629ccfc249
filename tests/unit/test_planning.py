"""The planner on hand-built portals whose answer is known: the only free slot, rooms busy
or shared, working hours across DST changes, the training's shape, determinism and a past
window. Tutors (weekly limits, who may teach, multi-day sessions, what binds when nothing
fits) are in test_plan_tutors.py; the requests' own parsing and errors in
test_plan_requests.py."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lu_data.planning.propose import propose_sessions
from lu_data.planning.requests import PlanRequest
from tests.support.planning import (
    AOIFE,
    BRIAN,
    CIARA,
    DUBLIN,
    EXCEL,
    HARBOUR,
    ROOM2,
    ROOM3,
    SAFETY,
    SYDNEY,
    TODAY,
    WORD,
    clean,
    held,
    history,
    plan,
    portal,
    refused,
    settings,
    span,
)
from tests.support.planning import placed_local as local

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
