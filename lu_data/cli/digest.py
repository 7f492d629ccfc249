"""`lu-data digest`: what needs action in the coming days, by email, Slack and Teams, or
written to a file as a dry run.

The analyses, renderers and senders are imported when the digest runs, not when the parser
is built, so other commands never pay for them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lu_data.analyses.digest_window import DIGEST_DAYS
from lu_data.cli.arguments import (
    SOURCE_HELP,
    is_stdout,
    load_source_argument,
    output_name,
    parse_date,
    write_output,
)
from lu_data.presentation.zone_names import SESSION_ZONE

if TYPE_CHECKING:
    import pandas as pd

    from lu_data.analyses.filters import Filters
    from lu_data.model.portal import Portal
    from lu_data.notify.digest import DigestOptions

EXIT_FAILED = 1
DASHBOARD_URL_ENV = "LU_DASHBOARD_URL"
TODAY_ENV = "LU_TODAY"
DRY_RUN_SUFFIXES = (".eml", ".html", ".md", ".txt")


def register_commands(sub: Any) -> None:
    """Add `digest` to the command line."""
    dig = sub.add_parser(
        "digest",
        help="send the digest of what needs action: email, Slack, Teams (or -o FILE)",
        description="The digest of the next --days days: at risk, overbooked, full, no tutor, "
        "no location, double-bookings, unknown zones and the data-quality count; for "
        "coordinators, the merges the Plan page suggests for the coming week.",
    )
    dig.add_argument("source", help=SOURCE_HELP)
    dig.add_argument(
        "--days", type=int, default=DIGEST_DAYS, help=f"days from --today (default {DIGEST_DAYS})"
    )
    dig.add_argument(
        "--today", type=parse_date, help="first day (default: LU_TODAY, else today, UTC)"
    )
    dig.add_argument("--tz", help="also show starts in this zone (IANA name, or utc)")
    for name, what in (
        ("portal", "portal name"),
        ("training", "training title or key"),
        ("location", "location name"),
        ("tutor", "tutor name, email or key"),
    ):
        dig.add_argument(f"--{name}", action="append", default=[], metavar="FILTER", help=what)
    dig.add_argument("--to", action="append", default=[], metavar="ADDRESS", help="email to")
    dig.add_argument(
        "--per-tutor",
        action="store_true",
        help="also email each tutor their own sessions, with an .ics",
    )
    dig.add_argument("--slack", metavar="URL", help="a Slack incoming-webhook URL")
    dig.add_argument("--teams", metavar="URL", help="a Teams workflow-webhook URL")
    dig.add_argument(
        "-o",
        "--output",
        type=Path,
        help="dry run: write .eml (the whole message), .html or .md/.txt, or - for the "
        ".md/.txt text on standard output; nothing is sent",
    )
    dig.set_defaults(func=run_digest)


def run_digest(args: argparse.Namespace) -> int:
    """Build the digest once, then deliver it to every channel asked for."""
    from lu_data.analyses.digest import digest_filters
    from lu_data.notify.digest import DigestOptions, suggested_merges
    from lu_data.notify.webhooks import check_webhook_url
    from lu_data.presentation.display_zone import normalise_zone_choice
    from lu_data.views.digest import portal_digest

    if not is_stdout(args.output) and args.output.suffix.lower() not in DRY_RUN_SUFFIXES:
        kinds = ", ".join(DRY_RUN_SUFFIXES)
        raise ValueError(f"-o writes {kinds} files or - (standard output), not {args.output.name}")
    channels = bool(args.to or args.per_tutor or args.slack or args.teams)
    if args.output is None and not channels:
        raise ValueError("nothing to do: give --to, --per-tutor, --slack, --teams or -o FILE")
    for channel in ("slack", "teams"):
        if getattr(args, channel):
            check_webhook_url(channel, getattr(args, channel))
    tz = normalise_zone_choice(args.tz) if args.tz else None
    today = args.today or _today()
    args.portal_filter, args.portal = args.portal, None  # --portal filters; it picks no store part
    args.anchor = today  # the demo is anchored on the digest's day, as the app anchors it
    portal = load_source_argument(args)
    filters = digest_filters(_filters(portal, args, tz), today, args.days)
    # The Suggested section is the coordinators' only: not worked out for tutors' emails alone.
    coordinators = args.output is not None or bool(args.to or args.slack or args.teams)
    suggested = suggested_merges(portal, today) if coordinators else None
    digest = portal_digest(portal, filters, today, suggested=suggested)
    options = DigestOptions(tz=tz, base_url=os.environ.get(DASHBOARD_URL_ENV, "").strip() or None)

    if args.output is not None:
        _dry_run(args, digest, options)
        return 0
    failures = _deliver(args, digest, options)
    for line in failures:
        print(f"lu-data: not sent: {line}", file=sys.stderr)
    return EXIT_FAILED if failures else 0


def _deliver(args: argparse.Namespace, digest: Any, options: DigestOptions) -> list[str]:
    """Send to every channel asked for; one line per channel that failed (others still go)."""
    from lu_data.exports.digest_chat import to_slack, to_teams
    from lu_data.notify.digest import digest_message, tutor_messages
    from lu_data.notify.mail import DeliveryError, send_messages, smtp_settings
    from lu_data.notify.webhooks import post_webhook, webhook_timeout

    failures: list[str] = []
    if args.to or args.per_tutor:
        try:
            settings = smtp_settings(os.environ, _smtp_table())
            messages = (
                [digest_message(digest, settings.sender, args.to, options)] if args.to else []
            )
            tutors = tutor_messages(digest, settings.sender, options) if args.per_tutor else []
            sent = send_messages(settings, messages + [m for _, m in tutors])
            if args.to:
                print(f"sent: email to {', '.join(args.to)}")
            if tutors:
                print(f"sent: {len(tutors)} tutor emails ({sent} messages in all)")
        except (DeliveryError, ValueError) as exc:
            failures.append(str(exc) if str(exc).startswith("smtp") else f"email: {exc}")
    timeout = webhook_timeout()
    for channel, payload in (
        ("slack", lambda: to_slack(digest, tz=options.tz, base_url=options.base_url)),
        ("teams", lambda: to_teams(digest, tz=options.tz, base_url=options.base_url)),
    ):
        url = getattr(args, channel)
        if not url:
            continue
        try:
            post_webhook(channel, url, payload(), timeout)
            print(f"sent: {channel}")
        except DeliveryError as exc:
            failures.append(str(exc))
    return failures


def _dry_run(args: argparse.Namespace, digest: Any, options: DigestOptions) -> None:
    """Write the digest to -o FILE as the channel would carry it (`-o -`: the text on standard
    output, as a .md or .txt file would hold it); send nothing."""
    from lu_data.exports.digest_render import subject, to_html, to_text
    from lu_data.notify.digest import digest_message
    from lu_data.notify.mail import DRY_RUN_FROM

    suffix = ".txt" if is_stdout(args.output) else args.output.suffix.lower()
    if suffix == ".eml":
        sender = os.environ.get("LU_SMTP_FROM", "").strip() or DRY_RUN_FROM
        data = bytes(digest_message(digest, sender, args.to, options))
    elif suffix == ".html":
        data = to_html(digest, tz=options.tz, base_url=options.base_url).encode("utf-8")
    else:
        data = to_text(digest, tz=options.tz, base_url=options.base_url).encode("utf-8")
    write_output(args.output, data)
    where = output_name(args.output)
    print(f"wrote {where} (dry run: nothing sent): {subject(digest)}", file=sys.stderr)


def _filters(portal: Portal, args: argparse.Namespace, tz: str | None) -> Filters:
    """The filters named on the command line, each value matched to what the portal holds."""
    from lu_data.analyses.filters import Filters

    sessions = portal.sessions
    return Filters(
        portals=_match("portal", args.portal_filter, sessions, ["portal"], "portal"),
        trainings=_match("training", args.training, sessions, ["title", "training_key"]),
        tutors=_match(
            "tutor", args.tutor, sessions, ["tutor_name", "tutor_email", "tutor_key"], "tutor_key"
        ),
        locations=_match("location", args.location, sessions, ["location"], "location"),
        tz=tz or SESSION_ZONE,
    )


def _match(
    what: str,
    wanted: Sequence[str],
    sessions: pd.DataFrame,
    columns: list[str],
    key: str = "training_key",
) -> tuple[str, ...]:
    """The keys of the sessions whose columns equal each wanted value (any case); a value
    nothing matches is an error that says what there is."""
    import pandas as pd

    keys: list[str] = []
    for value in wanted:
        hit = pd.Series(False, index=sessions.index)
        for column in columns:
            hit |= sessions[column].fillna("").astype(str).str.casefold().eq(value.casefold())
        found = sessions.loc[hit, key].dropna().unique().tolist()
        if not found:
            raise ValueError(f"no {what} matches {value!r}")
        keys += [k for k in found if k not in keys]
    return tuple(keys)


def _smtp_table() -> dict[str, Any] | None:
    """The [smtp] table of .streamlit/secrets.toml, when that file exists."""
    from lu_data.sync.config import DEFAULT_CONFIG, read_config_file

    if not DEFAULT_CONFIG.exists():
        return None
    table = read_config_file(DEFAULT_CONFIG).get("smtp")
    return dict(table) if isinstance(table, dict) else None


def _today() -> date:
    """LU_TODAY when set (as in the app), else today in UTC."""
    pinned = os.environ.get(TODAY_ENV, "").strip()
    if pinned:
        return date.fromisoformat(pinned)
    return datetime.now(UTC).date()
