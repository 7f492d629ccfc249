"""Shared look of every figure: status colours, fonts, margins."""

from __future__ import annotations

import plotly.graph_objects as go

from lu_data.columns import STATUS_COLORS, STATUS_LABELS, STATUS_ORDER

CHART_HEIGHT = 360
FONT = "Inter, Segoe UI, Helvetica, Arial, sans-serif"
CAPACITY_COLOR = "#c9d3e3"
ENROLLED_COLOR = "#1f6feb"
# Status colours keyed by the label a person reads, for px colour maps.
STATUS_COLOR_BY_LABEL = {STATUS_LABELS[s]: STATUS_COLORS[s] for s in STATUS_ORDER}


def apply_style(
    fig: go.Figure, *, height: int = CHART_HEIGHT, title: str | None = None
) -> go.Figure:
    """Apply the project's layout to a figure and return it."""
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        font={"family": FONT, "size": 13},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"font_family": FONT},
        plot_bgcolor="white",
        title={"text": title} if title else None,
    )
    fig.update_xaxes(showgrid=False, automargin=True)
    fig.update_yaxes(gridcolor="#eef1f5", automargin=True)
    return fig


def empty_figure(message: str, height: int = CHART_HEIGHT) -> go.Figure:
    """A blank figure that says why it is blank."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 15, "color": "#6b7280"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return apply_style(fig, height=height)
