"""CSV exports of sessions, trainings, tutors, double-bookings and room clashes: ISO 8601,
Excel-safe UTF-8."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import infer_dtype

from lu_data.analyses.double_bookings import double_bookings
from lu_data.analyses.rooms import room_clashes, room_clashes_export
from lu_data.analyses.tutors import double_bookings_export
from lu_data.exports.session_frame import SESSION_EXPORT_COLUMNS, session_export_frame
from lu_data.exports.view_names import EXPORT_VIEWS
from lu_data.model.rollups import trainings_frame, tutors_frame
from lu_data.presentation.display_zone import SESSION_ZONE
from lu_data.presentation.time_text import iso_local, iso_utc

# Excel runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SAFE_NUMERIC = r"[+-]?[0-9][0-9.:,eE]*"
CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read UTF-8 (accents, emoji) correctly
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
CSV_QUOTED = (",", '"', "\n")  # QUOTE_MINIMAL wraps cells holding these in quotes
CSV_SPECIAL = ("\r", "\x00")  # rare cells whose handling varies: csv.writer does those rows
NUMBER_DTYPES = {"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64"}
NUMBER_DTYPES |= {"Float32", "Float64", "boolean"}


def sessions_export(sessions: pd.DataFrame, tz: str | None = SESSION_ZONE) -> pd.DataFrame:
    """The sessions view as exported: UTC and local times as ISO text in a fixed column order."""
    out = session_export_frame(sessions, tz)
    out["start_local"] = iso_local(out["start_local"], out["utc_offset"])
    out["end_local"] = iso_local(out["end_local"], out["end_utc_offset"])
    for col in ("start_utc", "end_utc", "updated_at"):
        out[col] = iso_utc(out[col])
    out["fill_rate"] = out["fill_rate"].round(4)
    return out[SESSION_EXPORT_COLUMNS]


def view_frame(sessions: pd.DataFrame, view: str, tz: str | None = SESSION_ZONE) -> pd.DataFrame:
    """The named export view of a sessions frame."""
    if view == "sessions":
        return sessions_export(sessions, tz)
    if view == "trainings":
        return _iso_columns(trainings_frame(sessions))
    if view == "tutors":
        return _iso_columns(tutors_frame(sessions))
    if view == "double-bookings":  # one row per overlapping pair of one tutor's sessions
        return double_bookings_export(double_bookings(sessions), sessions, tz or SESSION_ZONE)
    if view == "room-clashes":  # one row per overlapping pair of in-person sessions in a room
        return room_clashes_export(room_clashes(sessions), sessions, tz or SESSION_ZONE)
    raise ValueError(f"unknown view '{view}': choose one of {', '.join(EXPORT_VIEWS)}")


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV bytes of any table: header row, no index, formula-safe text, UTF-8 with BOM."""
    safe = neutralise_formulas(df)
    fast = _arrow_csv(safe)
    if fast is not None:
        return fast
    return safe.to_csv(index=False, date_format=DATE_FORMAT).encode(CSV_ENCODING)


def _arrow_csv(df: pd.DataFrame) -> bytes | None:
    """The bytes DataFrame.to_csv would write, assembled column-wise in Arrow; None if unsure.

    Cells are formatted as pandas formats them for CSV and quoted as csv.QUOTE_MINIMAL does;
    the rare rows holding a carriage return or NUL go through csv.writer itself. Tables with
    other dtypes (datetimes, mixed objects) or a single column return None.
    """
    if df.shape[1] < 2 or not df.columns.is_unique or isinstance(df.columns, pd.MultiIndex):
        return None
    cells: list[pa.Array] = []
    texts: list[int] = []  # columns of free text; numbers and booleans never need quoting
    for name in df.columns:
        text = _csv_cells(df[name])
        if text is None:
            return None
        if pa.types.is_large_string(text.type) and not _is_formatted_number(df[name]):
            texts.append(len(cells))
        cells.append(pc.fill_null(text, ""))  # pandas writes missing cells as ""
    head = io.StringIO()
    writer = csv.writer(head, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(list(df.columns))
    if len(df) == 0:
        return head.getvalue().encode(CSV_ENCODING)
    special = np.zeros(len(df), dtype=bool)
    quoted = list(cells)
    for i in texts:
        for char in CSV_SPECIAL:
            special |= pc.match_substring(cells[i], char).to_numpy(zero_copy_only=False)
        quoted[i] = _quoted(cells[i])
    rows = pc.binary_join_element_wise(*quoted, pa.scalar(",", pa.large_string()))
    if special.any():  # rare rows: csv.writer writes them exactly as it does for pandas
        picked = pa.array(np.flatnonzero(special))
        fixed = []
        for row in zip(*[text.take(picked).to_pylist() for text in cells], strict=True):
            line = io.StringIO()
            csv.writer(line, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(row)
            fixed.append(line.getvalue()[:-1])
        rows = pc.replace_with_mask(rows, pa.array(special), pa.array(fixed, pa.large_string()))
    if isinstance(rows, pa.ChunkedArray):  # columns of a stacked frame come in several chunks
        rows = rows.combine_chunks()
    lines = pa.LargeListArray.from_arrays(pa.array([0, len(rows)], pa.int64()), rows)
    body = pc.binary_join(lines, pa.scalar("\n", pa.large_string()))
    return b"".join(
        [
            codecs.BOM_UTF8,
            head.getvalue().encode("utf-8"),
            body[0].as_buffer().to_pybytes(),
            b"\n",
        ]
    )


def _is_formatted_number(series: pd.Series) -> bool:
    """True for number and boolean columns, whose cell texts hold no comma, quote or break."""
    dtype = series.dtype
    return isinstance(dtype, np.dtype) and dtype.kind in "biuf" or str(dtype) in NUMBER_DTYPES


def _quoted(text: pa.Array) -> pa.Array:
    """Cells holding a comma, quote or newline in double quotes, quotes doubled (QUOTE_MINIMAL)."""
    needs = pc.match_substring(text, CSV_QUOTED[0])
    for char in CSV_QUOTED[1:]:
        needs = pc.or_(needs, pc.match_substring(text, char))
    if not pc.any(needs).as_py():
        return text
    doubled = pc.replace_substring(text, '"', '""')
    quote = pa.scalar('"', pa.large_string())
    wrapped = pc.binary_join_element_wise(quote, doubled, quote, pa.scalar("", pa.large_string()))
    return pc.if_else(needs, wrapped, text)


def _csv_cells(series: pd.Series) -> pa.Array | None:
    """One column's CSV cell texts as pandas writes them (missing as ""), or None if unsure."""
    dtype = series.dtype
    try:
        if isinstance(dtype, pd.CategoricalDtype):
            if infer_dtype(dtype.categories, skipna=True) != "string":
                return None
            series = series.astype("str")
            dtype = series.dtype
        if isinstance(dtype, np.dtype) and dtype.kind == "b":
            values = np.where(series.to_numpy(), "True", "False")
            return pa.array(values, pa.large_string())
        if pd.api.types.is_integer_dtype(dtype):
            arr = pa.array(series.array, pa.int64())
            return pc.fill_null(arr.cast(pa.large_string()), "")
        if str(dtype) in ("float64", "Float64"):
            floats = series.to_numpy(dtype="float64", na_value=np.nan)
            texts = floats.astype(str)  # what pandas writes: the shortest repr of each float
            return pa.array(texts, pa.large_string(), mask=np.isnan(floats))
        if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
            return pa.array(series.array).cast(pa.large_string())  # already Arrow: no copy
        if pd.api.types.is_string_dtype(dtype):
            raw = series.to_numpy(dtype=object)
            if infer_dtype(raw, skipna=True) not in ("string", "empty"):
                return None
            arr = pa.array(raw, pa.large_string(), from_pandas=True)
            return pc.fill_null(arr, "")
    except (pa.ArrowException, TypeError, ValueError, OverflowError, UnicodeError):
        return None
    return None


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that Excel would run as formulas with an apostrophe; numbers stay."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if not (pd.api.types.is_string_dtype(series) or series.dtype == object):
            continue
        text = series.astype("str")
        risky = text.str.startswith(FORMULA_PREFIXES).fillna(False)
        if not risky.any():
            continue
        # only cells with a risky first character are checked for being a plain number
        risky[risky] = ~_is_number(text[risky])
        if risky.any():
            out[col] = text.mask(risky, "'" + text)
    return out


def as_shown_frame(
    table: pd.DataFrame,
    columns: Sequence[str],
    headers: Mapping[str, str] | None = None,
    formats: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A table as a grid shows it, for the "As shown" CSV: `columns` in that order, renamed by
    `headers`, each cell as its column's format writes it.

    formats per column: "percent" (0.5738 → "57%", the one on-screen percentage), a strftime
    pattern for date and time columns (their own wall clock, the display zone's), or a printf
    pattern for numbers ("%.1f h"). Other numbers stay numbers (no thousands separators, so a
    spreadsheet reads them as numbers), true/false columns read Yes/No, text stays as it is.
    """
    headers = headers or {}
    formats = formats or {}
    out: dict[str, pd.Series] = {}
    for col in columns:
        series = table[col]
        fmt = formats.get(col)
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            text = series.dt.strftime(fmt or "%Y-%m-%d %H:%M")
            series = text.where(series.notna(), "")
        elif fmt == "percent":
            points = (pd.to_numeric(series, errors="coerce").astype("Float64") * 100).round()
            series = (points.astype("Int64").astype("str") + "%").fillna("").astype("object")
        elif pd.api.types.is_bool_dtype(series.dtype):
            series = series.map({True: "Yes", False: "No"}).fillna("").astype("object")
        elif fmt and "%" in fmt and pd.api.types.is_numeric_dtype(series.dtype):
            series = series.map(lambda v, f=fmt: "" if pd.isna(v) else _printf(f, v))
        out[headers.get(col, col)] = series.reset_index(drop=True)
    return pd.DataFrame(out, index=pd.RangeIndex(len(table)))


def _printf(fmt: str, value: object) -> str:
    """One number in a printf pattern as the grid writes it; the bare number if it will not go."""
    try:
        return fmt % value
    except (TypeError, ValueError):
        return str(value)


MOMENT_TOKENS = {"YYYY": "%Y", "MM": "%m", "DD": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}


def moment_to_strftime(pattern: str) -> str:
    """A grid's date pattern ("YYYY-MM-DD HH:mm [UTC]") as strftime ("%Y-%m-%d %H:%M UTC")."""
    out = []
    for literal, token, other in re.findall(r"\[([^\]]*)\]|(YYYY|MM|DD|HH|mm|ss)|(.)", pattern):
        if token:
            out.append(MOMENT_TOKENS[token])
        else:
            out.append((literal or other).replace("%", "%%"))
    return "".join(out)


def _is_number(text: pd.Series) -> pd.Series:
    # Numbers, offsets and times ("-3", "+01:00") cannot carry a formula; leave them readable.
    return text.str.fullmatch(SAFE_NUMERIC).fillna(False)


def _iso_columns(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = iso_utc(out[col].dt.tz_convert("UTC"))
    return out
