"""The digest of a loaded portal, for each channel: the coordinators' email, each tutor's own
email with an .ics, Slack and Teams; and the dry-run files."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage

import pandas as pd

from lu_data.analyses.capacity import capacity_kpis
from lu_data.analyses.digest import LIST_DOUBLE, Digest, DigestList
from lu_data.exports.csv import to_csv_bytes, view_frame
from lu_data.exports.digest_render import count_text, range_text, subject, to_html, to_text
from lu_data.exports.file_names import export_file_name
from lu_data.exports.ics import sessions_ics
from lu_data.model.portal import Portal
from lu_data.notify.mail import Attachment, build_message

LIST_YOURS = "yours"


@dataclass(frozen=True)
class DigestOptions:
    """How a digest is written: the display zone (None: each session's own only) and the
    dashboard's address for links (None: no links)."""

    tz: str | None = None
    base_url: str | None = None


def attachment_csv(digest: Digest, tz: str | None) -> Attachment:
    """Every session the digest lists, as `lu-data export` writes the sessions CSV."""
    name = export_file_name("digest-sessions", digest.filters, "csv")
    data = to_csv_bytes(view_frame(digest.listed, "sessions", tz or digest.filters.tz))
    return Attachment(name, data, "text/csv")


def digest_message(
    digest: Digest, sender: str, to: Sequence[str], options: DigestOptions
) -> EmailMessage:
    """The coordinators' email: text and HTML parts and the CSV of every session listed."""
    return build_message(
        subject=subject(digest),
        sender=sender,
        to=to,
        text=to_text(digest, tz=options.tz, base_url=options.base_url),
        html=to_html(digest, tz=options.tz, base_url=options.base_url),
        attachments=[attachment_csv(digest, options.tz)],
    )


def suggested_merges(portal: Portal, today: date) -> pd.DataFrame | None:
    """The merges the Plan page suggests for the whole load as of `today` (MergePlan.merges),
    for the coordinators' Suggested section; None where the enrolment history cannot be read.

    The planner (and its solver) is imported here, when a coordinators' digest is built.
    """
    from lu_data.planning.merges import MergeSettings
    from lu_data.planning.portal_plan import merge_portal

    try:
        return merge_portal(portal, MergeSettings(), today).merges
    except Exception:  # an unreachable history store only removes the Suggested section
        return None


def tutor_digest(digest: Digest, email: str) -> Digest:
    """One tutor's part of a digest: all their sessions in the window, and the double-bookings
    they are in."""
    mine = digest.sessions.loc[
        digest.sessions["tutor_email"].fillna("").str.casefold() == email.casefold()
    ]
    mine = mine.sort_values(["start_utc", "session_key"], kind="stable").reset_index(drop=True)
    yours = DigestList(LIST_YOURS, "Your sessions", len(mine), mine, "sessions")
    double = next(item for item in digest.lists if item.key == LIST_DOUBLE)
    pairs = double.sessions.loc[
        double.sessions["tutor_email"].fillna("").str.casefold() == email.casefold(), "pair"
    ]
    theirs = double.sessions.loc[double.sessions["pair"].isin(set(pairs))]
    if not theirs.empty:  # renumber their pairs 1, 2, …
        numbers = {p: n + 1 for n, p in enumerate(dict.fromkeys(theirs["pair"]))}
        theirs = theirs.assign(pair=theirs["pair"].map(numbers))
    clashes = dataclasses.replace(double, count=theirs["pair"].nunique(), sessions=theirs)
    return dataclasses.replace(
        digest,
        lists=(yours, clashes),
        sessions=mine,
        kpis=capacity_kpis(mine),
        warnings=0,
        tutor=email,
        demand=None,
        suggested=None,
    )


def tutor_messages(
    digest: Digest, sender: str, options: DigestOptions
) -> list[tuple[str, EmailMessage]]:
    """Each tutor with sessions in the window: their address and their own email, with an .ics
    of their sessions (the same events, stable UIDs, as every other export)."""
    emails = digest.sessions["tutor_email"].dropna().str.strip()
    out = []
    for email in sorted(set(emails[emails.ne("")]), key=str.casefold):
        own = tutor_digest(digest, email)
        window = range_text(digest.start, digest.end)
        said = [count_text(own.lists[0].count, "sessions")]
        if own.lists[1].count:
            said.append(count_text(own.lists[1].count, "double-bookings"))
        title = f"Your ILT sessions {window}: {', '.join(said)}"
        ics = Attachment(
            export_file_name("my-sessions", digest.filters, "ics"),
            sessions_ics(own.sessions, name="My ILT sessions"),
            "text/calendar",
        )
        message = build_message(
            subject=title,
            sender=sender,
            to=[email],
            text=to_text(own, tz=options.tz, base_url=options.base_url, title=title),
            html=to_html(own, tz=options.tz, base_url=options.base_url, title=title),
            attachments=[ics],
        )
        out.append((email, message))
    return out
