"""CLI subcommands `fetch` (read a LearnUpon portal to a file) and `fake-portal` (stand-in)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from lu_data.cli.arguments import is_stdout, output_name, write_output
from lu_data.sources.api_settings import (
    ENV_VARS,
    PortalError,
    portal_config_from,
)
from lu_data.sources.fake_portal_sign_in import DEFAULT_PASSWORD, DEFAULT_USERNAME

if TYPE_CHECKING:
    from lu_data.core.raw import RawPortal

PROGRESS_WIDTH = 78


def register_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add the `fetch` and `fake-portal` subcommands; each sets `func(args) -> int`."""
    fetch = subparsers.add_parser(
        "fetch",
        help="read courses and modules from a LearnUpon portal into a JSON file",
        description=(
            "Read every course and its modules from a LearnUpon portal. The API password "
            "comes from LEARNUPON_PASSWORD or a prompt, never from a flag."
        ),
    )
    where = fetch.add_mutually_exclusive_group()
    where.add_argument("--portal", help="portal subdomain, e.g. acme for acme.learnupon.com")
    where.add_argument("--base-url", help="full API base URL for other hosts or regions")
    fetch.add_argument("--username", help="API username (default: $LEARNUPON_USERNAME)")
    fetch.add_argument(
        "--all-modules",
        action="store_true",
        help="one unfiltered /modules listing (faster, but sessions lose their course links)",
    )
    fetch.add_argument("--rps", type=float, help="requests per second (default 4, 0 = no limit)")
    fetch.add_argument(
        "-o", "--output", required=True, type=Path, help="file to write, or - for standard output"
    )
    fetch.set_defaults(func=run_fetch)

    fake = subparsers.add_parser(
        "fake-portal",
        help="serve a demo or saved portal on 127.0.0.1 with the LearnUpon API shape",
    )
    fake.add_argument("--source", default="demo", help="'demo' or a saved JSON file/folder")
    fake.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    fake.add_argument("--username", default=DEFAULT_USERNAME)
    fake.add_argument("--password", default=DEFAULT_PASSWORD, help="stand-in password only")
    fake.add_argument("--sessions", type=int, default=600, help="demo sessions to generate")
    fake.add_argument("--page-size", type=int, default=500)
    fake.add_argument("--rate-limit-every", type=int, default=0, metavar="N")
    fake.add_argument("--rate-limit-requests", type=_numbers, default=frozenset(), metavar="N,..")
    fake.add_argument("--no-retry-after", action="store_true", help="429 without Retry-After")
    fake.add_argument("--fail-requests", type=_numbers, default=frozenset(), metavar="3,5")
    fake.add_argument("--truncate-requests", type=_numbers, default=frozenset(), metavar="N,..")
    fake.add_argument("--html-requests", type=_numbers, default=frozenset(), metavar="N,..")
    fake.add_argument("--drop-requests", type=_numbers, default=frozenset(), metavar="N,..")
    fake.add_argument("--delay", type=float, default=0.0, metavar="S")
    fake.add_argument("--stuck-next-page", action="store_true")
    fake.add_argument("--revoke-after", type=int, default=None, metavar="N")
    fake.set_defaults(func=run_fake_portal)


def run_fetch(
    args: argparse.Namespace,
    env: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] = getpass.getpass,
    err: TextIO | None = None,
) -> int:
    """Fetch a portal to args.output; return the exit code."""
    from lu_data.sources.api_client import fetch_portal  # requests only for this command
    from lu_data.sources.files import dump_portal

    stream = err or sys.stderr
    settings = dict(os.environ if env is None else env)
    if args.portal or args.base_url:
        settings.pop(ENV_VARS["portal"], None)
        settings.pop(ENV_VARS["base_url"], None)
        key = "portal" if args.portal else "base_url"
        settings[ENV_VARS[key]] = args.portal or args.base_url
    if args.username:
        settings[ENV_VARS["username"]] = args.username
    if not settings.get(ENV_VARS["password"]) and _has_location(settings):
        if not sys.stdin.isatty() and prompt is getpass.getpass:
            print("lu-data fetch: set LEARNUPON_PASSWORD (no terminal to prompt)", file=stream)
            return 2
        settings[ENV_VARS["password"]] = prompt("LearnUpon API password: ")
    started = time.monotonic()
    try:
        config = portal_config_from(settings, None)
        if config is None:
            print(
                "lu-data fetch: give --portal or --base-url (or set LEARNUPON_PORTAL) "
                "and the API username",
                file=stream,
            )
            return 2
        # --rps 0 turns the rate limit off; no --rps keeps the configured one
        rps = config.requests_per_second if args.rps is None else (args.rps or None)
        config = replace(
            config, all_modules=args.all_modules or config.all_modules, requests_per_second=rps
        )
        raw = fetch_portal(config, progress=_progress_printer(stream))
    except PortalError as exc:
        _end_progress(stream)
        print(f"lu-data fetch: {exc}", file=stream)
        return 1
    _end_progress(stream)
    write_output(args.output, dump_portal(raw))
    # With -o - standard output carries the JSON alone: the summary goes to stderr.
    summary = summary_line(raw, output_name(args.output), time.monotonic() - started)
    print(summary, file=stream if is_stdout(args.output) else sys.stdout)
    return 0


def summary_line(raw: RawPortal, output: Path | str, seconds: float) -> str:
    """One line saying what was fetched, from where, into which file."""
    linked = len({p.course_id for p in raw.pages if p.course_id is not None})
    return (
        f"fetched {raw.record_count:,} module records in {len(raw.pages):,} pages "
        f"({len(raw.courses):,} courses, {linked:,} with modules) from {raw.origin} "
        f"in {seconds:.1f}s -> {output}"
    )


def run_fake_portal(args: argparse.Namespace) -> int:
    """Serve a stand-in portal until Ctrl-C; return the exit code."""
    from lu_data.sources.fake_portal import FakePortal, Faults
    from lu_data.sources.files import SourceError

    try:
        raw = load_fake_source(args.source, args.sessions)
    except (SourceError, ImportError) as exc:
        print(f"lu-data fake-portal: {exc}", file=sys.stderr)
        return 1
    faults = Faults(
        rate_limit_every=args.rate_limit_every,
        rate_limit_requests=args.rate_limit_requests,
        retry_after=None if args.no_retry_after else 1.0,
        fail_requests=args.fail_requests,
        truncate_requests=args.truncate_requests,
        html_requests=args.html_requests,
        drop_requests=args.drop_requests,
        delay=args.delay,
        stuck_next_page=args.stuck_next_page,
        revoke_after=args.revoke_after,
    )
    portal = FakePortal(
        raw,
        username=args.username,
        password=args.password,
        page_size=args.page_size,
        faults=faults,
        port=args.port,
    )
    portal.bind()  # bind first so the printed URL carries the real port
    print(f"stand-in LearnUpon portal with {raw.record_count:,} records at {portal.base_url}")
    print("point the dashboard or `lu-data fetch` at it with:")
    print(f"  export LEARNUPON_BASE_URL={portal.base_url}")
    print(f"  export LEARNUPON_USERNAME={args.username}")
    print(f"  export LEARNUPON_PASSWORD={args.password}")
    print("Ctrl-C to stop", flush=True)
    try:
        portal.serve_forever()
    except KeyboardInterrupt:
        print(f"\nstopped after {portal.request_count} requests", file=sys.stderr)
    return 0


def load_fake_source(source: str, sessions: int = 600) -> RawPortal:
    """The RawPortal to serve: the demo generator or a saved file/folder."""
    from lu_data.sources.files import read_path

    if source == "demo":
        from lu_data.sources.demo import generate_demo  # imported late: optional while developing

        return generate_demo(n_sessions=sessions)
    return read_path(source)


def _has_location(settings: Mapping[str, str]) -> bool:
    return bool(settings.get(ENV_VARS["portal"]) or settings.get(ENV_VARS["base_url"]))


def _progress_printer(stream: TextIO) -> Callable[[int, int, str], None]:
    tty = hasattr(stream, "isatty") and stream.isatty()

    def show(done: int, total: int, message: str) -> None:
        if not tty:
            return  # no carriage-return animation in logs and pipes
        share = f"{done}/{total}" if total else f"{done}"
        line = f"fetching {share}  {message}"[:PROGRESS_WIDTH]
        stream.write("\r" + line.ljust(PROGRESS_WIDTH))
        stream.flush()

    return show


def _end_progress(stream: TextIO) -> None:
    if hasattr(stream, "isatty") and stream.isatty():
        stream.write("\n")
        stream.flush()


def _numbers(text: str) -> frozenset[int]:
    try:
        return frozenset(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers like 3,5 not {text!r}") from None
