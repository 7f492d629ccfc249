"""The seats and fill rules: what counts as offered and taken, the fill and the fill status."""

from __future__ import annotations

import numpy as np
import pandas as pd

NEAR_FULL_AT = 0.85
UNDER_FILLED_BELOW = 0.40
# One way to show a fill or a share on screen: whole percent ("57%", "107%"). Exports keep
# the fraction itself (0.5738...); only what a person reads is rounded.
PERCENT_DECIMALS = 0
# The same format for plotly's d3 (hover text, axes) on values that are fractions.
D3_PERCENT = f".{PERCENT_DECIMALS}%"
# ... and on values already in percentage points (0-100), followed by a literal "%".
D3_PERCENT_POINTS = f".{PERCENT_DECIMALS}f"


def percent_text(fraction: float | None, missing: str = "n/a") -> str:
    """A fraction as the one on-screen percentage: 0.5738 → "57%", 1.0667 → "107%"."""
    if fraction is None or pd.isna(fraction):
        return missing
    return f"{float(fraction):.{PERCENT_DECIMALS}%}"


DEFAULT_STATUS = "healthy"  # the status of a limited session no other rule names
# Fill status, most urgent first; the order drives legends and sorting everywhere.
STATUS_ORDER: list[str] = [
    "overbooked",
    "full",
    "near_full",
    "healthy",
    "under_filled",
    "no_limit",
]
STATUS_LABELS: dict[str, str] = {
    "overbooked": "Overbooked",
    "full": "Full",
    "near_full": "Near full",
    "healthy": "Healthy",
    # Worded apart from "at risk" (a projection, or a window of days): this is today's fill.
    "under_filled": f"Under {percent_text(UNDER_FILLED_BELOW)} full",
    "no_limit": "No limit set",
}

# "At risk": a session expected to end under this fill. With enrolment history the expectation
# is the projection (analyses.forecast); without it, today's fill of sessions starting soon.
AT_RISK_BELOW = 0.5
# Without history, today's fill says little about a session months away: only this close.
AT_RISK_DAYS = 14


def fill_status(capacity: pd.Series, enrolled: pd.Series) -> np.ndarray:
    """The status name of each row from its seats offered and seats taken (same rule everywhere).

    A capacity that is missing or 0 means no limit. Used for sessions (one session's capacity
    and enrolment) and for roll-ups (the seats offered and taken over their limited sessions).
    """
    cap = pd.Series(capacity).astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    taken = pd.Series(enrolled).astype("Float64").to_numpy(dtype="float64", na_value=0.0)
    has_cap = ~np.isnan(cap) & (cap > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = np.where(has_cap, taken / np.where(has_cap, cap, 1.0), np.nan)
    # Tried in this order, first match wins; a limited session no rule names is healthy.
    rules = {
        "no_limit": ~has_cap,
        "overbooked": taken > cap,
        "full": taken == cap,
        "near_full": fill >= NEAR_FULL_AT,
        "under_filled": fill < UNDER_FILLED_BELOW,
    }
    return np.select(list(rules.values()), list(rules), default=DEFAULT_STATUS)


def seat_columns(sessions: pd.DataFrame) -> dict[str, pd.Series]:
    """Per session: seats offered and taken (0 without a capacity) and no-limit learners."""
    limited = sessions["max_capacity"].notna()
    enrolled = sessions["enrolled"].fillna(0).astype("int64")
    return {
        "offered": sessions["max_capacity"].fillna(0).astype("int64"),
        "taken": enrolled.where(limited, 0),
        "no_limit_learners": enrolled.where(~limited, 0),
    }


def fill_of(offered: pd.Series, taken: pd.Series) -> pd.Series:
    """Seats taken ÷ seats offered, empty where nothing is offered."""
    offered = offered.astype("Float64")
    return (taken.astype("Float64") / offered.mask(offered == 0)).astype("Float64")
