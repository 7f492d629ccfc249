"""A real browser opening the Overview, against a bare Streamlit page in the same run."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.harness import (
    ANCHOR,
    BROWSER_TIMEOUT_MS,
    BROWSER_WARM_TIMEOUT_MS,
    CHART_SELECTOR,
    CHROMIUM_FLAGS,
    DEMO_SESSIONS_ENV,
    IDLE_SELECTOR,
    PORTAL_ENV,
    ROOT,
    WHOLE_RANGE,
    Report,
    median,
)

# ---------------------------------------------------------------------------------------------
# 8: a real browser


FLOOR_APP = """\
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(layout="wide")
st.sidebar.header("Floor")
st.metric("Sessions", 1)
st.plotly_chart(go.Figure(go.Bar(x=[1, 2, 3], y=[3, 1, 2])))
"""


def measure_browser(report: Report, n: int, repeats: int) -> None:
    """Fresh page loads of Overview on the n-session demo, warm cache, until charts draw.

    The floor is the same browser opening a bare Streamlit page with one metric and one tiny
    plotly chart, interleaved run by run: what Streamlit's and plotly's JavaScript cost on this
    machine before any of this app's work.
    """
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        report.add("browser_overview_s", None, "s", note="n/a: apt-get install -y chromium")
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        report.add("browser_overview_s", None, "s", note="n/a: playwright not installed")
        return
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(streamlit_server(ROOT, n))
        floor_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lu-floor-")))
        (floor_dir / "dashboard.py").write_text(FLOOR_APP, encoding="utf-8")
        floor_url = stack.enter_context(streamlit_server(floor_dir, n))
        target = f"{url}/?from={WHOLE_RANGE[0]}&to={WHOLE_RANGE[1]}"
        runs: dict[str, list[float]] = {"app": [], "idle": [], "floor": []}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            try:
                for warm_url in (target, floor_url):  # builds the demo, warms both servers
                    open_until_drawn(browser, warm_url, BROWSER_WARM_TIMEOUT_MS)
                for _ in range(repeats):
                    drawn, idle = open_until_drawn(browser, target, BROWSER_TIMEOUT_MS)
                    runs["app"].append(drawn)
                    runs["idle"].append(idle)
                    runs["floor"].append(
                        open_until_drawn(browser, floor_url, BROWSER_TIMEOUT_MS)[0]
                    )
            finally:
                browser.close()
    app_s, floor_s = median(runs["app"]), median(runs["floor"])
    report.add(
        "browser_overview_s",
        app_s,
        "s",
        runs=runs["app"],
        note=f"goto -> chart drawn; run finished at {median(runs['idle']):.2f} s",
    )
    report.add(
        "browser_floor_s",
        floor_s,
        "s",
        runs=runs["floor"],
        note="bare Streamlit page, one metric and one plotly chart",
    )
    report.add("browser_overview_vs_floor", app_s / floor_s, "x")


def open_until_drawn(browser: Any, url: str, timeout_ms: int) -> tuple[float, float]:
    """Open url in a fresh context: seconds until a chart is drawn, and until the run ends."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = ctx.new_page()
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(CHART_SELECTOR, timeout=timeout_ms)
        drawn = time.perf_counter() - start
        page.wait_for_selector(IDLE_SELECTOR, timeout=timeout_ms)
        return drawn, time.perf_counter() - start
    finally:
        ctx.close()


@contextlib.contextmanager
def streamlit_server(app_dir: Path, n: int) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free loopback port, demo sized n, today pinned."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in PORTAL_ENV}
    env.update({DEMO_SESSIONS_ENV: str(n), "LU_TODAY": ANCHOR.isoformat()})
    with tempfile.TemporaryFile() as log_file:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(app_dir / "dashboard.py"),
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
            cwd=app_dir,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while True:
                try:
                    if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                        break
                except OSError:
                    if time.time() > deadline or proc.poll() is not None:
                        log_file.seek(0)
                        raise RuntimeError(
                            "streamlit did not start:\n" + log_file.read().decode()[-2000:]
                        ) from None
                    time.sleep(0.2)
            yield url
        finally:
            proc.terminate()  # only the server this harness started
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
