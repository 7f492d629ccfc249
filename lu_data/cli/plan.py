"""`lu-data plan`: propose new sessions where demand outruns supply, each with a tutor, a room
and a time that clash with nothing, as CSV, Excel or a calendar. Nothing is written to
LearnUpon: the output is a draft for the coordinator.

Exit 0 when every requested session is placed, 3 when some are not (one line each on stderr),
2 on bad arguments, 1 when the source cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lu_data.cli.arguments import (
    OUTPUT_HELP,
    SOURCE_HELP,
    load_source_argument,
    parse_date,
    refuse_binary_terminal,
    write_output,
)
from lu_data.presentation.zone_names import SESSION_ZONE

if TYPE_CHECKING:
    from lu_data.model.portal import Portal
    from lu_data.planning.requests import PlanRequest, PlanSettings

EXIT_PLACED = 0
EXIT_UNREADABLE = 1
EXIT_BAD_ARGUMENTS = 2
EXIT_UNPLACED = 3
PLAN_FORMATS = ("csv", "xlsx", "ics")


def register_commands(sub: Any) -> None:
    """Add `plan` to the command line."""
    plan = sub.add_parser(
        "plan",
        help="propose new sessions (tutor, room, time) where demand outruns supply",
        description="Propose new sessions that clash with nothing: no tutor double-booking "
        "(with a buffer), no room clash, inside working hours in each session's zone, within "
        "tutors' weekly limits. Without --add: one more of each training that sells out early. "
        "Exit 0 when all are placed, 3 when some are not, 2 on bad arguments, 1 when the source "
        "cannot be read. Nothing is written to LearnUpon.",
    )
    plan.add_argument("source", help=SOURCE_HELP)
    plan.add_argument(
        "--add",
        action="append",
        metavar="TRAINING=N",
        help="N more sessions of TRAINING (its title, any case, or training_id); repeat",
    )
    plan.add_argument(
        "--from", dest="date_from", type=parse_date, help="first day (default: 7 days from today)"
    )
    plan.add_argument(
        "--to", dest="date_to", type=parse_date, help="last day (default: 8 weeks after --from)"
    )
    plan.add_argument(
        "--hours", default="09:00-17:00", help="working hours in each session's zone (HH:MM-HH:MM)"
    )
    plan.add_argument("--weekends", action="store_true", help="Saturdays and Sundays too")
    plan.add_argument(
        "--max-week-hours",
        type=float,
        help="teaching hours a tutor may have in a week (default: their busiest of the last 12)",
    )
    plan.add_argument(
        "--buffer-minutes", type=int, default=30, help="a tutor's gap between sessions (30)"
    )
    plan.add_argument(
        "--tutor",
        action="append",
        metavar="TRAINING=EMAIL",
        help="let this tutor teach TRAINING too (by default only tutors who have taught it)",
    )
    plan.add_argument(
        "--tz",
        default=SESSION_ZONE,
        help="zone of start_local/end_local: local (each session's, default), utc, or IANA",
    )
    plan.add_argument("--format", choices=PLAN_FORMATS, default="csv", help="csv (default)")
    plan.add_argument("--seconds", type=float, default=5.0, help="the solver's time limit (5)")
    plan.add_argument("--portal", action="append", metavar="NAME", help="with a store URL")
    plan.add_argument("--anchor", type=parse_date, help="today, and the demo portal's anchor")
    plan.add_argument(
        "--check",
        type=Path,
        metavar="DRAFT.csv",
        help="check a draft (the plan CSV, or training, start, end, zone, tutor_email and "
        "location columns) against the source and itself: one row per problem; exit 3 if any",
    )
    plan.add_argument(
        "--merge",
        action="store_true",
        help="propose merges of under-filled sessions into others of the same training",
    )
    plan.add_argument(
        "--merge-below",
        type=float,
        default=0.5,
        help="with --merge: a projected final fill under this makes a candidate (0.5)",
    )
    plan.add_argument(
        "--horizon-days", type=int, default=21, help="with --merge: candidates start within (21)"
    )
    plan.add_argument(
        "--within-days",
        type=int,
        default=14,
        help="with --merge: a target starts within this many days of its candidate (14)",
    )
    plan.add_argument("-o", "--output", type=Path, help=OUTPUT_HELP)
    plan.set_defaults(func=run_plan)


def run_plan(args: argparse.Namespace) -> int:
    """`lu-data plan`: the proposals as a file; why each unplaced session could not be placed."""
    from lu_data.planning.requests import PlanError
    from lu_data.presentation.display_zone import normalise_zone_choice

    try:
        tz = normalise_zone_choice(args.tz)
        if args.format == "xlsx":
            refuse_binary_terminal(args.output, "--format xlsx writes a binary workbook")
    except ValueError as exc:
        return _refuse(str(exc))
    if args.merge and (args.check is not None or args.add or args.tutor):
        return _refuse("--merge proposes merges only: leave out --add, --tutor and --check")
    if args.merge and args.format != "csv":
        return _refuse("--merge writes a CSV of merges: leave out --format")
    if args.merge and not 0 < args.merge_below <= 1:
        return _refuse(f"--merge-below {args.merge_below:g}: give a fill between 0 and 1")
    if args.merge and (args.horizon_days < 1 or args.within_days < 0):
        return _refuse("--horizon-days must be 1 or more and --within-days 0 or more")
    if args.check is not None:
        conflicting = [
            flag for flag, given in (("--add", args.add), ("--tutor", args.tutor)) if given
        ]
        if conflicting or args.format != "csv":
            extra = ", ".join(conflicting) or "--format"
            return _refuse(f"--check writes a CSV of problems: leave out {extra}")
        try:
            draft = args.check.read_bytes()
        except OSError as exc:
            return _refuse(f"cannot read the draft {args.check}: {exc.strerror or exc}")
    try:
        portal = load_source_argument(args)
    except ValueError as exc:  # --portal without a store URL: a bad argument
        return _refuse(str(exc))
    except Exception as exc:  # noqa: BLE001 - any unreadable source: one line, exit 1
        print(f"lu-data: error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.check is not None:
        return _check(portal, draft, args)
    if args.merge:
        return _merge(portal, args)
    try:
        requests = _requests(portal, args.add)
        settings = _settings(portal, args)
        from lu_data.planning.portal_plan import plan_portal

        result = plan_portal(portal, requests, settings, _today(portal, args))
    except PlanError as exc:
        return _refuse(str(exc))
    rows = result.plan.rows
    if args.format == "ics":
        from lu_data.exports.plan_export import plan_ics

        data = plan_ics(result.proposals)
    elif args.format == "xlsx":
        from lu_data.exports.plan_export import plan_workbook

        data = plan_workbook(rows)
    else:
        from lu_data.exports.plan_export import plan_csv

        data = plan_csv(rows, tz)
    write_output(args.output, data)
    figures = result.plan.figures
    print(
        f"lu-data: proposed {len(result.plan.placed)} of {len(rows)} sessions; "
        f"{result.proof.summary} (solver {figures.status}, {figures.seconds:.1f} s)",
        file=sys.stderr,
    )
    for row in result.plan.unplaced.itertuples():
        print(f"lu-data: not placed: {row.training_title}: {row.reason}", file=sys.stderr)
    return EXIT_UNPLACED if len(result.plan.unplaced) else EXIT_PLACED


def _check(portal: Portal, draft: bytes, args: argparse.Namespace) -> int:
    """`--check`: one CSV row per problem of the draft; exit 3 when there is any."""
    from lu_data.exports.csv import to_csv_bytes
    from lu_data.planning.draft_check import check_draft, check_summary
    from lu_data.planning.draft_file import read_draft
    from lu_data.planning.requests import PlanError, parse_hours

    try:
        start, end = parse_hours(args.hours)
        if args.buffer_minutes < 0:
            raise PlanError(f"buffer of {args.buffer_minutes} minutes: give 0 or more")
        rows, bad = read_draft(draft)
    except PlanError as exc:
        return _refuse(f"{args.check}: {exc}")
    problems = check_draft(
        portal.sessions, rows, bad, buffer_minutes=args.buffer_minutes, day_start=start, day_end=end
    )
    from lu_data.exports.plan_export import draft_check_frame

    write_output(args.output, to_csv_bytes(draft_check_frame(problems)))
    print(f"lu-data: {check_summary(problems, len(rows) + len(bad))}", file=sys.stderr)
    for row in problems.loc[problems["problem"].eq("bad_row").to_numpy()].itertuples():
        print(f"lu-data: row {row.row}: {row.reason}", file=sys.stderr)
    return EXIT_UNPLACED if len(problems) else EXIT_PLACED


def _merge(portal: Portal, args: argparse.Namespace) -> int:
    """`--merge`: one CSV row per candidate, merged or kept with why; exit 0."""
    from lu_data.exports.csv import to_csv_bytes
    from lu_data.exports.plan_export import merge_csv_frame
    from lu_data.planning.merges import MergeSettings
    from lu_data.planning.portal_plan import merge_portal

    settings = MergeSettings(args.merge_below, args.horizon_days, args.within_days, args.seconds)
    plan = merge_portal(portal, settings, args.anchor)
    write_output(args.output, to_csv_bytes(merge_csv_frame(plan.rows)))
    merged = plan.merges
    print(
        f"lu-data: {len(merged)} of {len(plan.rows)} under-filled sessions merge, freeing "
        f"{merged['tutor_hours_freed'].sum():g} tutor hours (solver {plan.status})",
        file=sys.stderr,
    )
    return EXIT_PLACED


def _refuse(message: str) -> int:
    """A bad argument: one line on stderr, exit 2."""
    print(f"lu-data: error: {message}", file=sys.stderr)
    return EXIT_BAD_ARGUMENTS


def _today(portal: Portal, args: argparse.Namespace) -> Any:
    """Today: --anchor, else the day the data was fetched (the demo's anchor)."""
    return args.anchor or portal.fetched_at.date()


def _requests(portal: Portal, adds: list[str] | None) -> list[PlanRequest] | None:
    """The --add requests by training key, or None for the default (what sells out early)."""
    from lu_data.planning.requests import PlanRequest, parse_count, resolve_training

    if not adds:
        return None
    asked = []
    for text in adds:
        name, count = parse_count(text)
        asked.append(PlanRequest(resolve_training(portal.sessions, name), count))
    return asked


def _settings(portal: Portal, args: argparse.Namespace) -> PlanSettings:
    """The window, hours and limits from the arguments, with the documented defaults."""
    from datetime import timedelta

    from lu_data.planning.requests import (
        WINDOW_WEEKS,
        PlanError,
        PlanSettings,
        default_window,
        parse_count,
        parse_hours,
        resolve_training,
        resolve_tutor,
    )

    first, last = default_window(_today(portal, args))
    if args.date_from:
        first = args.date_from
        last = first + timedelta(weeks=WINDOW_WEEKS, days=-1)
    if args.date_to:
        last = args.date_to
    start, end = parse_hours(args.hours)
    tutors = []
    for text in args.tutor or []:
        training, _, email = text.rpartition("=")
        if not training.strip() or not email.strip():
            raise PlanError(f"--tutor '{text}': write it as TRAINING=EMAIL")
        parse_count(f"{training}=1")  # the same rules for the training's name
        key = resolve_training(portal.sessions, training)
        tutors.append((key, resolve_tutor(portal.sessions, email)))
    return PlanSettings(
        first_day=first,
        last_day=last,
        day_start=start,
        day_end=end,
        weekends=args.weekends,
        max_week_hours=args.max_week_hours,
        buffer_minutes=args.buffer_minutes,
        extra_tutors=tuple(tutors),
        seconds=args.seconds,
    )
