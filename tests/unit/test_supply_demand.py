"""Supply and demand on hand-built trainings with known answers."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lu_data.analyses.supply_demand import (
    AS_PLANNED,
    RARELY_FILLS,
    SELLS_OUT,
    TOO_FEW,
    supply_demand,
    supply_demand_lines,
    supply_demand_rows,
)
from lu_data.ingest.loading import load_portal
from lu_data.model.portals import combine_portals, stack_histories
from lu_data.model.result_schemas import SUPPLY_DEMAND_DTYPES
from lu_data.model.schema import PORTAL_COLUMN
from lu_data.sources.demo import generate_demo
from lu_data.store.demo_history import demo_history

AS_OF = pd.Timestamp("2026-12-01", tz="UTC")


def training(key: str, fills: list[tuple[int, int | None]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sessions of one training, a week apart before AS_OF, capacity 10: (final enrolled, days
    before start it was full, or None). History: a snapshot every day for 30 days."""
    sessions, history = [], []
    for i, (enrolled, full_days) in enumerate(fills):
        start = AS_OF - pd.Timedelta(days=7 * (i + 1))
        skey = f"{key}-{i}"
        sessions.append(
            {
                "session_key": skey,
                "training_key": key,
                "title": key.title(),
                "start_utc": start,
                "max_capacity": 10,
                "enrolled": enrolled,
            }
        )
        for day in range(30, -1, -1):
            full_now = full_days is not None and day <= full_days
            history.append(
                {
                    "session_key": skey,
                    "training_key": key,
                    "recorded_at": start - pd.Timedelta(days=day),
                    "start_utc": start,
                    "max_capacity": 10,
                    "enrolled": 10 if full_now else min(enrolled, 9),
                }
            )
    return pd.DataFrame(sessions), pd.DataFrame(history)


def test_each_kind_of_training_gets_its_verdict_and_evidence():
    parts = [
        training("popular", [(10, 12), (10, 15), (10, 9), (10, 20), (10, 3), (10, 11)]),
        training("quiet", [(3, None), (4, None), (2, None), (9, None), (4, None), (10, 1)]),
        training("steady", [(8, None), (10, 2), (7, None), (9, None)]),
        training("new", [(10, 30), (10, 30)]),
    ]
    sessions = pd.concat([p[0] for p in parts], ignore_index=True)
    history = pd.concat([p[1] for p in parts], ignore_index=True)
    table = supply_demand(history, sessions, AS_OF, threshold=0.5).set_index("training_key")
    assert table.loc["popular", "verdict"] == SELLS_OUT
    assert table.loc["popular", "full_early"] == 5  # 12, 15, 9, 20 and 11 days; not 3
    assert table.loc["popular", "evidence"] == (
        "5 of the last 6 sessions were full 7+ days before start"
    )
    assert table.loc["quiet", "verdict"] == RARELY_FILLS
    assert table.loc["quiet", "evidence"] == "4 of the last 6 sessions ended under 50% full"
    assert table.loc["steady", "verdict"] == AS_PLANNED
    assert table.loc["new", "verdict"] == TOO_FEW
    assert table.loc["new", "evidence"] == (
        "Only 2 completed sessions with an enrolment history; 3 are needed to say"
    )
    assert list(table["verdict"]) == [SELLS_OUT, RARELY_FILLS, AS_PLANNED, TOO_FEW]


def test_only_the_last_six_completed_sessions_count():
    old_full = [(10, 20)] * 4  # long ago, always full early…
    recent = [(2, None)] * 6  # …but lately nobody comes
    sessions, history = training("faded", recent + old_full)
    table = supply_demand(history, sessions, AS_OF)
    assert table.loc[0, "looked_at"] == 6 and table.loc[0, "verdict"] == RARELY_FILLS


def test_upcoming_sessions_and_sessions_without_history_are_not_evidence():
    sessions, history = training("later", [(10, 10)] * 4)
    sessions.loc[0, "start_utc"] = AS_OF + pd.Timedelta(days=3)  # not completed
    history = history.loc[history["session_key"] != "later-1"]  # never recorded
    table = supply_demand(history, sessions, AS_OF)
    assert table.loc[0, "looked_at"] == 2 and table.loc[0, "verdict"] == TOO_FEW
    no_history = supply_demand(history.iloc[0:0], sessions, AS_OF)
    assert no_history.loc[0, "verdict"] == TOO_FEW and no_history.loc[0, "looked_at"] == 0
    assert no_history.loc[0, "evidence"] == "No completed session with an enrolment history yet"
    empty = supply_demand(history, sessions.iloc[0:0], AS_OF)
    assert empty.empty and dict(empty.dtypes) == dict(SUPPLY_DEMAND_DTYPES)


def test_upcoming_sessions_and_their_free_seats_are_counted():
    sessions, history = training("busy", [(10, 12)] * 3)
    ahead = pd.DataFrame(
        {
            "session_key": ["busy-a", "busy-b", "busy-c"],
            "training_key": "busy",
            "title": "Busy",
            "start_utc": [AS_OF + pd.Timedelta(days=d) for d in (2, 9, 16)],
            "max_capacity": [10, 12, None],  # the last has no seat limit
            "enrolled": [10, 7, 40],
        }
    )
    table = supply_demand(history, pd.concat([sessions, ahead], ignore_index=True), AS_OF)
    row = table.iloc[0]
    assert (row["verdict"], row["upcoming"], row["upcoming_free"]) == (SELLS_OUT, 3, 5)


@pytest.mark.parametrize("anchor", ["2026-11-27", "2026-12-05", "2027-03-03"])
def test_the_demo_has_trainings_that_sell_out_and_trainings_that_rarely_fill(anchor):
    portal = load_portal(generate_demo(anchor=date.fromisoformat(anchor)), is_demo=True)
    history = demo_history(portal.sessions, portal.fetched_at)
    table = supply_demand(history, portal.sessions, portal.fetched_at).set_index("title")
    assert table.loc["Coaching for Managers", "verdict"] == SELLS_OUT
    assert table.loc["SQL for Analysts", "verdict"] == RARELY_FILLS
    assert table["verdict"].value_counts()[AS_PLANNED] > 10


def test_candidate_lines_say_what_is_booked_ahead_and_how_many_more_there_are():
    parts = [training(f"popular {i}", [(10, 12)] * 3) for i in range(3)]
    sessions = pd.concat([p[0] for p in parts], ignore_index=True)
    history = pd.concat([p[1] for p in parts], ignore_index=True)
    table = supply_demand(history, sessions, AS_OF)
    lines = supply_demand_lines(table, SELLS_OUT, limit=2)
    assert lines == [
        "Popular 0: 3 of the last 3 sessions were full 7+ days before start; none scheduled ahead",
        "Popular 1: 3 of the last 3 sessions were full 7+ days before start; none scheduled ahead",
        "… and 1 more in the table below",
    ]
    assert supply_demand_lines(table, RARELY_FILLS) == []


def test_a_view_of_two_portals_judges_each_portals_trainings_apart():
    """Two demo portals share every id and title: each training is judged on its own
    portal's history, and the table names the portal beside the title."""
    anchor = date(2026, 11, 27)
    parts = {
        name: load_portal(generate_demo(n_sessions=size, anchor=anchor), name=name)
        for name, size in (("emea", 600), ("apac", 300))
    }
    both = combine_portals(parts, "test store")
    history = stack_histories({n: demo_history(p.sessions, p.fetched_at) for n, p in parts.items()})
    table = supply_demand(history, both.sessions, both.fetched_at)
    alone = parts["emea"]
    emea = supply_demand(
        demo_history(alone.sessions, alone.fetched_at), alone.sessions, alone.fetched_at
    )
    mine = table.loc[table[PORTAL_COLUMN] == "emea"]
    assert list(mine["verdict"]) == list(emea["verdict"])
    assert list(mine["evidence"]) == list(emea["evidence"])
    assert set(table[PORTAL_COLUMN]) == {"emea", "apac"}
    rows = supply_demand_rows(table)
    assert list(rows.columns[:3]) == ["Training", "Portal", "Verdict"]
    assert "Portal" not in supply_demand_rows(emea).columns
