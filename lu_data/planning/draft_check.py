"""Check a draft schedule before it goes into LearnUpon: each row against the source and the
other rows (tutor double-booking with the buffer, in person at two places one day, room
clash, working hours, the zone checks, unknown training or tutor, more seats than the room
has held); one output row per problem, naming what it clashes with."""

from __future__ import annotations

from datetime import time
from typing import Any

import numpy as np
import pandas as pd

from lu_data.ingest.zone_checks import zone_warnings
from lu_data.model.places import place_keys
from lu_data.model.result_schemas import DRAFT_CHECK_DTYPES
from lu_data.model.schema import (
    NO_TUTOR,
    PORTAL_COLUMN,
    SESSION_DTYPES,
    UNTITLED,
    empty_frame,
    enforce_dtypes,
)
from lu_data.model.timezones import localize
from lu_data.planning.draft_file import BadRow, DraftRow
from lu_data.planning.requests import BUFFER_MINUTES, DAY_END, DAY_START, training_titles
from lu_data.planning.shapes import session_training_keys
from lu_data.sources.record_fields import NO_LOCATION_ID

DRAFT_PREFIX = "draft:"
ROOM_FIELDS = ["location_id", "location", "address_1"]
PAIR_FIELDS = ["session_key", "title", "tutor_name", "tutor_key", "start_utc", "end_utc"]
PAIR_FIELDS += ["start_local", "end_local", "tz", "location", "address_1"]
VIRTUAL_WORDS = ("virtual", "online", "zoom", "teams", "webex")
PROBLEMS = (
    "tutor_double_booking",
    "two_locations_one_day",
    "room_clash",
    "outside_hours",
    "zone_warning",
    "room_capacity",
    "unknown_training",
    "tutor_never_taught",
    "bad_row",
)


def check_draft(
    sessions: pd.DataFrame,
    rows: list[DraftRow],
    bad: list[BadRow],
    *,
    buffer_minutes: int = BUFFER_MINUTES,
    day_start: time = DAY_START,
    day_end: time = DAY_END,
) -> pd.DataFrame:
    """One row per problem (DRAFT_CHECK_DTYPES), by draft line then problem order."""
    found: list[dict] = [_problem(b.line, b.training, pd.NaT, "bad_row", "", b.reason) for b in bad]
    if rows:
        draft = draft_sessions(sessions, rows)
        both = pd.concat([sessions, draft], ignore_index=True)
        places = place_keys(both)  # one room rule, worked out once for every check
        found += _tutor_clashes(both, draft, buffer_minutes)
        found += _elsewhere(both, draft, places)
        found += _room_clashes(both, draft, places)
        records = _records(draft)  # the row-by-row checks below share one plain copy
        found += _outside_hours(records, day_start, day_end)
        found += _zone_warnings(both, records)
        found += _capacity(sessions, records, places)
        found += _who_and_what(sessions, records)
    if not found:
        return empty_frame(DRAFT_CHECK_DTYPES)
    out = pd.DataFrame(found)
    out["order"] = out["problem"].map({p: i for i, p in enumerate(PROBLEMS)})
    out = out.sort_values(["row", "order", "clashes_with"], kind="stable", ignore_index=True)
    out["start_utc"] = pd.to_datetime(out["start_utc"], utc=True)
    return enforce_dtypes(out, DRAFT_CHECK_DTYPES)


def check_summary(problems: pd.DataFrame, rows: int) -> str:
    """ "0 problems in 12 rows", or the count of problems and of rows with one."""
    n = len(problems)
    hit = problems["row"].nunique() if n else 0
    if not n:
        return f"0 problems in {rows} row{'s' if rows != 1 else ''}"
    return f"{n} problem{'s' if n != 1 else ''} in {hit} of {rows} row{'s' if rows != 1 else ''}"


def draft_sessions(sessions: pd.DataFrame, rows: list[DraftRow]) -> pd.DataFrame:
    """The draft's rows as sessions (SESSION_DTYPES) keyed "draft:LINE", matched to the
    source's trainings (title or id), tutors (e-mail) and rooms (location id or name)."""
    titles = _training_lookup(sessions)
    names = training_titles(sessions)
    tutors = sessions.dropna(subset=["tutor_email"]).drop_duplicates("tutor_email")
    by_email = {
        str(email).casefold(): (name, tutor_id, key)
        for email, name, tutor_id, key in zip(
            tutors["tutor_email"],
            tutors["tutor_name"],
            tutors["tutor_id"],
            tutors["tutor_key"],
            strict=True,
        )
    }
    rooms = _rooms_by_name(sessions)
    rooms_by_id = _rooms_by_id(sessions)
    records = []
    for r in rows:
        key = titles.get(r.training.casefold())
        tutor = by_email.get(r.tutor_email)
        virtual = r.location_id == NO_LOCATION_ID or (
            r.location_id is None
            and (not r.location or any(w in r.location.casefold() for w in VIRTUAL_WORDS))
        )
        room = None
        if not virtual:
            if r.location_id is not None:
                room = rooms_by_id.get(r.location_id)
            else:
                room = rooms.get(r.location.casefold())
        records.append(
            {
                PORTAL_COLUMN: sessions[PORTAL_COLUMN].iloc[0] if len(sessions) else "",
                "session_key": f"{DRAFT_PREFIX}{r.line}",
                "module_kind": "ilt_center",
                "training_key": key,
                "title": r.training if key is None else str(names.get(key, UNTITLED)),
                "start_utc": r.start_utc,
                "end_utc": r.end_utc,
                "tz": r.zone,
                "timezone": r.zone,
                "duration_hours": (r.end_utc - r.start_utc).total_seconds() / 3600,
                "max_capacity": r.capacity,
                "tutor_email": r.tutor_email,
                "tutor_name": tutor[0] if tutor is not None else r.tutor_email,
                "tutor_id": tutor[1] if tutor is not None else pd.NA,
                "tutor_key": tutor[2] if tutor is not None else f"email:{r.tutor_email}",
                "location_id": r.location_id if room is None else room["location_id"],
                "location": r.location if room is None or r.location else room["location"],
                "address_1": None if room is None else room["address_1"],
                "is_virtual": virtual,
            }
        )
    frame = pd.DataFrame(records)
    local, offset, abbr = localize(frame["start_utc"], frame["tz"])
    frame["start_local"], frame["utc_offset"], frame["tz_abbr"] = local, offset, abbr
    frame["end_local"] = localize(frame["end_utc"], frame["tz"], labels=False)[0]
    return enforce_dtypes(frame, SESSION_DTYPES)


def _tutor_clashes(both: pd.DataFrame, draft: pd.DataFrame, gap: int) -> list[dict]:
    """A draft row within `gap` minutes of another session of its tutor (or another row)."""
    buffer = pd.Timedelta(minutes=gap)
    pairs = _pairs(both, draft, "tutor_key")
    near = (pairs["start_utc_o"] < pairs["end_utc"] + buffer) & (
        pairs["end_utc_o"] + buffer > pairs["start_utc"]
    )
    pairs = pairs.loc[near.to_numpy()]
    out = []
    for p in pairs.to_dict("records"):
        touching = p["start_utc_o"] < p["end_utc"] and p["end_utc_o"] > p["start_utc"]
        how = "overlaps" if touching else f"is within the {gap}-minute buffer of"
        reason = f"{p['tutor_name']} {how} {_when(p)}"
        out.append(_found(p, "tutor_double_booking", reason))
    return out


def _elsewhere(both: pd.DataFrame, draft: pd.DataFrame, places: pd.Series) -> list[dict]:
    """An in-person draft row on a local day its tutor teaches in person somewhere else."""
    keep = places.notna().to_numpy() & both["tutor_key"].isin(draft["tutor_key"]).to_numpy()
    placed = both.loc[keep].assign(place=places.to_numpy()[keep])
    placed = placed.assign(day=placed["start_local"].dt.normalize())
    drafted = placed.loc[placed["session_key"].isin(draft["session_key"]).to_numpy()]
    pairs = _pairs(placed, drafted, "tutor_key", extra=["place", "day"])
    pairs = pairs.loc[
        (pairs["day"].eq(pairs["day_o"]) & pairs["place"].ne(pairs["place_o"])).to_numpy()
    ]
    out = []
    for p in pairs.to_dict("records"):
        where = p["location_o"] if isinstance(p["location_o"], str) else p["address_1_o"]
        reason = f"{p['tutor_name']} teaches in person at {where} that day ({_when(p)})"
        out.append(_found(p, "two_locations_one_day", reason))
    return out


def _room_clashes(both: pd.DataFrame, draft: pd.DataFrame, places: pd.Series) -> list[dict]:
    """A draft row in a room another session (or row) holds at the same time."""
    drafted_places = places.loc[both["session_key"].isin(draft["session_key"]).to_numpy()]
    keep = places.isin(drafted_places.dropna()).to_numpy()
    placed = both.loc[keep].assign(place=places.to_numpy()[keep])
    drafted = placed.loc[placed["session_key"].isin(draft["session_key"]).to_numpy()]
    pairs = _pairs(placed, drafted, "place")
    overlap = (pairs["start_utc_o"] < pairs["end_utc"]) & (pairs["end_utc_o"] > pairs["start_utc"])
    out = []
    for p in pairs.loc[overlap.to_numpy()].to_dict("records"):
        room = p["location"] if isinstance(p["location"], str) else p["address_1"]
        out.append(_found(p, "room_clash", f"{room} is booked {_when(p)}"))
    return out


def _pairs(
    pool: pd.DataFrame, drafted: pd.DataFrame, on: str, extra: list[str] | None = None
) -> pd.DataFrame:
    """Each draft row beside every other session of `pool` sharing its `on` value: the
    other's columns suffixed _o. Only the pool rows sharing a value are joined."""
    fields = [*dict.fromkeys([*PAIR_FIELDS, on, *(extra or [])])]
    mine = drafted[[c for c in fields if c in drafted]]
    near = pool.loc[pool[on].isin(mine[on]).to_numpy(), [c for c in fields if c in pool]]
    pairs = mine.merge(near, on=on, suffixes=("", "_o"))
    return pairs.loc[pairs["session_key"].ne(pairs["session_key_o"]).to_numpy()]


def _found(p: dict, problem: str, reason: str) -> dict:
    """A problem of a draft row from a joined pair: the other session named."""
    return _problem(
        int(str(p["session_key"]).removeprefix(DRAFT_PREFIX)),
        str(p["title"]),
        p["start_utc"],
        problem,
        _named_pair(p),
        reason,
    )


def _outside_hours(records: list[dict], day_start: time, day_end: time) -> list[dict]:
    """Rows starting before or ending after the working hours in their own zone."""
    open_from = day_start.hour * 60 + day_start.minute
    open_to = day_end.hour * 60 + day_end.minute
    out = []
    for row in records:
        start = row["start_local"].hour * 60 + row["start_local"].minute
        end = row["end_local"].hour * 60 + row["end_local"].minute
        if start < open_from or end > open_to or end < open_from:
            hours = f"{day_start:%H:%M}–{day_end:%H:%M}"
            span = f"{row['start_local']:%H:%M}–{row['end_local']:%H:%M}"
            out.append(_own(row, "outside_hours", f"runs {span} in {row['tz']}, outside {hours}"))
    return out


def _zone_warnings(both: pd.DataFrame, records: list[dict]) -> list[dict]:
    """The data-quality zone checks (odd local hours, a location's other zone) on draft rows."""
    warnings = zone_warnings(both)
    said = dict(zip(warnings["session_key"].tolist(), warnings["message"].tolist(), strict=True))
    return [
        _own(row, "zone_warning", str(said[row["session_key"]]))
        for row in records
        if row["session_key"] in said
    ]


def _capacity(sessions: pd.DataFrame, records: list[dict], places: pd.Series) -> list[dict]:
    """Rows offering more seats than any session in their room has held."""
    n = len(sessions)
    existing = pd.Series(places.to_numpy()[:n], index=sessions.index)
    most = sessions["max_capacity"].groupby(existing).max().dropna().to_dict()
    out = []
    for row, place in zip(records, places.to_numpy()[n:], strict=True):
        seats, top = row["max_capacity"], most.get(place)
        if top is not None and isinstance(seats, int | np.integer) and seats > top:
            room = row["location"] if isinstance(row["location"], str) else row["address_1"]
            reason = f"{seats} seats, more than {room} has held ({int(top)})"
            out.append(_own(row, "room_capacity", reason))
    return out


def _who_and_what(sessions: pd.DataFrame, records: list[dict]) -> list[dict]:
    """Warnings: a training the source does not know, a tutor who never taught it."""
    pairs = pd.DataFrame(
        {"training": session_training_keys(sessions), "tutor": sessions["tutor_key"]}
    ).drop_duplicates()
    taught = set(zip(pairs["training"].tolist(), pairs["tutor"].tolist(), strict=True))
    out = []
    for row in records:
        if not isinstance(row["training_key"], str):
            reason = f"no training '{row['title']}' in the source (a warning: it may be new)"
            out.append(_own(row, "unknown_training", reason))
        elif (row["training_key"], row["tutor_key"]) not in taught:
            reason = f"{row['tutor_name']} has not taught {row['title']} in the source (a warning)"
            out.append(_own(row, "tutor_never_taught", reason))
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts (missing values as None)."""
    return [
        {str(k): (None if v is pd.NA or v is pd.NaT else v) for k, v in r.items()}
        for r in frame.to_dict("records")
    ]


def _own(row: dict[str, Any], problem: str, reason: str) -> dict:
    """A problem of a draft row on its own (no other session named)."""
    line = int(str(row["session_key"]).removeprefix(DRAFT_PREFIX))
    return _problem(line, str(row["title"] or UNTITLED), row["start_utc"], problem, "", reason)


def _problem(
    line: int, title: str, start: object, problem: str, clashes_with: str, reason: str
) -> dict:
    """One output row."""
    return {
        "row": line,
        "training_title": title,
        "start_utc": start,
        "problem": problem,
        "clashes_with": clashes_with,
        "reason": reason,
    }


def _named_pair(p: dict) -> str:
    """The other session of a pair as a clash names it: key (or draft row), title, tutor."""
    key = str(p["session_key_o"])
    title = p["title_o"] if isinstance(p["title_o"], str) else UNTITLED
    tutor = p["tutor_name_o"] if isinstance(p["tutor_name_o"], str) else NO_TUTOR
    label = f"draft row {key.removeprefix(DRAFT_PREFIX)}" if key.startswith(DRAFT_PREFIX) else key
    return f"{label}: {title} ({tutor})"


def _when(p: dict) -> str:
    """The other session's time in its own zone: "2027-01-12 09:00–11:00 Europe/Dublin"."""
    start, end, zone = p["start_local_o"], p["end_local_o"], p["tz_o"]
    if start is None or pd.isna(start):
        return "at the same time"
    end_text = f"{end:%H:%M}" if end is not None and pd.notna(end) else "?"
    return f"{start:%Y-%m-%d %H:%M}–{end_text} {zone if isinstance(zone, str) else 'UTC'}"


def _training_lookup(sessions: pd.DataFrame) -> dict[str, str]:
    """Title (any case) or training id as text -> training key."""
    frame = pd.DataFrame(
        {
            "title": sessions["title"].fillna("").str.casefold(),
            "id": sessions["training_id"].astype("Float64"),
            "key": session_training_keys(sessions),
        }
    ).drop_duplicates()
    lookup = dict(zip(frame["title"].tolist(), frame["key"].tolist(), strict=True))
    ids = frame.dropna(subset=["id"])
    lookup |= {str(int(i)): k for i, k in zip(ids["id"].tolist(), ids["key"].tolist(), strict=True)}
    lookup.pop("", None)
    return lookup


def _rooms_by_name(sessions: pd.DataFrame) -> dict[str, dict]:
    """In-person locations by name (any case): a room of the source, for a row naming it."""
    places = place_keys(sessions)
    placed = sessions.loc[places.notna().to_numpy() & sessions["location"].notna().to_numpy()]
    firsts = placed.drop_duplicates("location")
    return {str(r["location"]).casefold(): r for r in firsts[ROOM_FIELDS].to_dict("records")}


def _rooms_by_id(sessions: pd.DataFrame) -> dict[int, dict]:
    """In-person locations by id: a room of the source, for a row giving its id."""
    placed = sessions.loc[sessions["location_id"].notna().to_numpy()]
    placed = placed.loc[~placed["is_virtual"].fillna(False).astype(bool).to_numpy()]
    firsts = placed.drop_duplicates("location_id")
    return {int(r["location_id"]): r for r in firsts[ROOM_FIELDS].to_dict("records")}
