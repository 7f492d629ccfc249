"""Loading, memory, double-bookings and exports, against the parse limit and a naive pipeline."""

from __future__ import annotations

import gc
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.harness import (
    ANCHOR,
    ROOT,
    Report,
    log,
    measure_in_child,
    median,
    size_label,
    timed,
)
from lu_data import load_portal
from lu_data.sources.demo import generate_demo
from lu_data.sources.files import dump_portal, read_path
from lu_data.sources.rails_zones import RAILS_TO_IANA

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
# 1, 2, 5, 6: loading, memory, double-bookings, export; `lu-data check` as a process


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
    return load_portal(read_path(path, lean=True))


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
    """Double-booking and room-clash detection, supply and demand, and the sessions CSV, on the
    loaded sessions."""
    from lu_data.analyses.double_bookings import double_bookings
    from lu_data.analyses.rooms import room_clashes
    from lu_data.analyses.supply_demand import supply_demand
    from lu_data.exports.csv import to_csv_bytes, view_frame
    from lu_data.store.demo_history import demo_history

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
    room_runs = [timed(lambda: room_clashes(sessions))[0] for _ in range(repeats)]
    report.add(
        f"room_clashes_s@{label}",
        median(room_runs),
        "s",
        runs=room_runs,
        note=f"{len(room_clashes(sessions))} pairs of in-person sessions in one room",
    )
    history = demo_history(sessions, portal.fetched_at)
    demand_runs = [
        timed(lambda: supply_demand(history, sessions, portal.fetched_at))[0]
        for _ in range(repeats)
    ]
    report.add(
        f"supply_demand_s@{label}",
        median(demand_runs),
        "s",
        runs=demand_runs,
        note=f"{len(history):,} history rows",
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


# The floor of `lu-data check FILE` as a whole process: start Python, import pandas, parse the file.
BARE_LOAD = "import json, sys, pandas; json.load(open(sys.argv[1]))"


def measure_check_process(report: Report, n: int, path: Path, repeats: int) -> None:
    """`lu-data check FILE` as a fresh process against a bare process that imports pandas and
    json.loads the same file; run by run, interleaved, so a busy machine slows both alike.

    The target is on wall time; CPU time (user + system) is reported beside it, as it moves
    far less when other work shares the machine.
    """
    label = size_label(n)
    check = [sys.executable, "-m", "lu_data", "check", str(path)]
    bare = [sys.executable, "-c", BARE_LOAD, str(path)]
    wall: dict[str, list[float]] = {"check": [], "bare": []}
    cpu: dict[str, list[float]] = {"check": [], "bare": []}
    for r in range(repeats):
        for name, command in (("bare", bare), ("check", check)):
            seconds, cpu_seconds = process_seconds(command)
            wall[name].append(seconds)
            cpu[name].append(cpu_seconds)
        log(
            f"  check process {label} run {r + 1}/{repeats}: bare json.load "
            f"{wall['bare'][-1]:.2f} s ({cpu['bare'][-1]:.2f} s CPU), lu-data check "
            f"{wall['check'][-1]:.2f} s ({cpu['check'][-1]:.2f} s CPU)"
        )
    check_s, bare_s = median(wall["check"]), median(wall["bare"])
    report.add(f"check_process_s@{label}", check_s, "s", runs=wall["check"])
    report.add(
        f"bare_json_load_process_s@{label}",
        bare_s,
        "s",
        runs=wall["bare"],
        note="python -c 'import json, pandas; json.load(open(FILE))'",
    )
    # Each run's check against the bare load beside it: a load spike on a shared machine then
    # lands in one pair, where a ratio of the two medians could pair a quiet run with a busy one.
    ratios = [c / b for c, b in zip(wall["check"], wall["bare"], strict=True)]
    report.add(
        f"check_process_vs_json_load@{label}",
        median(ratios),
        "x",
        runs=ratios,
        note=f"median of per-run ratios; ratio of medians {check_s / bare_s:.2f}x",
    )
    cpu_ratios = [c / b for c, b in zip(cpu["check"], cpu["bare"], strict=True)]
    report.add(
        f"check_process_cpu_vs_json_load@{label}",
        median(cpu_ratios),
        "x",
        runs=cpu_ratios,
        note=f"CPU {median(cpu['check']):.2f} s vs {median(cpu['bare']):.2f} s",
    )


def process_seconds(command: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of a command from this tree, its output
    discarded."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{command} failed:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


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


def measure_load_section(
    report: Report, portals: dict[int, Path], repeats: int, cheap: int
) -> None:
    """Loading against its baselines, memory, double-bookings and CSV, and `lu-data check` as
    a whole process against a bare json.load, at every size."""
    sizes = sorted(portals)
    loads: dict[int, float] = {}
    for n in sizes:
        log(f"size {size_label(n)} (fresh process)")
        measure_in_child(report, "load", portals[n], repeats, cheap)
        loads[n] = report.items[f"load_s@{size_label(n)}"].value or 0.0
        measure_check_process(report, n, portals[n], repeats)
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
        report.add("load_growth_ratio", None, "x", note="skipped: one size only")
