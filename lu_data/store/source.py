"""A store URL as a source: the newest complete snapshot of one or more portals, as one Portal.

For `lu-data check` and `export` (the model layer must not reach the store, so the command line
dispatches here). Several portals are stacked (`model.portals.combine_portals`): every frame has
its `portal` column, and keys are qualified by the portal, since they are unique within one only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lu_data.model.portal import Portal
from lu_data.model.portals import combine_portals, portal_counts
from lu_data.presentation.session_text import warning_sessions
from lu_data.store.engine import sqlite_file
from lu_data.store.errors import StoreError, safe_url
from lu_data.store.snapshots import StoredSnapshot
from lu_data.store.store import open_store

__all__ = ["combine_portals"]  # re-exported: the store's readers combine what they read


@dataclass(frozen=True)
class StoreSource:
    """What a store URL loaded: the combined portal, each portal's snapshot, their last runs."""

    url: str
    portal: Portal
    snapshots: dict[str, StoredSnapshot]
    run_status: dict[str, str | None]


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


def check_summary(source: StoreSource) -> dict[str, Any]:
    """`check --json` of a store: the combined report's keys as totals, then each portal's."""
    out = source.portal.quality.to_dict(
        warning_sessions(source.portal.quality.warnings, source.portal.sessions)
    )
    out["portals"] = []
    for name, snap in source.snapshots.items():
        out["portals"].append(
            {
                "name": name,
                "snapshot_id": snap.snapshot_id,
                "snapshot_at": snap.fetched_at.isoformat(),
                "status": source.run_status.get(name),
                **portal_counts(snap.portal.quality),
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
