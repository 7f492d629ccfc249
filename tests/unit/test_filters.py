"""The shared filters on five hand-placed sessions, with every expectation worked by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lu_data.analyses.filters import Filters, describe_view, filter_sessions
from lu_data.analyses.tutors import training_summary
from lu_data.model.schema import SESSION_DTYPES
from tests.support.records import sessions_of, timed_record, tutor_fields

# Five sessions placed around the 1 Dec 2026 date line. Their start in each display zone:
#   id  zone (Rails)                 start UTC         own zone       UTC      Australia/Sydney
#   1   Dublin (UTC+0)               30 Nov 23:30      30 Nov        30 Nov   1 Dec 10:30
#   2   Central Time (UTC-6)         1 Dec 03:00       30 Nov 21:00  1 Dec    1 Dec 14:00
#   3   Tokyo (UTC+9)                1 Dec 09:00       1 Dec 18:00   1 Dec    1 Dec 20:00
#   4   Tokyo (UTC+9)                1 Dec 14:00       1 Dec 23:00   1 Dec    2 Dec 01:00
#   5   UTC (legacy module 904)      2 Dec 10:00       2 Dec         2 Dec    2 Dec 21:00
FIVE = [
    # session id, training id, title, start, end, zone, tutor, (location, id), capacity, enrolled
    (1, 10, "Excel basics", "2026-11-30T23:30:00Z", "2026-12-01T01:00:00Z", "Dublin",
     (1, "Ana", "Ruiz"), ("Dublin Office", 7), 10, 10),  # full
    (2, 10, "Excel basics", "2026-12-01T03:00:00Z", "2026-12-01T05:00:00Z",
     "Central Time (US & Canada)", (2, "Ben", "Ode"), ("", -1), 20, 2),  # virtual, 10%: under
    (3, 20, "Leading teams", "2026-12-01T09:00:00Z", "2026-12-01T11:00:00Z", "Tokyo",
     (1, "Ana", "Ruiz"), ("Tokyo Hub", 8), 10, 6),  # 60%: healthy
    (4, 20, "Leading teams", "2026-12-01T14:00:00Z", "2026-12-01T16:00:00Z", "Tokyo",
     None, ("Tokyo Hub", 8), 10, 12),  # no tutor, overbooked
    (None, None, "Safety walk", "2026-12-02T10:00:00Z", "2026-12-02T12:00:00Z", "UTC",
     (2, "Ben", "Ode"), ("Dublin Office", 7), None, 5),  # legacy, no limit
]  # fmt: skip
LEGACY = "legacy:904"


@pytest.fixture(scope="module")
def five() -> pd.DataFrame:
    """The five hand-placed sessions, through the one normaliser."""
    records = []
    for i, (sid, tid, title, start, end, zone, tutor, place, cap, enrolled) in enumerate(FIVE):
        tutor_id, first, last = tutor if tutor else (None, None, None)
        email = f"{first.lower()}@example.com" if first else None
        records.append(
            timed_record(
                sid,
                start,
                end,
                id=900 + i if sid is None else 500 + tid,
                training_id=tid,
                title=title,
                timezone=zone,
                location=place[0],
                location_id=place[1],
                max_capacity=cap,
                number_enrolled_on_session=enrolled,
                **tutor_fields(tutor_id, first, last, email),
            )
        )
    return sessions_of(*records)


def shown(sessions: pd.DataFrame, **picked) -> list[str]:
    """The session keys the filters keep, in frame order."""
    return filter_sessions(sessions, Filters(**picked))["session_key"].tolist()


def keys(*ids: int | str) -> list[str]:
    """Session keys for the table's ids; the legacy module is named by its own key."""
    return [i if isinstance(i, str) else f"session:{i}" for i in ids]


DEC_1 = date(2026, 12, 1)
DEC_2 = date(2026, 12, 2)
NOV_30 = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("picked", "expected"),
    [
        pytest.param({}, keys(1, 2, 3, 4, LEGACY), id="nothing picked keeps all"),
        # The day is the start's date in the display zone, so one range keeps other sessions.
        pytest.param({"date_from": DEC_1, "date_to": DEC_1}, keys(3, 4), id="1 Dec own zone"),
        pytest.param(
            {"date_from": DEC_1, "date_to": DEC_1, "tz": "utc"}, keys(2, 3, 4), id="1 Dec UTC"
        ),
        pytest.param(
            {"date_from": DEC_1, "date_to": DEC_1, "tz": "Australia/Sydney"},
            keys(1, 2, 3),
            id="1 Dec Sydney",
        ),
        pytest.param(
            {"date_from": DEC_2, "date_to": DEC_2, "tz": "Australia/Sydney"},
            keys(4, LEGACY),
            id="2 Dec Sydney",
        ),
        pytest.param({"date_from": DEC_1}, keys(3, 4, LEGACY), id="from 1 Dec, no end"),
        pytest.param({"date_to": NOV_30}, keys(1, 2), id="to 30 Nov, no start"),
        pytest.param({"date_from": DEC_2, "date_to": DEC_1}, [], id="reversed range keeps none"),
        pytest.param({"trainings": ("training:10",)}, keys(1, 2), id="one training"),
        pytest.param(
            {"trainings": ("training:20", "module:904")},
            keys(3, 4, LEGACY),
            id="a training and a legacy module",
        ),
        pytest.param({"tutors": ("user:1",)}, keys(1, 3), id="one tutor"),
        pytest.param({"tutors": ("none",)}, keys(4), id="sessions without a tutor"),
        pytest.param({"locations": ("Tokyo Hub",)}, keys(3, 4), id="one location"),
        pytest.param({"locations": ("(no location)",)}, keys(2), id="virtual has no location"),
        pytest.param({"kinds": ("legacy",)}, keys(LEGACY), id="legacy modules"),
        pytest.param({"kinds": ("ilt_center",)}, keys(1, 2, 3, 4), id="ILT Center sessions"),
        pytest.param({"statuses": ("full", "overbooked")}, keys(1, 4), id="full or overbooked"),
        pytest.param({"statuses": ("under_filled",)}, keys(2), id="under-filled"),
        pytest.param({"statuses": ("no_limit",)}, keys(LEGACY), id="no limit"),
        # Different filters all have to hold.
        pytest.param(
            {
                "tutors": ("user:1",),
                "locations": ("Tokyo Hub",),
                "tz": "utc",
                "date_from": DEC_1,
                "date_to": DEC_1,
            },
            keys(3),
            id="tutor, location and day together",
        ),  # fmt: skip
        pytest.param(
            {"kinds": ("legacy",), "trainings": ("training:10",)}, [], id="nothing matches"
        ),
    ],
)
def test_filters_keep_the_hand_worked_sessions(five, picked, expected) -> None:
    """Each pick keeps exactly the sessions worked out in the table above."""
    assert shown(five, **picked) == expected


def test_no_match_keeps_the_declared_columns_and_dtypes(five) -> None:
    """An empty result is the same frame shape a full one is: pages can still draw it."""
    empty = filter_sessions(five, Filters(kinds=("legacy",), trainings=("training:10",)))
    assert empty.empty
    assert {c: str(empty[c].dtype) for c in SESSION_DTYPES if c in empty} == {
        c: str(five[c].dtype) for c in SESSION_DTYPES if c in five
    }


@pytest.mark.parametrize(
    ("picked", "expected"),
    [
        # Ana, Ben and a session nobody teaches: two tutors, not three.
        pytest.param({}, "5 sessions · 2 tutors · times in each session's own zone", id="all"),
        pytest.param(
            {"date_from": DEC_1, "date_to": DEC_1, "tz": "Australia/Sydney"},
            "3 sessions · 2 tutors · 1 Dec 2026 – 1 Dec 2026 · times in Australia/Sydney",
            id="one day in Sydney",
        ),
        pytest.param(
            {"tutors": ("user:1",), "tz": "utc", "date_from": DEC_1},
            "1 session · 1 tutor · 1 Dec 2026 – … · times in UTC",
            id="open-ended range",
        ),
        pytest.param(
            {"tutors": ("none",), "date_to": DEC_2},
            "1 session · 0 tutors · … – 2 Dec 2026 · times in each session's own zone",
            id="only a session without a tutor",
        ),
        pytest.param(
            {"kinds": ("legacy",), "trainings": ("training:10",)},
            "0 sessions · 0 tutors · times in each session's own zone",
            id="nothing shown",
        ),
    ],
)
def test_view_sentence_of_the_hand_worked_sessions(five, picked, expected) -> None:
    """The sentence under the filters counts what the filters keep, and names range and zone."""
    f = Filters(**picked)
    assert describe_view(filter_sessions(five, f), f) == expected


def test_training_summary_does_not_count_a_missing_tutor(five) -> None:
    """Leading teams: Ana teaches one session, nobody the other: one tutor."""
    summary = training_summary(five).set_index("Training")
    assert summary["Tutors"].to_dict() == {"Excel basics": 2, "Leading teams": 1, "Safety walk": 1}
