"""A copied link holds the choice just made: the URL is in step on the run a choice started.

One server and one tab walk every page through the menu; after each change the address is
read as soon as that run is over, with nothing else done in between, so a link copied right
then opens the same view.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from lu_data.analyses.filters import preset_range
from lu_data.views.calendar_events import step_day
from tests.support import ANCHOR
from tests.support.browser import TIMEOUT, goto_page, open_from_menu, wait_for_charts
from tests.support.demo import demo_portal

pytestmark = pytest.mark.browser

# Counts the script runs that end from now on (a state change away from "running"), and any
# change of the run state at all: an observer sees a run however short, where polling for the
# "running" state could miss it.
WATCH_RUNS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__luRunsDone = 0;
  window.__luRunSeen = false;
  window.__luRunWatch?.disconnect();
  window.__luRunWatch = new MutationObserver((records) => {
    window.__luRunSeen = true;
    window.__luRunsDone += records.filter((r) => r.oldValue === "running").length;
  });
  window.__luRunWatch.observe(app, {
    attributes: true, attributeOldValue: true, attributeFilter: ["data-test-script-state"],
  });
}"""
RUN_OVER = """() => window.__luRunsDone > 0 && document.querySelector('[data-testid="stApp"]')
  .getAttribute("data-test-script-state") === "notRunning\""""
RUN_SEEN = "() => window.__luRunSeen"
# How long a click that changed nothing (its radio still unchecked, no run) is given before it
# is taken as lost and made once more: the frontend checks a radio at once, even when loaded.
LOST_CLICK_AFTER = 10_000  # ms
PIVOT_TABLES = "Excel for Finance: Pivot Tables"  # a demo training with sessions in the view
TUTOR = "Aoife Murphy"


@dataclass
class Walk:
    """One tab going through the choices; what the URL missed is kept, to report it all."""

    page: Page
    late: list[str] = field(default_factory=list)

    def change(
        self,
        what: str,
        action: Callable[[], object],
        want: Mapping[str, str | None],
        checks: Locator | None = None,
    ) -> dict[str, str]:
        """Make one change on a settled page, read the URL the moment its run is over and
        compare with `want` (None: not in the URL). Returns the URL's parameters.

        `checks`: the radio the action checks. A click that left it unchecked and started no
        run landed elsewhere (the page moved under it while laying out) and is made once more;
        clicking a radio is the same choice however often it is made, and a click that did
        start a run is never repeated, so the URL is still read on the run the choice started.
        """
        wait_for_charts(self.page)  # a click lands where the radio is once nothing moves
        self.page.evaluate(WATCH_RUNS)
        action()
        if checks is not None and not self.run_seen() and not checks.is_checked():
            wait_for_charts(self.page)
            action()
        try:
            self.page.wait_for_function(RUN_OVER, timeout=TIMEOUT)
        except PlaywrightTimeout as exc:
            raise AssertionError(f"{what}: the change started no run") from exc
        # The document's own address, as the address bar shows it, with nothing done since.
        query = parse_qs(urlsplit(self.page.evaluate("location.href")).query)
        params = {k: v[-1] for k, v in query.items()}
        for name, value in want.items():
            if params.get(name) != value:
                self.late.append(f"{what}: {name}={params.get(name)!r}, want {value!r}")
        return params

    def choose(self, what: str, radio: Locator, want: Mapping[str, str | None]) -> None:
        """Click a radio (or segment) as one change; see change."""
        self.change(what, radio.click, want, checks=radio)

    def run_seen(self) -> bool:
        """Whether a run started or ended since the watch began, waiting for one a while."""
        try:
            self.page.wait_for_function(RUN_SEEN, timeout=LOST_CLICK_AFTER)
        except PlaywrightTimeout:
            return False
        return True


def pick(page: Page, box: Locator, option: str | int) -> None:
    """Choose in a selectbox: the option of that label, or the one at that position."""
    # A list closes when the page scrolls under it: scroll first (charts drawn late move the
    # page too), then open it.
    wait_for_charts(page)
    box.scroll_into_view_if_needed()
    box.click()
    listbox = page.get_by_role("listbox")
    if isinstance(option, str):
        box.fill(option)  # narrows a long list to the option, so it is drawn
        listbox.get_by_role("option", name=option, exact=True).click()
    else:
        listbox.get_by_role("option").nth(option).click()


def pace_key(label: str) -> set[str]:
    """The demo sessions behind a Fill pace picker label ("27 Nov 2026 11:00 · Title")."""
    start, _, title = label.partition(" · ")
    sessions = demo_portal().sessions
    shown = sessions["start_local"].dt.strftime("%d %b %Y %H:%M")
    return set(sessions.loc[(sessions["title"] == title) & (shown == start), "session_key"])


def test_each_choice_is_in_the_url_on_the_run_that_made_it(page: Page, app_url: str):
    """The search, every page choice and the sidebar filters are in the URL as soon as the run
    they started is over, and a choice back to its default leaves it."""
    walk = Walk(page)
    main = page.get_by_test_id("stMain")
    sidebar = page.get_by_test_id("stSidebar")

    def radio(name: str | re.Pattern[str]) -> Locator:
        return main.get_by_role("radio", name=name, exact=True)

    def search(text: str) -> Callable[[], None]:
        def enter() -> None:
            box = main.get_by_label("Search title, tutor or location")
            box.fill(text)
            box.press("Enter")

        return enter

    goto_page(page, f"{app_url}/sessions", "Sessions and export")
    walk.change("search", search("Excel"), {"q": "Excel"})
    walk.change("search cleared", search(""), {"q": None})

    open_from_menu(page, "Capacity", "Capacity")
    walk.choose("roll-up", radio("Location"), {"rollup": "location"})
    walk.choose("session list", radio(re.compile(r"^Overbooked \(")), {"list": "overbooked"})

    open_from_menu(page, "Calendar", "Calendar")
    walk.choose("calendar view", radio("Week"), {"view": "timeGridWeek"})
    next_week = step_day("timeGridWeek", ANCHOR, 1).isoformat()
    walk.change("calendar day", main.get_by_role("button", name="Next").click, {"date": next_week})
    walk.choose("timeline rows", radio("Tutor"), {"timeline": "tutor"})

    open_from_menu(page, "Fill pace & forecast", "Fill pace & forecast")
    slider = main.get_by_role("slider").first
    walk.change("at-risk threshold", lambda: slider.press("ArrowLeft"), {"threshold": "0.45"})
    box = main.get_by_role("combobox", name="Session")
    params = walk.change("pace session", lambda: pick(page, box, 1), {})
    keys = pace_key(box.input_value())
    assert keys, f"no demo session is labelled {box.input_value()!r}"
    if params.get("session") not in keys:
        walk.late.append(f"pace session: session={params.get('session')!r}, want one of {keys}")

    open_from_menu(page, "Tutors", "Tutors")
    demo = demo_portal()
    training = demo.trainings.set_index("title").loc[PIVOT_TABLES, "training_key"]
    box = main.get_by_role("combobox", name="Show the sessions of")
    walk.change(
        "tutor's training", lambda: pick(page, box, PIVOT_TABLES), {"sessions_of": training}
    )
    tutor = demo.tutors.set_index("tutor_name").loc[TUTOR, "tutor_key"]
    box = main.get_by_role("combobox", name="Tutor")
    walk.change(
        "tutor, the sidebar's Tutor filter", lambda: pick(page, box, TUTOR), {"tutor": tutor}
    )

    zone = sidebar.get_by_text("A zone I pick", exact=True)
    walk.change(
        "display zone",
        zone.click,
        {"tz": "Europe/Dublin"},
        checks=sidebar.get_by_role("radio", name="A zone I pick", exact=True),
    )
    first, last = preset_range("this_month", ANCHOR)
    preset = sidebar.get_by_text("This month", exact=True)
    walk.change("date preset", preset.click, {"from": first.isoformat(), "to": last.isoformat()})

    assert not walk.late, "a copied link would miss the choice just made:\n" + "\n".join(walk.late)
