"""The audit log in the store (SQLite here): written and read back, a sign-in once, filters,
retention, the LU_AUDIT_LOG mirror, and events kept in memory while the store is down."""

from __future__ import annotations

import json
import logging
from collections import deque
from datetime import UTC, date, datetime, timedelta

import pytest

from lu_data.cli import main
from lu_data.store import audit
from lu_data.store.audit import (
    flush_audit,
    pending_audit,
    read_audit,
    sign_in_key,
    write_audit,
)
from lu_data.store.audit_events import (
    AuditEvent,
    AuditQuery,
    audit_people,
    count_audit_events,
    insert_audit_events,
    read_audit_events,
)
from lu_data.store.snapshots import this_process
from lu_data.store.store import open_store
from lu_data.sync.syncer import Syncer, prune_audit
from tests.support.pg import free_port

TOKEN = "eyJhbGciOi.not-a-real-token.SIGNATURE"


@pytest.fixture(autouse=True)
def fresh_audit(monkeypatch, tmp_path):
    """This test's own store (SQLite), an empty memory of waiting events, no mirror."""
    monkeypatch.setattr(audit, "_PENDING", deque())
    monkeypatch.setattr(audit, "_STORES", {})
    monkeypatch.setattr(audit, "_STATE", {"retry_at": 0.0, "down": False})
    monkeypatch.delenv("LU_AUDIT_LOG", raising=False)
    monkeypatch.delenv("LU_AUDIT_DAYS", raising=False)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    monkeypatch.setenv("LU_STORE_URL", url)
    yield url
    for store in audit._STORES.values():
        store.close()


def events_in(url: str, query: AuditQuery | None = None):
    with open_store(url) as store:
        return read_audit_events(store, query)


def unreachable(monkeypatch) -> None:
    """Point the log at a PostgreSQL nobody listens for: every write is refused at once."""
    monkeypatch.setenv("LU_STORE_URL", f"postgresql+psycopg://lu@127.0.0.1:{free_port()}/lu")


def test_events_are_written_with_the_fixed_fields_only_and_read_newest_first(fresh_audit):
    write_audit("sign-in", email="a@example.com", name="Ann", role="tutor", token=TOKEN)
    write_audit(
        "download",
        email="a@example.com",
        role="tutor",
        page="Sessions and export",
        file="ilt-sessions.csv",
        rows=3,
        filters={"date_from": "2026-11-27", "tutors": ["x"]},
        cookie=TOKEN,
    )
    events = events_in(fresh_audit)
    assert list(events["event"]) == ["download", "sign-in"]
    download, sign_in = events.to_dict("records")
    assert download["rows"] == 3 and download["file"] == "ilt-sessions.csv"
    assert json.loads(download["filters"]) == {"date_from": "2026-11-27", "tutors": ["x"]}
    assert sign_in["name"] == "Ann" and sign_in["role"] == "tutor"
    assert {e["process"] for e in events.to_dict("records")} == {this_process()}
    assert TOKEN not in events.to_string()
    assert datetime.now(UTC) - sign_in["at"] < timedelta(minutes=5)
    with pytest.raises(ValueError, match="unknown audit event 'login'"):
        write_audit("login", email="a@example.com")


def test_a_sign_in_seen_twice_is_one_event(fresh_audit):
    """The same token's sign-in written by two processes (two stores opened) is one row."""
    key = sign_in_key("sign-in", "https://idp.example", "sub-1", "1765000000")
    write_audit("sign-in", email="a@example.com", role="admin", sign_in_key=key)
    audit._STORES.pop(fresh_audit).close()  # as another replica: its own connection
    write_audit("sign-in", email="a@example.com", role="admin", sign_in_key=key)
    later = sign_in_key("sign-in", "https://idp.example", "sub-1", "1765003600")
    write_audit("sign-in", email="a@example.com", role="admin", sign_in_key=later)
    assert list(events_in(fresh_audit)["event"]) == ["sign-in", "sign-in"]
    assert len(key) == 64 and "sub-1" not in key
    assert sign_in_key("sign-in", "iss", "sub", "") is None  # no issue time: nothing to key on


def test_filters_by_person_kind_and_days(fresh_audit):
    now = datetime.now(UTC)
    rows = [
        AuditEvent(now - timedelta(days=3), "sign-in", email="a@example.com"),
        AuditEvent(now - timedelta(days=2), "download", email="a@example.com", rows=5),
        AuditEvent(now - timedelta(days=1), "download", email="b@example.com", rows=7),
        AuditEvent(now, "refused", email="eve@elsewhere.net", reason="not in [access]"),
    ]
    with open_store(fresh_audit) as store:
        assert insert_audit_events(store, rows) == 4
        downloads = read_audit_events(store, AuditQuery(events=("download",)))
        assert list(downloads["email"]) == ["b@example.com", "a@example.com"]
        mine = read_audit_events(store, AuditQuery(emails=("a@example.com",)))
        assert list(mine["event"]) == ["download", "sign-in"]
        two_days = (now - timedelta(days=2)).date()
        window = AuditQuery(date_from=two_days, date_to=two_days)
        assert list(read_audit_events(store, window)["rows"]) == [5]
        counts = count_audit_events(store, AuditQuery(events=("download", "sign-in")))
        assert counts.to_dict("records") == [
            {"email": "a@example.com", "event": "download", "events": 1},
            {"email": "a@example.com", "event": "sign-in", "events": 1},
            {"email": "b@example.com", "event": "download", "events": 1},
        ]
        assert audit_people(store) == ["a@example.com", "b@example.com", "eve@elsewhere.net"]
        assert read_audit_events(store, AuditQuery(date_to=date(2000, 1, 1))).empty


def test_retention_prunes_only_events_older_than_lu_audit_days(fresh_audit, monkeypatch):
    now = datetime.now(UTC)
    old = [
        AuditEvent(now - timedelta(days=401), "download", email="old@example.com"),
        AuditEvent(now - timedelta(days=399), "download", email="kept@example.com"),
    ]
    with open_store(fresh_audit) as store:
        insert_audit_events(store, old)
    pruned: list[int] = []
    syncer = Syncer(open_store=lambda: open_store(fresh_audit), configs=(), on_pruned=pruned.append)
    syncer.run_once()
    syncer.run_once()  # within the hour: not pruned again
    assert pruned == [1]
    assert list(events_in(fresh_audit)["email"]) == ["kept@example.com"]

    monkeypatch.setenv("LU_AUDIT_DAYS", "30")
    with open_store(fresh_audit) as store:
        assert prune_audit(store) == 1
    assert events_in(fresh_audit).empty


def test_a_bad_lu_audit_days_stops_the_sync_command_with_one_line(fresh_audit, monkeypatch, capsys):
    monkeypatch.setenv("LU_AUDIT_DAYS", "a year")
    for name, value in (("PORTAL", "acme"), ("USERNAME", "u"), ("PASSWORD", "p")):
        monkeypatch.setenv(f"LEARNUPON_{name}", value)
    assert main(["sync", "--db", fresh_audit]) == 2
    err = capsys.readouterr().err
    assert (
        err.strip()
        == "lu-data sync: error: LU_AUDIT_DAYS must be a whole number of days, not 'a year'"
    )


def test_the_mirror_file_is_the_owners_alone_and_holds_every_event(
    fresh_audit, tmp_path, monkeypatch
):
    mirror = tmp_path / "logs" / "audit.jsonl"
    monkeypatch.setenv("LU_AUDIT_LOG", str(mirror))
    key = sign_in_key("sign-in", "https://idp.example", "sub-1", "1765000000")
    write_audit(
        "sign-in", email="a@example.com", name="Ann", role="tutor", token=TOKEN, sign_in_key=key
    )
    write_audit("download", email="a@example.com", file="x.csv", rows=3, filters={})
    assert (mirror.stat().st_mode & 0o777) == 0o600
    lines = read_audit(mirror)
    assert [e["event"] for e in lines] == ["sign-in", "download"]
    assert lines[0] == {
        "at": lines[0]["at"],
        "event": "sign-in",
        "email": "a@example.com",
        "name": "Ann",
        "role": "tutor",
        "process": this_process(),
        "sign_in_key": key,
    }
    assert lines[1]["rows"] == 3 and "filters" not in lines[1]  # empty values are left out
    assert TOKEN not in mirror.read_text()
    assert len(events_in(fresh_audit)) == 2  # the store has them too
    other = tmp_path / "other.jsonl"  # a file named by the caller instead
    write_audit("refused", other, email="eve@elsewhere.net", reason="not in [access]")
    assert [e["event"] for e in read_audit(other)] == ["refused"]
    assert len(read_audit()) == 2


def test_no_file_without_lu_audit_log(fresh_audit, tmp_path, monkeypatch):
    monkeypatch.setenv("LU_DATA_DIR", str(tmp_path / "data"))
    write_audit("download", email="a@example.com", file="x.csv", rows=1)
    assert list(tmp_path.rglob("*.jsonl")) == []
    assert len(events_in(fresh_audit)) == 1


def test_events_wait_in_memory_while_the_store_is_down_then_land_oldest_first(
    fresh_audit, monkeypatch, caplog
):
    monkeypatch.setattr(audit, "RETRY_SECONDS", 0.0)
    unreachable(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="lu_data.store.audit"):
        for n in range(3):
            write_audit("download", email=f"{n}@example.com", file=f"{n}.csv", rows=n)
    assert pending_audit() == 3
    assert "audit events kept in memory until the store answers" in caplog.text
    assert caplog.text.count("kept in memory") == 1  # said once per outage, not per event

    monkeypatch.setenv("LU_STORE_URL", fresh_audit)  # the store answers again
    write_audit("download", email="3@example.com", file="3.csv", rows=3)
    assert pending_audit() == 0
    events = events_in(fresh_audit)
    assert list(events["email"])[::-1] == [f"{n}@example.com" for n in range(4)]


def test_an_explicit_flush_writes_waiting_events_without_a_new_one(fresh_audit, monkeypatch):
    unreachable(monkeypatch)
    write_audit("download", email="a@example.com", file="a.csv", rows=1)
    write_audit("download", email="b@example.com", file="b.csv", rows=2)  # in the retry pause
    assert pending_audit() == 2
    monkeypatch.setenv("LU_STORE_URL", fresh_audit)
    assert flush_audit() == 0
    assert sorted(events_in(fresh_audit)["email"]) == ["a@example.com", "b@example.com"]


def test_past_the_bound_the_oldest_events_go_to_the_server_log(fresh_audit, monkeypatch, caplog):
    monkeypatch.setattr(audit, "MAX_PENDING", 3)
    unreachable(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="lu_data.store.audit"):
        for n in range(5):
            write_audit("download", email=f"{n}@example.com", file=f"{n}.csv", rows=n)
    assert pending_audit() == 3
    logged = [r.getMessage() for r in caplog.records if "not stored" in r.getMessage()]
    assert len(logged) == 2
    first = json.loads(logged[0].split(": ", 1)[1])
    assert first["email"] == "0@example.com" and first["file"] == "0.csv" and first["rows"] == 0
    assert "1@example.com" in logged[1]
