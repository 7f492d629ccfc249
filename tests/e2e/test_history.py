"""History store: round trips, no duplicates, schema upgrades, on SQLite and PostgreSQL."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import pandas as pd
import sqlalchemy as sa

from lu_data import load_portal
from lu_data.sources.demo import generate_demo
from lu_data.store.engine import create_engine, write_transaction
from lu_data.store.migrate import create_legacy_store
from lu_data.store.store import (
    HISTORY_DTYPES,
    Store,
    clean_origin,
    default_url,
    latest_revision,
    open_store,
)
from tests.support import ANCHOR, pg

# The PostgreSQL fixtures, made visible to pytest in this module.
postgres_server = pg.postgres_server
store_url = pg.store_url

AT = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


@lru_cache(maxsize=1)
def small_portal():
    """A small demo portal (fetched at AT), built once."""
    return load_portal(generate_demo(n_sessions=120, anchor=ANCHOR))


def upcoming(portal) -> pd.DataFrame:
    """The sessions a record keeps: those not started at the fetch time."""
    return portal.sessions.loc[portal.sessions["start_utc"] > portal.fetched_at]


def test_record_twice_adds_nothing(store_url):
    """Recording the same fetch twice stores each upcoming session once."""
    portal = small_portal()
    with open_store(store_url) as store:
        first = store.record(portal)
        again = store.record(portal)
        history = store.history()
    assert first == len(upcoming(portal)) > 0
    assert again == 0
    assert len(history) == first
    assert not history.duplicated(["session_key", "recorded_at"]).any()


def test_history_returns_the_recorded_values(store_url):
    """history() gives back keys, counts, capacities (NA kept), UTC times and dtypes."""
    portal = small_portal()
    with open_store(store_url) as store:
        store.record(portal)
        history = store.history()
    assert {c: str(t) for c, t in history.dtypes.items()} == {
        c: str(pd.Series(dtype=t).dtype) for c, t in HISTORY_DTYPES.items()
    }
    want = upcoming(portal).set_index("session_key")
    got = history.set_index("session_key").loc[want.index]
    assert (got["recorded_at"] == pd.Timestamp(portal.fetched_at)).all()
    assert got["start_utc"].tolist() == want["start_utc"].tolist()
    assert got["enrolled"].tolist() == want["enrolled"].tolist()
    assert got["max_capacity"].isna().tolist() == want["max_capacity"].isna().tolist()
    assert got["max_capacity"].dropna().tolist() == want["max_capacity"].dropna().tolist()
    assert got["training_key"].tolist() == want["training_key"].tolist()


def test_history_filters_by_session_time_and_origin(store_url):
    """Two fetches of one origin and one of another filter by key, since and origin."""
    sessions = small_portal().sessions
    key = upcoming(small_portal())["session_key"].iloc[0]
    with open_store(store_url) as store:
        for hours, origin in ((0, "https://a.example/api/v1/"), (3, "https://a.example/api/v1/")):
            store.record_sessions(
                sessions, origin=origin, recorded_at=AT + timedelta(hours=hours), min_gap=None
            )
        store.record_sessions(sessions, origin="https://b.example/", recorded_at=AT, min_gap=None)
        assert len(store.history(session_keys=[key])) == 3
        assert len(store.history(session_keys=[key], origin="https://a.example/api/v1/")) == 2
        since = store.history(session_keys=[key], since=AT + timedelta(hours=1))
        assert since["recorded_at"].tolist() == [pd.Timestamp(AT + timedelta(hours=3))]
        assert store.history(session_keys=[]).empty


def test_min_gap_skips_a_fetch_soon_after_the_last(store_url):
    """A second fetch of the same origin within the gap adds nothing; after it, it does."""
    sessions = small_portal().sessions
    gap = timedelta(hours=1)
    with open_store(store_url) as store:
        first = store.record_sessions(sessions, origin="o", recorded_at=AT, min_gap=gap)
        soon = store.record_sessions(
            sessions, origin="o", recorded_at=AT + timedelta(minutes=15), min_gap=gap
        )
        later = store.record_sessions(
            sessions, origin="o", recorded_at=AT + timedelta(hours=2), min_gap=gap
        )
    assert first > 0 and soon == 0 and later > 0


def test_version_1_store_opens_and_upgrades(store_url):
    """A store left at pre-Alembic schema version 1 upgrades on open and keeps its rows."""
    portal = small_portal()
    engine = create_engine(store_url)
    with write_transaction(engine) as conn:
        create_legacy_store(conn, version=1)
    with Store(engine) as old:  # the history tables are all a version-1 store has
        added = old.record(portal)
        index_names = {i["name"] for i in sa.inspect(old.engine).get_indexes("snapshots")}
        assert "ix_snapshots_session_key" not in index_names
        assert old.revision() is None
    with open_store(store_url) as store:
        assert store.revision() == latest_revision()
        index_names = {i["name"] for i in sa.inspect(store.engine).get_indexes("snapshots")}
        assert "ix_snapshots_session_key" in index_names
        assert len(store.history()) == added
        with store.engine.connect() as conn:
            steps = conn.execute(sa.text("SELECT version FROM schema_version ORDER BY version"))
            assert [row[0] for row in steps] == [1, 2]  # the release before still reads it


def test_upgrade_stops_at_an_older_revision_and_continues(store_url):
    """open_store(upto=) leaves a store at revision 0001 (history only); the next open upgrades."""
    portal = small_portal()
    with open_store(store_url, upto="0001") as old:
        assert old.revision() == "0001"
        assert not sa.inspect(old.engine).has_table("portal_snapshots")
        added = old.record(portal)
    with open_store(store_url) as store:
        assert store.revision() == latest_revision()
        assert sa.inspect(store.engine).has_table("portal_snapshots")
        assert len(store.history()) == added


def test_origin_is_stored_without_credentials(store_url):
    """A base URL with user:password, query or fragment is stored bare."""
    sessions = small_portal().sessions
    with open_store(store_url) as store:
        store.record_sessions(
            sessions,
            origin="https://api-user:s3cret@acme.learnupon.com/api/v1/?token=abc#x",
            recorded_at=AT,
        )
        assert store.origins() == ["https://acme.learnupon.com/api/v1/"]


def test_clean_origin_keeps_plain_text_and_ports():
    """Non-URL origins stay as they are; ports survive; credentials never do."""
    assert clean_origin("demo portal") == "demo portal"
    assert clean_origin("http://u:p@127.0.0.1:8765/api/v1/") == "http://127.0.0.1:8765/api/v1/"


def test_default_url_prefers_env_then_data_dir(tmp_path):
    """LU_STORE_URL wins, then LU_HISTORY_URL; else an SQLite file in LU_DATA_DIR or ~/.local."""
    assert default_url({"LU_HISTORY_URL": "postgresql+psycopg://h/db"}) == (
        "postgresql+psycopg://h/db"
    )
    both = {"LU_STORE_URL": "postgresql+psycopg://h/new", "LU_HISTORY_URL": "sqlite:///old"}
    assert default_url(both) == "postgresql+psycopg://h/new"
    assert default_url({"LU_STORE_URL": " ", "LU_HISTORY_URL": "sqlite:///old"}) == "sqlite:///old"
    assert default_url({"LU_DATA_DIR": str(tmp_path)}) == f"sqlite:///{tmp_path}/history.sqlite3"
    assert default_url({}).endswith("/.local/share/lu-ilt/history.sqlite3")


def test_open_store_creates_its_folder(tmp_path, monkeypatch):
    """The embedded store is created on first use, folder included, from LU_DATA_DIR."""
    folder = tmp_path / "new" / "data"
    monkeypatch.delenv("LU_HISTORY_URL", raising=False)
    monkeypatch.delenv("LU_STORE_URL", raising=False)
    monkeypatch.setenv("LU_DATA_DIR", str(folder))
    with open_store() as store:
        assert store.revision() == latest_revision()
    assert (folder / "history.sqlite3").exists()


def test_record_command_records_once(tmp_path, capsys):
    """`lu-data record demo --db URL` adds the demo's upcoming sessions, then nothing new."""
    from lu_data.cli.record import register_commands

    parser = argparse.ArgumentParser()
    register_commands(parser.add_subparsers(dest="command", required=True))
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    for _ in range(2):
        args = parser.parse_args(["record", "demo", "--db", url])
        assert args.func(args) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("recorded ") and err[1].startswith("nothing new")
    with open_store(url) as store:
        assert len(store.history()) == int(err[0].split()[1])


def test_record_command_reports_an_unreachable_store(tmp_path, capsys):
    """A store that cannot be opened gives one line, exit 2, and no password."""
    from lu_data.cli.record import register_commands

    parser = argparse.ArgumentParser()
    register_commands(parser.add_subparsers(dest="command", required=True))
    url = "postgresql+psycopg://user:topsecret@127.0.0.1:1/none?connect_timeout=2"
    args = parser.parse_args(["record", "demo", "--db", url])
    assert args.func(args) == 2
    err = capsys.readouterr().err
    assert "topsecret" not in err and err.startswith("lu-data: error: history store")


def test_empty_store_history_has_the_declared_columns(tmp_path):
    """An empty store returns an empty frame with the history columns."""
    with open_store(f"sqlite:///{tmp_path / 'e.sqlite3'}") as store:
        history = store.history()
    assert history.empty and list(history.columns) == list(HISTORY_DTYPES)
