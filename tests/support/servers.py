"""Servers for tests: Streamlit on loopback, and waiting on what they and their syncers do."""

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
from typing import Any

from tests.support import ANCHOR, PORTAL_ENV, ROOT


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
