"""Benchmark harness for "Fast at 100,000 sessions": load, memory, pages, exports, API, browser.

Run from the project root:

    .venv/bin/python -m benchmarks.run                      # 1k, 10k, 100k; 3 repeats (5 cheap)
    .venv/bin/python -m benchmarks.run --sizes 1000,10000,100000 --repeat 3
    .venv/bin/python -m benchmarks.run --quick              # 200 and 1k, 1 repeat, < 60 s

Every figure is a median of several runs, measured side by side with its baseline (runs are
interleaved, so a noisy machine slows both alike). Loading and API figures come from a fresh
child process per size, as `lu-data export` or `lu-data fetch` would run; `lu-data check FILE`
is itself timed as a whole process against `python -c "import json, pandas; json.load(...)"`
on the same file (target: at most 1.3x). The table goes to
stdout and every figure, with its raw runs, to benchmarks/out/results.json; `--compare
OLD.json` adds an earlier run's figures as a "before" column; `--only load,pages` runs some
sections.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python benchmarks/run.py` works as well as `-m benchmarks.run`
    sys.path.insert(0, str(ROOT))

from benchmarks.api import measure_api, measure_paced  # noqa: E402
from benchmarks.browser import measure_browser, measure_filter_change  # noqa: E402
from benchmarks.harness import (  # noqa: E402
    ANCHOR,
    CHEAP_REPEATS,
    DEFAULT_REPEATS,
    DEFAULT_SIZES,
    OUT_FILE,
    QUICK_SIZES,
    SECTIONS,
    Report,
    expected_keys,
    failures,
    log,
    machine_meta,
    measure_in_child,
    size_label,
    table,
    unit_of,
)
from benchmarks.loading import (  # noqa: E402
    build_portals,
    measure_export_subprocess,
    measure_in_process,
    measure_load_section,
    measure_loading,
)
from benchmarks.pages import measure_pages  # noqa: E402
from benchmarks.store import measure_store  # noqa: E402
from benchmarks.sync import measure_sync_section  # noqa: E402
from lu_data.sources.files import read_path  # noqa: E402


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
    elif kind in ("store", "store-quick"):
        n = int(re.sub(r"\D", "", path.stem))
        measure_store(report, n, path, repeats, with_pg=kind == "store")
    elif kind == "sync":
        n = int(re.sub(r"\D", "", path.stem))
        measure_sync_section(report, n, path, repeats, cheap)
    else:
        measure_paced(report, read_path(path))
    print(json.dumps(report.to_json({})))
    return 0


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
        wanted -= {"paced", "browser", "filter", "sync"}
    if args.skip_browser:
        wanted.discard("browser")
        wanted.discard("filter")
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
        if "store" in wanted:
            log(f"store (snapshots of {size_label(largest)} sessions)")
            measure_in_child(
                report, "store" if not args.quick else "store-quick", portals[largest], repeats
            )
        if "sync" in wanted:
            log(f"sync (store-backed dashboard at {size_label(largest)} sessions)")
            measure_in_child(report, "sync", portals[largest], repeats, cheap)
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
        if "filter" in wanted:
            log("browser, filter changes (600-session demo)")
            try:
                measure_filter_change(report, repeats)
            except Exception as exc:  # as above
                report.add("browser_filter_change_s", None, "s", note=f"n/a: {exc}"[:300])
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
    return report_failures(failures(report))


def report_failures(lines: list[str]) -> int:
    """Say loudly which figures are no measurement; the exit code (1 when any)."""
    for line in lines:
        print(f"FAILED: {line}", file=sys.stderr)
    if lines:
        print(f"FAILED: {len(lines)} figure(s) above are no measurement", file=sys.stderr)
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
