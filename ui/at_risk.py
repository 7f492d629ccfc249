"""The at-risk sessions by projected fill: the whole table, or an overview's soonest few."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from lu_data.analyses.forecast import pace_table, projected_risk_text
from lu_data.exports.csv import sessions_export
from lu_data.model.selection import is_in
from lu_data.views.session_tables import (
    risk_lines,
    soonest_rows,
)
from ui.page_choices import view_threshold
from ui.table_view import csv_download, table_with_download
from ui.view import View, memo, view_projections

DIGEST_ROWS = 8  # at-risk sessions an overview lists before "show all"


def render_projected_risk(view: View, *, key: str, digest: bool = False) -> bool:
    """The at-risk table by projected final fill, beside today's fill; False without history.

    digest=True lists the soonest few as lines and draws the whole table on request.
    """
    projections = view_projections(view)
    if projections is None:
        return False
    threshold = view_threshold()
    rule = projected_risk_text(threshold)
    st.subheader(f"At risk: {rule}")
    st.caption(
        "Projected from each training's typical fill pace; the method and its back-test "
        "are on the Fill pace & forecast page."
    )
    table = memo(view, _projected_risk_table, view, projections, threshold)
    if table.empty:
        st.success(
            f"No upcoming session in this view is {rule}.",
            icon=":material/check:",
        )
        return True
    render = render_risk_digest if digest else table_with_download
    render(
        table,
        name="at-risk",
        key=key,
        view=view,
        csv_frame=lambda: sessions_export(
            view.sessions.loc[is_in(view.sessions["session_key"], table["Session key"])], view.tz
        ),
    )
    return True


def render_risk_digest(
    table: pd.DataFrame,
    *,
    name: str,
    key: str,
    view: View,
    csv_frame: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
) -> None:
    """The soonest DIGEST_ROWS at-risk sessions as plain lines, the full table on request.

    A data grid makes a first visit load and compile the grid's and Arrow's scripts before
    anything else draws (0.3 s of a 3 s first paint here); an overview lists the soonest few.
    """
    soonest = memo(view, soonest_rows, table, view.sessions, DIGEST_ROWS)
    st.text("\n".join(risk_lines(soonest)))  # plain text: no title is read as Markdown
    if len(table) > len(soonest):
        st.caption(f"The {len(soonest)} starting soonest of {len(table):,}; the CSV has all.")
        if st.toggle(f"Show all {len(table):,} as a table", key=f"{key}_all"):
            table_with_download(table, name=name, key=key, view=view, csv_frame=csv_frame)
            return
    csv_download(table, name=name, key=key, view=view, csv_frame=csv_frame)


def _projected_risk_table(view: View, projections: pd.DataFrame, threshold: float) -> pd.DataFrame:
    table = pace_table(view.sessions, projections, threshold, view.tz)
    return table.loc[table["At risk"]].drop(columns=["At risk"]).reset_index(drop=True)
