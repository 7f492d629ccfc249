"""Checking a draft schedule before it goes into LearnUpon: every problem kind on a hand-built
source, each naming the session it clashes with; the hostile-file corpus (each bad row one
line, the good rows still checked, nothing half-read silently); `lu-data plan --check` with
its exit codes, and the plan CSV fed back through it."""

from __future__ import annotations

import io
import os
import random
from datetime import time

import pandas as pd
import pytest

from lu_data.cli.commands import main
from lu_data.exports.plan_export import DRAFT_CHECK_COLUMNS
from lu_data.planning.draft_check import PROBLEMS, check_draft, check_summary
from lu_data.planning.draft_file import read_draft
from lu_data.planning.requests import PlanError
from tests.support.drafts import BAD_IDS, BAD_ROWS, TIME_HINT
from tests.support.schedule import save_export, session, sessions_of_schedule

EXCEL = {"training": 1, "title": "Excel Basics"}
AID = {"training": 2, "title": "First Aid"}
# The source: Ann Byrne teaches both trainings, Cian Daly and Gus Hart First Aid, Eve Fox
# Excel Basics; Dublin's room has held 12 at most. Dublin is on UTC in February.
SOURCE = (
    session(1, 2, **EXCEL, tutor=1, room=7001, capacity=12),  # Wed 3 Feb 10:00–12:00, Dublin
    session(2, 2, **AID, tutor=2, room=7002, capacity=8),  # Wed 3 Feb 10:00–12:00, Cork
    session(3, 3, hour=14, **EXCEL, tutor=3),  # Thu 4 Feb 14:00–16:00, virtual
    session(4, 7, hour=9, **AID, tutor=1, room=7002),  # Mon 8 Feb 09:00–11:00, Cork
    session(5, 20, **AID, tutor=4),  # Sun 21 Feb, virtual
)
HEADER = "training,start,end,zone,tutor_email,location,capacity"
CLEAN = "Excel Basics,2027-02-10 10:00,2027-02-10 12:00,Europe/Dublin,ann.byrne@example.com,7001,12"
# One row for each problem kind, in the order the check reports them (file lines 3 to 12).
EACH_KIND = [
    "Excel Basics,2027-02-04 15:00,2027-02-04 17:00,Europe/Dublin,eve.fox@example.com,Zoom,",
    "Excel Basics,2027-02-03 12:15,2027-02-03 14:15,Europe/Dublin,ann.byrne@example.com,7001,",
    "Excel Basics,2027-02-08 14:00,2027-02-08 16:00,Europe/Dublin,ann.byrne@example.com,7001,",
    "First Aid,2027-02-03 11:00,2027-02-03 13:00,Europe/Dublin,gus.hart@example.com,7002,",
    "Excel Basics,2027-02-11 07:00,2027-02-11 09:00,Europe/Dublin,ann.byrne@example.com,Zoom,",
    "Excel Basics,2027-02-12 09:00,2027-02-12 11:00,America/New_York,ann.byrne@example.com,7001,",
    "Excel Basics,2027-02-15 10:00,2027-02-15 12:00,Europe/Dublin,ann.byrne@example.com,7001,30",
    "Underwater Welding,2027-02-16 10:00,2027-02-16 12:00,Europe/Dublin,ann.byrne@example.com,,",
    "Excel Basics,2027-02-17 10:00,2027-02-17 12:00,Europe/Dublin,cian.daly@example.com,Zoom,",
    "Excel Basics,tomorrow,2027-02-17 12:00,Europe/Dublin,cian.daly@example.com,Zoom,",
]


@pytest.fixture(scope="module")
def sessions() -> pd.DataFrame:
    return sessions_of_schedule(*SOURCE)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def read_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text.lstrip("\ufeff")), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return str(save_export(tmp_path_factory.mktemp("source") / "portal.json", *SOURCE))


def draft(*lines: str, header: str = HEADER, end: str = "\n") -> bytes:
    return end.join([header, *lines, ""]).encode("utf-8")


def check(sessions: pd.DataFrame, data: bytes, **options) -> pd.DataFrame:
    rows, bad = read_draft(data)
    return check_draft(sessions, rows, bad, **options)


def found(problems: pd.DataFrame) -> list[tuple[int, str, str]]:
    """(row, problem, clashes_with) of each problem."""
    return list(zip(problems["row"], problems["problem"], problems["clashes_with"], strict=True))


def test_each_problem_kind_names_its_row_and_the_session_it_clashes_with(sessions):
    problems = check(sessions, draft(CLEAN, *EACH_KIND))
    assert found(problems) == [
        (3, "tutor_double_booking", "session:3: Excel Basics (Eve Fox)"),
        (4, "tutor_double_booking", "session:1: Excel Basics (Ann Byrne)"),
        (5, "two_locations_one_day", "session:4: First Aid (Ann Byrne)"),
        (6, "room_clash", "session:2: First Aid (Cian Daly)"),
        (7, "outside_hours", ""),
        (8, "zone_warning", ""),
        (9, "room_capacity", ""),
        (10, "unknown_training", ""),
        (11, "tutor_never_taught", ""),
        (12, "bad_row", ""),
    ]
    assert list(dict.fromkeys(problems["problem"])) == list(PROBLEMS)  # every kind, in order
    assert problems["reason"].tolist() == [
        "Eve Fox overlaps 2027-02-04 14:00–16:00 Europe/Dublin",
        "Ann Byrne is within the 30-minute buffer of 2027-02-03 10:00–12:00 Europe/Dublin",
        "Ann Byrne teaches in person at Cork, Lee Room that day "
        "(2027-02-08 09:00–11:00 Europe/Dublin)",
        "Cork, Lee Room is booked 2027-02-03 10:00–12:00 Europe/Dublin",
        "runs 07:00–09:00 in Europe/Dublin, outside 09:00–17:00",
        "Dublin, Liffey Room: 5 sessions here are in Europe/Dublin, this one in America/New_York.",
        "30 seats, more than Dublin, Liffey Room has held (12)",
        "no training 'Underwater Welding' in the source (a warning: it may be new)",
        "Cian Daly has not taught Excel Basics in the source (a warning)",
        f"start 'tomorrow' is not a date and time: {TIME_HINT}",
    ]
    assert problems["training_title"].iloc[[0, 7]].tolist() == [
        "Excel Basics",
        "Underwater Welding",
    ]
    assert str(problems["start_utc"].iloc[5]) == "2027-02-12 14:00:00+00:00"  # 09:00 New York
    assert pd.isna(problems["start_utc"].iloc[9])
    assert check_summary(problems, 11) == "10 problems in 10 of 11 rows"


def test_a_clean_draft_has_no_problems(sessions):
    problems = check(sessions, draft(CLEAN))
    assert problems.empty and list(problems.columns) == DRAFT_CHECK_COLUMNS
    assert check_summary(problems, 1) == "0 problems in 1 row"


def test_the_buffer_and_the_working_hours_are_settings(sessions):
    """No buffer: 12:15 after a session ending 12:00 is fine; but an overlap never is.
    Working hours from 07:00: a 07:00 start is fine."""
    data = draft(EACH_KIND[0], EACH_KIND[1], EACH_KIND[4])
    assert found(check(sessions, data, buffer_minutes=0)) == [
        (2, "tutor_double_booking", "session:3: Excel Basics (Eve Fox)"),
        (4, "outside_hours", ""),
    ]
    relaxed = check(sessions, data, buffer_minutes=0, day_start=time(7), day_end=time(17))
    assert relaxed["row"].tolist() == [2]


def test_draft_rows_that_clash_with_each_other_name_the_other_row(sessions):
    """Two rows for the same tutor and room at once: each names the other draft row."""
    twice = (
        "Excel Basics,2027-02-22 10:00,2027-02-22 12:00,Europe/Dublin,ann.byrne@example.com,7001,"
    )
    problems = check(sessions, draft(twice, twice))
    assert found(problems) == [
        (2, "tutor_double_booking", "draft row 3: Excel Basics (Ann Byrne)"),
        (2, "room_clash", "draft row 3: Excel Basics (Ann Byrne)"),
        (3, "tutor_double_booking", "draft row 2: Excel Basics (Ann Byrne)"),
        (3, "room_clash", "draft row 2: Excel Basics (Ann Byrne)"),
    ]
    assert (
        problems["reason"].iloc[1]
        == "Dublin, Liffey Room is booked 2027-02-22 10:00–12:00 Europe/Dublin"
    )


def test_rows_are_read_by_their_columns_whatever_their_names_and_order(sessions):
    """The plan CSV's names (training_title, start_utc with offsets, location_id and location)
    in another order, with extra columns, times given in UTC: the same clean row."""
    header = "location,location_id,tutor_email,zone,end_utc,start_utc,notes,training_title"
    line = (
        "Somewhere,7001,ANN.BYRNE@example.com,Europe/Dublin,2027-02-10T12:00:00+00:00,"
        "2027-02-10T10:00:00Z,bring biscuits,excel basics"
    )
    rows, bad = read_draft(draft(line, header=header))
    assert bad == [] and len(rows) == 1
    assert rows[0].tutor_email == "ann.byrne@example.com" and rows[0].location_id == 7001
    assert check_draft(sessions, rows, bad).empty


# The hostile-file corpus -----------------------------------------------------------------


@pytest.mark.parametrize(("line", "reason"), BAD_ROWS, ids=BAD_IDS)
def test_a_bad_row_is_named_with_why_and_the_rows_around_it_are_read(line, reason):
    rows, bad = read_draft(draft(CLEAN, line, EACH_KIND[0]))
    assert [r.line for r in rows] == [2, 4]
    assert [(b.line, b.reason) for b in bad] == [(3, reason)]


def test_every_bad_row_is_one_line_and_the_good_rows_are_still_checked(capsys, tmp_path, source):
    """All the bad rows in one draft between good ones: one stderr line each, one CSV row
    each, and the good row that double-books Eve Fox is still found."""
    path = tmp_path / "hostile.csv"
    path.write_bytes(draft(CLEAN, *(line for line, _ in BAD_ROWS), EACH_KIND[0]))
    code, out, err = run(capsys, "plan", source, "--check", str(path))
    assert code == 3
    n = len(BAD_ROWS)
    assert err.splitlines() == [
        f"lu-data: {n + 1} problems in {n + 1} of {n + 2} rows",
        *(f"lu-data: row {line}: {reason}" for line, (_, reason) in enumerate(BAD_ROWS, 3)),
    ]
    rows = read_csv(out)
    assert rows["problem"].tolist() == ["bad_row"] * n + ["tutor_double_booking"]
    assert rows["row"].tolist() == [str(line) for line in range(3, n + 4)]
    assert rows["clashes_with"].iloc[-1] == "session:3: Excel Basics (Eve Fox)"


def test_bytes_that_are_not_utf8_make_a_bad_row_not_a_silent_one(sessions):
    """A Latin-1 row and a row with a NUL byte, among UTF-8 ones (with a BOM)."""
    latin = "Café Excel,2027-02-12 10:00,2027-02-12 12:00,Europe/Dublin,ann.byrne@example.com,7001,"
    data = (
        "\ufeff".encode()
        + draft(CLEAN)
        + latin.encode("latin-1")
        + b"\nExcel\x00Basics,2027-02-12 10:00,2027-02-12 12:00,Europe/Dublin,x@example.com,,\n"
        + (EACH_KIND[0] + "\n").encode()
    )
    problems = check(sessions, data)
    assert found(problems) == [
        (3, "bad_row", ""),
        (4, "bad_row", ""),
        (5, "tutor_double_booking", "session:3: Excel Basics (Eve Fox)"),
    ]
    assert set(problems["reason"].iloc[:2]) == {
        "holds bytes that are not UTF-8 text: save the file as CSV UTF-8"
    }


@pytest.mark.parametrize("end", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_any_line_ending_reads_the_same(end):
    lines = (CLEAN, "", EACH_KIND[0], BAD_ROWS[0][0])
    assert read_draft(draft(*lines, end=end)) == read_draft(draft(*lines))
    rows, bad = read_draft(draft(*lines, end=end))
    assert [r.line for r in rows] == [2, 4] and [b.line for b in bad] == [5]
    assert rows[1].location == "Zoom" and rows[1].capacity is None


def test_extra_cells_are_ignored_and_blank_lines_skipped(sessions):
    rows, bad = read_draft(draft(CLEAN + ",surplus,cells", "", " , ,", CLEAN.replace("10", "11")))
    assert bad == [] and [r.line for r in rows] == [2, 5]


def test_an_unclosed_quote_is_named_not_swallowed(sessions):
    """A quote opened in the location cell and never closed takes the later lines into that
    cell: the row says so, rather than reading as one valid session."""
    opened = CLEAN.replace(",7001,12", ',"Dublin,12')
    problems = check(sessions, draft(opened, EACH_KIND[0], CLEAN))
    assert found(problems) == [(2, "bad_row", "")]
    assert problems["reason"].iloc[0] == (
        'a cell runs over several lines (a quote " not closed?): '
        "the lines after it were read into this row"
    )


def test_a_cell_beyond_the_csv_field_limit_is_a_bad_row_and_reading_goes_on(sessions):
    huge = '"' + "x" * 200_000 + '",2027-02-12 10:00,2027-02-12 12:00,Europe/Dublin,a@b.c,,'
    problems = check(sessions, draft(CLEAN, huge, EACH_KIND[0]))
    assert found(problems) == [
        (3, "bad_row", ""),
        (4, "tutor_double_booking", "session:3: Excel Basics (Eve Fox)"),
    ]
    assert problems["reason"].iloc[0].startswith("cannot be read as CSV: field larger than")


def test_noise_after_a_header_is_a_bad_row_per_line_never_a_crash(sessions):
    noise = random.Random(7).randbytes(200_000)
    rows, bad = read_draft(draft(CLEAN) + noise)
    assert [r.line for r in rows] == [2]
    assert len(bad) > 100 and all(b.reason for b in bad)
    assert len({b.line for b in bad}) == len(bad)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the draft is empty: it needs a header row and one row per session"),
        (b" , ,\n", "the draft is empty"),
        (draft(CLEAN, header=HEADER.replace("zone,", "")), "the draft has no zone column"),
        (
            draft(header="when,finish,where,who,what,room").replace(b"\n", b"") + b"\n",
            "the draft has no training, start, end, zone, tutor column",
        ),
        ((HEADER + "\n" + CLEAN + "\n").encode("utf-16"), "the draft's header row is not UTF-8"),
        (os.urandom(2000), "the draft"),
        (b"x" * 10_000_001, "the draft is 10.0 MB: at most 5 MB"),
    ],
    ids=["empty", "blank", "missing-column", "no-columns", "utf-16", "noise", "10-MB"],
)
def test_a_file_that_cannot_be_a_draft_is_one_clear_error(data, message):
    with pytest.raises(PlanError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        read_draft(data)


# The command line -----------------------------------------------------------------------


def test_check_writes_a_row_per_problem_and_exits_3(capsys, tmp_path, source):
    path = tmp_path / "draft.csv"
    path.write_bytes(draft(CLEAN, *EACH_KIND))
    code, out, err = run(capsys, "plan", source, "--check", str(path))
    assert code == 3
    rows = read_csv(out)
    assert list(rows.columns) == DRAFT_CHECK_COLUMNS
    assert rows.iloc[0].to_dict() == {
        "row": "3",
        "training_title": "Excel Basics",
        "start_utc": "2027-02-04T15:00:00+00:00",
        "problem": "tutor_double_booking",
        "clashes_with": "session:3: Excel Basics (Eve Fox)",
        "reason": "Eve Fox overlaps 2027-02-04 14:00–16:00 Europe/Dublin",
    }
    assert list(dict.fromkeys(rows["problem"])) == list(PROBLEMS)
    assert rows["start_utc"].iloc[-1] == ""
    assert err.splitlines() == [
        "lu-data: 10 problems in 10 of 11 rows",
        f"lu-data: row 12: start 'tomorrow' is not a date and time: {TIME_HINT}",
    ]


def test_a_clean_draft_exits_0_and_says_so(capsys, tmp_path, source):
    path = tmp_path / "draft.csv"
    path.write_bytes(draft(CLEAN, EACH_KIND[1], end="\r\n"))
    out_file = tmp_path / "problems.csv"
    args = ["plan", source, "--check", str(path), "-o", str(out_file)]
    code, _, err = run(capsys, *args, "--buffer-minutes", "0", "--hours", "08:00-18:00")
    assert code == 0
    assert err == "lu-data: 0 problems in 2 rows\n"
    assert out_file.read_text("utf-8-sig").strip() == ",".join(DRAFT_CHECK_COLUMNS)


def test_a_formula_in_a_bad_row_is_not_a_formula_in_the_output(capsys, tmp_path, source):
    path = tmp_path / "draft.csv"
    path.write_bytes(draft('"=HYPERLINK(""http://evil.example"")",x,y,Europe/Dublin,a@b.c,,'))
    code, out, _ = run(capsys, "plan", source, "--check", str(path))
    assert code == 3
    assert read_csv(out)["training_title"].tolist() == ['\'=HYPERLINK("http://evil.example")']


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (None, [], "cannot read the draft"),
        (draft(CLEAN), ["--buffer-minutes", "-5"], "buffer of -5 minutes: give 0 or more"),
        (draft(CLEAN), ["--hours", "9-5"], "hours '9-5': write them as HH:MM-HH:MM"),
        (draft(CLEAN), ["--format", "xlsx", "-o", "x.xlsx"], "--check writes a CSV of problems"),
        (draft(CLEAN), ["--add", "Excel Basics=1"], "leave out --add"),
        (b"x" * 10_000_001, [], "the draft is 10.0 MB: at most 5 MB"),
        (draft(CLEAN, header="training,start,end"), [], "the draft has no zone, tutor, location"),
    ],
    ids=["missing-file", "buffer", "hours", "format", "add", "10-MB", "missing-columns"],
)
def test_bad_arguments_and_unreadable_drafts_exit_2_with_one_line(
    capsys, tmp_path, source, setup, args, message
):
    path = tmp_path / "draft.csv"
    if setup is not None:
        path.write_bytes(setup)
    code, out, err = run(capsys, "plan", source, "--check", str(path), *args)
    assert (code, out) == (2, "")
    assert message in err and len(err.strip().splitlines()) == 1
    assert err.startswith("lu-data: error: ")


def test_an_unreadable_source_exits_1(capsys, tmp_path):
    path = tmp_path / "draft.csv"
    path.write_bytes(draft(CLEAN))
    code, out, err = run(capsys, "plan", str(tmp_path / "nowhere.json"), "--check", str(path))
    assert (code, out) == (1, "")
    assert "nowhere.json does not exist" in err and len(err.strip().splitlines()) == 1


def test_the_plan_csv_fed_back_through_check_has_no_problems(capsys, tmp_path):
    """lu-data plan's own proposals clash with nothing, so checking them finds nothing."""
    plan = tmp_path / "plan.csv"
    anchor = ["--anchor", "2026-12-07"]
    assert run(capsys, "plan", "demo", *anchor, "-o", str(plan))[0] == 0
    proposals = read_csv(plan.read_text("utf-8-sig"))
    assert len(proposals) == 2 and set(proposals["action"]) == {"add"}
    code, out, err = run(capsys, "plan", "demo", *anchor, "--check", str(plan))
    assert (code, err) == (0, "lu-data: 0 problems in 2 rows\n")
    assert read_csv(out).empty


def test_the_plan_csv_rows_it_could_not_place_are_no_sessions_to_check(capsys, tmp_path, source):
    plan = tmp_path / "plan.csv"
    args = ["plan", source, "--anchor", "2027-02-01", "--add", "Excel Basics=1"]
    assert run(capsys, *args, "--hours", "09:00-10:00", "-o", str(plan))[0] == 3
    assert read_csv(plan.read_text("utf-8-sig"))["action"].tolist() == ["unplaced"]
    code, _, err = run(capsys, "plan", source, "--check", str(plan))
    assert (code, err) == (0, "lu-data: 0 problems in 0 rows\n")
