"""The text of times has one home: ISO text, "+HH:MM" offsets, zone labels and UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
import pytest

from lu_data.model.timezones import as_utc, format_offset, localize
from lu_data.presentation.time_text import (
    date_text,
    day_text,
    iso_local,
    iso_seconds,
    iso_utc,
    offset_labels,
    zone_text,
)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(0, "+00:00"), (60, "+01:00"), (-300, "-05:00"), (330, "+05:30"), (-570, "-09:30")],
)
def test_offsets_read_as_sign_hours_minutes(minutes, text):
    """An offset in minutes reads as ±HH:MM, half hours included."""
    assert format_offset(minutes) == text


def test_offset_labels_follow_each_row_across_a_dst_change():
    """Dublin is +01:00 in summer and +00:00 in winter; each row gets its own label."""
    utc = pd.Series(pd.to_datetime(["2026-07-01 08:00", "2026-12-01 09:00"], utc=True))
    wall = pd.Series(pd.to_datetime(["2026-07-01 09:00", "2026-12-01 09:00"]))
    assert offset_labels(wall, utc).tolist() == ["+01:00", "+00:00"]


def test_zone_text_names_the_offset_and_falls_back_to_utc():
    """A known zone shows "IST (+05:30)"; a session with no zone label reads as UTC."""
    abbr = pd.Series(["IST", None], dtype="str")
    offset = pd.Series(["+05:30", None], dtype="str")
    assert zone_text(abbr, offset).tolist() == ["IST (+05:30)", "UTC"]


@pytest.mark.parametrize(
    ("zone", "utc", "label"),
    [
        ("Asia/Kolkata", "2026-12-01 09:00", "IST (+05:30)"),  # India Standard Time
        ("Europe/Dublin", "2026-07-01 09:00", "IST (+01:00)"),  # Irish Standard Time, summer
        ("Europe/Dublin", "2026-12-01 09:00", "GMT (+00:00)"),  # Dublin in winter
        ("America/Sao_Paulo", "2026-12-01 09:00", "UTC-03:00"),  # zoneinfo's name is "-03"
        ("Asia/Dubai", "2026-12-01 09:00", "UTC+04:00"),  # "+04"
        ("UTC", "2026-12-01 09:00", "UTC"),
    ],
)
def test_zone_text_is_abbreviation_with_offset_said_once(zone, utc, label):
    """Abbreviation with offset, except where the abbreviation already is the offset."""
    _, offset, abbr = localize(pd.Series(pd.to_datetime([utc], utc=True)), pd.Series([zone]))
    assert zone_text(abbr, offset).tolist() == [label]


@pytest.mark.parametrize("abbr", ["-03", "UTC-03:00", "GMT-3", "\u221203"])
def test_numeric_abbreviations_read_as_one_utc_offset(abbr):
    """However a zone database spells a numeric name, the label is the offset once."""
    text = zone_text(pd.Series([abbr], dtype="str"), pd.Series(["-03:00"], dtype="str"))
    assert text.tolist() == ["UTC-03:00"]


def test_iso_texts_keep_missing_times_missing():
    """ISO text of UTC, local and offset-free times; a missing time stays empty, not 'NaT'."""
    utc = pd.Series(pd.to_datetime(["2026-10-20 08:00:05", None], utc=True))
    wall = pd.Series(pd.to_datetime(["2026-10-20 09:00", None]))
    offsets = pd.Series(["+01:00", "+01:00"], dtype="str")
    assert iso_utc(utc).tolist()[0] == "2026-10-20T08:00:05+00:00"
    assert iso_local(wall, offsets).tolist()[0] == "2026-10-20T09:00:00+01:00"
    assert iso_seconds(wall).tolist()[0] == "2026-10-20T09:00:00"
    assert all(pd.isna(s.iloc[1]) for s in (iso_utc(utc), iso_local(wall, offsets)))
    assert pd.isna(iso_seconds(wall).iloc[1])


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 10, 20, 8, 0),  # naive means UTC
        datetime(2026, 10, 20, 9, 0, tzinfo=timezone(timedelta(hours=1))),
        pd.Timestamp("2026-10-20 11:00", tz="Europe/Athens"),  # EEST, +03:00
        pd.Timestamp("2026-10-20 08:00"),
    ],
)
def test_as_utc_gives_the_same_instant_in_utc(value):
    """Naive, offset and zoned inputs all become the same tz-aware UTC instant."""
    stamp = as_utc(value)
    assert stamp == pd.Timestamp("2026-10-20 08:00", tz="UTC")
    assert stamp.utcoffset() == timedelta(0)
    assert stamp.to_pydatetime().tzinfo is UTC


def test_age_text_and_as_of_text_read_as_a_person_would_say_them() -> None:
    """Ages in minutes, hours or days; the as-of line gives the UTC time and the age."""
    from datetime import UTC, datetime, timedelta

    from lu_data.presentation.time_text import age_text, as_of_text

    now = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)
    assert age_text(now - timedelta(seconds=30), now) == "just now"
    assert age_text(now - timedelta(minutes=12), now) == "12 min ago"
    assert age_text(now - timedelta(minutes=89), now) == "89 min ago"
    assert age_text(now - timedelta(hours=5), now) == "5 h ago"
    assert age_text(now - timedelta(days=3), now) == "3 days ago"
    assert as_of_text(now - timedelta(minutes=12), now) == (
        "Data as of 04 Dec 2026 17:18 UTC (12 min ago)"
    )


def test_days_read_weekday_day_month_unpadded():
    """ "Tue 1 Dec 2026" in columns and single dates alike; a missing start stays missing."""
    stamps = pd.Series(pd.to_datetime(["2026-12-01 09:00", "2027-01-22 17:00", None]))
    assert day_text(stamps).tolist()[:2] == ["Tue 1 Dec 2026", "Fri 22 Jan 2027"]
    assert pd.isna(day_text(stamps).iloc[2])
    assert day_text(stamps, weekday=False, year=False).tolist()[:2] == ["1 Dec", "22 Jan"]
    assert date_text(date(2026, 12, 1)) == "Tue 1 Dec 2026"
    assert date_text(date(2026, 12, 1), weekday=False, year=False) == "1 Dec"
