"""The store's settings that need no database driver: where it is, what a store URL looks like,
and how often a fetch is recorded. The command line reads them before it knows whether it will
open a store at all, so this module imports neither SQLAlchemy nor pandas."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

URL_ENV = "LU_STORE_URL"
LEGACY_URL_ENV = "LU_HISTORY_URL"  # the name before the store held snapshots; still honoured
DATA_DIR_ENV = "LU_DATA_DIR"
DEFAULT_DATA_DIR = Path("~/.local/share/lu-ilt")
DB_FILE = "history.sqlite3"
STORE_PREFIXES = ("sqlite:", "postgresql")
# A dashboard reloads every 15 minutes; one snapshot an hour is plenty for a day-by-day curve
# and keeps a large portal's store from growing by millions of rows a day.
MIN_RECORD_GAP = timedelta(hours=1)
AUDIT_DAYS_ENV = "LU_AUDIT_DAYS"  # audit events older than this many days are pruned by syncers
DEFAULT_AUDIT_DAYS = 400


def default_url(env: dict[str, str] | None = None) -> str:
    """LU_STORE_URL, else LU_HISTORY_URL, else an SQLite file in LU_DATA_DIR."""
    env = dict(os.environ) if env is None else env
    for name in (URL_ENV, LEGACY_URL_ENV):
        if env.get(name, "").strip():
            return env[name].strip()
    folder = Path(env.get(DATA_DIR_ENV, "").strip() or DEFAULT_DATA_DIR).expanduser()
    return f"sqlite:///{folder / DB_FILE}"


def is_store_url(source: str) -> bool:
    """True for a database URL (sqlite:…, postgresql…): a store, not a file or a portal."""
    return str(source).startswith(STORE_PREFIXES)


def audit_days(env: dict[str, str] | None = None) -> int:
    """How many days of events the store keeps: LU_AUDIT_DAYS (at least 1), else 400."""
    env = dict(os.environ) if env is None else env
    text = env.get(AUDIT_DAYS_ENV, "").strip()
    if not text:
        return DEFAULT_AUDIT_DAYS
    try:
        days = int(text)
    except ValueError:
        raise ValueError(f"{AUDIT_DAYS_ENV} must be a whole number of days, not {text!r}") from None
    if days < 1:
        raise ValueError(f"{AUDIT_DAYS_ENV} must be at least 1 (days of audit events kept)")
    return days
