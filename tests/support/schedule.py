"""Small hand-laid schedules for the planning tests: ILT Center sessions placed by day and hour
after a fixed fetch time, loaded as a sessions frame or saved as a JSON export the CLI reads.

Day 0 is Monday 1 February 2027 (no clock change in Europe or America for weeks either side);
the data was fetched that day at 08:00 UTC.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from lu_data.core.source_kinds import DEFAULT_PORTAL
from lu_data.ingest.loading import session_quality
from tests.support.records import raw_portal, timed_record, tutor_fields

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

FETCHED = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)
# Tutors by number: (first name, last name); e-mail first.last@example.com, id 900 + number.
TUTORS = {1: ("Ann", "Byrne"), 2: ("Cian", "Daly"), 3: ("Eve", "Fox"), 4: ("Gus", "Hart")}
# Rooms by location id.
ROOMS = {7001: "Dublin, Liffey Room", 7002: "Cork, Lee Room", 7003: "Galway, Corrib Room"}


def tutor_email(tutor: int) -> str:
    first, last = TUTORS[tutor]
    return f"{first}.{last}@example.com".lower()


def tutor_name(tutor: int) -> str:
    return " ".join(TUTORS[tutor])


def at(day: int, hour: float) -> datetime:
    """The instant `hour` (UTC, fractions are minutes) of day `day` after the fetch day."""
    midnight = FETCHED.replace(hour=0) + timedelta(days=day)
    return midnight + timedelta(hours=hour)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def session(
    sid: int,
    day: int,
    *,
    training: int = 1,
    hour: float = 10,
    hours: float = 2,
    capacity: int | None = 10,
    enrolled: int = 3,
    room: int | None = None,
    zone: str = "Europe/Dublin",
    tutor: int = 1,
    title: str | None = None,
) -> dict[str, Any]:
    """One session record: `day` days after the fetch day at `hour` UTC, for `hours`; virtual
    unless `room` (a location id of ROOMS) is given; no seat limit for capacity None."""
    start = at(day, hour)
    first, last = TUTORS[tutor]
    return timed_record(
        sid,
        iso(start),
        iso(start + timedelta(hours=hours)),
        id=500_000 + sid,
        training_id=training,
        title=title or f"Training {training}",
        max_capacity=capacity or 0,
        number_enrolled_on_session=enrolled,
        location_id=-1 if room is None else room,
        location="" if room is None else ROOMS[room],
        address_1="",
        timezone=zone,
        **tutor_fields(900 + tutor, first, last, tutor_email(tutor)),
    )


def sessions_of_schedule(*records: dict[str, Any]) -> pd.DataFrame:
    """Only the sessions frame of the records, as the loader makes it (no rollups: quicker)."""
    return session_quality(raw_portal(records), DEFAULT_PORTAL)[0]


def save_export(path: Path, *records: dict[str, Any], fetched: datetime = FETCHED) -> Path:
    """The records as a saved JSON export (with its fetch time) at `path`, for the CLI."""
    doc = [{"lu_data": {"fetched_at": iso(fetched)}}, {"modules": list(records)}]
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path
