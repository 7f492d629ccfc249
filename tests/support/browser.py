"""The real browser for the end-to-end tests: Chromium, when a page's run is over, opening one."""

from __future__ import annotations

import os
import shutil
import time

from playwright.sync_api import Page, expect

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # One renderer for all tabs of the dashboard: Streamlit's scripts are compiled once, not per
    # tab (20 tabs of the Data quality page: 40-45 CPU-s instead of 53-55 on this machine).
    "--process-per-site",
]

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'  # the script run is over
RUNNING = '[data-testid="stApp"][data-test-script-state="running"]'
TIMEOUT = 45_000  # ms: a page on two busy cores


def goto_page(page: Page, url: str, heading: str) -> None:
    """Go to url; wait until the page's heading shows and its script run has finished."""
    page.goto(url)
    expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible(
        timeout=TIMEOUT
    )
    page.wait_for_selector(IDLE, timeout=TIMEOUT)


def wait_for_charts(page: Page, quiet: float = 0.5) -> None:
    """Wait until every chart of the page has drawn and no new one has come for `quiet`
    seconds, and the calendar's frame has its events: only then is all a page shows in the DOM.

    A page can report its run over before the run has started, and Plotly draws each chart
    after the run, so neither the run state nor a first count of charts is enough: wait until
    nothing runs, no placeholder is left and the count of drawn charts has held still.
    """
    charts = page.locator('[data-testid="stPlotlyChart"]')
    drawn = page.locator('[data-testid="stPlotlyChart"] .main-svg')
    pending = page.locator(f'[data-testid="stSkeleton"], {RUNNING}')
    deadline = time.monotonic() + TIMEOUT / 1000
    seen, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = charts.count()
        if count != seen:
            seen, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet and drawn.count() >= count and not pending.count():
            break
        page.wait_for_timeout(100)
    for frame in page.frames[1:]:
        if "calendar" in frame.url:
            frame.locator(".fc-view-harness, .fc-list").first.wait_for(timeout=TIMEOUT)


def open_from_menu(page: Page, label: str, heading: str) -> None:
    """Follow the sidebar menu's link to a page (the open frontend stays: no reload, and the
    link carries the shared filters); wait until the page has settled."""
    page.get_by_test_id("stSidebar").get_by_role("link", name=label, exact=True).click()
    expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible(
        timeout=TIMEOUT
    )
    wait_for_charts(page)
