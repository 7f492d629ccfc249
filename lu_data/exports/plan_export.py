"""A plan's proposed sessions as files to act on: CSV (one row per requested session, placed or
not), an Excel workbook and a calendar of the proposals, each titled "Proposed"; merges and a
draft's problems as CSV and Excel."""

from __future__ import annotations

import pandas as pd

from lu_data.exports.csv import to_csv_bytes
from lu_data.exports.ics import sessions_ics
from lu_data.exports.xlsx import workbook_bytes
from lu_data.model.schema import PORTAL_COLUMN
from lu_data.model.timezones import localize
from lu_data.presentation.display_zone import normalise_zone_choice
from lu_data.presentation.session_text import PROPOSED_TITLE
from lu_data.presentation.time_text import iso_local, iso_utc
from lu_data.presentation.zone_names import SESSION_ZONE, UTC_MODE

PLAN_CALENDAR_NAME = "Proposed ILT sessions"
PLAN_CSV_COLUMNS = [
    "action",
    PORTAL_COLUMN,
    "training_id",
    "training_title",
    "start_utc",
    "end_utc",
    "zone",
    "start_local",
    "end_local",
    "tutor_email",
    "tutor_name",
    "location_id",
    "location",
    "capacity",
    "reason",
]
DRAFT_CHECK_COLUMNS = ["row", "training_title", "start_utc", "problem", "clashes_with", "reason"]
MERGE_CSV_COLUMNS = [
    "action",
    PORTAL_COLUMN,
    "from_session_key",
    "from_title",
    "from_start_utc",
    "into_session_key",
    "into_start_utc",
    "learners_moved",
    "into_enrolled_after",
    "into_capacity",
    "days_moved",
    "tutor_hours_freed",
    "reason",
]
PLAN_SHEET_NAMES = ("Proposed sessions", "Not placed")
MERGE_SHEET_NAME, DRAFT_CHECK_SHEET_NAME = "Merges", "Problems"


def plan_csv_frame(rows: pd.DataFrame, tz: str = SESSION_ZONE) -> pd.DataFrame:
    """The plan's rows as exported: ISO 8601 times, UTC and local with its offset; local is
    each session's own zone, or `tz` (utc or an IANA zone) when one is chosen."""
    out = rows.reset_index(drop=True).copy()
    choice = normalise_zone_choice(tz)
    zone = out["zone"].fillna("UTC").astype("str")
    if choice != SESSION_ZONE:
        zone = pd.Series("UTC" if choice == UTC_MODE else choice, index=out.index, dtype="str")
    start_local, start_offset, _ = localize(out["start_utc"], zone)
    end_local, end_offset, _ = localize(out["end_utc"], zone)
    out["start_local"] = iso_local(start_local, start_offset)
    out["end_local"] = iso_local(end_local, end_offset)
    out["start_utc"] = iso_utc(out["start_utc"])
    out["end_utc"] = iso_utc(out["end_utc"])
    return out[PLAN_CSV_COLUMNS]


def plan_csv(rows: pd.DataFrame, tz: str = SESSION_ZONE) -> bytes:
    """The plan as CSV bytes, with every export's rules (UTF-8 with BOM, formula-safe)."""
    return to_csv_bytes(plan_csv_frame(rows, tz))


def plan_workbook(rows: pd.DataFrame) -> bytes:
    """An Excel workbook: the proposed sessions (typed times), then the rows not placed."""
    placed = rows.loc[rows["action"].eq("add").to_numpy()].reset_index(drop=True)
    unplaced = rows.loc[~rows["action"].eq("add").to_numpy()].reset_index(drop=True)
    sheet = placed[PLAN_CSV_COLUMNS].copy()
    for col in ("start_utc", "end_utc"):
        sheet[col] = sheet[col].dt.tz_convert("UTC").dt.tz_localize(None)
    rest = unplaced[["action", PORTAL_COLUMN, "training_id", "training_title", "reason"]]
    return workbook_bytes(dict(zip(PLAN_SHEET_NAMES, (sheet, rest), strict=True)))


def plan_ics(proposals: pd.DataFrame) -> bytes:
    """The proposals (as sessions) as a calendar whose every event is titled "Proposed: …"."""
    titled = proposals.assign(title=PROPOSED_TITLE + proposals["title"].fillna(""))
    return sessions_ics(titled, name=PLAN_CALENDAR_NAME)


def draft_check_frame(problems: pd.DataFrame) -> pd.DataFrame:
    """A draft's problems as exported: `row`, `training_title`, `start_utc` (ISO 8601),
    `problem`, `clashes_with`, `reason`."""
    out = problems.reset_index(drop=True).copy()
    out["start_utc"] = iso_utc(out["start_utc"])
    return out[DRAFT_CHECK_COLUMNS]


def merge_csv_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Merges as exported: one row per candidate, ISO 8601 UTC times."""
    out = rows.reset_index(drop=True).copy()
    for col in ("from_start_utc", "into_start_utc"):
        out[col] = iso_utc(out[col])
    out["tutor_hours_freed"] = out["tutor_hours_freed"].round(2)
    return out[MERGE_CSV_COLUMNS]


def merge_workbook(rows: pd.DataFrame) -> bytes:
    """Merges as an Excel workbook: the `--merge` CSV's columns, times as Excel dates in UTC."""
    sheet = merge_csv_frame(rows)
    for col in ("from_start_utc", "into_start_utc"):
        sheet[col] = rows[col].reset_index(drop=True).dt.tz_convert("UTC").dt.tz_localize(None)
    return workbook_bytes({MERGE_SHEET_NAME: sheet})


def draft_check_workbook(problems: pd.DataFrame) -> bytes:
    """A draft's problems as an Excel workbook: the `--check` CSV's columns, start in UTC."""
    sheet = draft_check_frame(problems)
    start = problems["start_utc"].reset_index(drop=True)
    sheet["start_utc"] = start.dt.tz_convert("UTC").dt.tz_localize(None)
    return workbook_bytes({DRAFT_CHECK_SHEET_NAME: sheet})
