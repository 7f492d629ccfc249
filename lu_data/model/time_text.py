"""Times as text: ISO 8601 with offsets, fast for whole columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

# NumPy formats only four-digit years the way strftime does.
FOUR_DIGIT_YEARS = (np.datetime64("1000-01-01", "us"), np.datetime64("10000-01-01", "us"))


def iso_utc(values: pd.Series) -> pd.Series:
    """tz-aware UTC datetimes as ISO 8601 text with +00:00."""
    text = _seconds_text(values)
    return (text + "+00:00").where(values.notna())


def iso_local(wall: pd.Series, offsets: pd.Series) -> pd.Series:
    """Naive wall-clock datetimes plus their "+HH:MM" offsets as ISO 8601 text."""
    text = _seconds_text(wall)
    return (text + offsets.astype("str")).where(wall.notna())


def _seconds_text(values: pd.Series) -> pd.Series:
    """ "YYYY-MM-DDTHH:MM:SS" of naive or UTC datetimes; NumPy formats ~10x faster than strftime."""
    stamps = values.to_numpy(dtype="datetime64[us]")
    known = stamps[~np.isnat(stamps)]
    if len(known) and (known.min() < FOUR_DIGIT_YEARS[0] or known.max() >= FOUR_DIGIT_YEARS[1]):
        return values.dt.strftime("%Y-%m-%dT%H:%M:%S")  # strftime pads odd years differently
    text = np.datetime_as_string(stamps.astype("datetime64[s]"), unit="s")
    return pd.Series(text, index=values.index, dtype="str")
