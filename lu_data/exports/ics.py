"""Calendar feeds (iCalendar, RFC 5545) of any sessions view: one event per session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import chain
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from lu_data.model.timezones import format_offset
from lu_data.presentation.session_text import seats_sentence
from lu_data.presentation.time_text import iso_seconds, offset_labels

PRODID = "-//lu-ilt-dashboard//ILT sessions//EN"
UID_DOMAIN = "lu-ilt-sessions"
DEFAULT_CALENDAR_NAME = "ILT sessions"
CRLF = "\r\n"
FOLD_OCTETS = 75  # RFC 5545 3.1: content lines SHOULD NOT be longer than 75 octets
# A line of at most this many characters fits in FOLD_OCTETS even at 4 octets per character.
SURELY_SHORT = FOLD_OCTETS // 4
# Stamps when a session has no updated_at / created_at: fixed, so output stays deterministic.
FALLBACK_STAMP = pd.Timestamp("2000-01-01", tz="UTC")
SEQUENCE_EPOCH = pd.Timestamp("2000-01-01", tz="UTC")
EPOCH = pd.Timestamp(0, tz="UTC")
SEQUENCE_MAX = 2**31 - 1  # SEQUENCE is an RFC 5545 INTEGER (signed 32 bit)
# Zones whose times are written as plain UTC ("...Z") rather than with a TZID.
UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Zulu", "Zulu"})
# zoneinfo offers no public list of transitions: sample the offset this often, then bisect.
TRANSITION_STEP = timedelta(hours=12)
# Local wall-clock times lie within 14 hours of UTC; pad the VTIMEZONE range past that.
ZONE_RANGE_PAD = timedelta(days=1)
EVENT_TAIL = "STATUS:CONFIRMED\r\nTRANSP:OPAQUE\r\nEND:VEVENT\r\n"
NO_TITLE = "(untitled session)"
# RFC 5545 TEXT allows no control characters except tab; newlines are escaped separately.
CONTROL_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def sessions_ics(sessions: pd.DataFrame, *, name: str = DEFAULT_CALENDAR_NAME) -> bytes:
    """An RFC 5545 calendar (UTF-8 bytes) with one VEVENT per session, deterministic per input."""
    s = sessions.drop_duplicates("session_key", keep="last")
    s = s.sort_values(["start_utc", "session_key"], kind="stable")
    zoned = _uses_tzid(s)
    head = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        fold_line("X-WR-CALNAME:" + escape_text(pd.Series([name], dtype="str")).iloc[0]),
    ]
    timezones = [vtimezone(zone, first, last) for zone, first, last in _zone_years(s.loc[zoned])]
    columns = [line.tolist() for line in _event_lines(s, zoned)]
    begin, end = "BEGIN:VEVENT" + CRLF, EVENT_TAIL
    # Interleave the property columns row by row and join once: no per-event string building.
    events = chain.from_iterable((begin, *row, end) for row in zip(*columns, strict=True))
    text = CRLF.join(head) + CRLF + "".join(timezones) + "".join(events)
    return (text + "END:VCALENDAR" + CRLF).encode("utf-8")


def escape_text(values: pd.Series) -> pd.Series:
    """RFC 5545 TEXT escaping: backslash, semicolon, comma and newlines; control chars dropped."""
    text = values.astype("str")
    text = text.str.replace(CONTROL_CHARS, "", regex=True)
    text = text.str.replace("\\", "\\\\", regex=False)
    text = text.str.replace(";", "\\;", regex=False).str.replace(",", "\\,", regex=False)
    # The replacement is a regex template: r"\\n" writes a backslash and an "n".
    return text.str.replace(r"\r\n|\r|\n", r"\\n", regex=True)


def fold_line(line: str) -> str:
    """Fold one content line at 75 octets (CRLF + space), never inside a UTF-8 character."""
    if len(line) <= SURELY_SHORT:
        return line
    if line.isascii():  # one octet per character: plain slicing (the common case, and fast)
        rest = range(FOLD_OCTETS, len(line), FOLD_OCTETS - 1)
        return "\r\n ".join([line[:FOLD_OCTETS], *(line[i : i + FOLD_OCTETS - 1] for i in rest)])
    data = line.encode("utf-8")
    if len(data) <= FOLD_OCTETS:
        return line
    chunks: list[bytes] = []
    start, limit = 0, FOLD_OCTETS
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: step back to the character start
            cut -= 1
        chunks.append(data[start:cut])
        # Continuation lines start with a space, which counts towards their 75 octets.
        start, limit = cut, FOLD_OCTETS - 1
    chunks.append(data[start:])
    return b"\r\n ".join(chunks).decode("utf-8")


def vtimezone(zone: str, first_year: int, last_year: int) -> str:
    """A VTIMEZONE component (CRLF lines) for an IANA zone over the given years, from zoneinfo."""
    return _vtimezone(zone, int(first_year), int(last_year))


def zone_transitions(
    zone: str, start: datetime, end: datetime
) -> list[tuple[datetime, timedelta, timedelta, str]]:
    """Offset changes of an IANA zone in [start, end): (UTC instant, offset before, after, name)."""
    tzinfo = ZoneInfo(zone)
    found = []
    t, before = start, _offset(tzinfo, start)
    while t < end:
        nxt = min(t + TRANSITION_STEP, end)
        after = _offset(tzinfo, nxt)
        if after != before:
            lo, hi = t, nxt  # offset(lo) == before, offset(hi) == after: bisect to the second
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) // 2
                if _offset(tzinfo, mid) == before:
                    lo = mid
                else:
                    hi = mid
            if hi < end:
                found.append((hi, before, after, _tzname(tzinfo, hi, after)))
        t, before = nxt, after
    return found


def _event_lines(s: pd.DataFrame, zoned: pd.Series) -> list[pd.Series]:
    """The VEVENT lines, one Series per property, each CRLF-terminated ("" when absent)."""
    uid = "UID:" + _uids(s["session_key"])
    updated = s["updated_at"].fillna(s["created_at"]).fillna(FALLBACK_STAMP)
    stamp = "DTSTAMP:" + _utc_text(updated)
    tzid = ";TZID=" + s["tz"].astype("str") + ":"
    start = _datetime_text(s["start_local"]).where(zoned, _utc_text(s["start_utc"]))
    end = _datetime_text(s["end_local"]).where(zoned, _utc_text(s["end_utc"]))
    dtstart = "DTSTART" + tzid.where(zoned, ":") + start
    dtend = "DTEND" + tzid.where(zoned, ":") + end
    # DTEND must be later than DTSTART; a zero-length session simply has none (RFC 5545 3.6.1).
    dtend = dtend.where(s["end_utc"] > s["start_utc"])
    title = s["title"].astype("str").fillna(NO_TITLE)
    summary = _folded("SUMMARY:" + escape_text(title))
    place = _place(s)
    location = _folded("LOCATION:" + escape_text(place))
    description = _folded("DESCRIPTION:" + escape_text(_description(s, place)))
    modified = "LAST-MODIFIED:" + _utc_text(s["updated_at"])
    seconds = (s["updated_at"] - SEQUENCE_EPOCH) // pd.Timedelta(seconds=1)
    sequence = "SEQUENCE:" + seconds.fillna(0).clip(0, SEQUENCE_MAX).astype("int64").astype("str")
    lines = [uid, stamp, dtstart, dtend, summary, location, description, modified, sequence]
    # Optional properties (DTEND, LOCATION, LAST-MODIFIED) are NA when unknown: no line at all.
    return [(line + CRLF).fillna("") for line in lines]


def _uids(keys: pd.Series) -> pd.Series:
    # "session:12222" -> "session-12222@lu-ilt-sessions": stable, so re-imports update events.
    safe = keys.astype("str").str.replace(r"[^A-Za-z0-9._-]", "-", regex=True)
    return safe + "@" + UID_DOMAIN


def _place(s: pd.DataFrame) -> pd.Series:
    """Location name and address, "Online" for virtual sessions without one; NA when unknown."""
    parts = [s[c] for c in ("location", "address_1", "address_2", "address_3") if c in s]
    place = _join_present(parts, ", ")
    virtual = s["is_virtual"].fillna(False).astype(bool)
    place = place.mask(place.isna() & virtual, "Online")
    return place.astype("str")


def _description(s: pd.DataFrame, place: pd.Series) -> pd.Series:
    """DESCRIPTION text (unescaped): tutor, location, seats, the session's zone and local times."""
    tutor = _join_present([s["tutor_name"], "<" + s["tutor_email"] + ">"], " ").fillna("not set")
    abbr = s["tz_abbr"].astype("str").fillna("")
    offset = s["utc_offset"].astype("str").fillna("")
    end_offset = offset_labels(s["end_local"], s["end_utc"]).fillna("")
    rows = [
        "Tutor: " + tutor,
        "Location: " + place.fillna("not set"),
        "Seats: " + seats_sentence(s),
        "Time zone: " + s["tz"].astype("str").fillna("UTC"),
        "Local start: " + _wall_text(s["start_local"]) + " " + abbr + " (UTC" + offset + ")",
        "Local end: " + _wall_text(s["end_local"]) + " (UTC" + end_offset + ")",
        "Session: " + s["session_key"].astype("str"),
    ]
    text = rows[0].fillna("")
    for row in rows[1:]:
        text = text + "\n" + row.fillna("")
    return text


def _join_present(parts: list[pd.Series], sep: str) -> pd.Series:
    """Join the non-empty values of each row; NA when a row has none."""
    out = pd.Series(pd.NA, index=parts[0].index, dtype="str")
    for part in parts:
        value = part.astype("str").str.strip()
        value = value.mask(value == "")
        joined = (out + sep + value).where(out.notna(), value)
        out = joined.where(value.notna(), out)
    return out


def _folded(lines: pd.Series) -> pd.Series:
    """Fold the lines that may exceed 75 octets; short ones (most) are left as they are."""
    long = lines.str.len() > SURELY_SHORT
    if not long.any():
        return lines
    out = lines.copy()
    out[long] = [fold_line(line) for line in lines[long].tolist()]
    return out


def _uses_tzid(s: pd.DataFrame) -> pd.Series:
    """True where DTSTART/DTEND can carry TZID + local time and still name the right instant.

    UTC sessions, and the rare start or end in the repeated hour after a fall-back (RFC 5545
    reads an ambiguous local time as its first occurrence), are written as UTC instead.
    """
    zoned = ~s["tz"].isin(UTC_ZONES) & s["tz"].notna()
    zoned &= s["start_local"].notna() & s["end_local"].notna()
    for zone, first, last in _zone_years(s.loc[zoned]):
        rows = zoned.index[zoned & (s["tz"] == zone)]
        bad = np.zeros(len(rows), dtype=bool)
        start_s = _epoch_seconds(s.loc[rows, "start_utc"])
        end_s = _epoch_seconds(s.loc[rows, "end_utc"])
        for instant, before, after, _ in _transitions(zone, first, last):
            if after < before:  # fall-back: wall times in [T, T + gap) were already seen
                lo = instant.timestamp()
                hi = lo + (before - after).total_seconds()
                bad |= (start_s >= lo) & (start_s < hi) | (end_s >= lo) & (end_s < hi)
        zoned[rows[bad]] = False
    return zoned


def _zone_years(s: pd.DataFrame) -> list[tuple[str, int, int]]:
    """(zone, first year, last year) of the sessions in each zone, sorted by zone."""
    if s.empty:
        return []
    g = s.groupby("tz", sort=True)
    spans = pd.DataFrame({"first": g["start_utc"].min(), "last": g["end_utc"].max()})
    return [
        (str(zone), int(first.year), int(last.year))
        for zone, first, last in zip(spans.index, spans["first"], spans["last"], strict=True)
    ]


@lru_cache(maxsize=1024)
def _transitions(
    zone: str, first_year: int, last_year: int
) -> tuple[tuple[datetime, timedelta, timedelta, str], ...]:
    start, end = _zone_range(first_year, last_year)
    return tuple(zone_transitions(zone, start, end))


@lru_cache(maxsize=1024)
def _vtimezone(zone: str, first_year: int, last_year: int) -> str:
    tzinfo = ZoneInfo(zone)
    start, _ = _zone_range(first_year, last_year)
    offset = _offset(tzinfo, start)
    # The first observance states the offset in force when the range starts (from == to).
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone}"]
    lines += _observance("STANDARD", start, offset, offset, _tzname(tzinfo, start, offset))
    for instant, before, after, tzname in _transitions(zone, first_year, last_year):
        # Which of a pair is "daylight" only labels it; the larger offset reads naturally so
        # (Europe/Dublin's tz data calls winter the negative-DST period).
        kind = "DAYLIGHT" if after > before else "STANDARD"
        lines += _observance(kind, instant, before, after, tzname)
    lines.append("END:VTIMEZONE")
    return CRLF.join(lines) + CRLF


def _observance(
    kind: str, instant: datetime, before: timedelta, after: timedelta, tzname: str
) -> list[str]:
    # DTSTART of an observance is the local time of the change, read in the offset before it.
    onset = (instant + before).replace(tzinfo=None)
    return [
        f"BEGIN:{kind}",
        f"DTSTART:{onset:%Y%m%dT%H%M%S}",
        f"TZOFFSETFROM:{_ics_offset(before)}",
        f"TZOFFSETTO:{_ics_offset(after)}",
        "TZNAME:" + escape_text(pd.Series([tzname], dtype="str")).iloc[0],
        f"END:{kind}",
    ]


def _zone_range(first_year: int, last_year: int) -> tuple[datetime, datetime]:
    start = datetime(first_year, 1, 1, tzinfo=UTC) - ZONE_RANGE_PAD
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC) + ZONE_RANGE_PAD
    return start, end


def _offset(tzinfo: ZoneInfo, instant: datetime) -> timedelta:
    return instant.astimezone(tzinfo).utcoffset() or timedelta(0)


def _tzname(tzinfo: ZoneInfo, instant: datetime, offset: timedelta) -> str:
    name = instant.astimezone(tzinfo).tzname() or ""
    # zoneinfo gives numeric names ("+04") for zones without an abbreviation.
    if not name or name[0] in "+-":
        return "UTC" + format_offset(offset.total_seconds() / 60)
    return name


def _ics_offset(offset: timedelta) -> str:
    """A UTC offset as RFC 5545 UTC-OFFSET: +HHMM, or +HHMMSS when it has seconds."""
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _epoch_seconds(utc: pd.Series) -> np.ndarray:
    seconds = (utc.dt.tz_convert("UTC") - EPOCH).dt.total_seconds()
    return seconds.to_numpy(dtype="float64", na_value=np.nan)


def _datetime_text(wall: pd.Series) -> pd.Series:
    """Naive datetimes as RFC 5545 local DATE-TIME: 20261020T090000."""
    return iso_seconds(wall).str.replace("-", "", regex=False).str.replace(":", "", regex=False)


def _utc_text(utc: pd.Series) -> pd.Series:
    """tz-aware datetimes as RFC 5545 UTC DATE-TIME: 20261020T080000Z."""
    return _datetime_text(utc.dt.tz_convert("UTC").dt.tz_localize(None)) + "Z"


def _wall_text(wall: pd.Series) -> pd.Series:
    """Naive datetimes as readable "2026-10-20 09:00"."""
    return iso_seconds(wall).str.slice(0, 16).str.replace("T", " ", regex=False)
