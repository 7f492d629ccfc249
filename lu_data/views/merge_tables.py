"""What the Plan page shows of a merge plan and of a draft check: the merges and kept
candidates as a coordinator reads them, their totals, the notes the calendar puts on the
sessions freed and joined, the sessions it draws, and a draft's problems and unreadable rows.

Merge plans are MERGE_DTYPES rows and checks DRAFT_CHECK_DTYPES rows: the planning layer makes
them, and this layer only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from lu_data.model.schema import NO_TUTOR, UNTITLED
from lu_data.model.timezones import as_utc
from lu_data.presentation.time_text import ISO_MINUTE, UTC_ABBR
from lu_data.views.plan_tables import VIRTUAL_ROOM, plan_calendar_sessions

MERGE, KEEP = "merge", "keep"  # the merge plan's actions (lu_data.planning.merges)
ACTION_LABELS = {MERGE: "Merge", KEEP: "Keep"}
BAD_ROW = "bad_row"
PROBLEM_LABELS = {
    "tutor_double_booking": "Tutor double-booking",
    "two_locations_one_day": "Two locations one day",
    "room_clash": "Room clash",
    "outside_hours": "Outside working hours",
    "zone_warning": "Zone warning",
    "room_capacity": "More seats than the room held",
    "unknown_training": "Unknown training (warning)",
    "tutor_never_taught": "Tutor never taught it (warning)",
    BAD_ROW: "Row not read",
}
NOTE_DAY = "%a %d %b %H:%M"  # "Mon 30 Nov 09:30"


@dataclass(frozen=True)
class MergeTotals:
    """What a merge plan frees, and what stays on offer."""

    candidates: int
    sessions_freed: int
    tutor_hours_freed: float
    learners_moved: int
    seats_before: int
    seats_still_offered: int


def horizon_seats(sessions: pd.DataFrame, now: datetime | pd.Timestamp, horizon_days: int) -> int:
    """Seats offered by the sessions with a seat limit that start within the horizon."""
    when = as_utc(now)
    start = sessions["start_utc"]
    soon = ((start > when) & (start <= when + pd.Timedelta(days=horizon_days))).fillna(False)
    seats = sessions["max_capacity"].where(sessions["max_capacity"].gt(0).fillna(False))
    return int(seats.loc[soon.to_numpy()].fillna(0).sum())


def merge_totals(rows: pd.DataFrame, seats_before: int) -> MergeTotals:
    """Sessions and tutor hours freed, learners moved and seats still offered by a merge plan."""
    merged = rows.loc[rows["action"].eq(MERGE).to_numpy()]
    return MergeTotals(
        candidates=len(rows),
        sessions_freed=len(merged),
        tutor_hours_freed=float(merged["tutor_hours_freed"].fillna(0).sum()),
        learners_moved=int(merged["learners_moved"].fillna(0).sum()),
        seats_before=seats_before,
        seats_still_offered=seats_before - int(merged["from_capacity"].fillna(0).sum()),
    )


def merge_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Every candidate of a merge plan, row for row: from and into (titles, starts in their
    own zones), learners moved, the target's enrolment, capacity and fill after, days moved,
    the tutor hours, tutor and room freed, and why (or why it stays)."""
    merged = rows["action"].eq(MERGE).to_numpy()
    blank = pd.Series("", index=rows.index, dtype="str")
    room = rows["room_freed"].fillna(VIRTUAL_ROOM).astype("str").where(merged, blank)
    table = pd.DataFrame(
        {
            "Action": rows["action"].map(ACTION_LABELS).fillna(rows["action"]).astype("str"),
            "From": rows["from_title"].fillna(UNTITLED).astype("str"),
            "From start": _local_text(rows["from_start_local"]),
            "From zone": rows["from_zone"].fillna("").astype("str"),
            "Enrolled": rows["from_enrolled"].astype("Int64"),
            "Into": rows["into_title"].fillna("").astype("str"),
            # Text, so a kept session shows no target start rather than "None".
            "Into start": _local_text(rows["into_start_local"]),
            "Into zone": rows["into_zone"].fillna("").astype("str"),
            "Learners moved": rows["learners_moved"].astype("Int64"),
            "Enrolled after": rows["into_enrolled_after"].astype("Int64"),
            "Capacity": rows["into_capacity"].astype("Int64"),
            "Fill after": rows["into_fill_after"].astype("Float64"),
            "Days moved": rows["days_moved"].astype("Int64"),
            "Tutor hours freed": rows["tutor_hours_freed"].astype("Float64"),
            "Tutor freed": rows["tutor_freed"].fillna(NO_TUTOR).astype("str").where(merged, blank),
            "Room freed": room,
            "Reason": rows["reason"].fillna("").astype("str"),
        }
    )
    return table.reset_index(drop=True)


def merge_notes(rows: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """The calendar's notes: each freed session's "Merge into Mon 30 Nov 09:30 (zone): ", and
    each target's "+3 learners from Tue 01 Dec, Thu 03 Dec: " (every merge into it)."""
    merged = rows.loc[rows["action"].eq(MERGE).to_numpy()]
    freed: dict[str, str] = {}
    joined: dict[str, list[tuple[int, str]]] = {}
    for row in merged.to_dict("records"):
        zone = row["into_zone"] if isinstance(row["into_zone"], str) else "UTC"
        freed[str(row["from_session_key"])] = (
            f"Merge into {pd.Timestamp(row['into_start_local']):{NOTE_DAY}} ({zone}): "
        )
        moved = row["learners_moved"]
        learners = 0 if moved is None or pd.isna(moved) else int(moved)
        when = f"{pd.Timestamp(row['from_start_local']):%a %d %b}"
        joined.setdefault(str(row["into_session_key"]), []).append((learners, when))
    notes = {}
    for key, merges in joined.items():
        n = sum(learners for learners, _ in merges)
        days = ", ".join(when for _, when in merges)
        notes[key] = f"+{n} learner{'s' if n != 1 else ''} from {days}: "
    return freed, notes


def merge_calendar_sessions(
    existing: pd.DataFrame, involved: pd.DataFrame, limit: int
) -> tuple[pd.DataFrame, int]:
    """The sessions a merge plan's calendar draws, at most `limit`: every session freed or
    joined, then the existing ones around them (those sharing a tutor, training or room
    first when they are too many). Returns them and how many existing ones were left out."""
    others = existing.loc[~existing["session_key"].isin(involved["session_key"]).to_numpy()]
    return plan_calendar_sessions(others, involved, limit)


def merge_summary(totals: MergeTotals) -> str:
    """ "2 of 5 under-filled sessions merge, freeing 14 tutor hours", for the page's caption."""
    n = totals.candidates
    return (
        f"{totals.sessions_freed} of {n} under-filled session{'s' if n != 1 else ''} "
        f"merge{'s' if n == 1 else ''}, freeing {totals.tutor_hours_freed:g} tutor hours"
    )


def problem_table(problems: pd.DataFrame) -> pd.DataFrame:
    """A draft's problems as a coordinator reads them: the file's row, training, start (UTC),
    the problem in words, the session it clashes with, and why."""
    return pd.DataFrame(
        {
            "Row": problems["row"].astype("int64"),
            "Training": problems["training_title"].fillna("").astype("str"),
            # Text, so a row that could not be read shows no start rather than "None".
            "Start (UTC)": _utc_text(problems["start_utc"]),
            "Problem": problems["problem"].map(PROBLEM_LABELS).fillna(problems["problem"]),
            "Clashes with": problems["clashes_with"].fillna("").astype("str"),
            "Reason": problems["reason"].fillna("").astype("str"),
        }
    ).reset_index(drop=True)


def bad_row_lines(problems: pd.DataFrame) -> list[str]:
    """One plain line per row of the file that could not be read: "Row 4: why".

    Each line is put on one line, so no cell of the file can pass for a line of its own.
    """
    bad = problems.loc[problems["problem"].eq(BAD_ROW).to_numpy()]
    return [
        f"Row {row}: {' '.join(str(reason).split())}"
        for row, reason in zip(bad["row"], bad["reason"], strict=True)
    ]


def problem_counts(problems: pd.DataFrame) -> dict[str, int]:
    """How many problems a check found, and how many of them are unreadable rows."""
    bad = int(np.sum(problems["problem"].eq(BAD_ROW).to_numpy()))
    return {"problems": len(problems), "bad_rows": bad}


def _utc_text(values: pd.Series) -> pd.Series:
    """ "2026-12-07 16:00 UTC", or "" where there is no time."""
    text = values.dt.tz_convert("UTC").dt.strftime(f"{ISO_MINUTE} {UTC_ABBR}")
    return text.fillna("").astype("str")


def _local_text(values: pd.Series) -> pd.Series:
    """A wall-clock time as "2026-12-07 09:00", or "" where there is none."""
    return values.dt.strftime(ISO_MINUTE).fillna("").astype("str")
