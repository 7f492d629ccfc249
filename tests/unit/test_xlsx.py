"""Excel export: sheets, typed cells in the chosen zone, frozen filtered header, formula safety."""

from __future__ import annotations

import io
import sys
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from lu_data import load_source
from lu_data.cli.commands import main
from lu_data.exports.xlsx import sessions_workbook, sheet_name, workbook_bytes
from tests.support.records import sessions_of, timed_record


def read(data: bytes) -> openpyxl.Workbook:
    """Open workbook bytes with openpyxl."""
    return openpyxl.load_workbook(io.BytesIO(data))


def column(ws, header: str) -> list:
    """The values under a header, data rows only."""
    names = [c.value for c in ws[1]]
    idx = names.index(header) + 1
    return [ws.cell(row=r, column=idx).value for r in range(2, ws.max_row + 1)]


def cell(ws, header: str, row: int = 2):
    """The cell under a header in a given sheet row."""
    names = [c.value for c in ws[1]]
    return ws.cell(row=row, column=names.index(header) + 1)


@pytest.fixture
def sample_sessions(data_dir) -> pd.DataFrame:
    """The three sessions of the committed ILT Center sample."""
    return load_source(data_dir / "sample_ilt_center.json").sessions


def test_sheets_headers_and_row_counts(sample_sessions):
    """Sessions, Trainings and Tutors sheets; a header row; one row per session/training/tutor."""
    wb = read(sessions_workbook(sample_sessions, "local"))
    assert wb.sheetnames == ["Sessions", "Trainings", "Tutors"]
    sessions = wb["Sessions"]
    headers = [c.value for c in sessions[1]]
    assert headers[:3] == ["portal", "session_key", "module_kind"]
    assert {c.value for c in sessions["A"][1:]} == {"sample_ilt_center"}  # the file's name
    for name in ("start_utc", "start_local", "tz", "utc_offset", "tz_abbr", "updated_at_utc"):
        assert name in headers
    assert sessions.max_row - 1 == len(sample_sessions) == 3
    assert wb["Trainings"].max_row - 1 == 1
    assert wb["Tutors"].max_row - 1 == 2


def test_header_is_frozen_with_autofilter_and_sized_columns(sample_sessions):
    """Every sheet freezes row 1 (A2), filters the whole table and widens its columns."""
    wb = read(sessions_workbook(sample_sessions, "local"))
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert ws[1][0].font.bold
    sessions = wb["Sessions"]
    title_width = sessions.column_dimensions[cell(sessions, "title").column_letter].width
    assert title_width > 30


def test_dates_are_excel_dates_in_the_chosen_zone_with_the_zone_beside():
    """Local columns are wall clock in the chosen zone, UTC columns in UTC, zone as its own text."""
    sessions = sessions_of(
        timed_record(1, "2026-10-20T08:00:00Z", "2026-10-20T09:30:00Z", timezone="Dublin"),
        timed_record(2, "2026-10-27T09:00:00Z", "2026-10-27T10:30:00Z", timezone="Dublin"),
    )
    own = read(sessions_workbook(sessions, "local"))["Sessions"]
    start = cell(own, "start_local")
    assert start.is_date and isinstance(start.value, datetime)
    assert column(own, "start_local") == [datetime(2026, 10, 20, 9), datetime(2026, 10, 27, 9)]
    assert column(own, "start_utc") == [datetime(2026, 10, 20, 8), datetime(2026, 10, 27, 9)]
    assert column(own, "tz") == ["Europe/Dublin", "Europe/Dublin"]
    assert column(own, "utc_offset") == ["+01:00", "+00:00"]
    tokyo = read(sessions_workbook(sessions, "Asia/Tokyo"))["Sessions"]
    assert column(tokyo, "start_local") == [datetime(2026, 10, 20, 17), datetime(2026, 10, 27, 18)]
    assert column(tokyo, "tz") == ["Asia/Tokyo", "Asia/Tokyo"]
    assert column(tokyo, "utc_offset") == ["+09:00", "+09:00"]
    assert column(tokyo, "start_utc") == [datetime(2026, 10, 20, 8), datetime(2026, 10, 27, 9)]


def test_numbers_are_numbers_and_blanks_stay_blank(sample_sessions):
    """Ids, counts, hours and fill rates are numeric cells; a missing value is an empty cell."""
    ws = read(sessions_workbook(sample_sessions, "utc"))["Sessions"]
    for header in ("session_id", "max_capacity", "enrolled", "duration_hours", "fill_rate"):
        c = cell(ws, header)
        assert c.data_type == "n" and isinstance(c.value, int | float), header
    assert cell(ws, "fill_rate").number_format == "0.0%"
    assert cell(ws, "location").value is None
    assert cell(ws, "is_virtual").value is True


def test_formula_like_titles_are_text_not_formulas():
    """=HYPERLINK(...) and friends are stored as quote-prefixed strings, never as formulas."""
    titles = [
        '=HYPERLINK("http://evil.example","click")',
        "+1+2",
        "@SUM(A1)",
        "-2+3",
        "=cmd|' /C calc'!A0",
    ]
    sessions = sessions_of(
        *(
            timed_record(i, f"2026-03-0{i}T10:00:00Z", f"2026-03-0{i}T11:00:00Z", title=t)
            for i, t in enumerate(titles, start=1)
        )
    )
    ws = read(sessions_workbook(sessions, "local"))["Sessions"]
    cells = [cell(ws, "title", row) for row in range(2, 2 + len(titles))]
    for c, title in zip(cells, titles, strict=True):
        assert c.data_type != "f"
        assert c.data_type == "s" and c.value == title.strip()
        assert c.quotePrefix  # Excel keeps it text even after the cell is edited
    assert not cell(ws, "tutor_name").quotePrefix


def test_negative_numbers_stay_numbers():
    """Formula protection only touches text: a negative number is still a number."""
    frame = pd.DataFrame({"delta": pd.array([-3, 4.5], dtype="Float64"), "note": ["-3", "\t=1+1"]})
    ws = read(workbook_bytes({"Numbers": frame}))["Numbers"]
    assert ws["A2"].value == -3 and ws["A2"].data_type == "n" and not ws["A2"].quotePrefix
    assert ws["B2"].value == "-3" and ws["B2"].data_type == "s"
    assert ws["B3"].value == "\t=1+1" and ws["B3"].data_type == "s" and ws["B3"].quotePrefix


def test_workbook_bytes_handles_any_frames_and_sheet_names():
    """Any frames: tz-aware datetimes in UTC, bad/duplicate sheet names fixed, empty sheets kept."""
    frame = pd.DataFrame(
        {
            "when_utc": pd.to_datetime(["2026-01-01T12:00:00+01:00", None], utc=True),
            "flag": [True, False],
            "text": ["a", None],
        }
    )
    data = workbook_bytes({"A/B": frame, "a_b": frame.iloc[0:0], "x" * 40: frame})
    wb = read(data)
    assert wb.sheetnames == ["A_B", "a_b (2)", "x" * 31]
    ws = wb["A_B"]
    assert ws["A2"].value == datetime(2026, 1, 1, 11)
    assert ws["A3"].value is None and ws["C3"].value is None
    assert wb["a_b (2)"].max_row == 1


def test_sheet_name_rules():
    """Sheet names lose forbidden characters, fit 31 characters and stay unique in any case."""
    used: set[str] = set()
    assert sheet_name("Q1: [draft]", used) == "Q1_ _draft_"
    assert sheet_name("q1: [DRAFT]", used) == "q1_ _DRAFT_ (2)"


def test_cli_export_xlsx(tmp_path, data_dir, capsys):
    """`lu-data export SOURCE --format xlsx -o FILE --tz ZONE` writes all three sheets."""
    target = tmp_path / "sessions.xlsx"
    src = str(data_dir / "sample_ilt_center.json")
    code = main(["export", src, "--format", "xlsx", "--tz", "Asia/Tokyo", "-o", str(target)])
    assert code == 0
    wb = read(target.read_bytes())
    assert wb.sheetnames == ["Sessions", "Trainings", "Tutors"]
    assert set(column(wb["Sessions"], "tz")) == {"Asia/Tokyo"}
    by_id = dict(
        zip(
            column(wb["Sessions"], "session_id"), column(wb["Sessions"], "start_local"), strict=True
        )
    )
    assert by_id[12222] == datetime(2022, 1, 5, 20)


def test_cli_xlsx_to_a_pipe_and_not_to_a_terminal(data_dir, capsysbinary, monkeypatch):
    """Without -o the workbook goes to a piped stdout; a terminal gets a clear error instead."""
    src = str(data_dir / "sample_ilt_center.json")
    assert main(["export", src, "--format", "xlsx"]) == 0
    out = capsysbinary.readouterr().out
    assert out.startswith(b"PK") and read(out).sheetnames[0] == "Sessions"
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["export", src, "--format", "xlsx"]) == 2
    assert b"-o FILE" in capsysbinary.readouterr().err
