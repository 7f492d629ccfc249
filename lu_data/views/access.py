"""Who may see what: the [access] rules (allow, coordinators, admins), a tutor's own sessions,
and whether a server may show portal data without sign-in."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from lu_data.core.addresses import is_loopback
from lu_data.core.roles import ROLE_ADMIN, ROLE_COORDINATOR, ROLE_TUTOR
from lu_data.model.portal import Portal
from lu_data.model.quality import QualityReport
from lu_data.model.rollups import trainings_frame, tutors_frame
from lu_data.model.selection import is_in

ROLE_LABELS = {
    ROLE_ADMIN: "Admin: every session, the data source and refresh",
    ROLE_COORDINATOR: "Coordinator: every session",
    ROLE_TUTOR: "Tutor: the sessions you teach",
}
ACCESS_LISTS = ("allow", "coordinators", "admins")
ALLOW_ANONYMOUS_ENV = "LU_ALLOW_ANONYMOUS"
NO_SIGN_IN_TEXT = (
    "This dashboard holds a LearnUpon portal's data and listens on {where} without sign-in, "
    "so anyone who can reach it would see every session, tutor and email address. "
    "Add an [auth] table (your company's OpenID Connect sign-in) and an [access] table to "
    ".streamlit/secrets.toml, or listen on loopback alone (--server.address 127.0.0.1). "
    "Behind a proxy that signs people in already, set LU_ALLOW_ANONYMOUS=1."
)


class AccessError(ValueError):
    """The [access] settings cannot be read; the message says which entry and why."""


@dataclass(frozen=True)
class AccessRules:
    """The [access] table: who may sign in, who sees every session, who runs the data.

    Entries are addresses ("ops@example.com") or whole domains with a leading @
    ("@example.com"), compared without regard to case. Coordinators and admins may sign in
    whether or not `allow` names them.
    """

    allow: tuple[str, ...] = ()
    coordinators: tuple[str, ...] = ()
    admins: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, table: Mapping[str, object] | None) -> AccessRules:
        """Rules from the [access] table of secrets.toml (none: nobody is let in)."""
        table = dict(table or {})
        unknown = sorted(set(table) - set(ACCESS_LISTS))
        if unknown:
            raise AccessError(
                f"[access] has unknown entries {', '.join(unknown)}: use {', '.join(ACCESS_LISTS)}"
            )
        lists = {name: _entries(name, table.get(name, ())) for name in ACCESS_LISTS}
        return cls(**lists)


def _entries(name: str, value: object) -> tuple[str, ...]:
    """One list of [access], checked and normalised (lower case, no spaces)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise AccessError(f"[access] {name} must be a list of addresses or @domains")
    entries = []
    for item in value:
        text = str(item).strip().casefold()
        local, at, domain = text.rpartition("@")
        if not at or not domain or "." not in domain or " " in text:
            raise AccessError(
                f"[access] {name}: {item!r} is neither an address (name@example.com) "
                "nor a domain (@example.com)"
            )
        entries.append(text)
    return tuple(entries)


def matches(email: str, entries: Iterable[str]) -> bool:
    """True when the address is one of the entries or in one of their @domains."""
    address = email.strip().casefold()
    domain = "@" + address.rpartition("@")[2]
    return any(entry in (address, domain) for entry in entries)


def role_of(email: str, rules: AccessRules) -> str | None:
    """The role of a signed-in address: admin, coordinator, tutor (allowed), or None."""
    if not email or "@" not in email:
        return None
    if matches(email, rules.admins):
        return ROLE_ADMIN
    if matches(email, rules.coordinators):
        return ROLE_COORDINATOR
    if matches(email, rules.allow):
        return ROLE_TUTOR
    return None


def anonymous_refusal(
    listen_address: str | None,
    *,
    portal_configured: bool,
    sign_in: bool,
    env: Mapping[str, str],
) -> str | None:
    """Why this server must not show portal data without sign-in, or None when it may.

    Decided by the address the server listens on, never by the client's address, which a
    request can forge. The demo and uploads hold no portal's data and are always served.
    """
    # No address at all means every interface, as Streamlit binds it.
    if sign_in or not portal_configured or is_loopback(listen_address or ""):
        return None
    if env.get(ALLOW_ANONYMOUS_ENV, "").strip() == "1":
        return None
    where = f"{listen_address}" if listen_address else "every network interface"
    return NO_SIGN_IN_TEXT.format(where=where)


def tutor_portal(portal: Portal, email: str) -> Portal:
    """The portal as a tutor sees it: only the sessions whose tutor email is theirs.

    Trainings and tutors are rolled up again from those sessions; the quality report keeps
    the warnings about them and nothing about other records. `viewer` names the tutor, so
    nothing cached for the whole portal is served for this one.
    """
    address = email.strip().casefold()
    sessions = portal.sessions
    own = sessions["tutor_email"].fillna("").str.strip().str.casefold().eq(address)
    mine = sessions.loc[own.to_numpy()].reset_index(drop=True)
    parts = {name: tutor_portal(part, email) for name, part in portal.parts.items()}
    return dataclasses.replace(
        portal,
        sessions=mine,
        trainings=trainings_frame(mine),
        tutors=tutors_frame(mine),
        quality=_tutor_quality(portal.quality, mine),
        parts=parts,
        viewer=address,
    )


def _tutor_quality(report: QualityReport, sessions: pd.DataFrame) -> QualityReport:
    """The report's warnings about these sessions; the portal-wide accounting is not theirs."""
    warnings = report.warnings.loc[is_in(report.warnings["session_key"], sessions["session_key"])]
    return QualityReport(
        input_records=len(sessions),
        sessions=len(sessions),
        warnings=warnings.reset_index(drop=True),
    )
