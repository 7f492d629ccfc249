"""Roles in the app (AppTest with a signed-in user): what each sees and may change."""

from __future__ import annotations

import pytest

from lu_data.analyses.filters import Filters, filter_sessions
from tests.support import ANCHOR
from tests.support.demo import demo_portal
from ui.access import TUTOR_VIEW_TEXT

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "not-a-real-cookie-secret",
    "client_id": "ilt-dashboard",
    "client_secret": "not-a-real-client-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ACCESS = {
    "allow": ["@yourcompany.com"],
    "coordinators": ["lead@partner.org"],
    "admins": ["ops@partner.org"],
}
TUTOR = "diego.evans@yourcompany.com"
RANGE = {"from": ANCHOR.isoformat(), "to": "2027-01-22", "tz": "UTC"}


def signed_in(app, email: str | None, *, access=ACCESS, page: str | None = None, claims=None):
    """The app with [auth] and [access] set, run as `email` (None: signed out); `claims`
    replace the provider's (an empty email, an unverified one)."""
    at = app(page, **RANGE)
    at.secrets["auth"] = AUTH
    at.secrets["access"] = access
    at.user = (
        {"is_logged_in": False}
        if email is None
        else {"is_logged_in": True, "email": email, "name": email.split("@")[0], **(claims or {})}
    )
    return at.run()


def in_range():
    return filter_sessions(
        demo_portal().sessions, Filters(date_from=ANCHOR, date_to=ANCHOR.replace(2027, 1, 22))
    )


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_signed_out_sees_the_sign_in_page_and_nothing_else(app):
    at = signed_in(app, None)
    assert not at.exception
    assert at.button(key="access_sign_in").label == "Sign in"
    assert not at.metric and not at.sidebar.radio and not at.sidebar.multiselect


def test_a_coordinator_sees_every_session_but_cannot_change_the_source(app):
    at = signed_in(app, "Lead@Partner.org")
    assert not at.exception
    assert metric(at, "Sessions") == f"{len(in_range()):,}"
    assert [r.key for r in at.sidebar.radio if r.key == "filter_source"] == []
    assert "Data source: Demo portal" in [c.value for c in at.sidebar.caption]
    assert "Rebuild demo data" not in [b.label for b in at.sidebar.button]
    assert "Coordinator: every session" in [c.value for c in at.sidebar.caption]


def test_an_admin_changes_the_source(app):
    at = signed_in(app, "ops@partner.org")
    assert at.sidebar.radio(key="filter_source").options == ["Demo portal", "Uploaded JSON exports"]
    assert "Rebuild demo data" in [b.label for b in at.sidebar.button]


def test_a_tutor_sees_their_sessions_and_whose_they_are(app):
    at = signed_in(app, TUTOR.upper(), page="pages/tutors.py")
    assert not at.exception
    full = in_range()
    mine = full.loc[full["tutor_email"] == TUTOR]
    assert metric(at, "Sessions") == f"{len(mine):,}" and metric(at, "Tutors") == "1"
    captions = [c.value for c in at.sidebar.caption]
    assert f"`{TUTOR}`" in captions and TUTOR_VIEW_TEXT in captions
    assert "?source=upload" not in str(at.query_params)


def test_a_tutor_who_teaches_nothing_is_told_why_the_view_is_empty(app):
    at = signed_in(app, "new.hire@yourcompany.com")
    (info,) = [i.value for i in at.info if "names" in i.value]
    assert "No session in this data names new.hire@yourcompany.com as its tutor" in info
    assert not at.metric


@pytest.mark.parametrize(
    ("email", "claims", "why"),
    [
        ("eve@elsewhere.net", {}, "`eve@elsewhere.net`, which may not see this dashboard"),
        (TUTOR, {"email_verified": False}, "has not verified this address"),
        ("", {}, "an account without an email address"),
    ],
)
def test_refused_people_see_why_and_no_data(app, email, claims, why):
    at = signed_in(app, email or "x", claims={"email": email} | claims)
    assert not at.exception
    assert at.title[0].value == "Not allowed"
    assert why in at.warning[0].value
    assert not at.metric and not at.sidebar.multiselect
    assert at.button(key="access_sign_out").label == "Sign out"


def test_a_misread_access_table_stops_every_page_with_the_reason(app):
    at = signed_in(app, TUTOR, access={"allow": ["yourcompany.com"]})
    assert at.title[0].value == "Sign-in is misconfigured"
    assert "'yourcompany.com' is neither an address" in at.error[0].value
    assert not at.metric


def menu(at) -> list[str]:
    """The labels of the sidebar menu's links."""
    return [link.proto.label for link in at.get("page_link")]


def test_the_plan_page_is_for_coordinators_and_admins(app):
    """Coordinators (and admins) see Plan in the menu and its form; it plans every tutor's
    sessions, so a tutor has no menu link to it and its URL refuses them, saying why."""
    lead = signed_in(app, "lead@partner.org", page="pages/plan.py")
    assert not lead.exception
    assert "Plan" in menu(lead)
    assert lead.button(key="plan_propose").label == "Propose"
    assert "Plan" in menu(signed_in(app, "ops@partner.org"))

    overview = signed_in(app, TUTOR)
    assert "Plan" not in menu(overview) and "Calendar" in menu(overview)
    at = signed_in(app, TUTOR, page="pages/plan.py")
    assert not at.exception
    assert at.title[0].value == "Plan"
    (refusal,) = [w.value for w in at.warning]
    assert refusal.startswith("The Plan page is for coordinators and admins only")
    assert "Plan" not in menu(at)
    assert not at.dataframe and not at.metric and not at.get("data_editor")
    assert [b.key for b in at.button] == ["access_sign_out"]  # no Propose
