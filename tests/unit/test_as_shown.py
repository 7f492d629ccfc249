"""The "As shown" CSV: a table's cells as its grid writes them, through the one CSV writer."""

from __future__ import annotations

import pandas as pd

from lu_data.exports.csv import as_shown_frame, moment_to_strftime, to_csv_bytes


def test_grid_date_patterns_become_strftime():
    assert moment_to_strftime("YYYY-MM-DD HH:mm") == "%Y-%m-%d %H:%M"
    assert moment_to_strftime("YYYY-MM-DD HH:mm [UTC]") == "%Y-%m-%d %H:%M UTC"
    assert moment_to_strftime("DD/MM [100%]") == "%d/%m 100%%"


def test_cells_are_written_as_shown_and_formula_safe():
    table = pd.DataFrame(
        {
            "Start": pd.to_datetime(["2026-12-01 09:30", None]),
            "Title": ["=HYPERLINK(1)", "Café"],
            "Fill": [0.5738, None],
            "At risk": [True, False],
            "Hours": [2.5, None],
            "Enrolled": pd.array([1234, None], dtype="Int64"),
            "Hidden": [1, 2],
        },
        index=[5, 7],
    )
    shown = as_shown_frame(
        table,
        ["Title", "Start", "Fill", "At risk", "Hours", "Enrolled"],
        {"Hours": "Teaching hours"},
        {"Start": "%Y-%m-%d %H:%M", "Fill": "percent", "Hours": "%.1f h"},
    )
    assert to_csv_bytes(shown) == (
        "\ufeffTitle,Start,Fill,At risk,Teaching hours,Enrolled\n"
        "'=HYPERLINK(1),2026-12-01 09:30,57%,Yes,2.5 h,1234\n"
        "Café,,,No,,\n"
    ).encode("utf-8")
