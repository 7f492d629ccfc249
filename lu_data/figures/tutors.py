"""Tutor figures: weekly workload heatmap and teaching hours per tutor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lu_data.analyses.tutors import WorkloadGrid
from lu_data.figures.style import apply_style, empty_figure
from lu_data.presentation.palette import CONFLICT_COLOR, ENROLLED_COLOR, WORKLOAD_SCALE
from lu_data.presentation.time_text import day_text

MAX_LABEL_CHARS = 30  # tutor labels beside the heatmap; the hover gives the whole label
MAX_WEEK_LABELS = 8  # more crowd each other beside the tutor names at 1024 px
ROW_HEIGHT = 26  # pixels per tutor row, so names never overlap
BASE_HEIGHT = 140
# White for an empty week, deepening blue as the week fills up.


EMPTY_WORKLOAD = "No sessions in this range: widen the dates or clear the tutor filter"


def _height(rows: int) -> int:
    return BASE_HEIGHT + ROW_HEIGHT * max(rows, 2)


def workload_heatmap(
    grid: WorkloadGrid, unit: str = "teaching hours", empty: str = EMPTY_WORKLOAD
) -> go.Figure:
    """Rows (tutors, or rooms) × weeks, coloured by hours; hover gives sessions and hours."""
    if grid.hours.empty:
        return empty_figure(empty)
    weeks = pd.DatetimeIndex(grid.hours.columns)
    week_text = day_text(weeks, weekday=False).to_numpy()
    hours = grid.hours.to_numpy(dtype="float64")
    sessions = grid.sessions.to_numpy(dtype="int64")
    names = np.asarray(grid.hours.index, dtype=object)
    custom = np.dstack(
        [
            sessions,
            np.broadcast_to(week_text, hours.shape),
            np.broadcast_to(names[:, None], hours.shape),
        ]
    )
    fig = go.Figure(
        go.Heatmap(
            z=hours.round(1),
            x=list(weeks.strftime("%d %b %Y")),  # one category per week, unique across years
            y=list(range(len(names))),  # rows by position: shortened names may coincide
            customdata=custom,
            colorscale=WORKLOAD_SCALE,
            zmin=0,
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": "Hours"}, "thickness": 12},
            hovertemplate=(
                "<b>%{customdata[2]}</b><br>Week of %{customdata[1]}<br>"
                f"%{{z:.1f}} {unit} in %{{customdata[0]}} sessions<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        # Category ticks on Mondays (date ticks land on Sundays), at most MAX_WEEK_LABELS.
        xaxis={"title": "Week starting (Monday)", "type": "category", "side": "top"}
        | _week_ticks(weeks),
        yaxis={
            "autorange": "reversed",
            "title": None,
            "tickfont": {"size": 12},
            "tickmode": "array",
            "tickvals": list(range(len(names))),
            "ticktext": [_short(n) for n in names],
        },
    )
    return apply_style(fig, height=_height(len(grid.hours)))


def _short(label: str) -> str:
    """A tutor label cut to MAX_LABEL_CHARS: long ones left the weeks a sliver at 1024 px."""
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _week_ticks(weeks: pd.DatetimeIndex) -> dict[str, object]:
    """Every n-th week labelled ("30 Nov"), so labels never crowd; the year under the first
    label and under the first of a new year."""
    shown = weeks[:: -(-len(weeks) // MAX_WEEK_LABELS)]  # step rounded up
    new_year = np.r_[True, shown.year[1:] != shown.year[:-1]]
    text = [
        f"{w.day} {w:%b}<br>{w:%Y}" if first else f"{w.day} {w:%b}"
        for w, first in zip(shown, new_year, strict=True)
    ]
    return {"tickmode": "array", "tickvals": list(shown.strftime("%d %b %Y")), "ticktext": text}


def hours_per_tutor_figure(team: pd.DataFrame, limit: int = 40) -> go.Figure:
    """Horizontal bars of teaching hours per tutor (busiest first); red when double-booked."""
    if team.empty:
        return empty_figure("No sessions in this range: widen the dates or clear the tutor filter")
    top = team.head(limit)
    colors = np.where(top["Conflicts"].to_numpy() > 0, CONFLICT_COLOR, ENROLLED_COLOR)
    fig = go.Figure(
        go.Bar(
            x=top["Teaching hours"],
            y=top["Tutor"],
            orientation="h",
            marker_color=colors,
            customdata=np.column_stack([top["Sessions"], top["Trainings"], top["Conflicts"]]),
            text=top["Teaching hours"].map("{:.1f} h".format),
            textposition="outside",
            cliponaxis=False,
            hovertemplate=(
                "<b>%{y}</b><br>%{x:.1f} teaching hours<br>%{customdata[0]} sessions · "
                "%{customdata[1]} trainings<br>%{customdata[2]} double-booked sessions"
                "<extra></extra>"
            ),
        )
    )
    # Headroom on the right so the "37.0 h" labels outside the bars are not cut off.
    longest = float(top["Teaching hours"].max()) or 1.0
    fig.update_layout(
        xaxis={"title": "Teaching hours", "range": [0, longest * 1.15]},
        yaxis={"autorange": "reversed", "title": None},
    )
    return apply_style(fig, height=_height(len(top)))
