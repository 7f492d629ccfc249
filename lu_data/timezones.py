"""LearnUpon (Rails ActiveSupport) time-zone names to IANA zones, and per-zone local times."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np
import pandas as pd

# Rails ActiveSupport::TimeZone::MAPPING (Rails 7.1, which added "Asuncion"), with the
# current canonical IANA names where Rails still uses a deprecated alias
# (Europe/Kiev -> Europe/Kyiv, America/Godthab -> America/Nuuk, Asia/Rangoon -> Asia/Yangon,
# Asia/Chongqing -> Asia/Shanghai). "International Date Line West" is pinned to UTC-12
# because LearnUpon labels it "(GMT-12:00)"; newer Rails maps it to Pacific/Midway (-11).
RAILS_TO_IANA: dict[str, str] = {
    "International Date Line West": "Etc/GMT+12",
    "Midway Island": "Pacific/Midway",
    "American Samoa": "Pacific/Pago_Pago",
    "Hawaii": "Pacific/Honolulu",
    "Alaska": "America/Juneau",
    "Pacific Time (US & Canada)": "America/Los_Angeles",
    "Tijuana": "America/Tijuana",
    "Mountain Time (US & Canada)": "America/Denver",
    "Arizona": "America/Phoenix",
    "Chihuahua": "America/Chihuahua",
    "Mazatlan": "America/Mazatlan",
    "Central Time (US & Canada)": "America/Chicago",
    "Saskatchewan": "America/Regina",
    "Guadalajara": "America/Mexico_City",
    "Mexico City": "America/Mexico_City",
    "Monterrey": "America/Monterrey",
    "Central America": "America/Guatemala",
    "Eastern Time (US & Canada)": "America/New_York",
    "Indiana (East)": "America/Indiana/Indianapolis",
    "Bogota": "America/Bogota",
    "Lima": "America/Lima",
    "Quito": "America/Lima",
    "Atlantic Time (Canada)": "America/Halifax",
    "Caracas": "America/Caracas",
    "La Paz": "America/La_Paz",
    "Santiago": "America/Santiago",
    "Asuncion": "America/Asuncion",
    "Newfoundland": "America/St_Johns",
    "Brasilia": "America/Sao_Paulo",
    "Buenos Aires": "America/Argentina/Buenos_Aires",
    "Montevideo": "America/Montevideo",
    "Georgetown": "America/Guyana",
    "Puerto Rico": "America/Puerto_Rico",
    "Greenland": "America/Nuuk",
    "Mid-Atlantic": "Atlantic/South_Georgia",
    "Azores": "Atlantic/Azores",
    "Cape Verde Is.": "Atlantic/Cape_Verde",
    "Dublin": "Europe/Dublin",
    "Edinburgh": "Europe/London",
    "Lisbon": "Europe/Lisbon",
    "London": "Europe/London",
    "Casablanca": "Africa/Casablanca",
    "Monrovia": "Africa/Monrovia",
    "UTC": "Etc/UTC",
    "Belgrade": "Europe/Belgrade",
    "Bratislava": "Europe/Bratislava",
    "Budapest": "Europe/Budapest",
    "Ljubljana": "Europe/Ljubljana",
    "Prague": "Europe/Prague",
    "Sarajevo": "Europe/Sarajevo",
    "Skopje": "Europe/Skopje",
    "Warsaw": "Europe/Warsaw",
    "Zagreb": "Europe/Zagreb",
    "Brussels": "Europe/Brussels",
    "Copenhagen": "Europe/Copenhagen",
    "Madrid": "Europe/Madrid",
    "Paris": "Europe/Paris",
    "Amsterdam": "Europe/Amsterdam",
    "Berlin": "Europe/Berlin",
    "Bern": "Europe/Zurich",
    "Zurich": "Europe/Zurich",
    "Rome": "Europe/Rome",
    "Stockholm": "Europe/Stockholm",
    "Vienna": "Europe/Vienna",
    "West Central Africa": "Africa/Algiers",
    "Bucharest": "Europe/Bucharest",
    "Cairo": "Africa/Cairo",
    "Helsinki": "Europe/Helsinki",
    "Kyiv": "Europe/Kyiv",
    "Riga": "Europe/Riga",
    "Sofia": "Europe/Sofia",
    "Tallinn": "Europe/Tallinn",
    "Vilnius": "Europe/Vilnius",
    "Athens": "Europe/Athens",
    "Istanbul": "Europe/Istanbul",
    "Minsk": "Europe/Minsk",
    "Jerusalem": "Asia/Jerusalem",
    "Harare": "Africa/Harare",
    "Pretoria": "Africa/Johannesburg",
    "Kaliningrad": "Europe/Kaliningrad",
    "Moscow": "Europe/Moscow",
    "St. Petersburg": "Europe/Moscow",
    "Volgograd": "Europe/Volgograd",
    "Samara": "Europe/Samara",
    "Kuwait": "Asia/Kuwait",
    "Riyadh": "Asia/Riyadh",
    "Nairobi": "Africa/Nairobi",
    "Baghdad": "Asia/Baghdad",
    "Tehran": "Asia/Tehran",
    "Abu Dhabi": "Asia/Muscat",
    "Muscat": "Asia/Muscat",
    "Baku": "Asia/Baku",
    "Tbilisi": "Asia/Tbilisi",
    "Yerevan": "Asia/Yerevan",
    "Kabul": "Asia/Kabul",
    "Ekaterinburg": "Asia/Yekaterinburg",
    "Islamabad": "Asia/Karachi",
    "Karachi": "Asia/Karachi",
    "Tashkent": "Asia/Tashkent",
    "Chennai": "Asia/Kolkata",
    "Kolkata": "Asia/Kolkata",
    "Mumbai": "Asia/Kolkata",
    "New Delhi": "Asia/Kolkata",
    "Kathmandu": "Asia/Kathmandu",
    "Astana": "Asia/Dhaka",
    "Dhaka": "Asia/Dhaka",
    "Sri Jayawardenepura": "Asia/Colombo",
    "Almaty": "Asia/Almaty",
    "Novosibirsk": "Asia/Novosibirsk",
    "Rangoon": "Asia/Yangon",
    "Bangkok": "Asia/Bangkok",
    "Hanoi": "Asia/Bangkok",
    "Jakarta": "Asia/Jakarta",
    "Krasnoyarsk": "Asia/Krasnoyarsk",
    "Beijing": "Asia/Shanghai",
    "Chongqing": "Asia/Shanghai",
    "Hong Kong": "Asia/Hong_Kong",
    "Urumqi": "Asia/Urumqi",
    "Kuala Lumpur": "Asia/Kuala_Lumpur",
    "Singapore": "Asia/Singapore",
    "Taipei": "Asia/Taipei",
    "Perth": "Australia/Perth",
    "Irkutsk": "Asia/Irkutsk",
    "Ulaanbaatar": "Asia/Ulaanbaatar",
    "Seoul": "Asia/Seoul",
    "Osaka": "Asia/Tokyo",
    "Sapporo": "Asia/Tokyo",
    "Tokyo": "Asia/Tokyo",
    "Yakutsk": "Asia/Yakutsk",
    "Darwin": "Australia/Darwin",
    "Adelaide": "Australia/Adelaide",
    "Canberra": "Australia/Sydney",
    "Melbourne": "Australia/Melbourne",
    "Sydney": "Australia/Sydney",
    "Brisbane": "Australia/Brisbane",
    "Hobart": "Australia/Hobart",
    "Vladivostok": "Asia/Vladivostok",
    "Guam": "Pacific/Guam",
    "Port Moresby": "Pacific/Port_Moresby",
    "Magadan": "Asia/Magadan",
    "Srednekolymsk": "Asia/Srednekolymsk",
    "Solomon Is.": "Pacific/Guadalcanal",
    "New Caledonia": "Pacific/Noumea",
    "Fiji": "Pacific/Fiji",
    "Kamchatka": "Asia/Kamchatka",
    "Marshall Is.": "Pacific/Majuro",
    "Auckland": "Pacific/Auckland",
    "Wellington": "Pacific/Auckland",
    "Nuku'alofa": "Pacific/Tongatapu",
    "Tokelau Is.": "Pacific/Fakaofo",
    "Chatham Is.": "Pacific/Chatham",
    "Samoa": "Pacific/Apia",
}

UTC_ZONE = "UTC"
# Older exports and hand-edited files carry these spellings; they are not ambiguous.
RAILS_ALIASES: dict[str, str] = {"Kiev": "Europe/Kyiv", "Etc/UTC": "UTC", "GMT": "UTC"}


@lru_cache(maxsize=4096)
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


def offset_labels(wall: pd.Series, utc: pd.Series) -> pd.Series:
    """ "+HH:MM" offsets between naive wall-clock times and the tz-aware UTC instants they show."""
    minutes = ((wall - utc.dt.tz_localize(None)) / pd.Timedelta(minutes=1)).round()
    labels = {m: format_offset(m) for m in minutes.dropna().unique()}
    return minutes.map(labels).astype("str")


def format_offset(minutes: float) -> str:
    """Format an offset in minutes as "+HH:MM"."""
    sign = "-" if minutes < 0 else "+"
    total = int(abs(minutes))
    return f"{sign}{total // 60:02d}:{total % 60:02d}"


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
