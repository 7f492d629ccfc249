"""A non-blocking lock per portal across processes, so two syncers never fetch one portal at once.

PostgreSQL: a session advisory lock on a connection held for the block. SQLite: flock on a
file beside the database. An in-memory database lives in one process: a threading lock. Each
is released when its holder dies (the connection closes, the file descriptor closes).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lu_data.store.engine import sqlite_file

# Keys of sync locks are hashed into this namespace, apart from the migration lock's constant.
LOCK_PREFIX = b"lu-sync-portal:"
_MEMORY_LOCKS: dict[tuple[int, str], threading.Lock] = {}
_MEMORY_GUARD = threading.Lock()


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a portal name (same in every process)."""
    digest = hashlib.blake2b(LOCK_PREFIX + name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_path(database: Path, name: str) -> Path:
    """`<db file>.<name>.lock`, the name quoted so any portal name is one safe file name."""
    return database.with_name(f"{database.name}.{quote(name, safe='')}.lock")


@contextlib.contextmanager
def sync_lock(engine: Engine, name: str) -> Iterator[bool]:
    """Try to take the portal's lock: yield True when held for the block, False when taken."""
    if engine.dialect.name == "postgresql":
        with _pg_lock(engine, lock_key(name)) as held:
            yield held
        return
    database = sqlite_file(engine.url)
    if database is None:
        with _memory_lock(engine, name) as held:
            yield held
        return
    with _file_lock(lock_path(database, name)) as held:
        yield held


@contextlib.contextmanager
def _pg_lock(engine: Engine, key: int) -> Iterator[bool]:
    """pg_try_advisory_lock on a dedicated connection; unlocked before it goes back to the pool.

    When the unlock fails (the server went away during the block), the connection is thrown
    away instead, which ends the lock with the session, and the block's own error, if any, is
    the one raised: a failed unlock must not hide why the block failed.
    """
    with engine.connect() as conn:
        held = bool(conn.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar())
        conn.commit()  # no transaction left open for the block's length
        try:
            yield held
        finally:
            if held:
                _unlock_or_drop(conn, key)


def _unlock_or_drop(conn: sa.Connection, key: int) -> None:
    """pg_advisory_unlock; when that fails, close the session for good so the lock ends."""
    try:
        conn.execute(sa.select(sa.func.pg_advisory_unlock(key)))
        conn.commit()
    except sa.exc.DBAPIError:
        conn.invalidate()  # never back to the pool holding the lock; the server frees it


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    """flock(LOCK_EX | LOCK_NB) on the lock file; the file stays (removing it would race)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _memory_lock(engine: Engine, name: str) -> Iterator[bool]:
    """A threading lock per (engine, portal): each `sqlite://` engine is its own database."""
    with _MEMORY_GUARD:
        lock = _MEMORY_LOCKS.setdefault((id(engine), name), threading.Lock())
    held = lock.acquire(blocking=False)
    try:
        yield held
    finally:
        if held:
            lock.release()


@contextlib.contextmanager
def opening_lock(url: str | sa.URL) -> Iterator[None]:
    """Processes opening one SQLite file take turns: the first creates it, switches it to WAL
    and migrates it; the others then find it ready (SQLite answers "locked" at once, without
    its busy wait, to two connections changing the journal mode together)."""
    database = sqlite_file(url)
    if database is None:
        yield
        return
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(
            database.with_name(f"{database.name}.open.lock"), os.O_RDWR | os.O_CREAT, 0o600
        )
    except OSError:  # a read-only folder: nothing will be migrated there anyway
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
