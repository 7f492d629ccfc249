"""The planner's tutors on hand-built portals whose answer is known: weekly limits and one
session a day, what binds when nothing fits (named in the reason), who may teach a training,
and sessions over several days."""

from __future__ import annotations

from datetime import time

import pandas as pd
import pytest

from lu_data.analyses.double_bookings import double_bookings
from lu_data.planning.proof import proposed_sessions
from lu_data.planning.propose import propose_sessions
from lu_data.planning.requests import PlanRequest
from tests.support.planning import (
    AOIFE,
    BRIAN,
    CIARA,
    EXCEL,
    NOBODY,
    ONLINE,
    ROOM2,
    ROOM3,
    SAFETY,
    TODAY,
    WORD,
    clean,
    held,
    history,
    plan,
    portal,
    settings,
    span,
)
from tests.support.planning import local as wall_clock
from tests.support.planning import placed_local as local

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
