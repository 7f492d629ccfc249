"""`lu-data` commands: export CSV, check report, demo file; exit codes and messages."""

from __future__ import annotations

import io
import json
from datetime import date

import pandas as pd
import pytest

from lu_data import load_source
from lu_data.analyses.double_bookings import double_bookings
from lu_data.cli.commands import main
from lu_data.exports.csv import neutralise_formulas, to_csv_bytes, view_frame
from tests.support.records import timed_record


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit code, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_sessions_round_trips_through_read_csv(tmp_path, data_dir, capsys):
    """The sessions CSV has a header, both UTC and local ISO times, and reads back cleanly."""
    target = tmp_path / "s.csv"
    code, _, _ = run(capsys, "export", str(data_dir / "sample_legacy.json"), "-o", str(target))
    assert code == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    df = pd.read_csv(target, encoding="utf-8-sig")
    assert list(df["session_key"]) == ["legacy:552896", "legacy:552897"]
    row = df.set_index("module_id").loc[552897]
    assert row["start_utc"] == "2022-02-11T20:00:00+00:00"
    assert row["start_local"] == "2022-02-11T14:00:00-06:00"
    assert row["utc_offset"] == "-06:00"


def test_export_tz_option_and_date_filter(tmp_path, data_dir, capsys):
    """--tz converts local columns; --from/--to keep sessions starting in the range."""
    target = tmp_path / "s.csv"
    main(
        [
            "export",
            str(data_dir / "sample_ilt_center.json"),
            "--tz",
            "Asia/Tokyo",
            "--from",
            "2021-11-25",
            "--to",
            "2022-01-05",
            "-o",
            str(target),
        ]
    )
    df = pd.read_csv(target, encoding="utf-8-sig")
    assert sorted(df["session_id"]) == [12222, 12355]
    assert set(df["tz"]) == {"Asia/Tokyo"}
    assert df.set_index("session_id").loc[12222, "start_local"] == "2022-01-05T20:00:00+09:00"


def test_export_trainings_and_tutors_views(data_dir, capsys):
    """--view trainings and tutors write one row per training / tutor."""
    src = str(data_dir / "sample_ilt_center.json")
    _, out, _ = run(capsys, "export", src, "--view", "trainings")
    trainings = pd.read_csv(io.StringIO(out.lstrip("\ufeff")))
    assert list(trainings["training_key"]) == ["training:14307"]
    assert trainings.loc[0, "sessions"] == 3
    _, out, _ = run(capsys, "export", src, "--view", "tutors")
    tutors = pd.read_csv(io.StringIO(out.lstrip("\ufeff")))
    assert sorted(tutors["tutor_name"]) == ["Berengar Hesse", "Elsa Bouvier"]
    assert tutors.set_index("tutor_name").loc["Elsa Bouvier", "sessions"] == 2


def test_check_json_contract(data_dir, capsys):
    """check --json carries the accounting fields and exits 0."""
    code, out, _ = run(capsys, "check", str(data_dir), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["input_records"] == 5
    assert report["sessions"] == 5
    assert {"duplicates_merged", "skipped_non_ilt", "rejected", "warnings"} <= set(report)
    assert report["balanced"] is True


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"modules": [1,}', "is not valid JSON: Expecting value at line 1, column 16"),
        (b"", "is empty"),
        (b'{"courses": []}', "no 'modules' envelope"),
        (b'{"users": []}', "no 'modules' envelope (keys found: users)"),
        (b'{"modules": {"a": 1}}', "'modules' is an object, expected a list"),
    ],
)
def test_check_unreadable_sources_exit_non_zero_with_one_line(tmp_path, capsys, content, message):
    """A source that cannot be read gives exit 2 and one clear line on stderr, no traceback."""
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    code, out, err = run(capsys, "check", str(bad))
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_check_missing_file(capsys):
    """A missing path is an error naming it."""
    code, _, err = run(capsys, "check", "/nonexistent/portal.json")
    assert code == 2 and "does not exist" in err


def test_check_with_rejections_still_exits_zero(tmp_path, capsys):
    """Rejected records are reported, not fatal."""
    bad = tmp_path / "p.json"
    bad.write_text(json.dumps({"modules": [{"id": 1, "component_type": "ilt session"}]}))
    code, out, _ = run(capsys, "check", str(bad))
    assert code == 0
    assert "1 rejected" in out and "start_at missing" in out


def test_demo_command_writes_a_portal_that_loads(tmp_path, capsys):
    """lu-data demo writes API-shaped JSON that loads back into the requested size."""
    target = tmp_path / "demo.json"
    code, _, _ = run(
        capsys,
        "demo",
        "-o",
        str(target),
        "--sessions",
        "200",
        "--seed",
        "3",
        "--anchor",
        "2026-11-27",
    )
    assert code == 0
    portal = load_source(target)
    assert len(portal.sessions) == 200
    assert portal.quality.balanced
    doc = json.loads(target.read_text())
    assert all("modules" in env for env in doc[1:])


def test_formula_injection_neutralised_but_numbers_kept():
    """Text starting with = + - @ is prefixed; negative numbers and offsets stay as they are."""
    df = pd.DataFrame(
        {
            "title": ['=HYPERLINK("http://evil","x")', "@SUM(A1)", "+cmd", "ok"],
            "offset": ["-06:00", "+01:00", "-3", "4"],
            "n": [-1, 2, 3, 4],
        }
    )
    safe = neutralise_formulas(df)
    assert list(safe["title"]) == ['\'=HYPERLINK("http://evil","x")', "'@SUM(A1)", "'+cmd", "ok"]
    assert list(safe["offset"]) == ["-06:00", "+01:00", "-3", "4"]
    assert list(safe["n"]) == [-1, 2, 3, 4]


def test_csv_bytes_match_the_view(data_dir):
    """to_csv_bytes of a view has exactly one line per session plus the header."""
    portal = load_source(data_dir / "sample_ilt_center.json")
    text = to_csv_bytes(view_frame(portal.sessions, "sessions")).decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 1 + 3


def test_double_bookings_view_of_the_demo_has_one_row_per_pair(tmp_path, capsys):
    """`--view double-bookings` on the demo writes exactly the analysis' pairs, one per row."""
    target = tmp_path / "clashes.csv"
    argv = ["export", "demo", "--anchor", "2026-11-27", "--view", "double-bookings"]
    code, _, err = run(capsys, *argv, "-o", str(target))
    assert code == 0, err
    pairs = double_bookings(load_source("demo", anchor=date(2026, 11, 27)).sessions)
    df = pd.read_csv(target, encoding="utf-8-sig")
    assert len(df) == len(pairs) > 0
    assert list(df["session_key_a"]) == list(pairs["session_key_a"])
    assert list(df["overlap_minutes"]) == list(pairs["overlap_minutes"])


def test_double_bookings_view_by_hand(tmp_path, capsys):
    """Two sessions of one tutor overlapping by 45 minutes: keys, titles, UTC and --tz times."""
    records = [
        timed_record(
            801,
            "2026-12-01T09:00:00Z",
            "2026-12-01T11:00:00Z",
            id=801,
            title="=HYPERLINK(1)",  # formula-looking titles are written as text
            timezone="Dublin",
        ),
        timed_record(
            802,
            "2026-12-01T10:15:00Z",
            "2026-12-01T12:00:00Z",
            id=802,
            title="Excel, part 2",
            timezone="Eastern Time (US & Canada)",
        ),
        # the same tutor, touching the second one's end: not a clash
        timed_record(803, "2026-12-01T12:00:00Z", "2026-12-01T13:00:00Z", id=803),
    ]
    source = tmp_path / "two.json"
    source.write_text(json.dumps({"modules": records}), encoding="utf-8")
    target = tmp_path / "clashes.csv"
    argv = ["export", str(source), "--view", "double-bookings", "--tz", "Asia/Tokyo"]
    code, _, err = run(capsys, *argv, "-o", str(target))
    assert code == 0, err
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(target, encoding="utf-8-sig")
    assert len(df) == 1
    row = df.iloc[0]
    assert (row["tutor_key"], row["tutor_name"]) == ("user:240669", "Elsa Bouvier")
    assert (row["session_key_a"], row["session_key_b"]) == ("session:801", "session:802")
    assert (row["title_a"], row["title_b"]) == ("'=HYPERLINK(1)", "Excel, part 2")
    assert row["start_utc_a"] == "2026-12-01T09:00:00+00:00"
    assert row["end_utc_b"] == "2026-12-01T12:00:00+00:00"
    assert row["start_local_a"] == "2026-12-01T18:00:00+09:00"
    assert row["end_local_b"] == "2026-12-01T21:00:00+09:00"
    assert row["tz_a"] == row["tz_b"] == "Asia/Tokyo"
    assert row["overlap_minutes"] == 45


def test_export_supply_demand_is_the_pages_table_of_the_demo(tmp_path, capsys):
    """--view supply-demand writes supply_demand over the demo's history, every training once."""
    from lu_data.analyses.supply_demand import supply_demand
    from lu_data.store.demo_history import demo_history

    target = tmp_path / "sd.csv"
    argv = ["export", "demo", "--anchor", "2026-11-27", "--view", "supply-demand"]
    code, _, _ = run(capsys, *argv, "-o", str(target))
    assert code == 0
    portal = load_source("demo", anchor=date(2026, 11, 27))
    history = demo_history(portal.sessions, portal.fetched_at)
    expected = supply_demand(history, portal.sessions, portal.fetched_at)
    assert target.read_bytes() == to_csv_bytes(expected)
    df = pd.read_csv(target, encoding="utf-8-sig").set_index("title")
    assert df.loc["Coaching for Managers", "suggestion"] == "Candidate for another session"
    assert df.loc["SQL for Analysts", "suggestion"] == "Candidate to merge"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--from", "2026-01-01"], "looks back over every date: leave out --from/--to"),
        (["--format", "xlsx", "-o", "x.xlsx"], "--view supply-demand is a CSV"),
    ],
)
def test_export_supply_demand_refuses_dates_and_other_formats(capsys, extra, message):
    """A date range or a workbook is refused with one line, not ignored."""
    code, out, err = run(capsys, "export", "demo", "--view", "supply-demand", *extra)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
