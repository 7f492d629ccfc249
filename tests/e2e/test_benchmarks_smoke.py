"""The benchmark harness runs end to end in quick mode and reports every measurement; the sync
section syncs a small portal for real; a figure that is no measurement fails the run."""

from __future__ import annotations

import json
import math

import benchmarks.run as run
from benchmarks.harness import API_PAGE_SIZE, Report, add_measurements, failures, table
from benchmarks.run import QUICK_SIZES, expected_keys
from benchmarks.sync import sync_deadline
from tests.support import background
from tests.support.background import SYNC_SMOKE_SESSIONS

# Byte counts may honestly be zero (a page without charts or tables); times and ratios never.
MAY_BE_ZERO = ("page_payload_bytes", "page_table_bytes")


def test_quick_benchmark_reports_every_measurement():
    """`python -m benchmarks.run --quick` writes JSON with every key and positive figures.

    Started with the test run (tests.support.background): it is CPU work that waits on
    nothing, so it runs while the browser tests wait.
    """
    done = background.result("benchmarks")
    assert done.returncode == 0, done.output[-3000:]
    assert "measurement" in done.output and "load_vs_parse_limit" in done.output
    out = done.folder / "bench.json"
    measured = json.loads(out.read_text(encoding="utf-8"))["measurements"]
    numeric, skipped = expected_keys(QUICK_SIZES, quick=True)
    for key in numeric + skipped:
        assert key in measured, key
    for key in numeric:
        item = measured[key]
        if key.startswith("page_") and item["note"].startswith("skipped"):
            continue  # a page that another change is still building (no file yet) is reported
        value = item["value"]
        assert isinstance(value, int | float), (key, item)
        if key.split(".")[0] in MAY_BE_ZERO:
            assert value >= 0, (key, item)
        else:
            assert value > 0, (key, item)
    for key in skipped:
        assert measured[key]["value"] is None and measured[key]["note"] == "skipped"


def test_sync_benchmark_times_a_real_sync():
    """`--only sync` on a small portal: the app under the harness syncs the stand-in.

    The stand-in served a whole fetch (every session of the portal is in the new snapshot),
    the sync took a fraction of its deadline, and Overview reruns were timed while it ran.
    Also started with the test run (tests.support.background).
    """
    done = background.result("benchmarks-sync")
    assert done.returncode == 0, done.output[-3000:]
    out = done.folder / "sync.json"
    measured = json.loads(out.read_text(encoding="utf-8"))["measurements"]
    sync = measured["sync_portal_s"]
    assert sync["deadline"] == sync_deadline(SYNC_SMOKE_SESSIONS), sync
    assert 0 < sync["value"] < sync["deadline"] / 4 and not sync["failure"], sync
    assert measured["sync_portal_sessions"]["value"] == SYNC_SMOKE_SESSIONS, measured
    requests = measured["sync_portal_requests"]
    assert requests["value"] >= math.ceil(SYNC_SMOKE_SESSIONS / API_PAGE_SIZE), requests
    assert requests["note"].endswith("fetches started: 1"), requests
    during = measured["page_rerun_during_sync_s"]
    assert isinstance(during["value"], float) and during["value"] > 0 and during["runs"], during


def test_a_figure_at_its_deadline_fails_the_run(tmp_path, monkeypatch, capsys):
    """A sync that never landed reports its wait, not a figure: the run names it and exits 1."""

    def stuck_sync(report, kind, path, repeats, cheap=None):
        report.add("sync_portal_s", 600.01, "s", deadline=600.0, note="no new snapshot")
        report.add("page_rerun_during_sync_s", None, "s", note="n/a: no rerun within the sync")

    monkeypatch.setattr(run, "measure_in_child", stuck_sync)
    argv = ["--only", "sync", "--sizes", "200", "--repeat", "1", "--out", str(tmp_path / "b.json")]
    assert run.main(argv) == 1
    shown = capsys.readouterr()
    assert "FAILED: sync_portal_s reached its deadline of 600.00 s" in shown.err
    assert "FAILED: page_rerun_during_sync_s n/a where a number was expected" in shown.err
    row = next(line for line in shown.out.splitlines() if line.startswith("sync_portal_s"))
    assert "timed out" in row and "600.01" not in row  # the wait is not printed as a figure


def test_a_childs_deadline_reaches_the_parent():
    """A section measured in a child process keeps its deadline, so the parent fails on it."""
    child = Report()
    child.add("sync_portal_s", 600.01, "s", deadline=600.0)
    child.add("sync_portal_sessions", 2000.0, "sessions")
    child.add("store_pg_read_s", None, "s", note="skipped")  # not asked for: no failure
    parent = Report()
    add_measurements(parent, json.loads(json.dumps(child.to_json({}))))
    assert failures(parent) == ["sync_portal_s reached its deadline of 600.00 s (the wait gave up)"]
    parent.add("sync_portal_s", 1.2, "s", deadline=600.0)  # a sync that landed
    assert failures(parent) == [] and "1.20 s" in table(parent)
