"""Column names, order and dtypes of every frame, declared once."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Final, TypeAlias

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype
from pandas.api.types import pandas_dtype

from lu_data.model.fill_status import STATUS_ORDER

# Final keeps the literal type, which pandas-stubs needs to pick the datetime astype overload.
UTC_DT: Final = "datetime64[us, UTC]"
NAIVE_DT: Final = "datetime64[us]"

# A resolved dtype: what Series(dtype=...) and astype take as they are.
Dtype: TypeAlias = "np.dtype[np.generic] | ExtensionDtype"
# A frame's declaration: column name to dtype, in column order.
FrameSchema: TypeAlias = dict[str, Dtype]


def frame_schema(spec: Mapping[str, str | ExtensionDtype]) -> FrameSchema:
    """A frame declaration from dtype names ("Int64", "str", UTC_DT) or dtypes, in order."""
    return {column: pandas_dtype(dtype) for column, dtype in spec.items()}


# Every frame's first column: the LearnUpon portal a row comes from. Keys (session, training,
# tutor) are unique within one portal; a view of several portals qualifies them by this name.
PORTAL_COLUMN = "portal"

# What a table, chart or event shows where a session has no title, tutor or location.
UNTITLED = "(untitled)"
NO_TUTOR = "(no tutor)"
NO_LOCATION = "(no location)"

STATUS_DTYPE = pd.CategoricalDtype(STATUS_ORDER, ordered=True)
MODULE_KINDS: list[str] = ["ilt_center", "legacy"]
MODULE_KIND_LABELS: dict[str, str] = {"ilt_center": "ILT Center", "legacy": "Legacy ILT"}
KIND_DTYPE = pd.CategoricalDtype(MODULE_KINDS)

SESSION_DTYPES: FrameSchema = frame_schema(
    {
        PORTAL_COLUMN: "str",
        "session_key": "str",
        "module_id": "Int64",
        "training_id": "Int64",
        "session_id": "Int64",
        "module_kind": KIND_DTYPE,
        "training_key": "str",
        "title": "str",
        "start_utc": UTC_DT,
        "end_utc": UTC_DT,
        "timezone": "str",
        "tz": "str",
        "start_local": NAIVE_DT,
        "end_local": NAIVE_DT,
        "utc_offset": "str",
        "tz_abbr": "str",
        "duration_hours": "float64",
        "max_capacity": "Int64",
        "enrolled": "Int64",
        "seats_left": "Int64",
        "fill_rate": "Float64",
        "status": STATUS_DTYPE,
        "tutor_id": "Int64",
        "tutor_name": "str",
        "tutor_email": "str",
        "tutor_key": "str",
        "location_id": "Int64",
        "location": "str",
        "address_1": "str",
        "address_2": "str",
        "address_3": "str",
        "country_code": "str",
        "state_code": "str",
        "is_virtual": "bool",
        "course_ids": "str",
        "course_count": "Int64",
        "linked_courses": "Int64",
        "description": "str",
        "created_at": UTC_DT,
        "updated_at": UTC_DT,
        "record": "Int64",
    }
)

TRAINING_DTYPES: FrameSchema = frame_schema(
    {
        PORTAL_COLUMN: "str",
        "training_key": "str",
        "title": "str",
        "module_kind": KIND_DTYPE,
        "module_id": "Int64",
        "training_id": "Int64",
        "sessions": "int64",
        "first_start_utc": UTC_DT,
        "last_start_utc": UTC_DT,
        # Seats count sessions with a capacity: fill_rate = seats_taken / seats_offered.
        "seats_offered": "Int64",
        "seats_taken": "Int64",
        "fill_rate": "Float64",
        "no_limit_sessions": "int64",
        "no_limit_learners": "Int64",
        "overbooked_sessions": "int64",
        "tutors": "str",
    }
)

TUTOR_DTYPES: FrameSchema = frame_schema(
    {
        PORTAL_COLUMN: "str",
        "tutor_key": "str",
        "tutor_id": "Int64",
        "tutor_name": "str",
        "tutor_email": "str",
        "sessions": "int64",
        "teaching_hours": "float64",
        "trainings": "int64",
        "first_start_utc": UTC_DT,
        "last_start_utc": UTC_DT,
    }
)

REJECTED_DTYPES: FrameSchema = frame_schema(
    {
        PORTAL_COLUMN: "str",
        "record": "int64",
        "where": "str",
        "module_id": "str",
        "session_id": "str",
        "title": "str",
        "reason": "str",
    }
)
WARNING_DTYPES: FrameSchema = frame_schema(
    {
        PORTAL_COLUMN: "str",
        "record": "Int64",
        "where": "str",
        "session_key": "str",
        "code": "str",
        "message": "str",
    }
)

# One row per portal in the store: its last sync run and newest complete snapshot.
PORTAL_STATUS_DTYPES: FrameSchema = frame_schema(
    {
        "name": "str",
        "base_url": "str",
        "last_run_status": "str",
        "last_run_started": UTC_DT,
        "last_run_finished": UTC_DT,
        "last_error": "str",
        "last_run_holder": "str",
        "snapshot_id": "Int64",
        "snapshot_fetched_at": UTC_DT,
    }
)

# The data-quality accounts of a view: one row per portal, then the total.
PORTAL_ACCOUNT_DTYPES: FrameSchema = frame_schema(
    {
        "name": "str",
        "snapshot_at": UTC_DT,
        "status": "str",
        "input_records": "int64",
        "sessions": "int64",
        "duplicates_merged": "int64",
        "skipped_non_ilt": "int64",
        "rejected": "int64",
        "warnings": "int64",
        "balanced": "bool",
    }
)

# What a coordinator reads for each warning code.
WARNING_TEXT: dict[str, str] = {
    "unknown_timezone": "Time zone not recognised: times shown in UTC",
    "missing_timezone": "No time zone set: times shown in UTC",
    "over_capacity": "More learners enrolled than seats",
    "capacity_not_set": "No capacity set: left out of fill rates",
    "bad_number": "A number field held something that is not a whole number",
    "negative_number": "A count was negative and was ignored",
    "missing_training_id": "ILT Center session without training_id",
    "legacy_with_session_id": "Session id on a module without training_id",
    "zero_length": "Session starts and ends at the same time",
    "long_session": "Session runs longer than 14 days",
    "duplicate_conflict": "Same session seen more than once with different data",
    "odd_local_hours": "In person outside 07:00–22:00 local: a time zone picked wrong?",
    "location_mixed_zones": "Sessions at one location set in different time zones",
}


# Enrolment snapshots: one row per session per recording.
HISTORY_DTYPES: FrameSchema = frame_schema(
    {
        "session_key": "str",
        "training_key": "str",
        "recorded_at": UTC_DT,
        "start_utc": UTC_DT,
        "max_capacity": "Int64",
        "enrolled": "Int64",
    }
)


def empty_frame(dtypes: FrameSchema) -> pd.DataFrame:
    """An empty frame with the declared columns and dtypes."""
    # Built once per schema and copied: building 40 typed columns costs ~10 ms, a copy ~0.1 ms,
    # and every load, filter and analysis of an empty view asks for several.
    return _empty_frame_of(tuple(dtypes.items())).copy()


@lru_cache(maxsize=256)
def _empty_frame_of(columns: tuple[tuple[str, Dtype], ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns})


def with_portal(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """df with every row's portal column set to name (added first when missing)."""
    column = pd.Series(name, index=df.index, dtype=pandas_dtype("str"))
    if PORTAL_COLUMN in df:
        return df.assign(**{PORTAL_COLUMN: column})
    out = df.copy()
    out.insert(0, PORTAL_COLUMN, column)
    return out


def enforce_dtypes(df: pd.DataFrame, dtypes: FrameSchema) -> pd.DataFrame:
    """Return df with exactly the declared columns, in order, cast to their dtypes."""
    out = df.reindex(columns=list(dtypes))
    for col, dtype in dtypes.items():
        if str(out[col].dtype) != str(dtype):
            out[col] = out[col].astype(dtype)
    return out
