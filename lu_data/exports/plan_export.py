"""A plan's proposed sessions as files to act on: CSV (one row per requested session, placed or
not), an Excel workbook and a calendar of the proposals, each titled "Proposed"."""

from __future__ import annotations

import pandas as pd

from lu_data.exports.csv import to_csv_bytes
from lu_data.exports.ics import sessions_ics
from lu_data.exports.xlsx import workbook_bytes
from lu_data.model.schema import PORTAL_COLUMN
from lu_data.model.timezones import localize
from lu_data.presentation.session_text import PROPOSED_TITLE
from lu_data.presentation.time_text import iso_local, iso_utc

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
PLAN_SHEET_NAMES = ("Proposed sessions", "Not placed")


def plan_csv_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The plan's rows as exported: ISO 8601 times (UTC with Z, local with the zone's offset)."""
    out = rows.reset_index(drop=True).copy()
    zone = out["zone"].fillna("UTC").astype("str")
    _, start_offset, _ = localize(out["start_utc"], zone)
    _, end_offset, _ = localize(out["end_utc"], zone)
    out["start_local"] = iso_local(out["start_local"], start_offset)
    out["end_local"] = iso_local(out["end_local"], end_offset)
    out["start_utc"] = iso_utc(out["start_utc"])
    out["end_utc"] = iso_utc(out["end_utc"])
    return out[PLAN_CSV_COLUMNS]


def plan_csv(rows: pd.DataFrame) -> bytes:
    """The plan as CSV bytes, with every export's rules (UTF-8 with BOM, formula-safe)."""
    return to_csv_bytes(plan_csv_frame(rows))


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
