"""Overview figures: weekly capacity against enrolment."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lu_data.figures.style import CAPACITY_COLOR, ENROLLED_COLOR, apply_style, empty_figure

WEEK_MS = 7 * 24 * 3600 * 1000
MAX_WEEK_TICKS = 14  # more labels than this overlap at 1024 px


def weekly_capacity_figure(weekly: pd.DataFrame) -> go.Figure:
    """Bars of seats offered and seats taken per week, with the fill rate as a line."""
    if weekly.empty:
        return empty_figure("No sessions in this range: widen the dates")
    week_label = weekly["week"].dt.strftime("%d %b %Y")
    fig = go.Figure()
    fig.add_bar(
        x=weekly["week"],
        y=weekly["capacity"],
        name="Seats offered",
        marker_color=CAPACITY_COLOR,
        customdata=week_label,
        hovertemplate="Week of %{customdata}<br>Seats offered: %{y}<extra></extra>",
    )
    fig.add_bar(
        x=weekly["week"],
        y=weekly["enrolled"],
        name="Enrolled",
        marker_color=ENROLLED_COLOR,
        customdata=week_label,
        hovertemplate="Week of %{customdata}<br>Enrolled: %{y}<extra></extra>",
    )
    fig.add_scatter(
        x=weekly["week"],
        y=weekly["fill_rate"] * 100,
        name="Fill rate %",
        yaxis="y2",
        mode="lines+markers",
        line={"color": "#e07b00", "width": 2},
        customdata=week_label,
        hovertemplate="Week of %{customdata}<br>Fill rate: %{y:.0f}%<extra></extra>",
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
        # Ticks on the bars' Mondays: plotly's own weekly ticks fall on Sundays.
        xaxis={
            "title": "Week starting (Monday)",
            "tickformat": "%d %b",
            "tick0": weekly["week"].min(),
            "dtick": WEEK_MS * -(-len(weekly) // MAX_WEEK_TICKS),
        },
    )
    return apply_style(fig)
