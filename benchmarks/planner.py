"""The planner against a greedy baseline (benchmarks.greedy) on the same inputs.

Run from the project root:

    .venv/bin/python -m benchmarks.planner                   # 600 and 100k demos, tight case
    .venv/bin/python -m benchmarks.planner --sizes 600 --repeat 1   # small cases, seconds

Cases: on each demo portal (generate_demo anchored on the harness's fixed date, loaded as the
dashboard loads its demo), the default requests (one more session of each training that
sells out early) and 20 trainings x 3 sessions (the trainings that sell out early first, in
the default order, then those with the most sessions), over the default window of 8 weeks;
and a tight case built from records (`tight_case`), where the first qualified tutor is the
wrong choice. Each case times the plan as the Plan page makes it (plan_portal with the
supply-and-demand verdicts already computed: proposals, proof and proposals as sessions),
the median of --repeat runs, and reports generation, loading and the verdicts apart.

Both plans are then checked the same way: the hard rules afresh (benchmarks.greedy.
rule_breaks) and the dashboard's own clash checks (lu_data.planning.proof.prove_plan). The
busiest week is the largest of (hours booked + hours proposed) over the tutors and weeks
that received a proposal. The table goes to stdout, every figure to benchmarks/out/plan.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python benchmarks/planner.py` works as well as `-m`
    sys.path.insert(0, str(ROOT))

from benchmarks.greedy import (  # noqa: E402
    GreedyPlan,
    PlanInputs,
    busiest_week,
    greedy_plan,
    plan_rows,
    rule_breaks,
)
from benchmarks.harness import (  # noqa: E402
    ANCHOR,
    OUT_DIR,
    finish_run,
    log,
    size_label,
    start_run,
    timed,
)
from lu_data.core.raw import RawPage, RawPortal  # noqa: E402
from lu_data.ingest.loading import load_portal  # noqa: E402
from lu_data.model.portal import Portal  # noqa: E402
from lu_data.planning.candidates import EPOCH, MINUTE  # noqa: E402
from lu_data.planning.portal_plan import PortalPlan, demand_verdicts, plan_portal  # noqa: E402
from lu_data.planning.proof import prove_plan  # noqa: E402
from lu_data.planning.requests import (  # noqa: E402
    PlanRequest,
    PlanSettings,
    default_requests,
    default_window,
)
from lu_data.sources.demo import DEMO_SESSIONS, SAMPLES_DIR, generate_demo  # noqa: E402

DEFAULT_SIZES = (DEMO_SESSIONS, 100_000)
DEFAULT_REPEATS = 3
TRAININGS, PER_TRAINING = 20, 3  # the "3 sessions for each of 20 trainings"
OUT_FILE = OUT_DIR / "plan.json"
TIGHT = "tight"


@dataclass
class Case:
    """One set of requests on one schedule, and what building the schedule cost."""

    name: str
    portal: Portal
    verdicts: pd.DataFrame
    requests: list[PlanRequest]
    settings: PlanSettings
    today: date
    note: str = ""
    setup: dict[str, float] = field(default_factory=dict)  # generate, load, verdicts seconds


@dataclass
class Outcome:
    """One plan's figures: how many it placed, its busiest week, its checks."""

    placed: int
    busiest_hours: float
    busiest_tutor: str
    busiest_week: str  # Monday of that week, ISO
    rule_breaks: list[str]
    proof: str
    proof_clean: bool
    seconds: float


@dataclass
class CaseResult:
    """Solver against greedy on one case."""

    case: str
    note: str
    sessions: int
    requested: int
    candidates: int
    same_candidates: bool  # the greedy read exactly the solver's candidates
    status: str
    objective: float
    bound: float
    solver_seconds: float  # CP-SAT's wall time, both stages
    plan_runs: list[float]  # plan_portal, each run
    plan_cpu_runs: list[float]  # its CPU seconds, each run
    solver: Outcome
    greedy: Outcome
    placed_runs: list[int]  # the solver's count in each run (its time limit can move it)
    status_runs: list[str]
    setup: dict[str, float]
    inputs_seconds: float  # the greedy's shapes, workload and candidates (propose's own first step)

    @property
    def plan_seconds(self) -> float:
        """The median plan_portal time."""
        return float(statistics.median(self.plan_runs))

    @property
    def fewest_placed(self) -> int:
        """The solver's count in its worst run: what a user could have been shown."""
        return min(self.placed_runs)


def demo_portal(n: int) -> tuple[Portal, pd.DataFrame, dict[str, float]]:
    """The n-session demo as the dashboard loads it, its verdicts, and what each step cost."""
    generate_s, raw = timed(lambda: generate_demo(n_sessions=n, anchor=ANCHOR))
    load_s, portal = timed(lambda: load_portal(raw, is_demo=True))  # as ui.loaders does
    verdicts_s, verdicts = timed(lambda: demand_verdicts(portal))
    setup = {"generate_s": generate_s, "load_s": load_s, "verdicts_s": verdicts_s}
    return portal, verdicts, setup


def busiest_trainings(portal: Portal, verdicts: pd.DataFrame, k: int) -> list[str]:
    """k trainings to ask for: those that sell out early (default order), then those with the
    most sessions (ties by key); legacy modules without a training are left out."""
    keys = [r.training_key for r in default_requests(verdicts)][:k]
    counts = portal.sessions["training_key"].dropna().value_counts()
    ranked = counts.rename("n").rename_axis("key").reset_index()
    ranked = ranked.sort_values(["n", "key"], ascending=[False, True], kind="stable")
    for key in ranked["key"]:
        if len(keys) >= k:
            break
        if key not in keys:
            keys.append(str(key))
    return keys


def demo_cases(n: int) -> list[Case]:
    """The default requests and 20 x 3 on the n-session demo, over the default window."""
    portal, verdicts, setup = demo_portal(n)
    settings = PlanSettings(*default_window(ANCHOR))
    label = size_label(n)
    default = default_requests(verdicts)
    twenty = [PlanRequest(k, PER_TRAINING) for k in busiest_trainings(portal, verdicts, TRAININGS)]
    return [
        Case(
            f"default@{label}",
            portal,
            verdicts,
            default,
            settings,
            ANCHOR,
            f"one more of each of the {len(default)} trainings that sell out early",
            setup,
        ),
        Case(
            f"{TRAININGS}x{PER_TRAINING}@{label}",
            portal,
            verdicts,
            twenty,
            settings,
            ANCHOR,
            f"{PER_TRAINING} each of {len(twenty)} trainings (sell out early first)",
            setup,
        ),
    ]


def tight_case() -> Case:
    """Two virtual trainings, two tutors, two weeks, where the first tutor is the wrong pick.

    Ada has taught Negotiation Skills three times and Presenting with Impact twice; Ben has
    taught Negotiation Skills once. Each taught at most one 3-hour session a week in the last
    12 weeks, so that is their weekly limit. Asked for 2 of Negotiation Skills, then 2 of
    Presenting with Impact over the two weeks after today: the greedy gives Negotiation
    Skills Ada (its most experienced tutor) in week one, and Presenting with Impact, which only
    Ada teaches, loses a week. The solver gives Negotiation Skills to Ben.
    """
    ada = {"session_tutor_id": 7101, "tutor_first_name": "Ada", "tutor_last_name": "Byrne"}
    ada["tutor_email"] = "ada.byrne@example.com"
    ben = {"session_tutor_id": 7102, "tutor_first_name": "Ben", "tutor_last_name": "Okafor"}
    ben["tutor_email"] = "ben.okafor@example.com"
    negotiation = {"id": 8101, "training_id": 8201, "title": "Negotiation Skills"}
    presenting = {"id": 8102, "training_id": 8202, "title": "Presenting with Impact"}
    history = [  # (training, tutor, weeks before the window) - Mondays 10:00-13:00 Dublin
        (negotiation, ada, 2),
        (negotiation, ada, 4),
        (negotiation, ada, 6),
        (negotiation, ben, 3),
        (presenting, ada, 3),
        (presenting, ada, 5),
    ]
    template = json.loads((SAMPLES_DIR / "ilt_center_sessions.json").read_text("utf-8"))
    base = template["modules"][0]
    monday = ANCHOR + timedelta(days=7 - ANCHOR.weekday())  # the window: the next two weeks
    records = []
    for n, (training, tutor, weeks) in enumerate(history, start=1):
        day = monday - timedelta(weeks=weeks)
        records.append(
            {
                **base,
                **training,
                **tutor,
                "session_id": 8300 + n,
                "start_at": f"{day:%Y-%m-%d}T10:00:00Z",  # Dublin is on UTC in winter
                "end_at": f"{day:%Y-%m-%d}T13:00:00Z",
                "timezone": "Dublin",
                "location_id": -1,
                "location": "Virtual classroom (Zoom)",
                "number_enrolled_on_session": 10,
                "max_capacity": 10,
            }
        )
    stamp = datetime(ANCHOR.year, ANCHOR.month, ANCHOR.day, 8, tzinfo=UTC)  # as the demo's
    raw = RawPortal([RawPage(records, "tight case")], origin="tight case", fetched_at=stamp)
    portal = load_portal(raw, name=TIGHT)
    sessions = portal.sessions
    key = {t: str(k) for t, k in zip(sessions["title"], sessions["training_key"], strict=True)}
    requests = [
        PlanRequest(key["Negotiation Skills"], 2),
        PlanRequest(key["Presenting with Impact"], 2),
    ]
    # No enrolment history to judge: nothing sells out early (and no store is opened).
    verdicts = pd.DataFrame({"training_key": [], "title": [], "verdict": []}, dtype="str")
    return Case(
        TIGHT,
        portal,
        verdicts,
        requests,
        PlanSettings(monday, monday + timedelta(days=11)),
        ANCHOR,
        "2 + 2 sessions in 2 weeks; Ada teaches both trainings, Ben one; 3 h a week each",
    )


def candidate_rows(plan: PortalPlan, inputs: PlanInputs) -> pd.DataFrame:
    """The solver's proposals as rows of the candidates both choosers read (every proposal must
    be one: the solver and the greedy are to choose among the same candidates)."""
    placed = plan.plan.placed
    keys = pd.DataFrame(
        {
            "training_key": placed["training_key"].astype("str").to_numpy(),
            "tutor_key": placed["tutor_key"].astype("str").to_numpy(),
            "room_key": placed["room_key"].fillna("").astype("str").to_numpy(),
            "start_min": ((placed["start_utc"] - EPOCH) // MINUTE).to_numpy(dtype="int64"),
        }
    )
    free = inputs.free.assign(
        training_key=inputs.free["training_key"].astype("str"),
        tutor_key=inputs.free["tutor_key"].astype("str"),
        room_key=inputs.free["room_key"].fillna("").astype("str"),
    )
    return free.merge(keys, on=list(keys.columns), how="inner")


def outcome(
    case: Case, picked: pd.DataFrame, rows: pd.DataFrame, inputs: PlanInputs, seconds: float
) -> Outcome:
    """One plan's placed count, busiest week and checks."""
    hours, tutor, week = busiest_week(picked, inputs.work)
    proof = prove_plan(case.portal.sessions, rows, case.settings)
    return Outcome(
        placed=len(picked),
        busiest_hours=hours,
        busiest_tutor=tutor,
        busiest_week=date.fromordinal(week).isoformat() if week else "",
        rule_breaks=rule_breaks(picked, inputs, case.settings.buffer_minutes),
        proof=proof.summary,
        proof_clean=proof.clean,
        seconds=seconds,
    )


def measure_case(case: Case, repeats: int) -> CaseResult:
    """plan_portal `repeats` times (the last plan is judged), then the greedy on the same case."""
    runs: list[float] = []
    placed_runs: list[int] = []
    status_runs: list[str] = []
    cpu_runs: list[float] = []  # CPU seconds of this process (all threads): moves less with load
    plan: PortalPlan | None = None
    for _ in range(max(repeats, 1)):
        plan = None  # the previous plan must not weigh on this run
        cpu = time.process_time()
        seconds, plan = timed(
            lambda: plan_portal(
                case.portal, case.requests, case.settings, case.today, case.verdicts
            )
        )
        runs.append(seconds)
        cpu_runs.append(time.process_time() - cpu)
        placed_runs.append(len(plan.plan.placed))
        status_runs.append(plan.plan.figures.status)
    assert plan is not None
    greedy: GreedyPlan = greedy_plan(case.portal.sessions, case.requests, case.settings, case.today)
    inputs = greedy.inputs
    solver_picks = candidate_rows(plan, inputs)
    solver = outcome(case, solver_picks, plan.plan.placed, inputs, statistics.median(runs))
    if len(solver_picks) != len(plan.plan.placed):
        solver.rule_breaks.insert(0, "a proposal is not among the greedy's candidates")
    greedy_seconds = greedy.inputs_seconds + greedy.seconds
    figures = plan.plan.figures
    return CaseResult(
        case=case.name,
        note=case.note,
        sessions=len(case.portal.sessions),
        requested=sum(inputs.counts.values()),
        candidates=figures.candidates,
        same_candidates=figures.candidates == len(inputs.free),
        status=figures.status,
        objective=figures.objective,
        bound=figures.bound,
        solver_seconds=figures.seconds,
        plan_runs=runs,
        plan_cpu_runs=cpu_runs,
        solver=solver,
        greedy=outcome(
            case, greedy.picked, plan_rows(greedy.picked, inputs), inputs, greedy_seconds
        ),
        placed_runs=placed_runs,
        status_runs=status_runs,
        setup=case.setup,
        inputs_seconds=greedy.inputs_seconds,
    )


def run_cases(
    sizes: tuple[int, ...], repeats: int, only: set[str] | None = None
) -> list[CaseResult]:
    """The tight case, then each demo size's cases; `only` names the cases to run (the demo of
    a size is built only when one of its cases is wanted)."""
    results = []
    if only is None or TIGHT in only:
        log("tight case")
        results.append(measure_case(tight_case(), repeats))
    for n in sizes:
        names = {f"default@{size_label(n)}", f"{TRAININGS}x{PER_TRAINING}@{size_label(n)}"}
        if only is not None and not names & only:
            continue
        log(f"demo of {size_label(n)} sessions")
        for case in demo_cases(n):
            if only is not None and case.name not in only:
                continue
            log(f"  {case.name}: {sum(r.count for r in case.requests)} sessions asked")
            results.append(measure_case(case, repeats))
            log(f"  {case.name}: {line(results[-1])}")
    return results


def line(r: CaseResult) -> str:
    """One case in a sentence, for progress lines."""
    return (
        f"solver placed {', '.join(map(str, r.placed_runs))} of {r.requested} "
        f"({', '.join(r.status_runs)}; median {r.plan_seconds:.2f} s), "
        f"greedy {r.greedy.placed}/{r.requested} ({r.greedy.seconds:.2f} s); busiest week "
        f"{r.solver.busiest_hours:g} h vs {r.greedy.busiest_hours:g} h"
    )


def table(results: list[CaseResult]) -> str:
    """Solver against greedy, one case a row, then each case's checks and setup."""
    head = (
        "case",
        "asked",
        "placed solver/greedy",
        "busiest week h solver/greedy",
        "status",
        "objective",
        "bound",
        "solver s",
        "candidates",
        "plan s (range; CPU)",
        "greedy s (inputs + choice)",
    )
    rows = [head]
    for r in results:
        placed = str(r.solver.placed)
        if r.fewest_placed != r.solver.placed:  # the table shows every run's worst
            placed = f"{r.fewest_placed}-{max(r.placed_runs)}"
        ratio = f" ({r.fewest_placed / r.greedy.placed:.2f}x)" if r.greedy.placed else ""
        load = ""
        if r.greedy.busiest_hours and r.solver.placed == r.greedy.placed:  # like for like
            load = f" ({r.solver.busiest_hours / r.greedy.busiest_hours:.2f}x)"
        runs = "" if len(r.plan_runs) < 2 else f" ({min(r.plan_runs):.2f}-{max(r.plan_runs):.2f})"
        rows.append(
            (
                r.case,
                str(r.requested),
                f"{placed} / {r.greedy.placed}{ratio}",
                f"{r.solver.busiest_hours:g} / {r.greedy.busiest_hours:g}{load}",
                r.status,
                f"{r.objective:.0f}",
                f"{r.bound:.0f}",
                f"{r.solver_seconds:.2f}",
                f"{r.candidates:,}" + ("" if r.same_candidates else " (greedy: other)"),
                f"{r.plan_seconds:.2f}{runs}; {statistics.median(r.plan_cpu_runs):.2f}",
                f"{r.greedy.seconds:.2f} ({r.inputs_seconds:.2f} + "
                f"{r.greedy.seconds - r.inputs_seconds:.3f})",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    for r in results:
        checks = []
        for who, o in (("solver", r.solver), ("greedy", r.greedy)):
            broken = "; ".join(o.rule_breaks) or "no rule broken"
            checks.append(f"{who}: {broken}, {o.proof}")
        setup = ", ".join(f"{k.removesuffix('_s')} {v:.2f} s" for k, v in r.setup.items())
        lines.append(
            f"{r.case}: {r.note}; {r.sessions:,} sessions" + (f" ({setup})" if setup else "")
        )
        lines.extend(f"  {c}" for c in checks)
        if len(set(r.placed_runs)) > 1 or len(set(r.status_runs)) > 1:
            runs = ", ".join(
                f"{n} ({s})" for n, s in zip(r.placed_runs, r.status_runs, strict=True)
            )
            lines.append(f"  solver placed, run by run: {runs}; checks above: the last run")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="benchmarks.planner", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="comma-separated demo sizes (default 600,100000)")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEATS, help="plan runs (default 3)")
    parser.add_argument("--cases", help="comma-separated case names (default all), e.g. 20x3@100k")
    parser.add_argument("--out", type=Path, default=OUT_FILE, help="JSON results file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run every case, print the table and write the JSON."""
    args = parse_args(argv)
    sizes = tuple(sorted(int(s) for s in args.sizes.split(","))) if args.sizes else DEFAULT_SIZES
    command = " ".join([Path(sys.executable).name, "-m", "benchmarks.planner", *(argv or [])])
    started = time.perf_counter()
    meta = start_run(sizes, args.repeat, command=command)
    only = set(args.cases.split(",")) if args.cases else None
    results = run_cases(sizes, args.repeat, only)
    cases = [asdict(r) | {"plan_s": r.plan_seconds} for r in results]
    finish_run(meta, started, cases, args.out, table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
