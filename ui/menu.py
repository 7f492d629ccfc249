"""The sidebar menu that links the pages (lu_data.core.pages) and each page's tab title."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from lu_data.core.pages import APP_ICON, APP_TITLE, PAGES
from lu_data.core.roles import ROLE_ADMIN


def set_page(title: str) -> None:
    """The browser tab's title and icon, and the wide layout every page uses."""
    tab = title if APP_TITLE.casefold() in title.casefold() else f"{title} · {APP_TITLE}"
    st.set_page_config(page_title=tab, page_icon=APP_ICON, layout="wide")


def render_menu(
    where: DeltaGenerator, params: dict[str, list[str]] | None = None, role: str = ROLE_ADMIN
) -> None:
    """The menu in `where`, the pages `role` may open; each link carries the shared filters, so a
    new tab shows the view."""
    for page in PAGES:
        if page.open_to(role):
            where.page_link(page.script, label=page.label, icon=page.icon, query_params=params)
