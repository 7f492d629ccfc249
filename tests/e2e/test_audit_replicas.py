"""The audit log across replicas: two dashboards on one PostgreSQL behind a sticky proxy and
sign-in (the OIDC stand-in on loopback). One sign-in seen by both is one event; a tutor's
download on one is on the other's Audit page for an admin; coordinators and tutors get no
Audit page. The three people take turns in one browser whose cookies are cleared between them
(to the servers, a browser never seen before), each pinned to a replica from the first page."""

from __future__ import annotations

import io
import json
import tempfile
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support import ANCHOR, pg
from tests.support.browser import IDLE, TIMEOUT
from tests.support.servers import free_port, start_streamlit, stop_streamlit, wait_until
from tests.support.sign_in import TUTOR, sign_in, start_provider, stored_events, write_secrets
from tests.support.sticky_proxy import StickyProxy

postgres_server = pg.postgres_server

COOKIE_SECRET = f"cookie-{uuid.uuid4().hex}"
CLIENT_SECRET = f"client-{uuid.uuid4().hex}"
RANGE = f"tz=UTC&from={ANCHOR.isoformat()}&to={date(2027, 1, 31).isoformat()}"
REFUSAL = "The Audit page is for admins only"


@pytest.fixture(scope="module")
def replicas(postgres_server) -> Iterator[dict]:
    """Two dashboards (demo data) on one fresh PostgreSQL store behind one sticky proxy (as a
    load balancer), one sign-in provider and one redirect_uri, the proxy's."""
    folder = Path(tempfile.mkdtemp(prefix="lu-audit-"))
    oidc_port, proxy_port = free_port(), free_port()
    provider = start_provider(oidc_port)
    secrets = write_secrets(
        folder / "secrets.toml",
        app_port=proxy_port,
        oidc_port=oidc_port,
        cookie_secret=COOKIE_SECRET,
        client_secret=CLIENT_SECRET,
    )
    with pg.fresh_database(postgres_server) as url:
        servers = []
        proxy = None
        try:
            for _ in range(2):
                servers.append(
                    start_streamlit({"LU_STORE_URL": url}, args=("--secrets.files", str(secrets)))
                )
            proxy = StickyProxy([base.removeprefix("http://") for _, base in servers], proxy_port)
            proxy.start()
            yield {"store": url, "proxy": proxy, "pids": [proc.pid for proc, _ in servers]}
        finally:
            if proxy is not None:
                proxy.stop()
            logs = [stop_streamlit(proc) for proc, _ in servers]
            provider.terminate()
            provider.wait(timeout=10)
        for log in logs:
            assert "Traceback" not in log, log[-3000:]
            assert COOKIE_SECRET not in log and CLIENT_SECRET not in log


def download(page: Page, button: str) -> tuple[str, bytes]:
    """Click a download button; the file's name and bytes."""
    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name=button, exact=True).first.click()
    return info.value.suggested_filename, Path(info.value.path()).read_bytes()


def events_of(url: str, event: str, email: str) -> list[dict]:
    return [e for e in stored_events(url) if e["event"] == event and e.get("email") == email]


def assert_refused(page: Page, base: str) -> None:
    """The Audit page opened by its URL says who it is for and shows no event.

    On a loaded machine the server has answered a page's URL with the page open before (see
    test_sign_in_browser): either way nothing of the Audit may be drawn.
    """
    page.goto(f"{base}/audit")
    expect(page.get_by_role("heading", level=1).first).to_be_visible(timeout=TIMEOUT)
    page.wait_for_selector(IDLE, timeout=TIMEOUT)
    if page.get_by_role("heading", name="Audit", exact=True).count():
        expect(page.get_by_text(REFUSAL)).to_be_visible(timeout=TIMEOUT)
    assert page.get_by_text("Per person and kind").count() == 0
    assert page.get_by_role("heading", name="Events", exact=True).count() == 0
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("link", name="Overview", exact=True)).to_have_count(1)
    assert sidebar.get_by_role("link", name="Audit", exact=True).count() == 0


def test_one_sign_in_on_two_replicas_is_one_event_and_an_admin_sees_the_other_replicas_download(
    browser: Browser, replicas
):
    url, proxy = replicas["store"], replicas["proxy"]
    pid_a, pid_b = replicas["pids"]
    base = proxy.url
    # One browser for the three people, its cookies cleared between them: to the servers each
    # is a new browser (no sign-in, no pin), and Streamlit's scripts are not compiled again.
    browser_of = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900})
    browser_of.set_default_navigation_timeout(TIMEOUT)  # the sign-in's and ours: busy cores
    try:
        page = browser_of.new_page()
        # This browser's requests go to replica A, from the signed-out page on.
        sign_in(page, base, "tom", proxy.replica_path(0, f"/sessions?{RANGE}"))
        expect(page.get_by_role("heading", name="Sessions and export")).to_be_visible(
            timeout=TIMEOUT
        )
        name, data = download(page, "Full data (CSV)")
        mine = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
        # The balancer moves the browser to replica B: the same sign-in, seen there too.
        page.goto(proxy.replica_url(1, f"/sessions?{RANGE}"))
        expect(page.get_by_test_id("stSidebar").get_by_text("Tom Schmidt")).to_be_visible(
            timeout=TIMEOUT
        )
        page.wait_for_selector(IDLE, timeout=TIMEOUT)
        assert len(events_of(url, "sign-in", TUTOR)) == 1
        assert_refused(page, base)  # a tutor, by the URL

        page = next_person(page)
        sign_in(page, base, "ops", proxy.replica_path(0, f"/?{RANGE}"))
        page.goto(proxy.replica_url(1, "/audit"))  # the Audit page of the other replica
        expect(page.get_by_role("heading", name="Audit", exact=True)).to_be_visible(timeout=TIMEOUT)
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_role("link", name="Audit", exact=True)).to_have_count(
            1, timeout=TIMEOUT
        )
        page.get_by_text("Per person and kind").wait_for(timeout=TIMEOUT)
        expect(page.get_by_test_id("stDataFrame")).to_have_count(2, timeout=TIMEOUT)
        audit_name, audit_csv = download(page, "Full data (CSV)")
        listed = pd.read_csv(io.BytesIO(audit_csv), encoding="utf-8-sig")
        (row,) = listed.loc[(listed["event"] == "download") & (listed["email"] == TUTOR)].to_dict(
            "records"
        )
        assert row["file"] == name and row["rows"] == len(mine) and row["role"] == "tutor"
        assert row["process"].endswith(f":{pid_a}")  # written by replica A, read on B
        assert json.loads(row["filters"])["date_from"] == ANCHOR.isoformat()
        assert (listed["event"] == "sign-in").sum() == 2  # Tom's (seen twice) and this admin's
        # The admin's own download of the log is audited too, by replica B.
        (own,) = wait_until(
            "the admin's download event", lambda: events_of(url, "download", "ops@partner.org")
        )
        assert own["file"] == audit_name and own["page"] == "Audit"
        assert own["process"].endswith(f":{pid_b}")

        page = next_person(page)
        sign_in(page, base, "lead", proxy.replica_path(1, f"/?{RANGE}"))
        expect(page.get_by_role("heading", name="ILT sessions overview")).to_be_visible(
            timeout=TIMEOUT
        )
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text("Lena Lead")).to_be_visible(timeout=TIMEOUT)
        expect(sidebar.get_by_role("link", name="Plan", exact=True)).to_have_count(
            1, timeout=TIMEOUT
        )
        expect(sidebar.get_by_role("link", name="Audit", exact=True)).to_have_count(
            0, timeout=TIMEOUT
        )
        assert_refused(page, base)  # a coordinator, by the URL
    finally:
        browser_of.close()


def next_person(page: Page) -> Page:
    """Close the page and forget every cookie: a new tab of a browser no server knows yet."""
    context = page.context
    page.close()
    context.clear_cookies()
    return context.new_page()
