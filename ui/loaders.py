"""Loading portals for the app: the demo, uploads and the configured portal, cached and shared."""

from __future__ import annotations

import os
import threading
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from lu_data import Portal, load_portal
from lu_data.analyses.filter_choices import FilterChoices, filter_choices
from lu_data.analyses.forecast import (
    backtest,
    project_sessions,
    typical_curves,
)
from lu_data.sources.demo import DEMO_SESSIONS, generate_demo
from lu_data.sources.files import read_files
from lu_data.store.enrolment import enrolment_history
from lu_data.store.history import record_safely

if TYPE_CHECKING:
    from lu_data.sources.api_settings import PortalConfig

SOURCE_DEMO = "demo"
SOURCE_UPLOAD = "upload"
SOURCE_PORTAL = "portal"
SOURCE_LABELS = {
    SOURCE_DEMO: "Demo portal",
    SOURCE_UPLOAD: "Uploaded JSON exports",
    SOURCE_PORTAL: "LearnUpon portal",
}

DEFAULT_CACHE_MINUTES = 15
RETRY_WITHOUT_DATA_MINUTES = 1
DEMO_SESSIONS_ENV = "LU_DEMO_SESSIONS"


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
    return load_portal(read_files(list(files), origin="uploaded files", lean=True))


@st.cache_resource(ttl="1h", max_entries=8, show_spinner="Building enrolment history…")
def load_pace_inputs(
    origin: str, fetched_iso: str, is_demo: bool, _sessions: pd.DataFrame, n_sessions: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """History, typical curves and back-test for one load (keyed by origin, fetch time, size)."""
    as_of = pd.Timestamp(fetched_iso)
    history = enrolment_history(_sessions, as_of, origin, demo=is_demo)
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


def portal_settings() -> PortalConfig | None:
    """The configured LearnUpon portal (secrets or environment), or None; errors become text."""
    from lu_data.sources.api_settings import portal_config_from

    try:
        secrets = dict(st.secrets) if _has_secrets() else None
    except Exception:  # a malformed secrets.toml must not take the app down
        secrets = None
    return portal_config_from(os.environ, secrets)


def load_configured_portal(
    config: PortalConfig, *, force: bool = False
) -> tuple[Portal | None, str | None]:
    """Fetch the configured portal at most once per cache period; keep the last good data."""
    from lu_data.sources.api_client import PortalError, fetch_portal

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
                store.portal = load_portal(fetch_portal(config, progress=progress, lean=True))
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


def portal_token(portal: Portal) -> str:
    """Names one load of one source, for caches of what is derived from it."""
    return f"{portal.origin}|{portal.fetched_at.isoformat()}|{len(portal.sessions)}"


@st.cache_resource(ttl="6h", max_entries=16, show_spinner=False)
def portal_choices(token: str, _portal: Portal) -> FilterChoices:
    """The filters' choices and labels, worked out once per load instead of on every rerun."""
    return filter_choices(_portal.sessions, _portal.trainings)
