"""lu_data stays free of streamlit, and the demo portal is realistic and deterministic."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from lu_data import load_portal
from lu_data.analyses.double_bookings import double_bookings
from lu_data.sources.demo import generate_demo
from lu_data.sources.files import dump_portal
from tests.support import ROOT

ANCHOR = date(2026, 11, 27)


def test_lu_data_imports_no_streamlit():
    """Importing every lu_data module leaves streamlit unloaded."""
    code = (
        "import pkgutil, importlib, sys, lu_data\n"
        "for m in pkgutil.walk_packages(lu_data.__path__, 'lu_data.'):\n"
        "    if not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "False"


def test_demo_is_deterministic():
    """The same seed and anchor give byte-identical portals."""
    assert dump_portal(generate_demo(anchor=ANCHOR)) == dump_portal(generate_demo(anchor=ANCHOR))


def test_demo_has_what_the_dashboard_needs(demo_portal):
    """600 sessions, ~40 trainings, 25 tutors, 10+ zones, both kinds, every status, clashes."""
    p = demo_portal
    s = p.sessions
    assert len(s) == 600
    assert 35 <= len(p.trainings) <= 50
    assert len(p.tutors) == 25
    assert s["tz"].nunique() >= 10
    assert {"Europe/Dublin", "America/Chicago", "Australia/Sydney", "Asia/Kolkata"} <= set(s["tz"])
    assert set(s["module_kind"]) == {"ilt_center", "legacy"}
    assert set(s["status"]) == {
        "overbooked",
        "full",
        "near_full",
        "healthy",
        "under_filled",
        "no_limit",
    }
    assert s["is_virtual"].any() and (~s["is_virtual"]).any()
    assert (s["course_count"] > 1).any()
    assert p.quality.duplicates_merged > 0 and p.quality.skipped_non_ilt > 0
    assert p.quality.balanced
    upcoming = s["start_utc"] > "2026-11-27"
    assert upcoming.sum() > 300 and (~upcoming).sum() > 100
    assert 1 <= len(double_bookings(s)) <= 10
    assert {"session:12222", "legacy:552897"} <= set(s["session_key"])


def test_demo_size_is_a_parameter():
    """The generator scales (benchmarks use 100k); a 3,000-session portal has 3,000 sessions."""
    p = load_portal(generate_demo(n_sessions=3000, anchor=ANCHOR))
    assert len(p.sessions) == 3000
