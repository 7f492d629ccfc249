"""Load any source (demo, saved JSON, portal URL) into one Portal bundle of frames."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from lu_data.core.raw import RawPortal
from lu_data.core.source_kinds import DEFAULT_PORTAL, SOURCE_DEMO
from lu_data.ingest.normalise import normalise_portal
from lu_data.ingest.zone_checks import UNZONED_CODES, zone_warnings
from lu_data.model.portal import Portal
from lu_data.model.quality import QualityReport
from lu_data.model.rollups import trainings_frame, tutors_frame
from lu_data.sources.files import collector_paused, now_utc, read_path


def with_zone_warnings(warnings: pd.DataFrame, sessions: pd.DataFrame) -> pd.DataFrame:
    """The normaliser's warnings and the zone checks' (model.zone_checks), in record order."""
    unzoned = warnings.loc[warnings["code"].isin(UNZONED_CODES), "session_key"]
    found = zone_warnings(sessions, unzoned)
    if found.empty:
        return warnings
    both = pd.concat([warnings, found], ignore_index=True)
    return both.sort_values("record", kind="stable", ignore_index=True)


def load_portal(raw: RawPortal, *, name: str | None = None, is_demo: bool = False) -> Portal:
    """Normalise a RawPortal into every frame; the single path from records to frames.

    `name` is the portal's name (default "demo" for the demo, else "portal").
    """
    name = name or (SOURCE_DEMO if is_demo else DEFAULT_PORTAL)
    with collector_paused():  # any cycles pandas makes are collected after, not during
        sessions, quality = session_quality(raw, name)
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
        name=name,
    )


def session_quality(raw: RawPortal, name: str) -> tuple[pd.DataFrame, QualityReport]:
    """The sessions frame and quality report of raw: the normaliser, then the zone checks."""
    sessions, quality = normalise_portal(raw, name)
    quality.warnings = with_zone_warnings(quality.warnings, sessions)
    return sessions, quality


def read_source(
    source: str | Path,
    *,
    anchor: date | None = None,
    sessions: int | None = None,
    lean: bool = False,
) -> RawPortal:
    """Read SOURCE (demo, JSON file or folder, portal URL) into a RawPortal; lean as read_path."""
    text = str(source)
    if text == SOURCE_DEMO:
        from lu_data.sources.demo import DEMO_SESSIONS, generate_demo

        return generate_demo(n_sessions=sessions or DEMO_SESSIONS, anchor=anchor)
    if text.startswith(("http://", "https://")):
        from lu_data.sources.api_client import fetch_portal_url  # requests only when needed

        return fetch_portal_url(text)
    return read_path(text, lean=lean)


def load_source(source: str | Path, *, anchor: date | None = None) -> Portal:
    """Read and normalise SOURCE in one call."""
    raw = read_source(source, anchor=anchor, lean=True)
    return load_portal(raw, name=source_name(source), is_demo=str(source) == SOURCE_DEMO)


def load_quality(
    source: str | Path, *, anchor: date | None = None
) -> tuple[pd.DataFrame, QualityReport]:
    """Read and normalise SOURCE for its quality report: the sessions and the report, as
    load_source makes them, without the trainings and tutors rollups a report never shows."""
    raw = read_source(source, anchor=anchor, lean=True)
    with collector_paused():
        return session_quality(raw, source_name(source))


def source_name(source: str | Path) -> str:
    """The portal name of a source: "demo", a portal URL's first host label, a file's stem."""
    text = str(source)
    if text == SOURCE_DEMO:
        return SOURCE_DEMO
    if text.startswith(("http://", "https://")):
        host = urlsplit(text).hostname or ""
        return host.split(".")[0] or DEFAULT_PORTAL
    return Path(text).stem or DEFAULT_PORTAL
