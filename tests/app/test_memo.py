"""ui.memo: work cached per view, keyed by the function and its inputs, never a failure."""

from __future__ import annotations

import pandas as pd
import pytest

from lu_data import load_portal
from lu_data.analyses.filters import Filters
from lu_data.sources.demo import generate_demo
from tests.support import ANCHOR
from ui.view import View, memo


@pytest.fixture(scope="module")
def portal():
    """A small demo portal."""
    return load_portal(generate_demo(anchor=ANCHOR, n_sessions=60))


@pytest.fixture
def view(portal) -> View:
    """A view of the whole demo."""
    return View(
        portal=portal,
        sessions=portal.sessions,
        filters=Filters(),
        today=ANCHOR,
        tz="local",
        description="all sessions",
        source="demo",
    )


def test_a_computation_that_raises_is_run_again_next_time(view):
    """An exception is not kept: the next run tries again and then keeps the success."""
    calls = []

    def flaky(sessions: pd.DataFrame) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("store unreachable")
        return len(sessions)

    with pytest.raises(ConnectionError):
        memo(view, flaky, view.sessions)
    assert memo(view, flaky, view.sessions) == len(view.sessions)
    assert memo(view, flaky, view.sessions) == len(view.sessions)
    assert len(calls) == 2


def test_a_none_result_is_not_kept(view):
    """A computation that gave up (None) is worked out again on the next run."""
    answers = iter([None, "projections"])

    def projections() -> str | None:
        return next(answers)

    assert memo(view, projections) is None
    assert memo(view, projections) == "projections"
    assert memo(view, projections) == "projections"  # kept once it worked


def count_rows(sessions: pd.DataFrame) -> int:
    """Rows of a frame."""
    return len(sessions)


def count_trainings(sessions: pd.DataFrame) -> int:
    """Distinct trainings of a frame."""
    return int(sessions["training_key"].nunique())


def test_two_computations_on_the_same_inputs_never_share_an_entry(view):
    """Different functions over the same view give their own answers, not each other's."""
    rows = memo(view, count_rows, view.sessions)
    trainings = memo(view, count_trainings, view.sessions)
    assert rows == len(view.sessions)
    assert trainings == view.sessions["training_key"].nunique()
    assert rows != trainings


def test_the_arguments_are_part_of_the_key(view):
    """The same function over two frames, or two values, keeps two entries."""
    first = view.sessions.iloc[:10]
    second = view.sessions.iloc[:20]
    assert memo(view, count_rows, first) == 10
    assert memo(view, count_rows, second) == 20
    assert memo(view, lambda n: n * 2, 3) == 6
    assert memo(view, lambda n: n * 2, 4) == 8


def test_what_a_function_closes_over_is_part_of_the_key(view):
    """Two closures of the same code over different values keep separate entries."""

    def top(n: int):
        def head() -> int:
            return len(view.sessions.iloc[:n])

        return head

    assert memo(view, top(5)) == 5
    assert memo(view, top(7)) == 7


def test_a_kept_result_is_shared_by_later_runs(view):
    """The same function and inputs in a later run get the kept result without recomputing."""
    calls = []

    def slow(sessions: pd.DataFrame, n: int) -> int:
        calls.append(n)
        return len(sessions) + n

    assert memo(view, slow, view.sessions, 1) == len(view.sessions) + 1
    again = View(**{**view.__dict__, "warnings": []})  # the next run builds a new View
    assert memo(again, slow, again.sessions, 1) == len(view.sessions) + 1
    assert calls == [1]
