"""What a coordinator decides from leads: column order, stacked clashes, warned sessions named."""

from __future__ import annotations

import pandas as pd

from lu_data.analyses.double_bookings import double_booked_sessions, double_bookings
from lu_data.analyses.tutors import clash_rows, double_bookings_table
from lu_data.presentation.session_text import (
    WARNING_SESSION_COLUMNS,
    seats_fill_text,
    warning_sessions,
)
from lu_data.views.session_tables import (
    DECISION_COLUMNS,
    PROJECTED,
    SEATS,
    decision_first,
    sessions_table,
)
from tests.support.demo import demo_portal


def test_session_tables_lead_with_when_what_who_and_the_numbers():
    """Start, zone, title, tutor, then seats ("12/20 · 60%"); the rest keep their order."""
    table = sessions_table(demo_portal().sessions.head(5), "local", with_utc=True)
    shown = decision_first(table)
    lead = ["Start", "Zone", "Title", "Tutor", SEATS, "Enrolled", "Capacity", "Fill"]
    assert list(shown.columns[: len(lead)]) == lead
    assert sorted(shown.columns) == sorted([*table.columns, SEATS])
    rest = [c for c in table.columns if c not in DECISION_COLUMNS]
    assert list(shown.columns[-len(rest) :]) == rest
    pd.testing.assert_frame_equal(shown[table.columns], table)  # same cells, only moved


def test_seats_read_enrolled_of_capacity_and_fill():
    """One narrow text: enrolled/capacity and the fill, or "no limit" without a capacity."""
    text = seats_fill_text(
        pd.Series([12, 13, 4]), pd.Series([20, 12, None]), pd.Series([0.6, 13 / 12, None])
    )
    assert list(text) == ["12/20 · 60%", "13/12 · 108%", "4 · no limit"]


def test_fill_pace_table_puts_projection_before_days_to_start():
    """The point of the pace table, projected enrolment and fill, comes before the rest."""
    columns = ["Start", "Zone", "Title", "Days to start", "Capacity", "Enrolled", "Fill today"]
    columns += ["Projected enrolled", "Projected fill", "At risk", "Curve", "Session key"]
    table = pd.DataFrame(columns=columns)
    shown = list(decision_first(table).columns)
    assert shown[:5] == ["Start", "Zone", "Title", SEATS, PROJECTED]
    assert shown.index("Projected fill") < shown.index("Days to start")


def test_tables_without_a_start_keep_their_order():
    """Roll-ups and the team table are not session lists: their order is their own."""
    rollup = pd.DataFrame(columns=["Training", "Sessions", "Seats offered", "Fill"])
    assert list(decision_first(rollup).columns) == list(rollup.columns)


def test_clashes_stack_both_sessions_of_each_pair():
    """Two rows per clash, A then B, numbered alike; pairs and sessions counted apart."""
    sessions = demo_portal().sessions
    pairs = double_bookings(sessions)
    side_by_side = double_bookings_table(pairs, sessions, "local")
    stacked = clash_rows(side_by_side)
    assert len(stacked) == 2 * len(pairs) > 0
    assert list(stacked["Clash"]) == [n for n in range(1, len(pairs) + 1) for _ in "AB"]
    assert list(stacked["Title"][:2]) == list(side_by_side.iloc[0][["Session A", "Session B"]])
    assert list(stacked["When"][:2]) == list(side_by_side.iloc[0][["When (A)", "When (B)"]])
    assert len(pairs) <= double_booked_sessions(pairs) <= 2 * len(pairs)


def test_warnings_of_sessions_not_loaded_get_blanks():
    """A warning whose session is unknown keeps its row, with empty title, start and tutor."""
    portal = demo_portal()
    warnings = portal.quality.warnings.head(2).copy()
    warnings.loc[warnings.index[1], "session_key"] = "session:nowhere"
    named = warning_sessions(warnings, portal.sessions)
    assert list(named.columns) == [*warnings.columns, *WARNING_SESSION_COLUMNS]
    assert named.iloc[0]["title"] and named.iloc[0]["local_start"] and named.iloc[0]["tutor"]
    assert list(named.iloc[1][list(WARNING_SESSION_COLUMNS)]) == ["", "", ""]


def test_check_json_keeps_its_keys_and_adds_the_session():
    """`lu-data check --json` warnings keep every key and add title, local start and tutor."""
    portal = demo_portal()
    plain = portal.quality.to_dict()["warnings"][0]
    named = portal.quality.to_dict(warning_sessions(portal.quality.warnings, portal.sessions))[
        "warnings"
    ][0]
    assert named == {**plain, **{k: named[k] for k in WARNING_SESSION_COLUMNS}}
