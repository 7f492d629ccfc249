"""Shared test helpers: paths, the pinned 'today', the demo, AppTest pages, charts, servers."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lu_data.model.portal import Portal

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
ANCHOR = date(2026, 11, 27)
PORTAL_ENV = ("LEARNUPON_PORTAL", "LEARNUPON_BASE_URL", "LEARNUPON_USERNAME", "LEARNUPON_PASSWORD")


def load_records(name: str) -> list[dict]:
    """The 'modules' list of a committed sample file."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))["modules"]


@lru_cache(maxsize=4)
def demo_portal(n_sessions: int | None = None) -> Portal:
    """The demo portal for the pinned today, built once per test process and size.

    Every caller gets the same object: copy a frame before changing it (the `demo_portal`
    fixture fails the test that changes it in place).
    """
    from lu_data import load_portal
    from lu_data.sources.demo import generate_demo

    sized = {} if n_sessions is None else {"n_sessions": n_sessions}
    # named as the app names its demo, so frames and exports compare equal
    return load_portal(generate_demo(anchor=ANCHOR, **sized), name="demo")


def projected_risk_keys(date_to: date = date(2027, 1, 22), threshold: float = 0.5) -> list[str]:
    """Session keys the demo's pace projection puts under `threshold` full in the default view."""
    import pandas as pd

    from lu_data.analyses.filters import Filters, filter_sessions
    from lu_data.analyses.forecast import project_sessions, projected_at_risk, typical_curves
    from lu_data.store.demo_history import demo_history

    portal = demo_portal()
    as_of = pd.Timestamp(portal.fetched_at)
    curves = typical_curves(demo_history(portal.sessions, as_of), portal.sessions, as_of)
    sessions = filter_sessions(portal.sessions, Filters(date_from=ANCHOR, date_to=date_to))
    risk = projected_at_risk(sessions, project_sessions(sessions, curves, as_of), threshold)
    return sorted(risk["session_key"])


def open_page(app, page: str | None = None, sidebar: dict[str, Any] | None = None, **query):
    """Run one page in AppTest (the Overview when page is None) and check it raised nothing.

    Sidebar values are preset in session state before the run, as a user's clicks would have
    left them; query holds the URL's parameters.
    """
    at = app(page, **query)
    for key, value in (sidebar or {}).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def chart(at, key: str) -> dict[str, Any]:
    """The figure JSON of the AppTest plotly chart with this widget key."""
    for element in at.get("plotly_chart"):
        if element.proto.id.endswith(f"-{key}"):
            return json.loads(element.proto.spec)
    raise AssertionError(f"no plotly chart with key {key!r}")


def decode(values: Any) -> list[Any]:
    """A plotly figure-JSON array as a list: typed arrays ({dtype, bdata, shape}) decoded.

    Plotly writes numeric arrays base64-encoded; a 2-D one (a heatmap's z) has a shape "r, c"
    and comes back as a list of rows.
    """
    if isinstance(values, dict) and "bdata" in values:
        import numpy as np

        flat = np.frombuffer(base64.b64decode(values["bdata"]), values["dtype"])
        shape = [int(n) for n in str(values.get("shape", len(flat))).split(",")]
        return flat.reshape(shape).tolist()
    return list(values)


def download(at, media, key: str) -> tuple[bytes, str]:
    """The bytes and file name behind the download button with this widget key."""
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(f"-{key}"))
    file = media[-1].get_file(button.proto.url.rsplit("/", 1)[1])
    return file.content, file.filename


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
    # One renderer for all tabs of the dashboard: Streamlit's scripts are compiled once, not per
    # tab (20 tabs of the Data quality page: 40-45 CPU-s instead of 53-55 on this machine).
    "--process-per-site",
]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(
    env_extra: dict[str, str] | None = None, args: tuple[str, ...] = (), port: int | None = None
) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run dashboard.py` on a free loopback port (or `port`), with more
    command-line `args`; return it and its URL."""
    port = port or free_port()
    env = {
        **os.environ,
        "LU_TODAY": ANCHOR.isoformat(),
        "LU_DATA_DIR": tempfile.mkdtemp(prefix="lu-data-"),
        **(env_extra or {}),
    }
    for var in PORTAL_ENV:
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
            *args,
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


def stop_streamlit(proc: subprocess.Popen, timeout: float = 20) -> str:
    """Stop a server from start_streamlit and return its output; kill it if it lingers."""
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=timeout)  # reading the pipe: a full one would block
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return (out or b"").decode("utf-8", "replace")


def wait_for_sync(base_url: str, after: datetime, timeout: float = 30.0) -> Any:
    """The background syncer's first finished run of a portal started after `after`.

    The portal is named as the app names a single configured portal (its host and port);
    the store is the app's default one (LU_DATA_DIR, set per test).
    """
    from lu_data.sources.api_settings import label_of
    from lu_data.store.store import default_url, open_store

    deadline = time.monotonic() + timeout
    with open_store(default_url()) as store:
        while time.monotonic() < deadline:
            run = store.last_run(label_of(base_url))
            if run is not None and run.started_at >= after and run.status != "running":
                return run
            time.sleep(0.1)
    raise AssertionError(f"no sync of {base_url} finished within {timeout:.0f} s")


def wait_until(what: str, ready: Callable[[], object], timeout: float = 30.0) -> object:
    """Poll ready() until it returns something truthy; fail naming `what` after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = ready()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
