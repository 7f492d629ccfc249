"""A Portal as snapshot columns and back: frames as Arrow IPC blobs, report counts as JSON.

Arrow keeps every declared dtype (categoricals with their categories and order, nullable
integers, tz-aware datetimes, pandas' string dtype) through its pandas metadata; the frames are
still cast to their declaration on the way out, so a snapshot written by an older release reads
back in today's shape.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc

from lu_data.model.portal import Portal
from lu_data.model.quality import QualityReport
from lu_data.model.schema import (
    REJECTED_DTYPES,
    SESSION_DTYPES,
    TRAINING_DTYPES,
    TUTOR_DTYPES,
    WARNING_DTYPES,
    FrameSchema,
    enforce_dtypes,
    with_portal,
)

# zstd: a third of lz4's size at 100k sessions for about the same read time.
COMPRESSION = "zstd"
FRAME_COLUMNS: dict[str, FrameSchema] = {
    "sessions_frame": SESSION_DTYPES,
    "trainings_frame": TRAINING_DTYPES,
    "tutors_frame": TUTOR_DTYPES,
    "rejected_frame": REJECTED_DTYPES,
    "warnings_frame": WARNING_DTYPES,
}
QUALITY_COUNTS = ("input_records", "sessions", "duplicates_merged", "skipped_non_ilt")


def encode_frame(frame: pd.DataFrame) -> bytes:
    """One frame as an Arrow IPC stream (zstd-compressed)."""
    table = pa.Table.from_pandas(frame, preserve_index=None)
    sink = pa.BufferOutputStream()
    options = ipc.IpcWriteOptions(compression=COMPRESSION)
    with ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def decode_frame(blob: bytes, dtypes: FrameSchema) -> pd.DataFrame:
    """A frame back from encode_frame, with exactly the declared columns and dtypes."""
    with ipc.open_stream(pa.BufferReader(blob)) as reader:
        table = reader.read_all()
    return enforce_dtypes(table.to_pandas(), dtypes)


def encode_quality(report: QualityReport) -> str:
    """The report's counts and skipped types as JSON (its frames travel as blobs)."""
    counts: dict[str, Any] = {name: int(getattr(report, name)) for name in QUALITY_COUNTS}
    counts["skipped_types"] = {str(k): int(v) for k, v in report.skipped_types.items()}
    return json.dumps(counts, sort_keys=True)


def snapshot_values(portal: Portal) -> dict[str, Any]:
    """The payload columns of one portal_snapshots row."""
    frames = {
        "sessions_frame": portal.sessions,
        "trainings_frame": portal.trainings,
        "tutors_frame": portal.tutors,
        "rejected_frame": portal.quality.rejected,
        "warnings_frame": portal.quality.warnings,
    }
    return {
        **{column: encode_frame(frame) for column, frame in frames.items()},
        "quality": encode_quality(portal.quality),
        "sessions": len(portal.sessions),
        "complete": bool(portal.complete),
        "is_demo": bool(portal.is_demo),
    }


def portal_from_row(row: Any, origin: str, fetched_at: datetime, name: str) -> Portal:
    """The Portal named `name` a portal_snapshots row holds (its payload columns as attributes).

    Every frame's portal column is the portal's name, also in snapshots written before frames
    had one.
    """
    frames = {
        column: with_portal(decode_frame(getattr(row, column), d), name)
        for column, d in FRAME_COLUMNS.items()
    }
    counts = json.loads(row.quality)
    quality = QualityReport(
        **{name: int(counts[name]) for name in QUALITY_COUNTS},
        skipped_types={str(k): int(v) for k, v in counts.get("skipped_types", {}).items()},
        rejected=frames["rejected_frame"],
        warnings=frames["warnings_frame"],
    )
    return Portal(
        sessions=frames["sessions_frame"],
        trainings=frames["trainings_frame"],
        tutors=frames["tutors_frame"],
        quality=quality,
        origin=origin,
        fetched_at=fetched_at,
        complete=bool(row.complete),
        is_demo=bool(row.is_demo),
        name=name,
    )
