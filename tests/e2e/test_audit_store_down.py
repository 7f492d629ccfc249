"""PostgreSQL stopped during a download: the file still comes, and its audit event lands in the
store once the server is back (the app signed in as a tutor, in AppTest, on a real server)."""

from __future__ import annotations

import io
import logging
from collections import deque

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from lu_data.store import audit
from lu_data.store.audit import flush_audit, pending_audit
from tests.app.test_access_roles import TUTOR, signed_in
from tests.support import pg
from tests.support.pg import new_database
from tests.support.sign_in import stored_events

own_postgres = pg.own_postgres


@pytest.fixture
def deferred(monkeypatch) -> list:
    """Every download built on click (sign-in on) that a run offers: its callable."""
    found: list = []
    real = MediaFileManager.add_deferred

    def record(self, data_callable, *args, **kwargs):
        found.append(data_callable)
        return real(self, data_callable, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return found


def test_a_download_works_with_the_store_down_and_its_event_lands_after(
    app, own_postgres, monkeypatch, deferred, caplog
):
    url = new_database(own_postgres.url)
    monkeypatch.setenv("LU_STORE_URL", url)
    monkeypatch.setattr(audit, "_PENDING", deque())
    monkeypatch.setattr(audit, "_STORES", {})
    monkeypatch.setattr(audit, "_STATE", {"retry_at": 0.0, "down": False})
    at = signed_in(app, TUTOR, page="pages/sessions.py")
    assert not at.exception, at.exception
    full_csv = deferred[0]  # "Full data (CSV)", the first download of the page
    before = [e for e in stored_events(url) if e["event"] == "download"]

    own_postgres.stop()
    try:
        with caplog.at_level(logging.WARNING, logger="lu_data.store.audit"):
            data = full_csv()  # the click: built, and its event kept in memory
        rows = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
        assert len(rows) > 0 and set(rows["tutor_email"]) == {TUTOR}
        assert pending_audit() == 1
        assert "audit events kept in memory until the store answers" in caplog.text
    finally:
        own_postgres.start()

    assert flush_audit() == 0
    downloads = [e for e in stored_events(url) if e["event"] == "download"]
    assert before == [] and len(downloads) == 1
    (event,) = downloads
    assert event["email"] == TUTOR and event["role"] == "tutor"
    assert event["page"] == "Sessions and export" and event["rows"] == len(rows)
    for store in audit._STORES.values():
        store.close()
