"""The fast paths added for 100k-session portals give exactly what the general paths give."""

from __future__ import annotations

import itertools
import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from lu_data import load_portal
from lu_data.analyses.double_bookings import double_bookings
from lu_data.exports.csv import DATE_FORMAT, neutralise_formulas, to_csv_bytes, view_frame
from lu_data.ingest import record_arrays as raw_records
from lu_data.ingest import value_parsing as typed_values
from lu_data.sources.demo import generate_demo
from lu_data.sources.files import dump_portal, parse_json_bytes, read_path
from lu_data.sources.record_fields import LEAN_FIELDS, LeanRecord
from tests.support import ANCHOR
from tests.support.records import portal_of

MIXED = [None, "", "  ", " Dublin ", "x", 5, 2.5, True, ["a"], {"b": 1}, float("nan"), "Ünï 😀"]


def _general_str(values: pd.Series) -> pd.Series:
    out = values.astype("str").str.strip()
    return out.mask(out == "")


def test_record_columns_fast_and_plain_agree(monkeypatch):
    """pandas' C loop and the plain comprehension read the same fields (missing as missing)."""
    records = [{"a": [1, 2], "b": {"x": 1}}, {"a": 5}, {"b": None}, {}]
    fast = raw_records.record_columns(records, ["a", "b"])
    monkeypatch.setattr(raw_records, "_dicts_to_array", None)
    plain = raw_records.record_columns(records, ["a", "b"])
    for name in ("a", "b"):
        assert pd.isna(fast[name]).tolist() == pd.isna(plain[name]).tolist()
        kept = ~pd.isna(fast[name])
        assert list(fast[name][kept]) == list(plain[name][kept])


@pytest.mark.parametrize("values", [["a", " b ", "", None, "  "], MIXED])
def test_text_cleaning_matches_the_general_path(values):
    """Stripped text with "" as missing, whether Arrow or pandas does the work."""
    series = pd.Series(values, dtype="object")
    pd.testing.assert_series_equal(typed_values.to_str(series), _general_str(series))


def test_whole_numbers_fast_path_matches_the_general_path():
    """Columns of ints (with gaps) convert exactly like mixed columns do."""
    series = pd.Series([1, None, -3, 2**53, float("nan"), 7], dtype="object")
    fast, bad = typed_values.to_int(series)
    mixed, mixed_bad = typed_values.to_int(pd.Series([*series.tolist(), "x"], dtype="object"))
    pd.testing.assert_series_equal(fast, mixed.iloc[:-1])
    assert not bad.any() and mixed_bad.tolist() == [False] * 6 + [True]


def test_duplicate_copies_with_cosmetic_differences_do_not_conflict():
    """Copies that differ only in surrounding space merge quietly; a real change is reported."""
    base = {
        "id": 1,
        "training_id": 2,
        "session_id": 3,
        "component_type": "ilt session",
        "title": "Excel",
        "start_at": "2026-12-01T10:00:00Z",
        "end_at": "2026-12-01T11:00:00Z",
        "updated_at": "2026-11-01T10:00:00Z",
    }
    spaced = {**base, "title": " Excel "}
    renamed = {**base, "session_id": 4}
    changed = {**renamed, "title": "Word", "updated_at": "2026-11-02T10:00:00Z"}
    portal = portal_of([base, spaced, renamed, changed], courses=[11])
    warnings = portal.quality.warnings
    conflicts = warnings[warnings["code"] == "duplicate_conflict"]
    assert conflicts["session_key"].tolist() == ["session:4"]
    assert "different title" in conflicts["message"].iloc[0]
    assert portal.sessions.set_index("session_key").loc["session:4", "title"] == "Word"


def test_fast_csv_equals_pandas_to_csv():
    """The Arrow-built CSV is byte for byte what DataFrame.to_csv writes."""
    rng = np.random.default_rng(1)
    n = 400
    floats = np.concatenate([rng.normal(size=n // 2) * 1e17, np.round(rng.random(n // 2), 2)])
    floats[::7] = np.nan
    texts = list(itertools.islice(itertools.cycle(MIXED[:4] + ["a,b", 'q"t', "l\nb", "=1"]), n))
    frame = pd.DataFrame(
        {
            "f": floats,
            "F": pd.array(floats, dtype="Float64"),
            "i": pd.array(rng.integers(-9, 9, n), dtype="Int64"),
            "b": rng.random(n) < 0.5,
            "s": pd.Series(texts, dtype="str"),
            "c": pd.Categorical(rng.choice(["x", "y,z"], n)),
        }
    )
    portal = load_portal(generate_demo(n_sessions=800, anchor=ANCHOR))
    for df in (frame, frame.iloc[:0], view_frame(portal.sessions, "sessions"), portal.trainings):
        slow = neutralise_formulas(df).to_csv(index=False, date_format=DATE_FORMAT)
        assert to_csv_bytes(df) == slow.encode("utf-8-sig")


def test_double_bookings_match_a_pairwise_check():
    """The sweep finds exactly the overlapping pairs a pairwise comparison finds."""
    sessions = load_portal(generate_demo(n_sessions=3000, anchor=date(2026, 11, 27))).sessions
    pairs = double_bookings(sessions)
    found = set(zip(pairs["session_key_a"], pairs["session_key_b"], strict=True))
    expected = set()
    minutes = sessions.assign(
        s=sessions["start_utc"].dt.floor("min"), e=sessions["end_utc"].dt.floor("min")
    )
    for _, group in minutes.dropna(subset=["tutor_id"]).groupby("tutor_id"):
        rows = group.sort_values(["start_utc", "session_key"]).to_dict("records")
        for a, b in itertools.combinations(rows, 2):
            if a["e"] > b["s"] and b["e"] > a["s"]:
                expected.add((a["session_key"], b["session_key"]))
    assert found == expected and len(found) > 0


def test_a_long_session_clashes_with_every_session_inside_it():
    """One 10-day session with 60 one-hour sessions inside it: 60 pairs, none dropped."""
    base = load_portal(generate_demo(n_sessions=61, anchor=ANCHOR)).sessions.head(61).copy()
    start = pd.Timestamp("2026-12-01T08:00:00Z")
    starts = [start] + [start + pd.Timedelta(hours=3 * k + 1) for k in range(60)]
    ends = [start + pd.Timedelta(days=10)] + [s + pd.Timedelta(hours=1) for s in starts[1:]]
    base["start_utc"] = pd.Series(starts, index=base.index).astype(base["start_utc"].dtype)
    base["end_utc"] = pd.Series(ends, index=base.index).astype(base["end_utc"].dtype)
    base["session_key"] = [f"session:{9000 + k}" for k in range(61)]
    base = base.assign(tutor_id=7, tutor_email="one@example.com", tutor_name="One Tutor")
    base = base.drop(columns="tutor_key")  # worked out again from the tutor set above
    pairs = double_bookings(base)
    assert len(pairs) == 60
    assert set(pairs["session_key_a"]) == {"session:9000"}
    assert sorted(pairs["session_key_b"]) == sorted(f"session:{9000 + k}" for k in range(1, 61))
    assert (pairs["overlap_minutes"] == 60).all()


def test_huge_numbers_parse_like_before():
    """Numbers past 64 bits fall back to the same parser as before (msgspec or not)."""
    doc = parse_json_bytes(b'{"modules": [{"id": 1e400}]}', "x")
    assert doc["modules"][0]["id"] == float("inf")


def _assert_same_load(got, want) -> None:
    for frame in ("sessions", "trainings", "tutors"):
        pd.testing.assert_frame_equal(getattr(got, frame), getattr(want, frame), obj=frame)
    pd.testing.assert_frame_equal(got.quality.rejected, want.quality.rejected)
    pd.testing.assert_frame_equal(got.quality.warnings, want.quality.warnings)
    assert got.quality.to_dict() == want.quality.to_dict()


def test_lean_read_loads_exactly_what_the_full_records_load(tmp_path):
    """Reading only the used fields changes no figure: duplicates, conflicts, warnings alike."""
    path = tmp_path / "portal.json"
    path.write_bytes(dump_portal(generate_demo(n_sessions=3000, anchor=ANCHOR)))
    lean = read_path(path, lean=True)
    assert {type(m) for p in lean.pages for m in p.modules} == {LeanRecord}
    full = load_portal(read_path(path))
    assert full.quality.duplicates_merged > 0 and not full.quality.warnings.empty
    _assert_same_load(load_portal(lean), full)
    # a lean portal saved again holds just the fields it kept, and loads the same
    again = tmp_path / "again" / "portal.json"  # same name: "where" texts name the file
    again.parent.mkdir()
    again.write_bytes(dump_portal(lean))
    assert set(json.loads(again.read_bytes())[1]["modules"][0]) == set(LEAN_FIELDS)
    resaved = load_portal(read_path(again, lean=True))
    for frame in ("sessions", "trainings", "tutors"):
        pd.testing.assert_frame_equal(getattr(resaved, frame), getattr(full, frame), obj=frame)
    pd.testing.assert_frame_equal(
        resaved.quality.warnings.drop(columns="where"), full.quality.warnings.drop(columns="where")
    )
    pd.testing.assert_frame_equal(resaved.quality.summary_rows(), full.quality.summary_rows())


def test_lean_read_of_an_odd_file_falls_back_to_the_full_parser(tmp_path):
    """A record that is not an object still gets its rejection row, next to lean files."""
    good = {
        "modules": [
            {
                "id": 1,
                "component_type": "ilt session",
                "title": "A",
                "start_at": "2026-01-05T10:00:00Z",
                "end_at": "2026-01-05T11:00:00Z",
                "timezone": "Dublin",
                "max_capacity": 10,
                "number_enrolled_on_session": 4,
                "extra": "<b>unused</b>",
            }
        ]
    }
    odd = {"modules": ["not a record", {"id": 2, "component_type": "course"}]}
    (tmp_path / "a.json").write_text(json.dumps(good))
    (tmp_path / "b.json").write_text(json.dumps(odd))
    lean = read_path(tmp_path, lean=True)
    assert [type(m) for m in lean.pages[0].modules] == [LeanRecord]
    assert lean.pages[1].modules[0] == "not a record"
    portal = load_portal(lean)
    assert portal.quality.rejected["reason"].tolist() == ["record is not a JSON object"]
    assert portal.quality.skipped_non_ilt == 1 and portal.quality.sessions == 1
    _assert_same_load(portal, load_portal(read_path(tmp_path)))
