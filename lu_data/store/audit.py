"""The audit log: each sign-in, refusal, download, merge proposal and draft check, written to
the store every replica shares.

Only the fields named here are written (who, when, what, which view, how many rows, which
process), so no token, cookie or secret can reach the log through a record. A sign-in seen by
several replicas or tabs is one row: it carries a hash of its identity token's issuer, subject
and issue time, unique in the store. `LU_AUDIT_LOG` names a file that also gets every event as
a JSON line (created readable by its owner alone), e.g. for a log shipper.

The store being down never stops a download or a sign-in: events wait in memory (at most
MAX_PENDING, oldest first) and are written with the next event the store takes; past that
bound the oldest go to the server log as warnings, so none is lost silently. After a failed
write the store is left alone for RETRY_SECONDS, so one that does not answer delays at most
the first event (by its connection timeout), not each one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lu_data.store.audit_events import AUDIT_COLUMNS, AuditEvent, insert_audit_events
from lu_data.store.settings import default_url
from lu_data.store.snapshots import this_process
from lu_data.store.store import Store, open_store

AUDIT_ENV = "LU_AUDIT_LOG"  # a JSON-lines mirror of every event, e.g. for a log shipper
EVENTS = ("sign-in", "refused", "download", "merge", "check")
FIELDS = AUDIT_COLUMNS  # what an event may hold, in order: nothing else gets in
MAX_PENDING = 1_000  # events kept in memory while the store is down; older ones go to the log
# After a failed write, events go straight to memory for this long: a store that does not
# answer (its connection times out) must not hold up every download and sign-in meanwhile.
RETRY_SECONDS = 10.0
MAX_OPEN_STORES = 4  # stores kept open for writing, one per URL (tests switch URLs often)
LOG = logging.getLogger(__name__)
_LOCK = threading.Lock()  # one writer at a time among the threads of one server
_PENDING: deque[AuditEvent] = deque()
_STORES: dict[str, Store] = {}
_STATE = {"retry_at": 0.0, "down": False}


def mirror_path(env: Mapping[str, str] | None = None) -> Path | None:
    """The file LU_AUDIT_LOG names, or None: without it, the store alone holds the log."""
    env = os.environ if env is None else env
    text = env.get(AUDIT_ENV, "").strip()
    return Path(text).expanduser() if text else None


def sign_in_key(event: str, issuer: str, subject: str, issued_at: str) -> str | None:
    """A SHA-256 naming one sign-in (its token's issuer, subject, issue time), never the token.

    None when the token has no issue time: nothing then tells two sign-ins apart.
    """
    if not issued_at:
        return None
    text = "\x1f".join((event, issuer, subject, issued_at))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def audit_event(event: str, **fields: Any) -> AuditEvent:
    """One event, now, from this process: the known fields only (others are dropped)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}; expected one of {', '.join(EVENTS)}")
    rows = fields.get("rows")
    return AuditEvent(
        at=datetime.now(UTC),
        event=event,
        email=_text(fields.get("email")),
        name=_text(fields.get("name")),
        role=_text(fields.get("role")),
        page=_text(fields.get("page")),
        file=_text(fields.get("file")),
        rows=None if rows is None else int(rows),
        filters=dict(fields.get("filters") or {}),
        counts=dict(fields.get("counts") or {}),
        reason=_text(fields.get("reason")),
        process=this_process(),
        sign_in_key=_text(fields.get("sign_in_key")),
    )


def audit_line(event: AuditEvent) -> str:
    """One event as a JSON line: the fields that have a value, time first (UTC), and a
    sign-in's key, by which a log system can tell the same sign-in seen by two replicas."""
    record = event.record()
    if event.sign_in_key:
        record["sign_in_key"] = event.sign_in_key
    return json.dumps(record, ensure_ascii=False, default=str)


def write_audit(event: str, path: Path | None = None, **fields: Any) -> None:
    """Record one event: in the store (kept in memory while it is down) and the mirror file,
    `path` or else LU_AUDIT_LOG's (none when neither is set).

    Never raises for the store or the file: a download or a sign-in goes on regardless.
    """
    record = audit_event(event, **fields)
    _mirror(record, path or mirror_path())
    with _LOCK:
        _PENDING.append(record)
        if time.monotonic() >= _STATE["retry_at"]:
            _flush_locked()
        _overflow_locked()


def flush_audit() -> int:
    """Write the events kept in memory now, whatever the retry pause; how many still wait."""
    with _LOCK:
        _flush_locked()
        return len(_PENDING)


def pending_audit() -> int:
    """Events kept in memory, waiting for the store."""
    with _LOCK:
        return len(_PENDING)


def _flush_locked() -> None:
    """Write every waiting event, oldest first, in one transaction; keep them all on failure."""
    if not _PENDING:
        return
    url = default_url()
    try:
        insert_audit_events(_store(url), list(_PENDING))
    except Exception as exc:  # noqa: BLE001 - any store failure: keep the events, go on
        _STATE["retry_at"] = time.monotonic() + RETRY_SECONDS
        if not _STATE["down"]:
            _STATE["down"] = True
            LOG.warning(
                "audit events kept in memory until the store answers (%s): %s",
                type(exc).__name__,
                str(exc).strip().splitlines()[0] if str(exc).strip() else "",
            )
        _forget_store(url)  # reopened next time: a store that was never opened gets migrated
        return
    if _STATE["down"]:
        LOG.warning("audit store answers again: %d waiting events written", len(_PENDING))
    _PENDING.clear()
    _STATE["down"], _STATE["retry_at"] = False, 0.0


def _overflow_locked() -> None:
    """Past MAX_PENDING, the oldest events go to the server log, each with its fields."""
    while len(_PENDING) > MAX_PENDING:
        lost = _PENDING.popleft()
        LOG.warning("audit event not stored (store unreachable, memory full): %s", audit_line(lost))


def _store(url: str) -> Store:
    """The store events go to, opened (and migrated) once per URL in this process."""
    found = _STORES.get(url)
    if found is not None:
        return found
    store = open_store(url)
    while len(_STORES) >= MAX_OPEN_STORES:
        _STORES.pop(next(iter(_STORES))).close()
    _STORES[url] = store
    return store


def _forget_store(url: str) -> None:
    """Close and drop a store whose write failed."""
    store = _STORES.pop(url, None)
    if store is not None:
        store.close()


def _mirror(event: AuditEvent, target: Path | None) -> None:
    """Append the event to the mirror file, if any; a failure is logged, not raised."""
    if target is None:
        return
    line = audit_line(event) + "\n"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # O_APPEND: whole lines from several server processes never interleave.
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
    except OSError as exc:
        LOG.warning("audit mirror %s not written (%s): %s", target, type(exc).__name__, line)


def _text(value: object) -> str | None:
    """A field as text, None when empty."""
    return None if value in (None, "") else str(value)


def read_audit(path: Path | None = None) -> list[dict[str, Any]]:
    """Every event of a JSON-lines mirror (`path`, else LU_AUDIT_LOG's), oldest first; none
    when there is no such file. The store's events: lu_data.store.audit_events."""
    target = path or mirror_path()
    if target is None or not target.exists():
        return []
    lines = target.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
