"""The planner benchmark's small cases, run as the benchmark runs them: the solver places at
least as many sessions as the greedy baseline on every case and more on the tight one, its
busiest tutor-week is no heavier, and both plans keep every hard rule. No timings are judged."""

from __future__ import annotations

import pandas as pd
import pytest

from benchmarks.greedy import rule_breaks
from benchmarks.planner import TIGHT, demo_cases, measure_case, table, tight_case
from lu_data.sources.demo import DEMO_SESSIONS


@pytest.fixture(scope="module")
def results():
    """The tight case and the default requests on the 600-session demo, one plan run each
    (the 20 x 3 case and the 100k demo are for `python -m benchmarks.planner`)."""
    default = demo_cases(DEMO_SESSIONS)[0]
    return {r.case: r for r in (measure_case(tight_case(), 1), measure_case(default, 1))}


def test_the_solver_places_at_least_what_the_greedy_places(results):
    for r in results.values():
        assert r.same_candidates, r.case  # both chose among exactly the same free candidates
        assert r.status in ("OPTIMAL", "FEASIBLE"), (r.case, r.status)
        assert r.fewest_placed >= r.greedy.placed, (r.case, r.placed_runs, r.greedy)
        assert r.fewest_placed == r.requested, (r.case, r.placed_runs)
        assert r.objective <= r.bound + 1e-6, r.case  # a maximisation's bound is above


def test_the_tight_case_places_more_than_the_greedy(results):
    """Ada teaches both trainings, Ben one: the greedy gives Ada the wrong one and loses a
    session of the training only she teaches; the solver gives Ben the shared training."""
    tight = results[TIGHT]
    assert (tight.requested, tight.solver.placed, tight.greedy.placed) == (4, 4, 3)


def test_the_solvers_busiest_week_is_no_heavier(results):
    for r in results.values():
        assert r.solver.busiest_hours <= r.greedy.busiest_hours + 1e-9, (r.case, r.solver)
    lighter = [r.case for r in results.values() if r.solver.busiest_hours < r.greedy.busiest_hours]
    assert lighter, {
        k: (r.solver.busiest_hours, r.greedy.busiest_hours) for k, r in results.items()
    }


def test_both_plans_keep_every_hard_rule(results):
    """Checked afresh rule by rule, and by the dashboard's own clash and zone checks."""
    for r in results.values():
        for plan in (r.solver, r.greedy):
            assert plan.rule_breaks == [], (r.case, plan.rule_breaks)
            assert plan.proof_clean, (r.case, plan.proof)


def test_the_rule_check_finds_a_broken_rule():
    """rule_breaks is no rubber stamp: the same pick twice breaks several rules."""
    from benchmarks.greedy import greedy_plan

    case = tight_case()
    greedy = greedy_plan(case.portal.sessions, case.requests, case.settings, case.today)
    first = greedy.picked.iloc[:1]
    broken = rule_breaks(pd.concat([first, first]), greedy.inputs, case.settings.buffer_minutes)
    assert any("share a training and a day" in b for b in broken), broken
    assert any("two picks within" in b for b in broken), broken
    assert any("min left under the limit" in b for b in broken), broken


def test_the_table_shows_the_solvers_figures(results):
    shown = table(list(results.values()))
    for word in ("placed solver/greedy", "status", "objective", "bound", TIGHT, "OPTIMAL"):
        assert word in shown, shown
