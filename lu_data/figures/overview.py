"""Overview figures: weekly capacity against enrolment."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lu_data.figures.style import WEEK_MS, apply_style, empty_figure, monday_ticks
from lu_data.model.fill_status import D3_PERCENT_POINTS
from lu_data.presentation.palette import CAPACITY_COLOR, ENROLLED_COLOR, FILL_LINE_COLOR
from lu_data.presentation.time_text import day_text

__all__ = ["WEEK_MS", "weekly_capacity_figure"]


def weekly_capacity_figure(weekly: pd.DataFrame) -> go.Figure:
    """Bars of seats offered and seats taken per week, with their ratio (the fill) as a line."""
    if weekly.empty:
        return empty_figure("No sessions in this range: widen the dates")
    week_label = day_text(weekly["week"], weekday=False)
    first, last = weekly["week"].min(), weekly["week"].max()
    # Weeks without sessions have no row: the line breaks there instead of bridging them.
    every_week = pd.date_range(first, last, freq="7D")
    fill_pct = (weekly.set_index("week")["fill_rate"] * 100).reindex(every_week)
    fig = go.Figure()
    fig.add_bar(
        x=weekly["week"],
        y=weekly["seats_offered"],
        name="Seats offered",
        marker_color=CAPACITY_COLOR,
        customdata=week_label,
        hovertemplate="Week of %{customdata}<br>Seats offered: %{y}<extra></extra>",
    )
    fig.add_bar(
        x=weekly["week"],
        y=weekly["seats_taken"],
        name="Seats taken",
        marker_color=ENROLLED_COLOR,
        customdata=pd.DataFrame(
            {"week": week_label, "free": weekly["no_limit_learners"]}
        ).to_numpy(),
        hovertemplate=(
            "Week of %{customdata[0]}<br>Seats taken: %{y}"
            "<br>Learners in no-limit sessions: %{customdata[1]}<extra></extra>"
        ),
    )
    fig.add_scatter(
        x=every_week,
        y=fill_pct,
        name="Fill rate %",
        yaxis="y2",
        mode="lines+markers",
        line={"color": FILL_LINE_COLOR, "width": 2},
        customdata=day_text(every_week, weekday=False).to_numpy(),
        hovertemplate=(
            f"Week of %{{customdata}}<br>Fill rate: %{{y:{D3_PERCENT_POINTS}}}%<extra></extra>"
        ),
    )
    fig.update_layout(
        barmode="overlay",
        yaxis={"title": "Seats"},
        yaxis2={
            "title": "Fill rate",
            "overlaying": "y",
            "side": "right",
            "range": [0, 125],
            "dtick": 25,
            "ticksuffix": "%",
            "showgrid": False,
        },
        xaxis={"title": "Week starting (Monday)"}
        | monday_ticks(first, last + pd.Timedelta(days=7)),  # the last bar spans its week
    )
    return apply_style(fig)
