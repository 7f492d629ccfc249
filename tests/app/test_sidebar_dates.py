"""The sidebar's date range: presets set it and the URL, the zone picker follows it."""

from __future__ import annotations

from datetime import date

from tests.support.apptest import open_page

PAGE = "pages/quality.py"  # a light page: the sidebar is the same on every page


def test_a_preset_sets_the_dates_and_the_url(app):
    """'This month' on 27 Nov 2026 is 1–30 Nov; 'Next quarter' then is Jan–Mar 2027."""
    at = open_page(app, PAGE)
    presets = at.button_group(key="filter_date_preset")
    presets.set_value("this_month").run()
    assert not at.exception
    assert at.date_input(key="filter_dates").value == (date(2026, 11, 1), date(2026, 11, 30))
    assert (at.query_params["from"], at.query_params["to"]) in (
        ("2026-11-01", "2026-11-30"),
        (["2026-11-01"], ["2026-11-30"]),
    )
    at.button_group(key="filter_date_preset").set_value("next_quarter").run()
    assert at.date_input(key="filter_dates").value == (date(2027, 1, 1), date(2027, 3, 31))
    assert at.query_params["to"] in ("2027-03-31", ["2027-03-31"])


def test_the_zone_picker_follows_the_dates_and_says_why(app):
    """'Show times in' comes right after the dates, under a note that days are read in it."""
    at = open_page(app, PAGE)
    keys = [w.key for w in at.sidebar if getattr(w, "key", None)]
    dates = keys.index("filter_dates")
    assert keys[dates + 1 : dates + 3] == ["filter_date_preset", "filter_tz_mode"]
    assert any("changing it can move sessions near midnight" in c.value for c in at.sidebar.caption)
