"""Supply and demand on hand-built trainings with known answers."""

from __future__ import annotations

import pandas as pd

from lu_data.analyses.supply_demand import (
    AS_PLANNED,
    RARELY_FILLS,
    SELLS_OUT,
    TOO_FEW,
    supply_demand,
)

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
    assert table.loc["new", "evidence"].startswith("2 completed session(s) with history")
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
    empty = supply_demand(history.iloc[0:0], sessions, AS_OF)
    assert empty.empty and list(empty.columns)[:3] == ["training_key", "title", "verdict"]
