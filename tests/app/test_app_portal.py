"""The app on a configured LearnUpon portal (the stand-in portal over real loopback HTTP)."""

from __future__ import annotations

import time

import pytest

from lu_data import load_portal
from lu_data.analyses.filters import filter_sessions
from lu_data.sources.demo import generate_demo
from tests.support import ANCHOR
from tests.support.apptest import dashboard, metrics
from tests.support.demo import default_filters

PASSWORD = "s3cret-Password-42"


@pytest.fixture
def portal_env(fake_portal_env):
    """A stand-in portal serving the demo, with the app's environment pointing at it."""
    raw = generate_demo(anchor=ANCHOR)
    return fake_portal_env(raw, "api-user", PASSWORD), raw


def run_app(monkeypatch):
    """AppTest on the router with today pinned, keeping the portal variables."""
    return app_on_portal(monkeypatch)


def app_on_portal(monkeypatch, learnupon_secrets: dict | None = None):
    """run_app, with a [learnupon] secrets table when one is given."""
    monkeypatch.setenv("LU_TODAY", ANCHOR.isoformat())
    at = dashboard()
    if learnupon_secrets:
        at.secrets["learnupon"] = learnupon_secrets
    return at.run()


def test_configured_portal_is_the_default_source_and_loads(portal_env, monkeypatch):
    """With credentials set, the portal is offered and chosen, and its sessions are shown."""
    fake, raw = portal_env
    at = run_app(monkeypatch)
    assert not at.exception
    source = at.sidebar.radio(key="filter_source")
    assert "portal" in source.options[-1].lower() or "LearnUpon portal" in source.options
    assert source.value == "portal"
    want = filter_sessions(
        load_portal(raw).sessions,
        default_filters(),
    )
    shown = metrics(at)
    assert shown["Sessions"] == f"{len(want):,}"
    assert not any("Demo data" in i.value for i in at.info)
    assert fake.count("courses") >= 1


def test_portal_fetch_is_shared_between_sessions(portal_env, monkeypatch):
    """A second browser session within the cache period reuses the first fetch."""
    fake, _ = portal_env
    run_app(monkeypatch)
    first = fake.request_count
    run_app(monkeypatch)
    assert fake.request_count == first


def test_wrong_password_shows_a_clear_error_without_the_password(portal_env, monkeypatch):
    """Bad credentials give an error box that says what to check and never echoes the password."""
    monkeypatch.setenv("LEARNUPON_PASSWORD", "wrong-" + PASSWORD)
    at = run_app(monkeypatch)
    assert not at.exception
    errors = " ".join(e.value for e in at.sidebar.error) + " ".join(e.value for e in at.error)
    assert "API" in errors or "credentials" in errors.lower()
    assert PASSWORD not in errors


def test_restarted_server_shows_the_stored_snapshot_without_fetching(portal_env, monkeypatch):
    """After a restart (every in-memory cache gone) the page reads the store, not LearnUpon."""
    import streamlit as st

    fake, _ = portal_env
    before = metrics(run_app(monkeypatch))
    requests = fake.request_count
    st.cache_resource.clear()  # what a restart forgets: the syncer, the store, every frame
    after = run_app(monkeypatch)
    assert metrics(after) == before
    time.sleep(0.5)  # the new process's syncer has looked and found the snapshot fresh
    assert fake.request_count == requests


def test_sidebar_says_how_old_the_data_is_and_when_a_sync_runs(portal_env, monkeypatch):
    """Under Refresh: the snapshot's time and age; while the syncer fetches, a line says so."""
    from lu_data.store.store import default_url
    from ui.store_view import background_syncer

    at = run_app(monkeypatch)
    captions = [c.value for c in at.sidebar.caption]
    fresh = [c for c in captions if "Data as of " in c]
    assert len(fresh) == 1 and fresh[0].endswith("(just now)"), captions
    assert not any("Syncing" in c for c in captions)
    syncer = background_syncer(default_url())
    syncer.fetching.add(syncer.configs[0].name)  # as the syncer marks a portal it is fetching
    try:
        captions = [c.value for c in at.run().sidebar.caption]
    finally:
        syncer.fetching.clear()
    assert any(f"Syncing {syncer.configs[0].name} now" in c for c in captions), captions
    assert not [w.value for w in at.warning if "Sync" in w.value]  # a routine sync is no alarm


@pytest.mark.parametrize("named", [False, True], ids=["host", "configured-name"])
def test_one_portal_is_named_beside_the_age_of_its_data(portal_env, monkeypatch, named):
    """With one portal the sidebar names it, as it names each of several: by its configured
    name, else its host, on the line that says how old its data is."""
    from lu_data.sources.api_settings import label_of

    fake, _ = portal_env
    name = label_of(fake.base_url)
    secrets = {}
    if named:  # the same stand-in portal as the one [learnupon.portals.NAME] table
        name = "live"
        for var in ("LEARNUPON_BASE_URL", "LEARNUPON_USERNAME", "LEARNUPON_PASSWORD"):
            monkeypatch.delenv(var)
        table = {"base_url": fake.base_url, "username": "api-user", "password": PASSWORD}
        secrets = {"portals": {name: table}}
    at = app_on_portal(monkeypatch, secrets)
    assert not at.exception, at.exception
    assert at.sidebar.radio(key="filter_source").value == "portal"
    captions = [c.value for c in at.sidebar.caption]
    fresh = [c for c in captions if "Data as of " in c]
    assert len(fresh) == 1 and fresh[0].startswith(f"**{name}**  \nData as of "), captions
    assert fresh[0].endswith("(just now)"), captions


@pytest.mark.parametrize("address", ["0.0.0.0", ""])
def test_portal_without_sign_in_off_loopback_shows_why_and_no_data(
    portal_env, monkeypatch, address
):
    """Listening beyond loopback with a portal and no [auth]: one page saying why and how."""
    from streamlit import config

    fake, _ = portal_env
    config.set_option("server.address", address)
    at = run_app(monkeypatch)
    assert not at.exception
    assert at.title[0].value == "Sign-in needed"
    (error,) = at.error
    where = address or "every network interface"
    assert f"listens on {where} without sign-in" in error.value
    assert "[auth]" in error.value and "LU_ALLOW_ANONYMOUS=1" in error.value
    assert "127.0.0.1" in error.value  # the other fix: loopback alone
    assert not at.metric and not at.sidebar.radio  # no data, no source, nothing fetched
    assert fake.count("courses") == 0


def test_portal_without_sign_in_behind_a_proxy_is_allowed_by_opt_in(portal_env, monkeypatch):
    """LU_ALLOW_ANONYMOUS=1 (a sign-in proxy in front) serves the portal on any address."""
    from streamlit import config

    config.set_option("server.address", "0.0.0.0")
    monkeypatch.setenv("LU_ALLOW_ANONYMOUS", "1")
    at = run_app(monkeypatch)
    assert not at.exception and not at.error
    assert at.sidebar.radio(key="filter_source").value == "portal"
    assert {m.label for m in at.metric} >= {"Sessions"}


def test_the_demo_needs_no_sign_in_on_any_address(app):
    """Nothing configured: the demo is served whatever the server listens on."""
    from streamlit import config

    config.set_option("server.address", "0.0.0.0")
    at = app().run()
    assert not at.exception and not at.error
    assert at.sidebar.radio(key="filter_source").value == "demo"
