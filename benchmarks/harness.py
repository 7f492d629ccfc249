"""The harness's shared pieces: settings, targets, the report and its table, timing, children."""

from __future__ import annotations

import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
ANCHOR = date(2026, 11, 27)  # fixed, so every run benchmarks the same portals
DEFAULT_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (200, 1_000)
DEFAULT_REPEATS = 3  # expensive measurements (seconds each)
CHEAP_REPEATS = 5  # cheap measurements run at least this often
API_REPEATS = 9  # client and bare fetches differ by tenths of a second: more runs, less noise
OUT_DIR = ROOT / "benchmarks" / "out"
OUT_FILE = OUT_DIR / "results.json"
APP_TIMEOUT_S = 300  # AppTest's default of 3 s is far too short for a cold 100k load
WHOLE_RANGE = (date(2000, 1, 1), date(2100, 1, 1))
VIEW_KEY = "_lu_view"  # where ui.render_sidebar leaves the View of a run
PORTAL_ENV = ("LEARNUPON_PORTAL", "LEARNUPON_BASE_URL", "LEARNUPON_USERNAME", "LEARNUPON_PASSWORD")
DEMO_SESSIONS_ENV = "LU_DEMO_SESSIONS"
API_PAGE_SIZE = 500
API_USER, API_PASSWORD = "bench", "bench-password"
UNLIMITED_QUOTA = 10**9
PACED_RPS = 5.0  # 300 requests a minute, LearnUpon's quota
PACED_REQUESTS = 60  # (60 - 1) / 5 = 11.8 s floor: bounded, and long enough to see drift
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CHART_SELECTOR = '[data-testid="stPlotlyChart"] .main-svg'
IDLE_SELECTOR = '[data-testid="stApp"][data-test-script-state="notRunning"]'
BROWSER_WARM_TIMEOUT_MS = 600_000  # the warm-up load builds the 100k demo once
BROWSER_TIMEOUT_MS = 60_000

# Targets of the issue: (comparison, bound). "<=" and ">=" bound the median or ratio.
TARGETS: dict[str, tuple[str, float]] = {
    "load_vs_parse_limit": ("<=", 1.5),
    "check_process_vs_json_load": ("<=", 1.3),
    "naive_vs_load": (">=", 5.0),
    "bytes_per_session": ("<=", 1.5 * 1024),
    "export_peak_rss_mb": ("<", 1024.0),
    "export_csv_s": ("<=", 2.0),
    "double_bookings_s": ("<=", 0.2),
    "room_clashes_s": ("<=", 0.2),
    "supply_demand_s": ("<=", 0.3),
    "page_warm_s": ("<=", 0.3),
    "page_full_rerun_s": ("<=", 0.3),
    "fresh_session_overview_s": ("<=", 3.0),
    "page_payload_bytes": ("<=", 1_000_000),
    "api_client_vs_bare": ("<=", 1.3),
    "api_paced_vs_floor": ("<=", 1.10),
    "browser_overview_s": ("<=", 3.0),
    "browser_filter_change_s": ("<=", 1.0),
    "store_read_s": ("<=", 0.5),
    "store_pg_read_s": ("<=", 0.5),
    "store_cold_start_s": ("<=", 0.5),
    "page_rerun_during_sync_s": ("<=", 0.3),
}
SECTIONS = ("load", "export", "store", "sync", "pages", "api", "paced", "browser", "filter")
# Keys measured once per size; the others are measured once, at the largest size.
PER_SIZE_KEYS = (
    "parse_limit_s",
    "load_s",
    "naive_pipeline_s",
    "load_vs_parse_limit",
    "naive_vs_load",
    "check_process_s",
    "bare_json_load_process_s",
    "check_process_vs_json_load",
    "check_process_cpu_vs_json_load",
    "bytes_per_session",
    "export_peak_rss_mb",
    "export_subprocess_s",
    "export_csv_s",
    "double_bookings_s",
    "room_clashes_s",
    "supply_demand_s",
)
PAGE_KEYS = (
    "page_first_s",
    "page_warm_s",
    "page_full_rerun_s",
    "page_payload_bytes",
    "page_table_bytes",
)
SINGLE_KEYS = (
    "load_growth_ratio",
    "page_cold_s",
    "fresh_session_overview_s",
    "api_pages",
    "api_client_s",
    "api_bare_get_s",
    "api_session_get_s",
    "api_client_vs_bare",
    # The store, at the largest size (100k by default): SQLite always.
    "store_load_s",
    "store_write_s",
    "store_read_s",
    "store_snapshot_bytes",
    "store_payload_bytes",
    "store_read_vs_load",
    "store_write_vs_load",
)
SLOW_KEYS = (
    "api_paced_s",
    "api_paced_floor_s",
    "api_paced_vs_floor",
    "browser_overview_s",
    "browser_floor_s",
    "browser_overview_vs_floor",
    # A filter change on the Overview of the 600-session demo, in the same browser.
    "browser_filter_change_s",
    "browser_filter_run_s",
    # PostgreSQL figures need LU_BENCH_PG_URL; quick runs never take them.
    "store_pg_write_s",
    "store_pg_read_s",
    "store_pg_read_vs_load",
    "store_pg_snapshot_bytes",
    # The store-backed dashboard at the largest size: cold start, reruns while a sync runs.
    "store_cold_start_s",
    "store_cold_imports_s",
    "page_rerun_no_sync_s",
    "page_rerun_during_sync_s",
    "page_rerun_during_sync_vs_idle",
    "sync_portal_s",
    "sync_portal_requests",
    "sync_portal_sessions",
)
SKIPPED = "skipped"  # a note starting so: no figure was asked for (section off, one size only)


def app_pages() -> dict[str, str]:
    """Every page the menu lists (name -> script): the home page is "overview"."""
    from lu_data.core.pages import PAGES as MENU

    return {
        "overview" if e.script == "dashboard.py" else Path(e.script).stem: e.script for e in MENU
    }


PAGES = app_pages()


def expected_keys(sizes: tuple[int, ...], *, quick: bool) -> tuple[list[str], list[str]]:
    """Measurement keys a run must report: (always numeric, skipped in quick mode)."""
    keys = [f"{k}@{size_label(n)}" for n in sizes for k in PER_SIZE_KEYS]
    keys += [f"{k}.{page}" for page in PAGES for k in PAGE_KEYS]
    keys += list(SINGLE_KEYS)
    slow = list(SLOW_KEYS)
    return (keys, slow) if quick else (keys + slow, [])


def unit_of(key: str) -> str:
    """The unit a measurement key reports in."""
    base = key.split("@")[0].split(".")[0]
    if base.endswith("_s"):
        return "s"
    if base.endswith("bytes"):
        return "B"
    if base == "bytes_per_session":
        return "B/session"
    if base.endswith("_mb"):
        return "MB"
    if base == "api_pages" or base.endswith("_requests"):
        return "requests"
    if base.endswith("_sessions"):
        return "sessions"
    return "x"


def size_label(n: int) -> str:
    """1000 -> "1k", 100000 -> "100k", 200 -> "200"."""
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


@dataclass
class Measurement:
    """One reported figure: its median (or ratio), unit, target, raw runs and any deadline."""

    value: float | None
    unit: str
    target: str = ""
    met: bool | None = None
    note: str = ""
    runs: list[float] = field(default_factory=list)
    deadline: float | None = None  # the measurement gave up at this value: not a figure then

    @property
    def failure(self) -> str:
        """Why this is no figure at all ("" when it is one): a deadline reached, or n/a."""
        if self.value is not None and self.deadline is not None and self.value >= self.deadline:
            return f"reached its deadline of {_fmt(self.deadline, self.unit)} (the wait gave up)"
        if self.value is None and not self.note.startswith(SKIPPED):
            return f"n/a where a number was expected ({self.note or 'no note'})"
        return ""


class Report:
    """Every measurement of one harness run, in the order taken."""

    def __init__(self) -> None:
        self.items: dict[str, Measurement] = {}

    def add(
        self,
        key: str,
        value: float | None,
        unit: str,
        *,
        runs: list[float] | None = None,
        note: str = "",
        judge: bool = True,
        deadline: float | None = None,
    ) -> Measurement:
        """Record a figure; compare it with its target when judge is set.

        A value at its deadline, or None unless the note says "skipped", fails the run
        (Measurement.failure, failures).
        """
        base = key.split("@")[0].split(".")[0]
        target, met = "", None
        if base in TARGETS:
            op, bound = TARGETS[base]
            target = f"{op} {_fmt(bound, unit)}"
            if judge and value is not None:
                met = _compare(value, op, bound)
        item = Measurement(value, unit, target, met, note, list(runs or []), deadline)
        self.items[key] = item
        return item

    def to_json(self, meta: dict[str, Any]) -> dict[str, Any]:
        """The results document written to benchmarks/out/results.json."""
        return {
            "meta": meta,
            "measurements": {
                k: {
                    "value": m.value,
                    "unit": m.unit,
                    "target": m.target,
                    "met": m.met,
                    "note": m.note,
                    "runs": m.runs,
                    "deadline": m.deadline,
                    "failure": m.failure,
                }
                for k, m in self.items.items()
            },
        }


def failures(report: Report) -> list[str]:
    """One line per figure that is no measurement, naming its key: the run must fail on them.

    Every section's figures pass through Report.add (a child's through add_measurements),
    so this is the one place a timed-out or missing figure is caught.
    """
    return [f"{key} {m.failure}" for key, m in report.items.items() if m.failure]


def _compare(value: float, op: str, bound: float) -> bool:
    return {
        "<=": value <= bound,
        "<": value < bound,
        ">=": value >= bound,
    }[op]


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "B":
        return f"{value / 1e6:.2f} MB" if value >= 100_000 else f"{value / 1e3:.1f} kB"
    if unit == "B/session":
        return f"{value:.0f} B"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:g}"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds one call takes, after a collection so garbage of earlier runs is not billed."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def median(runs: list[float]) -> float:
    """The median of the runs."""
    return float(statistics.median(runs))


def log(message: str) -> None:
    """Progress on stderr, so stdout carries only the table."""
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def measure_in_child(
    report: Report, kind: str, path: Path, repeats: int, cheap: int | None = None
) -> None:
    """Run one section in a fresh process (as `lu-data` would run) and take its figures."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--child",
            kind,
            str(path),
            "--repeat",
            str(repeats),
            "--cheap",
            str(cheap or repeats),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,  # progress lines go straight to this process's stderr
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} measurement failed in its child process (see above)")
    add_measurements(report, json.loads(done.stdout))


def add_measurements(report: Report, document: dict[str, Any]) -> None:
    """A child's results document (Report.to_json) into this report, deadlines included."""
    for key, item in document["measurements"].items():
        report.add(
            key,
            item["value"],
            item["unit"],
            runs=item["runs"],
            note=item["note"],
            deadline=item.get("deadline"),
        )


def table(report: Report, before: dict[str, Any] | None = None) -> str:
    """The results as a fixed-width table: measurement, (before,) median, target, met."""
    head = ("measurement", *(("before",) if before else ()), "median", "target", "met", "note")
    rows = [head]
    for key, m in report.items.items():
        mark = "FAILED" if m.failure else "" if m.met is None else ("yes" if m.met else "NO")
        old = []
        if before is not None:
            item = before.get(key) or {}
            old = [_fmt(item.get("value"), item.get("unit", m.unit)) if item else ""]
        # a value at its deadline is how long the harness waited, not a figure
        shown = "timed out" if m.failure and m.value is not None else _fmt(m.value, m.unit)
        rows.append((key, *old, shown, m.target, mark, m.note))
    fixed = len(head) - 1
    widths = [max(len(r[i]) for r in rows) for i in range(fixed)]
    lines = []
    for i, r in enumerate(rows):
        cells = [r[j].ljust(widths[j]) for j in range(fixed)]
        lines.append("  ".join(cells) + ("  " + r[-1] if r[-1] else ""))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def machine_meta() -> dict[str, Any]:
    """What the figures were measured on."""
    import numpy
    import orjson

    return {
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "numpy": numpy.__version__,
        "orjson": orjson.__version__,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "platform": platform.platform(),
        "peak_rss_mb_harness": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def start_run(sizes: tuple[int, ...], repeat: int, **extra: Any) -> dict[str, Any]:
    """The meta of a benchmark run as it starts: when, the anchor, sizes, repeats, the load."""
    return {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "anchor": ANCHOR.isoformat(),
        "sizes": list(sizes),
        "repeat": repeat,
        "load_average_before": os.getloadavg(),
        **extra,
    }


def finish_run(
    meta: dict[str, Any], started: float, cases: list[dict[str, Any]], out: Path, shown: str
) -> None:
    """Complete the meta (elapsed since `started`, a perf_counter; load after; machine), write
    meta and cases as JSON to `out`, print the table `shown` and a line of what it ran on."""
    meta["elapsed_s"] = round(time.perf_counter() - started, 1)
    meta["load_average_after"] = os.getloadavg()
    meta.update(machine_meta())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"meta": meta, "cases": cases}, indent=2), encoding="utf-8")
    print(shown)
    loads = " -> ".join(f"{meta[k][0]:.1f}" for k in ("load_average_before", "load_average_after"))
    print(f"\n{meta['elapsed_s']} s on {meta['cpus']} cores, load average {loads}; JSON in {out}")
