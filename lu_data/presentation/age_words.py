"""How long ago, or how long, in a person's words; no pandas, so a monitoring probe stays light."""

from __future__ import annotations

from datetime import datetime


def span_text(minutes: int) -> str:
    """A span of whole minutes in a person's words: "12 min", "3 h", "4 days"."""
    if minutes < 90:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


def age_text(then: datetime, now: datetime) -> str:
    """How long ago `then` was, in a person's words: "just now", "12 min ago", "3 h ago"."""
    minutes = int((now - then).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    return f"{span_text(minutes)} ago"
