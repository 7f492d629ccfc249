"""The View a run builds (portal, filtered sessions, filters, zone) and work cached per view."""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TypeVar

import pandas as pd
import streamlit as st

from lu_data import Portal
from lu_data.analyses.filters import Filters
from lu_data.model.selection import is_in
from ui.loaders import SOURCE_DEMO, portal_projections, portal_token

MEMO_ENTRIES = 64  # per-view tables kept across reruns; a few views × the tables of a page
TODAY_ENV = "LU_TODAY"  # pins "today" (ISO date) for reproducible demos and screenshots
VIEW_KEY = "_lu_view"
T = TypeVar("T")


@dataclass
class View:
    """What every page reads: the loaded portal, the filters and the filtered sessions."""

    portal: Portal
    sessions: pd.DataFrame
    filters: Filters
    today: date
    tz: str
    description: str
    source: str
    warnings: list[str] = field(default_factory=list)


def today() -> date:
    """Today's date (UTC), or the date pinned by LU_TODAY."""
    pinned = os.environ.get(TODAY_ENV, "").strip()
    if pinned:
        try:
            return date.fromisoformat(pinned)
        except ValueError:
            pass
    return datetime.now(UTC).date()


def view_token(view: View) -> str:
    """Names one view: the load, the filters and today's date."""
    return f"{portal_token(view.portal)}|{view.filters!r}|{view.today.isoformat()}"


def memo(view: View, name: str, compute: Callable[[], T], *parts: Hashable) -> T:
    """compute() once per view, name and parts, shared by every session showing that view.

    Pages use it for tables and aggregates of the filtered sessions: at 100,000 sessions these
    take seconds together, and a rerun (a click elsewhere on the page) must not repeat them.
    `name` and `parts` must say everything compute() depends on beyond the view itself.
    """
    return _memo(view_token(view), name, parts, compute)


@st.cache_resource(ttl="1h", max_entries=MEMO_ENTRIES, show_spinner=False)
def _memo(token: str, name: str, parts: tuple[Hashable, ...], _compute: Callable[[], T]) -> T:
    return _compute()


def view_projections(view: View) -> pd.DataFrame | None:
    """Projected final enrolment of the view's upcoming sessions, or None without history."""
    return memo(view, "projections", lambda: _view_projections(view))


def _view_projections(view: View) -> pd.DataFrame | None:
    portal = view.portal
    try:
        projections = portal_projections(
            portal.origin,
            portal.fetched_at.isoformat(),
            view.source == SOURCE_DEMO,
            portal.sessions,
            len(portal.sessions),
        )
    except Exception:  # an unreachable history store only removes the projection
        return None
    if projections is None:
        return None
    keep = is_in(projections["session_key"], view.sessions["session_key"])
    return projections.loc[keep].reset_index(drop=True)
