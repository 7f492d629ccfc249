"""The sample responses from LearnUpon's module-id note give the documented identities and times."""

from __future__ import annotations

import pandas as pd

from lu_data import load_source


def test_ilt_center_sessions_share_module_but_not_key(data_dir):
    """3 ILT Center sessions share module 405223 and training 14307 yet get three keys."""
    portal = load_source(data_dir / "sample_ilt_center.json")
    s = portal.sessions
    assert len(s) == 3
    assert set(s["module_id"]) == {405223}
    assert set(s["training_key"]) == {"training:14307"}
    assert sorted(s["session_key"]) == ["session:12222", "session:12333", "session:12355"]
    assert len(portal.trainings) == 1
    assert portal.trainings.loc[0, "sessions"] == 3
    assert set(s["module_kind"]) == {"ilt_center"}


def test_legacy_modules_are_their_own_trainings(data_dir):
    """2 legacy modules (null training/session ids) are 2 sessions in 2 trainings."""
    portal = load_source(data_dir / "sample_legacy.json")
    s = portal.sessions.set_index("session_key")
    assert list(s.index) == ["legacy:552896", "legacy:552897"]
    assert list(portal.trainings["training_key"]) == ["module:552896", "module:552897"]
    assert set(s["module_kind"]) == {"legacy"}


def test_rails_zone_names_convert_to_local_wall_clock(data_dir):
    """Dublin -> Europe/Dublin; Central Time -> America/Chicago, so 552897 starts 14:00 (-06:00)."""
    s = load_source(data_dir / "sample_legacy.json").sessions.set_index("module_id")
    assert s.loc[552896, "tz"] == "Europe/Dublin"
    row = s.loc[552897]
    assert row["tz"] == "America/Chicago"
    assert row["start_local"] == pd.Timestamp("2022-02-11 14:00")
    assert row["utc_offset"] == "-06:00"
    assert row["tz_abbr"] == "CST"
    assert row["start_utc"] == pd.Timestamp("2022-02-11 20:00", tz="UTC")


def test_capacity_figures_of_samples(data_dir):
    """Seats left, fill rate and status follow enrolment against capacity."""
    s = load_source(data_dir / "sample_ilt_center.json").sessions.set_index("session_id")
    assert s.loc[12222, "seats_left"] == 2
    assert s.loc[12222, "fill_rate"] == 0.8
    assert s.loc[12333, "status"] == "full"
    assert s.loc[12222, "status"] == "healthy"
