"""The Audit page (AppTest, SQLite store with hand-written events): newest first, counts per
person and kind, filters from the URL, the CSVs, and who may open it."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from lu_data.store.audit_events import AuditEvent, insert_audit_events
from lu_data.store.settings import default_url
from lu_data.store.store import open_store
from tests.app.test_access_roles import TUTOR, menu, signed_in
from tests.support.apptest import download

NOW = datetime.now(UTC).replace(microsecond=0)
FILTERS = {"date_from": "2026-11-27", "date_to": "2027-01-31", "tz": "UTC"}
EVENTS = [
    AuditEvent(NOW - timedelta(days=40), "download", email="old@example.com", rows=1),
    AuditEvent(
        NOW - timedelta(days=3), "sign-in", email="tom@example.com", name="Tom", role="tutor"
    ),
    AuditEvent(
        NOW - timedelta(days=3, minutes=-5),
        "download",
        email="tom@example.com",
        role="tutor",
        page="Sessions and export",
        file="ilt-sessions_27-Nov-2026-to-31-Jan-2027.csv",
        rows=10,
        filters=FILTERS,
        process="web-1:4242",
    ),
    AuditEvent(
        NOW - timedelta(days=2),
        "refused",
        email="eve@elsewhere.net",
        name="Eve",
        reason="not in [access]",
    ),
    AuditEvent(
        NOW - timedelta(days=1), "sign-in", email="ops@partner.org", name="Olu Ops", role="admin"
    ),
    AuditEvent(
        NOW - timedelta(hours=1),
        "download",
        email="tom@example.com",
        role="tutor",
        page="Calendar",
        file="ilt-sessions_27-Nov-2026-to-31-Jan-2027.ics",
        rows=10,
        filters=FILTERS,
        process="web-2:77",
    ),
]


@pytest.fixture
def audit_log():
    """The hand-written events, in the store this test's app opens."""
    with open_store(default_url()) as store:
        insert_audit_events(store, EVENTS)


def test_events_newest_first_with_counts_and_csvs(app, audit_log, media):
    """Without sign-in the page says nothing new is recorded, and lists what was."""
    at = app("pages/audit.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Audit"
    assert "Sign-in is off on this server" in at.info[0].value
    counts, events = (d.value for d in at.dataframe)
    # The last 30 days: the 40-day-old download is outside, the other five inside.
    assert list(events["Event"]) == ["Download", "Sign-in", "Refused", "Download", "Sign-in"]
    assert list(events["Person"])[:3] == ["tom@example.com", "Olu Ops", "Eve"]
    assert events["Filters"].iloc[0] == "date_from 2026-11-27 · date_to 2027-01-31 · tz UTC"
    assert events["Process"].iloc[0] == "web-2:77"
    assert list(events["Rows"]) == ["10", "", "", "10", ""]  # a count for downloads alone
    assert counts.to_dict("records")[0] == {
        "Person": "Tom",
        "Email": "tom@example.com",
        "Sign-in": 1,
        "Refused": 0,
        "Download": 2,
        "Total": 3,
    }
    assert list(counts["Total"]) == [3, 1, 1]
    assert any(c.value.startswith("5 events · 3 people · ") for c in at.caption)

    data, name = download(at, media, "audit_csv")
    full = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert name.startswith("ilt-audit_") and name.endswith(".csv")
    assert len(full) == 5 and list(full.columns[:3]) == ["at", "event", "email"]
    assert json.loads(full["filters"].iloc[0]) == FILTERS
    shown, shown_name = download(at, media, "audit_shown_csv")
    as_shown = pd.read_csv(io.BytesIO(shown), encoding="utf-8-sig")
    assert shown_name.startswith("ilt-audit-as-shown_")
    assert list(as_shown.columns) == list(events.columns)
    assert list(as_shown["Event"]) == list(events["Event"])


def test_filters_come_from_the_url_and_stay_in_it(app, audit_log):
    since = (NOW - timedelta(days=60)).date().isoformat()
    at = app("pages/audit.py", person="tom@example.com", event="download", audit_from=since).run()
    assert not at.exception, at.exception
    counts, events = (d.value for d in at.dataframe)
    assert list(events["File"]) == [
        "ilt-sessions_27-Nov-2026-to-31-Jan-2027.ics",
        "ilt-sessions_27-Nov-2026-to-31-Jan-2027.csv",
    ]
    assert list(counts["Total"]) == [2]
    assert at.multiselect(key="audit_people").value == ["tom@example.com"]
    assert at.query_params["person"] == "tom@example.com"

    at.multiselect(key="audit_people").set_value([]).run()  # everyone, downloads since then
    events = at.dataframe[1].value
    assert set(events["Email"]) == {"tom@example.com", "old@example.com"}
    assert "person" not in at.query_params and at.query_params["event"] == "download"


def test_no_events_says_so(app):
    at = app("pages/audit.py").run()
    assert not at.exception, at.exception
    assert "No audit events match these choices." in [i.value for i in at.info]
    assert not at.dataframe and not at.get("download_button")  # no empty table, no empty file


def test_a_link_with_odd_choices_opens_a_sensible_view(app, audit_log):
    """Days the wrong way round are the same range; unknown people and kinds are dropped."""
    later, earlier = (NOW - timedelta(days=1)).date(), (NOW - timedelta(days=3)).date()
    at = app(
        "pages/audit.py",
        audit_from=later.isoformat(),
        audit_to=earlier.isoformat(),
        person="nobody@example.com",
        event="bogus",
    ).run()
    assert not at.exception, at.exception
    assert at.date_input(key="audit_days").value == (earlier, later)
    assert len(at.dataframe[1].value) == 4  # the events of those three days, by everyone
    assert "person" not in at.query_params and "event" not in at.query_params


def test_only_admins_open_the_audit_page(app, audit_log):
    """Admins see Audit in the menu and the events; coordinators and tutors get neither the
    link nor the page by its URL."""
    admin = signed_in(app, "ops@partner.org", page="pages/audit.py")
    assert not admin.exception, admin.exception
    assert "Audit" in menu(admin)
    events = admin.dataframe[1].value  # the hand-written five, and maybe this sign-in
    assert len(events.loc[events["When (UTC)"] < NOW]) == 5
    assert not admin.info or "Sign-in is off" not in admin.info[0].value
    for email in ("lead@partner.org", TUTOR):
        at = signed_in(app, email, page="pages/audit.py")
        assert not at.exception
        assert at.title[0].value == "Audit"
        (refusal,) = [w.value for w in at.warning]
        assert refusal.startswith("The Audit page is for admins only")
        assert "Audit" not in menu(at)
        assert not at.dataframe and not at.get("download_button")


def test_a_merge_proposal_shows_what_it_found(app):
    """A Plan page merge event: its settings under Filters, what it found under Found, and a
    Merge column in the counts."""
    merge = AuditEvent(
        NOW - timedelta(hours=2),
        "merge",
        email="lead@example.com",
        role="coordinator",
        page="Plan",
        rows=5,
        filters={"merge_below": 0.5, "horizon_days": 21},
        counts={"merges": 2, "kept": 3},
    )
    with open_store(default_url()) as store:
        insert_audit_events(store, [merge])
    at = app("pages/audit.py").run()
    assert not at.exception, at.exception
    counts, events = (d.value for d in at.dataframe)
    assert list(events["Event"]) == ["Merge"]
    assert events["Filters"].iloc[0] == "horizon_days 21 · merge_below 0.5"
    assert events["Found"].iloc[0] == "kept 3 · merges 2"
    assert counts.to_dict("records")[0]["Merge"] == 1
