"""Deep links on a fresh server: each page opened first by its URL shows its view and sidebar.

Streamlit's folder mode runs the first request of a fresh server differently from later ones,
so every page gets a server of its own whose first page request is the deep link. The servers
run one after the other on one port, opened in one browser tab: the tab's frontend code comes
from the same address each time, so Chromium compiles Streamlit's scripts once, not per page.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from lu_data.core.pages import PAGES as MENU
from tests.support.browser import IDLE, TIMEOUT, goto_page
from tests.support.servers import free_port, start_streamlit, stop_streamlit

pytestmark = pytest.mark.browser

FILTERS = "tz=UTC&from=2026-12-01&to=2026-12-31&status=full"
SHARED = {"tz": ["UTC"], "from": ["2026-12-01"], "to": ["2026-12-31"], "status": ["full"]}
MENU_LABELS = [
    "Overview",
    "Capacity",
    "Calendar",
    "Tutors",
    "Fill pace & forecast",
    "Plan",
    "Sessions & export",
    "Data quality",
    "Audit",
]
# (url path, page title, what the page must draw)
PAGES = [
    ("", "ILT sessions overview", "chart"),
    ("capacity", "Capacity", "chart"),
    ("calendar", "Calendar", "calendar"),
    ("tutors", "Tutors", "chart"),
    ("pace", "Fill pace & forecast", "chart"),
    ("plan", "Plan", "table"),
    ("sessions", "Sessions and export", "table"),
    ("quality", "Data quality", "table"),
    ("audit", "Audit", "no events"),  # a fresh store: the page says so, no empty table
]
IDS = [path or "overview" for path, _, _ in PAGES]


LISTEN = "0A"  # a listening socket's state in /proc/net/tcp


@pytest.fixture(scope="module")
def port() -> int:
    """The one loopback port the fresh servers take in turn."""
    return free_port()


def listens_on(pid: int, port: int) -> bool:
    """Whether process `pid` holds the listening socket of loopback `port` (not another
    process that took the port between two servers)."""
    with open("/proc/net/tcp") as table:
        rows = [line.split() for line in table.readlines()[1:]]
    inodes = {row[9] for row in rows if row[3] == LISTEN and int(row[1].split(":")[1], 16) == port}
    fds = f"/proc/{pid}/fd"
    held = {os.readlink(f"{fds}/{fd}") for fd in os.listdir(fds)}
    return any(f"socket:[{inode}]" in held for inode in inodes)


@contextmanager
def fresh_server(tab: Page, port: int) -> Iterator[str]:
    """A new dashboard server on `port` that no page has asked anything yet; its URL.

    The tab leaves it for about:blank before it stops: a Streamlit frontend left open would
    reconnect to the next server on the port and make that server's first request itself.
    """
    proc, url = start_streamlit(port=port)
    try:
        assert listens_on(proc.pid, port), f"port {port} is held by another process"
        yield url
    finally:
        tab.goto("about:blank")
        stop_streamlit(proc)


# What the sidebar must hold, in order; other items may sit between (Playwright's partial match).
SIDEBAR = """
- radiogroup "Data source":
  - radio "Demo portal" [checked]
- group "Sessions starting start date":
  - spinbutton /year/: "2026"
  - spinbutton /month/: "12"
  - spinbutton /day/: "01"
- group "Sessions starting end date":
  - spinbutton /year/: "2026"
  - spinbutton /month/: "12"
  - spinbutton /day/: "31"
- radiogroup "Show times in":
  - radio "A zone I pick" [checked]
- group:
  - combobox "Time zone": UTC
- group:
  - group "Selected values":
    - text: Full
  - combobox "Fill status"
- paragraph: /1 Dec 2026 – 31 Dec 2026 · times in UTC/
- paragraph: /Data as of 27 Nov 2026 08:00 UTC · demo portal/
"""


def assert_shared_sidebar(page: Page) -> None:
    """The data-source picker, the filters' values, and the 9 menu links carrying the filters."""
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_match_aria_snapshot(SIDEBAR, timeout=TIMEOUT)
    links = sidebar.get_by_role("link")
    expect(links).to_have_count(len(MENU_LABELS))
    for n, label in enumerate(MENU_LABELS):
        expect(links.nth(n)).to_have_accessible_name(label)
        href = links.nth(n).get_attribute("href") or ""
        assert parse_qs(urlsplit(href).query) == {"source": ["demo"], **SHARED}, (label, href)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def open_deep_link(page: Page, url: str, path: str, title: str, draws: str) -> None:
    """Open `path` with the shared filters; it shows that page in that view, with the shared
    sidebar, what the page is for (its chart, calendar or table) drawn, and no error."""
    goto_page(page, f"{url}/{path}?{FILTERS}", title)
    assert_shared_sidebar(page)
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, (path, errors.all_inner_texts())
    if draws == "chart":
        drawn = page.locator('[data-testid="stPlotlyChart"] .main-svg').first
    elif draws == "calendar":
        frame = page.frame_locator('iframe[title="streamlit_calendar.calendar"]')
        drawn = frame.locator(".fc-event").first
    elif draws == "no events":
        drawn = page.get_by_text("No audit events match these choices.")
    else:
        drawn = page.get_by_test_id("stDataFrame").first
    expect(drawn).to_be_visible(timeout=TIMEOUT)


def test_menu_lists_every_page():
    """The menu this test expects is the app's menu, page for page."""
    assert [p.label for p in MENU] == MENU_LABELS
    assert [p.script.removeprefix("pages/").removesuffix(".py") for p in MENU][1:] == [
        path for path, _, _ in PAGES[1:]
    ]


@pytest.mark.parametrize(("path", "title", "draws"), PAGES, ids=IDS)
def test_deep_link_first_on_fresh_server(tab: Page, port: int, path: str, title: str, draws: str):
    """A fresh server's first request, a deep link with filters, shows that page in that view.

    The page draws what it is for (its chart, calendar or table) and shows no error. From the
    Calendar, following the menu's Tutors link opens Tutors with the same filters.
    """
    with fresh_server(tab, port) as url:
        open_deep_link(tab, url, path, title, draws)
        if path == "calendar":
            follow_tutors_link(tab)


def follow_tutors_link(page: Page) -> None:
    """Following a menu link from a deep-linked page opens the next page with the same filters."""
    page.get_by_test_id("stSidebar").get_by_role("link", name="Tutors").click()
    expect(page.get_by_role("heading", name="Tutors", exact=True).first).to_be_visible(
        timeout=TIMEOUT
    )
    page.wait_for_selector(IDLE, timeout=TIMEOUT)
    assert urlsplit(page.url).path == "/tutors", f"the menu's Tutors link opened {page.url}"
    query = parse_qs(urlsplit(page.url).query)
    kept = {k: v for k, v in query.items() if k in SHARED}
    assert kept == SHARED, f"the menu's Tutors link lost the shared filters: {page.url}"
    assert_shared_sidebar(page)
