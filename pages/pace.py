"""Fill pace & forecast: is each upcoming session filling fast enough, and where will it end?"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

import ui
from lu_data.analyses.forecast import (
    BACKTEST_DAYS,
    PROJECTION_METHOD,
    curve_for,
    pace_choices,
    pace_table,
    projected_at_risk,
    session_track,
)
from lu_data.figures.pace import pace_figure
from lu_data.model.fill_status import percent_text
from lu_data.views.pace import EMPTY_HISTORY_MESSAGE

BUILDING_MESSAGE = (
    "Enrolment history is building up: projections start once sessions recorded before they "
    "started have run. It grows each time data is loaded, or run `lu-data record` on a schedule."
)


view = ui.start_page("Fill pace & forecast")

try:  # a tutor's projections learn from the whole portal, as everyone's do
    history, curves, tested = ui.view_pace_inputs(view)
except Exception as exc:  # an unreachable store must not take the page down
    st.warning(
        f"Enrolment history could not be read ({type(exc).__name__}).", icon=":material/warning:"
    )
    st.stop()
if history.empty or curves.empty:
    st.info(EMPTY_HISTORY_MESSAGE if history.empty else BUILDING_MESSAGE, icon=":material/info:")
    st.stop()

threshold = ui.at_risk_threshold("pace_threshold")
projections = ui.view_projections(view)
if projections is None:  # the history store went away between the two reads
    st.info(BUILDING_MESSAGE, icon=":material/info:")
    st.stop()
# Worked out once per view and threshold: a session picked below must not redo them.
risk = ui.memo(view, projected_at_risk, view.sessions, projections, threshold)
table = ui.memo(view, pace_table, view.sessions, projections, threshold, view.tz)

ui.render_cards(
    [
        ui.Card("Upcoming sessions", f"{len(projections):,}"),
        ui.Card(
            "Projected at risk",
            f"{len(risk):,}",
            help=f"Projected to end under {percent_text(threshold)} full",
        ),
        *(
            ui.Card(
                f"Back-test, {row.days_before} days out",
                f"±{row.mae_projection:.1f} seats",
                help=f"Mean absolute error of the projection over {row.sessions} completed "
                f"sessions; assuming today's count is final: ±{row.mae_naive:.1f} seats",
            )
            for row in tested.head(2).itertuples()
        ),
    ]
)

st.subheader("Upcoming sessions and where they are heading")
if table.empty:
    st.success("No upcoming sessions in this view.", icon=":material/check:")
else:
    ui.table_with_download(
        table,
        name="fill-forecast",
        key="pace_sessions",
        view=view,
        column_config={
            "Fill today": ui.percent_column(),
            "Projected fill": ui.percent_column(),
            "At risk": st.column_config.CheckboxColumn(help="Projected under the threshold"),
        },
    )

    st.subheader("Fill pace of one session")
    labels = ui.memo(view, pace_choices, table)
    keys = list(labels)
    # The soonest at-risk session first, when there is one; a picked one stays in the URL.
    ui.page_choice("pace_session", "session", keys[0], options=keys)
    picked = st.selectbox(
        "Session",
        keys,
        format_func=labels.__getitem__,
        key="pace_session",
    )
    if len(table) > len(keys):
        st.caption(
            f"The list holds {len(keys):,} of {len(table):,} sessions, at-risk ones first; "
            "narrow the sidebar filters to pick another."
        )

    def session_figure() -> go.Figure:
        """The picked session's enrolment track over its training's typical curve."""
        session = view.sessions.loc[view.sessions["session_key"] == picked].iloc[0]
        projection = projections.loc[projections["session_key"] == picked].iloc[0]
        curve, curve_label = curve_for(curves, session["training_key"])
        track = session_track(history, picked, session["start_utc"], session["max_capacity"])
        return pace_figure(
            track, curve, curve_label=curve_label, projected_fill=projection["projected_fill"]
        )

    st.plotly_chart(ui.memo(view, session_figure), key="pace_chart")

ui.render_supply_demand(view, history, threshold)

with st.expander("How the projection works, and how well it did", icon=":material/science:"):
    st.markdown(PROJECTION_METHOD)
    st.markdown(
        "**Back-test.** Curves built from the earlier half of completed sessions project the "
        f"later half from their enrolment {' and '.join(map(str, BACKTEST_DAYS))} days before "
        "start; the error is in seats."
    )
    st.dataframe(
        tested.rename(
            columns={
                "days_before": "Days before start",
                "sessions": "Sessions",
                "mae_projection": "Mean error, projection (seats)",
                "mae_naive": "Mean error, today's count (seats)",
                "mean_final": "Mean final enrolment",
            }
        ),
        hide_index=True,
        key="pace_backtest",
    )
