"""Engines for each backend and the write transaction every change to the store runs in."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

SQLITE_BUSY_MS = 30_000
# A PostgreSQL host that does not answer (down, firewalled, cut off) fails a connection in this
# many seconds instead of waiting on TCP for minutes; a connect_timeout in the URL wins.
PG_CONNECT_TIMEOUT_S = 10
# Execution option read by the SQLite "begin" hook: which BEGIN a transaction starts with.
BEGIN_OPTION = "lu_sqlite_begin"


def create_engine(url: str | sa.URL) -> Engine:
    """An engine for the URL: SQLite tuned for one writer and many readers, else pre-pinged."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    args: dict[str, object] = {}
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    return sa.create_engine(parsed, pool_pre_ping=True, connect_args=args)


def sqlite_file(url: str | sa.URL) -> Path | None:
    """The database file of an SQLite URL (plain or `file:` URI), None for memory or others."""
    parsed = sa.make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        path = database.removeprefix("file:").split("?", 1)[0]
        return None if path in ("", ":memory:") else Path(path).expanduser()
    return Path(database).expanduser()


def is_read_only(url: str | sa.URL) -> bool:
    """True for an SQLite URL opened read-only (`?mode=ro` with `uri=true`)."""
    parsed = sa.make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.query.get("mode") == "ro"


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction that writes: all of it is committed or none (raise inside to roll back).

    On SQLite it starts with BEGIN IMMEDIATE, taking the write lock first, so two writers
    queue on the busy timeout instead of one failing when its read lock cannot be upgraded.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.execution_options(**{BEGIN_OPTION: "BEGIN IMMEDIATE"})
        with conn.begin():
            yield conn


def _sqlite_engine(url: sa.URL) -> Engine:
    """An SQLite engine with its folder created, WAL (readers never block the writer), FKs on.

    pysqlite's own transaction handling neither begins before DDL nor lets a transaction say
    IMMEDIATE, so the driver is left in autocommit and SQLAlchemy's begin emits BEGIN itself:
    a migration or a snapshot then commits whole or not at all.
    """
    path = sqlite_file(url)
    read_only = is_read_only(url)
    if path is not None and not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: object, _record: object) -> None:
        dbapi_conn.isolation_level = None  # type: ignore[attr-defined]
        cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
        cur.execute("PRAGMA foreign_keys=ON")
        if path is not None and not read_only:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get(BEGIN_OPTION, "BEGIN"))

    return engine


def insert_ignore(conn: Connection, table: sa.Table) -> sa.Insert:
    """INSERT … ON CONFLICT DO NOTHING for the connection's dialect."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()
    raise ValueError(f"store: unsupported database {conn.dialect.name}")
