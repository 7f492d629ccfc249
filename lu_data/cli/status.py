"""CLI subcommand `status`: is each configured portal synced recently, for monitoring to ask."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lu_data.store.settings import default_url

if TYPE_CHECKING:
    from lu_data.sync.status import StatusReport

EXIT_SETUP = 2  # the store cannot be opened, or the config or an argument is bad


class SetupError(Exception):
    """The command cannot judge anything: the message is its one line."""


def register_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add the `status` subcommand; it sets `func(args) -> int`."""
    cmd = subparsers.add_parser(
        "status",
        help="say whether each configured portal is synced recently (for monitoring)",
        description=(
            "One line per configured portal: its newest complete snapshot (time, age, sessions), "
            "its last sync run (outcome, when, how long, which process, its error) and OK, STALE "
            "or FAILING. Exit 0 when every portal is OK, 1 when any is stale or its last sync "
            "failed, 2 when the store cannot be opened or the config is bad."
        ),
    )
    cmd.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="TOML file with [learnupon] tables, as `lu-data sync` reads it (default: "
        ".streamlit/secrets.toml if present, and the LEARNUPON_* variables)",
    )
    cmd.add_argument(
        "--db",
        metavar="URL",
        help="store URL (default: $LU_STORE_URL, else the SQLite file in $LU_DATA_DIR)",
    )
    cmd.add_argument(
        "--max-age",
        type=float,
        metavar="MINUTES",
        help="oldest snapshot that is still OK (default: three sync periods of each portal, "
        "its cache_minutes)",
    )
    cmd.add_argument("--json", action="store_true", help="one JSON object, for scripts")
    cmd.set_defaults(func=run_status)


def run_status(args: argparse.Namespace) -> int:
    """`lu-data status`: 0 when every portal is OK, 1 when any is not, 2 on a setup error."""
    try:
        report = _build_report(args)
    except SetupError as exc:
        print(f"lu-data status: error: {exc}", file=sys.stderr)
        return EXIT_SETUP
    if args.json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write("".join(f"{line}\n" for line in report.lines()))
    return report.exit_code


def _build_report(args: argparse.Namespace) -> StatusReport:
    """Read the config and the store and judge each portal; SetupError when either fails."""
    from lu_data.sources.api_settings import ConfigError
    from lu_data.sync.config import sync_configs

    if args.max_age is not None and not args.max_age > 0:
        raise SetupError("--max-age needs a number of minutes above 0")
    try:
        configs = sync_configs(args.config)
    except ConfigError as exc:
        raise SetupError(str(exc)) from None
    url = args.db or default_url()
    # SQLAlchemy, the driver and the judging only once the cheap checks passed.
    from lu_data.store.engine import sqlite_file
    from lu_data.store.errors import StoreError, has_loose_at, safe_url, store_error
    from lu_data.store.status import read_portal_records
    from lu_data.sync.status import status_report

    shown = safe_url(url)
    if has_loose_at(url):  # parsed, the password's tail would be taken as the host
        raise SetupError(f"store URL {shown} has more than one @: write an @ in it as %40")
    try:
        path = sqlite_file(url)
    except Exception:  # noqa: BLE001 - SQLAlchemy's own text repeats the URL, password and all
        raise SetupError(
            f"store URL {shown} does not parse: expected e.g. sqlite:///FILE or "
            "postgresql+psycopg://USER:PASSWORD@HOST/DATABASE"
        ) from None
    if path is not None and not path.exists():  # opening would create an empty store
        raise SetupError(f"store {shown} does not exist: no sync has written it yet")
    try:
        records = read_portal_records(url)
    except StoreError as exc:
        raise SetupError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - any driver error becomes one line
        raise SetupError(str(store_error(url, exc))) from None
    return status_report(shown, configs, records, datetime.now(UTC), args.max_age)
