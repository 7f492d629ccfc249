"""CLI subcommand `record`: load a source and add its enrolment snapshot to the history store."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from lu_data.store.settings import MIN_RECORD_GAP, URL_ENV, default_url

EXIT_STORE_ERROR = 2


def register_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add the `record` subcommand; it sets `func(args) -> int`."""
    rec = subparsers.add_parser(
        "record",
        help="record every upcoming session's enrolment into the history store",
        description=(
            "Load SOURCE and record each upcoming session's enrolment and capacity with the "
            "time of the fetch, so fill pace can be followed. Run it on a schedule (cron, "
            "systemd timer). Recording the same fetch twice adds nothing."
        ),
    )
    rec.add_argument("source", help="'demo', a saved JSON export or folder, or a portal URL")
    rec.add_argument(
        "--db",
        metavar="URL",
        help=f"database URL (default: ${URL_ENV} or $LU_HISTORY_URL, else SQLite in $LU_DATA_DIR)",
    )
    rec.add_argument(
        "--min-gap-minutes",
        type=float,
        default=MIN_RECORD_GAP.total_seconds() / 60,
        help="skip when this origin was recorded less than this long ago (default 60; 0 = never)",
    )
    rec.set_defaults(func=run_record)


def run_record(args: argparse.Namespace) -> int:
    """`lu-data record`: load the source, record it, print one summary line to stderr."""
    from lu_data.ingest.loading import load_source
    from lu_data.store.store import StoreError, clean_origin, open_store, safe_url

    portal = load_source(args.source)
    gap = timedelta(minutes=args.min_gap_minutes) if args.min_gap_minutes > 0 else None
    url = args.db or default_url()
    try:
        with open_store(url) as store:
            added = store.record(portal, min_gap=gap)
    except StoreError as exc:
        # One line naming the store with its password masked; driver messages carry none.
        print(f"lu-data: error: history {exc}", file=sys.stderr)
        return EXIT_STORE_ERROR
    where, origin = safe_url(url), clean_origin(portal.origin)
    stamp = f"{portal.fetched_at:%Y-%m-%d %H:%M:%S} UTC"
    if added:
        print(f"recorded {added} sessions from {origin} as of {stamp} in {where}",
              file=sys.stderr)  # fmt: skip
    else:
        print(f"nothing new to record from {origin} as of {stamp} in {where}",
              file=sys.stderr)  # fmt: skip
    return 0
