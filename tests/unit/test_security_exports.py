"""Security of exports: formulas neutralised in every CSV and workbook, numbers intact."""

from __future__ import annotations

import csv
import io
import json

from lu_data import load_portal
from lu_data.cli.commands import main
from lu_data.exports.csv import EXPORT_VIEWS, to_csv_bytes, view_frame
from lu_data.sources.files import dump_portal, read_files
from tests.support.security import (
    FORMULA_TITLE,
    check_csv,
    check_xlsx,
    hostile_portal,
    hostile_records,
)


def test_csv_exports_neutralise_formulas_and_keep_negative_numbers(tmp_path, capsys):
    """Every CSV path (views, CLI, quality tables) defuses formulas; -06:00 and -42 stay as is."""
    portal = load_portal(hostile_portal())
    for view in EXPORT_VIEWS:
        rows = check_csv(to_csv_bytes(view_frame(portal.sessions, view)), f"view {view}")
        if view == "sessions":
            cells = {c for row in rows for c in row}
            assert "'" + FORMULA_TITLE in cells and "-06:00" in cells and "-42" in cells
            assert "'-1+1" in cells and "'+1 (555) 0100" in cells
    source = tmp_path / "hostile.json"
    source.write_bytes(dump_portal(hostile_portal()))
    for view in EXPORT_VIEWS:
        out = tmp_path / f"{view}.csv"
        assert main(["export", str(source), "--view", view, "-o", str(out)]) == 0
        check_csv(out.read_bytes(), f"cli export {view}")
    # a rejected record, from a file named like a formula, in the quality tables
    bad = dict(hostile_records()[2], start_at=None)
    raw = read_files([("=cmd|' /C calc'!A0.json", json.dumps({"modules": [bad]}).encode())], "up")
    report = load_portal(raw).quality
    rows = check_csv(to_csv_bytes(report.rejected), "quality rejected")
    assert any(c.startswith("'=cmd") for row in rows for c in row)
    assert any(c == "'" + FORMULA_TITLE for row in rows for c in row)
    capsys.readouterr()


def test_neutralising_leaves_numbers_alone() -> None:
    """Numbers, negative numbers and numeric text are written unchanged; formulas are quoted."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "n": pd.array([-3, 4], dtype="Int64"),
            "f": [-1.5, 2.0],
            "s": ["-3", "=1+1"],
            "offset": ["-05:00", "+01:00"],
        }
    )
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"))))
    assert rows[1:] == [["-3", "-1.5", "-3", "-05:00"], ["4", "2.0", "'=1+1", "+01:00"]]


def test_xlsx_export_has_no_formulas() -> None:
    """The Excel export writes hostile titles as text cells, never as formulas."""
    from lu_data.exports.xlsx import sessions_workbook

    check_xlsx(sessions_workbook(load_portal(hostile_portal()).sessions), "xlsx")
