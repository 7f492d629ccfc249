"""Supply and demand in the app: trainings that sell out early or rarely fill, judged once per
view for the Fill pace section, the Capacity page's link and the digest preview."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from lu_data.analyses.filters import filter_sessions, whole_history
from lu_data.analyses.supply_demand import (
    CANDIDATE_HEADINGS,
    FULL_EARLY_COLUMN,
    FULL_EARLY_DAYS,
    MIN_SESSIONS,
    RARELY_FILLS,
    RECENT,
    SELLS_OUT,
    TOO_FEW,
    supply_demand,
    supply_demand_lines,
    supply_demand_rows,
    under_column,
)
from lu_data.model.fill_status import percent_text
from ui.metrics import Card, Drill, render_cards, render_drills
from ui.page_choices import view_threshold
from ui.table_view import table_with_download
from ui.view import View, memo, view_pace_inputs


def view_demand(view: View, history: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """supply_demand of the view's trainings: every date of its other filters' sessions,
    worked out once per view, history and threshold."""
    return memo(view, _view_demand, view, history, threshold)


def _view_demand(view: View, history: pd.DataFrame, threshold: float) -> pd.DataFrame:
    scope = filter_sessions(view.portal.sessions, whole_history(view.filters))
    return supply_demand(history, scope, view.whole.fetched_at, threshold)


def view_history_demand(view: View, threshold: float) -> pd.DataFrame | None:
    """view_demand with the load's own enrolment history; None when it cannot be read."""
    try:
        history, _, _ = view_pace_inputs(view)
    except Exception:  # an unreachable history store only removes supply and demand
        return None
    return view_demand(view, history, threshold)


def render_demand_link(view: View) -> None:
    """One link to Fill pace's Supply and demand, saying how many trainings sell out early and
    how many rarely fill; nothing without an enrolment history or without such trainings."""
    demand = view_history_demand(view, view_threshold())
    if demand is None:
        return
    counts = demand["verdict"].value_counts()
    sell, rare = int(counts.get(SELLS_OUT, 0)), int(counts.get(RARELY_FILLS, 0))
    if sell or rare:
        said = f"{sell:,} sell{'s' if sell == 1 else ''} out early, {rare:,} rarely fill"
        said += "s" if rare == 1 else ""
        render_drills([Drill(f"Supply and demand: {said}", "pace")])


def render_supply_demand(view: View, history: pd.DataFrame, threshold: float) -> None:
    """Each training of the view judged on its recent completed sessions, with the candidates
    listed first and every training in a table with its CSV.

    A training's history has no date range: the view's other filters pick the sessions, and
    every date counts, so the default "from today" view still looks back.
    """
    st.subheader("Supply and demand")
    demand = view_demand(view, history, threshold)
    # The CSV's name and its audit line say "all dates", as the table does.
    view = replace(view, filters=whole_history(view.filters))
    counts = demand["verdict"].value_counts()
    limit = percent_text(threshold)
    st.caption(
        f"Each training's last {RECENT} completed sessions with an enrolment history: how many "
        f"were full {FULL_EARLY_DAYS}+ days before they started, and how many ended under "
        f"{limit} full. Every date counts, whatever the date filter; the other filters apply."
    )
    render_cards(
        [
            Card(
                "Sell out early",
                f"{counts.get(SELLS_OUT, 0):,}",
                help=f"Most recent sessions full {FULL_EARLY_DAYS}+ days before start: "
                "candidates for another session",
            ),
            Card(
                "Rarely fill",
                f"{counts.get(RARELY_FILLS, 0):,}",
                help=f"Most recent sessions ended under {limit} full: candidates to merge",
            ),
            Card(
                "Not enough history",
                f"{counts.get(TOO_FEW, 0):,}",
                help=f"Fewer than {MIN_SESSIONS} completed sessions with an enrolment history",
            ),
        ]
    )
    if demand.empty:
        st.info("No trainings in this view.", icon=":material/info:")
        return
    for verdict, heading in CANDIDATE_HEADINGS.items():
        if counts.get(verdict, 0):
            st.markdown(f"**{heading}**")
            st.text("\n".join(supply_demand_lines(demand, verdict)))  # plain: titles stay text
    table_with_download(
        memo(view, supply_demand_rows, demand, threshold),
        name="supply-demand",
        key="pace_demand",
        view=view,
        csv_frame=demand,
        column_config={
            "Training": st.column_config.TextColumn(width="medium"),
            "Verdict": st.column_config.TextColumn(width=125),
            FULL_EARLY_COLUMN: st.column_config.TextColumn(
                help=f"Of the last {RECENT} completed sessions, those full "
                f"{FULL_EARLY_DAYS}+ days before start"
            ),
            under_column(threshold): st.column_config.TextColumn(
                help=f"Of the last {RECENT} completed sessions, those that ended under {limit} full"
            ),
            "Evidence": st.column_config.TextColumn(width="large"),
        },
    )
