"""Fill pace and forecast: hand-computed projections, fallback curves, back-test, demo history."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

import numpy as np
import pandas as pd

from lu_data.analyses.forecast import (
    ALL_TRAININGS,
    CURVE_ALL,
    CURVE_TOO_EARLY,
    CURVE_TRAINING,
    backtest,
    curve_for,
    project_sessions,
    projected_at_risk,
    session_track,
    typical_curves,
)
from lu_data.figures.pace import pace_figure
from lu_data.store.demo_history import demo_history
from lu_data.store.store import history_frame
from tests.support.demo import demo_portal

NOW = pd.Timestamp(datetime(2026, 11, 27, 8, 0, tzinfo=UTC))
DAY = pd.Timedelta(days=1)


def session(key, training, start, capacity, enrolled):
    """One sessions-frame row with the columns the forecast reads."""
    fill = enrolled / capacity if capacity else None
    return {
        "session_key": key,
        "training_key": training,
        "title": key,
        "start_utc": start,
        "max_capacity": capacity,
        "enrolled": enrolled,
        "fill_rate": fill,
    }


def constructed() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Five completed sessions of T (final 10 of 10) with 2, 4, 5, 6, 8 enrolled 14 days out,
    one completed session of O (9 of 10 at 14 days), and four upcoming sessions."""
    rows, snaps = [], []
    for i, early in enumerate([2, 4, 5, 6, 8] + [9]):
        training = "training:T" if i < 5 else "training:O"
        start = NOW - (10 + i) * DAY
        rows.append(session(f"done:{i}", training, start, 10, 10))
        snaps += [(f"done:{i}", training, start - 14 * DAY, start, 10, early)]
        snaps += [(f"done:{i}", training, start - 7 * DAY, start, 10, 8)]
    rows += [
        session("up:U", "training:T", NOW + 14 * DAY, 20, 3),  # 3 / 0.5 = 6 of 20
        session("up:V", "training:T", NOW + 14 * DAY, 10, 8),  # 16, capped at 10
        session("up:W", "training:O", NOW + 14 * DAY, 40, 11),  # O too small: 11 / 0.55 = 20
        session("up:X", "training:T", NOW + 100 * DAY, 10, 1),  # beyond the curves: too early
    ]
    sessions = pd.DataFrame(rows).astype(
        {"max_capacity": "Int64", "enrolled": "Int64", "fill_rate": "Float64"}
    )
    cols = ["session_key", "training_key", "recorded_at", "start_utc", "max_capacity", "enrolled"]
    return sessions, history_frame(pd.DataFrame(snaps, columns=cols))


@lru_cache(maxsize=1)
def demo() -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp]:
    """The demo portal's sessions, their synthetic history and the fetch time."""
    portal = demo_portal()
    return portal.sessions, demo_history(portal.sessions, portal.fetched_at), portal.fetched_at


def test_typical_curve_is_the_median_share_with_quartiles():
    """T's curve at 14 days is the median of 0.2, 0.4, 0.5, 0.6, 0.8 with its quartiles."""
    sessions, history = constructed()
    curves = typical_curves(history, sessions, NOW)
    t14 = curves.set_index(["training_key", "days_to_start"]).loc[("training:T", 14)]
    assert (t14["share_q25"], t14["share_median"], t14["share_q75"]) == (0.4, 0.5, 0.6)
    assert t14["sessions"] == 5
    assert "training:O" not in set(curves["training_key"])  # one session: no curve of its own
    every = curves.set_index(["training_key", "days_to_start"]).loc[(ALL_TRAININGS, 14)]
    assert every["share_median"] == 0.55 and every["sessions"] == 6


def test_projection_matches_hand_computed_numbers():
    """Pace ratio: today's count / typical share, capped at capacity, fallback and too early."""
    sessions, history = constructed()
    proj = project_sessions(sessions, typical_curves(history, sessions, NOW), NOW)
    proj = proj.set_index("session_key")
    assert list(proj.index) == ["up:U", "up:V", "up:W", "up:X"]
    assert proj.loc["up:U", "projected_enrolled"] == 6
    assert proj.loc["up:U", "projected_fill"] == 0.3
    assert proj.loc["up:U", "curve"] == CURVE_TRAINING
    assert proj.loc["up:V", "projected_enrolled"] == 10  # 8 / 0.5 = 16, capped at capacity
    assert proj.loc["up:W", "projected_enrolled"] == 20  # all trainings: 11 / 0.55
    assert proj.loc["up:W", "curve"] == CURVE_ALL
    assert proj.loc["up:W", "projected_fill"] == 0.5
    assert pd.isna(proj.loc["up:X", "projected_enrolled"])
    assert proj.loc["up:X", "curve"] == CURVE_TOO_EARLY


def test_projected_at_risk_uses_the_threshold():
    """Under 50%: only U (30%); W at exactly 50% is not; a 60% threshold adds W."""
    sessions, history = constructed()
    proj = project_sessions(sessions, typical_curves(history, sessions, NOW), NOW)
    assert projected_at_risk(sessions, proj)["session_key"].tolist() == ["up:U"]
    at_60 = projected_at_risk(sessions, proj, threshold=0.6)
    assert sorted(at_60["session_key"]) == ["up:U", "up:W"]
    assert "projected_fill" in at_60.columns


def test_curve_for_falls_back_to_all_trainings():
    """A training without its own curve gets the all-trainings curve, and says so."""
    sessions, history = constructed()
    curves = typical_curves(history, sessions, NOW)
    own, label = curve_for(curves, "training:T")
    assert label == CURVE_TRAINING and set(own["training_key"]) == {"training:T"}
    other, label = curve_for(curves, "training:O")
    assert label == CURVE_ALL and set(other["training_key"]) == {ALL_TRAININGS}


def test_backtest_gives_finite_errors_on_the_demo():
    """Back-test on the demo history: finite MAE for 7 and 14 days, with the naive baseline."""
    sessions, history, _ = demo()
    result = backtest(history, sessions, days=(7, 14)).set_index("days_before")
    assert list(result.index) == [7, 14]
    assert (result["sessions"] > 20).all()
    assert np.isfinite(result[["mae_projection", "mae_naive"]].to_numpy()).all()
    assert result.loc[14, "mae_projection"] < result.loc[14, "mae_naive"]


def test_demo_history_ends_at_each_sessions_current_enrolment():
    """Every demo session's newest snapshot is its enrolment now; none is after start or today."""
    sessions, history, fetched_at = demo()
    last = history.sort_values("recorded_at").groupby("session_key").tail(1)
    now = sessions.set_index("session_key").loc[last["session_key"], "enrolled"]
    assert last["enrolled"].tolist() == now.tolist()
    counted = sessions.loc[sessions["enrolled"].notna(), "session_key"]
    assert set(last["session_key"]) == set(counted)
    assert (history["recorded_at"] < history["start_utc"]).all()
    assert (history["recorded_at"] <= fetched_at).all()


def test_demo_history_is_deterministic_and_mostly_growing():
    """Same inputs, same history; enrolment never falls from one day to the next."""
    sessions, history, fetched_at = demo()
    pd.testing.assert_frame_equal(history, demo_history(sessions, fetched_at))
    steps = history.sort_values(["session_key", "recorded_at"]).groupby("session_key")["enrolled"]
    assert (steps.diff().dropna() >= 0).all()


def test_session_track_and_figure_show_the_session_over_its_curve():
    """The pace figure has the band, the median, the session's line and the projection."""
    sessions, history = constructed()
    curves = typical_curves(history, sessions, NOW)
    done = sessions.iloc[0]
    track = session_track(history, "done:0", done["start_utc"], done["max_capacity"])
    assert track["days_to_start"].tolist() == [14.0, 7.0]
    assert track["fill"].tolist() == [0.2, 0.8]
    curve, label = curve_for(curves, "training:T")
    fig = pace_figure(track, curve, curve_label=label, projected_fill=0.3)
    names = [t.name for t in fig.data]
    assert names[1].startswith("Typical (median") and "This session" in names
    assert "Projected at start" in names
