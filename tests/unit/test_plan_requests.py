"""What a plan request is read from, and the one-line error for each bad value: hours, counts,
windows and limits, trainings by title or id, tutors by e-mail."""

from __future__ import annotations

from datetime import time

from lu_data.planning.requests import (
    check_window,
    parse_count,
    parse_hours,
    resolve_training,
    resolve_tutor,
)
from tests.support.planning import (
    BRIAN,
    EXCEL,
    SAFETY,
    TODAY,
    WORD,
    history,
    portal,
    refused,
    settings,
)


def test_hours_are_read_and_checked():
    assert parse_hours("09:00-17:00") == (time(9), time(17))
    assert parse_hours(" 8:30 – 12:00 ") == (time(8, 30), time(12))
    assert parse_hours("00:00-24:00") == (time(0), time(23, 59))
    assert refused(parse_hours, "17:00-09:00") == "hours '17:00-09:00' end before they start"
    assert refused(parse_hours, "09:00-09:00") == "hours '09:00-09:00' end before they start"
    assert refused(parse_hours, "25:00-26:00") == "hours '25:00-26:00': not a time of day"
    assert refused(parse_hours, "9 to 5") == (
        "hours '9 to 5': write them as HH:MM-HH:MM, e.g. 09:00-17:00"
    )


def test_counts_are_read_and_checked():
    assert parse_count("Excel basics=2") == ("Excel basics", 2)
    assert parse_count("Excel basics") == ("Excel basics", 1)
    assert parse_count("A=B = 3") == ("A=B", 3)
    assert refused(parse_count, "Excel=0") == "'Excel=0': ask for at least one session"
    assert refused(parse_count, "Excel=-2") == "'Excel=-2': ask for at least one session"
    assert refused(parse_count, "Excel=two") == (
        "'Excel=two': the count after '=' is not a whole number"
    )
    assert refused(parse_count, "=3") == "'=3': name a training before '='"
    assert refused(parse_count, "Excel=51") == (
        "'Excel=51': at most 50 sessions of one training in one plan"
    )


def test_windows_and_limits_are_checked():
    check_window(settings(), TODAY)  # the default settings pass
    check_window(settings(first="2026-11-20"), TODAY)  # begun, but not over
    assert refused(check_window, settings(first="2026-11-02", last="2026-11-20"), TODAY) == (
        "the window ends 2026-11-20, in the past (today is 2026-11-27): "
        "new sessions start after today"
    )
    assert refused(check_window, settings(first="2026-12-11", last="2026-12-07"), TODAY) == (
        "the window ends (2026-12-07) before it starts (2026-12-11)"
    )
    assert refused(check_window, settings(buffer_minutes=-5), TODAY) == (
        "buffer of -5 minutes: give 0 or more"
    )
    assert refused(check_window, settings(max_week_hours=0), TODAY) == (
        "weekly limit of 0 h: give more than 0"
    )
    assert refused(check_window, settings(seconds=0), TODAY) == (
        "a time limit of 0 s: give more than 0"
    )


def test_trainings_are_found_by_title_or_id_and_a_typo_names_the_nearest():
    sessions = portal(*history(EXCEL), *history(WORD), *history(SAFETY))
    assert resolve_training(sessions, "excel BASICS") == "training:1"
    assert resolve_training(sessions, "2") == "training:2"
    assert refused(resolve_training, sessions, "Exel basic") == (
        "no training 'Exel basic' in this source; nearest: 'Excel basics'"
    )
    assert refused(resolve_training, sessions, "Quantum knitting") == (
        "no training 'Quantum knitting' in this source"
    )
    assert refused(resolve_training, sessions, "99") == "no training '99' in this source"


def test_a_title_two_trainings_share_asks_for_the_id():
    sessions = portal(*history(EXCEL), *history((4, "Excel basics"), BRIAN))
    assert refused(resolve_training, sessions, "Excel basics") == (
        "training 'Excel basics' names 2 trainings: give its training_id (training:1, training:4)"
    )
    assert resolve_training(sessions, "4") == "training:4"


def test_tutors_are_found_by_email_and_an_unknown_one_is_named():
    sessions = portal(*history(EXCEL), *history(WORD, BRIAN))
    assert resolve_tutor(sessions, " BRIAN@example.ie ") == "user:502"
    assert refused(resolve_tutor, sessions, "ciara@example.ie") == (
        "no tutor with e-mail 'ciara@example.ie' teaches in this source"
    )
