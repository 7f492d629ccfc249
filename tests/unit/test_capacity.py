"""Capacity analyses and figures on the demo portal and on hand-set fill rates."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lu_data.analyses.capacity import (
    FILL_BIN_LABELS,
    capacity_rollup,
    fill_distribution,
    rollup_status,
    session_capacity,
    session_list,
    session_list_counts,
)
from lu_data.analyses.filters import Filters, filter_sessions, location_labels
from lu_data.figures.capacity import (
    fill_distribution_figure,
    group_capacity_figure,
    rollup_status_figure,
    session_capacity_figure,
)
from lu_data.model.schema import STATUS_COLORS, STATUS_LABELS, STATUS_ORDER
from tests.support import ANCHOR


@pytest.fixture
def sessions(demo_portal) -> pd.DataFrame:
    """The demo sessions in the pages' default range."""
    return filter_sessions(
        demo_portal.sessions, Filters(date_from=ANCHOR, date_to=date(2027, 1, 22))
    )


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


def test_rollup_per_training_adds_up(sessions):
    """Per-training totals add up to the sessions, seats and status counts of the whole view."""
    rollup = capacity_rollup(sessions, "training")
    assert rollup["Sessions"].sum() == len(sessions)
    assert len(rollup) == sessions["training_key"].nunique()
    limited = sessions["max_capacity"].notna()
    assert rollup["Capacity"].sum() == sessions.loc[limited, "max_capacity"].sum()
    assert rollup["Enrolled"].sum() == sessions["enrolled"].sum()
    for status in STATUS_ORDER:
        assert rollup[STATUS_LABELS[status]].sum() == (sessions["status"] == status).sum()
    assert rollup["Sessions"].is_monotonic_decreasing


def test_rollup_per_location_has_one_row_per_location(sessions):
    """Per-location roll-up names every location once, '(no location)' included when present."""
    rollup = capacity_rollup(sessions, "location")
    assert sorted(rollup["Location"]) == sorted(location_labels(sessions).unique())
    assert rollup["Sessions"].sum() == len(sessions)


def test_rollup_fill_leaves_out_no_limit_sessions(sessions):
    """A training's fill is enrolled ÷ capacity over limited sessions only."""
    frame = with_fill(sessions, [(10, 5), (None, 40)])
    frame["training_key"] = "t1"
    row = capacity_rollup(frame, "training").iloc[0]
    assert row["Capacity"] == 10 and row["Enrolled"] == 45
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
def test_rollup_status_uses_session_thresholds(sessions, capacity, enrolled, status):
    """A roll-up row gets the same status a session with those totals would get."""
    frame = with_fill(sessions, [(capacity, enrolled)])
    assert str(rollup_status(capacity_rollup(frame, "training")).iloc[0]) == status


def test_fill_distribution_bins_edge_values(sessions):
    """0.05 is 0–9%, 0.85 is 80–89%, 1.0 is 100%, 1.2 is over 100%, no capacity is no limit."""
    frame = with_fill(sessions, [(20, 1), (20, 17), (10, 10), (10, 12), (None, 3), (10, 0)])
    dist = fill_distribution(frame)
    got = {(str(b), str(s)): n for b, s, n in dist[["bin", "status", "sessions"]].to_numpy()}
    assert got == {
        ("0–9%", "under_filled"): 2,
        ("80–89%", "near_full"): 1,
        ("100%", "full"): 1,
        ("Over 100%", "overbooked"): 1,
        ("No limit", "no_limit"): 1,
    }


def test_fill_distribution_counts_every_session(sessions):
    """The histogram holds each session exactly once."""
    dist = fill_distribution(sessions)
    assert dist["sessions"].sum() == len(sessions)
    assert set(dist["bin"].astype("str")) <= set(FILL_BIN_LABELS)


def test_session_capacity_groups_by_training_with_unique_labels(sessions):
    """Per-session rows are grouped by training, and no two bars of a training share a label."""
    frame = session_capacity(sessions, "local")
    assert len(frame) == len(sessions)
    assert not frame.duplicated(["training", "label"]).any()
    # Each training's rows are contiguous.
    runs = (frame["training"] != frame["training"].shift()).sum()
    assert runs == frame["training"].nunique()
    over = frame.loc[frame["status"] == "overbooked"]
    assert ((over["enrolled"] - over["capacity"]) == over["over"]).all()


def test_session_labels_carry_the_display_zone(sessions):
    """Labels end with the display zone's abbreviation: UTC when UTC is chosen."""
    assert session_capacity(sessions, "UTC")["label"].str.endswith("UTC").all()


def test_session_lists_hold_only_their_status(sessions):
    """Each list holds exactly the sessions of its status, soonest first."""
    counts = session_list_counts(sessions)
    for which, n in counts.items():
        rows = session_list(sessions, which)
        assert len(rows) == n == (sessions["status"] == which).sum()
        assert rows["start_utc"].is_monotonic_increasing
    with pytest.raises(ValueError, match="unknown list"):
        session_list(sessions, "nearly")


def test_session_figure_marks_overbooked_and_no_limit(sessions):
    """The per-session chart writes "no limit" and "+N over" beside those bars."""
    frame = session_capacity(with_fill(sessions, [(10, 12), (None, 4), (10, 5)]), "local")
    fig = session_capacity_figure(frame)
    texts = [t for tr in fig.data if tr.type == "scatter" for t in tr.text]
    assert [t.strip() for t in texts] == ["no limit", "+2 over"]
    colors = {tr.name: tr.marker.color for tr in fig.data if tr.type == "bar"}
    assert colors["Overbooked"] == STATUS_COLORS["overbooked"]
    assert colors["No limit set"] == STATUS_COLORS["no_limit"]


def test_figures_say_when_empty(sessions):
    """Every capacity figure explains an empty view instead of drawing blank axes."""
    empty = sessions.head(0)
    figs = [
        session_capacity_figure(session_capacity(empty)),
        group_capacity_figure(capacity_rollup(empty), "Training"),
        rollup_status_figure(capacity_rollup(empty), "Training"),
        fill_distribution_figure(fill_distribution(empty)),
    ]
    for fig in figs:
        assert "widen the dates" in fig.layout.annotations[0].text
