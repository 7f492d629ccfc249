"""The app's pages and the sidebar menu that links them (Streamlit's folder mode, own labels)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

APP_TITLE = "ILT sessions"
APP_ICON = ":material/event:"


@dataclass(frozen=True)
class PageEntry:
    """One page: its script (the URL is the file name), menu label and material icon."""

    script: str
    label: str
    icon: str


PAGES: tuple[PageEntry, ...] = (
    PageEntry("dashboard.py", "Overview", ":material/dashboard:"),
    PageEntry("pages/capacity.py", "Capacity", ":material/event_seat:"),
    PageEntry("pages/calendar.py", "Calendar", ":material/calendar_month:"),
    PageEntry("pages/tutors.py", "Tutors", ":material/school:"),
    PageEntry("pages/pace.py", "Fill pace & forecast", ":material/trending_up:"),
    PageEntry("pages/sessions.py", "Sessions & export", ":material/table_view:"),
    PageEntry("pages/quality.py", "Data quality", ":material/fact_check:"),
)


def set_page(title: str) -> None:
    """The browser tab's title and icon, and the wide layout every page uses."""
    tab = title if APP_TITLE.casefold() in title.casefold() else f"{title} · {APP_TITLE}"
    st.set_page_config(page_title=tab, page_icon=APP_ICON, layout="wide")


def render_menu(where: DeltaGenerator, params: dict[str, list[str]] | None = None) -> None:
    """The menu in `where`; each link carries the shared filters, so a new tab shows the view."""
    for page in PAGES:
        where.page_link(page.script, label=page.label, icon=page.icon, query_params=params)
