"""Fill pace per load, cached for the whole server: history, curves, back-test, projections."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lu_data.model.portal import Portal
from lu_data.views.pace import pace_inputs, project_portal


@st.cache_resource(ttl="1h", max_entries=8, show_spinner="Building enrolment history…")
def load_pace_inputs(
    origin: str, fetched_iso: str, is_demo: bool, _portal: Portal, n_sessions: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """History, typical curves and back-test for one load (lu_data.views.pace), cached per
    load (keyed by origin, fetch time, size)."""
    return pace_inputs(_portal, demo=is_demo)


@st.cache_resource(ttl="1h", max_entries=8, show_spinner=False)
def portal_projections(
    origin: str, fetched_iso: str, is_demo: bool, _portal: Portal, n_sessions: int
) -> pd.DataFrame | None:
    """Projections of every upcoming session of one load, computed once and then filtered."""
    _, curves, _ = load_pace_inputs(origin, fetched_iso, is_demo, _portal, n_sessions)
    return project_portal(_portal, curves)
