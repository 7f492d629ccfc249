"""The dashboard's pages, defined once: key, script, URL path, menu label, icon and who may
open them.

Read by the app's menu and page gate, by links to a view (lu_data.views.links) and by the digest.
"""

from __future__ import annotations

from dataclasses import dataclass

from lu_data.core.roles import ADMIN_ROLES, STAFF_ROLES

APP_TITLE = "ILT sessions"
APP_ICON = ":material/event:"


@dataclass(frozen=True)
class PageEntry:
    """One page: its key, script (the URL is the file name), menu label, material icon and the
    roles that may open it (empty: everyone let in), with why, for anyone else."""

    key: str
    script: str
    label: str
    icon: str
    roles: tuple[str, ...] = ()
    why: str = ""  # ends "The Plan page is for coordinators and admins only: …"

    def open_to(self, role: str) -> bool:
        """True when someone with this role may see the page (and its menu link)."""
        return not self.roles or role in self.roles

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
    PageEntry(
        "plan",
        "pages/plan.py",
        "Plan",
        ":material/edit_calendar:",
        roles=STAFF_ROLES,
        why="it works across every tutor's sessions. The other pages in the menu show the "
        "sessions you teach.",
    ),
    PageEntry("sessions", "pages/sessions.py", "Sessions & export", ":material/table_view:"),
    PageEntry("quality", "pages/quality.py", "Data quality", ":material/fact_check:"),
    PageEntry(
        "audit",
        "pages/audit.py",
        "Audit",
        ":material/policy:",
        roles=ADMIN_ROLES,
        why="it lists who signed in and what each person downloaded. The other pages are in "
        "the menu.",
    ),
)
PAGE_BY_KEY = {page.key: page for page in PAGES}
# page → URL path, e.g. "pace" → "pace"
PAGE_PATHS = {page.key: page.path for page in PAGES}
