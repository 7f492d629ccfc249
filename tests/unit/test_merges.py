"""Merging under-filled sessions, on hand-built schedules with a known best answer: which
session goes where, the numbers, the reason a candidate is kept; `lu-data plan --merge`."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from lu_data.cli.commands import main
from lu_data.exports.plan_export import MERGE_CSV_COLUMNS
from lu_data.planning.merges import MergeSettings, propose_merges
from tests.support.schedule import FETCHED, save_export, session, sessions_of_schedule

NO_SEATS_LEFT = (
    "its only possible target, Tue 09 Feb 10:00 Europe/Dublin, has no seats left after another "
    "merge"
)


def plan_of(*records, **settings) -> pd.DataFrame:
    """The merge plan's rows of `records` fetched at FETCHED (today's fill, no history), by
    candidate key."""
    plan = propose_merges(sessions_of_schedule(*records), None, FETCHED, MergeSettings(**settings))
    return plan.rows.set_index("from_session_key")


def where_to(rows: pd.DataFrame) -> dict[str, str | None]:
    """Each candidate -> the session it merges into, or None when kept."""
    into = rows["into_session_key"].astype(object).where(rows["action"].eq("merge"), None)
    return {str(k): (None if pd.isna(v) else str(v)) for k, v in into.items()}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def read_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text.lstrip("\ufeff")), dtype=str, keep_default_na=False)


@pytest.mark.parametrize(
    ("b_hours", "winner", "loser"),
    [(2, "session:1", "session:2"), (3, "session:2", "session:1")],
    ids=["nearer-wins-on-learner-days", "longer-wins-on-tutor-hours"],
)
def test_two_candidates_compete_for_one_targets_last_seats(b_hours, winner, loser):
    """Session 10 has 4 seats left; candidates 1 and 2 hold 3 learners each, so only one fits.
    With equal hours the nearer one (fewer learner-days moved) goes; when the other frees
    more tutor hours, it goes instead. The loser is kept and says why."""
    rows = plan_of(
        session(10, 8, enrolled=6),
        session(1, 3, enrolled=3),  # 5 days before the target
        session(2, 14, enrolled=3, hours=b_hours),  # 6 days after; 11 from session 1
        within_days=7,
    )
    assert where_to(rows) == {winner: "session:10", loser: None}
    won = rows.loc[winner]
    assert (won["learners_moved"], won["into_enrolled_after"], won["into_capacity"]) == (3, 9, 10)
    assert won["tutor_hours_freed"] == {"session:1": 2, "session:2": b_hours}[winner]
    assert rows.loc[loser, "reason"] == NO_SEATS_LEFT
    later = "5 days later" if winner == "session:1" else "6 days earlier"
    assert rows.loc[winner, "reason"] == (
        f"3 learners move {later} to Tue 09 Feb 10:00 Europe/Dublin, 90% full after"
    )


def test_a_target_that_is_itself_under_filled_takes_the_smaller_one():
    """Two under-filled sessions, each the other's only target: the one with fewer learners
    moves (fewer learner-days); the other is kept, never emptied and filled at once."""
    rows = plan_of(session(1, 2, enrolled=3), session(2, 4, enrolled=4))
    assert where_to(rows) == {"session:1": "session:2", "session:2": None}
    moved = rows.loc["session:1"]
    assert (moved["learners_moved"], moved["into_enrolled_after"], moved["days_moved"]) == (3, 7, 2)
    assert moved["from_fill"] == pytest.approx(0.3)
    assert rows.loc["session:2", "reason"] == (
        "kept to take 3 learners from the session of Wed 03 Feb 10:00 Europe/Dublin"
    )


def test_a_kept_candidate_names_what_became_of_each_of_its_targets():
    """A (4 learners) could go to B or T; B goes to T, the day after it (fewest learner-days),
    which leaves T no room for A and B merged away: A says both."""
    rows = plan_of(session(1, 5, enrolled=4), session(2, 8, enrolled=4), session(3, 9, enrolled=6))
    assert where_to(rows) == {"session:1": None, "session:2": "session:3"}
    assert rows.loc["session:1", "reason"] == (
        "of its 2 possible targets, 1 has no seats left after other merges and 1 is merged away"
    )


def test_no_chain_two_candidates_share_a_target_rather_than_pass_along():
    """1 (2 learners) and 2 (3 learners) are both under-filled; 3 is half full with 5 seats
    left. Both go to 3 (two sessions freed), not 1 into 2 into 3; each row gives the
    target's enrolment after both merges."""
    rows = plan_of(session(1, 2, enrolled=2), session(2, 3, enrolled=3), session(3, 5, enrolled=5))
    assert where_to(rows) == {"session:1": "session:3", "session:2": "session:3"}
    assert rows["learners_moved"].tolist() == [2, 3]
    assert rows["into_enrolled_after"].tolist() == [10, 10]
    assert rows["into_fill_after"].tolist() == [1.0, 1.0]
    assert rows.loc["session:1", "reason"] == (
        "2 learners move 3 days later to Sat 06 Feb 10:00 Europe/Dublin with another merge, "
        "100% full after"
    )


def test_a_target_without_a_seat_limit_takes_every_candidate():
    """A session with no seat limit is never a candidate (its fill is unknown) and takes any
    number of learners: all three candidates go there; no capacity, no "% full"."""
    rows = plan_of(
        session(9, 6, capacity=None, enrolled=1),
        session(1, 2, enrolled=4),
        session(2, 4, enrolled=3),
        session(3, 9, enrolled=2, capacity=12),
    )
    assert where_to(rows) == {f"session:{n}": "session:9" for n in (1, 2, 3)}
    assert rows["into_capacity"].isna().all()
    assert rows["into_enrolled_after"].tolist() == [10, 10, 10]
    assert rows.loc["session:3", "reason"] == (
        "2 learners move 3 days earlier to Sun 07 Feb 10:00 Europe/Dublin with another merge"
    )


def test_an_in_person_candidate_whose_other_session_is_elsewhere_is_kept():
    """In person in Dublin: a Cork session of the training and a virtual one do not count;
    another Dublin session does."""
    elsewhere = [
        session(1, 2, enrolled=2, room=7001),
        session(2, 3, enrolled=8, room=7002),
        session(3, 4, enrolled=8),
    ]
    rows = plan_of(*elsewhere)
    assert where_to(rows) == {"session:1": None}
    assert rows.loc["session:1", "reason"] == (
        "no other Training 1 session within 14 days is at Dublin, Liffey Room"
    )
    rows = plan_of(*elsewhere, session(4, 9, enrolled=8, room=7001))
    assert where_to(rows) == {"session:1": "session:4"}
    assert rows.loc["session:1", "room_freed"] == "Dublin, Liffey Room"


def test_virtual_targets_must_start_in_the_candidates_working_day():
    """A virtual New York candidate (10:00 there): a Tokyo session starting 23:00 New York time
    is not a target even though it is nearer; a London one at 09:00 New York time is."""
    ny = session(1, 3, hour=15, enrolled=3, zone="America/New_York")
    tokyo = session(2, 4, hour=4, enrolled=6, zone="Asia/Tokyo", tutor=2)
    london = session(3, 6, hour=14, enrolled=6, zone="Europe/London", tutor=3)
    in_person = session(4, 4, hour=15, enrolled=6, zone="America/New_York", room=7001)
    rows = plan_of(ny, tokyo, london, in_person)
    assert where_to(rows) == {"session:1": "session:3"}
    assert rows.loc["session:1", "reason"] == (
        "3 learners move 3 days later to Sun 07 Feb 14:00 Europe/London, 90% full after"
    )
    merged = rows.loc["session:1"]
    assert str(merged["into_start_utc"]) == "2027-02-07 14:00:00+00:00"
    assert merged["into_zone"] == "Europe/London"
    rows = plan_of(ny, tokyo, in_person)
    assert rows.loc["session:1", "reason"] == (
        "no other virtual Training 1 session within 14 days starts 08:00–20:00 America/New_York"
    )


NOT_NEAR = "no other Training 1 session starts within 14 days"


@pytest.mark.parametrize(
    ("others", "reason"),
    [
        ([], NOT_NEAR),
        ([session(2, 18, enrolled=5)], NOT_NEAR),
        (
            [session(2, 5, enrolled=9)],
            "no other Training 1 session within 14 days has 3 free seats",
        ),
        ([session(2, 5, enrolled=8, training=2)], NOT_NEAR),
    ],
    ids=["alone", "too-far", "too-full", "other-training"],
)
def test_a_kept_candidate_says_which_rule_no_session_passed(others, reason):
    rows = plan_of(session(1, 2, enrolled=3), *others)
    assert rows.loc["session:1", "action"] == "keep"
    assert rows.loc["session:1", "reason"] == reason
    assert rows.loc["session:1", ["into_session_key", "learners_moved"]].isna().all()


def test_candidates_start_after_the_fetch_and_within_the_horizon_under_the_threshold():
    """Today is when the data was fetched (08:00): a session that began at 07:30 is no
    candidate; nor one beyond the horizon, one half full, or one without a seat limit."""
    rows = plan_of(
        session(1, 0, hour=7.5, enrolled=1),  # started before the fetch
        session(2, 0, hour=9, enrolled=1),
        session(3, 21, hour=7, enrolled=1),  # 21 days after the fetch, less an hour
        session(4, 21, hour=9, enrolled=1),  # beyond it
        session(5, 5, enrolled=5),  # half full: not under 0.5
        session(6, 6, enrolled=1, capacity=None),
        session(7, 7, enrolled=4),
    )
    assert sorted(rows.index) == ["session:2", "session:3", "session:7"]
    rows = plan_of(session(5, 5, enrolled=5), session(7, 7, enrolled=4), merge_below=0.6)
    assert sorted(rows.index) == ["session:5", "session:7"]


def test_a_candidate_with_no_learners_frees_its_tutor_and_moves_no_one():
    """An empty session merges even into a full one: nobody has to move."""
    rows = plan_of(session(1, 2, enrolled=0), session(2, 4, enrolled=10))
    assert where_to(rows) == {"session:1": "session:2"}
    empty = rows.loc["session:1"]
    assert (empty["learners_moved"], empty["into_enrolled_after"]) == (0, 10)
    assert empty["tutor_hours_freed"] == 2
    assert empty["reason"] == (
        "no learners to move; the session of Fri 05 Feb 10:00 Europe/Dublin (2 days later) runs, "
        "which stays 100% full"
    )


# The command line -----------------------------------------------------------------------


@pytest.fixture
def source(tmp_path):
    """A saved export: two candidates of Training 1 sharing session 3, one kept in Cork."""
    return save_export(
        tmp_path / "portal.json",
        session(1, 2, enrolled=2),
        session(2, 3, enrolled=3, hours=3),
        session(3, 5, enrolled=5),
        session(4, 4, enrolled=1, room=7002, training=2, title="First Aid"),
        session(5, 30, enrolled=1),  # beyond the horizon
    )


def test_merge_csv_has_one_row_per_candidate_in_the_documented_columns(capsys, source):
    code, out, err = run(capsys, "plan", str(source), "--merge")
    assert code == 0
    rows = read_csv(out)
    assert list(rows.columns) == MERGE_CSV_COLUMNS
    assert rows.to_dict("records") == [
        {
            "action": "merge",
            "portal": "portal",
            "from_session_key": "session:1",
            "from_title": "Training 1",
            "from_start_utc": "2027-02-03T10:00:00+00:00",
            "into_session_key": "session:3",
            "into_start_utc": "2027-02-06T10:00:00+00:00",
            "learners_moved": "2",
            "into_enrolled_after": "10",
            "into_capacity": "10",
            "days_moved": "3",
            "tutor_hours_freed": "2.0",
            "reason": "2 learners move 3 days later to Sat 06 Feb 10:00 Europe/Dublin with "
            "another merge, 100% full after",
        },
        {
            "action": "merge",
            "portal": "portal",
            "from_session_key": "session:2",
            "from_title": "Training 1",
            "from_start_utc": "2027-02-04T10:00:00+00:00",
            "into_session_key": "session:3",
            "into_start_utc": "2027-02-06T10:00:00+00:00",
            "learners_moved": "3",
            "into_enrolled_after": "10",
            "into_capacity": "10",
            "days_moved": "2",
            "tutor_hours_freed": "3.0",
            "reason": "3 learners move 2 days later to Sat 06 Feb 10:00 Europe/Dublin with "
            "another merge, 100% full after",
        },
        {
            "action": "keep",
            "portal": "portal",
            "from_session_key": "session:4",
            "from_title": "First Aid",
            "from_start_utc": "2027-02-05T10:00:00+00:00",
            "into_session_key": "",
            "into_start_utc": "",
            "learners_moved": "",
            "into_enrolled_after": "",
            "into_capacity": "",
            "days_moved": "",
            "tutor_hours_freed": "",
            "reason": "no other First Aid session starts within 14 days",
        },
    ]
    assert err == (
        "lu-data: 2 of 3 under-filled sessions merge, freeing 5 tutor hours (solver OPTIMAL)\n"
    )


def test_merge_options_move_the_threshold_horizon_window_and_today(capsys, source, tmp_path):
    """--merge-below, --horizon-days, --within-days and --anchor (today) each change the rows;
    -o writes the file."""
    out_file = tmp_path / "merges.csv"
    args = ["plan", str(source), "--merge", "-o", str(out_file)]

    assert run(capsys, *args, "--merge-below", "0.25")[0] == 0
    assert read_csv(out_file.read_text("utf-8"))["from_session_key"].tolist() == [
        "session:1",
        "session:4",
    ]
    run(capsys, *args, "--horizon-days", "3")
    assert read_csv(out_file.read_text("utf-8"))["from_session_key"].tolist() == ["session:1"]
    run(capsys, *args, "--within-days", "0")
    assert set(read_csv(out_file.read_text("utf-8"))["action"]) == {"keep"}
    run(capsys, *args, "--anchor", "2027-02-20")  # today 20 Feb: only session 5 is ahead
    rows = read_csv(out_file.read_text("utf-8"))
    assert rows[["from_session_key", "action"]].values.tolist() == [["session:5", "keep"]]


def test_anchor_on_the_fetch_day_means_the_fetch_time(capsys, tmp_path):
    """--anchor on the day the data was fetched is today as the data knows it: a session that
    had begun by the fetch (07:30, fetched 08:00) is no candidate."""
    path = save_export(
        tmp_path / "early.json", session(1, 0, hour=7.5, enrolled=1), session(2, 0, hour=9)
    )
    for extra in ([], ["--anchor", "2027-02-01"]):
        code, out, _ = run(capsys, "plan", str(path), "--merge", *extra)
        assert code == 0
        assert read_csv(out)["from_session_key"].tolist() == ["session:2"], extra


def test_no_candidates_is_a_header_and_a_zero_line(capsys, tmp_path):
    path = save_export(tmp_path / "full.json", session(1, 2, enrolled=9))
    code, out, err = run(capsys, "plan", str(path), "--merge")
    assert code == 0
    assert out.lstrip("\ufeff").strip() == ",".join(MERGE_CSV_COLUMNS)
    assert "0 of 0 under-filled sessions merge, freeing 0 tutor hours" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--merge-below", "0"], "--merge-below 0: give a fill between 0 and 1"),
        (["--merge-below", "1.5"], "--merge-below 1.5: give a fill between 0 and 1"),
        (["--horizon-days", "0"], "--horizon-days must be 1 or more"),
        (["--within-days", "-1"], "--within-days 0 or more"),
        (["--check", "draft.csv"], "--merge proposes merges only: leave out --add, --tutor"),
        (["--add", "Training 1=1"], "--merge proposes merges only"),
        (
            ["--format", "xlsx", "-o", "m.xlsx"],
            "--merge writes a CSV of merges: leave out --format",
        ),
    ],
)
def test_bad_merge_arguments_exit_2_with_one_line(capsys, source, args, message):
    code, out, err = run(capsys, "plan", str(source), "--merge", *args)
    assert (code, out) == (2, "")
    assert message in err and len(err.strip().splitlines()) == 1


def test_merge_of_an_unreadable_source_exits_1(capsys, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json", encoding="utf-8")
    code, out, err = run(capsys, "plan", str(broken), "--merge")
    assert (code, out) == (1, "")
    assert "broken.json" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("days_on", "horizon"), [(0, 21), (3, 40), (-2, 7)])
def test_the_merges_read_the_forecast_the_fill_pace_page_shows(days_on, horizon):
    """merge_portal reads the curves only as far out as its candidates start; its merges are
    those of the whole forecast, whatever today and the horizon."""
    from datetime import timedelta

    from lu_data.analyses.forecast import project_sessions, typical_curves
    from lu_data.ingest.loading import load_portal
    from lu_data.planning.portal_plan import merge_portal
    from lu_data.sources.demo import generate_demo
    from lu_data.store.enrolment import portal_history

    portal = load_portal(generate_demo(), is_demo=True)
    as_of = pd.Timestamp(portal.fetched_at)
    history = portal_history(portal, as_of, demo=True)
    curves = typical_curves(history, portal.sessions, as_of)
    projected = project_sessions(portal.sessions, curves, as_of)
    today = as_of.date() + timedelta(days=days_on)
    when = as_of if days_on == 0 else pd.Timestamp(today, tz="UTC")
    settings = MergeSettings(horizon_days=horizon)
    whole = propose_merges(
        portal.sessions, projected.set_index("session_key")["projected_fill"], when, settings
    )
    merged = merge_portal(portal, settings, today)
    assert len(whole.rows) > 0 and len(whole.merges) > 0
    pd.testing.assert_frame_equal(merged.rows, whole.rows)
