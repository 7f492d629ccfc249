"""Shared look of every figure: status colours, fonts, margins."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

CHART_HEIGHT = 360
FONT = "Inter, Segoe UI, Helvetica, Arial, sans-serif"
CAPACITY_COLOR = "#c9d3e3"
ENROLLED_COLOR = "#1f6feb"
# Trace fields that carry session text (titles, tutors, locations) into plotly, which reads
# <b>, <a href>, <br>... in them as markup; x is left alone (week labels use <br> on purpose).
TEXT_FIELDS = ("y", "customdata", "text", "hovertext")


def apply_style(
    fig: go.Figure, *, height: int = CHART_HEIGHT, title: str | None = None
) -> go.Figure:
    """Apply the project's layout to a figure and return it; session text shows literally."""
    escape_figure_text(fig)
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


def escape_figure_text(fig: go.Figure) -> None:
    """Make '<' and '>' in trace text and y labels literal for plotly (idempotent)."""
    for trace in fig.data:
        for name in TEXT_FIELDS:
            value = getattr(trace, name, None)
            if value is not None and not isinstance(value, (int, float)):
                trace[name] = _escape(value)
    for axis in fig.select_yaxes():
        if axis.categoryarray is not None:
            axis.categoryarray = _escape(axis.categoryarray)
        if axis.ticktext is not None:  # labels given by position, e.g. the tutors heatmap
            axis.ticktext = _escape(axis.ticktext)


def _escape(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("<", "&lt;").replace(">", "&gt;")
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "U":
            return np.char.replace(np.char.replace(value, "<", "&lt;"), ">", "&gt;")
        if value.dtype.kind == "O":
            return np.frompyfunc(_escape, 1, 1)(value)
        return value
    if isinstance(value, (list, tuple)):
        return [_escape(v) for v in value]
    return value


def empty_figure(message: str, height: int = CHART_HEIGHT) -> go.Figure:
    """A blank figure that says why it is blank."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 15, "color": "#6b7280"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return apply_style(fig, height=height)
