"""Property: however the seats and learners fall, no merge plan puts a session over its
capacity, every learner of a merged session has a seat, and nothing is emptied and filled.

Each example picks a few sessions from one small catalogue (two trainings, six days, virtual
in Dublin or Tokyo or in person in one room) and gives each a random capacity (or none) and
enrolment; the plan is checked against those numbers, not against the planner's own sums.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
from hypothesis import event, given, settings
from hypothesis import strategies as st

from lu_data.model.fill_status import fill_of
from lu_data.planning.merges import MergeSettings, propose_merges
from tests.support.schedule import FETCHED, session, sessions_of_schedule

DAYS = (1, 2, 4, 6, 9, 13)
DELIVERIES = (  # (hour UTC, zone, room)
    (10, "Europe/Dublin", None),
    (1, "Asia/Tokyo", None),  # 10:00 in Tokyo, 01:00 in Dublin
    (10, "Europe/Dublin", 7001),
)


@lru_cache(maxsize=1)
def catalogue() -> pd.DataFrame:
    """Every session an example may pick, loaded once (copy before changing)."""
    records = []
    for training, hours in ((1, 2), (2, 3)):
        for day in DAYS:
            for hour, zone, room in DELIVERIES:
                sid = len(records) + 1
                records.append(
                    session(
                        sid, day, training=training, hour=hour, hours=hours, zone=zone, room=room
                    )
                )
    return sessions_of_schedule(*records)


@st.composite
def seats(draw) -> tuple[int | None, int]:
    """A capacity (None, about one in thirteen: no seat limit) and an enrolment that fits."""
    capacity = draw(st.integers(0, 12)) or None
    enrolled = draw(st.integers(0, 20 if capacity is None else capacity))
    return capacity, enrolled


schedules = st.lists(
    st.tuples(st.integers(0, 2 * len(DAYS) * len(DELIVERIES) - 1), seats()),
    min_size=3,
    max_size=10,
    unique_by=lambda pick: pick[0],
)


def schedule(picks: list[tuple[int, tuple[int | None, int]]]) -> pd.DataFrame:
    """The picked sessions with their capacities and enrolments (fill as the loader sets it)."""
    sessions = catalogue().iloc[[position for position, _ in picks]].copy()
    capacity = pd.array([cap for _, (cap, _) in picks], dtype="Int64")
    enrolled = pd.array([n for _, (_, n) in picks], dtype="Int64")
    sessions["max_capacity"] = capacity
    sessions["enrolled"] = enrolled
    sessions["fill_rate"] = fill_of(sessions["max_capacity"], sessions["enrolled"])
    return sessions


@settings(max_examples=40, derandomize=True, deadline=None)
@given(
    picks=schedules,
    merge_below=st.sampled_from([0.3, 0.5, 0.8]),
    within_days=st.sampled_from([3, 7, 14]),
)
def test_no_plan_overfills_a_target_and_every_learner_has_a_seat(picks, merge_below, within_days):
    sessions = schedule(picks)
    limits = MergeSettings(merge_below=merge_below, within_days=within_days, seconds=2.0)
    rows = propose_merges(sessions, None, FETCHED, limits).rows
    by_key = sessions.set_index("session_key")
    capacity = by_key["max_capacity"]
    enrolled = by_key["enrolled"]

    assert rows["from_session_key"].is_unique  # one row per candidate
    for row in rows.itertuples():
        assert row.action in ("merge", "keep")
        assert capacity[row.from_session_key] > 0  # a candidate has a seat limit
        assert enrolled[row.from_session_key] < merge_below * capacity[row.from_session_key]

    merged = rows.loc[rows["action"].eq("merge").to_numpy()]
    emptied = set(merged["from_session_key"])
    targets = set(merged["into_session_key"])
    assert not emptied & targets  # nothing is both emptied and filled
    event(f"{len(rows)} candidates, {len(merged)} merged into {len(targets)} targets")

    for row in merged.itertuples():  # every learner of a merged session moves with it
        assert row.learners_moved == enrolled[row.from_session_key]
        assert (
            by_key.at[row.from_session_key, "training_key"]
            == (by_key.at[row.into_session_key, "training_key"])
        )
        gap = abs(by_key.at[row.into_session_key, "start_utc"] - row.from_start_utc)
        assert gap <= pd.Timedelta(days=within_days)

    for target, into in merged.groupby("into_session_key"):
        total = int(into["learners_moved"].sum()) + int(enrolled[target])
        assert set(into["into_enrolled_after"]) == {total}
        if pd.isna(capacity[target]):  # no seat limit: any number
            assert into["into_capacity"].isna().all()
        else:
            assert total <= capacity[target]
            assert set(into["into_capacity"]) == {capacity[target]}
