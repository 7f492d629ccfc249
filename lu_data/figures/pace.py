"""Fill pace figure: one session's fill against days to start over its training's typical curve."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lu_data.figures.style import apply_style, empty_figure
from lu_data.model.fill_status import D3_PERCENT_POINTS
from lu_data.presentation.palette import BAND_COLOR, ENROLLED_COLOR, MEDIAN_COLOR, PROJECTED_COLOR


def pace_figure(
    track: pd.DataFrame,
    curve: pd.DataFrame,
    *,
    curve_label: str,
    projected_fill: float | None = None,
) -> go.Figure:
    """Fill % by days to start: the typical band (quartiles) and median, this session, projection.

    track: days_to_start, enrolled, fill (session_track); curve: days_to_start, fill_q25,
    fill_median, fill_q75 (one training's rows of typical_curves).
    """
    if track.empty and curve.empty:
        return empty_figure("No enrolment history for this session yet")
    if track["fill"].isna().all() and not track.empty:
        return empty_figure("No capacity limit set: fill pace needs a capacity")
    fig = go.Figure()
    if not curve.empty:
        band = curve.sort_values("days_to_start")
        x = band["days_to_start"].tolist()
        fig.add_scatter(
            x=x + x[::-1],
            y=(band["fill_q75"] * 100).tolist() + (band["fill_q25"] * 100).tolist()[::-1],
            fill="toself",
            fillcolor=BAND_COLOR,
            line={"width": 0},
            name=f"Middle half of past sessions ({curve_label})",
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=x,
            y=band["fill_median"] * 100,
            mode="lines",
            line={"color": MEDIAN_COLOR, "dash": "dash", "width": 2},
            name=f"Typical (median, {curve_label})",
            hovertemplate=(
                "%{x} days before start"
                f"<br>Typical fill: %{{y:{D3_PERCENT_POINTS}}}%<extra></extra>"
            ),
        )
    if not track.empty:
        fig.add_scatter(
            x=track["days_to_start"],
            y=track["fill"].astype("float64") * 100,
            mode="lines+markers",
            marker={"size": 4},
            line={"color": ENROLLED_COLOR, "width": 3, "shape": "hv"},
            name="This session",
            customdata=track["enrolled"].astype("float64"),
            hovertemplate=(
                "%{x:.1f} days before start"
                f"<br>Fill: %{{y:{D3_PERCENT_POINTS}}}% (%{{customdata:.0f}} enrolled)"
                "<extra></extra>"
            ),
        )
    if projected_fill is not None and not pd.isna(projected_fill):
        fig.add_scatter(
            x=[0],
            y=[float(projected_fill) * 100],
            mode="markers",
            marker={"color": PROJECTED_COLOR, "size": 13, "symbol": "diamond"},
            name="Projected at start",
            hovertemplate=f"Projected fill at start: %{{y:{D3_PERCENT_POINTS}}}%<extra></extra>",
        )
    fig.update_layout(
        xaxis={"title": "Days before start", "autorange": "reversed"},
        yaxis={"title": "Fill %", "rangemode": "tozero"},
    )
    return apply_style(fig)
