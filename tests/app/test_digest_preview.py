"""The digest agrees with the dashboard: same counts on the Overview for the same filters and
day, and the Sessions page previews the very message the command sends, its Suggested section
included for coordinators and admins (never for a tutor)."""

from __future__ import annotations

import io
from datetime import date
from email import message_from_bytes, policy

import pandas as pd

from lu_data.analyses.digest import (
    LIST_AT_RISK,
    LIST_DOUBLE,
    LIST_FULL,
    LIST_OVERBOOKED,
    LIST_ROOMS,
)
from lu_data.analyses.filters import Filters
from lu_data.exports.digest_render import subject, to_text
from lu_data.ingest.loading import load_source
from lu_data.notify.digest import suggested_merges
from lu_data.views.access import ROLE_COORDINATOR, ROLE_TUTOR
from lu_data.views.digest import portal_digest
from tests.support import ANCHOR
from tests.support.apptest import download

TO = date(2027, 1, 22)
VIEW = {"from": ANCHOR.isoformat(), "to": TO.isoformat(), "tz": "UTC"}


def command_digest():
    """The digest `lu-data digest demo --days 57` builds on ANCHOR, with the Plan page's
    merges for its Suggested section."""
    portal = load_source("demo", anchor=ANCHOR)
    filters = Filters(date_from=ANCHOR, date_to=TO, tz="UTC")
    return portal_digest(portal, filters, ANCHOR, suggested=suggested_merges(portal, ANCHOR))


def test_the_digest_counts_what_the_overview_counts(app):
    at = app(**VIEW).run()
    cards = {m.label: m.value for m in at.metric}
    notes = {m.label: m.delta for m in at.metric}
    digest = command_digest()
    assert cards["Sessions"] == f"{digest.kpis.sessions:,}"
    assert cards["Seats taken"] == f"{digest.kpis.seats_taken:,}"
    assert cards["At risk (projected)"] == f"{digest.count(LIST_AT_RISK):,}"
    assert cards["Full"] == f"{digest.count(LIST_FULL):,}"
    assert notes["Full"] == f"{digest.count(LIST_OVERBOOKED):,} overbooked"
    assert cards["Double-booking pairs"] == f"{digest.count(LIST_DOUBLE):,}"
    assert cards["Room clashes"] == f"{digest.count(LIST_ROOMS):,}" == "2"
    assert cards["Data-quality warnings"] == f"{digest.warnings:,}"
    assert digest.count(LIST_AT_RISK) and digest.count(LIST_DOUBLE)  # the test can fail


def test_the_sessions_page_previews_the_message_the_command_sends(app, media):
    at = app("pages/sessions.py", **VIEW).run()
    assert not at.exception and not [b for b in at.get("download_button") if "digest" in b.proto.id]
    at.toggle(key="sessions_digest").set_value(True).run()
    digest = command_digest()
    assert f"**Subject:** {subject(digest)}" in [m.value for m in at.markdown]
    data, name = download(at, media, "sessions_digest_eml")
    assert name == "ilt-digest_27-Nov-2026-to-22-Jan-2027.eml"
    msg = message_from_bytes(data, policy=policy.default)
    assert msg["Subject"] == subject(digest)
    # The page's message says what the command's says, supply and demand and the merges the
    # Plan page suggests for the coming week included.
    text = msg.get_body(("plain",)).get_content()
    assert text == to_text(digest, tz="UTC") and "## Supply and demand" in text
    assert "## Suggested (1)\n" in text and "- Handling Difficult Conversations, Tue 1 Dec" in text
    (attachment,) = list(msg.iter_attachments())
    rows = pd.read_csv(io.BytesIO(attachment.get_payload(decode=True)), encoding="utf-8-sig")
    assert sorted(rows["session_key"]) == sorted(digest.listed["session_key"])


def test_a_tutors_preview_has_no_suggested_section(app, monkeypatch):
    """The merges are worked out for coordinators and admins; a tutor's preview has none."""
    import ui.digest_preview as preview
    from ui.access import Access

    at = app("pages/sessions.py", **VIEW).run()
    view = at.session_state["_lu_view"]
    monkeypatch.setattr(preview, "current_access", lambda: Access(role=ROLE_TUTOR))
    assert preview.view_suggested(view) is None
    monkeypatch.setattr(preview, "current_access", lambda: Access(role=ROLE_COORDINATOR))
    merges = preview.view_suggested(view)
    assert merges is not None and "Handling Difficult Conversations" in set(merges["from_title"])
