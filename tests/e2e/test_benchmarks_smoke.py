"""The benchmark harness runs end to end in quick mode and reports every measurement."""

from __future__ import annotations

import json

from benchmarks.run import QUICK_SIZES, expected_keys
from tests.support import background

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
