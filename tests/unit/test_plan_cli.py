"""`lu-data plan`: the proposals as CSV, Excel and a calendar; exit codes 0, 3, 2 and 1; one
clear line for every bad argument."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import icalendar
import openpyxl
import pandas as pd
import pytest

from lu_data import load_source
from lu_data.cli.commands import main
from lu_data.exports.plan_export import PLAN_CSV_COLUMNS

ANCHOR = "2026-12-07"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit code, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def demo_sessions() -> pd.DataFrame:
    """The demo portal the commands read (anchored like them)."""
    return load_source("demo", anchor=date.fromisoformat(ANCHOR)).sessions


def read_plan(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text.lstrip("\ufeff")), dtype=str, keep_default_na=False)


def test_default_plan_adds_one_session_per_training_that_sells_out(capsys, demo_sessions):
    """No --add: one row per sells-out training, placed with a tutor who taught it, inside
    09:00–17:00 on a weekday in its zone, times ISO 8601 with offsets; exit 0."""
    code, out, err = run(capsys, "plan", "demo", "--anchor", ANCHOR)
    assert code == 0, err
    plan = read_plan(out)
    assert list(plan.columns) == PLAN_CSV_COLUMNS
    assert set(plan["training_title"]) == {"Coaching for Managers", "Product Demo Certification"}
    assert set(plan["action"]) == {"add"}
    for row in plan.itertuples():
        taught = demo_sessions.loc[demo_sessions["title"].eq(row.training_title), "tutor_email"]
        assert row.tutor_email in set(taught)
        start = datetime.fromisoformat(row.start_local)
        end = datetime.fromisoformat(row.end_local)
        utc = datetime.fromisoformat(row.start_utc)
        assert utc.utcoffset().total_seconds() == 0
        assert start == utc.astimezone(ZoneInfo(row.zone))  # the same instant, in its zone
        assert time(9) <= start.time() and end.time() <= time(17) and start.weekday() < 5
        assert date(2026, 12, 14) <= start.date() <= date(2027, 2, 7)  # 7 days on, 8 weeks
        assert "taught it" in row.reason
    assert "proposed 2 of 2 sessions; 0 new double-bookings, 0 new room clashes" in err


def test_add_counts_and_unplaced_sessions_exit_3_with_a_line_each(capsys):
    """--add asks for N sessions each; hours too short for a training leave them unplaced:
    a row each in the CSV, one stderr line each saying why, exit 3."""
    code, out, err = run(
        capsys,
        "plan",
        "demo",
        "--anchor",
        ANCHOR,
        "--add",
        "sql for analysts=2",
        "--add",
        "Coaching for Managers=1",
        "--hours",
        "09:00-10:00",
    )
    assert code == 3
    plan = read_plan(out)
    assert plan["action"].tolist() == ["unplaced"] * 3
    assert plan["training_title"].tolist().count("SQL for Analysts") == 2
    lines = [line for line in err.splitlines() if "not placed" in line]
    assert len(lines) == 3
    assert "No 2 h session of SQL for Analysts fits 09:00–10:00" in lines[0]


def test_training_id_tz_and_two_more_formats(capsys, tmp_path, demo_sessions):
    """A training by its id; --tz utc writes local times in UTC; .xlsx holds the proposals;
    the calendar's every event says Proposed."""
    sql = demo_sessions.loc[demo_sessions["title"].eq("SQL for Analysts")]
    training_id = str(int(sql["training_id"].iloc[0]))
    args = ["plan", "demo", "--anchor", ANCHOR, "--add", f"{training_id}=2"]
    code, out, _ = run(capsys, *args, "--tz", "utc")
    assert code == 0
    plan = read_plan(out)
    assert plan["training_title"].tolist() == ["SQL for Analysts"] * 2
    assert all(t.endswith("+00:00") for t in plan["start_local"])
    assert set(plan["zone"]) <= set(sql["tz"])  # still the session's own zone

    book = tmp_path / "plan.xlsx"
    assert run(capsys, *args, "--format", "xlsx", "-o", str(book))[0] == 0
    sheet = openpyxl.load_workbook(book)["Proposed sessions"]
    assert [c.value for c in sheet[1]] == PLAN_CSV_COLUMNS
    assert sheet.max_row == 3

    code, out, _ = run(capsys, *args, "--format", "ics", "-o", "-")
    events = icalendar.Calendar.from_ical(out).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Proposed: SQL for Analysts"] * 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--add", "Coaching for Manager=1"], "nearest: 'Coaching for Managers'"),
        (["--add", "SQL for Analysts=0"], "'SQL for Analysts=0': ask for at least one"),
        (["--add", "SQL for Analysts=-2"], "ask for at least one session"),
        (["--add", "SQL for Analysts=two"], "is not a whole number"),
        (["--hours", "17:00-09:00"], "hours '17:00-09:00' end before they start"),
        (["--hours", "9 to 5"], "hours '9 to 5': write them as HH:MM-HH:MM"),
        (["--to", "2026-01-31"], "the window ends 2026-01-31, in the past"),
        (["--from", "2027-03-01", "--to", "2027-02-01"], "ends (2027-02-01) before it starts"),
        (["--tz", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["--tutor", "SQL for Analysts=nobody@example.com"], "no tutor with e-mail"),
        (["--tutor", "SQL for Analysts"], "write it as TRAINING=EMAIL"),
        (["--buffer-minutes", "-5"], "buffer of -5 minutes"),
        (["--max-week-hours", "0"], "weekly limit of 0 h"),
    ],
)
def test_bad_arguments_are_one_line_naming_the_value_exit_2(capsys, args, message):
    """Each bad value: exit 2, one stderr line naming it, no traceback, nothing on stdout."""
    code, out, err = run(capsys, "plan", "demo", "--anchor", ANCHOR, *args)
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_unreadable_source_exits_1(capsys, tmp_path):
    """A source that cannot be read: one line, exit 1."""
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json", encoding="utf-8")
    code, out, err = run(capsys, "plan", str(broken))
    assert code == 1
    assert out == "" and len(err.strip().splitlines()) == 1 and "broken.json" in err


def test_a_named_tutor_may_teach_a_training_they_never_taught(capsys, demo_sessions):
    """--tutor lets someone who never taught the training be proposed for it."""
    sql = set(demo_sessions.loc[demo_sessions["title"].eq("SQL for Analysts"), "tutor_email"])
    other = sorted(set(demo_sessions["tutor_email"].dropna()) - sql)[0]
    code, out, _ = run(
        capsys,
        "plan",
        "demo",
        "--anchor",
        ANCHOR,
        "--add",
        "SQL for Analysts=12",
        "--tutor",
        f"SQL for Analysts={other}",
        "--max-week-hours",
        "40",
    )
    plan = read_plan(out)
    placed = plan.loc[plan["action"].eq("add")]
    assert code in (0, 3)
    assert other in set(placed["tutor_email"])
    named = placed.loc[placed["tutor_email"].eq(other), "reason"]
    assert named.str.contains("was named to teach it").all()
