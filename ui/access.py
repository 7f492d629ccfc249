"""Sign-in and who sees what: the gate every page passes first, the account box in the
sidebar, and the audit events of sign-ins and refusals.

With an [auth] table in secrets.toml, Streamlit's own OpenID Connect sign-in guards every
page and [access] (lu_data.views.access) gives each address a role. Without it, the data is
everyone's who can reach the server, so portal data is shown only on a loopback server.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import streamlit as st
from streamlit.errors import StreamlitAuthError

from lu_data.core.pages import APP_TITLE, PAGES, PageEntry
from lu_data.store.audit import sign_in_key, write_audit
from lu_data.views.access import (
    ROLE_ADMIN,
    ROLE_LABELS,
    ROLE_TUTOR,
    AccessError,
    AccessRules,
    anonymous_refusal,
    role_of,
)
from ui.loaders import configured_portals

ACCESS_KEY = "_lu_access"  # this session's Access, once worked out
RETURN_COOKIE = "lu_return"  # the page and filters a signed-out visitor asked for
RETURN_SECONDS = 900  # long enough to sign in, short enough not to steer a later visit
RETURN_DONE_KEY = "_lu_returned"
SIGN_IN_TEXT = (
    "This dashboard shows your organisation's training schedule. Sign in with your company "
    "account to see it; the page you opened comes back after you sign in."
)
REFUSED_TEXT = (
    "You are signed in as {email}, which may not see this dashboard. Ask the people who "
    "run it to add your address to `[access] allow`, or sign out and sign in with another "
    "account."
)
UNVERIFIED_REASON = "the sign-in provider has not verified this address"
NOT_ALLOWED_REASON = "not in [access]"
TUTOR_VIEW_TEXT = "Tutor: showing only the sessions you teach, on every page and in every download."
NO_OWN_SESSIONS = (
    "No session in this data names {email} as its tutor. If you teach sessions, their tutor "
    "in LearnUpon has another email address: ask a coordinator to check it."
)


@dataclass(frozen=True)
class Access:
    """Who is looking, and what they may do. Without sign-in: an anonymous admin, as before."""

    email: str = ""
    name: str = ""
    role: str = ROLE_ADMIN
    signed_in: bool = False

    @property
    def runs_data(self) -> bool:
        """May change the data source, refresh and upload."""
        return self.role == ROLE_ADMIN

    @property
    def tutor(self) -> bool:
        """Sees only the sessions they teach."""
        return self.role == ROLE_TUTOR


def sign_in_configured() -> bool:
    """True when secrets.toml has an [auth] table: every page then asks for sign-in."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file, or one that cannot be read
        return False


def current_access() -> Access:
    """This session's Access as the gate left it (an anonymous admin before the gate runs)."""
    found = st.session_state.get(ACCESS_KEY)
    return found if isinstance(found, Access) else Access()


def require_access() -> Access:
    """The gate at the top of every page: who is looking, or a page saying why not, then stop."""
    if not sign_in_configured():
        refusal = anonymous_refusal(
            st.get_option("server.address"),
            portal_configured=_portal_configured(),
            sign_in=False,
            env=os.environ,
        )
        if refusal:
            _render_stop_page("Sign-in needed", refusal, icon=":material/lock:")
        access = Access()
    else:
        access = _signed_in_access()
    st.session_state[ACCESS_KEY] = access
    return access


def _signed_in_access() -> Access:
    """The signed-in person's Access; the sign-in or refusal page (and a stop) otherwise."""
    if not st.user.is_logged_in:
        _render_sign_in()
    email = str(st.user.get("email") or "").strip()
    name = str(st.user.get("name") or email)
    try:
        rules = AccessRules.from_settings(_secrets_table("access"))
    except AccessError as exc:
        _render_stop_page("Sign-in is misconfigured", str(exc), icon=":material/error:")
    role = role_of(email, rules)
    reason = NOT_ALLOWED_REASON if role is None else ""
    if role is not None and st.user.get("email_verified") is False:
        role, reason = None, UNVERIFIED_REASON
    if role is None:
        _audit_once("refused", email=email.casefold(), name=name, reason=reason)
        _render_refusal(email or "an account without an email address", reason)
    # The address as roles and downloads compare it, so one person is one person in the log.
    _audit_once("sign-in", email=email.casefold(), name=name, role=role)
    access = Access(email=email.casefold(), name=name, role=role or "", signed_in=True)
    _follow_return_link()
    return access


def render_account(access: Access) -> None:
    """The sidebar's account box: who is signed in, what they see, and Sign out."""
    if not access.signed_in:
        return
    box = st.sidebar.container(border=True)
    box.markdown(f"Signed in as **{_escape(access.name)}**")
    box.caption(_literal(access.email))
    if access.tutor:  # whose sessions these are, in so many words
        box.caption(TUTOR_VIEW_TEXT)
    else:
        box.caption(ROLE_LABELS.get(access.role, access.role))
    if box.button("Sign out", key="access_sign_out", icon=":material/logout:"):
        st.logout()


def _render_sign_in() -> None:
    """The page a signed-out visitor sees: why, and the Sign in button; then stop."""
    st.title(APP_TITLE)
    _remember_return_link()
    st.info(SIGN_IN_TEXT, icon=":material/lock:")
    if st.button("Sign in", key="access_sign_in", type="primary", icon=":material/login:"):
        try:
            st.login()
        except StreamlitAuthError as exc:  # [auth] incomplete: say which setting, not a trace
            st.error(f"Sign-in is misconfigured: {exc}", icon=":material/error:")
    st.stop()


def _render_refusal(email: str, reason: str) -> None:
    """The plain refusal page: the address used, no data, and a way to switch accounts."""
    st.title("Not allowed")
    text = REFUSED_TEXT.format(email=_literal(email))
    if reason == UNVERIFIED_REASON:
        text += f" (Refused because {reason}.)"
    st.warning(text, icon=":material/block:")
    if st.button("Sign out", key="access_sign_out", icon=":material/logout:"):
        st.logout()
    st.stop()


def _render_stop_page(title: str, text: str, *, icon: str) -> None:
    """One page instead of the dashboard, saying why and how to fix it; then stop."""
    st.title(title)
    st.error(text, icon=icon)
    st.stop()


def _remember_return_link() -> None:
    """Keep the page and filters asked for in a short-lived cookie: the provider sends people
    back to the home page, which then opens this view (see _follow_return_link)."""
    target = _current_path()
    if target is None:
        return
    query = "&".join(
        f"{quote(k)}={quote(v)}" for k in st.query_params for v in st.query_params.get_all(k)
    )
    value = quote(f"{target}?{query}" if query else target, safe="")
    cookie = f"{RETURN_COOKIE}={value}; path=/; max-age={RETURN_SECONDS}; samesite=lax"
    st.html(
        f"<script>document.cookie = {json.dumps(cookie)};</script>", unsafe_allow_javascript=True
    )


def _follow_return_link() -> None:
    """Right after sign-in, open the view the visitor first asked for (once per session)."""
    if st.session_state.get(RETURN_DONE_KEY):
        return
    st.session_state[RETURN_DONE_KEY] = True
    raw = st.context.cookies.get(RETURN_COOKIE)
    if not isinstance(raw, str) or not raw:
        return
    forget = f"{RETURN_COOKIE}=; path=/; max-age=0; samesite=lax"
    st.html(
        f"<script>document.cookie = {json.dumps(forget)};</script>", unsafe_allow_javascript=True
    )
    target = parse_return_link(unquote(raw))
    if target is None:
        return
    page, params = target
    if page.script == (_page_of(_current_path() or "/") or PAGES[0]).script and not params:
        return
    st.switch_page(page.script, query_params=params)


def parse_return_link(text: str) -> tuple[PageEntry, dict[str, list[str]]] | None:
    """A remembered link as (page, query), or None unless it names one of this app's pages."""
    parts = urlsplit(text)
    if parts.scheme or parts.netloc:
        return None  # only paths on this server: the cookie must not steer anyone elsewhere
    page = _page_of(parts.path)
    if page is None:
        return None
    return page, parse_qs(parts.query, keep_blank_values=False)


def _page_of(path: str) -> PageEntry | None:
    """The page a URL path opens: "/" the home page, "/capacity" pages/capacity.py."""
    name = path.rstrip("/").rpartition("/")[2]
    return next((page for page in PAGES if page.path == name), None)


def _current_path() -> str | None:
    """The path of the page open in the browser ("/capacity"), or None when unknown."""
    url = st.context.url
    return urlsplit(url).path or "/" if isinstance(url, str) and url else None


_AUDITED: set[tuple[str, str, str]] = set()
_AUDITED_LOCK = threading.Lock()


def _audit_once(event: str, **fields: Any) -> None:
    """One audit event per sign-in, not per rerun: the identity token's issue time names it.

    This process writes it once; the store keeps it once however many replicas and tabs see
    the same sign-in (its key is a hash of the token's issuer, subject and issue time).
    """
    issued = str(st.user.get("iat") or "")
    key = (event, str(fields.get("email", "")).casefold(), issued)
    with _AUDITED_LOCK:
        if key in _AUDITED:
            return
        _AUDITED.add(key)
    issuer, subject = str(st.user.get("iss") or ""), str(st.user.get("sub") or "")
    write_audit(event, sign_in_key=sign_in_key(event, issuer, subject, issued), **fields)


def _secrets_table(name: str) -> Mapping[str, Any] | None:
    """A table of secrets.toml as a plain dict, or None when absent."""
    try:
        table = st.secrets.get(name)
    except Exception:
        return None
    return dict(table) if table is not None else None


def _portal_configured() -> bool:
    """True when a real portal is configured (even one whose settings are incomplete)."""
    try:
        return bool(configured_portals())
    except Exception:  # half-configured credentials are still a portal's
        return True


def _escape(text: str) -> str:
    """Markdown-safe text from the sign-in provider."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~$" else c for c in text)


def _literal(address: str) -> str:
    """An address shown as written: a code span, which Markdown neither links nor formats."""
    return f"`{address.replace('`', '')}`"
