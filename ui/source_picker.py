"""The sidebar's data source: the demo, this browser session's uploads, or the configured
portals' snapshots in the store, with Refresh, the data's age and a watch for new snapshots."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from lu_data import SourceError
from lu_data.core.source_kinds import SOURCE_DEMO, SOURCE_LABELS, SOURCE_PORTAL, SOURCE_UPLOAD
from lu_data.model.portal import Portal
from lu_data.presentation.time_text import as_of_text
from lu_data.sources.api_settings import PortalConfig
from lu_data.store.store import default_url
from ui.loaders import (
    configured_portals,
    demo_size,
    load_demo_portal,
    load_uploaded_portal,
    portal_settings,
)
from ui.page_choices import seed_widget
from ui.store_view import STORE_ERRORS, load_store_view, snapshot_ids
from ui.view import today

QP_SOURCE = "source"  # the data source in the URL: ?source=demo|upload|portal
REFRESH_REQUESTED = "Sync requested: new data shows here as soon as it is stored."
# The syncer keeps the request and fetches once the store answers; nothing can land before.
REFRESH_WHILE_DOWN = (
    "Sync requested, but the data store is unreachable: it runs when the store answers again."
)
SNAPSHOT_POLL_SECONDS = 5  # how soon an open page shows a newly stored snapshot
UPLOADS_KEY = "_lu_uploads"  # (name, bytes) of this session's uploaded files

UPLOAD_LABEL = "LearnUpon JSON exports"
UPLOAD_HELP = "Responses of GET /api/v1/modules, or files saved by lu-data fetch"
UPLOAD_AGAIN_MESSAGE = (
    "No uploaded export in this browser session. Uploaded files stay in the browser session "
    "that uploaded them, so a link or a reload does not bring them along. Upload the "
    "LearnUpon export again here (the filters from the link are kept), or switch the data "
    "source in the sidebar to the {others}."
)


def render_source_picker(runs_data: bool = True) -> tuple[Portal | None, str, list[str]]:
    """Sidebar data-source choice; returns the loaded portal (or None), the source and notes.

    Without `runs_data` (signed in, not an admin) the source is the configured one, named
    but not offered, and there is no Refresh and no upload.
    """
    config = None
    notes: list[str] = []
    try:
        config = portal_settings()
    except Exception as exc:  # half-configured credentials: say so, keep the demo
        notes.append(f"LearnUpon portal not usable: {exc}")
    options = [SOURCE_DEMO, SOURCE_UPLOAD] + ([SOURCE_PORTAL] if config else [])
    if runs_data:
        wanted = st.query_params.get(QP_SOURCE, SOURCE_PORTAL if config else SOURCE_DEMO)
        seed_widget("filter_source", wanted if wanted in options else SOURCE_DEMO)
        if st.session_state["filter_source"] not in options:
            st.session_state["filter_source"] = SOURCE_DEMO
        source = st.sidebar.radio(
            "Data source", options, key="filter_source", format_func=SOURCE_LABELS.__getitem__
        )
    else:
        source = SOURCE_PORTAL if config else SOURCE_DEMO
        st.session_state["filter_source"] = source
        st.sidebar.caption(f"Data source: {SOURCE_LABELS[source]}")
    if source == SOURCE_DEMO:
        return load_demo_portal(today().isoformat(), demo_size()), source, notes
    if source == SOURCE_UPLOAD:
        files = st.sidebar.file_uploader(
            UPLOAD_LABEL,
            type=["json"],
            accept_multiple_files=True,
            key="filter_uploads",
            help=UPLOAD_HELP,
        )
        uploads = kept_uploads(files)
        if not uploads:
            return None, source, notes
        try:
            return load_uploaded_portal(uploads), source, notes
        except SourceError as exc:
            st.sidebar.error(str(exc))
            return None, source, notes
    if config is None:  # unreachable: the portal option is offered only with settings
        return None, source, notes
    refresh = runs_data and st.sidebar.button(
        "Refresh now",
        key="filter_refresh",
        icon=":material/refresh:",
        help="Ask for a sync now; the page keeps showing the current data until it lands",
    )
    configs = configured_portals()
    view = load_store_view(configs, refresh=refresh)
    if refresh:
        notes.append(REFRESH_WHILE_DOWN if view.store_down else REFRESH_REQUESTED)
    notes += view.notes
    if view.error:
        st.sidebar.error(view.error)
    if view.portal is not None:
        render_freshness(view.portal, view.syncing)
    if view.portal is not None:
        with st.sidebar:
            watch_snapshots(default_url(), tuple(c.name for c in configs), view.snapshot_ids)
    return view.portal, source, notes


def render_freshness(portal: Portal, syncing: Sequence[str]) -> None:
    """Under the Refresh button: each portal by name with its data's age; whether a sync runs."""
    now = datetime.now(UTC)
    parts = portal.parts or {portal.name: portal}
    for name in sorted(parts):
        # Named even when alone: with a test and a live portal, the name says which this is.
        # On a line of its own, so a long host name does not break the date in two.
        st.sidebar.caption(f"**{name}**  \n{as_of_text(parts[name].fetched_at, now)}")
    if syncing:
        st.sidebar.caption(
            f":material/sync: Syncing {', '.join(syncing)} now: this page stays usable and "
            "shows the new data when it lands."
        )


@st.fragment(run_every=SNAPSHOT_POLL_SECONDS)
def watch_snapshots(
    store_url: str, names: tuple[str, ...], shown: tuple[tuple[str, int], ...]
) -> None:
    """Every few seconds: when a newer snapshot is stored, rerun the page to show it."""
    try:
        latest = snapshot_ids(store_url, list(names))
    except STORE_ERRORS:
        return  # the page keeps what it has; the next run says the store is down
    if latest and latest != shown:
        st.rerun(scope="app")


def kept_uploads(files: Sequence[Any] | None) -> tuple[tuple[str, bytes], ...]:
    """This browser session's uploaded files: new ones, else those uploaded on another page.

    The uploader is a widget of the page that drew it, so another page starts it empty; the
    files stay in this session's state (never on disk) until replaced or forgotten.
    """
    if files:
        st.session_state[UPLOADS_KEY] = tuple((f.name, f.getvalue()) for f in files)
    uploads: tuple[tuple[str, bytes], ...] = st.session_state.get(UPLOADS_KEY, ())
    if uploads and not files:
        names = ", ".join(name for name, _ in uploads)
        st.sidebar.caption(f"Showing your upload: {names}")
        if st.sidebar.button("Forget uploaded files", key="filter_forget_uploads"):
            st.session_state.pop(UPLOADS_KEY, None)
            st.rerun()
    return uploads


def render_no_data() -> None:
    """The main area when the source holds nothing to show, in a coordinator's words.

    Uploads live only in the browser session that made them, so a shared link or a reload
    opens on an empty upload: say why and offer the uploader right here.
    """
    source = st.session_state.get("filter_source")
    if source != SOURCE_UPLOAD or st.session_state.get(UPLOADS_KEY):
        return  # a failed upload or fetch says why in the sidebar
    others = [SOURCE_LABELS[SOURCE_DEMO]]
    if _configured_portal() is not None:
        others.append(SOURCE_LABELS[SOURCE_PORTAL])
    st.info(UPLOAD_AGAIN_MESSAGE.format(others=" or ".join(others)), icon=":material/upload_file:")
    files = st.file_uploader(
        UPLOAD_LABEL,
        type=["json"],
        accept_multiple_files=True,
        key="upload_again",
        help=UPLOAD_HELP,
    )
    if files:
        st.session_state[UPLOADS_KEY] = tuple((f.name, f.getvalue()) for f in files)
        st.rerun()  # the sidebar reads them from this session's state on the next run


def _configured_portal() -> PortalConfig | None:
    """The configured portal's settings, or None when none is configured (or it is broken)."""
    try:
        return portal_settings()
    except Exception:
        return None
