"""What the Plan page shows of a plan: the request table, the proposals, the reasons, the solver's
words, the calendar's sessions and how a proposal is drawn."""

from __future__ import annotations

from datetime import date

import pandas as pd

from lu_data.analyses.supply_demand import SELLS_OUT
from lu_data.model.places import place_keys
from lu_data.presentation.palette import PROPOSED_COLOR, PROPOSED_FILL
from lu_data.views.calendar_events import PROPOSED_CLASS, calendar_events
from lu_data.views.plan_tables import (
    COUNT,
    EVIDENCE,
    NOT_PLACED,
    TRAINING,
    VERDICT,
    VIRTUAL_ROOM,
    plan_calendar_sessions,
    proposal_table,
    request_table,
    requested_counts,
    rows_in_order,
    solver_text,
    unplaced_lines,
)
from tests.support.demo import demo_plan

CROWDED = {"first_day": date(2026, 12, 7), "last_day": date(2026, 12, 11)}
COACHING = "training:20011"


def test_request_table_puts_what_is_asked_and_what_sells_out_first():
    """Asked-for trainings first, then those that sell out early, then the rest by label; each
    with its verdict and evidence, and a count the editor changes."""
    labels = {"t:a": "Alpha", "t:b": "beta", "t:c": "Gamma", "t:d": "Delta"}
    verdicts = pd.DataFrame(
        {
            "training_key": ["t:c", "t:d"],
            "verdict": [SELLS_OUT, "Rarely fills"],
            "evidence": ["5 of the last 6 full early", "5 of 6 under 50%"],
        }
    )
    table = request_table(labels, verdicts, {"t:d": 2})
    assert list(table.index) == ["t:d", "t:c", "t:a", "t:b"]
    assert list(table.columns) == [TRAINING, COUNT, VERDICT, EVIDENCE]
    assert list(table[COUNT]) == [2, 0, 0, 0]
    assert list(table[VERDICT]) == ["Rarely fills", SELLS_OUT, "", ""]
    assert request_table(labels, None, {})[VERDICT].eq("").all()  # no history: no verdicts
    edited = table.assign(**{COUNT: [0, 3, None, 1]})
    assert requested_counts(edited) == {"t:c": 3, "t:b": 1}


def test_proposal_table_lists_every_row_in_its_zone_and_utc():
    """Placed rows by start with their zone, UTC and room; the unplaced last, without times."""
    plan = demo_plan(((COACHING, 6),), **CROWDED).plan
    rows = rows_in_order(plan.rows)
    table = proposal_table(rows)
    assert len(table) == len(plan.rows) == 6
    assert list(table["Proposal"]) == ["Add"] * 5 + [NOT_PLACED]
    placed = plan.placed.sort_values("start_utc")
    assert list(table["Start (UTC)"][:5]) == list(placed["start_utc"].dt.tz_localize(None))
    assert list(table["Start"][:5]) == list(placed["start_local"])
    assert set(table["Zone"][:5]) <= {"CET (+01:00)", "UTC-03:00"}
    assert table["Start"].isna().iloc[5] and table["Zone"].iloc[5] == ""
    assert table["Reason"].iloc[5] == plan.unplaced["reason"].iloc[0]
    virtual = rows.head(1).assign(virtual=True)
    assert proposal_table(virtual)["Room"].iloc[0] == VIRTUAL_ROOM


def test_unplaced_lines_are_one_line_each():
    """A title with a line break cannot pass for a line of its own."""
    rows = pd.DataFrame(
        {
            "training_key": ["t:1", "t:1", "t:2"],
            "training_title": ["Excel\nfor Finance", "Excel\nfor Finance", "SQL"],
            "reason": ["No tutor free", "No tutor free", "No room"],
        }
    )
    assert unplaced_lines(rows) == [
        "Excel for Finance (2 sessions not placed): No tutor free",
        "SQL (1 session not placed): No room",
    ]


def test_solver_text_says_what_the_status_means():
    text = solver_text("OPTIMAL", 0.42, 516, 53733.0, 53733.0)
    assert text.startswith("Solver (OR-Tools CP-SAT): the best plan there is, chosen among 516")
    assert "0.4 s" in text and "best bound 53,733" in text
    assert "time limit" in solver_text("FEASIBLE", 5.0, 10_000, 1.0, 2.0)
    assert solver_text("EMPTY", 0.0, 0, 0.0, 0.0) == "Solver: no candidate session to choose from."


def test_a_crowded_calendar_keeps_the_proposals_and_their_neighbours(demo_sessions):
    """Over the limit, every proposal stays, with the sessions sharing a tutor, training or room
    first, soonest first; the count left out is said."""
    proposals = demo_plan().proposals
    both, left_out = plan_calendar_sessions(demo_sessions, proposals, 50)
    assert len(both) == 50 and left_out == len(demo_sessions) - 48
    assert set(proposals["session_key"]) <= set(both["session_key"])
    kept = both.loc[~both["session_key"].isin(proposals["session_key"])]
    near = (
        kept["tutor_key"].isin(proposals["tutor_key"])
        | kept["training_key"].isin(proposals["training_key"])
        | place_keys(kept).isin(place_keys(proposals).dropna())
    )
    assert near.all()
    roomy, none_out = plan_calendar_sessions(demo_sessions.head(10), proposals, 50)
    assert len(roomy) == 12 and none_out == 0


def test_proposed_events_are_drafts_by_title_colour_and_class():
    """calendar_events marks the keys it is given as proposals, and only them."""
    proposals = demo_plan().proposals
    events = calendar_events(proposals, "UTC", proposed={"proposed:1"})
    first, second = sorted(events, key=lambda e: e["id"])
    assert first["title"].startswith("Proposed: ")
    assert (first["borderColor"], first["backgroundColor"]) == (PROPOSED_COLOR, PROPOSED_FILL)
    assert first["classNames"] == [PROPOSED_CLASS] and first["extendedProps"]["proposed"]
    assert not second["title"].startswith("Proposed") and second["classNames"] == []
    assert "classNames" not in calendar_events(proposals, "UTC")[0]  # other pages: unchanged
