"""Schedule timeline: sessions per training or tutor as bars in time, coloured by fill status."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lu_data.figures.style import apply_style, empty_figure, monday_ticks
from lu_data.model.fill_status import STATUS_LABELS, STATUS_ORDER
from lu_data.model.result_schemas import TIMELINE_DTYPES
from lu_data.model.rollups import tutor_keys
from lu_data.model.schema import NO_LOCATION, NO_TUTOR, UNTITLED, empty_frame
from lu_data.model.selection import is_in
from lu_data.model.timezones import elapsed
from lu_data.presentation.display_zone import zone_label
from lu_data.presentation.palette import GRID_COLOR, STATUS_COLORS
from lu_data.presentation.session_text import seats_text, start_texts

TIMELINE_BY = {"training": "Training", "tutor": "Tutor"}
TOP_ROWS = 25
# Beyond this many bars the chart is slow to draw and the bars are slivers.
MAX_TIMELINE_BARS = 1500
MILLISECOND = pd.Timedelta(milliseconds=1)  # plotly bar widths on a date axis are in ms
ROW_HEIGHT = 26


def timeline_frame(
    sessions: pd.DataFrame,
    tz: str,
    by: str = "training",
    top: int = TOP_ROWS,
    max_bars: int = MAX_TIMELINE_BARS,
) -> tuple[pd.DataFrame, int]:
    """Bars for the rows (trainings or tutors) with most sessions, and how many rows there were.

    Takes the `top` busiest rows, fewer if their sessions would pass `max_bars`.
    """
    if by not in TIMELINE_BY:
        choices = ", ".join(TIMELINE_BY)
        raise ValueError(f"unknown timeline grouping '{by}': choose one of {choices}")
    if sessions.empty:
        return empty_frame(TIMELINE_DTYPES), 0
    if by == "training":
        key, name = sessions["training_key"], sessions["title"].fillna(UNTITLED)
    else:
        key, name = tutor_keys(sessions), sessions["tutor_name"].fillna(NO_TUTOR)
    sizes = key.value_counts(sort=False).rename("n").to_frame()
    sizes["name"] = name.groupby(key).first()
    sizes = sizes.sort_values(["n", "name"], ascending=[False, True], kind="stable")
    # Keep whole rows while the bar count stays under the cap (always at least one row).
    fits = sizes["n"].cumsum() <= max_bars
    fits.iloc[0] = True
    keep = sizes.loc[fits].head(top)
    rows = sessions.loc[is_in(key, keep.index)]
    rows = rows.sort_values("start_utc", kind="stable").head(max_bars)
    when = start_texts(rows, tz)
    # Names can repeat across keys (two tutors called Alex): label by name, keep keys apart.
    dup = keep["name"].duplicated(keep=False)
    labels = keep["name"].where(~dup, keep["name"] + " [" + keep.index.to_series() + "]")
    frame = pd.DataFrame(
        {
            "row": key.loc[rows.index].map(labels),
            "title": rows["title"].fillna(UNTITLED),
            "tutor": rows["tutor_name"].fillna(NO_TUTOR),
            "location": rows["location"].fillna(NO_LOCATION),
            "seats": seats_text(rows),
            "when": when["day"] + " " + when["both"],
            "start": when["start"],
            "end": when["end"],
            "status": rows["status"],
            "status_label": rows["status"].map(STATUS_LABELS).astype("str"),
            "session_key": rows["session_key"],
        }
    )
    order = pd.Categorical(frame["row"], categories=list(labels), ordered=True)
    frame = frame.assign(_order=order).sort_values(["_order", "start"], kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True), len(sizes)


def timeline_figure(frame: pd.DataFrame, tz: str, by: str = "training") -> go.Figure:
    """Horizontal bars from start to end per session, one line per training or tutor."""
    if frame.empty:
        return empty_figure("No sessions in this range: widen the dates or clear a filter")
    rows = list(dict.fromkeys(frame["row"]))
    fig = go.Figure()
    for status in STATUS_ORDER:
        part = frame.loc[frame["status"] == status]
        if part.empty:
            continue
        width_ms = elapsed(part["start"], part["end"], MILLISECOND)
        fig.add_bar(
            base=part["start"],
            x=width_ms,
            y=part["row"],
            orientation="h",
            name=STATUS_LABELS[status],
            # A border in the same colour keeps one-hour sessions visible over many weeks.
            marker={
                "color": STATUS_COLORS[status],
                "line": {"color": STATUS_COLORS[status], "width": 2},
            },
            customdata=part[["title", "when", "tutor", "location", "seats"]].to_numpy(),
            hovertemplate=(
                "%{customdata[0]}<br>%{customdata[1]}<br>Tutor: %{customdata[2]}"
                "<br>%{customdata[3]}<br>%{customdata[4]}<extra>"
                + STATUS_LABELS[status]
                + "</extra>"
            ),
        )
    fig.update_layout(barmode="overlay", bargap=0.35)
    fig.update_xaxes(
        type="date",
        title=f"Start in {zone_label(tz)}",
        showgrid=True,
        gridcolor=GRID_COLOR,
        # Weekly ticks on Mondays, as on every other weekly chart (plotly's fall on Sundays).
        **monday_ticks(pd.Timestamp(frame["start"].min()), pd.Timestamp(frame["end"].max())),
    )
    fig.update_yaxes(
        categoryorder="array", categoryarray=rows, autorange="reversed", title=TIMELINE_BY[by]
    )
    return apply_style(fig, height=max(320, 110 + ROW_HEIGHT * len(rows)))
