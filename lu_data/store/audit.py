"""The audit log: one JSON line per sign-in, refusal, download, merge proposal and draft
check, in LU_DATA_DIR.

Only the fields named here are written (who, when, what, which view, how many rows), so no
token, cookie or secret can reach the file through a record.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lu_data.store.settings import DATA_DIR_ENV, DEFAULT_DATA_DIR

AUDIT_FILE = "audit.jsonl"
AUDIT_ENV = "LU_AUDIT_LOG"  # another file for the log, e.g. on a shared volume
EVENTS = ("sign-in", "refused", "download", "merge", "check")
# counts: what a merge proposal or a draft check found ({"merges": 2, "kept": 3, ...}).
FIELDS = (
    "at",
    "event",
    "email",
    "name",
    "role",
    "page",
    "file",
    "rows",
    "filters",
    "counts",
    "reason",
)
_LOCK = threading.Lock()  # one line at a time from the threads of one server


def audit_path(env: Mapping[str, str] | None = None) -> Path:
    """LU_AUDIT_LOG, else audit.jsonl in LU_DATA_DIR."""
    env = os.environ if env is None else env
    if env.get(AUDIT_ENV, "").strip():
        return Path(env[AUDIT_ENV].strip()).expanduser()
    folder = Path(env.get(DATA_DIR_ENV, "").strip() or DEFAULT_DATA_DIR).expanduser()
    return folder / AUDIT_FILE


def audit_line(event: str, **fields: Any) -> str:
    """One event as a JSON line: the known fields that have a value, time first (UTC)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}; expected one of {', '.join(EVENTS)}")
    record: dict[str, Any] = {"at": datetime.now(UTC).isoformat(timespec="seconds")}
    record["event"] = event
    for name in FIELDS[2:]:
        value = fields.get(name)
        if value not in (None, "", {}, ()):
            record[name] = value
    return json.dumps(record, ensure_ascii=False, sort_keys=False, default=str)


def write_audit(event: str, path: Path | None = None, **fields: Any) -> None:
    """Append one event to the audit log, creating its folder; readable by the owner alone."""
    target = path or audit_path()
    line = audit_line(event, **fields) + "\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK:
        # O_APPEND: whole lines from several server processes never interleave.
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)


def read_audit(path: Path | None = None) -> list[dict[str, Any]]:
    """Every event in the audit log, oldest first (an absent log has none)."""
    target = path or audit_path()
    if not target.exists():
        return []
    lines = target.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
