"""One percentage format on screen: whole percent, from the fraction the data keeps."""

from __future__ import annotations

import pandas as pd
import pytest

from lu_data.model.fill_status import D3_PERCENT, D3_PERCENT_POINTS, percent_text


@pytest.mark.parametrize(
    ("fraction", "text"),
    [
        (0.5598, "56%"),  # 47 of 84
        (0.574, "57%"),
        (1 / 12, "8%"),  # 1 of 12 is 8.33 %
        (16 / 15, "107%"),  # overbooked: 16 of 15 is 106.67 %
        (0.0, "0%"),
        (1.0, "100%"),
    ],
)
def test_fills_read_as_whole_percent(fraction, text):
    """Fills that once read "55.98%", "57.4%", "8.33%" and "106.67%" side by side."""
    assert percent_text(fraction) == text


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA])
def test_a_missing_fill_says_so(missing):
    """No capacity, no fill: "n/a", or the caller's own words."""
    assert percent_text(missing) == "n/a"
    assert percent_text(missing, missing="n/a (no limit)") == "n/a (no limit)"


def test_figures_use_the_same_precision():
    """Plotly's d3 formats match: fractions as ".0%", percentage points as ".0f" plus "%"."""
    assert (D3_PERCENT, D3_PERCENT_POINTS) == (".0%", ".0f")
