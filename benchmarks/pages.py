"""Pages in AppTest: cold and fresh-session runs, warm reruns and what each page sends."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.harness import (
    ANCHOR,
    APP_TIMEOUT_S,
    DEMO_SESSIONS_ENV,
    PAGE_KEYS,
    PAGES,
    PORTAL_ENV,
    ROOT,
    VIEW_KEY,
    WHOLE_RANGE,
    Report,
    log,
    median,
    size_label,
    timed,
)

# ---------------------------------------------------------------------------------------------
# 3, 4: pages in AppTest


@contextlib.contextmanager
def app_environment(n_sessions: int) -> Iterator[Any]:
    """Pin today, hide any real portal, and make ui's demo portal n_sessions big."""
    saved = {k: os.environ.get(k) for k in (*PORTAL_ENV, "LU_TODAY", DEMO_SESSIONS_ENV)}
    for var in PORTAL_ENV:
        os.environ.pop(var, None)  # never fetch a real portal from a benchmark
    os.environ["LU_TODAY"] = ANCHOR.isoformat()
    os.environ[DEMO_SESSIONS_ENV] = str(n_sessions)  # ui sizes its demo portal by this
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        yield st
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def new_app(entry: Path | None = None) -> Any:
    """A fresh AppTest session (on the home page unless entry is given), whole range selected."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(entry or ROOT / "dashboard.py"), default_timeout=APP_TIMEOUT_S)
    at.session_state["filter_dates"] = WHOLE_RANGE
    return at


def run_app(at: Any) -> float:
    """Run (or rerun) an AppTest script; raise when the page raised."""
    seconds, _ = timed(at.run)
    if at.exception:
        raise RuntimeError("; ".join(str(e.value)[:300] for e in at.exception))
    return seconds


def payload_bytes(at: Any) -> tuple[int, int]:
    """(figure JSON + calendar args, dataframe Arrow bytes) that the page sends to the browser."""
    charts = sum(len(el.proto.spec) for el in at.get("plotly_chart"))
    calendars = sum(len(el.proto.json_args) for el in at.get("component_instance"))
    # The whole element: Arrow bytes, or the first chunk when Streamlit loads the rest lazily.
    tables = sum(el.proto.ByteSize() for el in at.get("dataframe"))
    return charts + calendars, tables


def sessions_in_view(at: Any) -> int | None:
    """How many sessions the run's View held (checks the whole range really was selected)."""
    try:
        view = at.session_state[VIEW_KEY]
    except KeyError:
        return None
    return None if view is None else len(view.sessions)


def measure_pages(report: Report, n: int, repeats: int, cheap: int) -> dict[str, Any]:
    """Cold first run, fresh sessions on warm caches, and warm reruns of every page."""
    label = size_label(n)
    info: dict[str, Any] = {}
    with app_environment(n):
        cold = run_app(new_app())
        report.add("page_cold_s", cold, "s", note=f"Overview, empty cache, {label} demo")
        log(f"  pages: cold first run {cold:.2f} s")
        fresh = [run_app(new_app()) for _ in range(repeats)]
        report.add(
            "fresh_session_overview_s",
            median(fresh),
            "s",
            runs=fresh,
            note="new session: Overview, data already cached",
        )
        for name, page in PAGES.items():
            if not (ROOT / page).exists():
                for key in PAGE_KEYS:
                    report.add(f"{key}.{name}", None, _page_unit(key), note="skipped: no page file")
                continue
            try:
                # A user's way in: the home page builds the view, then the menu opens the page.
                at = new_app()
                run_app(at)
                at.switch_page(page)
                first = run_app(at)
                shown = sessions_in_view(at)
                # Every page script draws the shared sidebar itself, so an AppTest rerun runs
                # what a browser rerun runs: sidebar and page.
                full = [run_app(at) for _ in range(cheap)]
                warm = full
                charts, tables = payload_bytes(at)
            except Exception as exc:  # the other pages are still measured; failures() fails the run
                note = f"n/a: {type(exc).__name__}: {str(exc)[:200]}"
                for key in PAGE_KEYS:
                    report.add(f"{key}.{name}", None, _page_unit(key), note=note)
                log(f"  page {name}: {note}")
                continue
            view_note = f"{shown:,} sessions in view" if shown is not None else ""
            report.add(f"page_first_s.{name}", first, "s", note="after switch_page, warm cache")
            report.add(
                f"page_warm_s.{name}",
                median(warm),
                "s",
                runs=warm,
                note=f"AppTest rerun (sidebar + page); {view_note}",
            )
            report.add(
                f"page_full_rerun_s.{name}",
                median(full),
                "s",
                runs=full,
                note="sidebar + page, as a browser rerun",
            )
            report.add(f"page_payload_bytes.{name}", float(charts), "B", note="figures + calendar")
            report.add(
                f"page_table_bytes.{name}", float(tables), "B", note="st.dataframe Arrow (info)"
            )
            info[name] = {"sessions_in_view": shown}
            log(
                f"  page {name}: first {first:.2f} s, warm {median(warm):.3f} s, "
                f"full rerun {median(full):.3f} s"
            )
    return info


def _page_unit(key: str) -> str:
    return "B" if key.endswith("bytes") else "s"
