"""Streamlit glue shared by every page: data source, cached loading, sidebar, tables with CSV."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from lu_data import Portal, SourceError, load_portal
from lu_data.analyses import Filters, default_range, describe_view, filter_sessions
from lu_data.calendar_events import DARK_TEXT, TEXT_COLORS
from lu_data.choices import MAX_LISTED, FilterChoices, filter_choices, narrow_choices
from lu_data.columns import MODULE_KIND_LABELS, STATUS_COLORS, STATUS_LABELS, STATUS_ORDER
from lu_data.demo import DEMO_SESSIONS, generate_demo
from lu_data.demo_history import demo_history
from lu_data.export import export_file_name, sessions_export, to_csv_bytes
from lu_data.figures.style import CAPACITY_COLOR
from lu_data.forecast import (
    AT_RISK_THRESHOLD,
    backtest,
    pace_table,
    project_sessions,
    typical_curves,
)
from lu_data.history import open_store, record_safely
from lu_data.selection import is_in
from lu_data.sources import read_files
from lu_data.timezones import all_zones

SOURCE_DEMO = "demo"
SOURCE_UPLOAD = "upload"
SOURCE_PORTAL = "portal"
SOURCE_LABELS = {
    SOURCE_DEMO: "Demo portal",
    SOURCE_UPLOAD: "Uploaded JSON exports",
    SOURCE_PORTAL: "LearnUpon portal",
}
TZ_SESSION = "local"
TZ_BROWSER = "browser"
TZ_PICK = "pick"
TZ_MODE_LABELS = {
    TZ_SESSION: "Each session's own zone",
    TZ_BROWSER: "My browser's zone",
    TZ_PICK: "A zone I pick",
}
DEFAULT_CACHE_MINUTES = 15
RETRY_WITHOUT_DATA_MINUTES = 1
DATETIME_FORMAT = "ddd D MMM YYYY, HH:mm"
MAX_TABLE_ROWS = 1_000  # more rows cost seconds to send and nobody scrolls them; CSV has all
DEFER_DOWNLOAD_ROWS = 5_000  # above this, exports are built on click, not on every rerun
MEMO_ENTRIES = 64  # per-view tables kept across reruns; a few views × the tables of a page
FILL_COLUMNS = {"Fill", "fill_rate", "Fill rate", "Fill today", "Projected fill"}
DEMO_SESSIONS_ENV = "LU_DEMO_SESSIONS"
TODAY_ENV = "LU_TODAY"  # pins "today" (ISO date) for reproducible demos and screenshots
VIEW_KEY = "_lu_view"
EMPTY_VIEW_MESSAGE = "No sessions in this range — widen the dates or clear a filter in the sidebar."
# Query-string names of the shared filters, so a copied link opens the same view.
QP_SOURCE, QP_FROM, QP_TO, QP_TZ = "source", "from", "to", "tz"
QP_MULTI = {
    "filter_trainings": "training",
    "filter_tutors": "tutor",
    "filter_locations": "location",
    "filter_kinds": "kind",
    "filter_statuses": "status",
}

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


# Loaded portals and everything derived from them are cached as shared resources, not as
# cache_data: cache_data hands each rerun an unpickled copy, which at 100,000 sessions costs
# more than the page itself. Nothing mutates these frames (pandas copy-on-write makes every
# derived frame its own copy), so sharing one object between sessions is safe.
@st.cache_resource(ttl="6h", max_entries=4, show_spinner="Building the demo portal…")
def load_demo_portal(anchor_iso: str, sessions: int = DEMO_SESSIONS) -> Portal:
    """The demo portal anchored on a date, normalised once per anchor and size."""
    raw = generate_demo(n_sessions=sessions, anchor=date.fromisoformat(anchor_iso))
    return load_portal(raw, is_demo=True)


def demo_size() -> int:
    """Sessions in the demo portal: LU_DEMO_SESSIONS (e.g. 100000 to try scale), else 600."""
    try:
        return max(1, int(os.environ.get(DEMO_SESSIONS_ENV, "") or DEMO_SESSIONS))
    except ValueError:
        return DEMO_SESSIONS


@st.cache_resource(ttl="1h", max_entries=8, show_spinner="Reading the uploaded exports…")
def load_uploaded_portal(files: tuple[tuple[str, bytes], ...]) -> Portal:
    """Uploaded JSON exports through the same normaliser; kept in memory only."""
    return load_portal(read_files(list(files), origin="uploaded files"))


@st.cache_resource(ttl="1h", max_entries=8, show_spinner="Building enrolment history…")
def load_pace_inputs(
    origin: str, fetched_iso: str, is_demo: bool, _sessions: pd.DataFrame, n_sessions: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """History, typical curves and back-test for one load (keyed by origin, fetch time, size)."""
    as_of = pd.Timestamp(fetched_iso)
    if is_demo:
        history = demo_history(_sessions, as_of)
    else:
        with open_store() as store:
            history = store.history(origin=origin)
    curves = typical_curves(history, _sessions, as_of)
    return history, curves, backtest(history, _sessions, as_of=as_of)


@st.cache_resource(ttl="1h", max_entries=8, show_spinner=False)
def portal_projections(
    origin: str, fetched_iso: str, is_demo: bool, _sessions: pd.DataFrame, n_sessions: int
) -> pd.DataFrame | None:
    """Projections of every upcoming session of one load, computed once and then filtered."""
    _, curves, _ = load_pace_inputs(origin, fetched_iso, is_demo, _sessions, n_sessions)
    if curves.empty:
        return None
    # Each session's projection depends only on itself and the curves, so one pass over the
    # whole portal serves every filter.
    return project_sessions(_sessions, curves, pd.Timestamp(fetched_iso))


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


def render_projected_risk(view: View, *, key: str) -> bool:
    """The at-risk table by projected final fill, beside today's fill; False without history."""
    projections = view_projections(view)
    if projections is None:
        return False
    st.subheader(f"At risk: projected to end under {AT_RISK_THRESHOLD:.0%} full")
    st.caption(
        "Projected from each training's typical fill pace; the method and its back-test "
        "are on the Fill pace & forecast page."
    )
    table = memo(view, "projected_risk", lambda: _projected_risk_table(view, projections))
    if table.empty:
        st.success(
            "No upcoming session in this view is projected to end under "
            f"{AT_RISK_THRESHOLD:.0%} full.",
            icon=":material/check:",
        )
        return True
    table_with_download(
        table,
        name="at-risk",
        key=key,
        view=view,
        csv_frame=lambda: sessions_export(
            view.sessions.loc[is_in(view.sessions["session_key"], table["Session key"])], view.tz
        ),
    )
    return True


def _projected_risk_table(view: View, projections: pd.DataFrame) -> pd.DataFrame:
    table = pace_table(view.sessions, projections, AT_RISK_THRESHOLD, view.tz)
    return table.loc[table["At risk"]].drop(columns=["At risk"]).reset_index(drop=True)


class PortalStore:
    """The last good fetch of a configured portal, shared by every browser session."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.portal: Portal | None = None
        self.error: str | None = None
        self.attempted_at: datetime | None = None

    def is_fresh(self, max_age_minutes: float) -> bool:
        """True when the last attempt is younger than max_age_minutes."""
        if self.attempted_at is None:
            return False
        age = (datetime.now(UTC) - self.attempted_at).total_seconds() / 60
        return age < max_age_minutes


@st.cache_resource(max_entries=4)
def portal_store(base_url: str, username: str) -> PortalStore:
    """One store per configured portal and API user, shared across sessions."""
    return PortalStore()


def portal_settings() -> Any:
    """The configured LearnUpon portal (secrets or environment), or None; errors become text."""
    from lu_data.credentials import portal_config_from

    try:
        secrets = dict(st.secrets) if _has_secrets() else None
    except Exception:  # a malformed secrets.toml must not take the app down
        secrets = None
    return portal_config_from(os.environ, secrets)


def load_configured_portal(config: Any, *, force: bool = False) -> tuple[Portal | None, str | None]:
    """Fetch the configured portal at most once per cache period; keep the last good data."""
    from lu_data.client import PortalError, fetch_portal

    store = portal_store(config.base_url, config.username)
    configured = getattr(config, "cache_minutes", None)
    minutes = float(DEFAULT_CACHE_MINUTES if configured is None else configured)
    if store.portal is None:
        # Without any good data (e.g. a wrong password, since corrected) retry soon rather
        # than serving the old error for a whole cache period.
        minutes = min(minutes, RETRY_WITHOUT_DATA_MINUTES)
    pressed = datetime.now(UTC)
    with store.lock:  # other sessions wait here and then reuse this fetch
        # Refresh pressed while another session's fetch ran: that fetch is the answer (20
        # people pressing it together must not mean 20 full fetches one after the other).
        answered = store.attempted_at is not None and store.attempted_at >= pressed
        if (force and not answered) or not store.is_fresh(minutes):
            bar = st.progress(0.0, text="Fetching sessions from LearnUpon…")
            ctx = get_script_run_ctx()

            def progress(done: int, total: int, message: str = "") -> None:
                # The client reports from its worker threads; attach them to this session.
                add_script_run_ctx(threading.current_thread(), ctx)
                bar.progress(
                    min(done / total, 1.0) if total else 0.0,
                    text=f"Fetching from LearnUpon: {done}/{total} {message}".strip(),
                )

            try:
                store.portal = load_portal(fetch_portal(config, progress=progress))
                store.error = None
                # Each portal load feeds the enrolment history behind the fill-pace forecast.
                _, problem = record_safely(store.portal)
                if problem:
                    st.sidebar.caption(problem)
            except PortalError as exc:
                store.error = str(exc)
            finally:
                store.attempted_at = datetime.now(UTC)
                bar.empty()
        return store.portal, store.error


def _has_secrets() -> bool:
    try:
        return len(st.secrets) > 0
    except Exception:  # no secrets file at all
        return False


def _seed(key: str, value: Any) -> None:
    """Give a widget its first value (from the URL) without also passing value=."""
    if key not in st.session_state:
        st.session_state[key] = value


def _qp_date(name: str) -> date | None:
    try:
        return date.fromisoformat(st.query_params.get(name, ""))
    except ValueError:
        return None


def render_source_picker() -> tuple[Portal | None, str, list[str]]:
    """Sidebar data-source choice; returns the loaded portal (or None), the source and notes."""
    config = None
    notes: list[str] = []
    try:
        config = portal_settings()
    except Exception as exc:  # half-configured credentials: say so, keep the demo
        notes.append(f"LearnUpon portal not usable: {exc}")
    options = [SOURCE_DEMO, SOURCE_UPLOAD] + ([SOURCE_PORTAL] if config else [])
    wanted = st.query_params.get(QP_SOURCE, SOURCE_PORTAL if config else SOURCE_DEMO)
    _seed("filter_source", wanted if wanted in options else SOURCE_DEMO)
    if st.session_state["filter_source"] not in options:
        st.session_state["filter_source"] = SOURCE_DEMO
    source = st.sidebar.radio(
        "Data source", options, key="filter_source", format_func=SOURCE_LABELS.__getitem__
    )
    if source == SOURCE_DEMO:
        return load_demo_portal(today().isoformat(), demo_size()), source, notes
    if source == SOURCE_UPLOAD:
        files = st.sidebar.file_uploader(
            "LearnUpon JSON exports",
            type=["json"],
            accept_multiple_files=True,
            key="filter_uploads",
            help="Responses of GET /api/v1/modules, or files saved by lu-data fetch",
        )
        if not files:
            return None, source, notes
        try:
            return load_uploaded_portal(tuple((f.name, f.getvalue()) for f in files)), source, notes
        except SourceError as exc:
            st.sidebar.error(str(exc))
            return None, source, notes
    refresh = st.sidebar.button("Refresh now", key="filter_refresh", icon=":material/refresh:")
    portal, error = load_configured_portal(config, force=refresh)
    if error and portal is not None:
        notes.append(
            f"Refresh failed: {error.rstrip('.')}. Showing data as of "
            f"{portal.fetched_at:%d %b %Y %H:%M} UTC."
        )
    elif error:
        st.sidebar.error(error)
    return portal, source, notes


def portal_token(portal: Portal) -> str:
    """Names one load of one source, for caches of what is derived from it."""
    return f"{portal.origin}|{portal.fetched_at.isoformat()}|{len(portal.sessions)}"


@st.cache_resource(ttl="6h", max_entries=16, show_spinner=False)
def portal_choices(token: str, _portal: Portal) -> FilterChoices:
    """The filters' choices and labels, worked out once per load instead of on every rerun."""
    return filter_choices(_portal.sessions, _portal.trainings)


def render_filters(portal: Portal, now: date) -> Filters:
    """Sidebar filters (dates, training, tutor, location, kind, status, display zone)."""
    start, end = default_range(now)
    _seed("filter_dates", (_qp_date(QP_FROM) or start, _qp_date(QP_TO) or end))
    picked = st.sidebar.date_input("Sessions starting", key="filter_dates", format="YYYY-MM-DD")
    dates = tuple(picked) if isinstance(picked, (tuple, list)) else (picked,)
    date_from = dates[0] if dates else None
    date_to = dates[1] if len(dates) > 1 else date_from

    choices = portal_choices(portal_token(portal), portal)
    options = {
        "filter_trainings": (choices.trainings, choices.training_labels, "Training"),
        "filter_tutors": (choices.tutors, choices.tutor_labels, "Tutor"),
        "filter_locations": (choices.locations, {}, "Location"),
        "filter_kinds": (list(MODULE_KIND_LABELS), MODULE_KIND_LABELS, "Module kind"),
        "filter_statuses": (STATUS_ORDER, STATUS_LABELS, "Fill status"),
    }
    chosen: dict[str, tuple[str, ...]] = {}
    for key, (opts, labels, label) in options.items():
        valid = set(opts)
        _seed(key, [v for v in st.query_params.get_all(QP_MULTI[key]) if v in valid])
        st.session_state[key] = [v for v in st.session_state[key] if v in valid]
        listed = opts
        if len(opts) > MAX_LISTED:
            listed = searched_options(st.sidebar, key, opts, labels, label, st.session_state[key])
        chosen[key] = tuple(
            st.sidebar.multiselect(
                label,
                listed,
                key=key,
                placeholder="All",
                # a dict lookup per option: with thousands of tutors this runs every rerun
                format_func=lambda v, names=labels: names.get(v, v),
            )
        )
    tz = render_zone_picker()
    filters = Filters(
        date_from=date_from,
        date_to=date_to,
        trainings=chosen["filter_trainings"],
        tutors=chosen["filter_tutors"],
        locations=chosen["filter_locations"],
        kinds=chosen["filter_kinds"],
        statuses=chosen["filter_statuses"],
        tz=tz,
    )
    write_query_params(filters)
    return filters


def searched_options(
    where: Any,
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
    _seed("filter_tz_mode", mode)
    _seed("filter_tz_zone", wanted if wanted in zones else "Europe/Dublin")
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
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    wanted = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    if current != wanted:
        st.query_params.from_dict(params)


def render_sidebar() -> View | None:
    """The shared sidebar; stores the View for the pages of this run and returns it."""
    st.sidebar.header("ILT sessions")
    portal, source, notes = render_source_picker()
    if portal is None:
        st.session_state[VIEW_KEY] = None
        return None
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
    )
    st.sidebar.caption(view.description)
    st.sidebar.caption(f"Data as of {portal.fetched_at:%d %b %Y %H:%M} UTC · {portal.origin}")
    if source == SOURCE_DEMO and st.sidebar.button(
        "Rebuild demo data", key="filter_reload", icon=":material/refresh:"
    ):
        load_demo_portal.clear()
        st.rerun()
    st.session_state[VIEW_KEY] = view
    return view


def current_view() -> View | None:
    """The View the router built for this run; pages call this first."""
    view = st.session_state.get(VIEW_KEY)
    if view is None:
        st.info(
            "No data loaded yet: pick the demo portal, upload LearnUpon JSON exports, "
            "or configure a portal in .streamlit/secrets.toml.",
            icon=":material/info:",
        )
    return view


def start_page(title: str, *, need_sessions: bool = True, describe: bool = True) -> View:
    """A page's heading, banners and view sentence; stops the page when there is nothing to show."""
    st.title(title)
    view = current_view()
    if view is None:
        st.stop()
    render_banners(view)
    if describe:
        st.caption(view.description)
    if need_sessions and view.sessions.empty:
        st.info(EMPTY_VIEW_MESSAGE, icon=":material/search_off:")
        st.stop()
    return view


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


def render_status_legend(*, capacity: bool = False) -> None:
    """The fill-status colours as badges (and the grey capacity bar), alike on every page.

    A plotly legend beside long axis labels wraps to one entry a line at 1024 px; badges fit.
    """
    items = [("Capacity", CAPACITY_COLOR, DARK_TEXT)] if capacity else []
    items += [(STATUS_LABELS[s], STATUS_COLORS[s], TEXT_COLORS[s]) for s in STATUS_ORDER]
    st.markdown(
        " ".join(
            f'<span style="background:{bg};color:{fg};padding:1px 8px;border-radius:8px;'
            f'font-size:0.8rem">{label}</span>'
            for label, bg, fg in items
        ),
        unsafe_allow_html=True,
    )  # fixed labels and colours only, never session text


def default_column_config(table: pd.DataFrame) -> dict[str, Any]:
    """Readable formats: dates with weekday and minutes, fill rates as percentages."""
    config: dict[str, Any] = {}
    for col in table.columns:
        dtype = table[col].dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            config[col] = st.column_config.DatetimeColumn(col, format=DATETIME_FORMAT)
        elif col in FILL_COLUMNS:
            config[col] = st.column_config.ProgressColumn(
                col, format="percent", min_value=0, max_value=1
            )
    return config


def table_with_download(
    table: pd.DataFrame,
    *,
    name: str,
    key: str,
    view: View,
    csv_frame: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
    column_config: dict[str, Any] | None = None,
    height: int | None = None,
) -> None:
    """A table and a CSV download of exactly its rows (csv_frame when the export shape differs).

    Very long tables show their first MAX_TABLE_ROWS rows (the CSV keeps every row), and their
    CSV is built when the button is pressed rather than on every rerun.
    """
    config = {**default_column_config(table), **(column_config or {})}
    shown = table.head(MAX_TABLE_ROWS)
    st.dataframe(
        shown, hide_index=True, column_config=config, key=f"{key}_table", height=height or "auto"
    )
    if len(table) > len(shown):
        st.caption(
            f"Showing the first {len(shown):,} of {len(table):,} rows; the CSV holds all of them."
        )

    def build() -> bytes:
        frame = csv_frame() if callable(csv_frame) else csv_frame
        return to_csv_bytes(table if frame is None else frame)

    st.download_button(
        "Download CSV",
        data=deferred(build, len(table)),
        key=f"{key}_csv",
        mime="text/csv",
        icon=":material/download:",
        file_name=export_file_name(name, view.filters.date_from, view.filters.date_to),
        on_click="ignore",
    )


def deferred(build: Callable[[], bytes], rows: int) -> bytes | Callable[[], bytes]:
    """Download data now for small views; for large ones, a callable run on click."""
    return build if rows > DEFER_DOWNLOAD_ROWS else build()
