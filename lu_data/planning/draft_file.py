"""A draft schedule from a CSV: the plan CSV of new sessions, or one made by hand with at
least training, start, end, zone, tutor e-mail and location. Every row is read or named as
bad, with why; a file that cannot be a draft at all is one clear error."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd

from lu_data.model.timezones import resolve_zone
from lu_data.planning.requests import PlanError

MAX_DRAFT_BYTES = 5_000_000  # a draft of thousands of sessions is far smaller
FORMULA_STARTS = ("=", "+", "@", "-")
# Each field a draft needs, and the column names that may hold it (first found wins).
FIELDS: dict[str, tuple[str, ...]] = {
    "training": ("training_title", "training", "title", "training_id"),
    "start": ("start_utc", "start_local", "start"),
    "end": ("end_utc", "end_local", "end"),
    "zone": ("zone", "timezone", "time_zone", "tz"),
    "tutor": ("tutor_email", "tutor", "email"),
    "location": ("location_id", "location", "room"),
}
OPTIONAL = {"location_name": ("location",), "capacity": ("capacity", "max_capacity")}
UNPLACED = "unplaced"  # the plan CSV's action for a session it found no place for
TIME_HINT = "write 2027-01-12 09:00 (in the row's zone) or 2027-01-12T09:00:00+00:00"


@dataclass(frozen=True)
class DraftRow:
    """One readable row: its line in the file (the header is line 1) and its values."""

    line: int
    training: str
    start_utc: pd.Timestamp
    end_utc: pd.Timestamp
    zone: str
    tutor_email: str
    location_id: int | None
    location: str
    capacity: int | None


@dataclass(frozen=True)
class BadRow:
    """A row that could not be read, and why."""

    line: int
    training: str
    reason: str


def read_draft(data: bytes) -> tuple[list[DraftRow], list[BadRow]]:
    """The rows of a draft CSV (UTF-8, with or without BOM); bad rows named with why."""
    if len(data) > MAX_DRAFT_BYTES:
        raise PlanError(
            f"the draft is {len(data) / 1e6:.1f} MB: at most {MAX_DRAFT_BYTES / 1e6:.0f} MB"
        )
    text = data.decode("utf-8-sig", errors="replace").replace("\x00", "\ufffd")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise PlanError(f"the draft's header row cannot be read as CSV: {exc}") from None
    if not header or not any(cell.strip() for cell in header):
        raise PlanError("the draft is empty: it needs a header row and one row per session")
    if any("\ufffd" in cell for cell in header):
        raise PlanError("the draft's header row is not UTF-8 text: save the file as CSV UTF-8")
    names = [cell.strip().casefold().replace(" ", "_") for cell in header]
    where = {field: _column(names, options) for field, options in FIELDS.items()}
    missing = [field for field, at in where.items() if at is None]
    if missing:
        raise PlanError(
            f"the draft has no {', '.join(missing)} column: it needs "
            + ", ".join(f"{f} ({'/'.join(FIELDS[f][:2])})" for f in FIELDS)
        )
    extra = {field: _column(names, options) for field, options in OPTIONAL.items()}
    action = _column(names, ("action",))  # the plan CSV's: a row it could not place is none
    if extra["location_name"] == where["location"]:  # one column: an id or a name, not both
        extra["location_name"] = None
    rows: list[DraftRow] = []
    bad: list[BadRow] = []
    for number, cells in enumerate(_records(reader), start=2):
        if isinstance(cells, csv.Error):
            bad.append(BadRow(number, "", f"cannot be read as CSV: {cells}"))
            continue
        if not any(cell.strip() for cell in cells):
            continue  # a blank line is no session
        if _cell(cells, action).casefold() == UNPLACED:
            continue  # the plan's line for a session it could not place: nothing to check
        values = {f: _cell(cells, at) for f, at in where.items()}
        more = {f: _cell(cells, at) for f, at in extra.items()}
        try:
            rows.append(_row(number, values, more))
        except ValueError as exc:
            bad.append(BadRow(number, values["training"][:200], str(exc)))
    return rows, bad


def _records(reader: Iterator[list[str]]) -> Iterator[list[str] | csv.Error]:
    """Each record's cells, or the error of a record the csv module refuses (a cell over its
    field size limit): the reader goes on at the next line."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield exc


def _row(line: int, v: dict[str, str], more: dict[str, str]) -> DraftRow:
    """One row read, or ValueError saying what is wrong with it."""
    if any("\ufffd" in cell for cell in (*v.values(), *more.values())):
        raise ValueError("holds bytes that are not UTF-8 text: save the file as CSV UTF-8")
    if any("\n" in cell or "\r" in cell for cell in (*v.values(), *more.values())):
        raise ValueError(
            'a cell runs over several lines (a quote " not closed?): '
            "the lines after it were read into this row"
        )
    for field in ("training", "tutor", "location"):
        if v[field].startswith(FORMULA_STARTS) and not _is_number(v[field]):
            raise ValueError(f"its {field} '{v[field][:40]}' is a formula, not a value")
    if not v["training"]:
        raise ValueError("no training")
    zone = resolve_zone(v["zone"])
    if zone is None:
        raise ValueError(f"zone '{v['zone'][:60]}' is not a time zone (e.g. Europe/Dublin)")
    start = _instant(v["start"], zone, "start")
    end = _instant(v["end"], zone, "end")
    if end <= start:
        raise ValueError(f"it ends ({v['end']}) before it starts ({v['start']})")
    if not v["tutor"] or "@" not in v["tutor"]:
        raise ValueError(f"tutor '{v['tutor'][:60]}' is not an e-mail address")
    location_id = int(v["location"]) if _is_int(v["location"]) else None
    name = more.get("location_name", "") or ("" if location_id is not None else v["location"])
    capacity_text = more.get("capacity", "")
    if capacity_text and not _is_int(capacity_text):
        raise ValueError(f"capacity '{capacity_text[:20]}' is not a whole number")
    return DraftRow(
        line=line,
        training=v["training"],
        start_utc=start,
        end_utc=end,
        zone=zone,
        tutor_email=v["tutor"].casefold(),
        location_id=location_id,
        location=name,
        capacity=int(capacity_text) if capacity_text else None,
    )


def _instant(text: str, zone: str, what: str) -> pd.Timestamp:
    """A time with an offset as that instant; without one, as wall clock in the row's zone."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{what} '{text[:40]}' is not a date and time: {TIME_HINT}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return pd.Timestamp(moment).tz_convert("UTC")


def _column(names: list[str], options: tuple[str, ...]) -> int | None:
    """The position of the first of `options` among the header's names."""
    for option in options:
        if option in names:
            return names.index(option)
    return None


def _cell(cells: list[str], at: int | None) -> str:
    return cells[at].strip() if at is not None and at < len(cells) else ""


def _is_int(text: str) -> bool:
    return text.lstrip("-").isdigit()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
