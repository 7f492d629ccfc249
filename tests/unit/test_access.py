"""Who may see what: [access] roles, a tutor's own sessions, the no-sign-in rule.

The audit log's own tests are in test_audit_log.py."""

from __future__ import annotations

import pytest

from lu_data.model.portals import combine_portals, renamed
from lu_data.views.access import (
    ALLOW_ANONYMOUS_ENV,
    ROLE_ADMIN,
    ROLE_COORDINATOR,
    ROLE_TUTOR,
    AccessError,
    AccessRules,
    anonymous_refusal,
    is_loopback,
    role_of,
    tutor_portal,
)

RULES = AccessRules.from_settings(
    {
        "allow": ["@Example.com", "partner@other.org"],
        "coordinators": ["lead@example.com"],
        "admins": ["ops@ops.example.net"],
    }
)


@pytest.mark.parametrize(
    ("email", "role"),
    [
        ("someone@example.com", ROLE_TUTOR),
        ("Someone@EXAMPLE.com ", ROLE_TUTOR),  # addresses compare without case or spaces
        ("partner@other.org", ROLE_TUTOR),
        ("colleague@other.org", None),  # one address of a domain does not allow the domain
        ("lead@example.com", ROLE_COORDINATOR),
        ("ops@ops.example.net", ROLE_ADMIN),  # admins need not be in allow
        ("someone@sub.example.com", None),  # a domain is that domain, not its subdomains
        ("someone@example.com.evil.org", None),
        ("example.com", None),
        ("", None),
    ],
)
def test_roles_follow_the_access_lists(email, role):
    assert role_of(email, RULES) == role


def test_no_access_table_lets_nobody_in():
    assert role_of("anyone@example.com", AccessRules.from_settings(None)) is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"allowed": ["@example.com"]}, "unknown entries allowed"),
        ({"allow": ["example.com"]}, "'example.com' is neither an address"),
        ({"admins": ["ops at example.com"]}, "'ops at example.com' is neither"),
        ({"allow": 3}, "allow must be a list"),
    ],
)
def test_a_misread_access_table_says_which_entry(table, message):
    with pytest.raises(AccessError, match=message):
        AccessRules.from_settings(table)


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("dash.example.com", False),
        ("", False),  # unset: Streamlit listens on every interface
    ],
)
def test_loopback_is_decided_by_the_listen_address(address, loopback):
    assert is_loopback(address) is loopback


def test_portal_data_without_sign_in_needs_loopback_or_an_explicit_opt_out():
    def refusal(address, *, portal=True, sign_in=False, env=None):
        return anonymous_refusal(address, portal_configured=portal, sign_in=sign_in, env=env or {})

    assert refusal("127.0.0.1") is None
    assert refusal("::1") is None
    text = refusal("0.0.0.0")
    assert text and "0.0.0.0" in text and "[auth]" in text and ALLOW_ANONYMOUS_ENV in text
    assert "every network interface" in refusal(None)
    assert refusal("0.0.0.0", portal=False) is None  # the demo and uploads are anyone's
    assert refusal("0.0.0.0", sign_in=True) is None
    assert refusal("0.0.0.0", env={ALLOW_ANONYMOUS_ENV: "1"}) is None
    assert refusal("0.0.0.0", env={ALLOW_ANONYMOUS_ENV: "yes"})  # only "1" opts out


def test_a_tutor_sees_only_the_sessions_they_teach(demo_portal):
    email = demo_portal.sessions["tutor_email"].dropna().iloc[0]
    mine = tutor_portal(demo_portal, email.upper())
    expected = demo_portal.sessions["tutor_email"].str.casefold() == email.casefold()
    assert 0 < len(mine.sessions) == int(expected.sum()) < len(demo_portal.sessions)
    assert set(mine.sessions["session_key"]) == set(
        demo_portal.sessions.loc[expected, "session_key"]
    )
    assert mine.sessions["tutor_email"].str.casefold().eq(email.casefold()).all()
    assert len(mine.tutors) == 1 and mine.tutors["tutor_email"].iloc[0] == email
    assert set(mine.trainings["training_key"]) == set(mine.sessions["training_key"].dropna())
    assert mine.trainings["sessions"].sum() == len(mine.sessions)
    assert mine.viewer == email.casefold()
    # Nothing about other records: only warnings about these sessions, no rejected rows.
    assert set(mine.quality.warnings["session_key"]) <= set(mine.sessions["session_key"])
    assert mine.quality.rejected.empty and mine.quality.balanced
    assert tutor_portal(demo_portal, "nobody@example.com").sessions.empty


def test_a_tutor_across_portals_sees_their_sessions_in_each(demo_portal):
    email = demo_portal.sessions["tutor_email"].dropna().iloc[0]
    both = combine_portals({"emea": renamed(demo_portal, "emea"), "apac": demo_portal}, "x")
    mine = tutor_portal(both, email)
    own = int((demo_portal.sessions["tutor_email"] == email).sum())
    assert len(mine.sessions) == 2 * own
    assert sorted(mine.parts) == ["apac", "emea"]
    assert all(len(part.sessions) == own for part in mine.parts.values())


def test_a_remembered_link_opens_only_this_apps_pages():
    from ui.access import parse_return_link

    page, query = parse_return_link("/capacity?tz=UTC&tutor=a&tutor=b")
    assert page.script == "pages/capacity.py" and query == {"tz": ["UTC"], "tutor": ["a", "b"]}
    assert parse_return_link("/")[0].script == "dashboard.py"
    assert parse_return_link("/sessions/")[0].script == "pages/sessions.py"
    for elsewhere in ("https://evil.example/capacity", "//evil.example/capacity", "/nope"):
        assert parse_return_link(elsewhere) is None
