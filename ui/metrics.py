"""Headline numbers as bordered cards that wrap onto more rows instead of truncating."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import streamlit as st

from lu_data.analyses.capacity import NO_LIMIT_LEARNERS, CapacityKpis
from lu_data.core.pages import PAGE_BY_KEY
from lu_data.model.fill_status import percent_text
from ui.sidebar import QP_MULTI, shared_query_params

QP_STATUS = QP_MULTI["filter_statuses"]

# Cards are as wide as their label and value, then share what is left of the row: nine fill two
# rows at 1400 px and three at 1024 px, edge to edge. A fixed width left a third of the row empty
# at 1024 px and pushed the chart below the fold; equal columns cut "1,514,480" to "1,51…".
CARD_WIDTH: int | Literal["stretch"] = "stretch"
# "Learners in no-limit sessions" is too long a label for a card beside four others.
NO_LIMIT_CARD = "No-limit learners"


@dataclass(frozen=True)
class Card:
    """One headline number: its label, the value as shown, help and a small note under it."""

    label: str
    value: str
    help: str | None = None
    note: str | None = None


def render_cards(cards: Sequence[Card], *, width: int | Literal["stretch"] = CARD_WIDTH) -> None:
    """The cards in one wrapping row, each as tall as the tallest of its row."""
    with st.container(horizontal=True, wrap=True):
        for card in cards:
            st.metric(
                card.label,
                card.value,
                delta=card.note,
                delta_color="off",
                delta_arrow="off",
                help=card.help,
                border=True,
                width=width,
                height="stretch",
            )


@dataclass(frozen=True)
class Drill:
    """A link from a card to the sessions it counts: a page key, and fill statuses to filter on.

    The link carries the view's shared filters; statuses replace the status filter.
    """

    label: str
    page: str
    statuses: tuple[str, ...] = ()


def drill_params(drill: Drill) -> dict[str, list[str]]:
    """The query string of a drill-down link: this view's filters, with its statuses."""
    params = shared_query_params()
    if drill.statuses:
        params[QP_STATUS] = list(drill.statuses)
    return params


def render_drills(drills: Sequence[Drill]) -> None:
    """The cards' drill-down links in one wrapping row, each with its page's icon."""
    with st.container(horizontal=True, wrap=True):
        for drill in drills:
            st.page_link(
                PAGE_BY_KEY[drill.page].script,
                label=drill.label,
                icon=PAGE_BY_KEY[drill.page].icon,
                query_params=drill_params(drill),
                width="content",
            )


def seat_cards(kpi: CapacityKpis) -> list[Card]:
    """Seats offered, seats taken, the fill rate and no-limit learners, worded alike everywhere.

    Offered and taken count the same sessions (those with a limit), so the fill rate is the
    one beside it divided by the other.
    """
    fill = percent_text(kpi.fill_rate)
    return [
        Card(
            "Seats offered",
            f"{kpi.seats_offered:,}",
            help="Capacity of sessions that have a limit set",
        ),
        Card(
            "Seats taken",
            f"{kpi.seats_taken:,}",
            help="Learners enrolled in sessions that have a limit set",
        ),
        Card("Fill rate", fill, help="Seats taken ÷ seats offered"),
        Card(
            NO_LIMIT_CARD,
            f"{kpi.no_limit_learners:,}",
            help=f"{NO_LIMIT_LEARNERS}: no capacity set, so left out of seats and fill",
            note=f"{kpi.no_limit_sessions:,} sessions",
        ),
    ]
