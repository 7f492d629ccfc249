"""Deep links on a fresh server: each page opened first by its URL shows its view and sidebar.

Streamlit's folder mode runs the first request of a fresh server differently from later ones,
so every page gets a server of its own whose first page request is the deep link.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from lu_data.core.pages import PAGES as MENU
from tests.support.browser import IDLE, TIMEOUT, goto_page
from tests.support.servers import start_streamlit, stop_streamlit

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


@pytest.fixture(scope="module")
def fresh_servers() -> Iterator[dict[str, str]]:
    """One fresh dashboard server per page, started side by side; no page request made yet."""
    with ThreadPoolExecutor(len(PAGES)) as pool:
        started = list(pool.map(lambda _: start_streamlit(), PAGES))
    try:
        yield {path: url for (path, _, _), (_, url) in zip(PAGES, started, strict=True)}
    finally:
        with ThreadPoolExecutor(len(PAGES)) as pool:
            list(pool.map(lambda server: stop_streamlit(server[0]), started))


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


def test_menu_lists_every_page():
    """The menu this test expects is the app's menu, page for page."""
    assert [p.label for p in MENU] == MENU_LABELS
    assert [p.script.removeprefix("pages/").removesuffix(".py") for p in MENU][1:] == [
        path for path, _, _ in PAGES[1:]
    ]


@pytest.mark.parametrize(("path", "title", "draws"), PAGES, ids=IDS)
def test_deep_link_first_on_fresh_server(
    page: Page, fresh_servers, path: str, title: str, draws: str
):
    """A fresh server's first request, a deep link with filters, shows that page in that view.

    The page draws what it is for (its chart, calendar or table) and shows no error.
    """
    goto_page(page, f"{fresh_servers[path]}/{path}?{FILTERS}", title)
    assert_shared_sidebar(page)
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.all_inner_texts()
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


def test_menu_link_keeps_the_shared_filters(page: Page, fresh_servers):
    """Following a menu link from a deep-linked page opens the next page with the same filters."""
    url = fresh_servers["calendar"]
    goto_page(page, f"{url}/calendar?{FILTERS}", "Calendar")
    page.get_by_test_id("stSidebar").get_by_role("link", name="Tutors").click()
    expect(page.get_by_role("heading", name="Tutors", exact=True).first).to_be_visible(
        timeout=TIMEOUT
    )
    page.wait_for_selector(IDLE, timeout=TIMEOUT)
    assert urlsplit(page.url).path == "/tutors"
    assert {k: v for k, v in parse_qs(urlsplit(page.url).query).items() if k in SHARED} == SHARED
    assert_shared_sidebar(page)
