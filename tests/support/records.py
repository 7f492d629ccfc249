"""LearnUpon module records for tests, and the raw and loaded portals that hold them.

Every record starts from a committed sample (tests/data), so it has every field LearnUpon
sends; a test sets only the fields its case is about.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from lu_data import load_portal
from lu_data.core.raw import RawPage, RawPortal
from tests.support import DATA

if TYPE_CHECKING:
    import pandas as pd

    from lu_data.model.portal import Portal

ILT_CENTER = "sample_ilt_center.json"
LEGACY = "sample_legacy.json"


def load_records(name: str) -> list[dict]:
    """The 'modules' list of a committed sample file (a fresh copy each call)."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))["modules"]


@lru_cache(maxsize=2)
def _first_record(name: str) -> Mapping[str, Any]:
    """A sample's first record, read once and read-only.

    Every field of a sample record is a plain value (text, number or null), so a new dict of
    its fields is a copy that shares nothing a test could change.
    """
    record = load_records(name)[0]
    assert not any(isinstance(v, dict | list) for v in record.values()), name
    return MappingProxyType(record)


def ilt_record(**fields: Any) -> dict[str, Any]:
    """One ILT Center session record with `fields` set.

    Unset fields are the ILT Center sample's first record: module 405223, session 12222 of
    training 14307, 5 Jan 2022 11:00-12:30 UTC in "Dublin", 8 enrolled of 10, tutor Elsa
    Bouvier (240669), no location.
    """
    return {**_first_record(ILT_CENTER), **fields}


def timed_record(session_id: int | None, start: str, end: str, **fields: Any) -> dict[str, Any]:
    """One ILT Center session record with its id, its start and end (UTC, ISO 8601) and any
    other `fields` set (as ilt_record)."""
    return ilt_record(session_id=session_id, start_at=start, end_at=end, **fields)


def tutor_fields(
    tutor_id: int | None, first: str | None, last: str | None, email: str | None
) -> dict[str, Any]:
    """A record's tutor fields for one tutor (all None: a session without a tutor)."""
    return {
        "session_tutor_id": tutor_id,
        "tutor_first_name": first,
        "tutor_last_name": last,
        "tutor_email": email,
    }


def legacy_record(**fields: Any) -> dict[str, Any]:
    """One legacy ILT record (no session or training id) with `fields` set.

    Unset fields are the legacy sample's first record: module 552896, 8 Feb 2022 in "Dublin",
    0 enrolled of 5, no tutor.
    """
    return {**_first_record(LEGACY), **fields}


def raw_portal(
    *pages: Iterable[Any], courses: Sequence[int | None] | None = None, origin: str = "test"
) -> RawPortal:
    """Pages of records as a source hands them to the loader.

    The pages are labelled "page 1", "page 2", ...; `courses` gives each page's course id
    (none by default).
    """
    courses = courses or [None] * len(pages)
    return RawPortal(
        pages=[
            RawPage(modules=list(page), label=f"page {i}", course_id=course)
            for i, (page, course) in enumerate(zip(pages, courses, strict=True), start=1)
        ],
        origin=origin,
    )


def portal_of(*pages: Iterable[Any], courses: Sequence[int | None] | None = None) -> Portal:
    """Pages of records (as raw_portal) through the one normaliser."""
    return load_portal(raw_portal(*pages, courses=courses))


def sessions_of(*records: Any) -> pd.DataFrame:
    """The sessions frame of these records, one page of them, through the one normaliser."""
    return portal_of(records).sessions


def sample_courses(*, listed: bool = False) -> RawPortal:
    """The committed samples as a portal of three courses.

    The ILT Center sessions are linked to courses 1 and 2 (each course its own copy), the
    legacy ones sit in course 3. With `listed` the portal's course listing names the three
    ("Course 1" ...); without, it is empty.
    """
    raw = raw_portal(
        load_records(ILT_CENTER),
        load_records(ILT_CENTER),
        load_records(LEGACY),
        courses=[1, 2, 3],
        origin="sample",
    )
    listing = [{"id": i, "name": f"Course {i}"} for i in (1, 2, 3)] if listed else []
    return replace(raw, courses=listing)


def numbered_sessions(count: int) -> list[dict[str, Any]]:
    """`count` distinct ILT Center sessions, numbered 0 to count - 1 (otherwise all alike)."""
    return [ilt_record(session_id=n) for n in range(count)]
