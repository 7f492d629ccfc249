"""The digest of the current view as the scheduled job sends it: its email, previewed, and the
whole message (.eml) to download. Sending stays with `lu-data digest` and the scheduler."""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from lu_data.analyses.digest import Digest, build_digest
from lu_data.exports.digest_render import subject, to_html
from lu_data.model.portal import Portal
from lu_data.notify.digest import DigestOptions, digest_message
from lu_data.notify.mail import DRY_RUN_FROM
from lu_data.presentation.display_zone import SESSION_ZONE
from ui.access import current_access
from ui.downloads import offer_download
from ui.pace_cache import portal_projections
from ui.page_choices import view_threshold
from ui.supply_demand import view_history_demand
from ui.table_view import download_name
from ui.view import View, memo, view_projections, whole_load

DASHBOARD_URL_ENV = "LU_DASHBOARD_URL"
PREVIEW_HELP = "Its subject, the email as it is sent, and the whole message (.eml) to download"


def view_digest(view: View) -> Digest | None:
    """The digest of the view's filters (its dates are the window), counted as the Overview
    counts (same projections and threshold); None without a date range."""
    if view.filters.date_from is None or view.filters.date_to is None:
        return None
    return memo(
        view,
        build_digest,
        view.portal.sessions,
        view.portal.quality.warnings,
        view.filters,
        view.today,
        view_projections(view),
        view_threshold(),
        view_history_demand(view, view_threshold()),
        view_suggested(view),
    )


def view_suggested(view: View) -> pd.DataFrame | None:
    """The merges the Plan page suggests for the whole load behind the view (the digest keeps
    the coming week's): None for a tutor, whose digest has no Suggested section, and where the
    enrolment history cannot be read."""
    if current_access().tutor:
        return None
    return load_merges(*whole_load(view), view.today.isoformat())


@st.cache_resource(ttl="1h", max_entries=8, show_spinner="Looking for sessions to merge…")
def load_merges(
    origin: str,
    fetched_iso: str,
    is_demo: bool,
    _portal: Portal,
    n_sessions: int,
    today_iso: str,
) -> pd.DataFrame | None:
    """merge_portal's merges of one load as of a day, from the load's cached projections (the
    same as the Plan page's and `lu-data digest`'s), computed once per load and day. The
    planner's solver is imported here, not with every page."""
    from lu_data.planning.merges import MergeSettings, propose_merges

    try:
        projections = portal_projections(origin, fetched_iso, is_demo, _portal, n_sessions)
    except Exception:  # an unreachable history store only removes the Suggested section
        return None
    fill = None if projections is None else projections.set_index("session_key")["projected_fill"]
    now = pd.Timestamp(today_iso, tz="UTC")
    return propose_merges(_portal.sessions, fill, now, MergeSettings()).merges


def render_digest_preview(view: View) -> None:
    """The digest section: on request (it projects every session of the view), its subject,
    the email as sent, and the .eml download."""
    if view.filters.date_from is None or view.filters.date_to is None:
        return
    st.subheader("The digest of this view")
    st.caption(
        "What `lu-data digest` sends for these filters, with these dates as its window: by "
        "email, Slack or Teams from a scheduled job (see the README), not from this page."
    )
    if not st.toggle("Preview the digest", key="sessions_digest", help=PREVIEW_HELP):
        return
    digest = view_digest(view)
    if digest is None:
        return
    st.markdown(f"**Subject:** {subject(digest)}")
    options = DigestOptions(
        tz=None if view.tz == SESSION_ZONE else view.tz,
        base_url=os.environ.get(DASHBOARD_URL_ENV, "").strip() or None,
    )
    with st.expander("Preview the email", icon=":material/mail:"):
        st.html(to_html(digest, tz=options.tz, base_url=options.base_url), width="stretch")
    sender = os.environ.get("LU_SMTP_FROM", "").strip() or DRY_RUN_FROM
    offer_download(
        None,
        "Digest email (.eml)",
        lambda: bytes(digest_message(digest, sender, [], options)),
        rows=len(digest.listed),
        filters=view.filters,
        file_name=download_name(view, "digest", "eml"),
        mime="message/rfc822",
        key="sessions_digest_eml",
        icon=":material/forward_to_inbox:",
        help="The whole message as it is sent: text and HTML parts and the CSV of every "
        "session it lists; opens in Outlook, Apple Mail or Thunderbird",
    )
