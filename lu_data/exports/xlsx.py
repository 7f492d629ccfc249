"""Excel (.xlsx) exports: typed cells, frozen filtered headers, formula-safe text."""

from __future__ import annotations

import io
import re
from typing import cast

import numpy as np
import pandas as pd
import xlsxwriter

from lu_data.exports.csv import FORMULA_PREFIXES
from lu_data.exports.session_frame import SESSION_EXPORT_COLUMNS, session_export_frame
from lu_data.model.rollups import trainings_frame, tutors_frame
from lu_data.presentation.display_zone import SESSION_ZONE

EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # day 0 of Excel's 1900 date system (as used today)
EXCEL_MAX_ROWS = 1_048_576
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = r"[\[\]:*?/\\]"
DATE_FORMAT = "yyyy-mm-dd hh:mm"
INTEGER_FORMAT = "0"
DECIMAL_FORMAT = "0.00"
PERCENT_FORMAT = "0.0%"
# Columns holding 0..1 ratios are shown as percentages.
PERCENT_COLUMNS = frozenset({"fill_rate"})
MIN_WIDTH, MAX_WIDTH, DATE_WIDTH = 6, 60, 17
WORKBOOK_OPTIONS = {
    # Rows go straight to disk as they are written: memory stays flat at 100,000 rows.
    "constant_memory": True,
    # Every cell is written with an explicit type; never let text turn into a formula or link.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
SESSION_SHEET_NAMES = ("Sessions", "Trainings", "Tutors")
# The sessions sheet: the CSV's columns, plus the end's own offset (a session can span a DST
# change), with updated_at named for its zone because an Excel date carries none.
XLSX_SESSION_COLUMNS = [
    *SESSION_EXPORT_COLUMNS[: SESSION_EXPORT_COLUMNS.index("utc_offset") + 1],
    "end_utc_offset",
    *SESSION_EXPORT_COLUMNS[SESSION_EXPORT_COLUMNS.index("utc_offset") + 1 :],
]
XLSX_SESSION_COLUMNS[XLSX_SESSION_COLUMNS.index("updated_at")] = "updated_at_utc"


def sessions_workbook(sessions: pd.DataFrame, tz: str | None = SESSION_ZONE) -> bytes:
    """A workbook with Sessions, Trainings and Tutors sheets of a sessions view."""
    sheets = dict(
        zip(
            SESSION_SHEET_NAMES,
            (sessions_sheet(sessions, tz), trainings_frame(sessions), tutors_frame(sessions)),
            strict=True,
        )
    )
    return workbook_bytes(sheets)


def sessions_sheet(sessions: pd.DataFrame, tz: str | None = SESSION_ZONE) -> pd.DataFrame:
    """The sessions view, typed: naive UTC and display-zone datetimes, the zone as text."""
    # Excel dates carry no zone: local columns are wall clock in the chosen zone, named beside.
    out = session_export_frame(sessions, tz).rename(columns={"updated_at": "updated_at_utc"})
    for col in ("start_utc", "end_utc", "updated_at_utc"):
        out[col] = out[col].dt.tz_convert("UTC").dt.tz_localize(None)
    return out[XLSX_SESSION_COLUMNS].reset_index(drop=True)


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook, one sheet per frame: typed cells, frozen filtered header row."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    formats = {
        "header": workbook.add_format({"bold": True, "bottom": 1}),
        "date": workbook.add_format({"num_format": DATE_FORMAT}),
        "integer": workbook.add_format({"num_format": INTEGER_FORMAT}),
        "decimal": workbook.add_format({"num_format": DECIMAL_FORMAT}),
        "percent": workbook.add_format({"num_format": PERCENT_FORMAT}),
        # Excel keeps a quote-prefixed cell as text even after the user edits it.
        "quoted": workbook.add_format({"quote_prefix": True}),
    }
    used: set[str] = set()
    for name, frame in sheets.items():
        _write_sheet(workbook, sheet_name(name, used), frame, formats)
    workbook.close()
    return buffer.getvalue()


def sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, at most 31 characters; records it in used."""
    base = re.sub(SHEET_NAME_FORBIDDEN, "_", str(name)).strip("'") or "Sheet"
    base = base[:SHEET_NAME_MAX]
    candidate, n = base, 1
    while candidate.casefold() in used:  # Excel compares sheet names case-insensitively
        n += 1
        suffix = f" ({n})"
        candidate = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    used.add(candidate.casefold())
    return candidate


def excel_serials(values: pd.Series) -> np.ndarray:
    """Datetimes as Excel serial day numbers (tz-aware ones in UTC); NaN where missing."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    days = (values - EXCEL_EPOCH) / pd.Timedelta(days=1)
    return days.to_numpy(dtype="float64", na_value=np.nan)


def formula_like(text: pd.Series) -> pd.Series:
    """True for text that Excel would read as a formula if typed in (starts with = + - @ tab CR)."""
    return text.str.startswith(FORMULA_PREFIXES).fillna(False).astype(bool)


def _write_sheet(
    workbook: xlsxwriter.Workbook, name: str, frame: pd.DataFrame, formats: dict
) -> None:
    """Write one frame: header row, then rows in order (constant-memory mode needs row order)."""
    if len(frame) + 1 > EXCEL_MAX_ROWS:
        raise ValueError(f"sheet '{name}' has {len(frame):,} rows: more than Excel can hold")
    sheet = workbook.add_worksheet(name)
    writers = {
        "number": sheet.write_number,
        "boolean": sheet.write_boolean,
        "string": sheet.write_string,
    }
    columns = []
    for c, col in enumerate(frame.columns):
        kind, values, fmts = _column_cells(frame[col], str(col), formats)
        columns.append((writers[kind], values, fmts))
        sheet.set_column(c, c, _width(str(col), frame[col]))
    sheet.write_row(0, 0, [str(col) for col in frame.columns], formats["header"])
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(frame), max(len(frame.columns) - 1, 0))
    # Values are plain Python lists with one typed writer per column, so the per-cell loop
    # only skips blanks: it is the bulk of the time on 100,000 rows.
    for r in range(len(frame)):
        for c, (write, values, fmts) in enumerate(columns):
            value = values[r]
            if value is not None:
                write(r + 1, c, value, fmts[r])


def _column_cells(values: pd.Series, col: str, formats: dict) -> tuple[str, list, list]:
    """(writer kind, values with None for blanks, a format per row) for one column."""
    n = len(values)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return "number", _list(excel_serials(values)), [formats["date"]] * n
    if pd.api.types.is_bool_dtype(values.dtype):
        flags = values.astype("boolean").astype(object).where(values.notna(), None)
        return "boolean", [None if v is None else bool(v) for v in flags.tolist()], [None] * n
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        if col in PERCENT_COLUMNS:
            fmt = formats["percent"]
        elif pd.api.types.is_integer_dtype(values.dtype):
            fmt = formats["integer"]
        else:
            fmt = formats["decimal"]
        return "number", _list(numbers), [fmt] * n
    text = values.astype("str")
    present = (text.notna() & (text != "")).astype(bool)
    items = text.astype(object).where(present, None).tolist()
    risky = (formula_like(text) & present).to_numpy()
    # cast: numpy's stubs have no where(cond, x, y) overload that takes None for y
    fmts = cast("np.ndarray", np.where(risky, formats["quoted"], None)).tolist()
    return "string", items, fmts


def _list(numbers: np.ndarray) -> list:
    """Floats as a list with None for NaN and infinities (blank cells: xlsx has no inf)."""
    finite = np.where(np.isfinite(numbers), numbers, np.nan)
    return [None if v != v else v for v in finite.tolist()]


def _width(header: str, values: pd.Series) -> float:
    """A column width from the header and the longest value, within sensible bounds."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        longest = DATE_WIDTH
    elif values.empty:
        longest = 0
    else:
        longest = int(values.astype("str").str.len().fillna(0).max())
    return float(min(max(len(header) + 2, longest + 1, MIN_WIDTH), MAX_WIDTH))
