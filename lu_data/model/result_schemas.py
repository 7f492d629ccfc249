"""Column names, order and dtypes of the analysis results that cross a module boundary
(pages, figures, exports): empty results are built from these, so an empty frame has the
schema of a full one. The loaded frames themselves are declared in lu_data.model.schema."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from pandas.api.extensions import ExtensionDtype

from lu_data.model.fill_status import STATUS_LABELS, STATUS_ORDER
from lu_data.model.schema import (
    NAIVE_DT,
    PORTAL_COLUMN,
    STATUS_DTYPE,
    UTC_DT,
    FrameSchema,
    frame_schema,
)

# Each session of an exported pair, as text (times ISO 8601); a room clash names its tutor.
EXPORTED_SIDE = ("session_key", "title", "start_utc", "end_utc", "start_local", "end_local", "tz")
ROOM_EXPORTED_SIDE = (*EXPORTED_SIDE[:2], "tutor_name", *EXPORTED_SIDE[2:])


def pair_columns(side: Mapping[str, str | ExtensionDtype]) -> dict[str, str | ExtensionDtype]:
    """The columns of both sessions of an overlapping pair: each field as field_a, then _b."""
    return {f"{field}_{s}": dtype for s in ("a", "b") for field, dtype in side.items()}


# Fill-rate bins of 10 points, then exactly full, over capacity and no limit at all.
FILL_BIN_LABELS: list[str] = [f"{i * 10}–{i * 10 + 9}%" for i in range(10)] + [
    "100%",
    "Over 100%",
    "No limit",
]
FILL_BIN_DTYPE = pd.CategoricalDtype(FILL_BIN_LABELS, ordered=True)

SESSION_CAPACITY_DTYPES: FrameSchema = frame_schema(
    {
        "training": "str",
        "label": "str",
        "tick": "str",
        "training_key": "str",
        "session_key": "str",
        "title": "str",
        "start": "str",
        "capacity": "Float64",
        "enrolled": "int64",
        "over": "Float64",
        "fill_rate": "Float64",
        "status": STATUS_DTYPE,
        "status_label": "str",
        "tutor": "str",
        "location": "str",
    }
)
NO_LIMIT_LEARNERS = "Learners in no-limit sessions"
# Per training or per location: the first column (named "Training" or "Location") is text.
# Seats and Fill count sessions with a capacity (Fill = Seats taken / Seats offered).
ROLLUP_DTYPES: FrameSchema = frame_schema(
    {
        "Sessions": "int64",
        "Seats offered": "int64",
        "Seats taken": "int64",
        "Fill": "Float64",
        "Seats left": "int64",
        NO_LIMIT_LEARNERS: "int64",
        **{STATUS_LABELS[s]: "int64" for s in STATUS_ORDER},
    }
)
FILL_DISTRIBUTION_DTYPES: FrameSchema = frame_schema(
    {"bin": FILL_BIN_DTYPE, "status": STATUS_DTYPE, "status_label": "str", "sessions": "int64"}
)
WEEKLY_CAPACITY_DTYPES: FrameSchema = frame_schema(
    {
        "week": NAIVE_DT,
        "sessions": "int64",
        "seats_offered": "int64",
        "seats_taken": "int64",
        "fill_rate": "Float64",
        "no_limit_sessions": "int64",
        "no_limit_learners": "int64",
    }
)
TRAINING_SUMMARY_DTYPES: FrameSchema = frame_schema(
    {
        "training_key": "str",
        "Training": "str",
        "Sessions": "int64",
        "Teaching hours": "float64",
        "Tutors": "int64",
        "First session": "str",
        "Last session": "str",
    }
)
WORKLOAD_DTYPES: FrameSchema = frame_schema(
    {"tutor_key": "str", "tutor": "str", "week": NAIVE_DT, "sessions": "int64", "hours": "float64"}
)
TEAM_DTYPES: FrameSchema = frame_schema(
    {
        "Tutor": "str",
        "Teaching hours": "float64",
        "Sessions": "int64",
        "Trainings": "int64",
        "Conflicts": "int64",
        "Email": "str",
    }
)
# One row per overlapping pair of a tutor's sessions (a starts first).
DOUBLE_BOOKING_DTYPES: FrameSchema = frame_schema(
    {
        PORTAL_COLUMN: "str",
        "tutor_key": "str",
        "tutor_name": "str",
        **pair_columns(
            {"session_key": "str", "title": "str", "start_utc": UTC_DT, "end_utc": UTC_DT}
        ),
        "overlap_minutes": "int64",
    }
)
# The overlap sits next to the tutor so it stays in sight on narrow screens.
CLASH_DTYPES: FrameSchema = frame_schema(
    {
        "Tutor": "str",
        "Overlap (min)": "int64",
        "Session A": "str",
        "When (A)": "str",
        "Session B": "str",
        "When (B)": "str",
    }
)
# The clashes on screen, stacked: each clash's two sessions on two rows, so both fit at 1024 px.
CLASH_ROWS_DTYPES: FrameSchema = frame_schema(
    {
        "Clash": "int64",
        "When": "str",
        "Title": "str",
        "Overlap (min)": "int64",
        "Tutor": "str",
    }
)
# The clashes for CSV: every time is ISO 8601 text.
DOUBLE_BOOKING_EXPORT_DTYPES: FrameSchema = frame_schema(
    {
        PORTAL_COLUMN: "str",
        "tutor_key": "str",
        "tutor_name": "str",
        "overlap_minutes": "int64",
        **pair_columns(dict.fromkeys(EXPORTED_SIDE, "str")),
    }
)
# Two in-person sessions in one room at once: one row per overlapping pair.
ROOM_CLASH_DTYPES: FrameSchema = frame_schema(
    {
        PORTAL_COLUMN: "str",
        "room_key": "str",
        "location_id": "Int64",
        "location": "str",
        "overlap_minutes": "int64",
        **pair_columns(
            {
                "session_key": "str",
                "title": "str",
                "tutor_name": "str",
                "start_utc": UTC_DT,
                "end_utc": UTC_DT,
            }
        ),
    }
)
# One row per training judged on its recent completed sessions (analyses.supply_demand).
SUPPLY_DEMAND_DTYPES: FrameSchema = frame_schema(
    {
        PORTAL_COLUMN: "str",
        "training_key": "str",
        "title": "str",
        "verdict": "str",
        "evidence": "str",
        "suggestion": "str",
        "looked_at": "int64",
        "full_early": "int64",
        "ended_under": "int64",
        "upcoming": "int64",
        "upcoming_free": "Int64",
    }
)
ROOM_CLASH_ROWS_DTYPES: FrameSchema = frame_schema(
    {
        "Clash": "int64",
        "Room": "str",
        "When": "str",
        "Title": "str",
        "Tutor": "str",
        "Overlap (min)": "int64",
    }
)
ROOM_CLASH_EXPORT_DTYPES: FrameSchema = frame_schema(
    {
        PORTAL_COLUMN: "str",
        "room_key": "str",
        "location_id": "Int64",
        "location": "str",
        "overlap_minutes": "int64",
        **pair_columns(dict.fromkeys(ROOM_EXPORTED_SIDE, "str")),
    }
)
CURVE_DTYPES: FrameSchema = frame_schema(
    {
        "training_key": "str",
        "days_to_start": "int64",
        "sessions": "int64",
        **{
            f"{what}_{q}": "Float64" for what in ("share", "fill") for q in ("q25", "median", "q75")
        },
    }
)
BACKTEST_DTYPES: FrameSchema = frame_schema(
    {
        "days_before": "int64",
        "sessions": "int64",
        "mae_projection": "float64",
        "mae_naive": "float64",
        "mean_final": "float64",
    }
)
TIMELINE_DTYPES: FrameSchema = frame_schema(
    {
        "row": "str",
        "title": "str",
        "tutor": "str",
        "location": "str",
        "seats": "str",
        "when": "str",
        "start": NAIVE_DT,
        "end": NAIVE_DT,
        "status": STATUS_DTYPE,
        "status_label": "str",
        "session_key": "str",
    }
)
DETAILS_DTYPES: FrameSchema = frame_schema({"Field": "str", "Value": "str"})

# Proposed sessions: one row per requested session, "add" (placed) or "unplaced" with why.
PLAN_DTYPES: FrameSchema = frame_schema(
    {
        "action": "str",
        PORTAL_COLUMN: "str",
        "training_key": "str",
        "training_id": "Int64",
        "training_title": "str",
        "start_utc": UTC_DT,
        "end_utc": UTC_DT,
        "zone": "str",
        "start_local": NAIVE_DT,
        "end_local": NAIVE_DT,
        "hours": "Float64",
        "tutor_key": "str",
        "tutor_name": "str",
        "tutor_email": "str",
        "room_key": "str",
        "location_id": "Int64",
        "location": "str",
        "virtual": "boolean",
        "capacity": "Int64",
        "reason": "str",
    }
)

# A draft schedule checked: one row per problem, by the draft's line (the header is line 1).
DRAFT_CHECK_DTYPES: FrameSchema = frame_schema(
    {
        "row": "int64",
        "training_title": "str",
        "start_utc": UTC_DT,
        "problem": "str",
        "clashes_with": "str",
        "reason": "str",
    }
)

# Merges of under-filled sessions: one row per candidate, "merge" (into a target) or "keep".
MERGE_DTYPES: FrameSchema = frame_schema(
    {
        "action": "str",
        PORTAL_COLUMN: "str",
        "from_session_key": "str",
        "from_title": "str",
        "from_start_utc": UTC_DT,
        "from_start_local": NAIVE_DT,
        "from_zone": "str",
        "from_enrolled": "Int64",
        "from_capacity": "Int64",
        "from_fill": "Float64",
        "into_session_key": "str",
        "into_title": "str",
        "into_start_utc": UTC_DT,
        "into_start_local": NAIVE_DT,
        "into_zone": "str",
        "learners_moved": "Int64",
        "into_enrolled_after": "Int64",
        "into_capacity": "Int64",
        "into_fill_after": "Float64",
        "days_moved": "Int64",
        "tutor_hours_freed": "Float64",
        "tutor_freed": "str",
        "room_freed": "str",
        "reason": "str",
    }
)
