"""Capacity figures: seats against enrolment per session or training, roll-ups, fill-rate bins."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lu_data.analyses.capacity import (
    FILL_BIN_LABELS,
    MAX_GROUP_BARS,
    NO_LIMIT_LEARNERS,
    rollup_status,
    short_text,
)
from lu_data.figures.style import apply_style, empty_figure
from lu_data.model.fill_status import D3_PERCENT, STATUS_LABELS, STATUS_ORDER
from lu_data.presentation.palette import CAPACITY_COLOR, DIVIDER_COLOR, GRID_COLOR, STATUS_COLORS

EMPTY_MESSAGE = "No sessions in this range: widen the dates or clear a filter"
ROW_HEIGHT = 20  # pixels per horizontal bar, so labels never overlap
BASE_HEIGHT = 90
MIN_HEIGHT = 320


def bars_height(rows: int) -> int:
    """A chart height that gives every horizontal bar room for its label."""
    return max(MIN_HEIGHT, BASE_HEIGHT + rows * ROW_HEIGHT)


def session_capacity_figure(frame: pd.DataFrame) -> go.Figure:
    """Per session, grouped by training: a capacity bar with the enrolled bar drawn inside it."""
    if frame.empty:
        return empty_figure(EMPTY_MESSAGE)
    # Every bar has its own category, the session key: plotly draws equal category labels
    # (two trainings' sessions at the same minute) as one bar, out of date order.
    y = frame["session_key"].tolist()
    fig = go.Figure()
    hover = frame[["title", "start", "tutor", "location", "status_label"]].to_numpy()
    fig.add_bar(
        x=frame["capacity"].astype("float64"),
        y=y,
        orientation="h",
        name="Capacity",
        width=0.8,
        marker_color=CAPACITY_COLOR,
        customdata=hover,
        hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>Capacity: %{x}<extra></extra>",
    )
    for status in STATUS_ORDER:
        part = frame.loc[frame["status"] == status]
        if part.empty:
            continue
        fig.add_bar(
            x=part["enrolled"],
            y=part["session_key"].tolist(),
            orientation="h",
            width=0.45,
            name=STATUS_LABELS[status],
            marker_color=STATUS_COLORS[status],
            customdata=part[["title", "start", "tutor", "location", "status_label"]].to_numpy(),
            hovertemplate=(
                "%{customdata[0]}<br>%{customdata[1]}<br>Tutor: %{customdata[2]}"
                "<br>%{customdata[3]}<br>Enrolled: %{x} · %{customdata[4]}"
                "<extra></extra>"
            ),
        )
    _add_marks(fig, frame.loc[frame["status"] == "no_limit"], "  no limit", "no_limit")
    over = frame.loc[frame["status"] == "overbooked"]
    _add_marks(
        fig, over, "  +" + over["over"].astype("int64").astype("str") + " over", "overbooked"
    )
    # Room on the right for the "no limit" / "+N over" marks.
    cap = frame["capacity"].max()
    widest = max(0.0 if pd.isna(cap) else float(cap), float(frame["enrolled"].max()))
    # No axis title: on top it would collide with the legend; the caption says "seats".
    fig.update_layout(
        barmode="overlay",
        showlegend=False,  # the page shows the status colours above the chart
        xaxis={"range": [0, max(widest, 1) * 1.18], "ticksuffix": " seats"},
    )
    fig.update_yaxes(
        autorange="reversed",
        type="category",
        categoryorder="array",
        categoryarray=y,
        tickmode="array",
        tickvals=y,
        ticktext=frame["tick"].tolist(),
        tickfont={"size": 11},
    )
    # A thin line where one training's bars end and the next one's begin.
    starts = np.flatnonzero(frame["training_key"].ne(frame["training_key"].shift()))[1:]
    fig.update_layout(
        shapes=[
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": i - 0.5,
                "y1": i - 0.5,
                "line": {"color": DIVIDER_COLOR, "width": 1},
            }
            for i in starts
        ]
    )
    fig = apply_style(fig, height=bars_height(len(frame)))
    # The chart scrolls inside a fixed-height box: keep the seat scale at the top, by the legend.
    fig.update_xaxes(side="top", showgrid=True, gridcolor=GRID_COLOR)
    return fig


def group_capacity_figure(rollup: pd.DataFrame, label: str) -> go.Figure:
    """Per training or location: seats offered against enrolled, coloured by the group's fill."""
    if rollup.empty:
        return empty_figure(EMPTY_MESSAGE)
    top = rollup.head(MAX_GROUP_BARS)
    names = short_text(top[label]).tolist()
    status = rollup_status(top)
    fig = go.Figure()
    fig.add_bar(
        x=top["Seats offered"],
        y=names,
        orientation="h",
        name="Seats offered",
        width=0.8,
        marker_color=CAPACITY_COLOR,
        hovertemplate="%{y}<br>Seats offered: %{x}<extra></extra>",
    )
    columns = ["Sessions", "Fill", "Overbooked", "No limit set", NO_LIMIT_LEARNERS]
    custom = top[columns].astype("float64").to_numpy()
    for s in STATUS_ORDER:
        mask = (status == s).to_numpy()
        if not mask.any():
            continue
        fig.add_bar(
            x=top.loc[mask, "Seats taken"],
            y=[n for n, m in zip(names, mask, strict=True) if m],
            orientation="h",
            width=0.45,
            name=STATUS_LABELS[s],
            marker_color=STATUS_COLORS[s],
            customdata=custom[mask],
            hovertemplate=(
                "%{y}<br>Seats taken: %{x} in %{customdata[0]} sessions"
                f"<br>Fill: %{{customdata[1]:{D3_PERCENT}}}"
                "<br>Overbooked sessions: %{customdata[2]}"
                "<br>No-limit sessions: %{customdata[3]}, learners: %{customdata[4]}"
                "<extra></extra>"
            ),
        )
    fig.update_layout(barmode="overlay", xaxis={"title": "Seats"})
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=names)
    return apply_style(fig, height=bars_height(len(top)))


def rollup_status_figure(rollup: pd.DataFrame, label: str) -> go.Figure:
    """Per training or location: how many sessions are in each fill status (stacked bars)."""
    if rollup.empty:
        return empty_figure(EMPTY_MESSAGE)
    top = rollup.head(MAX_GROUP_BARS)
    names = short_text(top[label]).tolist()
    fig = go.Figure()
    for s in STATUS_ORDER:
        name = STATUS_LABELS[s]
        if not top[name].any():
            continue
        fig.add_bar(
            x=top[name],
            y=names,
            orientation="h",
            name=name,
            marker_color=STATUS_COLORS[s],
            hovertemplate=f"%{{y}}<br>{name}: %{{x}} sessions<extra></extra>",
        )
    fig.update_layout(barmode="stack", xaxis={"title": "Sessions"})
    fig.update_layout(legend={"traceorder": "normal"})
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=names)
    return apply_style(fig, height=bars_height(len(top)))


def fill_distribution_figure(dist: pd.DataFrame) -> go.Figure:
    """Sessions per fill-rate bin, stacked and coloured by fill status."""
    if dist.empty:
        return empty_figure(EMPTY_MESSAGE)
    fig = go.Figure()
    for s in STATUS_ORDER:
        part = dist.loc[dist["status"] == s]
        if part.empty:
            continue
        label = STATUS_LABELS[s]
        fig.add_bar(
            x=part["bin"].astype("str"),
            y=part["sessions"],
            name=label,
            marker_color=STATUS_COLORS[s],
            hovertemplate=f"Fill %{{x}}<br>%{{y}} sessions<extra>{label}</extra>",
        )
    fig.update_layout(
        barmode="stack",
        yaxis={"title": "Sessions"},
        xaxis={
            "title": "Fill rate (enrolled ÷ capacity)",
            "type": "category",
            "categoryorder": "array",
            "categoryarray": FILL_BIN_LABELS,
        },
    )
    return apply_style(fig)


def _add_marks(fig: go.Figure, rows: pd.DataFrame, text: pd.Series | str, status: str) -> None:
    # A text mark beside the bar: colour alone would not say "no limit" or how far over.
    if rows.empty:
        return
    marks = [text] * len(rows) if isinstance(text, str) else text.tolist()
    fig.add_scatter(
        x=rows["enrolled"],
        y=rows["session_key"].tolist(),
        mode="text",
        text=marks,
        textposition="middle right",
        showlegend=False,
        hoverinfo="skip",
        textfont={"color": STATUS_COLORS[status], "size": 11},
    )
