"""Shared fixtures: a temporary data folder, cold caches, AppTest, the real browser, the demo."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from tests.support import ANCHOR, DATA, PORTAL_ENV
from tests.support.apptest import dashboard
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.demo import default_filters, demo_portal
from tests.support.servers import point_app_at, start_streamlit, stop_streamlit


def pytest_xdist_setupnodes(config, specs):
    """Before the workers start: the long single-command checks, in the background (see
    tests.support.background); the workers inherit where their results will be."""
    from tests.support import background

    background.start(background.wanted(list(config.args), Path(config.invocation_params.dir)))


@pytest.fixture(scope="session", autouse=True)
def _component_scan_once():
    """Each AppTest scans every installed distribution's metadata for Streamlit components
    (0.3 s a run, the largest share of a short AppTest); the installed packages do not change
    during a test run, so one scan per process answers them all."""
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    found = scan()
    manifest_scanner.scan_component_manifests = lambda max_workers=None: list(found)
    yield
    manifest_scanner.scan_component_manifests = scan


@pytest.fixture(scope="session", autouse=True)
def _demo_built_once():
    """The demo portal and its synthetic history are pure functions of the size and anchor:
    each worker builds each once, not once per AppTest (their 0.35 s is half of a page run).

    Streamlit's caches are still cleared for every test; this is the demo's own data, shared
    as the demo_portal fixture shares it (nothing mutates it: the fixture checks). Anything
    read from a store or a portal is never kept here.
    """
    import lu_data.views.pace as pace
    import ui.loaders as loaders

    homes = {
        "generate_demo": loaders,
        "load_portal": loaders,
        "portal_history": pace,
        "typical_curves": pace,
        "backtest": pace,
    }
    real = {name: getattr(module, name) for name, module in homes.items()}
    built: dict[tuple, object] = {}
    demo_histories: set[int] = set()

    def once(key: tuple, make):
        if key not in built:
            built[key] = make()
        return built[key]

    def generate_demo(n_sessions=None, seed=None, anchor=None, **kw):
        args = {"n_sessions": n_sessions, "seed": seed, "anchor": anchor, **kw}
        args = {k: v for k, v in args.items() if v is not None}
        key = ("raw", tuple(sorted(args.items())))
        return once(key, lambda: real["generate_demo"](**args))

    def load_portal(raw, *args, is_demo=False, **kw):
        if not is_demo:
            return real["load_portal"](raw, *args, is_demo=is_demo, **kw)
        key = ("portal", id(raw), args, tuple(sorted(kw.items())))
        return once(key, lambda: real["load_portal"](raw, *args, is_demo=True, **kw))

    def portal_history(portal, as_of, *, demo):
        if not demo:
            return real["portal_history"](portal, as_of, demo=demo)
        history = once(
            ("history", id(portal), as_of), lambda: real["portal_history"](portal, as_of, demo=True)
        )
        demo_histories.add(id(history))
        return history

    def of_demo(name):
        def wrapped(history, sessions, *args, **kw):
            if id(history) not in demo_histories:
                return real[name](history, sessions, *args, **kw)
            key = (name, id(history), id(sessions), args, tuple(sorted(kw.items())))
            return once(key, lambda: real[name](history, sessions, *args, **kw))

        return wrapped

    patched = {
        "generate_demo": generate_demo,
        "load_portal": load_portal,
        "portal_history": portal_history,
        "typical_curves": of_demo("typical_curves"),
        "backtest": of_demo("backtest"),
    }
    for name, func in patched.items():
        setattr(homes[name], name, func)
    yield
    for name, func in real.items():
        setattr(homes[name], name, func)


@pytest.fixture(autouse=True)
def _history_in_tmp(monkeypatch, tmp_path):
    """The enrolment-history store of every test lives in its own temporary folder."""
    monkeypatch.setenv("LU_DATA_DIR", str(tmp_path / "lu-data"))
    monkeypatch.delenv("LU_HISTORY_URL", raising=False)
    monkeypatch.delenv("LU_STORE_URL", raising=False)


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """Streamlit caches are process-global; every test starts cold."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()  # stops the test's background syncers (their on_release)


@pytest.fixture(autouse=True)
def _loopback_server():
    """AppTests run as a server listening on loopback alone, as every test server does.

    Without sign-in, portal data is shown only on such a server (ui.access); the tests of
    that rule set another address themselves.
    """
    from streamlit import config

    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    yield
    config.set_option("server.address", before)


@pytest.fixture
def data_dir() -> Path:
    """The folder of committed test inputs."""
    return DATA


def _fingerprint(portal) -> list[int]:
    """A hash of every frame of a portal, to notice a test that changed one in place."""
    import pandas as pd

    frames = (portal.sessions, portal.trainings, portal.tutors)
    return [int(pd.util.hash_pandas_object(f, index=True).sum()) for f in frames]


@pytest.fixture(name="demo_portal")
def _demo_portal():
    """The demo portal for the pinned today, built once per session and shared: copy to change.

    Fails the test that changed one of its frames in place, since later tests would see it.
    """
    portal = demo_portal()
    before = _fingerprint(portal)
    yield portal
    assert _fingerprint(portal) == before, "the shared demo portal was changed in place"


@pytest.fixture
def demo_sessions(demo_portal):
    """The shared demo portal's sessions (the same frame for every test: copy to change)."""
    return demo_portal.sessions


@pytest.fixture
def view_sessions(demo_portal):
    """The shared demo portal's sessions in the pages' default range (filtered for the test)."""
    from lu_data.analyses.filters import filter_sessions

    return filter_sessions(demo_portal.sessions, default_filters())


@pytest.fixture
def media(monkeypatch):
    """AppTest's in-memory media stores, recorded so download bytes can be read after a run."""
    import streamlit.testing.v1.app_test as app_test

    stores = []
    real = app_test.MemoryMediaFileStorage

    def make(*args, **kwargs):
        store = real(*args, **kwargs)
        stores.append(store)
        return store

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", make)
    return stores


@pytest.fixture
def app(monkeypatch):
    """A factory for AppTest on the router with today pinned to ANCHOR and no portal configured:
    app(page, **query) is the page with the URL's query parameters, not run yet."""
    monkeypatch.setenv("LU_TODAY", ANCHOR.isoformat())
    for var in PORTAL_ENV:
        monkeypatch.delenv(var, raising=False)

    def make(page: str | None = None, **query: str | list[str]):
        return dashboard(page, query=query)

    return make


@pytest.fixture
def fake_portal_env(monkeypatch):
    """A factory: start(raw, username, password, **options) starts a stand-in portal serving
    `raw` (FakePortal's options, e.g. page_size) and returns it, with the app's LEARNUPON_*
    variables pointing at it, today pinned and the client's backoff short and without jitter.

    The stand-in stops when the test ends, before the environment is put back.
    """
    from lu_data.sources.fake_portal import FakePortal

    monkeypatch.setattr("lu_data.sources.api_client.BACKOFF_BASE", 0.001)
    monkeypatch.setattr("lu_data.sources.api_client.JITTER_MAX", 0.0)
    with contextlib.ExitStack() as running:

        def start(raw, username: str, password: str, **options) -> FakePortal:
            fp = running.enter_context(
                FakePortal(raw, username=username, password=password, **options)
            )
            point_app_at(monkeypatch, fp, username, password)
            return fp

        yield start


# --- real browser (Playwright + Debian chromium) -------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's chromium; `playwright install` cannot download browsers here."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("no chromium: apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A desktop viewport and a browser time zone other than the machine's UTC."""
    return {
        **browser_context_args,
        "viewport": {"width": 1400, "height": 900},
        "timezone_id": "America/Chicago",
        "accept_downloads": True,
    }


@pytest.fixture(scope="module")
def tab(browser, browser_context_args):
    """One tab shared by a module's tests, in the browser context every test uses (desktop
    viewport, the browser's zone America/Chicago, downloads on): Streamlit's scripts are
    compiled once per module, not per test."""
    context = browser.new_context(**browser_context_args)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def app_url():
    """The dashboard served by a real streamlit server for the whole browser session."""
    proc, url = start_streamlit()
    yield url
    stop_streamlit(proc)


MARKERS = {"unit": "unit", "app": "app", "e2e": "e2e"}


def pytest_collection_modifyitems(items):
    """Mark each test by its folder (unit, app, e2e).

    The order files run in is pytest-xdist's: `--dist loadfile` hands out files with the most
    tests first, so the load test (three long tests) runs late beside the short unit files,
    and two browser-heavy files rarely share the two cores.
    """
    for item in items:
        folder = Path(str(item.path)).parent.name
        if folder in MARKERS:
            item.add_marker(getattr(pytest.mark, MARKERS[folder]))
