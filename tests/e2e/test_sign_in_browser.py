"""Sign-in for real: an OpenID Connect provider on loopback (oidc-provider-mock), the dashboard
with [auth] and [access], and Chromium signing in as a coordinator, a tutor, an admin and an
address outside `allow`."""

from __future__ import annotations

import io
import json
import tempfile
import uuid
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

import pandas as pd
import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from lu_data.analyses.filters import Filters, filter_sessions
from tests.support import ANCHOR
from tests.support.browser import IDLE, TIMEOUT, open_from_menu, wait_for_charts
from tests.support.demo import demo_portal
from tests.support.security import scan_disk
from tests.support.servers import free_port, start_streamlit, stop_streamlit
from tests.support.sign_in import (
    TUTOR,
    sign_in,
    start_provider,
    stored_events,
    write_secrets,
)

COOKIE_SECRET = f"cookie-{uuid.uuid4().hex}"
CLIENT_SECRET = f"client-{uuid.uuid4().hex}"
DATE_TO = date(2027, 1, 31)
RANGE = f"tz=UTC&from={ANCHOR.isoformat()}&to={DATE_TO.isoformat()}"
# Every page: its menu label and heading. The tutor's tour downloads on the last two.
PAGE_HEADINGS = {
    "Capacity": "Capacity",
    "Tutors": "Tutors",
    "Fill pace & forecast": "Fill pace & forecast",
    "Data quality": "Data quality",
    "Overview": "ILT sessions overview",
    "Calendar": "Calendar",
    "Sessions & export": "Sessions and export",
}


@pytest.fixture(scope="module")
def signed_app():
    """The dashboard on the demo behind sign-in; yields its URL, its store and a stopper."""
    folder = Path(tempfile.mkdtemp(prefix="lu-sign-in-"))
    oidc_port, app_port = free_port(), free_port()
    secrets = write_secrets(
        folder / "secrets.toml",
        app_port=app_port,
        oidc_port=oidc_port,
        cookie_secret=COOKIE_SECRET,
        client_secret=CLIENT_SECRET,
    )
    provider = start_provider(oidc_port)
    data = folder / "data"
    proc, url = start_streamlit(
        {"LU_DATA_DIR": str(data)}, args=("--secrets.files", str(secrets)), port=app_port
    )
    store = f"sqlite:///{data / 'history.sqlite3'}"
    state = {"url": url, "store": store, "secrets": secrets, "log": None, "seen": []}

    def stop() -> str:
        if state["log"] is None:
            state["log"] = stop_streamlit(proc)
        return state["log"]

    state["stop"] = stop
    yield state
    stop()
    provider.terminate()
    provider.wait(timeout=10)


def whole_page(page: Page, *, drawn: bool = False) -> str:
    """The page's HTML with its frames' (the calendar draws in one), once its charts drew
    (`drawn`: open_from_menu has just waited for them)."""
    if not drawn:
        wait_for_charts(page)
    return "\n".join(frame.content() for frame in page.frames)


def shown_sessions(page: Page) -> str:
    """The view sentence under a page's title: "N sessions · M tutors · dates · zone"."""
    caption = page.get_by_text(" sessions · ", exact=False).first
    return caption.inner_text(timeout=TIMEOUT)


def download(page: Page, button: str) -> tuple[str, bytes]:
    """Click a download button; the file's name and bytes."""
    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name=button, exact=True).first.click()
    return info.value.suggested_filename, Path(info.value.path()).read_bytes()


def in_range() -> pd.DataFrame:
    """The demo's sessions in the tests' date range, as every signed-in coordinator sees them."""
    return filter_sessions(
        demo_portal().sessions, Filters(date_from=ANCHOR, date_to=DATE_TO, tz="UTC")
    )


def other_tutors() -> set[str]:
    """Every tutor name of the demo but the tutor's."""
    sessions = demo_portal().sessions
    others = sessions.loc[sessions["tutor_email"] != TUTOR, "tutor_name"].dropna()
    return set(others) - set(sessions.loc[sessions["tutor_email"] == TUTOR, "tutor_name"])


def test_deep_link_survives_sign_in_and_a_coordinator_sees_every_session(page: Page, signed_app):
    """Opened signed out, a deep link asks for sign-in first and then opens its own view."""
    base = signed_app["url"]
    page.goto(f"{base}/sessions?{RANGE}")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT)
    html = whole_page(page)
    signed_app["seen"].append(html)
    assert not any(name in html for name in other_tutors())  # nothing before sign-in
    assert page.get_by_role("heading", name="Sessions and export").count() == 0

    sign_in(page, base, "lead", None)  # from this signed-out page: the link is not reopened
    expect(page.get_by_role("heading", name="Sessions and export")).to_be_visible(timeout=TIMEOUT)
    assert page.url.startswith(f"{base}/sessions?") and "from=2026-11-27" in page.url
    want = in_range()
    assert shown_sessions(page).startswith(f"{len(want)} sessions")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Lena Lead")).to_be_visible()
    expect(sidebar.get_by_text("Coordinator: every session")).to_be_visible()
    # Only admins choose the source: a coordinator reads which it is, and cannot change it.
    expect(sidebar.get_by_text("Data source: Demo portal")).to_be_visible()
    assert sidebar.get_by_role("radiogroup", name="Data source").count() == 0
    assert sidebar.get_by_role("button", name="Rebuild demo data").count() == 0
    expect(sidebar.get_by_role("link", name="Plan", exact=True)).to_have_count(1)
    name, data = download(page, "Full data (CSV)")
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert set(frame["session_key"]) == set(want["session_key"])


def test_a_tutor_sees_only_their_sessions_on_every_page_and_in_every_export(page: Page, signed_app):
    """Every page and download of a tutor holds their sessions alone, as the full data says."""
    base = signed_app["url"]
    # The Plan works across every tutor's sessions: opened by its URL (sign-in brings the link
    # back), the Plan refuses a tutor, and the menu has no link to it.
    sign_in(page, base, "tom", f"/plan?{RANGE}")
    full = in_range()
    mine = full.loc[full["tutor_email"] == TUTOR]
    assert 0 < len(mine) < len(full)
    others = other_tutors()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(TUTOR)).to_be_visible()
    expect(sidebar.get_by_text("Tutor: showing only the sessions you teach")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Plan", exact=True)).to_have_count(0)
    # On a loaded machine the server has once answered with the home page instead of the
    # refusal: either way nothing of the Plan is drawn.
    expect(page.get_by_role("heading", level=1).first).to_be_visible(timeout=TIMEOUT)
    page.wait_for_selector(IDLE, timeout=TIMEOUT)
    if page.get_by_role("heading", name="Plan", exact=True).count():
        refusal = page.get_by_text("The Plan page is for coordinators and admins only")
        expect(refusal).to_be_visible()
    assert page.get_by_role("button", name="Propose").count() == 0
    assert page.get_by_text("What to add").count() == 0
    signed_app["seen"].append(whole_page(page))
    # Charts and text name tutors in the page (tables draw on a canvas: their CSVs are read).
    for label, heading in PAGE_HEADINGS.items():
        open_from_menu(page, label, heading)
        html = whole_page(page, drawn=True)
        signed_app["seen"].append(html)
        leaked = sorted(n for n in others if n in html)
        assert not leaked, f"{label} shows other tutors: {leaked[:5]}"
        if label != "Data quality":
            assert shown_sessions(page).startswith(f"{len(mine)} sessions · 1 tutor"), label
        if label == "Tutors":  # their own name is drawn, so others' would be seen if there
            assert "Tom Schmidt" in html
        if label == "Calendar":
            _, ics = download(page, "Add these sessions to your calendar (.ics)")
            assert len(Calendar.from_ical(ics).walk("VEVENT")) == len(mine)
    assert f"from={ANCHOR.isoformat()}" in page.url  # the menu carried the filters along

    page.get_by_text("Preview the digest").click()  # the digest is built on request
    expect(page.get_by_role("button", name="Digest email (.eml)")).to_be_visible(timeout=TIMEOUT)
    files = dict(
        download(page, button)
        for button in (
            "Full data (CSV)",
            "As shown",
            "Trainings CSV",
            "Tutors CSV",
            ".ics",
            "Digest email (.eml)",
        )
    )
    page.get_by_role("button", name="Excel", exact=True).click()
    name, workbook = download(page, "Download the Excel workbook")
    files[name] = workbook

    def named(prefix: str, ext: str) -> bytes:
        (found,) = [v for k, v in files.items() if k.startswith(prefix) and k.endswith(ext)]
        return found

    sessions = pd.read_csv(io.BytesIO(named("ilt-sessions_", ".csv")), encoding="utf-8-sig")
    assert sorted(sessions["session_key"]) == sorted(mine["session_key"])
    shown = pd.read_csv(io.BytesIO(named("ilt-sessions-as-shown", ".csv")), encoding="utf-8-sig")
    assert len(shown) == len(mine) and set(shown["Tutor"]) == {"Tom Schmidt"}
    trainings = pd.read_csv(io.BytesIO(named("ilt-trainings", ".csv")), encoding="utf-8-sig")
    assert set(trainings["training_key"]) == set(mine["training_key"].dropna())
    assert trainings["sessions"].sum() == len(mine)
    tutors = pd.read_csv(io.BytesIO(named("ilt-tutors", ".csv")), encoding="utf-8-sig")
    assert list(tutors["tutor_email"]) == [TUTOR]
    events = Calendar.from_ical(named("ilt-sessions_", ".ics")).walk("VEVENT")
    assert len(events) == len(mine)
    assert {str(e["SUMMARY"]) for e in events} <= set(mine["title"])
    digest = message_from_bytes(named("ilt-digest_", ".eml"), policy=policy.default)
    (listed,) = list(digest.iter_attachments())
    listed = pd.read_csv(io.BytesIO(listed.get_payload(decode=True)), encoding="utf-8-sig")
    assert len(listed) > 0 and set(listed["session_key"]) <= set(mine["session_key"])
    sheet = load_workbook(io.BytesIO(named("ilt-sessions_", ".xlsx")), read_only=True)
    assert sheet["Sessions"].max_row == 1 + len(mine)
    assert sheet["Tutors"].max_row == 2

    downloads = [e for e in stored_events(signed_app["store"]) if e["event"] == "download"]
    tutor_downloads = [e for e in downloads if e["email"] == TUTOR]
    assert len(tutor_downloads) == 8
    rows = {e["file"].split("_")[0]: e["rows"] for e in tutor_downloads}
    assert rows.pop("ilt-digest") == len(listed)  # the digest counts the sessions it lists
    assert set(rows.values()) == {len(mine)}
    assert {e["role"] for e in tutor_downloads} == {"tutor"}
    assert {e["page"] for e in tutor_downloads} == {"Sessions and export", "Calendar"}
    assert all(
        e["filters"]["date_from"] == ANCHOR.isoformat() and e["filters"]["tz"] == "UTC"
        for e in tutor_downloads
    )


def test_an_address_outside_allow_is_refused_and_sees_no_data(page: Page, signed_app):
    """Signed in but not allowed: a plain page naming the address, and no session data."""
    base = signed_app["url"]
    sign_in(page, base, "eve", f"/capacity?{RANGE}")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("eve@elsewhere.net")).to_be_visible()
    html = whole_page(page)
    signed_app["seen"].append(html)
    sessions = demo_portal().sessions
    assert not any(name in html for name in set(sessions["tutor_name"].dropna()))
    assert not any(title in html for title in set(sessions["title"]))
    assert page.get_by_role("link", name="Capacity").count() == 0  # no menu, no sidebar
    refused = [e for e in stored_events(signed_app["store"]) if e["event"] == "refused"]
    assert [(e["email"], e["reason"]) for e in refused] == [
        ("eve@elsewhere.net", "not in [access]")
    ]


def test_an_admin_runs_the_data_sign_ins_are_audited_once_and_sign_out_ends_it(
    page: Page, signed_app
):
    """Admins choose the source; a sign-in is one audit event however often the page reloads;
    Sign out ends it; the cookie and client secrets are in no page, log, file or audit event."""
    base = signed_app["url"]

    def sign_ins() -> int:
        events = stored_events(signed_app["store"])
        return sum(e["event"] == "sign-in" and e.get("role") == "admin" for e in events)

    before = sign_ins()
    # Any page shows the admin's controls: the Data quality page draws the fewest charts.
    sign_in(page, base, "ops", f"/quality?{RANGE}")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("radiogroup", name="Data source")).to_be_visible(timeout=TIMEOUT)
    expect(sidebar.get_by_role("button", name="Rebuild demo data")).to_be_visible()
    signed_app["seen"].append(whole_page(page))
    assert sign_ins() == before + 1
    page.reload()  # a new session of the same sign-in: not a second sign-in
    heading = page.get_by_role("heading", name="Data quality", exact=True)
    expect(heading).to_be_visible(timeout=TIMEOUT)
    page.wait_for_selector(IDLE, timeout=TIMEOUT)
    expect(sidebar.get_by_role("radiogroup", name="Data source")).to_be_visible()
    assert sign_ins() == before + 1
    fields = {"at", "event", "email", "name", "role", "page", "file", "rows", "filters"}
    fields |= {"reason", "process"}
    assert all(set(e) <= fields for e in stored_events(signed_app["store"]))

    sidebar.get_by_role("button", name="Sign out").click()
    # The provider confirms the end of its session, then sends the browser back here.
    page.wait_for_url("**/oauth2/end_session**", timeout=TIMEOUT)
    page.get_by_role("button").first.click()
    page.wait_for_url(lambda url: url.startswith(base), timeout=TIMEOUT)
    # Back on the dashboard it asks for sign-in again: no page, no account box, no cookie.
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT)
    page.wait_for_selector(IDLE, timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="ILT sessions", exact=True)).to_be_visible()
    assert page.get_by_role("heading", name="ILT sessions overview").count() == 0
    assert page.get_by_role("button", name="Sign out").count() == 0
    assert page.get_by_test_id("stSidebar").get_by_role("link").count() == 0
    assert not [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]

    log = signed_app["stop"]()
    written = json.dumps(stored_events(signed_app["store"]), default=str)
    for secret in (COOKIE_SECRET, CLIENT_SECRET):
        assert secret not in log and secret not in written
        assert not any(secret in html for html in signed_app["seen"])
    secrets = (COOKIE_SECRET, CLIENT_SECRET)
    assert [p for p in scan_disk(*secrets) if p != signed_app["secrets"]] == []
