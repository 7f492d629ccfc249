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
from lu_data.analyses.digest import LIST_DOUBLE, Digest, DigestList, build_digest
from lu_data.analyses.filters import Filters, filter_sessions, whole_history
from lu_data.analyses.forecast import project_sessions, typical_curves
from lu_data.analyses.supply_demand import supply_demand
from lu_data.exports.csv import to_csv_bytes, view_frame
from lu_data.exports.digest_render import count_text, range_text, subject, to_html, to_text
from lu_data.exports.file_names import export_file_name
from lu_data.exports.ics import sessions_ics
from lu_data.model.fill_status import AT_RISK_BELOW
from lu_data.model.portal import Portal
from lu_data.notify.mail import Attachment, build_message
from lu_data.store.enrolment import portal_history

LIST_YOURS = "yours"


@dataclass(frozen=True)
class DigestOptions:
    """How a digest is written: the display zone (None: each session's own only) and the
    dashboard's address for links (None: no links)."""

    tz: str | None = None
    base_url: str | None = None


def portal_projections(portal: Portal, history: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Projected final enrolment of the portal's upcoming sessions, as the dashboard projects
    them (same history, curves and as-of time), or None without enough history."""
    as_of = pd.Timestamp(portal.fetched_at)
    if history is None:
        history = portal_history(portal, as_of, demo=portal.is_demo)
    if history.empty:
        return None
    curves = typical_curves(history, portal.sessions, as_of)
    if curves.empty:
        return None
    return project_sessions(portal.sessions, curves, as_of)


def portal_digest(
    portal: Portal, filters: Filters, today: date, threshold: float = AT_RISK_BELOW
) -> Digest:
    """The digest of a portal for these filters (their dates are the window), closed by the
    trainings that sell out early or rarely fill, as the Fill pace page judges them."""
    as_of = pd.Timestamp(portal.fetched_at)
    try:
        history = portal_history(portal, as_of, demo=portal.is_demo)
    except Exception:  # an unreachable history store only removes the projection and demand
        projections = demand = None
    else:
        projections = portal_projections(portal, history)
        scope = filter_sessions(portal.sessions, whole_history(filters))
        demand = supply_demand(history, scope, as_of, threshold)
    return build_digest(
        portal.sessions, portal.quality.warnings, filters, today, projections, threshold, demand
    )


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
