"""The shared sidebar: the data source (ui.source_picker), then the filters and display zone,
mirrored in the URL; and the start of every page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import partial
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from lu_data.analyses.filters import (
    DATE_PRESETS,
    DATE_PRESETS_HELP,
    Filters,
    default_range,
    describe_view,
    filter_sessions,
    preset_range,
)
from lu_data.core.pages import APP_TITLE, PAGE_BY_KEY, PageEntry
from lu_data.core.roles import roles_text
from lu_data.core.source_kinds import SOURCE_DEMO, SOURCE_PORTAL
from lu_data.model.fill_status import STATUS_LABELS, STATUS_ORDER
from lu_data.model.portal import Portal
from lu_data.model.schema import MODULE_KIND_LABELS
from lu_data.model.timezones import all_zones
from lu_data.presentation.display_zone import SESSION_ZONE
from lu_data.views.filter_options import MAX_LISTED, narrow_choices
from lu_data.views.links import FILTER_PARAMS, PARAM_FROM, PARAM_TO, PARAM_TZ
from ui.access import NO_OWN_SESSIONS, Access, render_account, require_access
from ui.downloads import PAGE_KEY
from ui.loaders import load_demo_portal, portal_choices, portal_token, tutor_view
from ui.menu import render_menu, set_page
from ui.page_choices import QP_THRESHOLD, seed_widget
from ui.source_picker import QP_SOURCE, render_no_data, render_source_picker
from ui.view import VIEW_KEY, View, today

TZ_SESSION = SESSION_ZONE
TZ_BROWSER = "browser"
TZ_PICK = "pick"
TZ_MODE_LABELS = {
    TZ_SESSION: "Each session's own zone",
    TZ_BROWSER: "My browser's zone",
    TZ_PICK: "A zone I pick",
}

PRESET_KEY = "filter_date_preset"  # the preset last picked; cleared when the dates are edited
URL_WRITTEN_KEY = "filter_url_written"  # the shared filters as the last run left them in the URL
DATES_IN_ZONE_NOTE = (
    "Days are read in the zone times are shown in: changing it can move sessions near "
    "midnight in or out of the range."
)
EMPTY_VIEW_MESSAGE = "No sessions in this range — widen the dates or clear a filter in the sidebar."
PAGE_REFUSED = "The {page} page is for {roles} only: {why}"

# Query-string names of the shared filters, so a copied link opens the same view (the
# data source's, QP_SOURCE, is in ui.source_picker).
QP_FROM, QP_TO, QP_TZ = PARAM_FROM, PARAM_TO, PARAM_TZ
# Widget key → URL name, for each multi-valued filter (the names are lu_data's).
QP_MULTI = {f"filter_{field}": name for field, name in FILTER_PARAMS.items()}
# The sidebar's widget keys whose values the URL holds.
SIDEBAR_FILTER_KEYS = (
    "filter_source",
    "filter_dates",
    "filter_tz_mode",
    "filter_tz_zone",
    *QP_MULTI,
)


def _qp_date(name: str) -> date | None:
    try:
        return date.fromisoformat(st.query_params.get(name, ""))
    except ValueError:
        return None


def _label_of(names: Mapping[str, str], value: str) -> str:
    return names.get(value, value)


def render_filters(portal: Portal, now: date) -> Filters:
    """Sidebar filters: dates and the display zone first (they change every page), then
    portal, training, tutor, location, kind and status."""
    date_from, date_to = render_dates(now)
    tz = render_zone_picker()

    chosen: dict[str, tuple[str, ...]] = {}
    if len(portal.names) > 1:  # only a view of several portals can be narrowed to some
        chosen["filter_portals"] = _multiselect("filter_portals", portal.names, {}, "Portal")
    else:  # nor carried in the URL: a single portal's view has nothing to narrow
        st.session_state.pop("filter_portals", None)
    # With portals chosen, the other filters offer only what those portals hold.
    choices = portal_choices(portal_token(portal), portal, chosen.get("filter_portals", ()))
    options: dict[str, tuple[Sequence[str], Mapping[str, str], str]] = {
        "filter_trainings": (choices.trainings, choices.training_labels, "Training"),
        "filter_tutors": (choices.tutors, choices.tutor_labels, "Tutor"),
        "filter_locations": (choices.locations, {}, "Location"),
        "filter_kinds": (list(MODULE_KIND_LABELS), MODULE_KIND_LABELS, "Module kind"),
        "filter_statuses": (STATUS_ORDER, STATUS_LABELS, "Fill status"),
    }
    for key, (opts, labels, label) in options.items():
        chosen[key] = _multiselect(key, opts, labels, label)
    filters = Filters(
        date_from=date_from,
        date_to=date_to,
        portals=chosen.get("filter_portals", ()),
        trainings=chosen["filter_trainings"],
        tutors=chosen["filter_tutors"],
        locations=chosen["filter_locations"],
        kinds=chosen["filter_kinds"],
        statuses=chosen["filter_statuses"],
        tz=tz,
    )
    write_query_params(filters)
    return filters


def _multiselect(
    key: str, opts: Sequence[str], labels: Mapping[str, str], label: str
) -> tuple[str, ...]:
    """One sidebar filter, seeded from the URL; values no longer offered are dropped."""
    valid = set(opts)
    seed_widget(key, [v for v in st.query_params.get_all(QP_MULTI[key]) if v in valid])
    st.session_state[key] = [v for v in st.session_state[key] if v in valid]
    listed = opts
    if len(opts) > MAX_LISTED:
        listed = searched_options(st.sidebar, key, opts, labels, label, st.session_state[key])
    return tuple(
        st.sidebar.multiselect(
            label,
            listed,
            key=key,
            placeholder="All",
            # a dict lookup per option: with thousands of tutors this runs every rerun
            format_func=partial(_label_of, labels),
        )
    )


def render_dates(now: date) -> tuple[date | None, date | None]:
    """The date range, its presets under it, and the note that days are read in the zone."""
    start, end = default_range(now)
    seed_widget("filter_dates", (_qp_date(QP_FROM) or start, _qp_date(QP_TO) or end))
    picked = st.sidebar.date_input(
        "Sessions starting",
        key="filter_dates",
        format="YYYY-MM-DD",
        on_change=_forget_preset,
        help=f"A range of start days, or a preset below. {DATE_PRESETS_HELP}",
    )
    st.sidebar.pills(
        "Date presets",
        list(DATE_PRESETS),
        key=PRESET_KEY,
        format_func=DATE_PRESETS.__getitem__,
        label_visibility="collapsed",
        on_change=_apply_preset,
        args=(now,),
    )
    st.sidebar.caption(DATES_IN_ZONE_NOTE)
    dates = tuple(picked) if isinstance(picked, (tuple, list)) else (picked,)
    date_from = dates[0] if dates else None
    return date_from, dates[1] if len(dates) > 1 else date_from


def _apply_preset(now: date) -> None:
    """A picked preset sets the date range (the URL's from/to follow at the end of the run)."""
    name = st.session_state.get(PRESET_KEY)
    if name in DATE_PRESETS:
        st.session_state["filter_dates"] = preset_range(name, now)


def _forget_preset() -> None:
    """Dates edited by hand are no preset any more."""
    st.session_state[PRESET_KEY] = None


def searched_options(
    where: DeltaGenerator,
    key: str,
    opts: Sequence[str],
    labels: Mapping[str, str],
    label: str,
    selected: Sequence[str],
) -> list[str]:
    """A Find box above a picker with thousands of choices; the options it lists.

    Thousands of options in one widget cost the browser about a second on every page load,
    so long lists are searched on the server and list at most MAX_LISTED at a time. `where`
    is st or st.sidebar; the box's key is `key` + "_find".
    """
    noun = f"{label.lower()}s"
    query = where.text_input(
        f"Find {noun}",
        key=f"{key}_find",
        placeholder=f"Part of a name, among {len(opts):,}",
    )
    listed, matched = narrow_choices(opts, labels, query, selected)
    if matched > MAX_LISTED:
        where.caption(
            f"{label} lists {MAX_LISTED} of {matched:,} {'matches' if query else noun}: "
            "type in Find to narrow it."
        )
    elif query:
        where.caption(f"{matched:,} {noun} match “{query}”.")
    return listed


def render_zone_picker() -> str:
    """Display time zone: each session's own, the browser's, or a picked IANA zone."""
    wanted = st.query_params.get(QP_TZ, TZ_SESSION)
    mode = TZ_SESSION if wanted == TZ_SESSION else TZ_BROWSER if wanted == TZ_BROWSER else TZ_PICK
    zones = all_zones()
    seed_widget("filter_tz_mode", mode)
    seed_widget("filter_tz_zone", wanted if wanted in zones else "Europe/Dublin")
    mode = st.sidebar.radio(
        "Show times in",
        list(TZ_MODE_LABELS),
        key="filter_tz_mode",
        format_func=TZ_MODE_LABELS.__getitem__,
    )
    if mode == TZ_PICK:
        return st.sidebar.selectbox("Time zone", zones, key="filter_tz_zone")
    if mode == TZ_BROWSER:
        browser = getattr(st.context, "timezone", None)
        if browser and browser in zones:
            st.sidebar.caption(f"Your browser's zone: {browser}")
            return str(browser)
        st.sidebar.caption("Your browser did not say its zone; showing UTC.")
        return "UTC"
    return TZ_SESSION


def write_query_params(f: Filters) -> None:
    """Mirror the shared filters into the URL so a copied link restores the view."""
    params: dict[str, Any] = {QP_SOURCE: st.session_state.get("filter_source", SOURCE_DEMO)}
    if f.date_from:
        params[QP_FROM] = f.date_from.isoformat()
    if f.date_to:
        params[QP_TO] = f.date_to.isoformat()
    mode = st.session_state.get("filter_tz_mode", TZ_SESSION)
    params[QP_TZ] = TZ_BROWSER if mode == TZ_BROWSER else f.tz
    for key, name in QP_MULTI.items():
        values = list(st.session_state.get(key) or [])
        if values:
            params[name] = values
    # Only the sidebar's names are this function's: the page's own choices (ui.page_choices) stay.
    shared = sidebar_names()
    current = _url_params(shared)
    wanted = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    if current != wanted:
        page_own = {k: st.query_params.get_all(k) for k in st.query_params if k not in shared}
        st.query_params.from_dict({**params, **page_own})
    st.session_state[URL_WRITTEN_KEY] = wanted


def render_sidebar(access: Access | None = None) -> View | None:
    """The shared sidebar; stores the View for the pages of this run and returns it.

    A tutor's view holds only the sessions they teach, from the filters' choices on.
    """
    access = access or Access()
    basis, source, notes = render_source_picker(access.runs_data)
    if basis is None:
        st.session_state[VIEW_KEY] = None
        return None
    portal = tutor_view(portal_token(basis), basis, access.email) if access.tutor else basis
    now = today()
    filters = render_filters(portal, now)
    sessions = filter_sessions(portal.sessions, filters)
    view = View(
        portal=portal,
        sessions=sessions,
        filters=filters,
        today=now,
        tz=filters.tz,
        description=describe_view(sessions, filters),
        source=source,
        warnings=notes,
        basis=basis,
    )
    st.sidebar.caption(view.description)
    if source != SOURCE_PORTAL:  # a portal's age is shown under its Refresh button
        st.sidebar.caption(f"Data as of {portal.fetched_at:%d %b %Y %H:%M} UTC · {portal.origin}")
    if (
        source == SOURCE_DEMO
        and access.runs_data
        and st.sidebar.button("Rebuild demo data", key="filter_reload", icon=":material/refresh:")
    ):
        load_demo_portal.clear()
        st.rerun()
    st.session_state[VIEW_KEY] = view
    return view


def start_page(
    title: str,
    *,
    need_sessions: bool = True,
    describe: bool = True,
    page: str | None = None,
    banners: bool = True,
) -> View:
    """Every page's first call: page config, menu, shared sidebar, heading, banners, view sentence.

    `page` is the page's key in lu_data.core.pages: a page only some roles may open stops for
    anyone else, saying so. Stops the page when there is nothing to show. A page that shows
    no sessions (the Audit) leaves out the data's banners with `banners=False`.
    """
    set_page(title)
    st.session_state[PAGE_KEY] = title
    access = require_access()  # sign-in, refusal or the no-sign-in rule stop the page here
    keep_shared_filters()
    st.sidebar.header(APP_TITLE)
    menu = st.sidebar.container()  # drawn first, filled once the filters are known
    render_account(access)
    entry = PAGE_BY_KEY.get(page) if page else None
    if entry is not None and not entry.open_to(access.role):
        render_refused_page(entry, title, menu, access)
    view = render_sidebar(access)
    render_menu(menu, shared_query_params(), access.role)
    st.title(title)
    if view is None:
        render_no_data()
        st.stop()
    if banners:
        render_banners(view)
    if describe:
        st.caption(view.description)
    if view.portal.viewer and view.portal.sessions.empty:  # a tutor who teaches nothing here
        st.info(NO_OWN_SESSIONS.format(email=view.portal.viewer), icon=":material/person_off:")
        st.stop()
    if need_sessions and view.sessions.empty:
        st.info(EMPTY_VIEW_MESSAGE, icon=":material/search_off:")
        st.stop()
    return view


def render_refused_page(entry: PageEntry, title: str, menu: DeltaGenerator, access: Access) -> None:
    """A page this person's role may not open: the menu of those they may, why not; then stop."""
    render_menu(menu, shared_query_params(), access.role)
    st.title(title)
    refusal = PAGE_REFUSED.format(page=entry.label, roles=roles_text(entry.roles), why=entry.why)
    st.warning(refusal, icon=":material/block:")
    st.stop()


def keep_shared_filters() -> None:
    """Carry the sidebar's choices to the next page.

    Each page script owns its widgets, so Streamlit drops a widget's value when another page
    draws one with the same key; set as plain state, the next page's widget starts from it.
    """
    follow_link_filters()
    for key in [
        k for k in st.session_state if k in SIDEBAR_FILTER_KEYS or str(k).endswith("_find")
    ]:
        st.session_state[key] = st.session_state[key]


def follow_link_filters() -> None:
    """Let the URL's filters win when a link brought other ones than the last run left there.

    A card's drill-down ("Full sessions" opens Sessions with status=full), a menu link or the
    browser's Back button change the URL without touching the sidebar's state, which would
    otherwise overwrite the link's filters with the previous page's. Forgetting that state
    makes each filter start from the URL again, as on a fresh visit.
    """
    written = st.session_state.get(URL_WRITTEN_KEY)
    if written is None:
        return
    if _url_params(sidebar_names()) != written:
        for key in (*SIDEBAR_FILTER_KEYS, PRESET_KEY, URL_WRITTEN_KEY):
            st.session_state.pop(key, None)


def shared_query_params() -> dict[str, list[str]]:
    """The shared filters as they stand in the URL, for links to the other pages."""
    return _url_params(shared_names())


def _url_params(names: set[str]) -> dict[str, list[str]]:
    """The URL's parameters among `names`, each with all its values."""
    return {k: st.query_params.get_all(k) for k in st.query_params if k in names}


def shared_names() -> set[str]:
    """The URL parameters every page's links carry: the sidebar's and the at-risk threshold.

    Every other one belongs to the open page alone.
    """
    return {*sidebar_names(), QP_THRESHOLD}


def sidebar_names() -> set[str]:
    """The URL parameters the shared sidebar writes from its filters."""
    return {QP_SOURCE, QP_FROM, QP_TO, QP_TZ, *QP_MULTI.values()}


def render_banners(view: View) -> None:
    """Demo banner, stale-data and partial-fetch warnings, shown at the top of every page."""
    if view.source == SOURCE_DEMO:
        st.info(
            "Demo data: a generated portal, not your LearnUpon account.", icon=":material/science:"
        )
    for note in view.warnings:
        st.warning(note, icon=":material/warning:")
    if not view.portal.complete:
        st.warning(
            "This data is a partial fetch: some courses could not be read.",
            icon=":material/warning:",
        )
