"""The coordinator's decisions in a real browser, at 1024×768 and 1400×1000.

Tables show their decision columns without scrolling sideways, page choices survive a copied
link opened in a fresh browser, the calendar's List holds the whole range, and every Overview
card opens the sessions it counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from lu_data.analyses.filters import Filters, filter_sessions
from lu_data.core.pages import PAGES
from lu_data.views.session_tables import PROJECTED, SEATS
from tests.support.browser import IDLE, TIMEOUT, goto_page, open_from_menu, wait_for_charts
from tests.support.demo import demo_portal

pytestmark = pytest.mark.browser

SIZES = {"1024": (1024, 768), "1400": (1400, 1000)}
SESSION_COLUMNS = ["Start", "Zone", "Title", "Tutor", SEATS]
# page -> (heading, the leading columns of each table that must show without scrolling)
DECISION_TABLES = {
    "sessions": ("Sessions and export", [SESSION_COLUMNS]),
    "tutors": (
        "Tutors",
        [["#", "When", "Title", "Overlap", "Tutor"], SESSION_COLUMNS, ["Clash", "Room", "When"]],
    ),
    "pace": (
        "Fill pace & forecast",
        [
            ["Start", "Zone", "Title", SEATS, PROJECTED],
            ["Training", "Verdict", "Full early", "Under 50%"],
        ],
    ),
    "quality": ("Data quality", [["Title", "Start (local)", "Message"]]),
}
MENU_LABELS = {p.script.removeprefix("pages/").removesuffix(".py"): p.label for p in PAGES}
WIDE_ENOUGH = 1400  # tables that fit at 1024 px fit here; these pages' were cut at 1400 too
# Each drawn grid (one in a closed expander is not): the headers the data grid lays out (only
# the columns in view, a part-shown one included), whether it scrolls sideways, its right edge.
GRIDS = """() => [...document.querySelectorAll('[data-testid=stDataFrame]')]
  .filter(g => g.querySelector('.dvn-scroller'))
  .map(g => {
    const s = g.querySelector('.dvn-scroller');
    return {
      headers: [...g.querySelectorAll('th[role=columnheader]')].map(th => th.textContent),
      cells: [...g.querySelectorAll('tbody tr')].map(
        tr => [...tr.querySelectorAll('td')].map(td => td.textContent)),
      scrolls: s ? s.scrollWidth > s.clientWidth : false,
      right: g.getBoundingClientRect().right,
    };
  })"""
GRIDS_DRAWN = """() => {
  const grids = [...document.querySelectorAll('[data-testid=stDataFrame]')]
    .filter(g => g.querySelector('.dvn-scroller'));
  return grids.length > 0 && grids.every(g => g.querySelector('th[role=columnheader]'));
}"""


def settle(page: Page) -> None:
    """Wait for the rerun a widget change started to finish."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=TIMEOUT)


def grids(page: Page) -> list[dict]:
    """The page's drawn data grids, once each has laid out its header."""
    page.wait_for_function(GRIDS_DRAWN, timeout=TIMEOUT)
    return page.evaluate(GRIDS)


@pytest.fixture(scope="module")
def pages(browser: Browser) -> Iterator[dict[str, Page]]:
    """One page per viewport size, in a context of its own, shared by the module's tests: each
    test opens its first page by address, so none depends on where another left off (a context
    kept open saves compiling Streamlit's scripts again)."""
    contexts = [
        browser.new_context(viewport={"width": w, "height": h}, timezone_id="America/Chicago")
        for w, h in SIZES.values()
    ]
    try:
        yield {size: context.new_page() for size, context in zip(SIZES, contexts, strict=True)}
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def sized(pages: dict[str, Page], request) -> Page:
    """The module's page at the parametrised viewport size."""
    return pages[request.param]


@pytest.mark.parametrize("sized", list(SIZES), indirect=True)
def test_tables_show_their_decision_columns_without_scrolling(sized: Page, app_url: str):
    """Each table's decision columns are laid out whole inside the viewport: the next column
    follows the last of them, or the table does not scroll sideways; the page never does."""
    page = sized
    width = page.viewport_size["width"]
    # At 1400 px the pages whose tables were cut there; at 1024 px, every one.
    paths = list(DECISION_TABLES) if width < WIDE_ENOUGH else ["sessions", "pace"]
    for n, path in enumerate(paths):
        heading, tables = DECISION_TABLES[path]
        if n == 0:
            goto_page(page, f"{app_url}/{path}", heading)
        else:  # through the menu: the same frontend, as a user moves between pages
            open_from_menu(page, MENU_LABELS[path], heading)
        drawn = grids(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        for columns in tables:
            found = [g for g in drawn if g["headers"][:1] == columns[:1]]
            assert found, (path, columns, [g["headers"] for g in drawn])
            grid = found[0]
            assert grid["headers"][: len(columns)] == columns, (width, path, grid["headers"])
            whole = len(grid["headers"]) > len(columns) or not grid["scrolls"]
            assert whole, (width, path, columns[-1], grid["headers"])
            assert grid["right"] <= width, (width, path, grid["right"])


def test_page_choices_survive_a_copied_link_in_a_fresh_browser(
    browser: Browser, pages: dict[str, Page], app_url: str
):
    """A search, the calendar's List view and a tutor, chosen on their pages, come back from the
    copied address in another browser context (no cookies, no session); the List holds every
    session of the range."""
    size = {"width": 1400, "height": 1000}
    fresh = browser.new_context(viewport=size, timezone_id="America/Chicago")
    try:
        page = pages["1400"]
        goto_page(page, f"{app_url}/sessions", "Sessions and export")
        search = page.get_by_label("Search title, tutor or location")
        search.fill("Excel")
        search.press("Enter")
        settle(page)
        matches = page.get_by_text(re.compile(r"of [\d,]+ sessions match")).inner_text()
        sessions_link = page.url

        # through the menu, as a user moves on (the search is the Sessions page's own: not carried)
        open_from_menu(page, MENU_LABELS["tutors"], "Tutors")
        main = page.get_by_test_id("stMain")
        main.get_by_role("combobox", name=re.compile("Tutor")).first.click()
        page.get_by_role("option", name="Aoife Murphy").click()
        settle(page)
        tutors_link = page.url

        goto_page(page, f"{app_url}/calendar?from=2026-12-01&to=2027-01-31", "Calendar")
        page.get_by_role("radio", name="List", exact=True).click()
        settle(page)
        calendar_link = page.url

        again = fresh.new_page()
        goto_page(again, sessions_link, "Sessions and export")
        expect(again.get_by_label("Search title, tutor or location")).to_have_value("Excel")
        expect(again.get_by_text(matches)).to_be_visible()

        goto_page(again, calendar_link, "Calendar")
        listed = again.get_by_role("radio", name="List", exact=True)
        expect(listed).to_have_attribute("aria-checked", "true", timeout=TIMEOUT)
        frame = again.frame_locator('iframe[title="streamlit_calendar.calendar"]')
        expect(frame.locator(".fc-list-event").first).to_be_visible(timeout=TIMEOUT)
        in_range = filter_sessions(
            demo_portal().sessions,
            Filters(date_from=date(2026, 12, 1), date_to=date(2027, 1, 31)),
        )
        # every session is listed, a session over several days once on each of its days
        spans = in_range["end_local"].dt.normalize() - in_range["start_local"].dt.normalize()
        rows = len(in_range) + int(spans.dt.days.clip(lower=0).sum())
        expect(frame.locator(".fc-list-event")).to_have_count(rows)
        expect(frame.locator(".fc-list-day").first).to_contain_text("December 2026")

        goto_page(again, tutors_link, "Tutors")
        assert (
            parse_qs(urlsplit(again.url).query)["tutor"]
            == parse_qs(urlsplit(tutors_link).query)["tutor"]
        )
        sidebar = again.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text("Aoife Murphy").first).to_be_visible()
    finally:
        fresh.close()


def drill(page: Page, label: str) -> Locator:
    """The Overview's drill-down link with this label."""
    return page.get_by_test_id("stPageLink").get_by_role("link", name=label)


def card_value(page: Page, label: str) -> str:
    """The value of the card with this label."""
    card = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
    return card.get_by_test_id("stMetricValue").inner_text()


def card_note(page: Page, label: str) -> str:
    """The small note under the card with this label."""
    card = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
    return card.get_by_test_id("stMetricDelta").inner_text()


@pytest.mark.parametrize("sized", ["1024"], indirect=True)
def test_every_card_opens_the_sessions_it_counts(sized: Page, app_url: str):
    """At 1024 px each Overview card's link opens a page that counts the same sessions."""
    page = sized
    goto_page(page, f"{app_url}/?tz=UTC", "ILT sessions overview")
    full, at_risk = card_value(page, "Full"), card_value(page, "At risk (projected)")
    overbooked = card_note(page, "Full").split()[0]
    clashing = card_note(page, "Double-booking pairs").split()[0]
    room_pairs = card_value(page, "Room clashes")
    warnings = card_value(page, "Data-quality warnings")
    links = {}
    for label in (
        "Full sessions",
        "Overbooked sessions",
        "At-risk sessions",
        "Double-bookings",
        "Room clashes",
        "Data-quality warnings",
    ):
        link = drill(page, label)
        expect(link).to_be_visible()
        links[label] = link.get_attribute("href")

    # Each link is clicked, as a user would: the app moves to its page without a reload, with
    # the sidebar still holding the Overview's filters, and the link's own must win. The
    # browser's Back button then returns to the Overview (as it was) for the next card.
    def follow(label: str, heading: str) -> None:
        if label != "Full sessions":
            page.go_back()
            expect(
                page.get_by_role("heading", name="ILT sessions overview", exact=True).first
            ).to_be_visible(timeout=TIMEOUT)
            assert card_value(page, "Full") == full, "Back did not restore the Overview's view"
        drill(page, label).click()
        expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible(
            timeout=TIMEOUT
        )
        page.wait_for_selector(IDLE, timeout=TIMEOUT)
        wait_for_charts(page)
        assert parse_qs(urlsplit(page.url).query) == parse_qs(urlsplit(links[label]).query)

    follow("Full sessions", "Sessions and export")
    assert parse_qs(urlsplit(page.url).query)["status"] == ["full"]
    expect(page.get_by_text(f"{full} sessions in this view.")).to_be_visible()
    follow("Overbooked sessions", "Sessions and export")
    expect(page.get_by_text(re.compile(rf"^{overbooked} sessions? in this view\."))).to_be_visible()
    follow("At-risk sessions", "Fill pace & forecast")
    assert card_value(page, "Projected at risk") == at_risk
    follow("Double-bookings", "Tutors")
    assert card_value(page, "Double-booked sessions") == clashing
    follow("Room clashes", "Tutors")
    expect(
        page.get_by_text(f"{room_pairs} pairs of in-person sessions in one room")
    ).to_be_visible()
    follow("Data-quality warnings", "Data quality")
    counts = next(g for g in grids(page) if g["headers"][:2] == ["Code", "Meaning"])
    assert sum(int(row[-1].replace(",", "")) for row in counts["cells"]) == int(warnings)
