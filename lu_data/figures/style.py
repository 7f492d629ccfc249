"""Shared look of every figure: fonts, margins, literal session text."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lu_data.presentation.palette import GRID_COLOR, MUTED_TEXT

CHART_HEIGHT = 360
WEEK_MS = 7 * 24 * 3600 * 1000
MAX_WEEK_TICKS = 14  # more labels than this overlap at 1024 px
WEEK_TICK_FORMAT = "%-d %b"  # "1 Dec": day before month, unpadded, as everywhere on screen
FONT = "Inter, Segoe UI, Helvetica, Arial, sans-serif"
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
    fig.update_yaxes(gridcolor=GRID_COLOR, automargin=True)
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


def monday_ticks(start: pd.Timestamp, end: pd.Timestamp) -> dict[str, object]:
    """Date-axis ticks on Mondays for a span of up to 28 weeks; plotly's own beyond.

    Plotly's own weekly ticks fall on Sundays while every weekly figure counts weeks from
    Monday. Over years, labelling every n-th Monday made up to 70 labels that plotly turned on
    their side (and measured one by one, for 0.3 s), so long spans keep its months and years.
    """
    if pd.isna(start):
        return {}
    end = start if pd.isna(end) else end
    monday = start.normalize() - pd.Timedelta(days=start.weekday())
    weeks = max(1, -(-(end - monday).days // 7))  # weeks covered, rounded up
    if weeks > 2 * MAX_WEEK_TICKS:
        return {}
    step = -(-weeks // MAX_WEEK_TICKS)  # weeks per label, rounded up
    return {"tickformat": WEEK_TICK_FORMAT, "tick0": monday, "dtick": WEEK_MS * step}


def empty_figure(message: str, height: int = CHART_HEIGHT) -> go.Figure:
    """A blank figure that says why it is blank."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 15, "color": MUTED_TEXT})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return apply_style(fig, height=height)
