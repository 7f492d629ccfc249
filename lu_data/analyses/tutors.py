"""Tutor analyses: sessions by training, weekly workload, double-bookings as tables, the team."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lu_data.analyses.capacity import WEEK_FREQ
from lu_data.analyses.double_bookings import conflict_counts, double_bookings
from lu_data.model.portals import with_portal_names
from lu_data.model.result_schemas import (
    CLASH_DTYPES,
    CLASH_ROWS_DTYPES,
    DOUBLE_BOOKING_EXPORT_DTYPES,
    TEAM_DTYPES,
    TRAINING_SUMMARY_DTYPES,
    WORKLOAD_DTYPES,
)
from lu_data.model.rollups import NO_TUTOR_KEY, count_tutors, tutor_keys, tutors_frame
from lu_data.model.schema import NO_TUTOR, UNTITLED, empty_frame
from lu_data.model.teaching_time import teaching_days, teaching_hours
from lu_data.model.timezones import localize
from lu_data.presentation.display_zone import SESSION_ZONE, display_times, normalise_zone_choice
from lu_data.presentation.time_text import (
    ISO_MINUTE,
    TIME_OF_DAY,
    iso_local,
    iso_utc,
    zone_text,
    zoned_time_text,
)

ALL_TUTORS = "all"
ALL_TRAININGS = "all"
HEATMAP_MAX_TUTORS = 40
WORKLOAD_COLUMNS = list(WORKLOAD_DTYPES)


@dataclass(frozen=True)
class WorkloadGrid:
    """Tutors × weeks matrices for the heatmap, and how many tutors were left out."""

    hours: pd.DataFrame
    sessions: pd.DataFrame
    hidden_tutors: int
    total_tutors: int


def tutor_labels(sessions: pd.DataFrame) -> pd.Series:
    """Tutor name per tutor key; two tutors sharing a name get their e-mail (or key) added.

    In a view of several portals each name says its portal ("Ann Lee · emea").
    """
    if sessions.empty:
        return pd.Series(dtype="str")
    keys = tutor_keys(sessions)
    people = (
        pd.DataFrame(
            {
                "key": keys.to_numpy(),
                "name": with_portal_names(sessions["tutor_name"].fillna(NO_TUTOR), sessions)
                .mask(keys == NO_TUTOR_KEY, NO_TUTOR)
                .to_numpy(),
                "email": sessions["tutor_email"].to_numpy(),
            }
        )
        .drop_duplicates("key")
        .set_index("key")
    )
    clash = people["name"].duplicated(keep=False)
    extra = people["email"].fillna(pd.Series(people.index, index=people.index))
    labels = people["name"].where(~clash, people["name"] + " (" + extra + ")")
    return labels.astype("str").sort_values(kind="stable")


def sessions_of_tutor(sessions: pd.DataFrame, tutor_key: str | None) -> pd.DataFrame:
    """The sessions taught by one tutor key; None or ALL_TUTORS keeps everyone."""
    if tutor_key is None or tutor_key == ALL_TUTORS:
        return sessions
    return sessions.loc[(tutor_keys(sessions) == tutor_key).to_numpy()]


def span_text(shown: pd.DataFrame) -> pd.Series:
    """display_times rows as one text with the zone, e.g. "2026-12-17 15:30–19:30 GMT (+00:00)"."""
    start, end = shown["start_display"], shown["end_display"]
    same_day = (start.dt.normalize() == end.dt.normalize()).fillna(False)
    end_text = end.dt.strftime(TIME_OF_DAY).where(same_day, end.dt.strftime(ISO_MINUTE))
    zone = zone_text(shown["display_abbr"], shown["display_offset"])
    # An end on the other side of a DST change carries its own offset.
    shifted = (shown["display_end_offset"] != shown["display_offset"]).fillna(False)
    end_text = end_text.where(~shifted, end_text + " (" + shown["display_end_offset"] + ")")
    return (start.dt.strftime(ISO_MINUTE) + "–" + end_text + " " + zone).where(start.notna())


def training_summary(sessions: pd.DataFrame, tz: str = SESSION_ZONE) -> pd.DataFrame:
    """One row per training: sessions, hours, tutors, first and last session in the display zone."""
    if sessions.empty:
        return empty_frame(TRAINING_SUMMARY_DTYPES)
    shown = display_times(sessions, tz)
    when = zoned_time_text(shown["start_display"], shown["display_abbr"], shown["display_offset"])
    s = pd.DataFrame(
        {
            "training_key": sessions["training_key"],
            "title": sessions["title"].fillna(UNTITLED),
            "hours": teaching_hours(sessions),
            "tutor": tutor_keys(sessions),
            "start_utc": sessions["start_utc"],
            "when": when,
        }
    ).sort_values(["start_utc", "title"], kind="stable")
    g = s.groupby("training_key", sort=False)
    out = pd.DataFrame(
        {
            "Training": g["title"].first(),
            "Sessions": g.size(),
            "Teaching hours": g["hours"].sum().round(1),
            "Tutors": g["tutor"].agg(count_tutors),
            "First session": g["when"].first(),
            "Last session": g["when"].last(),
        }
    )
    return out.rename_axis("training_key").reset_index()


def sessions_by_training(sessions: pd.DataFrame, training_key: str | None = None) -> pd.DataFrame:
    """Sessions grouped by training (earliest training first), by start within each training."""
    if training_key is not None and training_key != ALL_TRAININGS:
        sessions = sessions.loc[(sessions["training_key"] == training_key).to_numpy()]
    first = sessions.groupby("training_key", sort=False)["start_utc"].transform("min")
    order = sessions.assign(_first=first).sort_values(
        ["_first", "training_key", "start_utc", "session_key"], kind="stable"
    )
    return order.drop(columns="_first")


def weekly_workload(sessions: pd.DataFrame, tz: str = SESSION_ZONE) -> pd.DataFrame:
    """Sessions and teaching hours per tutor per week (Monday start, display zone)."""
    if sessions.empty:
        return empty_frame(WORKLOAD_DTYPES)
    return weekly_load(sessions, tz, tutor_keys(sessions), tutor_labels(sessions))


def weekly_load(
    sessions: pd.DataFrame, tz: str, keys: pd.Series, labels: pd.Series
) -> pd.DataFrame:
    """Sessions and hours per key (a tutor, a room) per week, Monday start, display zone; the
    `tutor` column holds each key's label from `labels` (indexed by key).

    Each local day a session runs on counts in its own week (model.teaching_time), so a
    session from Sunday to Monday puts each day's hours in its week.
    """
    if sessions.empty:
        return empty_frame(WORKLOAD_DTYPES)
    days = teaching_days(sessions)
    if normalise_zone_choice(tz) == SESSION_ZONE:
        when = days["local_start"]
    else:
        zone = display_times(sessions.head(1), tz)["display_tz"].iloc[0]
        when, _, _ = localize(days["start_utc"], pd.Series(zone, index=days.index), labels=False)
    row = days["session"].to_numpy()
    week = when.dt.to_period(WEEK_FREQ).dt.start_time
    # A session's days are consecutive rows: it counts once in each week it teaches in.
    week_ns = week.to_numpy(dtype="datetime64[us]")
    first_in_week = np.r_[True, (row[1:] != row[:-1]) | (week_ns[1:] != week_ns[:-1])]
    frame = pd.DataFrame(
        {
            "tutor_key": keys.to_numpy()[row],
            "week": week,
            "sessions": first_in_week.astype("int64"),
            "hours": days["hours"],
        }
    )
    out = (
        frame.groupby(["tutor_key", "week"], sort=True)
        .agg(sessions=("sessions", "sum"), hours=("hours", "sum"))
        .reset_index()
    )
    out["tutor"] = out["tutor_key"].map(labels)
    return out[WORKLOAD_COLUMNS]


def workload_grid(weekly: pd.DataFrame, limit: int = HEATMAP_MAX_TUTORS) -> WorkloadGrid:
    """Hours and sessions as tutors × weeks (busiest tutors first, every week in range)."""
    if weekly.empty:
        empty = pd.DataFrame()
        return WorkloadGrid(hours=empty, sessions=empty, hidden_tutors=0, total_tutors=0)
    totals = weekly.groupby("tutor", sort=False)["hours"].sum()
    order = totals.sort_values(ascending=False, kind="stable").index
    kept = order[:limit]
    rows = weekly.loc[weekly["tutor"].isin(kept)]
    # Weeks without sessions stay as columns so a gap in someone's load is visible; the span
    # is the shown tutors' own, not years of other tutors' history.
    weeks = pd.date_range(rows["week"].min(), rows["week"].max(), freq="7D")

    def grid(value: str) -> pd.DataFrame:
        table = rows.pivot_table(index="tutor", columns="week", values=value, aggfunc="sum")
        return table.reindex(index=kept, columns=weeks).fillna(0)

    return WorkloadGrid(
        hours=grid("hours"),
        sessions=grid("sessions").astype("int64"),
        hidden_tutors=len(order) - len(kept),
        total_tutors=len(order),
    )


def team_table(sessions: pd.DataFrame, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tutor × teaching hours × sessions × trainings × conflicts (double-booked sessions)."""
    if sessions.empty:
        return empty_frame(TEAM_DTYPES)
    tutors = tutors_frame(sessions)
    pairs = double_bookings(sessions) if pairs is None else pairs
    conflicts = tutors["tutor_key"].map(conflict_counts(pairs)).fillna(0).astype("int64")
    out = pd.DataFrame(
        {
            "Tutor": tutors["tutor_key"].map(tutor_labels(sessions)),
            "Teaching hours": tutors["teaching_hours"].round(1),
            "Sessions": tutors["sessions"],
            "Trainings": tutors["trainings"],
            "Conflicts": conflicts,
            "Email": tutors["tutor_email"],
        }
    )
    return out.sort_values(
        ["Teaching hours", "Tutor"], ascending=[False, True], kind="stable", ignore_index=True
    )


def times_by_key(sessions: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Display-zone times of each session (presentation.display_zone), indexed by its key."""
    shown = display_times(sessions, tz)
    shown["session_key"] = sessions["session_key"]
    return shown.drop_duplicates("session_key").set_index("session_key")


def double_bookings_table(
    pairs: pd.DataFrame, sessions: pd.DataFrame, tz: str = SESSION_ZONE
) -> pd.DataFrame:
    """Both sessions of each clash with times in the display zone, and the overlap in minutes."""
    if pairs.empty:
        return empty_frame(CLASH_DTYPES)
    times = times_by_key(sessions, tz)
    a = times.reindex(pairs["session_key_a"]).reset_index(drop=True)
    b = times.reindex(pairs["session_key_b"]).reset_index(drop=True)
    p = pairs.reset_index(drop=True)
    return pd.DataFrame(
        {
            "Tutor": p["tutor_name"].fillna(NO_TUTOR),
            "Overlap (min)": p["overlap_minutes"].astype("int64"),
            "Session A": p["title_a"].fillna(UNTITLED),
            "When (A)": span_text(a),
            "Session B": p["title_b"].fillna(UNTITLED),
            "When (B)": span_text(b),
        }
    )


def clash_rows(table: pd.DataFrame) -> pd.DataFrame:
    """A double_bookings_table stacked for a narrow screen: session A then B, one row each.

    Side by side, two titles and two times need twice the width a 1024 px screen leaves beside
    the sidebar; stacked, each clash is two short rows numbered alike.
    """
    if table.empty:
        return empty_frame(CLASH_ROWS_DTYPES)
    clash = pd.Series(np.arange(1, len(table) + 1), dtype="int64")
    return stack_sides(
        [
            pd.DataFrame(
                {
                    "Clash": clash,
                    "When": table[f"When ({side})"].reset_index(drop=True),
                    "Title": table[f"Session {side}"].reset_index(drop=True),
                    "Overlap (min)": table["Overlap (min)"].reset_index(drop=True),
                    "Tutor": table["Tutor"].reset_index(drop=True),
                }
            )
            for side in "AB"
        ]
    )


def stack_sides(sides: list[pd.DataFrame]) -> pd.DataFrame:
    """Each pair's two sides (rows alike in `Clash`) as two consecutive rows, side A first."""
    tagged = [side.assign(_side=order) for order, side in enumerate(sides)]
    stacked = pd.concat(tagged, ignore_index=True).sort_values(["Clash", "_side"], kind="stable")
    return stacked.drop(columns="_side").reset_index(drop=True)


def double_bookings_export(
    pairs: pd.DataFrame, sessions: pd.DataFrame, tz: str = SESSION_ZONE
) -> pd.DataFrame:
    """The clashes for CSV: keys, titles, UTC and display-zone times as ISO 8601, overlap."""
    if pairs.empty:
        return empty_frame(DOUBLE_BOOKING_EXPORT_DTYPES)
    return pairs_with_times(pairs, sessions, tz)[list(DOUBLE_BOOKING_EXPORT_DTYPES)]


def pairs_with_times(pairs: pd.DataFrame, sessions: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Pairs of sessions (…_a, …_b) with both sessions' times as ISO 8601 text: start and end
    in UTC and in the display zone, and the zone; for the CSVs of clashes of any kind."""
    times = times_by_key(sessions, tz)
    out = pairs.reset_index(drop=True).copy()
    for side in ("a", "b"):
        t = times.reindex(out[f"session_key_{side}"]).reset_index(drop=True)
        out[f"start_local_{side}"] = iso_local(t["start_display"], t["display_offset"])
        out[f"end_local_{side}"] = iso_local(t["end_display"], t["display_end_offset"])
        out[f"tz_{side}"] = t["display_tz"]
        for edge in ("start", "end"):
            out[f"{edge}_utc_{side}"] = iso_utc(pairs[f"{edge}_utc_{side}"].reset_index(drop=True))
    return out
