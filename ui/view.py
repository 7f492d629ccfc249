"""The View a run builds (portal, filtered sessions, filters, zone) and work cached per view."""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from types import CellType
from typing import TypeVar

import pandas as pd
import streamlit as st

from lu_data.analyses.filters import Filters
from lu_data.core.source_kinds import SOURCE_DEMO
from lu_data.model.portal import Portal
from lu_data.model.selection import is_in
from ui.loaders import portal_token
from ui.pace_cache import load_pace_inputs, portal_projections

MEMO_ENTRIES = 64  # per-view tables kept across reruns; a few views × the tables of a page
TODAY_ENV = "LU_TODAY"  # pins "today" (ISO date) for reproducible demos and screenshots
VIEW_KEY = "_lu_view"
T = TypeVar("T")
# Inputs keyed by value; anything else is keyed by identity.
PLAIN_VALUES = (str, bytes, int, float, bool, date, time, timedelta, Enum)


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
    # The whole load behind a tutor's view (else the portal itself): only the forecast reads
    # it, so a tutor's projections come from the same typical curves as everyone's.
    basis: Portal | None = None

    @property
    def whole(self) -> Portal:
        """The load the forecast learns from: the whole portal, whoever is looking."""
        return self.basis or self.portal


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


def memo(view: View, compute: Callable[..., T], *args: object) -> T:
    """compute(*args) once per view and inputs, shared by every session showing that view.

    Pages use it for tables and aggregates of the filtered sessions: at 100,000 sessions these
    take seconds together, and a rerun (a click elsewhere on the page) must not repeat them.
    The key is the view, the function (its qualified name, where it is defined and what it
    closes over) and its arguments, so two computations never share an entry. A failure is
    never kept: an exception, or a None result, is worked out again on the next run.
    """
    pinned: list[object] = []
    key = (_input_key(compute, view, pinned), tuple(_input_key(a, view, pinned) for a in args))
    try:
        return _memo(view_token(view), key, lambda: compute(*args), pinned)[0]
    except _NotKept:
        return None  # type: ignore[return-value]


class _NotKept(Exception):
    """Raised inside the cache so that a None result is not stored."""


@st.cache_resource(ttl="1h", max_entries=MEMO_ENTRIES, show_spinner=False)
def _memo(
    token: str, key: Hashable, _compute: Callable[[], T], _pinned: list[object]
) -> tuple[T, list[object]]:
    result = _compute()
    if result is None:
        raise _NotKept
    # The entry holds the inputs keyed by identity, so their ids cannot be reused while it lives.
    return result, _pinned


def _input_key(value: object, view: View, pinned: list[object]) -> Hashable:
    """A hashable stand-in for one input of a memoised computation."""
    if value is view:
        return ("view",)
    if value is view.sessions or value is view.portal.sessions:
        # Named by the view token already; the same frame arrives under new ids in new runs.
        return ("view.sessions" if value is view.sessions else "portal.sessions",)
    if value is None or isinstance(value, PLAIN_VALUES):
        return ("value", type(value).__qualname__, value)
    if isinstance(value, tuple | frozenset):
        return (type(value).__qualname__, *(_input_key(v, view, pinned) for v in value))
    bound_to = getattr(value, "__self__", None)
    func = getattr(value, "__func__", value)
    code = getattr(func, "__code__", None)
    if code is not None:
        closure = getattr(func, "__closure__", None) or ()
        cells = tuple(_cell_key(c, view, pinned) for c in closure)
        name = (getattr(func, "__module__", ""), getattr(func, "__qualname__", ""))
        where = (*name, code.co_filename, code.co_firstlineno)
        return ("function", *where, cells, _input_key(bound_to, view, pinned))
    if callable(value) and bound_to is None and hasattr(value, "__qualname__"):
        return ("callable", getattr(value, "__module__", ""), value.__qualname__)
    # Frames and other objects: keyed by identity, which holds across reruns for the results
    # of other memo calls (the cache returns the same object) and is pinned by the entry.
    pinned.append(value)
    return ("object", type(value).__qualname__, id(value))


def _cell_key(cell: CellType, view: View, pinned: list[object]) -> Hashable:
    """The key of one variable a function closes over; a not-yet-assigned one has none."""
    try:
        contents = cell.cell_contents
    except ValueError:
        return ("unassigned",)
    return _input_key(contents, view, pinned)


def view_projections(view: View) -> pd.DataFrame | None:
    """Projected final enrolment of the view's upcoming sessions, or None without history."""
    return memo(view, _view_projections, view)


def whole_load(view: View) -> tuple[str, str, bool, Portal, int]:
    """How the loaders key the load behind a view: its origin, fetch time, whether it is the
    demo, the load itself and its size (for load_pace_inputs and portal_projections)."""
    portal = view.whole
    return (
        portal.origin,
        portal.fetched_at.isoformat(),
        view.source == SOURCE_DEMO,
        portal,
        len(portal.sessions),
    )


def view_pace_inputs(view: View) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """History, typical curves and back-test of the whole load behind a view (cached per load)."""
    return load_pace_inputs(*whole_load(view))


def _view_projections(view: View) -> pd.DataFrame | None:
    try:
        projections = portal_projections(*whole_load(view))
    except Exception:  # an unreachable history store only removes the projection
        return None
    if projections is None:
        return None
    keep = is_in(projections["session_key"], view.sessions["session_key"])
    return projections.loc[keep].reset_index(drop=True)
