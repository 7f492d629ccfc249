"""Rails zone names map to real IANA zones, and local times are DST-correct."""

from __future__ import annotations

import pandas as pd
import pytest

from lu_data.model.timezones import is_valid_zone, localize, resolve_zone
from lu_data.sources.rails_zones import RAILS_TO_IANA


def test_every_rails_name_maps_to_an_existing_zone():
    """All ~150 ActiveSupport names resolve to zones this machine knows."""
    assert len(RAILS_TO_IANA) >= 150
    missing = [name for name, zone in RAILS_TO_IANA.items() if not is_valid_zone(zone)]
    assert missing == []


@pytest.mark.parametrize(
    ("name", "zone"),
    [
        ("International Date Line West", "Etc/GMT+12"),
        ("Nuku'alofa", "Pacific/Tongatapu"),
        ("St. Petersburg", "Europe/Moscow"),
        ("Mid-Atlantic", "Atlantic/South_Georgia"),
        ("Kyiv", "Europe/Kyiv"),
        ("Europe/Dublin", "Europe/Dublin"),
        (" Dublin ", "Europe/Dublin"),
        ("Atlantis", None),
        ("", None),
        (None, None),
        ("../etc/passwd", None),
    ],
)
def test_resolve_zone(name, zone):
    """Rails names, IANA names and nonsense resolve as expected."""
    assert resolve_zone(name) == zone


def test_session_across_dst_change_has_right_local_times():
    """A Dublin session spanning the October change starts in IST (+01:00) and ends in GMT."""
    start = pd.Series(pd.to_datetime(["2026-10-24T23:30:00Z"], utc=True))
    end = pd.Series(pd.to_datetime(["2026-10-25T02:30:00Z"], utc=True))
    zones = pd.Series(["Europe/Dublin"])
    local, offset, abbr = localize(start, zones)
    end_local, end_offset, end_abbr = localize(end, zones)
    assert local[0] == pd.Timestamp("2026-10-25 00:30")
    assert (offset[0], abbr[0]) == ("+01:00", "IST")
    assert end_local[0] == pd.Timestamp("2026-10-25 02:30")
    assert (end_offset[0], end_abbr[0]) == ("+00:00", "GMT")


def test_nine_am_dublin_before_and_after_clock_change():
    """09:00 Dublin wall clock is 08:00Z in summer and 09:00Z in winter; both show 09:00."""
    start = pd.Series(pd.to_datetime(["2026-10-20T08:00:00Z", "2026-10-27T09:00:00Z"], utc=True))
    local, offset, _ = localize(start, pd.Series(["Europe/Dublin"] * 2))
    assert list(local.dt.hour) == [9, 9]
    assert list(offset) == ["+01:00", "+00:00"]


def test_session_across_local_midnight():
    """A Tokyo session starting 23:00 local runs into the next local day."""
    start = pd.Series(pd.to_datetime(["2026-12-01T14:00:00Z"], utc=True))
    local, offset, abbr = localize(start, pd.Series(["Asia/Tokyo"]))
    assert local[0] == pd.Timestamp("2026-12-01 23:00")
    assert (offset[0], abbr[0]) == ("+09:00", "JST")


def test_zone_without_abbreviation_gets_numeric_label():
    """Zones with no letters abbreviation (e.g. Asia/Dubai... Muscat) read UTC+04:00."""
    start = pd.Series(pd.to_datetime(["2026-12-01T10:00:00Z"], utc=True))
    _, offset, abbr = localize(start, pd.Series(["Asia/Muscat"]))
    assert offset[0] == "+04:00"
    assert abbr[0] == "UTC+04:00"
