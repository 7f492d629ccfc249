"""A time zone picked wrong: hand-built cases with known answers, and where the warnings show."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from lu_data.ingest.zone_checks import MIXED_ZONES, ODD_HOURS, zone_warnings
from lu_data.model.timezones import localize
from tests.support import ANCHOR, ROOT
from tests.support.demo import in_one_place

SYDNEY, DUBLIN = "Australia/Sydney", "Europe/Dublin"


@pytest.fixture
def sydney(demo_portal) -> pd.DataFrame:
    """Four in-person sessions at one Sydney location, 10:00–12:00 Sydney time, in Sydney."""
    s = in_one_place(demo_portal.sessions, 4, 7005, "Sydney Office")
    starts = pd.Series(
        [pd.Timestamp(f"2026-12-{d:02d} 10:00", tz=SYDNEY).tz_convert("UTC") for d in (7, 8, 9, 10)]
    )
    set_times(s, starts, starts + pd.Timedelta(hours=2), SYDNEY, "Sydney")
    return s


def set_times(s: pd.DataFrame, start: pd.Series, end: pd.Series, zone: str, rails: str, rows=None):
    """Give rows (default all) these UTC times, read in `zone` (Rails name `rails`)."""
    rows = s.index if rows is None else rows
    zones = pd.Series(zone, index=rows)
    s.loc[rows, "start_utc"] = start.set_axis(rows)
    s.loc[rows, "end_utc"] = end.set_axis(rows)
    s.loc[rows, "start_local"] = localize(s.loc[rows, "start_utc"], zones, labels=False)[0]
    s.loc[rows, "end_local"] = localize(s.loc[rows, "end_utc"], zones, labels=False)[0]
    s.loc[rows, "tz"] = zone
    s.loc[rows, "timezone"] = rails


def test_a_consistent_location_at_sensible_hours_is_fine(sydney):
    assert zone_warnings(sydney).empty


def test_dublin_picked_for_a_sydney_class_names_its_hours_there(sydney):
    """The same instant, labelled Dublin: 23:00–01:00 there, 10:00–12:00 in Sydney."""
    set_times(
        sydney, sydney.loc[[3], "start_utc"], sydney.loc[[3], "end_utc"], DUBLIN, "Dublin", [3]
    )
    found = zone_warnings(sydney)
    odd = found.loc[found["code"] == ODD_HOURS]
    assert list(odd["session_key"]) == [sydney.loc[3, "session_key"]]
    assert odd["message"].iloc[0] == (
        "Sydney Office: the other 3 sessions here are in Sydney; in Sydney this session would "
        "run 10:00–12:00 (it is set to 23:00–01:00 in Dublin)."
    )
    # The location now uses two zones: the session in the odd one out says so too.
    mixed = found.loc[found["code"] == MIXED_ZONES]
    assert list(mixed["message"]) == [
        "Sydney Office: 3 sessions here are in Sydney, this one in Dublin."
    ]


@pytest.mark.parametrize(
    ("start", "end", "odd"),
    [
        ("06:59", "09:00", True),
        ("07:00", "09:00", False),
        ("20:00", "22:00", False),  # ending at 22:00 is fine
        ("21:00", "22:01", True),
        ("23:00", "23:30", True),
    ],
)
def test_the_hours_nobody_teaches(sydney, start, end, odd):
    first = pd.Timestamp(f"2026-12-07 {start}", tz=SYDNEY).tz_convert("UTC")
    last = pd.Timestamp(f"2026-12-07 {end}", tz=SYDNEY).tz_convert("UTC")
    set_times(sydney, pd.Series([first]), pd.Series([last]), SYDNEY, "Sydney", [0])
    found = zone_warnings(sydney)
    assert bool((found["code"] == ODD_HOURS).any()) is odd
    if odd:  # its own location agrees with its zone: the generic question, with its times
        assert found["message"].iloc[0].startswith(f"In person {start}–{end} in Sydney")


def test_virtual_and_unzoned_sessions_are_left_out(sydney):
    set_times(
        sydney, sydney.loc[[3], "start_utc"], sydney.loc[[3], "end_utc"], DUBLIN, "Dublin", [3]
    )
    sydney.loc[3, "is_virtual"] = True
    assert zone_warnings(sydney).empty
    sydney.loc[3, "is_virtual"] = False
    assert zone_warnings(sydney, unzoned=sydney.loc[[3], "session_key"]).empty


def test_the_warnings_reach_check_text_and_json():
    """`lu-data check` lists them (text and --json), like every other warning."""

    def check(*args: str) -> str:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "lu_data",
                "check",
                "demo",
                "--anchor",
                ANCHOR.isoformat(),
                *args,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    report = json.loads(check("--json"))
    codes = {w["code"] for w in report["warnings"]}
    assert {ODD_HOURS, MIXED_ZONES} <= codes
    mixed = next(w for w in report["warnings"] if w["code"] == MIXED_ZONES)
    assert (
        mixed["message"]
        == "Berlin Campus, Raum Spree: 13 sessions here are in Berlin, this one in London."
    )
    assert "1 x Sessions at one location set in different time zones" in check()
