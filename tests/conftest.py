"""Shared fixtures: test data paths, a pinned 'today', AppTest with clean caches."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
ANCHOR = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _history_in_tmp(monkeypatch, tmp_path):
    """The enrolment-history store of every test lives in its own temporary folder."""
    monkeypatch.setenv("LU_DATA_DIR", str(tmp_path / "lu-data"))
    monkeypatch.delenv("LU_HISTORY_URL", raising=False)


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """Streamlit caches are process-global; every test starts cold."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield


@pytest.fixture
def data_dir() -> Path:
    """The folder of committed test inputs."""
    return DATA


def load_records(name: str) -> list[dict]:
    """The 'modules' list of a committed sample file."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))["modules"]


def projected_risk_keys(date_to: date = date(2027, 1, 22)) -> list[str]:
    """Session keys the demo's pace projection puts under 50% full in the default view."""
    import pandas as pd

    from lu_data import load_portal
    from lu_data.analyses.filters import Filters, filter_sessions
    from lu_data.analyses.forecast import project_sessions, projected_at_risk, typical_curves
    from lu_data.sources.demo import generate_demo
    from lu_data.store.demo_history import demo_history

    portal = load_portal(generate_demo(anchor=ANCHOR))
    as_of = pd.Timestamp(portal.fetched_at)
    curves = typical_curves(demo_history(portal.sessions, as_of), portal.sessions, as_of)
    sessions = filter_sessions(portal.sessions, Filters(date_from=ANCHOR, date_to=date_to))
    risk = projected_at_risk(sessions, project_sessions(sessions, curves, as_of), 0.5)
    return sorted(risk["session_key"])


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


def download(at, media, key: str) -> tuple[bytes, str]:
    """The bytes and file name behind the download button with this widget key."""
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(f"-{key}"))
    file = media[-1].get_file(button.proto.url.rsplit("/", 1)[1])
    return file.content, file.filename


@pytest.fixture
def app(monkeypatch):
    """A factory for AppTest on the router with today pinned to ANCHOR and no portal configured."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("LU_TODAY", ANCHOR.isoformat())
    for var in (
        "LEARNUPON_PORTAL",
        "LEARNUPON_BASE_URL",
        "LEARNUPON_USERNAME",
        "LEARNUPON_PASSWORD",
    ):
        monkeypatch.delenv(var, raising=False)

    def make(page: str | None = None, **query: str | list[str]) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
        for key, value in query.items():
            at.query_params[key] = value
        if page:
            at.switch_page(page)
        return at

    return make


# --- real browser (Playwright + Debian chromium) -------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = ROOT / "screenshots"


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


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(env_extra: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run dashboard.py` on a free loopback port; return it and its URL."""
    port = free_port()
    env = {
        **os.environ,
        "LU_TODAY": ANCHOR.isoformat(),
        "LU_DATA_DIR": tempfile.mkdtemp(prefix="lu-data-"),
        **(env_extra or {}),
    }
    for var in (
        "LEARNUPON_PORTAL",
        "LEARNUPON_BASE_URL",
        "LEARNUPON_USERNAME",
        "LEARNUPON_PASSWORD",
    ):
        if var not in (env_extra or {}):
            env.pop(var, None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "dashboard.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 40
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("streamlit did not start:\n" + proc.stdout.read().decode())


@pytest.fixture(scope="session")
def app_url():
    """The dashboard served by a real streamlit server for the whole browser session."""
    proc, url = start_streamlit()
    yield url
    proc.terminate()
    proc.wait(timeout=10)
