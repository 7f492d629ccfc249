"""The merge and draft-check benchmark's small run, as the benchmark runs it: every case is
measured and says what it found, and the draft moved into the existing schedule finds the
clashes the one rolled forward a year does not. No timings are judged."""

from __future__ import annotations

import json

import pandas as pd

from benchmarks.harness import ANCHOR
from benchmarks.merge_check import SHIFTS, demo_portal, draft_bytes, main
from lu_data.planning.draft_file import read_draft
from lu_data.sources.demo import DEMO_SESSIONS


def test_the_small_run_measures_every_case_and_writes_its_json(tmp_path, capsys):
    out = tmp_path / "merge_check.json"
    assert main(["--sizes", str(DEMO_SESSIONS), "--repeat", "1", "--out", str(out)]) == 0
    shown = capsys.readouterr().out
    cases = {c["case"]: c for c in json.loads(out.read_text(encoding="utf-8"))["cases"]}
    assert [c.split(" (")[0] for c in cases] == ["merge", "check next-year", "check next-week"]
    for name, case in cases.items():
        assert len(case["runs"]) == 1 and case["median_s"] > 0, name
        assert case["found"] in shown, name
    assert "candidates merge, freeing" in cases["merge (21 days)"]["found"]
    year, week = (c for n, c in cases.items() if n.startswith("check"))
    rows = int(year["found"].split(" rows")[0].rsplit(" ", 1)[1])
    assert rows == int(week["found"].split(" rows")[0].rsplit(" ", 1)[1]) > 0

    def count(found: str, kind: str) -> int:
        return int(found.split(f"{kind} ")[1].split(",")[0].rstrip(")")) if kind in found else 0

    # A week on, the same tutors and rooms meet their own sessions; a year on, far fewer.
    kind = "tutor_double_booking"
    assert count(week["found"], kind) > count(year["found"], kind), (week, year)


def test_the_draft_is_the_upcoming_sessions_moved_by_the_shift():
    portal, _ = demo_portal(DEMO_SESSIONS)
    rows, bad = read_draft(draft_bytes(portal.sessions, SHIFTS["next-week"], rows=5))
    assert bad == [] and len(rows) == 5
    upcoming = portal.sessions.sort_values(["start_utc", "session_key"], kind="stable")
    upcoming = upcoming.loc[upcoming["start_utc"].gt(pd.Timestamp(ANCHOR, tz="UTC"))]
    first = upcoming.iloc[0]
    assert rows[0].training == first["title"]
    assert rows[0].start_utc == first["start_utc"] + pd.Timedelta(weeks=1)
    assert rows[0].tutor_email == first["tutor_email"]
