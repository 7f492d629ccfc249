"""The shared filters: what a user picked, applied to a sessions frame and said in words."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from lu_data.model.rollups import count_tutors, tutor_keys
from lu_data.model.schema import PORTAL_COLUMN
from lu_data.presentation.display_zone import SESSION_ZONE, display_times, zone_label
from lu_data.presentation.session_text import location_labels
from lu_data.presentation.time_text import date_text

DEFAULT_WEEKS_AHEAD = 8
SEARCH_COLUMNS = ("title", "tutor_name", "location")  # what the Sessions search looks in


@dataclass(frozen=True)
class Filters:
    """What the user picked in the shared sidebar; empty tuples mean "all"."""

    date_from: date | None = None
    date_to: date | None = None
    portals: tuple[str, ...] = ()
    trainings: tuple[str, ...] = ()
    tutors: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    tz: str = SESSION_ZONE
    extra: dict[str, str] = field(default_factory=dict)


def default_range(today: date, weeks: int = DEFAULT_WEEKS_AHEAD) -> tuple[date, date]:
    """From today for the next `weeks` weeks."""
    return today, today + timedelta(weeks=weeks)


# Date presets beside the date input: name → label. Each is a whole-day range (both ends kept).
DATE_PRESETS: dict[str, str] = {
    "next_2_weeks": "Next 2 weeks",
    "this_month": "This month",
    "next_quarter": "Next quarter",
    "last_30_days": "Last 30 days",
}
DATE_PRESETS_HELP = (
    "Next 2 weeks: today and the 13 days after. This month: its first to its last day. "
    "Next quarter: the next calendar quarter (Jan–Mar, Apr–Jun, Jul–Sep or Oct–Dec). "
    "Last 30 days: today and the 29 days before."
)


def preset_range(name: str, today: date) -> tuple[date, date]:
    """The first and last day of a date preset, seen from `today`.

    27 Nov 2026: next 2 weeks 27 Nov – 10 Dec, this month 1 – 30 Nov, next quarter
    1 Jan – 31 Mar 2027, last 30 days 29 Oct – 27 Nov. KeyError for an unknown name.
    """
    if name == "next_2_weeks":
        return today, today + timedelta(days=13)
    if name == "this_month":
        return today.replace(day=1), _month_end(today.year, today.month)
    if name == "next_quarter":
        month = (today.month - 1) // 3 * 3 + 4  # first month of the next quarter, maybe 13
        year = today.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        return date(year, month, 1), _month_end(year, month + 2)
    if name == "last_30_days":
        return today - timedelta(days=29), today
    raise KeyError(name)


def _month_end(year: int, month: int) -> date:
    """The last day of a month."""
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def whole_history(f: Filters) -> Filters:
    """The filters without dates or statuses: what a training-level history looks at."""
    return replace(f, date_from=None, date_to=None, statuses=())


def search_sessions(sessions: pd.DataFrame, text: str) -> pd.DataFrame:
    """Sessions whose title, tutor or location contains text (any case, literal: no regex).

    Blank text (or only spaces) keeps every session.
    """
    needle = text.strip()
    if not needle:
        return sessions
    hit = np.zeros(len(sessions), dtype=bool)
    for col in SEARCH_COLUMNS:
        found = sessions[col].str.contains(needle, case=False, regex=False)
        hit |= found.fillna(False).to_numpy(dtype=bool)
    return sessions.loc[hit]


def filter_sessions(sessions: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Sessions matching the filters; dates compare against the start in the display zone."""
    keep = np.ones(len(sessions), dtype=bool)
    if f.date_from is not None or f.date_to is not None:
        day = display_times(sessions, f.tz)["start_display"].dt.normalize()
        if f.date_from is not None:
            keep &= (day >= pd.Timestamp(f.date_from)).fillna(False).to_numpy()
        if f.date_to is not None:
            keep &= (day <= pd.Timestamp(f.date_to)).fillna(False).to_numpy()
    if f.portals:
        keep &= sessions[PORTAL_COLUMN].isin(f.portals).to_numpy()
    if f.trainings:
        keep &= sessions["training_key"].isin(f.trainings).to_numpy()
    if f.tutors:
        keep &= tutor_keys(sessions).isin(f.tutors).to_numpy()
    if f.locations:
        keep &= location_labels(sessions).isin(f.locations).to_numpy()
    if f.kinds:
        keep &= sessions["module_kind"].astype("str").isin(f.kinds).to_numpy()
    if f.statuses:
        keep &= sessions["status"].astype("str").isin(f.statuses).to_numpy()
    return sessions.loc[keep]


def describe_view(sessions: pd.DataFrame, f: Filters) -> str:
    """One sentence saying what is shown, e.g. "214 sessions · 3 tutors · 1 Dec 2026 – ...".

    A Portal filter is named too: "… · 3 tutors · portal emea · 1 Dec 2026 – …".
    """
    n = len(sessions)
    tutors = count_tutors(tutor_keys(sessions)) if n else 0
    parts = [
        f"{n:,} session{'s' if n != 1 else ''}",
        f"{tutors:,} tutor{'s' if tutors != 1 else ''}",
    ]
    if f.portals:
        portals = sorted(f.portals)
        parts.append(f"portal{'s' if len(portals) != 1 else ''} {', '.join(portals)}")
    if f.date_from or f.date_to:
        start = _day(f.date_from) if f.date_from else "…"
        end = _day(f.date_to) if f.date_to else "…"
        parts.append(f"{start} – {end}")
    parts.append(f"times in {zone_label(f.tz)}")
    return " · ".join(parts)


def _day(d: date) -> str:
    return date_text(d, weekday=False)
