"""Tutor analyses: clashes in the display zone, weekly workload, the team table, labels."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lu_data.analyses.double_bookings import double_bookings
from lu_data.analyses.tutors import (
    ALL_TUTORS,
    double_bookings_export,
    double_bookings_table,
    sessions_by_training,
    sessions_of_tutor,
    team_table,
    training_summary,
    tutor_labels,
    weekly_workload,
    workload_grid,
)
from lu_data.figures.tutors import hours_per_tutor_figure, workload_heatmap
from lu_data.model.rollups import tutors_frame
from tests.support.apptest import decode
from tests.support.records import sessions_of, timed_record, tutor_fields

# Tutor 1 (Ana Ruiz) teaches a Dublin session and a New York one that overlap by 30 minutes,
# then a session that only touches the second one's end. Tutors 2 and 3 share a name.
PEOPLE = {
    1: ("Ana", "Ruiz", "ana@example.com"),
    2: ("Sam", "Lee", "sam.one@example.com"),
    3: ("Sam", "Lee", "sam.two@example.com"),
}
SESSIONS = [
    # session id, training id, title, start, end (UTC), Rails zone, tutor id
    (101, 7, "Excel basics", "2026-03-30T08:00:00Z", "2026-03-30T10:00:00Z", "Dublin", 1),
    (
        102,
        8,
        "Negotiation",
        "2026-03-30T09:30:00Z",
        "2026-03-30T11:00:00Z",
        "Eastern Time (US & Canada)",
        1,
    ),
    (103, 8, "Negotiation", "2026-03-30T11:00:00Z", "2026-03-30T12:00:00Z", "Dublin", 1),
    (104, 7, "Excel basics", "2026-04-06T13:00:00Z", "2026-04-08T15:00:00Z", "Dublin", 2),
    (105, 9, "Safety", "2026-04-12T23:30:00Z", "2026-04-13T01:30:00Z", "Auckland", 3),
]


def record(sid, tid, title, start, end, zone, tutor) -> dict:
    """One ILT Center record of a SESSIONS-style row."""
    return timed_record(
        sid,
        start,
        end,
        id=1000 + sid,
        training_id=tid,
        title=title,
        timezone=zone,
        **tutor_fields(tutor, *PEOPLE[tutor]),
    )


@pytest.fixture(scope="module")
def sessions() -> pd.DataFrame:
    """The five sessions above through the one normaliser."""
    return sessions_of(*(record(*s) for s in SESSIONS))


def test_double_booking_lists_both_sessions_in_each_sessions_own_zone(sessions):
    """Both clashing sessions are listed with their own wall clock, zone and the overlap."""
    pairs = double_bookings(sessions)
    table = double_bookings_table(pairs, sessions, "local")
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["Tutor"], row["Session A"], row["Session B"]) == (
        "Ana Ruiz",
        "Excel basics",
        "Negotiation",
    )
    assert row["When (A)"] == "2026-03-30 09:00–11:00 IST (+01:00)"  # Dublin summer time
    assert row["When (B)"] == "2026-03-30 05:30–07:00 EDT (-04:00)"
    assert row["Overlap (min)"] == 30


def test_double_booking_times_follow_the_display_zone(sessions):
    """In a picked zone both sessions are shown in that zone."""
    table = double_bookings_table(double_bookings(sessions), sessions, "UTC")
    assert table.iloc[0]["When (A)"] == "2026-03-30 08:00–10:00 UTC"
    assert table.iloc[0]["When (B)"] == "2026-03-30 09:30–11:00 UTC"


def test_double_booking_export_carries_iso_times_with_offsets(sessions):
    """The clash CSV frame has keys, UTC and display-zone ISO 8601 times for both sides."""
    out = double_bookings_export(double_bookings(sessions), sessions, "local")
    row = out.iloc[0]
    assert row["session_key_a"] == "session:101" and row["session_key_b"] == "session:102"
    assert row["start_utc_a"] == "2026-03-30T08:00:00+00:00"
    assert row["start_local_a"] == "2026-03-30T09:00:00+01:00"
    assert row["end_local_b"] == "2026-03-30T07:00:00-04:00"
    assert row["tz_b"] == "America/New_York"
    assert row["overlap_minutes"] == 30


def test_empty_clash_tables_keep_their_columns(sessions):
    """No clashes gives empty tables with the declared columns, not an error."""
    alone = sessions.loc[sessions["session_key"] == "session:104"]
    pairs = double_bookings(alone)
    assert double_bookings_table(pairs, alone).empty
    assert "overlap_minutes" in double_bookings_export(pairs, alone).columns


def test_team_table_counts_hours_sessions_trainings_and_conflicts(sessions):
    """One row per tutor, busiest first; conflicts are double-booked sessions."""
    team = team_table(sessions).set_index("Tutor")
    ana = team.loc["Ana Ruiz"]
    assert (ana["Sessions"], ana["Trainings"], ana["Conflicts"]) == (3, 2, 2)
    assert ana["Teaching hours"] == pytest.approx(4.5)
    # 14:00 Mon to 16:00 Wed in Dublin: three days of 14:00–16:00, 6 hours (not 50 elapsed).
    assert team.loc["Sam Lee (sam.one@example.com)", "Teaching hours"] == pytest.approx(6.0)
    assert team["Conflicts"].sum() == 2
    assert list(team["Teaching hours"]) == sorted(team["Teaching hours"], reverse=True)
    assert team["Sessions"].sum() == len(tutors_frame(sessions)) + 2  # 5 sessions, 3 tutors


def test_tutor_labels_tell_same_named_tutors_apart(sessions):
    """Two tutors called Sam Lee get their e-mail added; unique names stay plain."""
    labels = tutor_labels(sessions)
    assert labels["user:1"] == "Ana Ruiz"
    assert labels["user:2"] == "Sam Lee (sam.one@example.com)"
    assert labels["user:3"] == "Sam Lee (sam.two@example.com)"


def test_sessions_of_tutor_filters_by_key(sessions):
    """A tutor key keeps that tutor's sessions; ALL_TUTORS keeps everyone."""
    assert len(sessions_of_tutor(sessions, "user:1")) == 3
    assert len(sessions_of_tutor(sessions, ALL_TUTORS)) == len(sessions)


def test_weekly_workload_puts_sessions_in_the_display_zone_week(sessions):
    """Sunday 23:30 UTC is Monday in Auckland: the week differs between UTC and local."""
    local = weekly_workload(sessions, "local").set_index("tutor_key")
    utc = weekly_workload(sessions, "UTC").set_index("tutor_key")
    assert local.loc["user:3", "week"] == pd.Timestamp("2026-04-13")
    assert utc.loc["user:3", "week"] == pd.Timestamp("2026-04-06")
    ana = local.loc["user:1"]
    assert (ana["sessions"], ana["hours"]) == (3, 4.5)


def test_workload_grid_fills_empty_weeks_and_orders_by_hours(sessions):
    """Every week in range is a column (zero when idle); the busiest tutor is the first row."""
    grid = workload_grid(weekly_workload(sessions, "local"))
    assert list(grid.hours.columns) == list(pd.date_range("2026-03-30", "2026-04-13", freq="7D"))
    assert grid.hours.index[0] == "Sam Lee (sam.one@example.com)"
    assert grid.hours.loc["Ana Ruiz"].tolist() == [4.5, 0.0, 0.0]
    assert grid.sessions.loc["Ana Ruiz"].tolist() == [3, 0, 0]
    assert (grid.hidden_tutors, grid.total_tutors) == (0, 3)


def test_workload_grid_keeps_the_busiest_forty_of_many_tutors():
    """With 45 tutors the grid keeps the 40 with most hours and says 5 are hidden."""
    weekly = pd.DataFrame(
        {
            "tutor_key": [f"user:{i}" for i in range(45)],
            "tutor": [f"Tutor {i:02d}" for i in range(45)],
            "week": pd.Timestamp("2026-12-07"),
            "sessions": 1,
            "hours": np.arange(45, dtype="float64") + 1,
        }
    )
    grid = workload_grid(weekly)
    assert len(grid.hours) == 40 and grid.hidden_tutors == 5 and grid.total_tutors == 45
    assert grid.hours.index[0] == "Tutor 44" and "Tutor 04" not in grid.hours.index
    fig = json.loads(workload_heatmap(grid).to_json())
    assert len(fig["data"][0]["y"]) == 40


def test_heatmap_hover_gives_sessions_and_hours(sessions):
    """The heatmap cells hold hours and their hover text names sessions and hours."""
    fig = json.loads(workload_heatmap(workload_grid(weekly_workload(sessions))).to_json())
    trace = fig["data"][0]
    z = np.asarray(decode(trace["z"]), dtype="float64")
    # 2 + 1.5 + 1 (Ana) + 6 (three days of 2 h) + 2 (Auckland): hours taught, not elapsed.
    assert float(np.sum(z)) == pytest.approx(12.5)
    assert "teaching hours" in trace["hovertemplate"] and "sessions" in trace["hovertemplate"]
    assert trace["x"] == ["30 Mar 2026", "06 Apr 2026", "13 Apr 2026"]
    assert fig["layout"]["xaxis"]["ticktext"] == ["30 Mar<br>2026", "6 Apr", "13 Apr"]


def test_heatmap_over_years_labels_at_most_eight_weeks_each_once():
    """Two years of weeks: unique week columns (no 1 Dec of one year on another's), few labels.

    Eight short labels ("6 Apr") fit beside the tutor names at 1024 px; twelve overlapped.
    """
    weeks = pd.date_range("2025-01-06", "2026-12-28", freq="7D")
    weekly = pd.DataFrame(
        {"tutor_key": "user:1", "tutor": "Ana", "week": weeks, "sessions": 1, "hours": 1.5}
    )
    grid = workload_grid(weekly)
    axis = json.loads(workload_heatmap(grid).to_json())["layout"]["xaxis"]
    trace = json.loads(workload_heatmap(grid).to_json())["data"][0]
    assert len(set(trace["x"])) == len(weeks) == 104
    assert 7 <= len(axis["tickvals"]) <= 8 and set(axis["tickvals"]) <= set(trace["x"])
    years = [t for t in axis["ticktext"] if "<br>" in t]
    assert years == ["6 Jan<br>2025", "5 Jan<br>2026"]  # the first, then the first of 2026


def test_heatmap_spans_the_shown_tutors_weeks_only():
    """A hidden tutor's sessions years earlier add no empty columns to the busiest forty."""
    busy = pd.DataFrame(
        {
            "tutor_key": [f"user:{i}" for i in range(40)],
            "tutor": [f"Tutor {i:02d}" for i in range(40)],
            "week": pd.Timestamp("2026-12-07"),
            "sessions": 3,
            "hours": 9.0,
        }
    )
    early = pd.DataFrame(
        {
            "tutor_key": ["user:99"],
            "tutor": ["Quiet"],
            "week": [pd.Timestamp("2021-11-22")],
            "sessions": [1],
            "hours": [1.0],
        }
    )
    grid = workload_grid(pd.concat([busy, early], ignore_index=True))
    assert list(grid.hours.columns) == [pd.Timestamp("2026-12-07")]
    assert grid.hidden_tutors == 1


def test_empty_view_gives_figures_that_say_what_to_change(sessions):
    """No sessions: empty tables and figures that tell the user to widen the dates."""
    none = sessions.iloc[0:0]
    assert team_table(none).empty and training_summary(none).empty
    assert sessions_by_training(none).empty
    fig = json.loads(workload_heatmap(workload_grid(weekly_workload(none))).to_json())
    assert "widen the dates" in fig["layout"]["annotations"][0]["text"]
    fig = json.loads(hours_per_tutor_figure(team_table(none)).to_json())
    assert "widen the dates" in fig["layout"]["annotations"][0]["text"]


def test_training_summary_and_grouped_sessions(sessions):
    """One row per training with counts, hours and zoned first/last times; sessions grouped."""
    summary = training_summary(sessions, "local").set_index("Training")
    excel = summary.loc["Excel basics"]
    assert (excel["Sessions"], excel["Tutors"]) == (2, 2)
    assert excel["Teaching hours"] == pytest.approx(2.0 + 6.0)
    assert excel["First session"] == "2026-03-30 09:00 IST (+01:00)"
    assert excel["Last session"] == "2026-04-06 14:00 IST (+01:00)"
    grouped = sessions_by_training(sessions)
    # Excel's two sessions sit together although a Negotiation session starts between them.
    assert list(grouped["session_key"]) == [
        "session:101",
        "session:104",
        "session:102",
        "session:103",
        "session:105",
    ]
    one = sessions_by_training(sessions, "training:8")
    assert list(one["session_key"]) == ["session:102", "session:103"]


def test_multi_day_span_shows_the_end_date(sessions):
    """A session ending on a later day shows the full end date, not just its time."""
    alone = sessions.loc[sessions["session_key"] == "session:104"]
    twice = pd.concat([alone, alone.assign(session_key="session:999")])
    table = double_bookings_table(double_bookings(twice), twice, "local")
    assert table.iloc[0]["When (A)"] == "2026-04-06 14:00–2026-04-08 16:00 IST (+01:00)"


def sessions_of_rows(*rows: tuple) -> pd.DataFrame:
    """The sessions frame of SESSIONS-style rows, through the one normaliser."""
    return sessions_of(*(record(*r) for r in rows))


def test_overnight_session_counts_two_days_of_three_hours_not_27():
    """11:00 Sunday to 14:00 Monday (Dublin, winter) teaches 3 h on each day: 6 h, one per week.

    Elapsed time (27 h) would put its tutor far above one who teaches 8 h in one day.
    """
    rows = [
        (201, 7, "Two days", "2026-12-06T11:00:00Z", "2026-12-07T14:00:00Z", "Dublin", 1),
        (202, 8, "One long day", "2026-12-08T09:00:00Z", "2026-12-08T17:00:00Z", "Dublin", 2),
    ]
    sessions = sessions_of_rows(*rows)
    team = team_table(sessions).set_index("Tutor")
    assert team["Teaching hours"].to_dict() == {"Sam Lee": 8.0, "Ana Ruiz": 6.0}
    assert list(team.index) == ["Sam Lee", "Ana Ruiz"]  # the 8-hour day is the busiest
    assert tutors_frame(sessions).set_index("tutor_name")["teaching_hours"]["Ana Ruiz"] == 6.0
    weekly = weekly_workload(sessions, "local")
    ana = weekly.loc[weekly["tutor_key"] == "user:1"]
    # Sunday 6 Dec is in the week of Mon 30 Nov, Monday 7 Dec in its own week: 3 h each.
    assert ana["week"].dt.strftime("%Y-%m-%d").tolist() == ["2026-11-30", "2026-12-07"]
    assert ana["hours"].tolist() == [3.0, 3.0]
    assert ana["sessions"].tolist() == [1, 1]
    grid = workload_grid(weekly)
    assert grid.hours.index[0] == "Sam Lee"
    assert grid.hours.loc["Ana Ruiz"].tolist() == [3.0, 3.0]


def test_three_day_session_teaches_its_daily_window_on_each_day():
    """09:00 to 17:00 over three local days is 3 × 8 h = 24 h, not 56 h elapsed."""
    sessions = sessions_of_rows(
        (301, 7, "Bootcamp", "2026-12-01T09:00:00Z", "2026-12-03T17:00:00Z", "Dublin", 1)
    )
    assert team_table(sessions)["Teaching hours"].tolist() == [24.0]
    assert training_summary(sessions)["Teaching hours"].tolist() == [24.0]
    assert weekly_workload(sessions)["hours"].tolist() == [24.0]


def test_session_past_midnight_splits_its_elapsed_time_at_local_midnight():
    """22:00 to 02:00 the next day: the end clock is before the start clock, so 2 h + 2 h."""
    sessions = sessions_of_rows(
        (401, 7, "Night shift", "2026-12-06T22:00:00Z", "2026-12-07T02:00:00Z", "Dublin", 1)
    )
    weekly = weekly_workload(sessions, "local")
    assert weekly["week"].dt.strftime("%Y-%m-%d").tolist() == ["2026-11-30", "2026-12-07"]
    assert weekly["hours"].tolist() == [2.0, 2.0]
    assert team_table(sessions)["Teaching hours"].tolist() == [4.0]
