"""CSV exports of sessions, trainings and tutors: ISO 8601 with offsets, Excel-safe UTF-8."""

from __future__ import annotations

import pandas as pd

from lu_data.frames import trainings_frame, tutors_frame
from lu_data.timeview import display_times

EXPORT_VIEWS = ("sessions", "trainings", "tutors")
# Excel runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SAFE_NUMERIC = r"[+-]?[0-9][0-9.:,eE]*"
CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read UTF-8 (accents, emoji) correctly

SESSION_EXPORT_COLUMNS = [
    "session_key",
    "module_kind",
    "module_id",
    "training_id",
    "session_id",
    "training_key",
    "title",
    "start_utc",
    "end_utc",
    "start_local",
    "end_local",
    "timezone",
    "tz",
    "utc_offset",
    "tz_abbr",
    "duration_hours",
    "max_capacity",
    "enrolled",
    "seats_left",
    "fill_rate",
    "status",
    "tutor_id",
    "tutor_name",
    "tutor_email",
    "location",
    "is_virtual",
    "address_1",
    "address_2",
    "address_3",
    "country_code",
    "state_code",
    "course_ids",
    "updated_at",
]


def iso_utc(values: pd.Series) -> pd.Series:
    """tz-aware UTC datetimes as ISO 8601 text with +00:00."""
    text = values.dt.strftime("%Y-%m-%dT%H:%M:%S")
    return (text + "+00:00").where(values.notna())


def iso_local(wall: pd.Series, offsets: pd.Series) -> pd.Series:
    """Naive wall-clock datetimes plus their "+HH:MM" offsets as ISO 8601 text."""
    text = wall.dt.strftime("%Y-%m-%dT%H:%M:%S")
    return (text + offsets.astype("str")).where(wall.notna())


def sessions_export(sessions: pd.DataFrame, tz: str | None = "local") -> pd.DataFrame:
    """The sessions view as exported: UTC and local times as ISO text in a fixed column order."""
    shown = display_times(sessions, tz)
    out = sessions.copy()
    out["start_local"] = iso_local(shown["start_display"], shown["display_offset"])
    out["end_local"] = iso_local(shown["end_display"], shown["display_end_offset"])
    out["tz"] = shown["display_tz"]
    out["utc_offset"] = shown["display_offset"]
    out["tz_abbr"] = shown["display_abbr"]
    for col in ("start_utc", "end_utc", "updated_at"):
        out[col] = iso_utc(sessions[col])
    out["duration_hours"] = sessions["duration_hours"].round(2)
    out["fill_rate"] = sessions["fill_rate"].round(4)
    return out[SESSION_EXPORT_COLUMNS]


def view_frame(sessions: pd.DataFrame, view: str, tz: str | None = "local") -> pd.DataFrame:
    """The named export view of a sessions frame."""
    if view == "sessions":
        return sessions_export(sessions, tz)
    if view == "trainings":
        return _iso_columns(trainings_frame(sessions))
    if view == "tutors":
        return _iso_columns(tutors_frame(sessions))
    raise ValueError(f"unknown view '{view}': choose one of {', '.join(EXPORT_VIEWS)}")


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV bytes of any table: header row, no index, formula-safe text, UTF-8 with BOM."""
    safe = neutralise_formulas(df)
    return safe.to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S%z").encode(CSV_ENCODING)


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that Excel would run as formulas with an apostrophe; numbers stay."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if not (pd.api.types.is_string_dtype(series) or series.dtype == object):
            continue
        text = series.astype("str")
        risky = text.str.startswith(FORMULA_PREFIXES).fillna(False) & ~_is_number(text)
        if risky.any():
            out[col] = text.mask(risky, "'" + text)
    return out


def export_file_name(view: str, start: object | None, end: object | None, ext: str = "csv") -> str:
    """A file name carrying the view and date range: ilt-sessions-20261201-20270126.csv."""

    def stamp(d: object | None) -> str:
        return pd.Timestamp(d).strftime("%Y%m%d") if d is not None else "all"

    return f"ilt-{view}-{stamp(start)}-{stamp(end)}.{ext}"


def _is_number(text: pd.Series) -> pd.Series:
    # Numbers, offsets and times ("-3", "+01:00") cannot carry a formula; leave them readable.
    return text.str.fullmatch(SAFE_NUMERIC).fillna(False)


def _iso_columns(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = iso_utc(out[col].dt.tz_convert("UTC"))
    return out
