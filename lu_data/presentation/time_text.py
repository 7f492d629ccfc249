"""Times as text: ISO 8601 with offsets, "+HH:MM" offsets and zone labels, fast for columns."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

import numpy as np
import pandas as pd

from lu_data.model.timezones import format_offset
from lu_data.presentation.age_words import age_text

# NumPy formats only four-digit years the way strftime does.
FOUR_DIGIT_YEARS = (np.datetime64("1000-01-01", "us"), np.datetime64("10000-01-01", "us"))
# What a missing zone label means: session times without a zone are kept in UTC.
ISO_MINUTE = "%Y-%m-%d %H:%M"  # a date and time of day, sortable: "2026-12-01 09:00"
TIME_OF_DAY = "%H:%M"
UTC_ABBR = "UTC"
UTC_OFFSET = "+00:00"
# Abbreviations that are offsets themselves: "UTC", "UTC-03:00", "GMT+4", "-03", "+0530".
NUMERIC_ABBR = r"UTC|(?:UTC|GMT)?[+\-\u2212]\d{1,2}(?::?\d{2})?"


def iso_utc(values: pd.Series) -> pd.Series:
    """tz-aware UTC datetimes as ISO 8601 text with +00:00."""
    return (_seconds_text(values) + UTC_OFFSET).where(values.notna())


def iso_local(wall: pd.Series, offsets: pd.Series) -> pd.Series:
    """Naive wall-clock datetimes plus their "+HH:MM" offsets as ISO 8601 text."""
    text = _seconds_text(wall)
    return (text + offsets.astype("str")).where(wall.notna())


def iso_seconds(values: pd.Series) -> pd.Series:
    """Naive (or UTC) datetimes as "YYYY-MM-DDTHH:MM:SS" with no offset; missing stays missing."""
    return _seconds_text(values).where(values.notna())


def offset_labels(wall: pd.Series, utc: pd.Series) -> pd.Series:
    """ "+HH:MM" offsets between naive wall-clock times and the tz-aware UTC instants they show."""
    minutes = ((wall - utc.dt.tz_localize(None)) / pd.Timedelta(minutes=1)).round()
    labels = {m: format_offset(m) for m in minutes.dropna().unique()}
    return minutes.map(labels).astype("str")


def zone_text(abbr: pd.Series, offset: pd.Series) -> pd.Series:
    """The one zone label on screen: abbreviation with offset, never said twice.

    "IST (+05:30)" in Kolkata and "IST (+01:00)" in Dublin's summer (an abbreviation alone is
    ambiguous); a zone whose abbreviation is itself an offset ("-03", "UTC-03:00" for
    America/Sao_Paulo) reads "UTC-03:00" once, and UTC reads "UTC". A row without a zone label
    is in UTC.
    """
    offset = offset.fillna(UTC_OFFSET).astype("str")
    abbr = abbr.fillna(UTC_ABBR).astype("str")
    numeric = abbr.str.fullmatch(NUMERIC_ABBR).fillna(False).astype("bool")
    as_offset = (UTC_ABBR + offset).where(offset != UTC_OFFSET, UTC_ABBR)
    return (abbr + " (" + offset + ")").where(~numeric, as_offset)


def zoned_time_text(
    wall: pd.Series,
    abbr: pd.Series,
    offset: pd.Series,
    *,
    day: Literal["iso", "short", "none"] = "iso",
) -> pd.Series:
    """Wall-clock times with their zone, in one of three styles; missing stays missing.

    "iso": "2026-12-01 09:00 GMT (+00:00)" (tables, CSV, warnings); "short": "Tue 1 Dec 09:00
    GMT (+00:00)" (lists a person reads); "none": "09:00 GMT (+00:00)" (the day said apart).
    """
    if day == "iso":
        when = wall.dt.strftime(ISO_MINUTE)
    elif day == "short":
        when = day_text(wall, year=False) + " " + wall.dt.strftime(TIME_OF_DAY)
    else:
        when = wall.dt.strftime(TIME_OF_DAY)
    return (when + " " + zone_text(abbr, offset)).where(wall.notna())


def day_text(
    values: pd.Series | pd.DatetimeIndex, *, weekday: bool = True, year: bool = True
) -> pd.Series:
    """The one on-screen day: "Tue 1 Dec 2026", "1 Dec 2026" or "Tue 1 Dec"; missing stays missing.

    Day before month and unpadded, as the calendar, the tables and the sidebar write it;
    built from parts because strftime's unpadded day ("%-d") is not portable.
    """
    stamps = pd.Series(values)
    known = stamps.notna()
    day = stamps.dt.day.astype("Int64").astype("str")
    text = day + stamps.dt.strftime(" %b %Y" if year else " %b")
    if weekday:
        text = stamps.dt.strftime("%a ") + text
    return text.astype("str").where(known)


def date_text(day: date, *, weekday: bool = True, year: bool = True) -> str:
    """One day as day_text writes it: "Tue 1 Dec 2026", "1 Dec 2026" or "1 Dec"."""
    text = f"{day.day} {day:%b}" + (f" {day:%Y}" if year else "")
    return f"{day:%a} {text}" if weekday else text


def _seconds_text(values: pd.Series) -> pd.Series:
    """ "YYYY-MM-DDTHH:MM:SS" of naive or UTC datetimes; NumPy formats ~10x faster than strftime."""
    stamps = values.to_numpy(dtype="datetime64[us]")
    known = stamps[~np.isnat(stamps)]
    if len(known) and (known.min() < FOUR_DIGIT_YEARS[0] or known.max() >= FOUR_DIGIT_YEARS[1]):
        return values.dt.strftime("%Y-%m-%dT%H:%M:%S")  # strftime pads odd years differently
    text = np.datetime_as_string(stamps.astype("datetime64[s]"), unit="s")
    return pd.Series(text, index=values.index, dtype="str")


def as_of_text(then: datetime, now: datetime) -> str:
    """ "Data as of 04 Dec 2026 17:04 UTC (12 min ago)" for a tz-aware fetch time."""
    return f"Data as of {then.astimezone(UTC):%d %b %Y %H:%M} UTC ({age_text(then, now)})"
