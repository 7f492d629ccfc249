"""Tables with their CSV downloads, column formats and the status badges."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from lu_data.exports.csv import as_shown_frame, moment_to_strftime, to_csv_bytes
from lu_data.exports.file_names import export_file_name
from lu_data.model.fill_status import PERCENT_DECIMALS, STATUS_LABELS, STATUS_ORDER
from lu_data.presentation.display_zone import zone_label
from lu_data.presentation.palette import (
    CAPACITY_COLOR,
    DARK_TEXT,
    PROPOSED_COLOR,
    PROPOSED_FILL,
    PROPOSED_TEXT,
    STATUS_COLORS,
    STATUS_TEXT_COLORS,
)
from lu_data.views.calendar_events import PROPOSED_LABEL
from lu_data.views.session_tables import (
    PROJECTED,
    SEATS,
    decision_first,
)
from ui.downloads import offer_download
from ui.loaders import portal_choices, portal_token
from ui.view import View

DATETIME_FORMAT = "YYYY-MM-DD HH:mm"  # as narrow as a full date and time gets (~116 px)
MAX_TABLE_ROWS = 1_000  # more rows cost seconds to send and nobody scrolls them; CSV has all
# Integer columns that name something rather than count it: no thousands separators.
IDENTIFIER_COLUMN = re.compile(r"(?i)\bid\b|_id$|^record$|\bkey\b|\bpage\b")
FILL_COLUMNS = {"Fill", "fill_rate", "Fill rate", "Fill today", "Projected fill"}
# Streamlit's "percent" shows up to two decimals ("55.98%") unless a step fixes them: a step of
# 0.01 on a fraction is a whole percent, the one format of lu_data.model.fill_status.
PERCENT_STEP = 10.0 ** -(PERCENT_DECIMALS + 2)
# Beside the sidebar at 1024 px a table gets about 560 px: Start (~116), Zone, a bounded Title,
# Tutor and Seats fit in it. Titles run to 200 characters; a click on a cell shows one whole.
TITLE_WIDTH = 145
# "NZDT (+13:00)", the longest zone label, is 82 px of 14 px text plus the cell's 16 px padding.
TEXT_WIDTHS = {"Zone": 100, "Tutor": 100, SEATS: 95, PROJECTED: 95}
TEXT_HELP = {
    "Title": "Click a cell to read a long title whole",
    SEATS: "Enrolled/capacity · fill today",
    PROJECTED: "Projected enrolled/capacity · projected fill at start",
}
NARROW_COLUMNS = {"Enrolled", "Capacity", "Seats left", "Projected enrolled"}
ROW_HEIGHT = 35  # the data grid's row (and header) height in pixels
MAX_TABLE_HEIGHT = 420  # taller tables scroll inside the grid


def render_status_legend(*, capacity: bool = False, proposed: bool = False) -> None:
    """The fill-status colours as badges (and the grey capacity bar, or the dashed outline of a
    proposed session), alike on every page.

    A plotly legend beside long axis labels wraps to one entry a line at 1024 px; badges fit.
    """
    badge = "padding:1px 8px;border-radius:8px;font-size:0.8rem"
    items = [("Capacity", CAPACITY_COLOR, DARK_TEXT, "")] if capacity else []
    if proposed:
        items.append(
            (PROPOSED_LABEL, PROPOSED_FILL, PROPOSED_TEXT, f";border:2px dashed {PROPOSED_COLOR}")
        )
    items += [(STATUS_LABELS[s], STATUS_COLORS[s], STATUS_TEXT_COLORS[s], "") for s in STATUS_ORDER]
    st.markdown(
        " ".join(
            f'<span style="background:{bg};color:{fg};{badge}{extra}">{label}</span>'
            for label, bg, fg, extra in items
        ),
        unsafe_allow_html=True,
    )  # fixed labels and colours only, never session text


def percent_column(
    label: str | None = None, *, bar: bool = True, max_value: float = 1, help: str | None = None
) -> Any:
    """A fraction column shown as the one percentage format ("57%"); the data stays the fraction.

    bar=False gives a plain number (roll-ups where the bar would repeat the columns beside it).
    """
    if not bar:
        return st.column_config.NumberColumn(label, format="percent", step=PERCENT_STEP, help=help)
    return st.column_config.ProgressColumn(
        label, format="percent", min_value=0, max_value=max_value, step=PERCENT_STEP, help=help
    )


def default_column_config(table: pd.DataFrame) -> dict[str, Any]:
    """Readable formats: weekday dates, fill rates as percentages, counts with separators.

    Ids and record numbers keep their plain digits ("module 405223", not "405,223").
    """
    config: dict[str, Any] = {}
    for col in table.columns:
        dtype = table[col].dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            config[col] = st.column_config.DatetimeColumn(col, format=DATETIME_FORMAT)
        elif col in FILL_COLUMNS:
            config[col] = percent_column(col)
        elif col in NARROW_COLUMNS:
            config[col] = st.column_config.NumberColumn(col, format="localized", width="small")
        elif pd.api.types.is_integer_dtype(dtype) and not IDENTIFIER_COLUMN.search(str(col)):
            config[col] = st.column_config.NumberColumn(col, format="localized")
        elif col == "Title":
            config[col] = st.column_config.TextColumn(col, width=TITLE_WIDTH, help=TEXT_HELP[col])
        elif col in TEXT_WIDTHS:
            config[col] = st.column_config.TextColumn(
                col, width=TEXT_WIDTHS[col], help=TEXT_HELP.get(col)
            )
    return config


def table_height(rows: int, cap: int = MAX_TABLE_HEIGHT) -> int:
    """Pixels for a grid of this many rows and its header, capped: a short result stays short."""
    return min(cap, ROW_HEIGHT * (rows + 1) + 3)


def table_with_download(
    table: pd.DataFrame,
    *,
    name: str,
    key: str,
    view: View,
    csv_frame: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
    column_config: dict[str, Any] | None = None,
    height: int | None = None,
    more: Callable[[], None] | None = None,
) -> None:
    """A table and two downloads of exactly its rows: the full-data CSV (csv_frame when the
    export shape differs) and "As shown" (the grid's columns, headers and formats); `more`
    draws other downloads of the same rows beside them.

    On screen, session tables lead with their decision columns (start, zone, title, tutor, the
    numbers) and the grid is as tall as its rows, up to `height` (MAX_TABLE_HEIGHT when not
    given); the full-data CSV keeps the table's own columns.
    Very long tables show their first MAX_TABLE_ROWS rows (both CSVs keep every row), and their
    CSVs are built when a button is pressed rather than on every rerun.
    """
    shown = decision_first(table.head(MAX_TABLE_ROWS))
    config = {**default_column_config(shown), **(column_config or {})}
    st.dataframe(
        shown,
        hide_index=True,
        column_config=config,
        key=f"{key}_table",
        height=table_height(len(shown), height or MAX_TABLE_HEIGHT),
    )
    if len(table) > len(shown):
        st.caption(
            f"Showing the first {len(shown):,} of {len(table):,} rows; both CSVs hold all of them."
        )
    csv_download(
        table,
        name=name,
        key=key,
        view=view,
        csv_frame=csv_frame,
        column_config=column_config,
        more=more,
    )


def csv_download(
    table: pd.DataFrame,
    *,
    name: str,
    key: str,
    view: View,
    csv_frame: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
    column_config: dict[str, Any] | None = None,
    more: Callable[[], None] | None = None,
) -> None:
    """A table's two downloads, side by side: "Full data (CSV)", exactly its rows as
    `lu-data export` writes them (csv_frame when given), and "As shown", the table as the grid
    draws it (its columns, headers and order, times in the display zone; every row); then
    what `more` draws in the same row.
    """

    def build() -> bytes:
        frame = csv_frame() if callable(csv_frame) else csv_frame
        return to_csv_bytes(table if frame is None else frame)

    def build_shown() -> bytes:
        return to_csv_bytes(shown_frame(table, column_config))

    rows = len(table)
    with st.container(horizontal=True, gap="small"):
        offer_download(
            None,
            "Full data (CSV)",
            build,
            rows=rows,
            filters=view.filters,
            help=f"Download these {rows:,} rows with every field, as `lu-data export` writes "
            "them: ids first, ISO 8601 times with offsets (UTF-8, opens in Excel)",
            key=f"{key}_csv",
            mime="text/csv",
            icon=":material/download:",
            file_name=download_name(view, name),
        )
        offer_download(
            None,
            "As shown",
            build_shown,
            rows=rows,
            filters=view.filters,
            help=f"Download these {rows:,} rows as the table shows them: its columns, headers "
            f"and order, times in {zone_label(view.tz)} (CSV, UTF-8, opens in Excel)",
            key=f"{key}_shown_csv",
            mime="text/csv",
            icon=":material/table_view:",
            file_name=download_name(view, f"{name}-as-shown"),
        )
        if more is not None:
            more()


def shown_frame(table: pd.DataFrame, column_config: dict[str, Any] | None = None) -> pd.DataFrame:
    """Every row of a table as its grid shows it: decision columns first, hidden columns left
    out, each column under its header and in its format (see lu_data's as_shown_frame)."""
    shown = decision_first(table)
    config = {**default_column_config(shown), **(column_config or {})}
    columns: list[str] = []
    headers: dict[str, str] = {}
    formats: dict[str, str] = {}
    for col in shown.columns:
        spec = config.get(col, {})
        if col in config and spec is None:  # a column configured away is not on screen
            continue
        columns.append(col)
        if isinstance(spec, str):
            headers[col] = spec
            continue
        if spec.get("label"):
            headers[col] = str(spec["label"])
        type_config = spec.get("type_config") or {}
        fmt = type_config.get("format")
        if type_config.get("type") in ("datetime", "date", "time") and fmt:
            formats[col] = moment_to_strftime(str(fmt))
        elif fmt == "percent" or (fmt and "%" in str(fmt)):
            formats[col] = str(fmt)
    return as_shown_frame(shown, columns, headers, formats)


def download_name(view: View, name: str, ext: str = "csv") -> str:
    """The file name of a download of this view: its name, filters (as people read them), dates."""
    choices = portal_choices(portal_token(view.portal), view.portal)
    return export_file_name(
        name,
        view.filters,
        ext,
        trainings=choices.training_labels,
        tutors=choices.tutor_labels,
    )
