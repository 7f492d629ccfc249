"""The `lu-data` command line: export, check, demo, digest, and the portal commands.

Building the parser imports no pandas, store or exports: each command imports what it needs
when it runs, so `--help` is instant and `check` pays only for loading.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from lu_data.cli.arguments import (
    OUTPUT_HELP,
    SOURCE_HELP,
    is_stdout,
    load_source_argument,
    parse_date,
    refuse_binary_terminal,
    refuse_portal_argument,
    write_output,
)
from lu_data.exports.view_names import EXPORT_VIEWS
from lu_data.presentation.zone_names import SESSION_ZONE
from lu_data.store.settings import is_store_url

if TYPE_CHECKING:
    import pandas as pd

EXIT_UNREADABLE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE
EXPORT_FORMATS = ("csv", "ics", "xlsx")
# Views that read the enrolment history as well as the sessions; they look back over every date.
HISTORY_VIEWS = ("supply-demand",)
PORTAL_HELP = "with a store URL: only this portal (repeat for several; default all)"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="lu-data", description="LearnUpon ILT sessions: export, check and demo data."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    exp = sub.add_parser("export", help="write a CSV, calendar (ICS) or Excel export of a source")
    exp.add_argument("source", help=SOURCE_HELP)
    exp.add_argument("--portal", action="append", metavar="NAME", help=PORTAL_HELP)
    exp.add_argument(
        "--view",
        choices=EXPORT_VIEWS + HISTORY_VIEWS,
        default="sessions",
        help="what one CSV row is: a session, a training, a tutor, a double-booked pair "
        "of one tutor's sessions, two in-person sessions in one room at once, or a training "
        "judged on its enrolment history (default sessions)",
    )
    exp.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        default="csv",
        help="csv (the --view), ics (sessions as calendar events) or xlsx (all three views)",
    )
    exp.add_argument(
        "--tz", default=SESSION_ZONE, help="local (each session's zone), utc, or an IANA zone"
    )
    exp.add_argument(
        "--from", dest="date_from", type=parse_date, help="first start date (YYYY-MM-DD)"
    )
    exp.add_argument("--to", dest="date_to", type=parse_date, help="last start date (YYYY-MM-DD)")
    exp.add_argument("--anchor", type=parse_date, help="anchor date for the demo portal")
    exp.add_argument("-o", "--output", type=Path, help=OUTPUT_HELP)
    exp.set_defaults(func=run_export)

    chk = sub.add_parser("check", help="print the data-quality report of a source")
    chk.add_argument("source", help=SOURCE_HELP)
    chk.add_argument("--portal", action="append", metavar="NAME", help=PORTAL_HELP)
    chk.add_argument("--json", action="store_true", help="machine-readable output")
    chk.add_argument("--anchor", type=parse_date, help="anchor date for the demo portal")
    chk.set_defaults(func=run_check)

    demo = sub.add_parser("demo", help="write a demo portal as API-shaped JSON")
    demo.add_argument("-o", "--output", type=Path, help=OUTPUT_HELP)
    demo.add_argument("--sessions", type=int, default=None, help="number of sessions (default 600)")
    demo.add_argument("--seed", type=int, default=None)
    demo.add_argument(
        "--anchor", type=parse_date, help="date the demo is centred on (default today)"
    )
    demo.set_defaults(func=run_demo)

    try:
        from lu_data.cli.fetch import register_commands
    except ImportError:  # pragma: no cover - the portal commands ship with the package
        pass
    else:
        register_commands(sub)
    from lu_data.cli.record import register_commands as register_history

    register_history(sub)
    from lu_data.cli.sync import register_commands as register_sync

    register_sync(sub)
    from lu_data.cli.status import register_commands as register_status

    register_status(sub)
    from lu_data.cli.digest import register_commands as register_digest

    register_digest(sub)
    from lu_data.cli.plan import register_commands as register_plan

    register_plan(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    # Imported once the arguments parse: --help and usage errors need none of them.
    from lu_data.sources.api_settings import PortalError
    from lu_data.sources.files import SourceError
    from lu_data.store.errors import StoreError

    try:
        return int(args.func(args) or 0)
    except (SourceError, PortalError, StoreError, ValueError, OSError) as exc:
        # One clear line, never a traceback; PortalError texts never carry the password.
        print(f"lu-data: error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except Exception as exc:  # a bug of ours: still one line, and a distinct exit code
        print(f"lu-data: internal error ({type(exc).__name__}): {exc}", file=sys.stderr)
        return EXIT_INTERNAL


def run_export(args: argparse.Namespace) -> int:
    """`lu-data export`: CSV of one view, an ICS calendar or an Excel workbook, by start date."""
    from lu_data.presentation.display_zone import normalise_zone_choice

    tz = normalise_zone_choice(args.tz)
    if args.format == "ics" and args.view != "sessions":
        raise ValueError("--format ics holds sessions only: leave out --view")
    if args.view in HISTORY_VIEWS:
        return _export_history_view(args)
    if args.format == "xlsx":
        refuse_binary_terminal(args.output, "--format xlsx writes a binary workbook")
    portal = load_source_argument(args)
    sessions = filter_by_start(portal.sessions, args.date_from, args.date_to, tz)
    if args.format == "ics":
        from lu_data.exports.ics import sessions_ics

        data = sessions_ics(sessions)
    elif args.format == "xlsx":
        from lu_data.exports.xlsx import sessions_workbook

        data = sessions_workbook(sessions, tz)
    else:
        from lu_data.exports.csv import to_csv_bytes, view_frame

        data = to_csv_bytes(view_frame(sessions, args.view, tz))
    write_output(args.output, data)
    return 0


def _export_history_view(args: argparse.Namespace) -> int:
    """`lu-data export --view supply-demand`: each training judged on its enrolment history."""
    import pandas as pd

    from lu_data.analyses.supply_demand import supply_demand
    from lu_data.exports.csv import to_csv_bytes
    from lu_data.store.enrolment import portal_history

    if args.format != "csv":
        raise ValueError(f"--view {args.view} is a CSV: leave out --format")
    if args.date_from or args.date_to:
        raise ValueError(f"--view {args.view} looks back over every date: leave out --from/--to")
    portal = load_source_argument(args)
    as_of = pd.Timestamp(portal.fetched_at)
    history = portal_history(portal, as_of, demo=portal.is_demo)
    write_output(args.output, to_csv_bytes(supply_demand(history, portal.sessions, as_of)))
    return 0


def filter_by_start(
    sessions: pd.DataFrame, date_from: date | None, date_to: date | None, tz: str = SESSION_ZONE
) -> pd.DataFrame:
    """Sessions whose start date (in the chosen zone) lies within [date_from, date_to]."""
    import pandas as pd

    from lu_data.presentation.display_zone import display_times

    if date_from is None and date_to is None:
        return sessions
    day = display_times(sessions, tz)["start_display"].dt.normalize()
    keep = pd.Series(True, index=sessions.index)
    if date_from is not None:
        keep &= day >= pd.Timestamp(date_from)
    if date_to is not None:
        keep &= day <= pd.Timestamp(date_to)
    return sessions.loc[keep.fillna(False)]


def run_check(args: argparse.Namespace) -> int:
    """`lu-data check`: the data-quality report, as text or JSON (a store: also per portal)."""
    if is_store_url(args.source):
        from lu_data.store.source import check_summary, check_text, read_store_source

        source = read_store_source(args.source, args.portal)
        if args.json:
            text = json.dumps(check_summary(source), ensure_ascii=False, indent=2, default=str)
            sys.stdout.write(text + "\n")
        else:
            sys.stdout.write(check_text(source))
        return 0
    refuse_portal_argument(args)
    from lu_data.ingest.loading import load_quality

    # The report shows no trainings or tutors: load_quality leaves their rollups out.
    sessions, report = load_quality(args.source, anchor=args.anchor)
    if args.json:
        from lu_data.presentation.session_text import warning_sessions

        sys.stdout.write(report.to_json(warning_sessions(report.warnings, sessions)))
    else:
        sys.stdout.write(report.check_text())
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """`lu-data demo`: write a demo portal as API-shaped JSON."""
    from lu_data.sources.demo import DEMO_SEED, DEMO_SESSIONS, generate_demo
    from lu_data.sources.files import dump_portal

    raw = generate_demo(
        n_sessions=args.sessions or DEMO_SESSIONS,
        seed=DEMO_SEED if args.seed is None else args.seed,
        anchor=args.anchor,
    )
    write_output(args.output, dump_portal(raw))
    if not is_stdout(args.output):
        print(
            f"wrote {raw.record_count:,} records in {len(raw.pages):,} pages to {args.output}",
            file=sys.stderr,
        )
    return 0
