"""Page-level choices mirrored in the URL, so a copied link opens the page as it was left.

A page's own choices (the Sessions search, the Calendar's view, day and timeline rows,
Capacity's roll-up and list, the session of Fill pace, the Tutors page's training) live in that
page's URL only: the menu links carry the shared filters alone
(`ui.sidebar.shared_query_params`), so a choice never follows the user elsewhere. Their names
differ from the sidebar's (`ui.sidebar.shared_names`). Two are exceptions: the Tutors page's
tutor is the sidebar's Tutor filter itself (`sidebar_tutor`, `tutor_picker`), and the at-risk
threshold set on Fill pace travels with the shared filters, so the at-risk lists of the
Overview and Capacity count the same sessions (`view_threshold`).

`page_choice` is called just before the widget it feeds, with the widget's key: on the page's
first run it seeds the widget's state from the URL (or the default), and on every run it
writes the current value back, leaving the URL clean while the value is the default. When a
user changes a widget, its new value is already in session state at the top of the rerun, so
one call before the widget covers both directions.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from lu_data.analyses.tutors import ALL_TUTORS
from lu_data.model.fill_status import AT_RISK_BELOW
from lu_data.views.calendar_events import VIEW_STEPS, clamp_day, step_day
from lu_data.views.links import PARAM_THRESHOLD

T = TypeVar("T")

QP_DATE = "date"  # the day the Calendar shows: ?date=2026-12-14
QP_THRESHOLD = PARAM_THRESHOLD  # the at-risk threshold as a fraction: ?threshold=0.3
TUTOR_FILTER = "filter_tutors"  # the sidebar's Tutor filter (ui.sidebar.QP_MULTI)
TUTOR_PICKER_NOTE = (
    "The same choice as the sidebar's Tutor filter: picking a tutor here sets it there, "
    "and a copied link keeps it."
)
THRESHOLD_STEPS = tuple(range(10, 95, 5))  # percent, as the slider offers them


def seed_widget(key: str, value: Any) -> None:
    """Give a widget its first value (from the URL) without also passing value=."""
    if key not in st.session_state:
        st.session_state[key] = value


def page_choice(
    key: str,
    param: str,
    default: T,
    *,
    options: Collection[T] | None = None,
    parse: Callable[[str], T] | None = None,
    text: Callable[[T], str] = str,
) -> T:
    """The choice of widget `key`, seeded from URL parameter `param` and kept in it.

    `parse` reads the parameter (strings as they are when None); a value it rejects (an
    exception) or one not in `options` is ignored for the default. `text` writes a value back.
    Pass no value=/default= to the widget itself: its state is seeded here.
    """
    if key not in st.session_state:
        st.session_state[key] = _from_url(param, default, options, parse)
    value: T = st.session_state[key]
    if options is not None and value not in options:
        value = st.session_state[key] = default  # the choice left the page's options
    show_choice(param, value, default, text)
    return value


def page_choices(key: str, param: str, options: Collection[str]) -> list[str]:
    """The values of multiselect `key`, seeded from the repeated URL parameter `param` and
    kept in it (left out when none is chosen); values not in `options` are dropped."""
    if key not in st.session_state:
        st.session_state[key] = [v for v in st.query_params.get_all(param) if v in options]
    values = [v for v in st.session_state[key] if v in options]
    st.session_state[key] = values
    if not values:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get_all(param) != values:
        st.query_params[param] = values
    return values


def segmented_choice(
    label: str,
    options: Mapping[str, str],
    *,
    key: str,
    param: str,
    default: str,
    format_func: Callable[[str], str] | None = None,
) -> str:
    """A segmented control over `options` (value → label) kept in URL parameter `param`; a
    click that unselects every segment falls back to `default`."""
    page_choice(key, param, default, options=list(options))
    picked = st.segmented_control(
        label, list(options), key=key, format_func=format_func or options.__getitem__
    )
    return picked or default


def show_choice(param: str, value: T | None, default: T, text: Callable[[T], str] = str) -> None:
    """Write one page choice into the URL; the default (or no choice) leaves it out."""
    wanted = None if value is None or value == default else text(value)
    if wanted is None:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != wanted:
        st.query_params[param] = wanted


def _from_url(
    param: str,
    default: T,
    options: Collection[T] | None,
    parse: Callable[[str], T] | None,
) -> T:
    raw = st.query_params.get(param)
    if raw is None:
        return default
    try:
        value: T = parse(raw) if parse else raw  # type: ignore[assignment]
    except (ValueError, TypeError):
        return default
    if options is not None and value not in options:
        return default
    return value


def view_threshold() -> float:
    """This view's at-risk threshold as a fraction: ?threshold, as Fill pace's slider sets it."""
    percent = _from_url(QP_THRESHOLD, round(AT_RISK_BELOW * 100), THRESHOLD_STEPS, _percent_of)
    return percent / 100


def at_risk_threshold(
    key: str, label: str = "At risk when projected to end under", help: str | None = None
) -> float:
    """The at-risk threshold slider (in %), kept in the URL as a fraction; returns the fraction."""
    page_choice(
        key,
        QP_THRESHOLD,
        round(AT_RISK_BELOW * 100),
        options=THRESHOLD_STEPS,
        parse=_percent_of,
        text=_fraction_text,
    )
    percent = st.slider(
        label,
        help=help,
        min_value=THRESHOLD_STEPS[0],
        max_value=THRESHOLD_STEPS[-1],
        step=THRESHOLD_STEPS[1] - THRESHOLD_STEPS[0],
        format="%d%%",
        key=key,
    )
    return int(percent) / 100


def _percent_of(fraction: str) -> int:
    return round(float(fraction) * 100)


def _fraction_text(percent: int) -> str:
    return f"{percent / 100:g}"


def sidebar_tutor(key: str, tutors: Collection[str]) -> str:
    """The Tutors page's pick, one state with the sidebar's Tutor filter (?tutor= in the URL).

    A single tutor chosen in the sidebar is the page's tutor; none or several is "all tutors"
    (of the view). Seeds the picker `key` with it; `tutor_picker` writes a pick back.
    """
    chosen = list(st.session_state.get(TUTOR_FILTER) or [])
    current = chosen[0] if len(chosen) == 1 and chosen[0] in tutors else ALL_TUTORS
    st.session_state[key] = current
    return current


def tutor_picker(
    where: DeltaGenerator, key: str, options: Sequence[str], labels: Mapping[str, str]
) -> str:
    """The page's tutor picker; picking sets the sidebar's Tutor filter, "All tutors" clears it."""
    picked = where.selectbox(
        "Tutor",
        options,
        key=key,
        format_func=lambda k: "All tutors" if k == ALL_TUTORS else labels[k],
        on_change=_pick_tutor,
        args=(key,),
    )
    where.caption(TUTOR_PICKER_NOTE)
    return str(picked)


def _pick_tutor(key: str) -> None:
    picked = st.session_state[key]
    st.session_state[TUTOR_FILTER] = [] if picked == ALL_TUTORS else [picked]


def calendar_day(
    key: str, mode: str, first: date, last: date, today: date, *, opens_on: date | None = None
) -> date:
    """The day the calendar shows (?date=), with Previous / Today / Next and a date box.

    The calendar component does not report its own navigation, so the page moves it: every
    move lands in session state and the URL, and the calendar opens on that day. The day stays
    within first..last (the days drawn); the URL leaves out `opens_on` (default `first`), the
    day a link without ?date= opens on.
    """
    default = opens_on or first
    page_choice(key, QP_DATE, default, parse=date.fromisoformat, text=date.isoformat)
    shown = clamp_day(st.session_state[key], first, last)
    st.session_state[key] = shown
    show_choice(QP_DATE, shown, default, date.isoformat)
    unit = VIEW_STEPS.get(mode, ("month", 1))[0]
    # One wrapping row, each button as wide as its label: equal columns cut the labels at 1024 px.
    row = st.container(horizontal=True, vertical_alignment="bottom")
    moves = (
        ("Previous", f"Previous {unit}", step_day(mode, shown, -1), ":material/chevron_left:"),
        ("Today", "Today", today, ":material/today:"),
        ("Next", f"Next {unit}", step_day(mode, shown, 1), ":material/chevron_right:"),
    )
    for label, says, day, icon in moves:
        target = clamp_day(day, first, last)
        row.button(
            label,
            key=f"{key}_{label.lower()}",
            icon=icon,
            help=says,
            on_click=_show_day,
            args=(key, target),
            disabled=target == shown,
            width="content",
        )
    picked = row.date_input(
        "Go to", key=key, min_value=first, max_value=last, format="YYYY-MM-DD", width=170
    )
    return picked if isinstance(picked, date) else shown


def _show_day(key: str, day: date) -> None:
    st.session_state[key] = day


def calendar_from_link(key: str, days: Sequence[date]) -> None:
    """A calendar paged by whole days opens on the page holding the link's ?date=."""
    if key in st.session_state or not days:
        return
    try:
        linked = date.fromisoformat(st.query_params.get(QP_DATE, ""))
    except ValueError:
        return
    st.session_state[key] = days[max(bisect_right(days, linked) - 1, 0)]
