"""The days a digest covers, without pandas: the command line shows the default in --help."""

from __future__ import annotations

from datetime import date, timedelta

DIGEST_DAYS = 14


def digest_window(today: date, days: int = DIGEST_DAYS) -> tuple[date, date]:
    """The days a digest covers: today and the next days-1 days."""
    if days < 1:
        raise ValueError(f"--days must be 1 or more, not {days}")
    return today, today + timedelta(days=days - 1)
