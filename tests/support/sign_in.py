"""Signing in for real: an OpenID Connect provider on loopback (oidc-provider-mock) with its
people, the dashboard's [auth] and [access] tables, a browser signing in on the provider's
form, and the audit events the dashboards wrote to their store."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from lu_data.store.audit_events import read_audit_events
from lu_data.store.store import open_store
from tests.support.browser import IDLE, TIMEOUT
from tests.support.servers import wait_for_url

TUTOR = "tom.schmidt@yourcompany.com"
# sub → (email, name): the provider signs each in with one click on its form.
USERS = {
    "lead": ("lead@partner.org", "Lena Lead"),  # a coordinator
    "ops": ("ops@partner.org", "Olu Ops"),  # an admin
    "tom": (TUTOR.upper(), "Tom Schmidt"),  # a tutor; the provider's case is not the portal's
    "eve": ("eve@elsewhere.net", "Eve Outsider"),  # signed in, but not allowed
}
ACCESS = """[access]
allow = ["@yourcompany.com"]
coordinators = ["lead@partner.org"]
admins = ["ops@partner.org"]
"""


def start_provider(port: int) -> subprocess.Popen:
    """oidc-provider-mock on loopback, with USERS registered."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_for_url(f"{base}/.well-known/openid-configuration", 30)
    for sub, (email, name) in USERS.items():
        body = json.dumps({"email": email, "name": name, "email_verified": True}).encode()
        request = urllib.request.Request(
            f"{base}/users/{sub}",
            data=body,
            method="PUT",
            headers={"content-type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=5)
    return proc


def write_secrets(
    path: Path, *, app_port: int, oidc_port: int, cookie_secret: str, client_secret: str
) -> Path:
    """A secrets.toml with [auth] for the dashboard on app_port and the people's [access]."""
    path.write_text(
        f"""[auth]
redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"
cookie_secret = "{cookie_secret}"
client_id = "ilt-dashboard"
client_secret = "{client_secret}"
server_metadata_url = "http://127.0.0.1:{oidc_port}/.well-known/openid-configuration"

{ACCESS}""",
        encoding="utf-8",
    )
    return path


def sign_in(page: Page, base: str, sub: str, path: str | None = "/") -> None:
    """Open path signed out (None: the sign-in page already open), sign in on the provider's
    form as `sub`, and wait for the app."""
    if path is not None:
        page.goto(base + path)
    page.get_by_role("button", name="Sign in").click(timeout=TIMEOUT)
    page.wait_for_url("**/oauth2/authorize**", timeout=TIMEOUT)
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(lambda url: url.startswith(base) and "oauth2" not in url, timeout=TIMEOUT)
    page.wait_for_selector(IDLE, timeout=TIMEOUT)


def stored_events(url: str) -> list[dict[str, Any]]:
    """Every audit event in the store at url, oldest first: the fields that have a value,
    a download's filters and what a merge or a check found (counts) as dicts."""
    with open_store(url) as store:
        frame = read_audit_events(store)
    events = []
    for row in frame.iloc[::-1].to_dict("records"):
        event = {k: v for k, v in row.items() if v is not None and str(v) not in ("", "<NA>")}
        for name in ("filters", "counts"):
            if name in event:
                event[name] = json.loads(event[name])
        events.append(event)
    return events
