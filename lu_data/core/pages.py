"""The dashboard's pages, defined once: key, script, URL path, menu label and icon.

Read by the app's menu, by links to a view (lu_data.views.links) and by the digest.
"""

from __future__ import annotations

from dataclasses import dataclass

APP_TITLE = "ILT sessions"
APP_ICON = ":material/event:"


@dataclass(frozen=True)
class PageEntry:
    """One page: its key, script (the URL is the file name), menu label and material icon."""

    key: str
    script: str
    label: str
    icon: str

    @property
    def path(self) -> str:
        """The URL path under the dashboard's address: "" for the home page, else the file name."""
        if "/" not in self.script:
            return ""
        return self.script.rpartition("/")[2].removesuffix(".py")


PAGES: tuple[PageEntry, ...] = (
    PageEntry("overview", "dashboard.py", "Overview", ":material/dashboard:"),
    PageEntry("capacity", "pages/capacity.py", "Capacity", ":material/event_seat:"),
    PageEntry("calendar", "pages/calendar.py", "Calendar", ":material/calendar_month:"),
    PageEntry("tutors", "pages/tutors.py", "Tutors", ":material/school:"),
    PageEntry("pace", "pages/pace.py", "Fill pace & forecast", ":material/trending_up:"),
    PageEntry("sessions", "pages/sessions.py", "Sessions & export", ":material/table_view:"),
    PageEntry("quality", "pages/quality.py", "Data quality", ":material/fact_check:"),
)
# Pages others link to (the digest links to the Plan page) before their script is in the menu
# above; an entry of the same key in PAGES takes the place of one here.
LINKED_ONLY: tuple[PageEntry, ...] = (
    PageEntry("plan", "pages/plan.py", "Plan", ":material/event_available:"),
)
PAGE_BY_KEY = {page.key: page for page in PAGES}
# page → URL path, e.g. "pace" → "pace"
PAGE_PATHS = {page.key: page.path for page in (*LINKED_ONLY, *PAGES)}
