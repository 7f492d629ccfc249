"""The normaliser: identity, duplicates, rejections, warnings and the accounting identity."""

from __future__ import annotations

import pandas as pd

from tests.support.records import ilt_record, legacy_record, portal_of


def test_same_session_under_two_courses_is_one_session_with_both_courses():
    """A session repeated per linked course merges into one row listing both course ids."""
    p = portal_of([ilt_record()], [ilt_record()], courses=[11, 17])
    assert len(p.sessions) == 1
    assert p.sessions.loc[0, "course_ids"] == "11;17"
    assert p.sessions.loc[0, "course_count"] == 2
    q = p.quality
    assert (q.input_records, q.sessions, q.duplicates_merged) == (2, 1, 1)
    assert q.balanced
    assert q.warnings.empty


def test_conflicting_duplicates_keep_newest_and_report():
    """When copies disagree the newest updated_at wins and a conflict warning names the fields."""
    old = ilt_record(max_capacity=12, updated_at="2021-01-01T00:00:00Z")
    new = ilt_record(max_capacity=20, updated_at="2022-06-01T00:00:00Z")
    p = portal_of([old, new])
    assert p.sessions.loc[0, "max_capacity"] == 20
    w = p.quality.warnings
    conflict = w[w["code"] == "duplicate_conflict"]
    assert len(conflict) == 1
    assert "max_capacity" in conflict.iloc[0]["message"]
    assert conflict.iloc[0]["record"] == 2


def test_legacy_and_center_keys_never_collide():
    """A legacy module id equal to a session id still yields two distinct sessions."""
    p = portal_of([ilt_record(session_id=552896), legacy_record()])
    assert sorted(p.sessions["session_key"]) == ["legacy:552896", "session:552896"]


def test_rejections_have_positions_and_reasons():
    """Bad records are rejected with where they were and a reason a coordinator reads."""
    good = ilt_record()
    no_start = ilt_record(session_id=1, start_at=None)
    bad_date = ilt_record(session_id=2, start_at="next tuesday")
    backwards = ilt_record(session_id=3, end_at="2022-01-05T10:00:00Z")
    no_ids = ilt_record(id=None, session_id=None, training_id=None)
    center_no_session = ilt_record(session_id=None)
    not_object = "oops"
    scorm = {"id": 5, "component_type": "scorm"}
    p = portal_of(
        [good, no_start, bad_date, backwards, no_ids, center_no_session, not_object, scorm]
    )
    q = p.quality
    reasons = dict(zip(q.rejected["record"], q.rejected["reason"], strict=True))
    assert reasons[2] == "start_at missing"
    assert reasons[3] == "start_at is not a date: 'next tuesday'"
    assert reasons[4] == "end_at before start_at"
    assert reasons[5].startswith("module id missing")
    assert reasons[6].startswith("session_id missing on an ILT Center record")
    assert reasons[7] == "record is not a JSON object"
    assert q.rejected.loc[q.rejected["record"] == 3, "where"].item() == "page 1, record 3"
    assert (q.sessions, q.skipped_non_ilt, q.rejected_count) == (1, 1, 6)
    assert q.skipped_types == {"scorm": 1}
    assert q.balanced


def test_capacity_placeholders_mean_no_limit():
    """null, "" and 0 capacity are 'no limit': no fill rate, status no_limit, a warning each."""
    recs = [ilt_record(session_id=i, max_capacity=cap) for i, cap in enumerate([None, "", 0])]
    p = portal_of(recs)
    s = p.sessions
    assert s["max_capacity"].isna().all()
    assert s["fill_rate"].isna().all()
    assert set(s["status"]) == {"no_limit"}
    assert (p.quality.warnings["code"] == "capacity_not_set").sum() == 3


def test_numbers_as_strings_and_bad_numbers():
    """ "12" is 12; "lots" and -3 become missing with a warning; the session stays."""
    recs = [
        ilt_record(session_id=1, max_capacity="12", number_enrolled_on_session="6"),
        ilt_record(session_id=2, max_capacity="lots"),
        ilt_record(session_id=3, number_enrolled_on_session=-3),
    ]
    p = portal_of(recs)
    s = p.sessions.set_index("session_id")
    assert (s.loc[1, "max_capacity"], s.loc[1, "enrolled"], s.loc[1, "fill_rate"]) == (12, 6, 0.5)
    assert pd.isna(s.loc[2, "max_capacity"])
    assert s.loc[3, "enrolled"] == 0
    codes = set(p.quality.warnings["code"])
    assert {"bad_number", "negative_number"} <= codes
    assert len(p.sessions) == 3


def test_status_thresholds():
    """overbooked > full > near full >= 85% > healthy >= 40% > under-filled."""
    cases = {1: (10, 11), 2: (10, 10), 3: (20, 17), 4: (10, 5), 5: (10, 3)}
    recs = [
        ilt_record(session_id=k, max_capacity=c, number_enrolled_on_session=e)
        for k, (c, e) in cases.items()
    ]
    s = portal_of(recs).sessions.set_index("session_id")["status"].astype(str).to_dict()
    assert s == {1: "overbooked", 2: "full", 3: "near_full", 4: "healthy", 5: "under_filled"}


def test_unknown_and_empty_zone_keep_session_in_utc():
    """An unknown or empty zone keeps the row, shows UTC and warns."""
    recs = [
        ilt_record(session_id=1, timezone="Atlantis"),
        ilt_record(session_id=2, timezone=""),
    ]
    p = portal_of(recs)
    assert list(p.sessions["tz"]) == ["UTC", "UTC"]
    assert {"unknown_timezone", "missing_timezone"} <= set(p.quality.warnings["code"])


def test_center_record_without_training_id_is_kept_with_warning():
    """A record with session_id but no training_id is an ILT Center session grouped by module."""
    p = portal_of([ilt_record(training_id=None)])
    assert p.sessions.loc[0, "training_key"] == "module:405223"
    assert "missing_training_id" in set(p.quality.warnings["code"])


def test_dtypes_are_declared_ones():
    """ids and counts are nullable integers; times are tz-aware UTC and naive local."""
    s = portal_of([ilt_record()]).sessions
    assert str(s["session_id"].dtype) == "Int64"
    assert str(s["enrolled"].dtype) == "Int64"
    assert str(s["start_utc"].dtype) == "datetime64[us, UTC]"
    assert str(s["start_local"].dtype) == "datetime64[us]"


def test_empty_portal():
    """No records: empty frames and a balanced report."""
    p = portal_of([])
    assert p.sessions.empty and p.trainings.empty and p.tutors.empty
    assert p.quality.balanced and p.quality.input_records == 0
