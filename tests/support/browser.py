"""Real-browser helpers for the end-to-end tests: when a page's run is over, and opening one."""

from __future__ import annotations

from playwright.sync_api import Page, expect

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'  # the script run is over
TIMEOUT = 45_000  # ms: a page on two busy cores


def goto_page(page: Page, url: str, heading: str) -> None:
    """Go to url; wait until the page's heading shows and its script run has finished."""
    page.goto(url)
    expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible(
        timeout=TIMEOUT
    )
    page.wait_for_selector(IDLE, timeout=TIMEOUT)


def wait_for_charts(page: Page) -> None:
    """Wait until every chart of the page has drawn (Plotly draws after the script run ends)
    and the calendar's frame has its events; what a page shows is only then all in the DOM."""
    charts = page.locator('[data-testid="stPlotlyChart"]')
    for n in range(charts.count()):
        charts.nth(n).locator(".main-svg").first.wait_for(timeout=TIMEOUT)
    for frame in page.frames[1:]:
        if frame.locator(".fc").count() or "calendar" in frame.url:
            frame.locator(".fc-view-harness, .fc-list").first.wait_for(timeout=TIMEOUT)
