"""Merges of under-filled sessions and the check of a draft, on the 100k demo.

Run from the project root:

    .venv/bin/python -m benchmarks.merge_check                  # 100k demo, 3 runs each
    .venv/bin/python -m benchmarks.merge_check --sizes 600 --repeat 1   # seconds

Cases, on each demo portal (generate_demo anchored on the harness's fixed date, loaded as the
dashboard loads its demo):

- `merge`: the merge proposals over the next 21 days at the default threshold, as the Plan
  page and `lu-data plan --merge` make them (merge_portal: the fill-pace projections, the
  candidates, their targets and the CP-SAT assignment); the projections are also timed apart.
- `check next-year`: a 500-row draft that rolls the first 500 upcoming sessions forward 52
  weeks (same weekday, same tutor and room): a schedule copied from this year's, read from
  its CSV bytes and checked against every session (read_draft + check_draft, as the page and
  `lu-data plan --check` do).
- `check next-week`: the same 500 rows moved one week on, into the existing schedule: the
  draft a hurried coordinator types, with clashes to find and name.

Each case reports the median of --repeat runs, its range, and what it found; the goals of
the issue (merge <= 5 s, a 500-row check <= 2 s at 100,000 sessions) are printed beside
them. The table goes to stdout, every figure to benchmarks/out/merge_check.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python benchmarks/merge_check.py` works as well as `-m`
    sys.path.insert(0, str(ROOT))

from benchmarks.harness import (  # noqa: E402
    ANCHOR,
    OUT_DIR,
    finish_run,
    log,
    size_label,
    start_run,
    timed,
)
from lu_data.exports.csv import to_csv_bytes  # noqa: E402
from lu_data.ingest.loading import load_portal  # noqa: E402
from lu_data.model.portal import Portal  # noqa: E402
from lu_data.planning.draft_check import check_draft  # noqa: E402
from lu_data.planning.draft_file import read_draft  # noqa: E402
from lu_data.planning.merges import MergeSettings  # noqa: E402
from lu_data.planning.portal_plan import merge_portal  # noqa: E402
from lu_data.sources.demo import generate_demo  # noqa: E402
from lu_data.store.enrolment import portal_history  # noqa: E402

DEFAULT_SIZES = (100_000,)
DEFAULT_REPEATS = 3
DRAFT_ROWS = 500
SHIFTS = {"next-year": pd.Timedelta(weeks=52), "next-week": pd.Timedelta(weeks=1)}
GOALS_S = {"merge": 5.0, "check": 2.0}  # at 100,000 sessions
OUT_FILE = OUT_DIR / "merge_check.json"


@dataclass
class CaseResult:
    """One case: its runs in seconds and what the last run found."""

    case: str
    sessions: int
    runs: list[float]
    found: str
    goal_s: float | None
    extra: dict[str, float]

    @property
    def median(self) -> float:
        """The median run."""
        return float(statistics.median(self.runs))


def demo_portal(n: int) -> tuple[Portal, dict[str, float]]:
    """The n-session demo as the dashboard loads it, and what building it cost."""
    generate_s, raw = timed(lambda: generate_demo(n_sessions=n, anchor=ANCHOR))
    load_s, portal = timed(lambda: load_portal(raw, is_demo=True))  # as ui.loaders does
    return portal, {"generate_s": generate_s, "load_s": load_s}


def draft_bytes(sessions: pd.DataFrame, shift: pd.Timedelta, rows: int = DRAFT_ROWS) -> bytes:
    """A hand-made draft CSV: the first `rows` upcoming sessions moved by `shift`."""
    upcoming = sessions.loc[sessions["start_utc"].gt(pd.Timestamp(ANCHOR, tz=UTC)).to_numpy()]
    upcoming = upcoming.sort_values(["start_utc", "session_key"], kind="stable").head(rows)
    frame = pd.DataFrame(
        {
            "training_title": upcoming["title"],
            "start_utc": (upcoming["start_utc"] + shift).map(lambda t: t.isoformat()),
            "end_utc": (upcoming["end_utc"] + shift).map(lambda t: t.isoformat()),
            "zone": upcoming["timezone"],
            "tutor_email": upcoming["tutor_email"],
            "location_id": upcoming["location_id"],
            "location": upcoming["location"],
            "capacity": upcoming["max_capacity"],
        }
    )
    return to_csv_bytes(frame)


def repeat(fn: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    """fn run `repeats` times: each run's seconds and the last result."""
    runs, result = [], None
    for _ in range(max(repeats, 1)):
        result = None  # the previous result must not weigh on this run
        seconds, result = timed(fn)
        runs.append(seconds)
    return runs, result


def measure_merge(portal: Portal, repeats: int) -> CaseResult:
    """merge_portal at the defaults, and the projections it starts from, timed apart."""
    settings = MergeSettings()
    runs, plan = repeat(lambda: merge_portal(portal, settings, ANCHOR), repeats)
    as_of = pd.Timestamp(portal.fetched_at)
    history_s, _ = timed(lambda: portal_history(portal, as_of, demo=portal.is_demo))
    merged = plan.merges
    found = (
        f"{len(merged)} of {len(plan.rows)} candidates merge, freeing "
        f"{merged['tutor_hours_freed'].sum():g} tutor hours ({plan.status})"
    )
    goal = GOALS_S["merge"] if len(portal.sessions) >= 100_000 else None
    extra = {"enrolment_history_s": history_s}
    return CaseResult("merge (21 days)", len(portal.sessions), runs, found, goal, extra)


def measure_check(portal: Portal, name: str, shift: pd.Timedelta, repeats: int) -> CaseResult:
    """read_draft + check_draft of a 500-row draft, as `lu-data plan --check` runs them."""
    data = draft_bytes(portal.sessions, shift)

    def check() -> tuple[int, pd.DataFrame]:
        rows, bad = read_draft(data)
        return len(rows) + len(bad), check_draft(portal.sessions, rows, bad)

    runs, (n_rows, problems) = repeat(check, repeats)
    kinds = problems["problem"].value_counts()
    found = f"{len(problems)} problems in {n_rows} rows" + (
        f" ({', '.join(f'{k} {v}' for k, v in kinds.items())})" if len(kinds) else ""
    )
    goal = GOALS_S["check"] if len(portal.sessions) >= 100_000 else None
    read_s, _ = timed(lambda: read_draft(data))
    return CaseResult(
        f"check {name} ({n_rows} rows)",
        len(portal.sessions),
        runs,
        found,
        goal,
        {"read_s": read_s},
    )


def run_cases(sizes: tuple[int, ...], repeats: int) -> list[CaseResult]:
    """Every case on each demo size."""
    results = []
    for n in sizes:
        log(f"demo of {size_label(n)} sessions")
        portal, setup = demo_portal(n)
        log(f"  built in {setup['generate_s']:.1f} + {setup['load_s']:.1f} s")
        results.append(measure_merge(portal, repeats))
        log(f"  {results[-1].case}: {results[-1].median:.2f} s, {results[-1].found}")
        for name, shift in SHIFTS.items():
            results.append(measure_check(portal, name, shift, repeats))
            log(f"  {results[-1].case}: {results[-1].median:.2f} s, {results[-1].found}")
    return results


def table(results: list[CaseResult]) -> str:
    """One case a row: median, range, goal and what it found."""
    head = ("case", "sessions", "median s (range)", "goal", "found")
    rows = [head]
    for r in results:
        spread = "" if len(r.runs) < 2 else f" ({min(r.runs):.2f}-{max(r.runs):.2f})"
        goal = (
            ""
            if r.goal_s is None
            else f"<= {r.goal_s:g} s " + ("met" if r.median <= r.goal_s else "MISSED")
        )
        rows.append((r.case, f"{r.sessions:,}", f"{r.median:.2f}{spread}", goal, r.found))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for r in results:
        parts = ", ".join(f"{k.removesuffix('_s')} {v:.2f} s" for k, v in r.extra.items())
        lines.append(f"{r.case}: of which {parts}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    doc = (__doc__ or "").splitlines()[0]
    parser = argparse.ArgumentParser(prog="benchmarks.merge_check", description=doc)
    parser.add_argument("--sizes", help="comma-separated demo sizes (default 100000)")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEATS, help="runs (default 3)")
    parser.add_argument("--out", type=Path, default=OUT_FILE, help="JSON results file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run every case, print the table and write the JSON."""
    args = parse_args(argv)
    sizes = tuple(sorted(int(s) for s in args.sizes.split(","))) if args.sizes else DEFAULT_SIZES
    started = time.perf_counter()
    meta = start_run(sizes, args.repeat)
    results = run_cases(sizes, args.repeat)
    cases = [asdict(r) | {"median_s": r.median} for r in results]
    finish_run(meta, started, cases, args.out, table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
