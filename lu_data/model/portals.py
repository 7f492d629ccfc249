"""Several portals in one view: frames stacked, keys qualified by portal, each one's accounts.

Session, training and tutor keys are unique within one portal only: LearnUpon numbers ids per
portal, so two portals can both hold `session:30017`. A view of several portals therefore
qualifies every key by its portal's name (`emea/session:30017`); a view of one portal keeps the
plain keys, so a portal's keys, its enrolment history, ICS UIDs and links stay as they were.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pandas as pd

from lu_data.model.portal import Portal
from lu_data.model.quality import QualityReport, combine_reports
from lu_data.model.rollups import NO_TUTOR_KEY
from lu_data.model.schema import (
    HISTORY_DTYPES,
    PORTAL_ACCOUNT_DTYPES,
    PORTAL_COLUMN,
    SESSION_DTYPES,
    TRAINING_DTYPES,
    TUTOR_DTYPES,
    FrameSchema,
    empty_frame,
    enforce_dtypes,
    with_portal,
)
from lu_data.model.timezones import as_utc

KEY_SEPARATOR = "/"
# Tutors are keyed per portal, as LearnUpon users are: one e-mail teaching in two portals is
# two tutors, so sessions in different portals never make a double-booking.
KEY_COLUMNS = ("session_key", "training_key", "tutor_key")
TOTAL_ROW = "Total"


def qualified_keys(keys: pd.Series, name: str) -> pd.Series:
    """One portal's keys as a view of several names them: "emea/session:30017".

    The no-tutor key stays as it is: nobody teaching is nobody in every portal.
    """
    out = name + KEY_SEPARATOR + keys.astype("str")
    return out.where(keys != NO_TUTOR_KEY, keys).astype("str")


def several_portals(frame: pd.DataFrame) -> bool:
    """True when the frame's rows come from more than one portal."""
    return PORTAL_COLUMN in frame and frame[PORTAL_COLUMN].nunique() > 1


def with_portal_names(labels: pd.Series, frame: pd.DataFrame) -> pd.Series:
    """Labels of the frame's rows, each followed by its portal when the rows span several."""
    if not several_portals(frame):
        return labels
    return (labels + " · " + frame[PORTAL_COLUMN].astype("str")).astype("str")


def qualify_frame(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """A frame of one portal with its key columns qualified by the portal's name."""
    keys = {c: qualified_keys(frame[c], name) for c in KEY_COLUMNS if c in frame}
    return frame.assign(**keys) if keys else frame


def renamed(portal: Portal, name: str) -> Portal:
    """The portal under another name: every frame's portal column and its `name`."""
    if portal.name == name and not portal.parts:
        return portal
    quality = dataclasses.replace(
        portal.quality,
        rejected=with_portal(portal.quality.rejected, name),
        warnings=with_portal(portal.quality.warnings, name),
    )
    return dataclasses.replace(
        portal,
        sessions=with_portal(portal.sessions, name),
        trainings=with_portal(portal.trainings, name),
        tutors=with_portal(portal.tutors, name),
        quality=quality,
        name=name,
    )


def combine_portals(named: Mapping[str, Portal], where: str) -> Portal:
    """Several portals as one Portal: frames stacked in name order, keys qualified, reports
    combined; each portal's own load stays in `parts`. One portal comes back as it is.
    """
    names = sorted(named)
    if len(names) == 1:
        return named[names[0]]
    parts = {name: named[name] for name in names}
    reports = [
        dataclasses.replace(p.quality, warnings=qualify_frame(p.quality.warnings, n))
        for n, p in parts.items()
    ]
    return Portal(
        sessions=_stack(parts, "sessions", SESSION_DTYPES),
        trainings=_stack(parts, "trainings", TRAINING_DTYPES),
        tutors=_stack(parts, "tutors", TUTOR_DTYPES),
        quality=combine_reports(reports),
        origin=f"{where} ({', '.join(names)})",
        fetched_at=min(p.fetched_at for p in parts.values()),  # as old as its oldest part
        complete=all(p.complete for p in parts.values()),
        is_demo=all(p.is_demo for p in parts.values()),
        name="+".join(names),
        parts=parts,
    )


def qualify_history(history: pd.DataFrame, name: str) -> pd.DataFrame:
    """One portal's enrolment history (recorded with its plain keys) keyed as a combined view."""
    return qualify_frame(history, name)


def stack_histories(histories: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Each portal's enrolment history, keys qualified, as one history of a combined view."""
    rows = [qualify_history(h, n) for n, h in histories.items() if not h.empty]
    if not rows:
        return empty_frame(HISTORY_DTYPES)
    return enforce_dtypes(pd.concat(rows, ignore_index=True), HISTORY_DTYPES)


def portal_counts(report: QualityReport) -> dict[str, Any]:
    """A report's accounting counts (no row lists): per portal in `check --json` and the page."""
    full = report.to_dict()
    return {
        **{
            key: full[key]
            for key in (
                "input_records",
                "sessions",
                "duplicates_merged",
                "skipped_non_ilt",
                "skipped_types",
                "balanced",
                "warning_counts",
            )
        },
        "rejected": report.rejected_count,
        "warnings": len(report.warnings),
    }


def portal_accounts(portal: Portal, run_status: Mapping[str, str | None]) -> pd.DataFrame:
    """One row per portal of a view (name, snapshot time, last sync, counts), then the total."""
    parts = portal.parts or {portal.name: portal}
    rows = [_account_row(name, part, run_status.get(name)) for name, part in parts.items()]
    total = _account_row(TOTAL_ROW, portal, None)
    return enforce_dtypes(pd.DataFrame([*rows, total]), PORTAL_ACCOUNT_DTYPES)


def _account_row(name: str, portal: Portal, status: str | None) -> dict[str, Any]:
    counts = portal_counts(portal.quality)
    return {
        "name": name,
        "snapshot_at": as_utc(portal.fetched_at),
        "status": status,
        **{key: counts[key] for key in PORTAL_ACCOUNT_DTYPES if key in counts},
    }


def _stack(parts: Mapping[str, Portal], frame: str, dtypes: FrameSchema) -> pd.DataFrame:
    """One frame of every portal, stacked in name order, keys qualified by the portal's name."""
    rows = [
        qualify_frame(getattr(part, frame), name).assign(**{PORTAL_COLUMN: name})
        for name, part in parts.items()
    ]
    return enforce_dtypes(pd.concat(rows, ignore_index=True), dtypes)
