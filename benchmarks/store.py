"""The store: writing and reading a whole-portal snapshot, against normalising the raw JSON.

The dashboard is to read snapshots a syncer wrote instead of normalising a portal itself, so
the figure that matters is read_snapshot beside load_portal on the same records: a read must
be far cheaper than the normalising it replaces. Write time includes the enrolment-history rows
written in the same transaction (each write here is a new fetch two hours after the last).
SQLite always; PostgreSQL when LU_BENCH_PG_URL names a database (a portal of a fresh name is
written, then deleted with its history rows), otherwise reported as skipped.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.harness import Report, log, median, size_label, timed
from lu_data import load_portal
from lu_data.sources.files import read_path
from lu_data.store.store import open_store

PG_URL_ENV = "LU_BENCH_PG_URL"
PG_KEYS = (
    "store_pg_write_s",
    "store_pg_read_s",
    "store_pg_read_vs_load",
    "store_pg_snapshot_bytes",
)


def measure_store(report: Report, n: int, path: Path, repeats: int, *, with_pg: bool) -> None:
    """Snapshot write, size and read on SQLite (and PostgreSQL), beside load_portal."""
    raw = read_path(path, lean=True)
    note = f"at {size_label(n)} sessions"
    load_runs: list[float] = []
    portal: Any = None
    for _ in range(repeats):
        seconds, portal = timed(lambda: load_portal(raw))
        load_runs.append(seconds)
    raw = None  # the records must not weigh on the timings below
    load_s = median(load_runs)
    report.add("store_load_s", load_s, "s", runs=load_runs, note=f"load_portal {note}")
    with tempfile.TemporaryDirectory(prefix="lu-bench-store-") as tmp:
        db = Path(tmp) / "store.sqlite3"
        url = f"sqlite:///{db}"
        with open_store(url, keep=repeats + 1) as store:
            empty = _sqlite_bytes(store)
            write_runs, read_runs = _write_and_read(store, "bench", portal, repeats)
            size = (_sqlite_bytes(store) - empty) / repeats
            payload = _payload_bytes(store)
    write_s, read_s = median(write_runs), median(read_runs)
    report.add("store_write_s", write_s, "s", runs=write_runs, note=f"SQLite, {note}")
    report.add("store_read_s", read_s, "s", runs=read_runs, note=f"SQLite, {note}")
    report.add("store_snapshot_bytes", size, "B", note=f"SQLite file growth per write, {note}")
    report.add("store_payload_bytes", payload, "B", note="Arrow blobs of one snapshot")
    report.add("store_read_vs_load", read_s / load_s, "x", note="read_snapshot / load_portal")
    report.add("store_write_vs_load", write_s / load_s, "x", note="write_snapshot / load_portal")
    pg_url = os.environ.get(PG_URL_ENV, "").strip()
    if not (with_pg and pg_url):
        for key in PG_KEYS:
            report.add(key, None, "x" if key.endswith("_load") else "s", note="skipped")
        return
    log("store on PostgreSQL")
    name = f"lu-bench-{uuid.uuid4().hex[:8]}"
    with open_store(pg_url, keep=repeats + 1) as store:
        try:
            empty = _pg_bytes(store)
            pg_write, pg_read = _write_and_read(store, name, portal, repeats)
            pg_size = (_pg_bytes(store) - empty) / repeats
        finally:  # leave the database as it was: the portal (cascading) and its history
            with store.engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM portals WHERE name = :n"), {"n": name})
                conn.execute(sa.text("DELETE FROM fetches WHERE origin = :o"), {"o": portal.origin})
    report.add("store_pg_write_s", median(pg_write), "s", runs=pg_write, note=f"PG, {note}")
    report.add("store_pg_read_s", median(pg_read), "s", runs=pg_read, note=f"PG, {note}")
    report.add("store_pg_read_vs_load", median(pg_read) / load_s, "x")
    report.add("store_pg_snapshot_bytes", pg_size, "B", note=f"database growth per write, {note}")


def _write_and_read(
    store: Any, name: str, portal: Any, repeats: int
) -> tuple[list[float], list[float]]:
    """Time `repeats` snapshot writes (each a later fetch) and as many reads of the newest."""
    writes, reads = [], []
    for i in range(repeats):
        later = replace(portal, fetched_at=portal.fetched_at + timedelta(hours=2 * (i + 1)))
        writes.append(timed(lambda p=later: store.write_snapshot(name, p))[0])
    for _ in range(repeats):
        seconds, got = timed(lambda: store.read_snapshot(name))
        assert got is not None and len(got.portal.sessions) == len(portal.sessions)
        reads.append(seconds)
    return writes, reads


def _sqlite_bytes(store: Any) -> int:
    """The database file's size with the WAL folded in."""
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(store.engine.url.database)
    return path.stat().st_size + sum(p.stat().st_size for p in path.parent.glob(path.name + "-wal"))


def _pg_bytes(store: Any) -> int:
    """The PostgreSQL database's size on disk."""
    with store.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar())


def _payload_bytes(store: Any) -> int:
    """Bytes of the newest snapshot's frame blobs."""
    frames = ("sessions_frame", "trainings_frame", "tutors_frame")
    frames += ("rejected_frame", "warnings_frame")
    total = " + ".join(f"length({f})" for f in frames)
    query = f"SELECT {total} FROM portal_snapshots ORDER BY snapshot_id DESC LIMIT 1"
    with store.engine.connect() as conn:
        return int(conn.exec_driver_sql(query).scalar() or 0)
