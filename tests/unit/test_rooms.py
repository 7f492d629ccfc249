"""Room clashes on hand-built cases: one room, touching sessions, virtual ones, addresses."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from lu_data.analyses.rooms import room_clashes
from lu_data.exports.csv import to_csv_bytes, view_frame
from lu_data.model.places import place_keys
from tests.support.demo import in_one_place

DAY = pd.Timestamp("2026-12-07 09:00", tz="UTC")


@pytest.fixture
def room(demo_portal) -> pd.DataFrame:
    """Six in-person sessions of different tutors, all at location 7001 unless changed."""
    s = in_one_place(demo_portal.sessions, 6, 7001, "London Academy, Floor 4")
    s["address_1"] = "1 Strand"
    s[["address_2", "address_3"]] = pd.NA
    s["tutor_name"] = [f"Tutor {i}" for i in range(6)]
    hours = [(0, 2), (1, 3), (3, 4), (10, 11), (10, 11), (20, 21)]
    s["start_utc"] = [DAY + pd.Timedelta(hours=a) for a, _ in hours]
    s["end_utc"] = [DAY + pd.Timedelta(hours=b) for _, b in hours]
    return s


def pairs_of(clashes: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(clashes["session_key_a"], clashes["session_key_b"], strict=True))


def test_overlapping_sessions_in_one_room_clash_and_touching_ones_do_not(room):
    k = room["session_key"]
    clashes = room_clashes(room)
    # 0 and 1 overlap by an hour; 1 ends as 2 starts (touching); 3 and 4 share the hour.
    assert pairs_of(clashes) == [(k[0], k[1]), (k[3], k[4])]
    assert list(clashes["overlap_minutes"]) == [60, 60]
    assert set(clashes["location"]) == {"London Academy, Floor 4"}
    assert list(clashes["tutor_name_a"]) == ["Tutor 0", "Tutor 3"]


def test_virtual_sessions_never_clash_by_location(room):
    room.loc[[3, 4], "is_virtual"] = True
    k = room["session_key"]
    assert pairs_of(room_clashes(room)) == [(k[0], k[1])]
    assert pd.isna(place_keys(room).iloc[3])


def test_without_a_real_location_id_the_address_decides(room):
    room.loc[[3, 4], "location_id"] = -1  # LearnUpon's "no location"
    room.loc[3, "address_1"] = "  12 Harbour   Street "
    room.loc[4, "address_1"] = "12 harbour street"  # the same address, written differently
    k = room["session_key"]
    assert pairs_of(room_clashes(room)) == [(k[0], k[1]), (k[3], k[4])]
    room.loc[4, "address_1"] = "14 Harbour Street"
    assert pairs_of(room_clashes(room)) == [(k[0], k[1])]
    room.loc[[3, 4], "address_1"] = pd.NA  # no id and no address: no room to clash in
    assert place_keys(room).iloc[[3, 4]].isna().all()


def test_other_rooms_and_other_portals_do_not_meet(room):
    room.loc[1, "location_id"] = 7002
    room.loc[4, "portal"] = "apac"
    assert room_clashes(room).empty


def test_the_room_clashes_csv_names_both_sessions_in_utc_and_the_zone(room):
    data = to_csv_bytes(view_frame(room, "room-clashes", "America/Chicago"))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 2
    first = rows[0]
    assert first["location_id"] == "7001" and first["overlap_minutes"] == "60"
    assert first["start_utc_b"] == "2026-12-07T10:00:00+00:00"
    assert first["start_local_b"] == "2026-12-07T04:00:00-06:00"
    assert first["tz_a"] == "America/Chicago"
    assert first["title_a"] and first["tutor_name_b"] == "Tutor 1"


def test_the_demo_has_room_clashes_to_show(demo_portal):
    clashes = room_clashes(demo_portal.sessions)
    assert len(clashes) > 3
    assert (clashes["overlap_minutes"] > 0).all()
    both = demo_portal.sessions.set_index("session_key")
    assert not both.loc[clashes["session_key_a"], "is_virtual"].any()
