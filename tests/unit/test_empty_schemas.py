"""An empty result has the columns and dtypes of a full one, as declared in the model's schema."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from lu_data import load_portal
from lu_data.analyses import capacity, forecast, tutors
from lu_data.analyses.double_bookings import double_bookings
from lu_data.analyses.rooms import room_clashes
from lu_data.analyses.supply_demand import supply_demand
from lu_data.figures.schedule import timeline_frame
from lu_data.model import result_schemas, schema
from lu_data.sources.demo import generate_demo
from lu_data.store.demo_history import demo_history
from lu_data.views import calendar_events
from tests.support import ANCHOR

AS_OF = pd.Timestamp(ANCHOR, tz="UTC")


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    """The demo's sessions."""
    return load_portal(generate_demo(anchor=ANCHOR)).sessions


def history(sessions: pd.DataFrame) -> pd.DataFrame:
    """The demo's enrolment history for these sessions (empty for no sessions)."""
    return demo_history(sessions, AS_OF)


Result = Callable[[pd.DataFrame], pd.DataFrame]
# Each public analysis that can come back empty, called on a set of sessions.
RESULTS: dict[str, tuple[Result, schema.FrameSchema | None]] = {
    "session_capacity": (capacity.session_capacity, result_schemas.SESSION_CAPACITY_DTYPES),
    "capacity_rollup by training": (capacity.capacity_rollup, None),
    "capacity_rollup by location": (lambda s: capacity.capacity_rollup(s, "location"), None),
    "fill_distribution": (capacity.fill_distribution, result_schemas.FILL_DISTRIBUTION_DTYPES),
    "weekly_capacity": (capacity.weekly_capacity, result_schemas.WEEKLY_CAPACITY_DTYPES),
    "training_summary": (tutors.training_summary, result_schemas.TRAINING_SUMMARY_DTYPES),
    "weekly_workload": (tutors.weekly_workload, result_schemas.WORKLOAD_DTYPES),
    "team_table": (tutors.team_table, result_schemas.TEAM_DTYPES),
    "double_bookings": (double_bookings, result_schemas.DOUBLE_BOOKING_DTYPES),
    "double_bookings_table": (
        lambda s: tutors.double_bookings_table(double_bookings(s), s),
        result_schemas.CLASH_DTYPES,
    ),
    "clash_rows": (
        lambda s: tutors.clash_rows(tutors.double_bookings_table(double_bookings(s), s)),
        result_schemas.CLASH_ROWS_DTYPES,
    ),
    "double_bookings_export": (
        lambda s: tutors.double_bookings_export(double_bookings(s), s),
        result_schemas.DOUBLE_BOOKING_EXPORT_DTYPES,
    ),
    "typical_curves": (
        lambda s: forecast.typical_curves(history(s), s, AS_OF),
        result_schemas.CURVE_DTYPES,
    ),
    "backtest": (
        lambda s: forecast.backtest(history(s), s, as_of=AS_OF),
        result_schemas.BACKTEST_DTYPES,
    ),
    "timeline_frame": (lambda s: timeline_frame(s, "local")[0], result_schemas.TIMELINE_DTYPES),
    "demo_history": (history, schema.HISTORY_DTYPES),
    "supply_demand": (
        lambda s: supply_demand(history(s), s, AS_OF),
        result_schemas.SUPPLY_DEMAND_DTYPES,
    ),
    "room_clashes": (room_clashes, result_schemas.ROOM_CLASH_DTYPES),
    "session_details": (
        lambda s: calendar_events.session_details(s, "ilt:1", "local"),
        result_schemas.DETAILS_DTYPES,
    ),
}


def dtypes(frame: pd.DataFrame) -> dict[str, object]:
    """Column name to dtype, in column order (categoricals compare with their categories)."""
    return dict(frame.dtypes.items())


@pytest.mark.parametrize("name", list(RESULTS))
def test_empty_result_has_the_full_results_schema(demo: pd.DataFrame, name: str) -> None:
    """Filtered to nothing, the result keeps the columns and dtypes it has on the demo."""
    compute, declared = RESULTS[name]
    if name == "session_details":
        demo = demo.assign(session_key=demo["session_key"].mask(demo.index == 0, "ilt:1"))
    full = compute(demo)
    empty = compute(demo.iloc[:0])
    assert len(full) > 0, "the demo must give a non-empty result to compare with"
    assert empty.empty
    assert list(empty.columns) == list(full.columns)
    assert dtypes(empty) == dtypes(full)
    if declared is not None:
        assert dtypes(full) == declared


def test_object_columns_fail_the_comparison() -> None:
    """The check bites: a frame built from column names alone has object dtypes."""
    built = pd.DataFrame(columns=list(result_schemas.TEAM_DTYPES))
    assert dtypes(built) != dict(result_schemas.TEAM_DTYPES)
    assert dtypes(schema.empty_frame(result_schemas.TEAM_DTYPES)) == dict(
        result_schemas.TEAM_DTYPES
    )
