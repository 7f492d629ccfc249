"""API faults: the client against the stand-in portal's fault switches, and the app's fallback.

Real HTTP on 127.0.0.1; waits (backoff, Retry-After, pacing) go through an injected clock, so
nothing really sleeps except where a test measures real time. A fetch either completes with
exactly the clean fetch's sessions or raises its specific PortalError; it never returns a
partial RawPortal.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pytest

from lu_data import load_portal
from lu_data.core.raw import RawPortal
from lu_data.sources.api_client import (
    AuthError,
    BadResponseError,
    ConnectionFailedError,
    PagingError,
    PortalConfig,
    PortalError,
    RateLimitError,
    ServerError,
    fetch_portal,
)
from lu_data.sources.api_settings import label_of
from lu_data.sources.demo import generate_demo
from lu_data.sources.fake_portal import FakePortal, Faults
from lu_data.sources.record_fields import LeanRecord
from lu_data.store.store import SyncRun, default_url, open_store
from tests.support import ANCHOR
from tests.support.apptest import dashboard, metrics
from tests.support.clock import FakeTime
from tests.support.servers import wait_for_sync

USER = "fault-user"
PASSWORD = "fault-Pa55-word"
PAGE_SIZE = 5
DEMO_SESSIONS = 120  # 12 courses, 179 records: many pages and four busy workers
TIMEOUT = (1.0, 0.15)  # a short read timeout: "slow" requests below stall 0.5 s
EVERY = frozenset(range(1, 100_000))

# (id, faults, expected: None = completes like the clean fetch, else the error class and the
# words its message must carry, so it says what happened)
CASES: list[tuple[str, Faults, tuple[type[PortalError], str] | None]] = [
    ("429-burst", Faults(rate_limit_every=3, retry_after=5), None),
    ("429-no-retry-after", Faults(rate_limit_every=4, retry_after=None), None),
    ("429-forever", Faults(rate_limit_every=1), (RateLimitError, "429")),
    ("503-some", Faults(fail_requests=frozenset({2, 3, 5, 8})), None),
    ("500-first", Faults(fail_requests=frozenset({1}), fail_status=500), None),
    ("502-forever", Faults(fail_requests=EVERY, fail_status=502), (ServerError, "HTTP 502")),
    ("timeout-some", Faults(delay=0.5, slow_requests=frozenset({2, 6})), None),
    ("timeout-forever", Faults(delay=0.5), (ConnectionFailedError, "timed out")),
    ("dropped-some", Faults(drop_requests=frozenset({1, 4, 9})), None),
    ("dropped-forever", Faults(drop_requests=EVERY), (ConnectionFailedError, "could not reach")),
    ("truncated-some", Faults(truncate_requests=frozenset({2, 7})), None),
    ("truncated-forever", Faults(truncate_requests=EVERY), (BadResponseError, "not valid JSON")),
    ("html-200", Faults(html_requests=frozenset({3})), (BadResponseError, "HTML page")),
    ("stuck-next-page", Faults(stuck_next_page=True), (PagingError, "stuck")),
    ("revoked-mid-fetch", Faults(revoke_after=6), (AuthError, "API Keys")),
    (
        "mixed",
        Faults(
            rate_limit_every=7,
            fail_requests=frozenset({3}),
            drop_requests=frozenset({5}),
            truncate_requests=frozenset({9}),
            delay=0.5,
            slow_requests=frozenset({11}),
        ),
        None,
    ),
]


@pytest.fixture(scope="module")
def raw() -> RawPortal:
    """The demo portal the stand-in serves."""
    return generate_demo(n_sessions=DEMO_SESSIONS, anchor=ANCHOR)


@pytest.fixture(scope="module")
def clean(raw: RawPortal) -> dict[bool, pd.DataFrame]:
    """The sessions of a fault-free fetch, per mode (all_modules False / True)."""
    out = {}
    with FakePortal(raw, username=USER, password=PASSWORD, page_size=PAGE_SIZE) as fp:
        for all_modules in (False, True):
            out[all_modules] = load_portal(fetch(fp, all_modules)).sessions
    return out


def fetch(
    fp: FakePortal,
    all_modules: bool,
    time_: FakeTime | None = None,
    *,
    lean: bool = False,
    **kw: Any,
) -> RawPortal:
    """One fetch from the stand-in with injected time and no pacing."""
    time_ = time_ or FakeTime()
    config = PortalConfig(
        fp.base_url,
        USER,
        PASSWORD,
        requests_per_second=None,
        timeout=TIMEOUT,
        all_modules=all_modules,
        **kw,
    )
    return fetch_portal(
        config, sleep=time_.sleep, clock=time_.clock, rng=random.Random(1), lean=lean
    )


# The dashboard fetches per course and lean; `lu-data fetch --all-modules` saves full records.
# Clean fetches are full, so each lean fetch is also checked against the full records.
@pytest.mark.parametrize(
    ("all_modules", "lean"), [(False, True), (True, False)], ids=["per-course-lean", "all-modules"]
)
@pytest.mark.parametrize(("faults", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_fetch_completes_exactly_or_fails_specifically(
    raw: RawPortal,
    clean: dict[bool, pd.DataFrame],
    faults: Faults,
    expected: tuple[type[PortalError], str] | None,
    all_modules: bool,
    lean: bool,
) -> None:
    """Under each fault the fetch equals the clean fetch or raises its own error, never partial."""
    with FakePortal(
        raw, username=USER, password=PASSWORD, page_size=PAGE_SIZE, faults=faults
    ) as fp:
        if expected is None:
            got = fetch(fp, all_modules, lean=lean)
            assert got.complete
            kinds = {type(m) for p in got.pages for m in p.modules}
            assert kinds == ({LeanRecord} if lean else {dict})
            pd.testing.assert_frame_equal(load_portal(got).sessions, clean[all_modules])
            return
        error, words = expected
        result: list[RawPortal] = []
        with pytest.raises(error) as caught:
            result.append(fetch(fp, all_modules, lean=lean))
        assert not result  # nothing, in particular no partial RawPortal, came back
        message = str(caught.value)
        assert words in message, message
        assert PASSWORD not in message and "Traceback" not in message
        settled = fp.request_count
        time.sleep(0.2)
        assert fp.request_count == settled  # the workers stopped with the fetch
        if faults.stuck_next_page:
            # stopped at the first repeated page, not after max_pages (2,000) requests
            assert fp.request_count < 30


def test_failure_does_not_wait_for_another_workers_rate_limit_pause(raw: RawPortal) -> None:
    """When one course fails, a worker parked on a 30 s Retry-After wakes and the fetch ends."""
    # requests 1-3 read the course list (12 courses, 5 a page); 4-7 are the four workers'
    # first module pages: one is parked for 30 s (answered late), the others fail at once
    faults = Faults(
        rate_limit_requests=frozenset({4}),
        retry_after=30,
        delay=0.3,
        slow_requests=frozenset({4}),
        html_requests=frozenset({5, 6, 7}),
    )
    with FakePortal(
        raw, username=USER, password=PASSWORD, page_size=PAGE_SIZE, faults=faults
    ) as fp:
        config = PortalConfig(fp.base_url, USER, PASSWORD, requests_per_second=None)
        started = time.monotonic()
        with pytest.raises(BadResponseError):
            fetch_portal(config)  # the real clock and sleep
        assert time.monotonic() - started < 10


def test_progress_is_reported_on_the_calling_thread(raw: RawPortal) -> None:
    """Progress callbacks run on the caller's thread (Streamlit cannot draw from workers)."""
    threads: set[str] = set()
    with FakePortal(raw, username=USER, password=PASSWORD, page_size=PAGE_SIZE) as fp:
        config = PortalConfig(fp.base_url, USER, PASSWORD, requests_per_second=None)
        fetch_portal(config, progress=lambda d, t, m: threads.add(threading.current_thread().name))
    assert threads == {threading.current_thread().name}


# --- the app: last good data on screen when a refresh fails -----------------------------

APP_FAULTS: list[tuple[str, Faults, str]] = [
    ("server-errors", Faults(fail_requests=EVERY), "HTTP 503"),
    ("rate-limited", Faults(rate_limit_every=1, retry_after=0), "429"),
    ("revoked-keys", Faults(revoke_after=0), "API Keys"),
    ("html-page", Faults(html_requests=EVERY), "HTML"),
    ("stuck-paging", Faults(stuck_next_page=True), "stuck"),
    ("dropped", Faults(drop_requests=EVERY), "could not reach"),
]


@pytest.fixture
def portal_app(fake_portal_env, raw: RawPortal):
    """A stand-in portal, the app's LEARNUPON_* env pointing at it, and fast real backoff."""
    return fake_portal_env(raw, USER, PASSWORD, page_size=50)


def new_session(refresh: bool = False):
    """A new browser session (AppTest) on the Overview, optionally with Refresh now pressed."""
    return dashboard(refresh=refresh).run()


def portal_name(fp: FakePortal) -> str:
    """The name the app gives the stand-in portal: its host and port."""
    return label_of(fp.base_url)


def wait_for_run(fp: FakePortal, after: datetime) -> SyncRun:
    """The background syncer's first finished run of the stand-in started after `after`."""
    return wait_for_sync(fp.base_url, after)


def texts(at) -> list[str]:
    """Every error, warning and exception text on the page and in the sidebar."""
    out = [e.value for e in at.error] + [w.value for w in at.warning]
    out += [e.value for e in at.sidebar.error] + [w.value for w in at.sidebar.warning]
    return out + [str(e.value) for e in at.exception]


def failure_notes(at) -> list[str]:
    """The page's "Refresh failed" warnings."""
    return [w.value for w in at.warning if "Refresh failed" in w.value]


def test_failed_refresh_keeps_last_good_data_with_its_time(portal_app: FakePortal) -> None:
    """After a good sync, each failing requested sync keeps the data and names its time."""
    first = new_session()
    assert not first.exception and not texts(first)
    good = metrics(first)
    with open_store(default_url()) as store:
        kept = store.read_snapshot(portal_name(portal_app))
    assert kept is not None
    stamp = f"Showing data as of {kept.fetched_at:%d %b %Y %H:%M} UTC"
    for name, faults, words in APP_FAULTS:
        portal_app.faults = faults
        before, pressed = portal_app.request_count, datetime.now(UTC)
        asked = new_session(refresh=True)  # returns at once with the data it has
        assert metrics(asked) == good, name
        run = wait_for_run(portal_app, pressed)
        assert run.status == "failed" and portal_app.request_count > before, name
        at = new_session()
        assert not at.exception, name
        assert metrics(at) == good, name
        warnings = failure_notes(at)
        assert len(warnings) == 1, (name, warnings)
        assert words in warnings[0] and stamp in warnings[0], (name, warnings[0])
        assert all(PASSWORD not in t for t in texts(at)), name
    portal_app.faults = Faults()
    pressed = datetime.now(UTC)
    new_session(refresh=True)
    assert wait_for_run(portal_app, pressed).status == "ok"
    recovered = new_session()
    assert not failure_notes(recovered) and metrics(recovered) == good


def test_stale_period_resyncs_in_the_background_and_falls_back(
    portal_app: FakePortal, monkeypatch
) -> None:
    """After the period the syncer fetches again by itself; a failure keeps the old data."""
    monkeypatch.setenv("LEARNUPON_CACHE_MINUTES", "0.02")  # a 1.2-second period
    first = new_session()
    good = metrics(first)
    portal_app.faults = Faults(fail_requests=EVERY)
    run = wait_for_run(portal_app, datetime.now(UTC))
    assert run.status == "failed" and "HTTP 503" in (run.error or "")
    later = new_session()
    assert metrics(later) == good
    assert failure_notes(later)


def test_first_load_failure_shows_one_clear_error(portal_app: FakePortal) -> None:
    """With no snapshot yet, a failed first sync is one sidebar error, no traceback, no data."""
    portal_app.faults = Faults(revoke_after=0)
    at = new_session()
    assert not at.exception
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1 and "API Keys" in errors[0] and PASSWORD not in errors[0]
    assert not at.metric
    portal_app.faults = Faults()
    pressed = datetime.now(UTC)
    new_session(refresh=True)
    assert wait_for_run(portal_app, pressed).status == "ok"
    assert metrics(new_session())["Sessions"]
