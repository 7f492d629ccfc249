"""Benchmark harness for "Fast at 100,000 sessions": load, memory, pages, exports, API, browser.

Run from the project root:

    .venv/bin/python -m benchmarks.run                      # 1k, 10k, 100k; 3 repeats (5 cheap)
    .venv/bin/python -m benchmarks.run --sizes 1000,10000,100000 --repeat 3
    .venv/bin/python -m benchmarks.run --quick              # 200 and 1k, 1 repeat, < 60 s

Every figure is a median of several runs, measured side by side with its baseline (runs are
interleaved, so a noisy machine slows both alike). Loading and API figures come from a fresh
child process per size, as `lu-data export` or `lu-data fetch` would run. The table goes to
stdout and every figure, with its raw runs, to benchmarks/out/results.json; `--compare
OLD.json` adds an earlier run's figures as a "before" column; `--only load,pages` runs some
sections.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python benchmarks/run.py` works as well as `-m benchmarks.run`
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402 - after the sys.path fix above

from lu_data import load_portal  # noqa: E402
from lu_data.demo import generate_demo  # noqa: E402
from lu_data.sources import RawPortal, dump_portal, read_path  # noqa: E402
from lu_data.timezones import RAILS_TO_IANA  # noqa: E402

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
# Used when dashboard.py cannot be read; normally the router's own st.Page list is measured.
FALLBACK_PAGES: dict[str, str] = {
    "overview": "views/overview.py",
    "capacity": "views/capacity.py",
    "calendar": "views/calendar.py",
    "tutors": "views/tutors.py",
    "sessions": "views/sessions.py",
    "quality": "views/quality.py",
}
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
    "naive_vs_load": (">=", 5.0),
    "bytes_per_session": ("<=", 1.5 * 1024),
    "export_peak_rss_mb": ("<", 1024.0),
    "export_csv_s": ("<=", 2.0),
    "double_bookings_s": ("<=", 0.2),
    "page_warm_s": ("<=", 0.3),
    "page_full_rerun_s": ("<=", 0.3),
    "fresh_session_overview_s": ("<=", 3.0),
    "page_payload_bytes": ("<=", 1_000_000),
    "api_client_vs_bare": ("<=", 1.3),
    "api_paced_vs_floor": ("<=", 1.10),
    "browser_overview_s": ("<=", 3.0),
}
SECTIONS = ("load", "export", "pages", "api", "paced", "browser")
# Keys measured once per size; the others are measured once, at the largest size.
PER_SIZE_KEYS = (
    "parse_limit_s",
    "load_s",
    "naive_pipeline_s",
    "load_vs_parse_limit",
    "naive_vs_load",
    "bytes_per_session",
    "export_peak_rss_mb",
    "export_subprocess_s",
    "export_csv_s",
    "double_bookings_s",
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
)
SLOW_KEYS = (
    "api_paced_s",
    "api_paced_floor_s",
    "api_paced_vs_floor",
    "browser_overview_s",
    "browser_floor_s",
    "browser_overview_vs_floor",
)


def router_pages() -> dict[str, str]:
    """Every page the router lists (name -> path), read from its st.Page(...) calls."""
    try:
        source = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    except OSError:
        return dict(FALLBACK_PAGES)
    paths = re.findall(r"st\.Page\(\s*[\"']([^\"']+\.py)[\"']", source)
    pages = {Path(p).stem.removesuffix("_view"): p for p in paths}
    return pages or dict(FALLBACK_PAGES)


PAGES = router_pages()


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
    if base == "api_pages":
        return "requests"
    return "x"


def size_label(n: int) -> str:
    """1000 -> "1k", 100000 -> "100k", 200 -> "200"."""
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


@dataclass
class Measurement:
    """One reported figure: its median (or ratio), unit, target and raw runs."""

    value: float | None
    unit: str
    target: str = ""
    met: bool | None = None
    note: str = ""
    runs: list[float] = field(default_factory=list)


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
    ) -> Measurement:
        """Record a figure; compare it with its target when judge is set."""
        base = key.split("@")[0].split(".")[0]
        target, met = "", None
        if base in TARGETS:
            op, bound = TARGETS[base]
            target = f"{op} {_fmt(bound, unit)}"
            if judge and value is not None:
                met = _compare(value, op, bound)
        item = Measurement(value, unit, target, met, note, list(runs or []))
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
                }
                for k, m in self.items.items()
            },
        }


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


# ---------------------------------------------------------------------------------------------
# Portals on disk


def build_portals(sizes: tuple[int, ...], folder: Path) -> dict[int, Path]:
    """Generate each demo portal and save it as read_path reads it; keep only the files.

    Millions of live record objects would make every garbage collection in this process
    slower and bill it to whatever is being measured, so no portal stays in memory.
    """
    out: dict[int, Path] = {}
    for n in sizes:
        seconds, raw = timed(lambda n=n: generate_demo(n_sessions=n, anchor=ANCHOR))
        path = folder / f"portal_{n}.json"
        path.write_bytes(dump_portal(raw))
        log(
            f"portal {size_label(n)}: {raw.record_count:,} records, "
            f"{path.stat().st_size / 1e6:.1f} MB, generated in {seconds:.1f} s"
        )
        out[n] = path
        del raw
    gc.collect()
    return out


# ---------------------------------------------------------------------------------------------
# 1, 2, 5, 6: loading, memory, double-bookings, export


def parse_limit(path: Path) -> Any:
    """The floor: the standard library's json.load of the file, and nothing else."""
    with open(path, "rb") as fh:
        return json.load(fh)


def naive_pipeline(path: Path) -> pd.DataFrame:
    """What a quick script does: json.load, json_normalize everything, per-row tz with apply."""
    with open(path, "rb") as fh:
        doc = json.load(fh)
    records = [m for env in doc if isinstance(env, dict) for m in env.get("modules", [])]
    df = pd.json_normalize(records)
    df = df[df["component_type"] == "ilt session"].copy()
    df["start_utc"] = pd.to_datetime(df["start_at"], utc=True)
    df["end_utc"] = pd.to_datetime(df["end_at"], utc=True)
    df["iana"] = df["timezone"].apply(lambda name: RAILS_TO_IANA.get(name, name))
    df["start_local"] = df.apply(lambda r: r["start_utc"].tz_convert(r["iana"]), axis=1)
    df["end_local"] = df.apply(lambda r: r["end_utc"].tz_convert(r["iana"]), axis=1)
    return df


def load_file(path: Path) -> Any:
    """The measured path: a saved portal file into sessions, trainings, tutors and quality."""
    return load_portal(read_path(path))


def measure_loading(report: Report, n: int, path: Path, repeats: int) -> Any:
    """Parse limit, our load and the naive pipeline, interleaved run by run."""
    label = size_label(n)
    runs: dict[str, list[float]] = {"parse": [], "load": [], "naive": []}
    portal = None
    for r in range(repeats):
        portal = None  # the previous run's frames must not weigh on this one
        runs["parse"].append(timed(lambda: parse_limit(path))[0])
        seconds, portal = timed(lambda: load_file(path))
        runs["load"].append(seconds)
        runs["naive"].append(timed(lambda: naive_pipeline(path))[0])
        log(
            f"  load {label} run {r + 1}/{repeats}: parse {runs['parse'][-1]:.2f} s, "
            f"load {runs['load'][-1]:.2f} s, naive {runs['naive'][-1]:.2f} s"
        )
    parse_s, load_s, naive_s = (median(runs[k]) for k in ("parse", "load", "naive"))
    report.add(f"parse_limit_s@{label}", parse_s, "s", runs=runs["parse"])
    report.add(f"load_s@{label}", load_s, "s", runs=runs["load"])
    report.add(f"naive_pipeline_s@{label}", naive_s, "s", runs=runs["naive"])
    report.add(f"load_vs_parse_limit@{label}", load_s / parse_s, "x")
    report.add(f"naive_vs_load@{label}", naive_s / load_s, "x")
    sessions = portal.sessions
    report.add(
        f"bytes_per_session@{label}",
        float(sessions.memory_usage(deep=True).sum() / max(len(sessions), 1)),
        "B/session",
        note=f"{len(sessions):,} sessions",
    )
    return portal


def measure_in_process(report: Report, n: int, portal: Any, repeats: int) -> None:
    """Double-booking detection and the sessions CSV, on the loaded sessions."""
    from lu_data.analyses import double_bookings
    from lu_data.export import to_csv_bytes, view_frame

    label = size_label(n)
    sessions = portal.sessions
    clash_runs = [timed(lambda: double_bookings(sessions))[0] for _ in range(repeats)]
    pairs = double_bookings(sessions)
    report.add(
        f"double_bookings_s@{label}",
        median(clash_runs),
        "s",
        runs=clash_runs,
        note=f"{len(pairs)} pairs",
    )
    csv_runs = [
        timed(lambda: to_csv_bytes(view_frame(sessions, "sessions")))[0] for _ in range(repeats)
    ]
    report.add(f"export_csv_s@{label}", median(csv_runs), "s", runs=csv_runs)


def measure_export_subprocess(report: Report, n: int, path: Path, repeats: int) -> None:
    """`lu-data export FILE -o out.csv` as a fresh process: wall time and peak RSS."""
    label = size_label(n)
    out_csv = path.with_suffix(".csv")
    command = [sys.executable, "-m", "lu_data", "export", str(path), "-o", str(out_csv)]
    walls: list[float] = []
    peaks: list[float] = []
    for _ in range(repeats):
        wall, peak_kb = run_with_peak_rss(command)
        walls.append(wall)
        peaks.append(peak_kb / 1024)
    how = "/usr/bin/time -v" if shutil.which("time") or Path("/usr/bin/time").exists() else "rusage"
    report.add(f"export_subprocess_s@{label}", median(walls), "s", runs=walls)
    report.add(
        f"export_peak_rss_mb@{label}",
        max(peaks),
        "MB",
        runs=peaks,
        note=f"max over runs, via {how}",
    )


def run_with_peak_rss(command: list[str]) -> tuple[float, float]:
    """Run a command; return its wall seconds and peak resident set size in KiB."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if Path("/usr/bin/time").exists():
        start = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-v", *command], cwd=ROOT, env=env, capture_output=True, text=True
        )
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"{command} failed:\n{done.stderr[-2000:]}")
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        if found:
            return wall, float(found.group(1))
    # A fresh child reports its own child's peak, so earlier children never count.
    probe = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, capture_output=True)\n"
        "wall = time.perf_counter() - t\n"
        "print(json.dumps([wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall, peak = json.loads(done.stdout)
    return float(wall), float(peak)


# ---------------------------------------------------------------------------------------------
# 3, 4: pages in AppTest


@contextlib.contextmanager
def app_environment(n_sessions: int) -> Iterator[Any]:
    """Pin today, hide any real portal, and make ui's demo portal n_sessions big."""
    saved = {k: os.environ.get(k) for k in (*PORTAL_ENV, "LU_TODAY", DEMO_SESSIONS_ENV)}
    for var in PORTAL_ENV:
        os.environ.pop(var, None)  # never fetch a real portal from a benchmark
    os.environ["LU_TODAY"] = ANCHOR.isoformat()
    os.environ[DEMO_SESSIONS_ENV] = str(n_sessions)  # for a ui.py that reads the size hook
    import streamlit as st

    import ui

    original = ui.generate_demo
    # AppTest runs the app in this process, so ui's module global is what the loader calls.
    ui.generate_demo = functools.partial(generate_demo, n_sessions=n_sessions)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        yield st
    finally:
        ui.generate_demo = original
        st.cache_data.clear()
        st.cache_resource.clear()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def new_app(entry: Path | None = None) -> Any:
    """A fresh AppTest session (on the router unless entry is given), whole date range selected."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(entry or ROOT / "dashboard.py"), default_timeout=APP_TIMEOUT_S)
    at.session_state["filter_dates"] = WHOLE_RANGE
    return at


def full_rerun_entry(folder: Path, page: str) -> Path:
    """A one-page entry script that runs the shared sidebar and then the page, on every run.

    AppTest (1.67) re-executes only the page script on reruns of a st.navigation app, so the
    router's sidebar (filters, describe_view) is left out of its rerun times; a browser rerun
    runs both. This entry measures what a browser rerun costs.
    """
    path = folder / f"entry_{Path(page).stem}.py"
    path.write_text(
        f"import runpy\nimport sys\n\nsys.path.insert(0, {str(ROOT)!r})\n"
        "import streamlit as st\n\nimport ui\n\n"
        'st.set_page_config(page_title="ILT sessions", layout="wide")\n'
        "ui.render_sidebar()\n"
        f'runpy.run_path({str(ROOT / page)!r}, run_name="__main__")\n',
        encoding="utf-8",
    )
    return path


def run_app(at: Any) -> float:
    """Run (or rerun) an AppTest script; raise when the page raised."""
    seconds, _ = timed(at.run)
    if at.exception:
        raise RuntimeError("; ".join(str(e.value)[:300] for e in at.exception))
    return seconds


def payload_bytes(at: Any) -> tuple[int, int]:
    """(figure JSON + calendar args, dataframe Arrow bytes) that the page sends to the browser."""
    charts = sum(len(el.proto.spec) for el in at.get("plotly_chart"))
    calendars = sum(len(el.proto.json_args) for el in at.get("component_instance"))
    # The whole element: Arrow bytes, or the first chunk when Streamlit loads the rest lazily.
    tables = sum(el.proto.ByteSize() for el in at.get("dataframe"))
    return charts + calendars, tables


def sessions_in_view(at: Any) -> int | None:
    """How many sessions the run's View held (checks the whole range really was selected)."""
    try:
        view = at.session_state[VIEW_KEY]
    except KeyError:
        return None
    return None if view is None else len(view.sessions)


def measure_pages(report: Report, n: int, repeats: int, cheap: int) -> dict[str, Any]:
    """Cold first run, fresh sessions on warm caches, and warm reruns of every page."""
    label = size_label(n)
    info: dict[str, Any] = {}
    with app_environment(n), tempfile.TemporaryDirectory(prefix="lu-bench-entry-") as tmp:
        cold = run_app(new_app())
        report.add("page_cold_s", cold, "s", note=f"router + Overview, empty cache, {label} demo")
        log(f"  pages: cold first run {cold:.2f} s")
        fresh = [run_app(new_app()) for _ in range(repeats)]
        report.add(
            "fresh_session_overview_s",
            median(fresh),
            "s",
            runs=fresh,
            note="new session: router + Overview, data already cached",
        )
        for name, page in PAGES.items():
            if not (ROOT / page).exists():
                for key in PAGE_KEYS:
                    report.add(f"{key}.{name}", None, _page_unit(key), note="n/a: no page file")
                continue
            try:
                # The brief's method: the router builds the view, then switch_page.
                at = new_app()
                run_app(at)
                at.switch_page(page)
                first = run_app(at)
                shown = sessions_in_view(at)
                warm = [run_app(at) for _ in range(cheap)]
                charts, tables = payload_bytes(at)
                # What a browser rerun runs: the shared sidebar and the page, every time.
                full_app = new_app(full_rerun_entry(Path(tmp), page))
                run_app(full_app)
                full = [run_app(full_app) for _ in range(cheap)]
            except Exception as exc:  # a page still being built must not stop the run
                note = f"n/a: {type(exc).__name__}: {str(exc)[:200]}"
                for key in PAGE_KEYS:
                    report.add(f"{key}.{name}", None, _page_unit(key), note=note)
                log(f"  page {name}: {note}")
                continue
            view_note = f"{shown:,} sessions in view" if shown is not None else ""
            report.add(f"page_first_s.{name}", first, "s", note="after switch_page, warm cache")
            report.add(
                f"page_warm_s.{name}",
                median(warm),
                "s",
                runs=warm,
                note=f"AppTest rerun (page script only); {view_note}",
            )
            report.add(
                f"page_full_rerun_s.{name}",
                median(full),
                "s",
                runs=full,
                note="sidebar + page, as a browser rerun",
            )
            report.add(f"page_payload_bytes.{name}", float(charts), "B", note="figures + calendar")
            report.add(
                f"page_table_bytes.{name}", float(tables), "B", note="st.dataframe Arrow (info)"
            )
            info[name] = {"sessions_in_view": shown}
            log(
                f"  page {name}: first {first:.2f} s, warm {median(warm):.3f} s, "
                f"full rerun {median(full):.3f} s"
            )
    return info


def _page_unit(key: str) -> str:
    return "B" if key.endswith("bytes") else "s"


# ---------------------------------------------------------------------------------------------
# 7: the API client against the stand-in portal


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
    for key, item in json.loads(done.stdout)["measurements"].items():
        report.add(key, item["value"], item["unit"], runs=item["runs"], note=item["note"])


def child_main(kind: str, path: Path, repeats: int, cheap: int) -> int:
    """Run one section in this fresh process and print its measurements as JSON.

    A fresh process loads like `lu-data export` or a new server does: no earlier portal
    fragments its heap or lengthens its garbage collections.
    """
    report = Report()
    if kind == "load":
        n = int(re.sub(r"\D", "", path.stem))
        portal = measure_loading(report, n, path, repeats)
        measure_in_process(report, n, portal, cheap)
    elif kind == "api":
        measure_api(report, read_path(path), repeats)
    else:
        measure_paced(report, read_path(path))
    print(json.dumps(report.to_json({})))
    return 0


def measure_api(report: Report, raw: RawPortal, repeats: int) -> None:
    """Client fetch (pacing off) against bare requests.get of exactly the same requests."""
    import requests

    from lu_data.client import PortalConfig, fetch_portal
    from lu_data.fake_portal import FakePortal

    # The stand-in counts every request against its minute quota and the client rightly slows
    # down near the end of it; the baselines' requests must not use up the client's quota.
    with FakePortal(
        raw,
        username=API_USER,
        password=API_PASSWORD,
        page_size=API_PAGE_SIZE,
        minute_quota=UNLIMITED_QUOTA,
    ) as fake:
        config = PortalConfig(
            base_url=fake.base_url,
            username=API_USER,
            password=API_PASSWORD,
            requests_per_second=0,
            all_modules=True,
            max_pages=100_000,
        )
        fetch_portal(config)  # the stand-in serialises its pages on first use; not billed
        # A real portal is another process: its records must not slow this one's collections.
        gc.collect()
        gc.freeze()
        fake.reset_counts()
        fetch_portal(config)
        urls = [f"http://{fake.host}:{fake.port}{entry}" for entry in fake.request_log]
        auth = (API_USER, API_PASSWORD)
        headers = {"Accept": "application/json"}

        def bare() -> None:
            for url in urls:
                requests.get(url, auth=auth, headers=headers, timeout=30).content  # noqa: B018

        def pooled() -> None:
            with requests.Session() as s:
                for url in urls:
                    s.get(url, auth=auth, headers=headers, timeout=30).content  # noqa: B018

        runs: dict[str, list[float]] = {"client": [], "bare": [], "session": []}
        for _ in range(max(repeats, API_REPEATS)):  # half a second each: a steadier median
            runs["client"].append(timed(lambda: fetch_portal(config))[0])
            runs["bare"].append(timed(bare)[0])
            runs["session"].append(timed(pooled)[0])
    modules = sum(1 for u in urls if "/modules" in u)
    report.add(
        "api_pages",
        float(len(urls)),
        "requests",
        note=f"{modules} module pages of {API_PAGE_SIZE} + {len(urls) - modules} course pages",
    )
    client, bare_s = median(runs["client"]), median(runs["bare"])
    report.add(
        "api_client_s", client, "s", runs=runs["client"], note="fetch_portal, rps=0, fresh process"
    )
    report.add(
        "api_bare_get_s",
        bare_s,
        "s",
        runs=runs["bare"],
        note="requests.get per URL, sequential, same auth, new connection each",
    )
    report.add(
        "api_session_get_s",
        median(runs["session"]),
        "s",
        runs=runs["session"],
        note="one requests.Session, sequential (keep-alive, info)",
    )
    report.add("api_client_vs_bare", client / bare_s, "x", note="both sequential")


def measure_paced(report: Report, raw: RawPortal) -> None:
    """Fetch about PACED_REQUESTS pages at 5 requests a second; compare with (n-1)/5 s."""
    from lu_data.client import PortalConfig, fetch_portal
    from lu_data.fake_portal import FakePortal

    everything = {
        (m.get("id"), m.get("session_id")) if isinstance(m, dict) else id(m)
        for p in raw.pages
        for m in p.modules
    }
    courses = max(len(raw.courses), 1)
    # Pick the page size that makes courses + modules pages come to PACED_REQUESTS.
    page_size = max(1, -(-(len(everything) + courses) // (PACED_REQUESTS - 2)))
    with FakePortal(raw, username=API_USER, password=API_PASSWORD, page_size=page_size) as fake:
        config = PortalConfig(
            base_url=fake.base_url,
            username=API_USER,
            password=API_PASSWORD,
            requests_per_second=PACED_RPS,
            all_modules=True,
            max_pages=100_000,
        )
        fake._listing("all"), fake._listing("courses")  # serialise up front; not billed
        gc.collect()
        gc.freeze()
        seconds, _ = timed(lambda: fetch_portal(config))
        count = fake.request_count
    floor = (count - 1) / PACED_RPS
    report.add("api_paced_s", seconds, "s", note=f"{count} requests at {PACED_RPS:g} rps")
    report.add("api_paced_floor_s", floor, "s", note="(n - 1) / 5")
    report.add("api_paced_vs_floor", seconds / floor, "x")


# ---------------------------------------------------------------------------------------------
# 8: a real browser


FLOOR_APP = """\
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(layout="wide")
st.sidebar.header("Floor")
st.metric("Sessions", 1)
st.plotly_chart(go.Figure(go.Bar(x=[1, 2, 3], y=[3, 1, 2])))
"""


def measure_browser(report: Report, n: int, repeats: int) -> None:
    """Fresh page loads of Overview on the n-session demo, warm cache, until charts draw.

    The floor is the same browser opening a bare Streamlit page with one metric and one tiny
    plotly chart, interleaved run by run: what Streamlit's and plotly's JavaScript cost on this
    machine before any of this app's work.
    """
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        report.add("browser_overview_s", None, "s", note="n/a: apt-get install -y chromium")
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        report.add("browser_overview_s", None, "s", note="n/a: playwright not installed")
        return
    with contextlib.ExitStack() as stack:
        app_dir, note = stack.enter_context(app_copy())
        url = stack.enter_context(streamlit_server(app_dir, n))
        floor_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lu-floor-")))
        (floor_dir / "dashboard.py").write_text(FLOOR_APP, encoding="utf-8")
        floor_url = stack.enter_context(streamlit_server(floor_dir, n))
        target = f"{url}/?from={WHOLE_RANGE[0]}&to={WHOLE_RANGE[1]}"
        runs: dict[str, list[float]] = {"app": [], "idle": [], "floor": []}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            try:
                for warm_url in (target, floor_url):  # builds the demo, warms both servers
                    open_until_drawn(browser, warm_url, BROWSER_WARM_TIMEOUT_MS)
                for _ in range(repeats):
                    drawn, idle = open_until_drawn(browser, target, BROWSER_TIMEOUT_MS)
                    runs["app"].append(drawn)
                    runs["idle"].append(idle)
                    runs["floor"].append(
                        open_until_drawn(browser, floor_url, BROWSER_TIMEOUT_MS)[0]
                    )
            finally:
                browser.close()
    app_s, floor_s = median(runs["app"]), median(runs["floor"])
    report.add(
        "browser_overview_s",
        app_s,
        "s",
        runs=runs["app"],
        note=f"goto -> chart drawn; run finished at {median(runs['idle']):.2f} s; {note}",
    )
    report.add(
        "browser_floor_s",
        floor_s,
        "s",
        runs=runs["floor"],
        note="bare Streamlit page, one metric and one plotly chart",
    )
    report.add("browser_overview_vs_floor", app_s / floor_s, "x")


def open_until_drawn(browser: Any, url: str, timeout_ms: int) -> tuple[float, float]:
    """Open url in a fresh context: seconds until a chart is drawn, and until the run ends."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = ctx.new_page()
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(CHART_SELECTOR, timeout=timeout_ms)
        drawn = time.perf_counter() - start
        page.wait_for_selector(IDLE_SELECTOR, timeout=timeout_ms)
        return drawn, time.perf_counter() - start
    finally:
        ctx.close()


@contextlib.contextmanager
def app_copy() -> Iterator[tuple[Path, str]]:
    """The app to serve: the real one if ui.py reads LU_DEMO_SESSIONS, else a patched copy."""
    if DEMO_SESSIONS_ENV in (ROOT / "ui.py").read_text(encoding="utf-8"):
        yield ROOT, f"{DEMO_SESSIONS_ENV} read by ui.py"
        return
    with tempfile.TemporaryDirectory(prefix="lu-bench-app-") as tmp:
        dest = Path(tmp) / "app"
        shutil.copytree(
            ROOT,
            dest,
            ignore=shutil.ignore_patterns(
                ".venv", ".git", "tests", "benchmarks", "screenshots", "__pycache__", "*.egg-info"
            ),
        )
        # The hook proposed for ui.py, appended to a throwaway copy: rebinding the module
        # global makes load_demo_portal build a demo of the requested size.
        shim = (
            "\n\nif os.environ.get('LU_DEMO_SESSIONS'):  # benchmark shim (temp copy only)\n"
            "    import functools as _ft\n\n"
            "    generate_demo = _ft.partial(\n"
            "        generate_demo, n_sessions=int(os.environ['LU_DEMO_SESSIONS'])\n"
            "    )\n"
        )
        with open(dest / "ui.py", "a", encoding="utf-8") as fh:
            fh.write(shim)
        yield dest, f"ui.py lacks {DEMO_SESSIONS_ENV}: served a temp copy with the hook appended"


@contextlib.contextmanager
def streamlit_server(app_dir: Path, n: int) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free loopback port, demo sized n, today pinned."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in PORTAL_ENV}
    env.update({DEMO_SESSIONS_ENV: str(n), "LU_TODAY": ANCHOR.isoformat()})
    with tempfile.TemporaryFile() as log_file:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(app_dir / "dashboard.py"),
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=app_dir,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while True:
                try:
                    if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                        break
                except OSError:
                    if time.time() > deadline or proc.poll() is not None:
                        log_file.seek(0)
                        raise RuntimeError(
                            "streamlit did not start:\n" + log_file.read().decode()[-2000:]
                        ) from None
                    time.sleep(0.2)
            yield url
        finally:
            proc.terminate()  # only the server this harness started
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


# ---------------------------------------------------------------------------------------------
# Output


def table(report: Report, before: dict[str, Any] | None = None) -> str:
    """The results as a fixed-width table: measurement, (before,) median, target, met."""
    head = ("measurement", *(("before",) if before else ()), "median", "target", "met", "note")
    rows = [head]
    for key, m in report.items.items():
        mark = "" if m.met is None else ("yes" if m.met else "NO")
        old = []
        if before is not None:
            item = before.get(key) or {}
            old = [_fmt(item.get("value"), item.get("unit", m.unit)) if item else ""]
        rows.append((key, *old, _fmt(m.value, m.unit), m.target, mark, m.note))
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


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="comma-separated session counts (default 1k,10k,100k)")
    parser.add_argument("--repeat", type=int, help="runs of expensive measurements (default 3)")
    parser.add_argument(
        "--quick", action="store_true", help="sizes 200,1000, 1 repeat, no browser or paced API"
    )
    parser.add_argument(
        "--only", help=f"comma-separated sections to run (default all): {','.join(SECTIONS)}"
    )
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--skip-paced", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT_FILE, help="JSON results file")
    parser.add_argument("--compare", type=Path, help="results JSON of an earlier run (before)")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--cheap", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run every measurement, print the table and write the JSON; return the exit code."""
    args = parse_args(argv)
    if args.child:
        repeat = args.repeat or 1
        return child_main(args.child[0], Path(args.child[1]), repeat, args.cheap or repeat)
    sizes = tuple(
        sorted(int(s) for s in args.sizes.split(","))
        if args.sizes
        else (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    )
    repeats = args.repeat or (1 if args.quick else DEFAULT_REPEATS)
    cheap = repeats if args.quick else max(CHEAP_REPEATS, repeats)
    wanted = set(args.only.split(",")) if args.only else set(SECTIONS)
    if args.quick:
        wanted -= {"paced", "browser"}
    if args.skip_browser:
        wanted.discard("browser")
    if args.skip_paced:
        wanted.discard("paced")
    largest = sizes[-1]
    report = Report()
    started = time.perf_counter()
    meta: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "anchor": ANCHOR.isoformat(),
        "sizes": list(sizes),
        "repeat": repeats,
        "cheap_repeat": cheap,
        "quick": args.quick,
        "sections": sorted(wanted),
        "command": " ".join([Path(sys.executable).name, "-m", "benchmarks.run", *(argv or [])]),
    }
    log(f"sizes {sizes}, {repeats} repeats ({cheap} for cheap ones), sections {sorted(wanted)}")
    with tempfile.TemporaryDirectory(prefix="lu-bench-") as tmp:
        portals = build_portals(sizes, Path(tmp))
        if "load" in wanted:
            measure_load_section(report, portals, repeats, cheap)
        if "export" in wanted:
            for n in sizes:
                measure_export_subprocess(report, n, portals[n], repeats)
        # Per-size targets are stated at the largest size; smaller sizes are context only.
        for key, m in report.items.items():
            if "@" in key and not key.endswith("@" + size_label(largest)):
                m.met = None
        if "pages" in wanted:
            log("pages (AppTest)")
            meta["pages"] = measure_pages(report, largest, repeats, cheap)
        if "api" in wanted:
            log("API")
            measure_in_child(report, "api", portals[largest], repeats)
        if "paced" in wanted:
            log("API, paced")
            measure_in_child(report, "paced", portals[sizes[0]], repeats)
        if "browser" in wanted:
            log("browser")
            try:
                measure_browser(report, largest, repeats)
            except Exception as exc:  # a browser problem must not lose the other figures
                report.add("browser_overview_s", None, "s", note=f"n/a: {exc}"[:300])
    for key in expected_keys(sizes, quick=False)[0]:
        if key not in report.items:
            report.add(key, None, unit_of(key), note="skipped")
    meta["elapsed_s"] = round(time.perf_counter() - started, 1)
    meta.update(machine_meta())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report.to_json(meta), indent=2), encoding="utf-8")
    before = None
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))["measurements"]
    print(table(report, before))
    print(f"\n{meta['elapsed_s']} s on {meta['cpus']} cores; JSON in {args.out}")
    return 0


def measure_load_section(
    report: Report, portals: dict[int, Path], repeats: int, cheap: int
) -> None:
    """Loading against its baselines, memory, double-bookings and CSV, at every size."""
    sizes = sorted(portals)
    loads: dict[int, float] = {}
    for n in sizes:
        log(f"size {size_label(n)} (fresh process)")
        measure_in_child(report, "load", portals[n], repeats, cheap)
        loads[n] = report.items[f"load_s@{size_label(n)}"].value or 0.0
    if len(sizes) > 1:
        a, b = sizes[-2], sizes[-1]
        growth = loads[b] / loads[a]
        linear = b / a
        m = report.add(
            "load_growth_ratio",
            growth,
            "x",
            note=f"{size_label(a)} -> {size_label(b)}; linear would be {linear:g}x",
        )
        m.target, m.met = f"<= {linear:g}x (linear)", growth <= linear * 1.1
    else:
        report.add("load_growth_ratio", None, "x", note="n/a: one size only")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
