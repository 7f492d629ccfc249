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


# ---------------------------------------------------------------------------------------------
# 9: a filter change in a real browser

# Date presets clicked in turn: each gives another range, so every click changes the data (a
# second click on the picked pill would clear it and change nothing).
FILTER_PRESETS = ("Next 2 weeks", "This month", "Next quarter", "Last 30 days")

# In the page: from the pointer going down on a filter until the run is over and the first
# chart shows new data; when the run started and ended, and when the chart changed.
WATCH_JS = """\
() => {
  const sel = '[data-testid="stPlotlyChart"] .svg-container';
  const sig = () => {
    const el = document.querySelector(sel);
    return el ? el.innerHTML : null;
  };
  const state = () =>
    document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state');
  const w = { t0: null, old: null, marks: {} };
  window.__luWatch = w;
  document.addEventListener('pointerdown', () => {
    w.t0 = performance.now();
    w.old = sig();
    w.marks = {};
  }, true);
  const tick = () => {
    if (w.t0 !== null && w.marks.done === undefined) {
      const now = performance.now() - w.t0;
      const idle = state() === 'notRunning';
      const s = sig();
      if (!idle && w.marks.running === undefined) w.marks.running = now;
      if (w.marks.running !== undefined && idle && w.marks.ended === undefined) w.marks.ended = now;
      if (s !== null && s !== w.old && w.marks.changed === undefined) w.marks.changed = now;
      if (idle && w.marks.changed !== undefined && s !== null) w.marks.done = now;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
"""


def measure_filter_change(report: Report, passes: int) -> None:
    """Filter changes on the Overview of the 600-session demo, until the first chart redraws.

    Each pass starts a fresh server and opens one page at 1400x1000, then clicks the four date
    presets in the sidebar in turn, twice: the first round shows views the server has not
    computed yet (what a user meets), the second the same views again (cached). Each change
    counts, in the page, from the pointer going down until the script run is over and the
    weekly chart shows the new data (whichever comes last).
    """
    key = "browser_filter_change_s"
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        report.add(key, None, "s", note="n/a: apt-get install -y chromium")
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        report.add(key, None, "s", note="n/a: playwright not installed")
        return
    from lu_data.sources.demo import DEMO_SESSIONS

    marks: dict[str, list[float]] = {"done": [], "running": [], "ended": [], "changed": []}
    warm: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            for _ in range(passes):
                with streamlit_server(ROOT, DEMO_SESSIONS) as url:
                    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
                    try:
                        page = ctx.new_page()
                        page.goto(url)
                        page.wait_for_selector(CHART_SELECTOR, timeout=BROWSER_WARM_TIMEOUT_MS)
                        page.wait_for_selector(IDLE_SELECTOR, timeout=BROWSER_TIMEOUT_MS)
                        page.wait_for_timeout(500)  # late layout of the first load settles
                        page.evaluate(WATCH_JS)
                        sidebar = page.locator('[data-testid="stSidebar"]')
                        for i in range(2 * len(FILTER_PRESETS)):
                            label = FILTER_PRESETS[i % len(FILTER_PRESETS)]
                            sidebar.locator("button", has_text=label).first.click()
                            page.wait_for_function(
                                "() => window.__luWatch.marks.done !== undefined",
                                timeout=BROWSER_TIMEOUT_MS,
                            )
                            got = page.evaluate("() => window.__luWatch.marks")
                            if i >= len(FILTER_PRESETS):
                                warm.append(got["done"] / 1000)
                            else:
                                for name in marks:
                                    if got.get(name) is not None:
                                        marks[name].append(got[name] / 1000)
                            page.wait_for_timeout(300)  # a user's pause between changes
                    finally:
                        ctx.close()
        finally:
            browser.close()
    summary = {name: median(v) if v else float("nan") for name, v in marks.items()}
    report.add(
        key,
        summary["done"],
        "s",
        runs=marks["done"],
        note=(
            f"{DEMO_SESSIONS} sessions, date presets; run started {summary['running']:.2f} s, "
            f"chart changed {summary['changed']:.2f} s, run over {summary['ended']:.2f} s; "
            f"same views again: {median(warm):.2f} s"
        ),
    )
    report.add(
        "browser_filter_run_s",
        summary["ended"],
        "s",
        runs=marks["ended"],
        note="click -> script run over (stApp notRunning)",
    )
