"""A store URL as a source: the newest complete snapshot of one or more portals, as one Portal.

For `lu-data check` and `export` (the model layer must not reach the store, so the command line
dispatches here). Several portals are stacked: each frame gains a leading `portal` column, since
session and training keys are only unique within one portal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lu_data.model.loading import Portal
from lu_data.model.quality import combine_reports
from lu_data.model.schema import SESSION_DTYPES, TRAINING_DTYPES, TUTOR_DTYPES, FrameSchema
from lu_data.store.engine import sqlite_file
from lu_data.store.errors import StoreError, safe_url
from lu_data.store.history import open_store
from lu_data.store.snapshots import StoredSnapshot

STORE_PREFIXES = ("sqlite:", "postgresql")
PORTAL_COLUMN = "portal"
# Per portal in `check --json`: the report's counts (its row lists stay in the totals).
PORTAL_COUNT_KEYS = (
    "input_records",
    "sessions",
    "duplicates_merged",
    "skipped_non_ilt",
    "skipped_types",
    "balanced",
    "warning_counts",
)


@dataclass(frozen=True)
class StoreSource:
    """What a store URL loaded: the combined portal, each portal's snapshot, their last runs."""

    url: str
    portal: Portal
    snapshots: dict[str, StoredSnapshot]
    run_status: dict[str, str | None]


def is_store_url(source: str) -> bool:
    """True for a database URL (sqlite:…, postgresql…): a store, not a file or a portal."""
    return str(source).startswith(STORE_PREFIXES)


def read_store_source(url: str, portals: Sequence[str] | None = None) -> StoreSource:
    """The newest complete snapshot of each named portal (default all) at the store URL."""
    path = sqlite_file(url)
    if path is not None and not path.exists():  # opening would create an empty store
        raise StoreError(f"store {safe_url(url)} does not exist")
    wanted = list(dict.fromkeys(portals)) if portals else None
    with open_store(url) as store:
        known = store.latest_snapshot_ids()
        if not known:
            raise StoreError(f"store {safe_url(url)} holds no complete portal snapshot yet")
        missing = [name for name in wanted or () if name not in known]
        if missing:
            raise StoreError(
                f"store {safe_url(url)} has no snapshot of portal {', '.join(missing)} "
                f"(portals with one: {', '.join(sorted(known))})"
            )
        snapshots = store.read_snapshots(wanted)
        status = store.portal_status()
    runs = dict(zip(status["name"], status["last_run_status"], strict=True))
    return StoreSource(
        url=safe_url(url),
        portal=combine_portals({name: s.portal for name, s in snapshots.items()}, safe_url(url)),
        snapshots=snapshots,
        run_status={name: (None if pd.isna(runs.get(name)) else runs[name]) for name in snapshots},
    )


def load_store_source(url: str, portals: Sequence[str] | None = None) -> Portal:
    """The named portals' newest complete snapshots at the store URL, as one Portal."""
    return read_store_source(url, portals).portal


def combine_portals(named: dict[str, Portal], where: str) -> Portal:
    """Several portals as one: frames stacked with a `portal` column, reports combined."""
    names = sorted(named)
    parts = [named[n] for n in names]
    return Portal(
        sessions=_stack(named, "sessions", SESSION_DTYPES),
        trainings=_stack(named, "trainings", TRAINING_DTYPES),
        tutors=_stack(named, "tutors", TUTOR_DTYPES),
        quality=combine_reports([p.quality for p in parts]),
        origin=f"{where} ({', '.join(names)})",
        fetched_at=min(p.fetched_at for p in parts),  # as old as its oldest part
        complete=all(p.complete for p in parts),
        is_demo=all(p.is_demo for p in parts),
    )


def check_summary(source: StoreSource) -> dict[str, Any]:
    """`check --json` of a store: the combined report's keys as totals, then each portal's."""
    out = source.portal.quality.to_dict()
    out["portals"] = []
    for name, snap in source.snapshots.items():
        report = snap.portal.quality.to_dict()
        out["portals"].append(
            {
                "name": name,
                "snapshot_id": snap.snapshot_id,
                "snapshot_at": snap.fetched_at.isoformat(),
                "status": source.run_status.get(name),
                **{key: report[key] for key in PORTAL_COUNT_KEYS},
                "rejected": len(snap.portal.quality.rejected),
                "warnings": len(snap.portal.quality.warnings),
            }
        )
    return out


def check_text(source: StoreSource) -> str:
    """`check` of a store: the combined report, then one line per portal."""
    lines = [
        f"portal {name}: snapshot of {snap.fetched_at:%Y-%m-%d %H:%M:%S} UTC "
        f"(last sync: {source.run_status.get(name) or 'none'}): "
        f"{snap.portal.quality.summary_text()}"
        for name, snap in source.snapshots.items()
    ]
    return source.portal.quality.check_text() + "\n".join(lines) + "\n"


def _stack(named: dict[str, Portal], frame: str, dtypes: FrameSchema) -> pd.DataFrame:
    """One frame of every portal, stacked in name order, with the portal's name in front."""
    parts = [getattr(named[name], frame).assign(**{PORTAL_COLUMN: name}) for name in sorted(named)]
    out = pd.concat(parts, ignore_index=True)
    out[PORTAL_COLUMN] = out[PORTAL_COLUMN].astype("str")
    columns = [PORTAL_COLUMN, *dtypes]
    out = out[columns]
    for column, dtype in dtypes.items():  # concat keeps dtypes; an all-empty part may not
        if str(out[column].dtype) != str(dtype):
            out[column] = out[column].astype(dtype)
    return out
