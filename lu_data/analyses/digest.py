"""The digest: what needs action in the coming days, built from the dashboard's own analyses
so the two always agree (same filters, same day, same counts)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import pandas as pd

from lu_data.analyses.capacity import (
    CapacityKpis,
    at_risk_sessions,
    at_risk_today_text,
    capacity_kpis,
    session_list,
)
from lu_data.analyses.digest_window import DIGEST_DAYS, digest_window
from lu_data.analyses.double_bookings import double_bookings
from lu_data.analyses.filters import Filters, filter_sessions, whole_history
from lu_data.analyses.forecast import projected_at_risk, projected_risk_text
from lu_data.analyses.rooms import room_clashes
from lu_data.analyses.supply_demand import RARELY_FILLS, SELLS_OUT
from lu_data.ingest.zone_checks import UNZONED_CODES
from lu_data.model.fill_status import AT_RISK_BELOW, AT_RISK_DAYS

# Each list: its key (also its link's target), heading, and the words the subject uses.
LIST_AT_RISK = "at_risk"
LIST_OVERBOOKED = "overbooked"
LIST_FULL = "full"
LIST_NO_TUTOR = "no_tutor"
LIST_NO_LOCATION = "no_location"
LIST_DOUBLE = "double_bookings"
LIST_ZONE = "unknown_zone"
LIST_ROOMS = "room_clashes"
SUGGEST_DAYS = 7  # the Suggested section: merges whose candidate starts in the coming week
PAIR_LISTS = (LIST_DOUBLE, LIST_ROOMS)  # lists of overlapping pairs: both sessions, numbered
CANDIDATES = (SELLS_OUT, RARELY_FILLS)  # the supply and demand verdicts a digest names
SUBJECT_LISTS = (
    LIST_AT_RISK,
    LIST_OVERBOOKED,
    LIST_DOUBLE,
    LIST_ROOMS,
    LIST_NO_TUTOR,
    LIST_NO_LOCATION,
)


@dataclass(frozen=True)
class DigestList:
    """One list of sessions that need action: its heading, count and the sessions in it.

    For double-bookings and room clashes (PAIR_LISTS) `count` is pairs and `sessions` holds
    both sessions of each pair, one after the other (`pair` numbers them).
    """

    key: str
    heading: str
    count: int
    sessions: pd.DataFrame
    noun: str  # "at risk", "overbooked", "double-bookings": the subject's words
    note: str = ""


@dataclass(frozen=True)
class Digest:
    """The digest of a window of days: the headline, the lists and the warning count."""

    start: date
    end: date
    today: date
    filters: Filters
    kpis: CapacityKpis
    lists: tuple[DigestList, ...]
    warnings: int
    sessions: pd.DataFrame  # every session in the window (the headline counts these)
    tutor: str = ""  # one tutor's own digest (their email): no source-wide warning count
    # Trainings that sell out early or rarely fill (supply_demand rows), for planning; empty
    # without an enrolment history, and in a tutor's own digest.
    demand: pd.DataFrame | None = None
    # Merges the Plan page suggests (MERGE_DTYPES rows) whose candidate starts in the coming
    # week, soonest first; None where they could not be worked out, and in a tutor's digest.
    suggested: pd.DataFrame | None = None

    @property
    def listed(self) -> pd.DataFrame:
        """Every session some list names, once each, soonest first (the CSV attachment)."""
        frames = [item.sessions for item in self.lists if not item.sessions.empty]
        if not frames:
            return self.sessions.iloc[0:0]
        keys = pd.concat([f["session_key"] for f in frames]).drop_duplicates()
        rows = self.sessions.loc[self.sessions["session_key"].isin(keys)]
        return rows.sort_values(["start_utc", "session_key"], kind="stable")

    def count(self, key: str) -> int:
        """The count of one list (0 when the digest has no such list)."""
        return next((item.count for item in self.lists if item.key == key), 0)


def build_digest(
    sessions: pd.DataFrame,
    warnings: pd.DataFrame,
    filters: Filters,
    today: date,
    projections: pd.DataFrame | None = None,
    threshold: float = AT_RISK_BELOW,
    demand: pd.DataFrame | None = None,
    suggested: pd.DataFrame | None = None,
) -> Digest:
    """The digest of the sessions that pass `filters` (their dates are the window).

    At risk is the dashboard's rule: by projected final fill where enrolment history gives
    projections, otherwise by today's fill of the sessions starting within AT_RISK_DAYS. The
    warning count is the whole source's, as the Overview's card counts it. `demand` is the
    supply_demand table of the filters' trainings: its candidates close the digest.
    `suggested` is the merges of the whole load (MergePlan.merges, worked out by a caller that
    may plan): those whose candidate starts in the coming week and passes the filters' portal,
    training, tutor and location are the Suggested section.
    """
    if filters.date_from is None or filters.date_to is None:
        raise ValueError("a digest needs a window: both dates of its filters")
    window = filter_sessions(sessions, filters)
    lists = [
        _at_risk(window, today, projections, threshold),
        _listed(LIST_OVERBOOKED, "Overbooked", session_list(window, "overbooked"), "overbooked"),
        _listed(LIST_FULL, "Full", session_list(window, "full"), "full"),
        _listed(LIST_NO_TUTOR, "Starting without a tutor", _no_tutor(window), "without a tutor"),
        _listed(
            LIST_NO_LOCATION,
            "In person, without a location",
            _no_location(window),
            "without a location",
        ),
        _pairs(LIST_DOUBLE, "Tutor double-bookings", double_bookings(window), window),
        _pairs(LIST_ROOMS, "Room clashes", room_clashes(window), window, "room clashes"),
        _listed(
            LIST_ZONE,
            "Time zone not recognised (times shown in UTC)",
            _unknown_zone(window, warnings),
            "with an unknown time zone",
        ),
    ]
    return Digest(
        start=filters.date_from,
        end=filters.date_to,
        today=today,
        filters=filters,
        kpis=capacity_kpis(window),
        lists=tuple(lists),
        warnings=len(warnings),
        sessions=window,
        demand=None if demand is None else demand.loc[demand["verdict"].isin(CANDIDATES)],
        suggested=_suggested(sessions, suggested, filters, today),
    )


def digest_filters(filters: Filters, today: date, days: int = DIGEST_DAYS) -> Filters:
    """The filters with their dates replaced by the digest's window."""
    start, end = digest_window(today, days)
    return dataclasses.replace(filters, date_from=start, date_to=end)


def _suggested(
    sessions: pd.DataFrame, merges: pd.DataFrame | None, filters: Filters, today: date
) -> pd.DataFrame | None:
    """The merges whose candidate session starts today or in the next SUGGEST_DAYS-1 days (as
    the filters' zone reads its day) and passes the filters other than dates and status."""
    if merges is None:
        return None
    start, end = digest_window(today, SUGGEST_DAYS)
    week = dataclasses.replace(whole_history(filters), date_from=start, date_to=end)
    keys = filter_sessions(sessions, week)["session_key"]
    rows = merges.loc[merges["from_session_key"].isin(keys).to_numpy()]
    rows = rows.sort_values(["from_start_utc", "from_session_key"], kind="stable")
    return rows.reset_index(drop=True)


def _listed(key: str, heading: str, rows: pd.DataFrame, noun: str, note: str = "") -> DigestList:
    rows = rows.sort_values(["start_utc", "session_key"], kind="stable")
    return DigestList(key, heading, len(rows), rows.reset_index(drop=True), noun, note)


def _at_risk(
    window: pd.DataFrame, today: date, projections: pd.DataFrame | None, threshold: float
) -> DigestList:
    """At risk as the Overview counts it, saying which rule was used."""
    if projections is not None:
        rows = projected_at_risk(window, projections, threshold)
        rule = projected_risk_text(threshold)
        note = "Projected from each training's fill pace (enrolment history)."
    else:
        rows = at_risk_sessions(window, today, AT_RISK_DAYS, threshold)
        rule = at_risk_today_text(threshold)
        note = "By today's fill: there is no enrolment history to project from yet."
    rows = window.loc[window["session_key"].isin(rows["session_key"])]
    item = _listed(LIST_AT_RISK, f"At risk: {rule}", rows, "at risk", note)
    return item


def _no_tutor(window: pd.DataFrame) -> pd.DataFrame:
    """Sessions with no tutor named at all."""
    named = window[["tutor_id", "tutor_name", "tutor_email"]].notna().any(axis=1)
    return window.loc[~named]


def _no_location(window: pd.DataFrame) -> pd.DataFrame:
    """In-person sessions with neither a location nor an address."""
    place = window["location"].fillna("").str.strip().ne("") | window["address_1"].fillna(
        ""
    ).str.strip().ne("")
    return window.loc[~window["is_virtual"].fillna(False).astype(bool) & ~place]


def _unknown_zone(window: pd.DataFrame, warnings: pd.DataFrame) -> pd.DataFrame:
    """Sessions whose time zone was missing or not recognised (their times are UTC)."""
    keys = warnings.loc[warnings["code"].isin(UNZONED_CODES), "session_key"]
    return window.loc[window["session_key"].isin(keys)]


def _pairs(
    key: str, heading: str, pairs: pd.DataFrame, window: pd.DataFrame, noun: str = ""
) -> DigestList:
    """Overlapping pairs (a tutor's, or a room's): both sessions of each pair, pair by pair."""
    rows: list[pd.DataFrame] = []
    by_key = window.set_index("session_key", drop=False)
    for n, (a, b) in enumerate(zip(pairs["session_key_a"], pairs["session_key_b"], strict=True)):
        both = by_key.loc[[a, b]].assign(pair=n + 1)
        rows.append(both)
    sessions = (
        pd.concat(rows, ignore_index=True) if rows else window.iloc[0:0].assign(pair=pd.Series())
    )
    return DigestList(key, heading, len(pairs), sessions, noun or "double-bookings")
