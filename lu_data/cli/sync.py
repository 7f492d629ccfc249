"""CLI subcommand `sync`: fetch every configured portal into the store, once or on a period."""

from __future__ import annotations

import argparse
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from lu_data.sources.api_settings import ConfigError
from lu_data.store.errors import safe_url
from lu_data.store.settings import audit_days, default_url
from lu_data.sync.config import DEFAULT_CONFIG, sync_configs

if TYPE_CHECKING:
    from lu_data.store.store import Store
    from lu_data.sync.syncer import SyncResult

EXIT_SYNC_FAILED = 1
EXIT_SETUP = 2


def register_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add the `sync` subcommand; it sets `func(args) -> int`."""
    cmd = subparsers.add_parser(
        "sync",
        help="fetch each configured portal and write its snapshot to the store",
        description=(
            "Fetch every configured portal (each with its own keys and pace, in parallel) and "
            "write one complete snapshot per portal to the store, with its enrolment history. "
            "Dashboards read the store and never wait for LearnUpon. Any number of syncers "
            "and dashboards may share one store: one of them fetches a portal per period."
        ),
    )
    cmd.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help=f"TOML file with [learnupon] tables (default: {DEFAULT_CONFIG} if present, "
        "and the LEARNUPON_* variables)",
    )
    cmd.add_argument(
        "--db",
        metavar="URL",
        help="store URL (default: $LU_STORE_URL, else an SQLite file in $LU_DATA_DIR)",
    )
    when = cmd.add_mutually_exclusive_group()
    when.add_argument("--once", action="store_true", help="fetch every portal now (default)")
    when.add_argument(
        "--every",
        type=float,
        metavar="MINUTES",
        help="keep running; fetch each portal every MINUTES (overrides its cache_minutes)",
    )
    cmd.add_argument(
        "--portal",
        action="append",
        default=[],
        metavar="NAME",
        help="sync only this portal (repeatable)",
    )
    cmd.set_defaults(func=run_sync)


def run_sync(args: argparse.Namespace) -> int:
    """`lu-data sync`: 0 when every portal synced, 1 when any failed, 2 on a setup error."""
    from lu_data.store.store import open_store

    try:
        configs = sync_configs(args.config, only=args.portal)
    except ConfigError as exc:
        print(f"lu-data sync: error: {exc}", file=sys.stderr)
        return EXIT_SETUP
    if args.every is not None and args.every <= 0:
        print("lu-data sync: error: --every needs a number of minutes above 0", file=sys.stderr)
        return EXIT_SETUP
    try:
        audit_days()
    except ValueError as exc:
        print(f"lu-data sync: error: {exc}", file=sys.stderr)
        return EXIT_SETUP
    url = args.db or default_url()
    try:
        store = open_store(url)
    except Exception as exc:  # noqa: BLE001 - any driver error becomes one line
        print(f"lu-data sync: error: store {safe_url(url)}: {_first_line(exc)}", file=sys.stderr)
        return EXIT_SETUP
    if args.every is None:
        with store:
            return _sync_once(store, configs)
    store.close()
    return _sync_every(url, configs, args.every)


def _sync_once(store: Store, configs: list) -> int:
    """Every portal now; one line per portal, failures on stderr; then the audit log pruned."""
    from lu_data.sync.syncer import prune_audit, sync_portals

    results = sync_portals(store, configs, force=True)
    for result in results:
        _report(result)
    _report_pruned(prune_audit(store))
    return EXIT_SYNC_FAILED if any(r.status == "failed" for r in results) else 0


def _sync_every(url: str, configs: list, minutes: float) -> int:
    """Until SIGTERM or Ctrl-C: the write in progress finishes, then the loop ends."""
    from lu_data.store.store import open_store
    from lu_data.sync.syncer import Syncer

    syncer = Syncer(
        open_store=lambda: open_store(url),
        configs=configs,
        period_minutes=minutes,
        on_result=_report,
        on_pruned=_report_pruned,
        on_error=lambda text: print(
            f"lu-data sync: store {safe_url(url)} unreachable, retrying: {text}", file=sys.stderr
        ),
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        print(f"lu-data sync: stopping ({signal.Signals(signum).name})", file=sys.stderr)
        syncer.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    names = ", ".join(c.name for c in configs)
    print(f"lu-data sync: every {minutes:g} min: {names} → {safe_url(url)}", file=sys.stderr)
    syncer.run_forever()
    return 0


def _report(result: SyncResult) -> None:
    """A synced or skipped portal on stdout; a failed one on stderr, naming it and why."""
    stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC"
    if result.status == "failed":
        print(f"lu-data sync: {result.name} failed: {result.reason}", file=sys.stderr)
    else:
        print(f"{stamp} {result.line()}", flush=True)


def _report_pruned(pruned: int) -> None:
    """How many audit events were pruned, on stdout (nothing when none)."""
    if pruned:
        stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC"
        days = audit_days()
        print(f"{stamp} audit log: {pruned:,} events older than {days} days pruned", flush=True)


def _first_line(exc: BaseException) -> str:
    """The driver's own message, first line only (it names no password)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
