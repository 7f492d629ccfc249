"""Capacity analyses and figures on the demo portal and on hand-set fill rates."""

from __future__ import annotations

import pandas as pd
import pytest

from lu_data.analyses.capacity import (
    FILL_BIN_LABELS,
    NO_LIMIT_LEARNERS,
    CapacityKpis,
    capacity_kpis,
    capacity_rollup,
    fill_distribution,
    rollup_status,
    session_capacity,
    session_list,
    session_list_counts,
    weekly_capacity,
)
from lu_data.analyses.filters import location_labels
from lu_data.exports.csv import view_frame
from lu_data.figures.capacity import (
    fill_distribution_figure,
    group_capacity_figure,
    rollup_status_figure,
    session_capacity_figure,
)
from lu_data.figures.overview import weekly_capacity_figure
from lu_data.model.fill_status import STATUS_LABELS, STATUS_ORDER
from lu_data.presentation.palette import STATUS_COLORS
from tests.support.records import sessions_of, timed_record


def with_fill(sessions: pd.DataFrame, pairs: list[tuple[int | None, int]]) -> pd.DataFrame:
    """The first len(pairs) sessions with capacity/enrolled replaced and fill/status recomputed."""
    out = sessions.head(len(pairs)).copy()
    out["max_capacity"] = pd.array([c for c, _ in pairs], dtype="Int64")
    out["enrolled"] = pd.array([e for _, e in pairs], dtype="Int64")
    out["fill_rate"] = out["enrolled"].astype("Float64") / out["max_capacity"].astype("Float64")
    out["seats_left"] = (out["max_capacity"] - out["enrolled"]).clip(lower=0)
    status = []
    for cap, enrolled in pairs:
        if cap is None:
            status.append("no_limit")
        elif enrolled > cap:
            status.append("overbooked")
        elif enrolled == cap:
            status.append("full")
        elif enrolled / cap >= 0.85:
            status.append("near_full")
        elif enrolled / cap < 0.4:
            status.append("under_filled")
        else:
            status.append("healthy")
    out["status"] = pd.Categorical(status, categories=STATUS_ORDER, ordered=True)
    return out


# Four sessions worked by hand: two limited (4 of 10, 15 of 20), one full (8 of 8), one with no
# limit (6 learners). Training 1 holds A and D in the week of Mon 30 Nov 2026; training 2 holds
# B and C in the week of Mon 7 Dec. Seats offered 10 + 20 + 8 = 38, taken 4 + 15 + 8 = 27.
FOUR = [
    # session id, training id, start (UTC), capacity, enrolled
    (1, 1, "2026-12-01T09:00:00Z", 10, 4),
    (2, 2, "2026-12-08T09:00:00Z", 20, 15),
    (3, 2, "2026-12-09T09:00:00Z", 8, 8),
    (4, 1, "2026-12-02T09:00:00Z", None, 6),
]


@pytest.fixture(scope="module")
def four() -> pd.DataFrame:
    """The four hand-worked sessions, through the one normaliser."""
    return sessions_of(
        *(
            timed_record(
                sid,
                start,
                start.replace("09:00", "11:00"),
                id=500 + sid,
                training_id=tid,
                title=f"Training {tid}",
                timezone="UTC",
                max_capacity=capacity,
                number_enrolled_on_session=enrolled,
            )
            for sid, tid, start, capacity, enrolled in FOUR
        )
    )


def test_capacity_kpis_of_four_hand_worked_sessions(four):
    """38 seats offered, 27 taken, fill 27/38; the no-limit session's 6 learners stand apart."""
    kpi = capacity_kpis(four)
    assert kpi == CapacityKpis(
        sessions=4,
        seats_offered=38,
        seats_taken=27,
        no_limit_sessions=1,
        no_limit_learners=6,
        full=1,
        overbooked=0,
    )
    assert kpi.fill_rate == pytest.approx(27 / 38)
    assert capacity_kpis(four.loc[four["max_capacity"].isna()]).fill_rate is None


def test_weekly_capacity_of_four_hand_worked_sessions(four):
    """Week 1: 4 of 10 (40%) plus 6 no-limit learners; week 2: 23 of 28."""
    weekly = weekly_capacity(four, "UTC")
    assert weekly["week"].dt.strftime("%Y-%m-%d").tolist() == ["2026-11-30", "2026-12-07"]
    assert weekly["sessions"].tolist() == [2, 2]
    assert weekly["seats_offered"].tolist() == [10, 28]
    assert weekly["seats_taken"].tolist() == [4, 23]
    assert weekly["fill_rate"].tolist() == pytest.approx([0.4, 23 / 28])
    assert weekly["no_limit_sessions"].tolist() == [1, 0]
    assert weekly["no_limit_learners"].tolist() == [6, 0]
    bars = {t.name: list(t.y) for t in weekly_capacity_figure(weekly).data if t.type == "bar"}
    assert bars == {"Seats offered": [10, 28], "Seats taken": [4, 23]}


def test_rollup_of_four_hand_worked_sessions(four):
    """Per training: seats offered, taken, fill and no-limit learners, worked by hand."""
    rollup = capacity_rollup(four, "training").set_index("Training")
    assert rollup.loc["Training 1", "Seats offered"] == 10
    assert rollup.loc["Training 1", "Seats taken"] == 4
    assert rollup.loc["Training 1", "Fill"] == pytest.approx(0.4)
    assert rollup.loc["Training 1", NO_LIMIT_LEARNERS] == 6
    assert rollup.loc["Training 2", "Seats offered"] == 28
    assert rollup.loc["Training 2", "Seats taken"] == 23
    assert rollup.loc["Training 2", "Fill"] == pytest.approx(23 / 28)
    assert rollup.loc["Training 2", NO_LIMIT_LEARNERS] == 0
    status = rollup_status(rollup.reset_index()).astype("str").tolist()
    assert status == ["healthy", "healthy"]  # 40% is not under 40%; 82% is not near full


def test_trainings_export_of_four_hand_worked_sessions(four):
    """The trainings export carries seats offered and taken beside fill, and no-limit learners."""
    rows = view_frame(four, "trainings").set_index("training_id")
    assert rows.loc[1, ["seats_offered", "seats_taken", "no_limit_sessions"]].tolist() == [10, 4, 1]
    assert rows.loc[1, "no_limit_learners"] == 6
    assert rows.loc[1, "fill_rate"] == pytest.approx(0.4)
    assert rows.loc[2, ["seats_offered", "seats_taken", "no_limit_learners"]].tolist() == [
        28,
        23,
        0,
    ]
    assert rows.loc[2, "fill_rate"] == pytest.approx(23 / 28)
    columns = list(rows.columns)
    assert columns.index("fill_rate") == columns.index("seats_taken") + 1


def test_rollup_per_training_adds_up(view_sessions):
    """Per-training totals add up to the sessions, seats and status counts of the whole view."""
    rollup = capacity_rollup(view_sessions, "training")
    assert rollup["Sessions"].sum() == len(view_sessions)
    assert len(rollup) == view_sessions["training_key"].nunique()
    limited = view_sessions["max_capacity"].notna()
    assert rollup["Seats offered"].sum() == view_sessions.loc[limited, "max_capacity"].sum()
    assert rollup["Seats taken"].sum() == view_sessions.loc[limited, "enrolled"].sum()
    assert rollup[NO_LIMIT_LEARNERS].sum() == view_sessions.loc[~limited, "enrolled"].sum()
    for status in STATUS_ORDER:
        assert rollup[STATUS_LABELS[status]].sum() == (view_sessions["status"] == status).sum()
    assert rollup["Sessions"].is_monotonic_decreasing


def test_rollup_per_location_has_one_row_per_location(view_sessions):
    """Per-location roll-up names every location once, '(no location)' included when present."""
    rollup = capacity_rollup(view_sessions, "location")
    assert sorted(rollup["Location"]) == sorted(location_labels(view_sessions).unique())
    assert rollup["Sessions"].sum() == len(view_sessions)


def test_rollup_fill_leaves_out_no_limit_sessions(view_sessions):
    """A training's seats and fill count limited sessions; no-limit learners stand apart."""
    frame = with_fill(view_sessions, [(10, 5), (None, 40)])
    frame["training_key"] = "t1"
    row = capacity_rollup(frame, "training").iloc[0]
    assert row["Seats offered"] == 10 and row["Seats taken"] == 5
    assert row[NO_LIMIT_LEARNERS] == 40
    assert row["Fill"] == pytest.approx(0.5)
    assert row["No limit set"] == 1 and row["Healthy"] == 1


@pytest.mark.parametrize(
    ("capacity", "enrolled", "status"),
    [
        (10, 12, "overbooked"),
        (10, 10, "full"),
        (20, 18, "near_full"),
        (10, 5, "healthy"),
        (10, 1, "under_filled"),
        (None, 7, "no_limit"),
    ],
)
def test_rollup_status_uses_session_thresholds(view_sessions, capacity, enrolled, status):
    """A roll-up row gets the same status a session with those totals would get."""
    frame = with_fill(view_sessions, [(capacity, enrolled)])
    assert str(rollup_status(capacity_rollup(frame, "training")).iloc[0]) == status


def test_fill_distribution_bins_edge_values(view_sessions):
    """0.05 is 0–9%, 0.85 is 80–89%, 1.0 is 100%, 1.2 is over 100%, no capacity is no limit."""
    frame = with_fill(view_sessions, [(20, 1), (20, 17), (10, 10), (10, 12), (None, 3), (10, 0)])
    dist = fill_distribution(frame)
    got = {(str(b), str(s)): n for b, s, n in dist[["bin", "status", "sessions"]].to_numpy()}
    assert got == {
        ("0–9%", "under_filled"): 2,
        ("80–89%", "near_full"): 1,
        ("100%", "full"): 1,
        ("Over 100%", "overbooked"): 1,
        ("No limit", "no_limit"): 1,
    }


def test_fill_distribution_counts_every_session(view_sessions):
    """The histogram holds each session exactly once."""
    dist = fill_distribution(view_sessions)
    assert dist["sessions"].sum() == len(view_sessions)
    assert set(dist["bin"].astype("str")) <= set(FILL_BIN_LABELS)


def test_session_capacity_groups_by_training_with_unique_labels(view_sessions):
    """Per-session rows are grouped by training, and no two bars of a training share a label."""
    frame = session_capacity(view_sessions, "local")
    assert len(frame) == len(view_sessions)
    assert not frame.duplicated(["training_key", "label"]).any()
    assert frame["session_key"].is_unique  # each bar's own category
    # Each training's rows are contiguous.
    runs = (frame["training"] != frame["training"].shift()).sum()
    assert runs == frame["training"].nunique()
    over = frame.loc[frame["status"] == "overbooked"]
    assert ((over["enrolled"] - over["capacity"]) == over["over"]).all()


def test_sessions_with_identical_labels_get_their_own_bars_in_date_order(four):
    """Two trainings each with a session at Tue 1 Dec 09:00: two bars, each under its training."""
    frame = four.copy()
    # Training 2's first session moves to the very minute of training 1's first one.
    same = frame["session_key"] == "session:2"
    first = frame.loc[frame["session_key"] == "session:1"].iloc[0]
    frame.loc[same, "start_local"] = first["start_local"]
    frame.loc[same, "start_utc"] = first["start_utc"]
    data = session_capacity(frame, "UTC")
    assert data["label"].tolist().count("Tue 1 Dec 09:00 UTC") == 2
    fig = session_capacity_figure(data)
    bars = next(t for t in fig.data if t.name == "Capacity")
    assert len(set(bars.y)) == len(bars.y) == 4  # one category per bar, none merged
    assert list(fig.layout.yaxis.categoryarray) == list(bars.y)
    assert list(fig.layout.yaxis.ticktext) == [
        "Training 1 · Tue 1 Dec 09:00 UTC",
        "Wed 2 Dec 09:00 UTC",
        "Training 2 · Tue 1 Dec 09:00 UTC",
        "Wed 9 Dec 09:00 UTC",
    ]
    # Every session's bar sits on its own category: capacities in that order (no-limit blank).
    assert [None if pd.isna(x) else x for x in bars.x] == [10.0, None, 20.0, 8.0]


def test_session_labels_carry_the_display_zone(view_sessions):
    """Labels end with the display zone's abbreviation: UTC when UTC is chosen."""
    assert session_capacity(view_sessions, "UTC")["label"].str.endswith("UTC").all()


def test_session_lists_hold_only_their_status(view_sessions):
    """Each list holds exactly the sessions of its status, soonest first."""
    counts = session_list_counts(view_sessions)
    for which, n in counts.items():
        rows = session_list(view_sessions, which)
        assert len(rows) == n == (view_sessions["status"] == which).sum()
        assert rows["start_utc"].is_monotonic_increasing
    with pytest.raises(ValueError, match="unknown list"):
        session_list(view_sessions, "nearly")


def test_session_figure_marks_overbooked_and_no_limit(view_sessions):
    """The per-session chart writes "no limit" and "+N over" beside those bars."""
    frame = session_capacity(with_fill(view_sessions, [(10, 12), (None, 4), (10, 5)]), "local")
    fig = session_capacity_figure(frame)
    texts = [t for tr in fig.data if tr.type == "scatter" for t in tr.text]
    assert [t.strip() for t in texts] == ["no limit", "+2 over"]
    colors = {tr.name: tr.marker.color for tr in fig.data if tr.type == "bar"}
    assert colors["Overbooked"] == STATUS_COLORS["overbooked"]
    assert colors["No limit set"] == STATUS_COLORS["no_limit"]


def test_figures_say_when_empty(view_sessions):
    """Every capacity figure explains an empty view instead of drawing blank axes."""
    empty = view_sessions.head(0)
    figs = [
        session_capacity_figure(session_capacity(empty)),
        group_capacity_figure(capacity_rollup(empty), "Training"),
        rollup_status_figure(capacity_rollup(empty), "Training"),
        fill_distribution_figure(fill_distribution(empty)),
    ]
    for fig in figs:
        assert "widen the dates" in fig.layout.annotations[0].text
