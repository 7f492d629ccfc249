"""Overview figures: weekly capacity against enrolment."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lu_data.figures.style import apply_style, empty_figure
from lu_data.model.fill_status import D3_PERCENT_POINTS
from lu_data.model.palette import CAPACITY_COLOR, ENROLLED_COLOR, FILL_LINE_COLOR

WEEK_MS = 7 * 24 * 3600 * 1000
MAX_WEEK_TICKS = 14  # more labels than this overlap at 1024 px


def weekly_capacity_figure(weekly: pd.DataFrame) -> go.Figure:
    """Bars of seats offered and seats taken per week, with their ratio (the fill) as a line."""
    if weekly.empty:
        return empty_figure("No sessions in this range: widen the dates")
    week_label = weekly["week"].dt.strftime("%d %b %Y")
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
        customdata=every_week.strftime("%d %b %Y"),
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
        xaxis=_week_axis(len(every_week), first),
    )
    return apply_style(fig)


def _week_axis(weeks: int, first: pd.Timestamp) -> dict[str, object]:
    """Ticks on the bars' Mondays for up to 28 weeks; months and years, as plotly picks, beyond.

    Plotly's own weekly ticks fall on Sundays. Over years, labelling every n-th Monday made
    up to 70 labels that plotly turned on their side (and measured one by one, for 0.3 s).
    """
    axis: dict[str, object] = {"title": "Week starting (Monday)"}
    if weeks <= 2 * MAX_WEEK_TICKS:
        step = -(-weeks // MAX_WEEK_TICKS)  # weeks per label, rounded up
        axis |= {"tickformat": "%d %b", "tick0": first, "dtick": WEEK_MS * step}
    return axis
