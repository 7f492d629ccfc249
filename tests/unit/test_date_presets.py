"""Date presets beside the date input: each a whole-day range seen from today."""

from __future__ import annotations

from datetime import date

import pytest

from lu_data.analyses.filters import DATE_PRESETS, preset_range

TODAY = date(2026, 11, 27)  # a Friday


@pytest.mark.parametrize(
    ("name", "today", "start", "end"),
    [
        ("next_2_weeks", TODAY, date(2026, 11, 27), date(2026, 12, 10)),  # 14 days
        ("this_month", TODAY, date(2026, 11, 1), date(2026, 11, 30)),
        ("next_quarter", TODAY, date(2027, 1, 1), date(2027, 3, 31)),  # over the year's end
        ("last_30_days", TODAY, date(2026, 10, 29), date(2026, 11, 27)),
        ("this_month", date(2028, 2, 10), date(2028, 2, 1), date(2028, 2, 29)),  # leap year
        ("this_month", date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
        ("next_quarter", date(2026, 1, 1), date(2026, 4, 1), date(2026, 6, 30)),
        ("next_quarter", date(2026, 6, 30), date(2026, 7, 1), date(2026, 9, 30)),
        ("next_quarter", date(2026, 7, 1), date(2026, 10, 1), date(2026, 12, 31)),
    ],
)
def test_presets_by_hand(name, today, start, end):
    """Hand-computed ranges, both ends included."""
    assert preset_range(name, today) == (start, end)


def test_every_labelled_preset_has_a_range_and_nothing_else_does():
    """The labels shown are exactly the presets that exist."""
    for name in DATE_PRESETS:
        start, end = preset_range(name, TODAY)
        assert start <= end
    with pytest.raises(KeyError):
        preset_range("next_decade", TODAY)
