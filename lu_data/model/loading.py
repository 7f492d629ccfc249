"""Load any source (demo, saved JSON, portal URL) into one Portal bundle of frames."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from lu_data.model.normalise import normalise_portal
from lu_data.model.quality import QualityReport
from lu_data.model.rollups import trainings_frame, tutors_frame
from lu_data.sources.files import RawPortal, collector_paused, now_utc, read_path

DEMO_SOURCE = "demo"


@dataclass
class Portal:
    """Sessions, trainings, tutors and the quality report from one load, with provenance."""

    sessions: pd.DataFrame
    trainings: pd.DataFrame
    tutors: pd.DataFrame
    quality: QualityReport
    origin: str
    fetched_at: datetime
    complete: bool = True
    is_demo: bool = False


def load_portal(raw: RawPortal, *, is_demo: bool = False) -> Portal:
    """Normalise a RawPortal into every frame; the single path from records to frames."""
    with collector_paused():  # any cycles pandas makes are collected after, not during
        sessions, quality = normalise_portal(raw)
        trainings, tutors = trainings_frame(sessions), tutors_frame(sessions)
    return Portal(
        sessions=sessions,
        trainings=trainings,
        tutors=tutors,
        quality=quality,
        origin=raw.origin,
        fetched_at=raw.fetched_at or now_utc(),
        complete=raw.complete,
        is_demo=is_demo,
    )


def read_source(
    source: str | Path,
    *,
    anchor: date | None = None,
    sessions: int | None = None,
    lean: bool = False,
) -> RawPortal:
    """Read SOURCE (demo, JSON file or folder, portal URL) into a RawPortal; lean as read_path."""
    text = str(source)
    if text == DEMO_SOURCE:
        from lu_data.sources.demo import DEMO_SESSIONS, generate_demo

        return generate_demo(n_sessions=sessions or DEMO_SESSIONS, anchor=anchor)
    if text.startswith(("http://", "https://")):
        from lu_data.sources.api_client import fetch_portal_url  # requests only when needed

        return fetch_portal_url(text)
    return read_path(text, lean=lean)


def load_source(source: str | Path, *, anchor: date | None = None) -> Portal:
    """Read and normalise SOURCE in one call."""
    raw = read_source(source, anchor=anchor, lean=True)
    return load_portal(raw, is_demo=str(source) == DEMO_SOURCE)
