"""Servers for tests: Streamlit on loopback, the app pointed at a stand-in portal, and waiting
on what they do."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tests.support import ANCHOR, PORTAL_ENV, ROOT

if TYPE_CHECKING:
    import pytest

    from lu_data.sources.fake_portal import FakePortal


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_url(
    url: str, timeout: float, ready: Callable[[bytes], bool] = lambda body: True
) -> bool:
    """Poll `url` until it answers with a body `ready` accepts; False if none did in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready(urllib.request.urlopen(url, timeout=1).read()):
                return True
        except OSError:
            time.sleep(0.2)
    return False


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
    if wait_for_url(url + "/_stcore/health", 40, lambda body: body == b"ok"):
        return proc, url
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


def point_app_at(
    monkeypatch: pytest.MonkeyPatch, fp: FakePortal, username: str, password: str
) -> None:
    """The app's LEARNUPON_* variables naming one stand-in portal (unpaced), today pinned."""
    monkeypatch.setenv("LU_TODAY", ANCHOR.isoformat())
    for name, value in {
        "LEARNUPON_BASE_URL": fp.base_url,
        "LEARNUPON_USERNAME": username,
        "LEARNUPON_PASSWORD": password,
        "LEARNUPON_REQUESTS_PER_SECOND": "0",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LEARNUPON_PORTAL", raising=False)


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
