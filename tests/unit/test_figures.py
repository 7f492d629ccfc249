"""Figures read right: weekly axes are labelled on the Mondays their bars stand for."""

from __future__ import annotations

import pandas as pd

from lu_data.analyses.capacity import weekly_capacity
from lu_data.figures.overview import WEEK_MS, weekly_capacity_figure


def test_weekly_capacity_ticks_fall_on_the_bars_mondays(view_sessions) -> None:
    """Plotly's automatic weekly ticks land on Sundays; ours start at the first bar's Monday."""
    weekly = weekly_capacity(view_sessions)
    fig = weekly_capacity_figure(weekly)
    tick0 = pd.Timestamp(fig.layout.xaxis.tick0)
    assert tick0 == weekly["week"].min() and tick0.day_name() == "Monday"
    assert fig.layout.xaxis.dtick == WEEK_MS  # 9 weeks: one label a week
    bars = pd.to_datetime(pd.Series(fig.data[0].x))
    assert (bars.dt.day_name() == "Monday").all()


def test_weekly_chart_over_years_has_few_labels_and_breaks_its_line_at_empty_weeks() -> None:
    """Sparse history over years: plotly's month/year ticks, and no line across empty weeks."""
    weeks = pd.to_datetime(["2021-11-22", "2021-11-29", "2024-06-03", "2027-05-31"])
    weekly = pd.DataFrame(
        {
            "week": weeks,
            "sessions": 1,
            "seats_offered": 10,
            "seats_taken": [5, 6, 7, 8],
            "no_limit_sessions": 0,
            "no_limit_learners": 0,
            "fill_rate": [0.5, 0.6, 0.7, 0.8],
        }
    )
    fig = weekly_capacity_figure(weekly)
    assert fig.layout.xaxis.dtick is None and fig.layout.xaxis.tick0 is None
    line = next(t for t in fig.data if t.type == "scatter")
    shown = pd.Series(line.y, index=pd.to_datetime(pd.Series(line.x)))
    assert shown.dropna().tolist() == [50.0, 60.0, 70.0, 80.0]
    assert shown.isna().sum() == len(shown) - 4 > 0  # the empty weeks in between
    assert (shown.index.day_name() == "Monday").all()
