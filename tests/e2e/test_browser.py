"""Real browser (Playwright + Debian chromium): downloads, the browser's zone, shared links.

That every page renders and draws is checked by the deep-link tests, on fresh servers. The
tests share one tab: each opens its own URL, and Streamlit's scripts are compiled once.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from lu_data.analyses.filters import filter_sessions
from lu_data.exports.plan_export import PLAN_CSV_COLUMNS
from tests.support import ANCHOR, ROOT
from tests.support.browser import IDLE, TIMEOUT, goto_page
from tests.support.demo import default_filters, demo_plan, demo_portal

pytestmark = pytest.mark.browser
LU_DATA = [sys.executable, "-m", "lu_data"]


def assert_no_error(page: Page) -> None:
    """No exception box and no red error alert on the page."""
    expect(page.get_by_test_id("stException")).to_have_count(0)
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.all_inner_texts()


def test_sessions_csv_download_holds_the_filtered_rows(tab: Page, app_url: str):
    """The Sessions page's CSV, downloaded through the button, has one row per shown session."""
    page = tab
    goto_page(page, f"{app_url}/sessions", "Sessions and export")
    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name="Full data (CSV)", exact=True).first.click()
    download = info.value
    assert download.suggested_filename == "ilt-sessions_27-Nov-2026-to-22-Jan-2027.csv"
    frame = pd.read_csv(download.path(), encoding="utf-8-sig")
    portal = demo_portal()
    want = filter_sessions(portal.sessions, default_filters())
    assert len(frame) == len(want)
    assert set(frame["session_key"]) == set(want["session_key"])


def test_browser_zone_mode_shows_times_in_the_browsers_zone(tab: Page, app_url: str):
    """tz=browser uses the zone the browser reports (America/Chicago here) on page and in CSV."""
    page = tab
    goto_page(
        page, f"{app_url}/sessions?from=2026-12-01&to=2026-12-31&tz=browser", "Sessions and export"
    )
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Your browser's zone: America/Chicago")).to_be_visible()
    expect(sidebar.get_by_text("times in America/Chicago").first).to_be_visible()
    assert "tz=browser" in page.url  # a shared link keeps "the reader's own zone"
    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name="Full data (CSV)", exact=True).first.click()
    frame = pd.read_csv(info.value.path(), encoding="utf-8-sig")
    assert len(frame) > 0
    assert set(frame["tz"]) == {"America/Chicago"}
    assert set(frame["utc_offset"]) == {"-06:00"}  # December: Central Standard Time
    utc = pd.to_datetime(frame["start_utc"], utc=True)
    local = pd.to_datetime(frame["start_local"], utc=True)  # same instant, other wall clock
    assert (utc == local).all()
    assert frame["start_local"].str.endswith("-06:00").all()


def test_plan_proposes_sessions_merges_them_and_checks_the_draft(tab: Page, app_url: str, tmp_path):
    """Propose on the Plan page: the calendar draws each proposal as a dashed "Proposed: …"
    event among the existing ones, and the downloaded CSV holds the plan's rows; that CSV
    passes `lu-data plan --check`. The merge view strikes the freed sessions through on its
    calendar, and the same CSV uploaded to Check a draft has no problems either."""
    page = tab
    goto_page(page, f"{app_url}/plan", "Plan")
    page.get_by_role("button", name="Propose", exact=True).click()
    expect(page.get_by_role("heading", name="Proposed sessions")).to_be_visible(timeout=TIMEOUT)
    page.wait_for_selector(IDLE, timeout=TIMEOUT)
    assert "proposed=1" in page.url  # a copied link shows the proposal too
    placed = demo_plan().plan.placed
    calendar = page.frame_locator('iframe[title="streamlit_calendar.calendar"]')
    drafts = calendar.locator(".fc-event.lu-proposed")
    expect(drafts).to_have_count(len(placed), timeout=TIMEOUT)
    titles = drafts.locator(".fc-event-title").all_inner_texts()
    assert all(t.startswith("Proposed: ") for t in titles), titles
    assert drafts.first.evaluate("e => getComputedStyle(e).borderTopStyle") == "dashed"
    assert calendar.locator(".fc-event:not(.lu-proposed)").count() > 0  # the existing ones
    assert_no_error(page)

    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name="Full data (CSV)", exact=True).click()
    download = info.value
    assert download.suggested_filename == "ilt-plan_4-Dec-2026-to-28-Jan-2027.csv"
    frame = pd.read_csv(download.path(), encoding="utf-8-sig")
    assert list(frame.columns) == PLAN_CSV_COLUMNS
    assert len(frame) == len(placed) and set(frame["action"]) == {"add"}
    assert sorted(pd.to_datetime(frame["start_utc"], utc=True)) == sorted(placed["start_utc"])
    assert sorted(frame["training_title"]) == sorted(placed["training_title"])

    # The downloaded plan, checked by the command line against the same data.
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    check = subprocess.run(
        [*LU_DATA, "plan", "demo", "--anchor", ANCHOR.isoformat(), "--check", str(saved)],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("LEARNUPON_")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr
    assert f"0 problems in {len(placed)} rows" in check.stderr

    # Merges: the freed sessions struck through on the calendar.
    page.get_by_role("radio", name="Merges", exact=True).click()
    page.get_by_role("button", name="Propose merges").click()
    expect(page.get_by_role("heading", name="Merges", exact=True)).to_be_visible(timeout=TIMEOUT)
    page.wait_for_selector(IDLE, timeout=TIMEOUT)
    assert "mode=merges" in page.url and "merged=1" in page.url
    calendar = page.frame_locator('iframe[title="streamlit_calendar.calendar"]')
    freed = calendar.locator(".fc-event.lu-merge-from")
    expect(freed.first).to_be_visible(timeout=TIMEOUT)
    title = freed.first.locator(".fc-event-title")
    assert title.inner_text().startswith("Merge into ")
    assert "line-through" in title.evaluate("e => getComputedStyle(e).textDecorationLine")
    expect(calendar.locator(".fc-event.lu-merge-into").first).to_contain_text("learner")
    assert_no_error(page)

    # Check a draft: the same CSV, uploaded.
    page.get_by_role("radio", name="Check a draft", exact=True).click()
    page.wait_for_selector(IDLE, timeout=TIMEOUT)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(saved))
    expect(page.get_by_text(f"0 problems in {len(placed)} rows")).to_be_visible(timeout=TIMEOUT)
    assert "mode=check" in page.url
    assert_no_error(page)
