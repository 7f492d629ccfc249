"""The CSV and Excel session exports are built from one frame, so they show the same times."""

from __future__ import annotations

import pandas as pd
import pytest

from lu_data import load_portal
from lu_data.exports.csv import sessions_export
from lu_data.exports.xlsx import sessions_sheet
from lu_data.presentation.time_text import iso_local
from lu_data.sources.demo import generate_demo
from tests.support import ANCHOR


@pytest.fixture(scope="module")
def sessions() -> pd.DataFrame:
    """The demo's sessions."""
    return load_portal(generate_demo(anchor=ANCHOR, n_sessions=200)).sessions


@pytest.mark.parametrize("tz", ["local", "utc", "America/New_York"])
def test_csv_and_excel_carry_the_same_local_times_and_zone(sessions, tz):
    """Each CSV row's local start/end text is the Excel row's wall clock and offset."""
    csv = sessions_export(sessions, tz).reset_index(drop=True)
    sheet = sessions_sheet(sessions, tz)
    assert (
        csv["start_local"].tolist() == iso_local(sheet["start_local"], sheet["utc_offset"]).tolist()
    )
    assert (
        csv["end_local"].tolist() == iso_local(sheet["end_local"], sheet["end_utc_offset"]).tolist()
    )
    for col in ("tz", "utc_offset", "tz_abbr", "duration_hours", "session_key"):
        assert csv[col].tolist() == sheet[col].tolist(), col


def test_utc_choice_puts_every_local_time_at_plus_zero(sessions):
    """With --tz utc both exports say UTC and +00:00 on every row."""
    csv = sessions_export(sessions, "utc")
    sheet = sessions_sheet(sessions, "utc")
    assert set(csv["tz"]) == set(sheet["tz"]) == {"UTC"}
    assert csv["start_local"].dropna().str.endswith("+00:00").all()
    assert (sheet["start_local"].dropna() == sheet["start_utc"].dropna()).all()
