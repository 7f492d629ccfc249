"""The benchmark harness runs end to end in quick mode and reports every measurement."""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.run import QUICK_SIZES, expected_keys
from tests.support import ROOT

# Byte counts may honestly be zero (a page without charts or tables); times and ratios never.
MAY_BE_ZERO = ("page_payload_bytes", "page_table_bytes")


def test_quick_benchmark_reports_every_measurement(tmp_path):
    """`python -m benchmarks.run --quick` writes JSON with every key and positive figures."""
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "measurement" in done.stdout and "load_vs_parse_limit" in done.stdout
    measured = json.loads(out.read_text(encoding="utf-8"))["measurements"]
    numeric, skipped = expected_keys(QUICK_SIZES, quick=True)
    for key in numeric + skipped:
        assert key in measured, key
    for key in numeric:
        item = measured[key]
        if key.startswith("page_") and item["note"].startswith("n/a"):
            continue  # a page that another change is still building is reported, not failed
        value = item["value"]
        assert isinstance(value, int | float), (key, item)
        if key.split(".")[0] in MAY_BE_ZERO:
            assert value >= 0, (key, item)
        else:
            assert value > 0, (key, item)
    for key in skipped:
        assert measured[key]["value"] is None and measured[key]["note"] == "skipped"
