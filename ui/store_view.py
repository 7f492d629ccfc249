"""The store behind the dashboard: one open store and syncer per server, the latest snapshots
of the configured portals as one view, and what each portal's last sync said."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from lu_data.model.portal import Portal
from lu_data.model.portals import combine_portals
from lu_data.sources.api_settings import PortalConfig
from lu_data.store.store import Store, StoreError, default_url, open_store, safe_url
from lu_data.sync.syncer import Syncer

FIRST_SYNC_TEXT = "Fetching sessions from LearnUpon for the first time…"
FIRST_SYNC_POLL_SECONDS = 0.3  # how often the first viewer's wait looks for the first snapshot
STORE_ERRORS = (StoreError, sa.exc.SQLAlchemyError, OSError)


@st.cache_resource(max_entries=4, on_release=lambda syncer: syncer.stop())
def background_syncer(store_url: str) -> Syncer:
    """The one syncer of this server process for a store, started on first use.

    Page runs never call LearnUpon: this thread fetches each portal once per period into the
    store (sharing the period with every other process on the same store), and pages read it.
    """
    syncer = Syncer(open_store=lambda: open_store(store_url), configs=())
    syncer.start()
    return syncer


def syncer_for(store_url: str, configs: tuple[PortalConfig, ...]) -> Syncer:
    """The store's syncer, following the settings: changed keys are used from the next round."""
    syncer = background_syncer(store_url)
    if tuple(syncer.configs) != configs:
        changed = bool(syncer.configs)  # not on the first page run of this process
        syncer.configs = configs
        if changed:
            syncer.request()
    return syncer


@st.cache_resource(max_entries=4, on_release=lambda store: store.close())
def shared_store(store_url: str) -> Store:
    """One open store (and its connection pool) per URL for the whole server."""
    return open_store(store_url)


@st.cache_resource(max_entries=4, show_spinner=False)
def snapshot_portal(store_url: str, snapshot_ids: tuple[tuple[str, int], ...]) -> Portal:
    """The portals' latest snapshots as one Portal, read once per set of snapshot ids."""
    store = shared_store(store_url)
    stored = store.read_snapshots_by_id(sid for _, sid in snapshot_ids)
    names = [name for name, _ in snapshot_ids]
    if set(stored) != set(names):  # pruned since its id was read: the newest instead
        stored = store.read_snapshots(names)
    return combine_portals({n: s.portal for n, s in stored.items()}, safe_url(store_url))


@dataclass
class StoreView:
    """What the store holds for the configured portals right now, for one page run."""

    portal: Portal | None
    snapshot_ids: tuple[tuple[str, int], ...]
    notes: list[str]
    error: str | None
    syncing: tuple[str, ...] = ()
    store_down: bool = False  # the store could not be read: what shows is kept or nothing


@st.cache_resource
def last_good_views() -> dict[str, StoreView]:
    """Per store URL, the last view read: what pages show while the store is unreachable."""
    return {}


def load_store_view(configs: tuple[PortalConfig, ...], *, refresh: bool = False) -> StoreView:
    """The latest complete snapshots of the portals; waits only when none was ever written."""
    url = default_url()
    try:
        shared_store(url)  # opened (and migrated) before the syncer opens it too
    except STORE_ERRORS as exc:
        return StoreView(None, (), [], f"The data store cannot be opened: {exc}", store_down=True)
    syncer = syncer_for(url, configs)
    if refresh:
        syncer.request()  # returns at once: the syncer fetches, this run reads what is there
    names = [c.name for c in configs]
    try:
        looked = datetime.now(UTC)  # before the read: a sync landing after it answers the wait
        ids = snapshot_ids(url, names)
        if _unsettled(url, names, ids, looked, retry=not ids):
            ids = _wait_for_first_sync(url, names, syncer, looked, retry=not ids)
        if not ids:
            return StoreView(None, (), [], _failure_text(url, names))
        view = StoreView(
            snapshot_portal(url, ids),
            ids,
            _status_notes(url, names),
            None,
            syncing=tuple(sorted(syncer.fetching)),
        )
    except STORE_ERRORS as exc:
        kept = last_good_views().get(url)
        if kept is None:
            return StoreView(None, (), [], f"The data store is unreachable: {exc}", store_down=True)
        note = f"The data store is unreachable ({exc}); showing the data already loaded."
        return StoreView(kept.portal, kept.snapshot_ids, [note], None, store_down=True)
    last_good_views()[url] = view
    return view


def last_sync_statuses() -> dict[str, str | None]:
    """Each stored portal's last sync status ("ok", "failed", …); empty when unreachable."""
    try:
        status = shared_store(default_url()).portal_status()
    except STORE_ERRORS:
        return {}
    return {
        str(name): None if pd.isna(run) else str(run)
        for name, run in zip(status["name"], status["last_run_status"], strict=True)
    }


def snapshot_ids(url: str, names: list[str]) -> tuple[tuple[str, int], ...]:
    """(name, newest complete snapshot id) of each configured portal that has one."""
    latest = shared_store(url).latest_snapshot_ids()
    return tuple((n, latest[n]) for n in names if n in latest)


def _wait_for_first_sync(
    url: str, names: list[str], syncer: Syncer, asked: datetime, *, retry: bool
) -> tuple[tuple[str, int], ...]:
    """A viewer waits, with a progress bar, until every configured portal's first sync lands.

    Waiting for all of them, not the first to land, keeps a first view from showing one portal's
    sessions as if they were everything. With `retry` (no portal has data yet) it asks for a sync,
    so a portal that failed before (say, a password since corrected) is tried again now rather
    than its old error shown; many viewers asking is still one fetch. `asked` is when the viewer
    looked: a sync finishing after that answers it, even one that landed before this request.
    """
    syncer.request(asked)
    bar = st.progress(0.0, text=FIRST_SYNC_TEXT)
    try:
        while True:
            ids = snapshot_ids(url, names)
            if not _unsettled(url, names, ids, asked, retry=retry):
                return ids
            done = sum(d for d, _, _ in syncer.progress.values())
            total = sum(t for _, t, _ in syncer.progress.values())
            bar.progress(
                min(done / total, 1.0) if total else 0.0,
                text=f"Fetching from LearnUpon: {done}/{total}" if total else FIRST_SYNC_TEXT,
            )
            time.sleep(FIRST_SYNC_POLL_SECONDS)
    finally:
        bar.empty()


def _unsettled(
    url: str,
    names: list[str],
    ids: tuple[tuple[str, int], ...],
    asked: datetime,
    *,
    retry: bool,
) -> list[str]:
    """Configured portals with no snapshot whose sync has not yet ended in a failure.

    With `retry`, only a failure that finished after `asked` counts: an old one is retried.
    Otherwise any finished failure does, so a portal whose keys are wrong never makes each page
    run wait for another attempt; its reason shows beside the other portals' data.
    """
    have = {name for name, _ in ids}
    store = shared_store(url)
    waiting: list[str] = []
    for name in names:
        if name in have:
            continue
        run = store.last_run(name)
        if run is None or run.status != "failed" or run.finished_at is None:
            waiting.append(name)  # never tried, or its sync is under way
        elif retry and run.finished_at < asked:
            waiting.append(name)
    return waiting


def _failure_text(url: str, names: list[str]) -> str:
    """Why no portal has data: each portal's last error."""
    store = shared_store(url)
    reasons = []
    for name in names:
        run = store.last_run(name)
        reasons.append(f"{name}: {run.error if run and run.error else 'not fetched yet'}")
    return "; ".join(reasons)


def _status_notes(url: str, names: list[str]) -> list[str]:
    """Each failed portal's reason, with the age of what is shown instead."""
    notes: list[str] = []
    status = shared_store(url).portal_status()
    for row in status.to_dict("records"):
        name, error, at = str(row["name"]), row["last_error"], row["snapshot_fetched_at"]
        if name in names and row["last_run_status"] == "failed" and isinstance(error, str):
            shown = (
                f" Showing data as of {at:%d %b %Y %H:%M} UTC." if isinstance(at, datetime) else ""
            )
            notes.append(f"Refresh failed for {name}: {error.rstrip('.')}.{shown}")
    return notes
