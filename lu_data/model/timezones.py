"""LearnUpon (Rails ActiveSupport) time-zone names to IANA zones, and per-zone local times."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np
import pandas as pd

from lu_data.sources.rails_zones import RAILS_TO_IANA

UTC_ZONE = "UTC"
# Older exports and hand-edited files carry these spellings; they are not ambiguous.
RAILS_ALIASES: dict[str, str] = {"Kiev": "Europe/Kyiv", "Etc/UTC": "UTC", "GMT": "UTC"}


@lru_cache(maxsize=4096)
def format_offset(minutes: float) -> str:
    """Format an offset in minutes as "+HH:MM"."""
    sign = "-" if minutes < 0 else "+"
    total = int(abs(minutes))
    return f"{sign}{total // 60:02d}:{total % 60:02d}"


def resolve_zone(name: object) -> str | None:
    """Return the IANA zone for a Rails or IANA name, or None when it is not a known zone."""
    if not isinstance(name, str):
        return None
    key = name.strip()
    if not key:
        return None
    iana = RAILS_TO_IANA.get(key) or RAILS_ALIASES.get(key)
    if iana is None and key.casefold() in _CASEFOLDED:
        iana = _CASEFOLDED[key.casefold()]
    if iana is None:
        iana = key
    return iana if is_valid_zone(iana) else None


@lru_cache(maxsize=1024)
def is_valid_zone(name: str) -> bool:
    """True when name is an IANA zone this machine's tz database knows."""
    if not name or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


@lru_cache(maxsize=1)
def all_zones() -> list[str]:
    """Every IANA zone name, sorted, for pickers."""
    return sorted(z for z in available_timezones() if "/" in z or z == "UTC")


def elapsed(
    start: pd.Series[pd.Timestamp], end: pd.Series[pd.Timestamp], unit: pd.Timedelta
) -> pd.Series[float]:
    """Time from start to end per row, in units (e.g. hours); NaN where either is missing."""
    return (end - start) / unit


@overload
def localize(
    utc: pd.Series, zones: pd.Series, *, labels: Literal[True] = ...
) -> tuple[pd.Series, pd.Series, pd.Series]: ...
@overload
def localize(
    utc: pd.Series, zones: pd.Series, *, labels: Literal[False]
) -> tuple[pd.Series, None, None]: ...
def localize(
    utc: pd.Series, zones: pd.Series, *, labels: bool = True
) -> tuple[pd.Series, pd.Series | None, pd.Series | None]:
    """Return naive local wall-clock times, "+HH:MM" offsets and abbreviations per row's zone.

    One vectorised conversion per distinct zone (a column holds one zone), never per row;
    results are gathered in NumPy arrays and wrapped once, as Arrow-backed assignment per
    zone costs more than the conversion itself. labels=False skips offsets and abbreviations
    (None, None), for end times whose labels nobody reads.
    """
    n = len(utc)
    local = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    offset = np.full(n, None, dtype=object)
    abbr = np.full(n, None, dtype=object)
    if n:
        codes, names = pd.factorize(zones)  # Arrow-backed text factorizes in C++
        utc_us = utc.to_numpy(dtype="datetime64[us]")
        for code, zone in enumerate(names):
            pos = np.flatnonzero(codes == code)
            part = utc.iloc[pos]
            wall = (
                part.dt.tz_convert(str(zone)).dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
            )
            local[pos] = wall
            if labels:
                minutes = pd.Series((wall - utc_us[pos]) / np.timedelta64(1, "m")).round()
                offset[pos], abbr[pos] = _offset_labels(str(zone), minutes, part)
    if not labels:
        return pd.Series(local, index=utc.index), None, None
    return (
        pd.Series(local, index=utc.index),
        pd.Series(offset, index=utc.index, dtype="str"),
        pd.Series(abbr, index=utc.index, dtype="str"),
    )


def as_utc(value: datetime | pd.Timestamp) -> pd.Timestamp:
    """A UTC timestamp of a datetime or timestamp (naive means UTC)."""
    stamp = pd.Timestamp(value)
    return stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)


def _offset_labels(zone: str, minutes: pd.Series, utc: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    # Within one zone only a handful of offsets occur, so label each distinct offset once.
    labels = np.full(len(minutes), None, dtype=object)
    abbrs = np.full(len(minutes), None, dtype=object)
    values = minutes.to_numpy(dtype="float64", na_value=np.nan)
    tzinfo = ZoneInfo(zone)
    for value in pd.unique(values[~np.isnan(values)]):
        mask = values == value
        sample = utc[mask].iloc[0].to_pydatetime().astimezone(tzinfo)
        labels[mask] = format_offset(value)
        name = sample.tzname() or ""
        # zoneinfo gives numeric names ("+04") for zones without an abbreviation
        abbrs[mask] = name if name and name[0] not in "+-" else "UTC" + format_offset(value)
    return labels, abbrs


_CASEFOLDED = {k.casefold(): v for k, v in RAILS_TO_IANA.items()}
