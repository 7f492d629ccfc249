"""Enrolment history: a snapshot store of every session's enrolment and capacity per fetch.

LMS APIs (LearnUpon's included) return only today's count, so the pace at which a session fills
can only be seen by recording it. Each fetch of a portal is one row in `fetches` (unique on
origin and fetch time, so re-recording the same fetch adds nothing) and one row per upcoming
session in `snapshots`. Embedded SQLite by default; a `postgresql+psycopg://` URL shares one
store between several dashboard instances. The same SQLAlchemy Core code runs on both.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import CreateTable

if TYPE_CHECKING:
    from lu_data.model.loading import Portal

from lu_data.model.schema import HISTORY_DTYPES, UTC_DT, empty_frame
from lu_data.model.timezones import as_utc

URL_ENV = "LU_HISTORY_URL"
DATA_DIR_ENV = "LU_DATA_DIR"
DEFAULT_DATA_DIR = Path("~/.local/share/lu-ilt")
DB_FILE = "history.sqlite3"
# A dashboard reloads every 15 minutes; one snapshot an hour is plenty for a day-by-day curve
# and keeps a large portal's store from growing by millions of rows a day.
MIN_RECORD_GAP = timedelta(hours=1)
SQLITE_BUSY_MS = 30_000
SQLITE_DT_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
PG_MIGRATION_LOCK = 7_041_905  # any constant: serialises schema upgrades across instances
EMPTY_HISTORY_MESSAGE = (
    "No enrolment history yet: it builds up each time data is loaded from a portal, "
    "or run `lu-data record` on a schedule."
)

METADATA = sa.MetaData()
SCHEMA_VERSION = sa.Table(
    "schema_version",
    METADATA,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("description", sa.String(200), nullable=False),
)
FETCHES = sa.Table(
    "fetches",
    METADATA,
    sa.Column("fetch_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("origin", sa.String(500), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sessions", sa.Integer, nullable=False),
    sa.UniqueConstraint("origin", "recorded_at", name="uq_fetches_origin_recorded_at"),
)
SNAPSHOTS = sa.Table(
    "snapshots",
    METADATA,
    sa.Column(
        "fetch_id",
        sa.Integer,
        sa.ForeignKey("fetches.fetch_id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("session_key", sa.String(200), primary_key=True),
    sa.Column("training_key", sa.String(200), nullable=False),
    sa.Column("start_utc", sa.DateTime(timezone=True), nullable=False),
    sa.Column("max_capacity", sa.Integer, nullable=True),
    sa.Column("enrolled", sa.Integer, nullable=True),
)
# Version 2: looking up one session's history (the page's chart) must not scan every fetch.
SESSION_INDEX = sa.Index("ix_snapshots_session_key", SNAPSHOTS.c.session_key)


def _create_tables_v1(conn: Connection) -> None:
    """Version 1: the fetches and snapshots tables (no secondary indexes yet)."""
    for table in (FETCHES, SNAPSHOTS):
        # CreateTable alone, not table.create(): that would also add later versions' indexes.
        conn.execute(CreateTable(table, if_not_exists=True))


def _index_session_key_v2(conn: Connection) -> None:
    """Version 2: index snapshots by session_key."""
    SESSION_INDEX.create(conn, checkfirst=True)


@dataclass(frozen=True)
class Upgrade:
    """One ordered schema step; `apply` runs inside the upgrade transaction."""

    version: int
    description: str
    apply: Callable[[Connection], None]


UPGRADES: list[Upgrade] = [
    Upgrade(1, "create fetches and snapshots", _create_tables_v1),
    Upgrade(2, "index snapshots by session_key", _index_session_key_v2),
]
LATEST_VERSION = UPGRADES[-1].version


def default_url(env: dict[str, str] | None = None) -> str:
    """LU_HISTORY_URL, else an SQLite file in LU_DATA_DIR (default ~/.local/share/lu-ilt)."""
    env = dict(os.environ) if env is None else env
    if env.get(URL_ENV, "").strip():
        return env[URL_ENV].strip()
    folder = Path(env.get(DATA_DIR_ENV, "").strip() or DEFAULT_DATA_DIR).expanduser()
    return f"sqlite:///{folder / DB_FILE}"


def clean_origin(origin: str) -> str:
    """The origin as stored: a URL loses user:password, query and fragment; text stays as is."""
    parts = urlsplit(origin)
    if not parts.scheme or not parts.netloc:
        return origin
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def safe_url(url: str | sa.URL) -> str:
    """A database URL for messages, with any password masked."""
    return sa.make_url(url).render_as_string(hide_password=True)


class HistoryStore:
    """An open snapshot store; `record` portals in, read `history` out, then `close`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def url(self) -> str:
        """The database URL with the password masked."""
        return safe_url(self.engine.url)

    def schema_version(self) -> int:
        """The schema version this store is at."""
        with self.engine.connect() as conn:
            return current_version(conn)

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
        origin = clean_origin(origin)
        at = as_utc(recorded_at).to_pydatetime()
        upcoming = _upcoming(sessions, at)
        with self.engine.begin() as conn:
            if min_gap and _recorded_within(conn, origin, at, min_gap):
                return 0
            insert = (
                _insert_ignore(conn, FETCHES)
                .values(
                    origin=origin,
                    recorded_at=at,
                    written_at=datetime.now(UTC),
                    sessions=len(upcoming),
                )
                .returning(FETCHES.c.fetch_id)  # no row back when the fetch is already stored
            )
            fetch_id = conn.execute(insert).scalar_one_or_none()
            if fetch_id is None:
                return 0
            _bulk_insert(conn, _snapshot_rows(upcoming, fetch_id))
        return len(upcoming)

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
        with self.engine.connect() as conn:
            result = conn.execute(query)
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        return history_frame(frame)

    def origins(self) -> list[str]:
        """Every origin recorded, for a picker or a check."""
        with self.engine.connect() as conn:
            query = sa.select(FETCHES.c.origin).distinct().order_by(FETCHES.c.origin)
            return list(conn.execute(query).scalars())

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(url: str | None = None, *, upto: int | None = None) -> HistoryStore:
    """Open (creating and upgrading as needed) the store at url, LU_HISTORY_URL or the default.

    `upto` stops the upgrade at an older version; only tests of the upgrade path need it.
    """
    url = url or default_url()
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed)
    else:
        engine = sa.create_engine(parsed, pool_pre_ping=True)
    try:
        upgrade_schema(engine, upto)
    except Exception:
        engine.dispose()
        raise
    return HistoryStore(engine)


def record_safely(portal: Portal, url: str | None = None) -> tuple[int, str | None]:
    """Record a freshly loaded portal; return (rows added, error text) and never raise.

    For the dashboard: a store that is unreachable must not take the page down.
    """
    try:
        with open_store(url) as store:
            return store.record(portal), None
    except (sa.exc.SQLAlchemyError, OSError, ImportError) as exc:
        return 0, f"Enrolment history not recorded: {type(exc).__name__}"


def current_version(conn: Connection) -> int:
    """The highest applied schema version (0 for an empty database)."""
    if not sa.inspect(conn).has_table(SCHEMA_VERSION.name):
        return 0
    return int(conn.execute(sa.select(sa.func.max(SCHEMA_VERSION.c.version))).scalar() or 0)


def upgrade_schema(engine: Engine, upto: int | None = None) -> int:
    """Apply every pending upgrade step in order, in one transaction; return the version."""
    target = LATEST_VERSION if upto is None else upto
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two instances starting together must not both run the same step.
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(PG_MIGRATION_LOCK)))
        conn.execute(CreateTable(SCHEMA_VERSION, if_not_exists=True))
        version = current_version(conn)
        for step in UPGRADES:
            if version < step.version <= target:
                step.apply(conn)
                conn.execute(
                    SCHEMA_VERSION.insert().values(
                        version=step.version,
                        applied_at=datetime.now(UTC),
                        description=step.description,
                    )
                )
                version = step.version
    return version


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


def _insert_ignore(conn: Connection, table: sa.Table) -> sa.Insert:
    """INSERT … ON CONFLICT DO NOTHING for the connection's dialect."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()
    raise ValueError(f"history store: unsupported database {conn.dialect.name}")


def _sqlite_engine(url: sa.URL) -> Engine:
    """An SQLite engine with its folder created, WAL (readers never block the writer), FKs on."""
    if url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: object, _record: object) -> None:
        cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
        cur.execute("PRAGMA foreign_keys=ON")
        if url.database and url.database != ":memory:":
            cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    return engine
