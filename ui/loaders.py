"""Loading for the app: the demo and uploads, the configured portals' settings, and what is
derived once per load (a tutor's view, the filters' choices), cached and shared."""

from __future__ import annotations

import os
from datetime import date

import streamlit as st

from lu_data import load_portal
from lu_data.core.source_kinds import SOURCE_DEMO, SOURCE_UPLOAD
from lu_data.model.portal import Portal
from lu_data.model.schema import PORTAL_COLUMN
from lu_data.model.selection import is_in
from lu_data.sources.api_settings import PortalConfig, portal_configs_from
from lu_data.sources.demo import DEMO_SESSIONS, generate_demo
from lu_data.sources.files import read_files
from lu_data.views.access import tutor_portal
from lu_data.views.filter_options import FilterChoices, filter_choices

DEMO_SESSIONS_ENV = "LU_DEMO_SESSIONS"


# Loaded portals and everything derived from them are cached as shared resources, not as
# cache_data: cache_data hands each rerun an unpickled copy, which at 100,000 sessions costs
# more than the page itself. Nothing mutates these frames (pandas copy-on-write makes every
# derived frame its own copy), so sharing one object between sessions is safe.
@st.cache_resource(ttl="6h", max_entries=4, show_spinner="Building the demo portal…")
def load_demo_portal(anchor_iso: str, sessions: int = DEMO_SESSIONS) -> Portal:
    """The demo portal anchored on a date, normalised once per anchor and size."""
    raw = generate_demo(n_sessions=sessions, anchor=date.fromisoformat(anchor_iso))
    return load_portal(raw, name=SOURCE_DEMO, is_demo=True)


def demo_size() -> int:
    """Sessions in the demo portal: LU_DEMO_SESSIONS (e.g. 100000 to try scale), else 600."""
    try:
        return max(1, int(os.environ.get(DEMO_SESSIONS_ENV, "") or DEMO_SESSIONS))
    except ValueError:
        return DEMO_SESSIONS


@st.cache_resource(ttl="1h", max_entries=8, show_spinner="Reading the uploaded exports…")
def load_uploaded_portal(files: tuple[tuple[str, bytes], ...]) -> Portal:
    """Uploaded JSON exports through the same normaliser; kept in memory only."""
    raw = read_files(list(files), origin="uploaded files", lean=True)
    return load_portal(raw, name=SOURCE_UPLOAD)


def configured_portals() -> tuple[PortalConfig, ...]:
    """Every configured portal (secrets or environment); errors are raised as ConfigError."""
    try:
        secrets = dict(st.secrets) if _has_secrets() else None
    except Exception:  # a malformed secrets.toml must not take the app down
        secrets = None
    return tuple(portal_configs_from(os.environ, secrets))


def portal_settings() -> PortalConfig | None:
    """The first configured portal, or None (for the source picker's yes/no)."""
    configs = configured_portals()
    return configs[0] if configs else None


def _has_secrets() -> bool:
    try:
        return len(st.secrets) > 0
    except Exception:  # no secrets file at all
        return False


def portal_token(portal: Portal) -> str:
    """Names one load of one source, for caches of what is derived from it."""
    return f"{portal.origin}|{portal.fetched_at.isoformat()}|{len(portal.sessions)}|{portal.viewer}"


@st.cache_resource(ttl="1h", max_entries=32, show_spinner=False)
def tutor_view(token: str, _portal: Portal, email: str) -> Portal:
    """A load as one tutor sees it (lu_data.views.access.tutor_portal), once per load and tutor."""
    return tutor_portal(_portal, email)


@st.cache_resource(ttl="6h", max_entries=16, show_spinner=False)
def portal_choices(token: str, _portal: Portal, portals: tuple[str, ...] = ()) -> FilterChoices:
    """The filters' choices and labels, worked out once per load instead of on every rerun;
    only the trainings, tutors and locations of `portals` when some are chosen."""
    sessions, trainings = _portal.sessions, _portal.trainings
    if portals:
        sessions = sessions.loc[is_in(sessions[PORTAL_COLUMN], portals)]
        trainings = trainings.loc[is_in(trainings[PORTAL_COLUMN], portals)]
    return filter_choices(sessions, trainings)
