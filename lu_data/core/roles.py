"""The roles a person signed in to the dashboard has (lu_data.views.access gives them)."""

from __future__ import annotations

ROLE_ADMIN = "admin"  # every session, the data source and refresh
ROLE_COORDINATOR = "coordinator"  # every session
ROLE_TUTOR = "tutor"  # the sessions they teach
STAFF_ROLES = (ROLE_COORDINATOR, ROLE_ADMIN)  # who sees every session
ADMIN_ROLES = (ROLE_ADMIN,)  # who runs the dashboard: the data source, the audit log
ROLE_PLURALS = {ROLE_ADMIN: "admins", ROLE_COORDINATOR: "coordinators", ROLE_TUTOR: "tutors"}


def roles_text(roles: tuple[str, ...]) -> str:
    """Roles as a sentence names them: "coordinators and admins"."""
    names = [ROLE_PLURALS.get(r, r) for r in roles]
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
