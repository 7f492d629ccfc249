"""The store: enrolment history per fetch, and complete snapshots of every portal.

LMS APIs (LearnUpon's included) return only today's count, so the pace at which a session fills
can only be seen by recording it. Each fetch of a portal is one row in `fetches` (unique on
origin and fetch time, so re-recording the same fetch adds nothing) and one row per upcoming
session in `snapshots`. Beside that history, `portal_snapshots` keeps the last few complete
normalised portals (frames as Arrow blobs), written by a syncer and read by the dashboard, with
`portals` and `sync_runs` saying what was fetched when and how it went. Embedded SQLite by
default; a `postgresql+psycopg://` URL shares one store between several instances. The same
SQLAlchemy Core code runs on both; Alembic revisions (lu_data.store.migrate) upgrade on open.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:
    from lu_data.model.portal import Portal

from lu_data.model.portals import renamed
from lu_data.model.schema import HISTORY_DTYPES, UTC_DT, empty_frame
from lu_data.model.timezones import as_utc
from lu_data.store import snapshots as snap
from lu_data.store.engine import create_engine, insert_ignore, write_transaction
from lu_data.store.errors import StoreError, safe_url, translated_errors
from lu_data.store.locks import opening_lock, sync_lock
from lu_data.store.migrate import PG_MIGRATION_LOCK, current_revision, head_revision, upgrade_schema
from lu_data.store.settings import MIN_RECORD_GAP, default_url
from lu_data.store.snapshots import StoredSnapshot, SyncRun
from lu_data.store.sql_tables import FETCHES, SNAPSHOTS

__all__ = [
    "HISTORY_DTYPES",
    "PG_MIGRATION_LOCK",
    "HistoryStore",
    "Store",
    "StoreError",
    "StoredSnapshot",
    "SyncRun",
    "clean_origin",
    "default_url",
    "history_frame",
    "keep_snapshots",
    "open_store",
    "record_safely",
    "safe_url",
]

KEEP_ENV = "LU_KEEP_SNAPSHOTS"
DEFAULT_KEEP = 3
SQLITE_DT_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def keep_snapshots(env: dict[str, str] | None = None) -> int:
    """How many complete snapshots each portal keeps: LU_KEEP_SNAPSHOTS (at least 1), else 3."""
    env = dict(os.environ) if env is None else env
    text = env.get(KEEP_ENV, "").strip()
    if not text:
        return DEFAULT_KEEP
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{KEEP_ENV} must be a whole number, not {text!r}") from None
    if value < 1:
        raise ValueError(f"{KEEP_ENV} must be at least 1")
    return value


def clean_origin(origin: str) -> str:
    """The origin as stored: a URL loses user:password, query and fragment; text stays as is."""
    parts = urlsplit(origin)
    if not parts.scheme or not parts.netloc:
        return origin
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class Store:
    """An open store: portal snapshots and sync runs in, snapshots and history out; `close`."""

    def __init__(self, engine: Engine, *, keep: int | None = None) -> None:
        self.engine = engine
        self.keep = keep_snapshots() if keep is None else max(1, keep)

    @property
    def url(self) -> str:
        """The database URL with the password masked."""
        return safe_url(self.engine.url)

    def revision(self) -> str | None:
        """The Alembic revision this store is at."""
        with self._errors(), self.engine.connect() as conn:
            return current_revision(conn)

    # --- portals, sync runs, snapshots ------------------------------------------------------

    def start_run(self, name: str, base_url: str, *, holder: str | None = None) -> int:
        """Save the portal (base URL without credentials) and open a running sync; its run_id.

        The run names the process running it (`holder`, by default this one's
        "hostname:pid"), so whoever holds a portal's sync can be told among many processes.
        """
        with self._errors(), write_transaction(self.engine) as conn:
            snap.save_portal(conn, name, clean_origin(base_url), replace=True)
            return snap.insert_run(conn, name, snap.this_process() if holder is None else holder)

    def finish_run(
        self, run_id: int, *, status: str, sessions: int | None = None, error: str | None = None
    ) -> None:
        """End a sync run: status ok or failed, its session count, the error text (no secrets)."""
        with self._errors(), write_transaction(self.engine) as conn:
            snap.update_run(conn, run_id, status=status, sessions=sessions, error=error)

    def last_run(self, name: str) -> SyncRun | None:
        """The portal's newest sync run, so a syncer can tell whether a fetch is due."""
        with self._errors(), self.engine.connect() as conn:
            return snap.select_last_run(conn, name)

    def write_snapshot(self, name: str, portal: Portal, *, run_id: int | None = None) -> int:
        """Store the whole portal and its enrolment history in one transaction; the snapshot_id.

        Readers see the previous snapshot until this commits, and never part of this one. The
        portal's oldest complete snapshots beyond the store's `keep` go in the same transaction;
        history rows stay. Every frame's portal column is written as `name`.
        """
        portal = renamed(portal, name)
        with self._errors(), write_transaction(self.engine) as conn:
            snap.save_portal(conn, name, clean_origin(portal.origin), replace=False)
            snapshot_id = snap.insert_snapshot(conn, name, portal, run_id)
            _record_in(
                conn,
                portal.sessions,
                origin=clean_origin(portal.origin),
                at=as_utc(portal.fetched_at).to_pydatetime(),
                min_gap=MIN_RECORD_GAP,
            )
            snap.apply_retention(conn, name, self.keep)
        return snapshot_id

    def latest_snapshot_ids(self) -> dict[str, int]:
        """Portal name -> newest complete snapshot id: cheap enough to poll every few seconds."""
        with self._errors(), self.engine.connect() as conn:
            return snap.select_latest_ids(conn)

    def read_snapshot(self, name: str) -> StoredSnapshot | None:
        """The portal's newest complete snapshot, frames in their declared dtypes; None if none."""
        return self.read_snapshots([name]).get(name)

    def read_snapshots(self, names: Iterable[str] | None = None) -> dict[str, StoredSnapshot]:
        """The newest complete snapshot of each portal (every portal when names is None)."""
        with self._errors(), self.engine.connect() as conn:
            return snap.select_snapshots(conn, None if names is None else list(names))

    def read_snapshots_by_id(self, ids: Iterable[int]) -> dict[str, StoredSnapshot]:
        """The complete snapshots with these ids, by portal name."""
        with self._errors(), self.engine.connect() as conn:
            return snap.select_snapshots(conn, None, list(ids))

    def portal_status(self) -> pd.DataFrame:
        """One row per portal: last run status, times, error and holder; newest snapshot."""
        with self._errors(), self.engine.connect() as conn:
            return snap.select_status(conn)

    @contextlib.contextmanager
    def sync_lock(self, name: str) -> Iterator[bool]:
        """Try, without waiting, to lock the portal for a sync across processes: yields held.

        A store that cannot be reached raises StoreError, as every other method does.
        """
        with self._errors(), sync_lock(self.engine, name) as held:
            yield held

    # --- enrolment history --------------------------------------------------------------------

    def record(self, portal: Portal, *, min_gap: timedelta | None = MIN_RECORD_GAP) -> int:
        """Record the portal's upcoming sessions at its fetch time; return the rows added.

        Adds nothing when this fetch (origin, fetched_at) is already stored, or when the same
        origin was recorded less than `min_gap` before it.
        """
        return self.record_sessions(
            portal.sessions,
            origin=portal.origin,
            recorded_at=portal.fetched_at,
            min_gap=min_gap,
        )

    def record_sessions(
        self,
        sessions: pd.DataFrame,
        *,
        origin: str,
        recorded_at: datetime,
        min_gap: timedelta | None = MIN_RECORD_GAP,
    ) -> int:
        """Record a sessions frame as seen at `recorded_at` from `origin`; return rows added."""
        at = as_utc(recorded_at).to_pydatetime()
        with self._errors(), write_transaction(self.engine) as conn:
            return _record_in(conn, sessions, origin=clean_origin(origin), at=at, min_gap=min_gap)

    def history(
        self,
        session_keys: Iterable[str] | None = None,
        since: datetime | None = None,
        origin: str | None = None,
    ) -> pd.DataFrame:
        """Snapshots (session_key, training_key, recorded_at, start_utc, max_capacity, enrolled)."""
        # Timestamps come back raw and are parsed once, vectorised, in history_frame.
        query = sa.select(
            SNAPSHOTS.c.session_key,
            SNAPSHOTS.c.training_key,
            sa.type_coerce(FETCHES.c.recorded_at, sa.String).label("recorded_at"),
            sa.type_coerce(SNAPSHOTS.c.start_utc, sa.String).label("start_utc"),
            SNAPSHOTS.c.max_capacity,
            SNAPSHOTS.c.enrolled,
        ).join(FETCHES, FETCHES.c.fetch_id == SNAPSHOTS.c.fetch_id)
        if session_keys is not None:
            query = query.where(SNAPSHOTS.c.session_key.in_(list(session_keys)))
        if since is not None:
            query = query.where(FETCHES.c.recorded_at >= as_utc(since).to_pydatetime())
        if origin is not None:
            query = query.where(FETCHES.c.origin == clean_origin(origin))
        query = query.order_by(SNAPSHOTS.c.session_key, FETCHES.c.recorded_at)
        with self._errors(), self.engine.connect() as conn:
            result = conn.execute(query)
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        return history_frame(frame)

    def origins(self) -> list[str]:
        """Every origin recorded, for a picker or a check."""
        with self._errors(), self.engine.connect() as conn:
            query = sa.select(FETCHES.c.origin).distinct().order_by(FETCHES.c.origin)
            return list(conn.execute(query).scalars())

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def _errors(self) -> contextlib.AbstractContextManager[None]:
        """Database and file errors inside the block become one StoreError naming this store."""
        return translated_errors(self.engine.url)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


HistoryStore = Store  # the name from before the store held snapshots


def open_store(
    url: str | None = None, *, upto: str | None = None, keep: int | None = None
) -> Store:
    """Open (creating and upgrading as needed) the store at url, LU_STORE_URL or the default.

    `keep` overrides LU_KEEP_SNAPSHOTS. `upto` stops the upgrade at an older Alembic revision;
    only tests of the upgrade path need it. Raises StoreError when the store cannot be opened.
    """
    url = url or default_url()
    with translated_errors(url), opening_lock(url):
        engine = create_engine(url)
        try:
            upgrade_schema(engine, upto)
        except Exception:
            engine.dispose()
            raise
    return Store(engine, keep=keep)


def latest_revision() -> str:
    """The Alembic revision a freshly opened store is at."""
    return head_revision()


def record_safely(portal: Portal, url: str | None = None) -> tuple[int, str | None]:
    """Record a freshly loaded portal; return (rows added, error text) and never raise.

    For the dashboard: a store that is unreachable must not take the page down.
    """
    try:
        with open_store(url) as store:
            return store.record(portal), None
    except StoreError as exc:
        cause = exc.__cause__
        return 0, f"Enrolment history not recorded: {type(cause or exc).__name__}"
    except (sa.exc.SQLAlchemyError, OSError, ImportError) as exc:
        return 0, f"Enrolment history not recorded: {type(exc).__name__}"


def _record_in(
    conn: Connection,
    sessions: pd.DataFrame,
    *,
    origin: str,
    at: datetime,
    min_gap: timedelta | None,
) -> int:
    """Add one fetch's upcoming sessions to the history on conn; return the rows added."""
    upcoming = _upcoming(sessions, at)
    if min_gap and _recorded_within(conn, origin, at, min_gap):
        return 0
    insert = (
        insert_ignore(conn, FETCHES)
        .values(origin=origin, recorded_at=at, written_at=datetime.now(UTC), sessions=len(upcoming))
        .returning(FETCHES.c.fetch_id)  # no row back when the fetch is already stored
    )
    fetch_id = conn.execute(insert).scalar_one_or_none()
    if fetch_id is None:
        return 0
    _bulk_insert(conn, _snapshot_rows(upcoming, fetch_id))
    return len(upcoming)


def history_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A history frame with the declared columns and dtypes (timestamps tz-aware UTC)."""
    if frame.empty:
        return empty_frame(HISTORY_DTYPES)
    out = frame.reindex(columns=list(HISTORY_DTYPES)).copy()
    for col in ("recorded_at", "start_utc"):
        # SQLite hands back naive UTC datetimes, PostgreSQL aware ones: both end up UTC.
        out[col] = pd.to_datetime(out[col], utc=True, format="ISO8601").astype(UTC_DT)
    for col in ("max_capacity", "enrolled"):
        out[col] = pd.to_numeric(out[col]).astype("Int64")
    for col in ("session_key", "training_key"):
        out[col] = out[col].astype("str")
    return out.reset_index(drop=True)


def _upcoming(sessions: pd.DataFrame, at: datetime) -> pd.DataFrame:
    """Sessions not yet started at `at`: a started session's curve is complete."""
    upcoming = sessions.loc[(sessions["start_utc"] > pd.Timestamp(at)).fillna(False)]
    return upcoming.drop_duplicates("session_key")


def _snapshot_rows(upcoming: pd.DataFrame, fetch_id: int) -> pd.DataFrame:
    """One fetch's snapshot rows, in SNAPSHOTS column order, start_utc tz-aware UTC."""
    return pd.DataFrame(
        {
            "fetch_id": fetch_id,
            "session_key": upcoming["session_key"].astype("str"),
            "training_key": upcoming["training_key"].fillna(upcoming["session_key"]).astype("str"),
            "start_utc": upcoming["start_utc"].dt.tz_convert(UTC),
            "max_capacity": upcoming["max_capacity"].astype("Int64"),
            "enrolled": upcoming["enrolled"].astype("Int64"),
        }
    )


def _bulk_insert(conn: Connection, rows: pd.DataFrame) -> None:
    """Insert snapshot rows fast: COPY on PostgreSQL, one driver-level executemany on SQLite."""
    if rows.empty:
        return
    columns = list(rows.columns)
    if conn.dialect.name == "sqlite":
        # SQLAlchemy's own SQLite DATETIME text format, so reads and comparisons still match;
        # formatting vectorised here is many times faster than a per-row bind processor.
        text = rows.assign(start_utc=rows["start_utc"].dt.strftime(SQLITE_DT_FORMAT))
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {SNAPSHOTS.name} ({', '.join(columns)}) VALUES ({marks})"
        conn.exec_driver_sql(sql, list(_plain_tuples(text)))
    elif conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        if driver is None:  # pragma: no cover - only a closed connection has no driver
            raise RuntimeError("the PostgreSQL connection is closed")
        cursor = driver.cursor()  # same transaction as conn
        with cursor.copy(f"COPY {SNAPSHOTS.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in _plain_tuples(rows):
                copy.write_row(row)
    else:
        conn.execute(
            SNAPSHOTS.insert(), [dict(zip(columns, r, strict=True)) for r in _plain_tuples(rows)]
        )


def _plain_tuples(rows: pd.DataFrame) -> Iterable[tuple[object, ...]]:
    """Row tuples of plain Python values: drivers reject pandas NA and numpy integers."""
    cols = [rows[c].astype("object").where(rows[c].notna(), None).tolist() for c in rows.columns]
    for i, col in enumerate(cols):
        if rows.dtypes.iloc[i].kind in "iu" or str(rows.dtypes.iloc[i]) == "Int64":
            cols[i] = [None if v is None else int(v) for v in col]
        elif isinstance(rows.dtypes.iloc[i], pd.DatetimeTZDtype):
            cols[i] = [None if v is None else v.to_pydatetime() for v in col]
    return zip(*cols, strict=True)


def _recorded_within(conn: Connection, origin: str, at: datetime, gap: timedelta) -> bool:
    """True when another fetch of origin lies within `gap` before `at` (not `at` itself)."""
    query = sa.select(sa.func.count()).where(
        FETCHES.c.origin == origin,
        FETCHES.c.recorded_at > at - gap,
        FETCHES.c.recorded_at < at,
    )
    return bool(conn.execute(query).scalar())
