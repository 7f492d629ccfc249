"""The sentence under the filters says what is shown, in numbers people read at a glance."""

from __future__ import annotations

from datetime import date

from lu_data.analyses.filters import Filters, describe_view
from lu_data.model.rollups import NO_TUTOR_KEY
from tests.support.demo import demo_portal


def test_view_sentence_counts_sessions_tutors_dates_and_zone() -> None:
    """Thousands get separators; the range and zone are named."""
    portal = demo_portal(30_000)
    sessions = portal.sessions
    tutors = portal.tutors.loc[portal.tutors["tutor_key"] != NO_TUTOR_KEY]  # untaught is no one
    text = describe_view(
        sessions, Filters(date_from=date(2026, 12, 1), date_to=date(2027, 1, 26), tz="UTC")
    )
    assert len(tutors) >= 1_000  # the demo grows its team with the portal
    assert text == (
        f"{len(sessions):,} sessions · {len(tutors):,} tutors · 1 Dec 2026 – 26 Jan 2027 · "
        "times in UTC"
    )
