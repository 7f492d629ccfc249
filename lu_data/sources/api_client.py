"""LearnUpon REST client: pages courses and modules into a RawPortal, paced and retried."""

from __future__ import annotations

import base64
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.auth import HTTPBasicAuth

from lu_data.core.raw import RawPage, RawPortal
from lu_data.sources.api_responses import (  # noqa: F401 - the error types are re-exported for callers
    AuthError,
    BadResponseError,
    ConnectionFailedError,
    NotFoundError,
    PagingError,
    RateLimitError,
    RequestRejectedError,
    ServerError,
    bad_body_message,
    body_text,
    client_error,
    parse_body,
    redirect_error,
)
from lu_data.sources.api_settings import (  # noqa: F401 - re-exported: one import for callers
    DEFAULT_RPS,
    ENV_VARS,
    ConfigError,
    PortalConfig,
    PortalError,
    check_base_url,
    is_portal_url,
    portal_base_url,
)
from lu_data.sources.files import now_utc

LOG = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A 429 says "wait", not "broken": with several workers sharing the quota one request can
# be refused a few times in a row, so it gets more tries than a failing server does.
THROTTLE_PATIENCE = 2
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
JITTER_MAX = 1.0
RETRY_AFTER_CAP = 300.0  # a silly Retry-After must not park a dashboard for hours
LOW_REMAINING = 5  # slow down when this few requests are left in the minute
MINUTE_LIMIT_TEXT = "exceeded the 1 minute limit"  # LearnUpon's throttle text on some 4xx
USER_AGENT = "lu-data (LearnUpon ILT dashboard)"

ProgressFn = Callable[[int, int, str], None]


class Pacer:
    """Thread-safe spacing of request starts, shared by every worker of one fetch."""

    def __init__(
        self,
        requests_per_second: float | None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._interval = 1.0 / requests_per_second if requests_per_second else 0.0
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._next_start: float | None = None

    def wait_turn(self) -> None:
        """Block until this caller may start its request; reserve the slot under a lock."""
        with self._lock:
            now = self._clock()
            start = now if self._next_start is None else max(now, self._next_start)
            self._next_start = start + self._interval
        if start > now:
            self._sleep(start - now)

    def reserve_at(self, moment: float) -> float:
        """Hold everyone until `moment` and give the caller the first slot from then on."""
        with self._lock:
            start = moment if self._next_start is None else max(moment, self._next_start)
            self._next_start = start + self._interval
        return start

    def hold_until(self, moment: float) -> None:
        """Make every worker wait until at least `moment` (after a 429 or a low quota)."""
        with self._lock:
            if self._next_start is None or self._next_start < moment:
                self._next_start = moment


class PortalClient:
    """Reads one portal; one instance per fetch, safe to share across its worker threads."""

    def __init__(
        self,
        config: PortalConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        lean: bool = False,
    ) -> None:
        self.config = config
        self._lean = lean  # module records as LeanRecords: for loading, not for saving
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._max_attempts = max(1, max_attempts)
        self._stop = threading.Event()
        self._pacer = Pacer(config.requests_per_second, sleep=self._nap, clock=clock)
        timeout = config.timeout
        self._timeout = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        self._secrets = _secret_forms(config.username, config.password)

    def __repr__(self) -> str:
        return f"PortalClient(base_url={self.config.base_url!r})"

    def close(self) -> None:
        """Close every HTTP session opened by the worker threads."""
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def _nap(self, seconds: float) -> None:
        """Sleep, but wake at once when the fetch is cancelled (real clock only)."""
        if self._sleep is time.sleep:
            self._stop.wait(max(0.0, seconds))
        else:
            self._sleep(seconds)

    def fetch(self, progress: ProgressFn | None = None) -> RawPortal:
        """Fetch courses, then modules per course (or all modules), into a RawPortal."""
        report = progress or (lambda done, total, message: None)
        courses = [rec for page in self.fetch_listing("courses", {}, "courses") for rec in page]
        if self.config.all_modules:
            pages = self._fetch_all_modules(report)
        else:
            pages = self._fetch_per_course(courses, report)
        return RawPortal(
            pages=pages,
            origin=self.config.base_url,
            fetched_at=now_utc(),
            courses=courses,
            complete=True,
        )

    def fetch_listing(
        self,
        path: str,
        params: Mapping[str, Any],
        envelope: str,
        on_page: Callable[[int, bool], None] | None = None,
    ) -> list[list[Any]]:
        """Fetch every page of one listing, following LU-Has-Next-Page up to the page cap."""
        pages: list[list[Any]] = []
        page_no = 1
        while True:
            if self._stop.is_set():
                raise PortalError("fetch cancelled because another request failed")
            records, headers = self._get_json(path, {**params, "page": page_no}, envelope)
            if not records:
                break  # an empty page ends a listing even if the header is stuck
            if pages and records == pages[-1]:
                raise PagingError(
                    f"{path} page {page_no} repeated page {page_no - 1} while LU-Has-Next-Page "
                    "still said true: the portal's paging looks stuck, so the fetch stopped "
                    f"there rather than reading on to max_pages ({self.config.max_pages}); "
                    "retry later"
                )
            pages.append(records)
            # a missing header means an unpaged listing; page length never says anything
            has_next = headers.get("LU-Has-Next-Page", "false").strip().lower() == "true"
            if on_page is not None:
                on_page(page_no, has_next)
            if not has_next:
                break
            if page_no >= self.config.max_pages:
                raise PagingError(
                    f"{path} still reported a next page after {page_no} pages: the portal's "
                    "paging looks stuck; retry later or raise max_pages if it is really that big"
                )
            page_no += 1
        return pages

    def _fetch_per_course(self, courses: list[Any], report: ProgressFn) -> list[RawPage]:
        ids = _course_ids(courses)
        total = len(ids)
        report(0, total, f"{total} courses to read")
        results: dict[int, list[list[Any]]] = {}
        workers = min(self.config.workers, max(1, total))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lu-fetch") as pool:
            futures = {
                pool.submit(self.fetch_listing, "modules", {"course_id": cid}, "modules"): cid
                for cid in ids
            }
            try:
                # progress is reported here, on the calling thread: UI callbacks (Streamlit)
                # cannot be called from worker threads
                for future in as_completed(futures):
                    cid = futures[future]
                    pages = future.result()  # the first failure ends the whole fetch
                    results[cid] = pages
                    report(len(results), total, f"course {cid}: {sum(map(len, pages))} modules")
            except BaseException:
                self._stop.set()  # running workers give up between requests and waits
                for future in futures:
                    future.cancel()
                raise
        return [
            RawPage(modules=records, label=f"course {cid} page {n}", course_id=cid)
            for cid in ids
            for n, records in enumerate(results[cid], start=1)
        ]

    def _fetch_all_modules(self, report: ProgressFn) -> list[RawPage]:
        def on_page(page_no: int, has_next: bool) -> None:
            report(page_no, page_no + 1 if has_next else page_no, f"modules page {page_no}")

        pages = self.fetch_listing("modules", {}, "modules", on_page)
        return [
            RawPage(modules=records, label=f"modules page {n}", course_id=None)
            for n, records in enumerate(pages, start=1)
        ]

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            # bytes: requests encodes str credentials as latin-1 and raises on anything else
            session.auth = HTTPBasicAuth(
                self.config.username.encode("utf-8"),
                self.config.password.encode("utf-8"),
            )
            # no Content-Type: LearnUpon answers 400 to it on a body-less GET
            session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def _get_json(
        self, path: str, params: Mapping[str, Any], envelope: str
    ) -> tuple[list[Any], Mapping[str, str]]:
        """GET one page with pacing and retries; return its records and headers."""
        url = self.config.base_url + path
        where = f"{path}?{'&'.join(f'{k}={v}' for k, v in params.items())}"
        throttled = 0
        attempt = 0
        slot_taken = False
        while True:
            if self._stop.is_set():
                raise PortalError("fetch cancelled because another request failed")
            attempt += 1
            if not slot_taken:
                self._pacer.wait_turn()
            slot_taken = False
            LOG.debug("GET %s (attempt %d)", where, attempt)
            failure: PortalError | None = None
            response: requests.Response | None = None
            try:
                response = self._session().get(
                    url, params=params, timeout=self._timeout, allow_redirects=False
                )
                body = response.content
            except requests.Timeout:
                failure = ConnectionFailedError(
                    f"{where} timed out {attempt} time(s) (timeout {self._timeout[1]:g}s): "
                    "the portal is slow or unreachable; retry later or raise the timeout"
                )
            except requests.RequestException as exc:
                failure = ConnectionFailedError(
                    f"could not reach {self._host()} ({type(exc).__name__}): check the portal "
                    "name or base URL and your network, then retry"
                )
            if response is None:
                if attempt < self._max_attempts:
                    self._backoff(attempt, where, "connection problem")
                    continue
                raise self._scrub(failure)  # type: ignore[arg-type]
            status = response.status_code
            headers = response.headers
            if status == 429 or (400 <= status < 500 and MINUTE_LIMIT_TEXT in body_text(body)):
                throttled += 1
                if throttled >= self._max_attempts * THROTTLE_PATIENCE:
                    raise RateLimitError(
                        f"LearnUpon kept answering 429 (rate limited) after {throttled} "
                        "tries: another integration may be using the quota; lower the "
                        "requests per second or retry in a few minutes"
                    )
                self._wait_rate_limit(headers.get("Retry-After"), where)
                slot_taken = True
                attempt -= 1  # throttling is not a failed attempt
                continue
            if 500 <= status < 600:
                if attempt < self._max_attempts:
                    self._backoff(attempt, where, f"HTTP {status}")
                    continue
                raise ServerError(
                    f"LearnUpon answered HTTP {status} to {where} {attempt} times: "
                    "the portal is having trouble; retry later"
                )
            if 300 <= status < 400:
                raise self._scrub(redirect_error(status, headers.get("Location"), where))
            if status >= 400:
                raise self._scrub(client_error(status, body, where, self.config.base_url))
            parsed, problem = parse_body(body, envelope, lean=self._lean)
            if problem == "truncated" and attempt < self._max_attempts:
                self._backoff(attempt, where, "invalid JSON body")
                continue
            if problem:
                raise self._scrub(BadResponseError(bad_body_message(problem, body, where)))
            self._note_quota(headers)
            return parsed, headers

    def _host(self) -> str:
        return urlsplit(self.config.base_url).netloc

    def _backoff(self, attempt: int, where: str, why: str) -> None:
        delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
        delay += self._rng.uniform(0, JITTER_MAX)
        LOG.info("%s on %s; retrying in %.1fs", why, where, delay)
        self._nap(delay)

    def _wait_rate_limit(self, retry_after: str | None, where: str) -> None:
        seconds = _retry_after_seconds(retry_after)
        if seconds is None:
            # no Retry-After: LearnUpon's window is per minute, so wait for the next one
            seconds = 60.0 - (self._clock() % 60.0)
        seconds = min(seconds, RETRY_AFTER_CAP) + self._rng.uniform(0, JITTER_MAX)
        LOG.info("rate limited on %s; waiting %.1fs", where, seconds)
        # hold every worker, and retry this request first when the wait is over so a
        # throttled page is not starved by the others
        now = self._clock()
        start = self._pacer.reserve_at(now + seconds)
        self._nap(start - now)

    def _note_quota(self, headers: Mapping[str, str]) -> None:
        raw = headers.get("X-LU-Rate-Limit-Remaining-Minute")  # absent on errors
        try:
            remaining = int(raw) if raw is not None else None
        except ValueError:
            remaining = None
        if remaining is None or remaining > LOW_REMAINING:
            return
        left_in_minute = 60.0 - (self._clock() % 60.0)
        # spread what is left over the rest of the window instead of hitting 429
        spacing = left_in_minute / (remaining + 1)
        LOG.info("only %d requests left this minute; spacing requests %.1fs", remaining, spacing)
        self._pacer.hold_until(self._clock() + spacing)

    def _scrub(self, error: PortalError) -> PortalError:
        text = str(error)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return type(error)(text)


def fetch_portal(
    config: PortalConfig,
    *,
    progress: ProgressFn | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    rng: random.Random | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    lean: bool = False,
) -> RawPortal:
    """Fetch every course and its modules from a portal into a RawPortal.

    lean=True is for loading into frames: module records come back as LeanRecords holding
    only the fields the normaliser reads (as sources.read_path(lean=True)); leave it off to
    save the records.
    """
    client = PortalClient(
        config, sleep=sleep, clock=clock, rng=rng, max_attempts=max_attempts, lean=lean
    )
    try:
        return client.fetch(progress)
    finally:
        client.close()


def _course_ids(courses: list[Any]) -> list[int]:
    ids: list[int] = []
    for course in courses:
        try:
            ids.append(int(course["id"]))
        except (TypeError, KeyError, ValueError):
            LOG.warning("skipping a course record without a numeric id")
    return list(dict.fromkeys(ids))  # keep order, drop repeats


def _retry_after_seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None  # an HTTP-date: rare enough to fall back to the next-minute wait


def _secret_forms(username: str, password: str) -> list[str]:
    """The password plainly and inside a Basic header, longest first, for scrubbing."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return [s for s in (token, password) if s]


def fetch_portal_url(
    url: str,
    env: Mapping[str, str] | None = None,
    *,
    progress: Callable[[int, int, str], None] | None = None,
    requests_per_second: float | None = DEFAULT_RPS,
    all_modules: bool = False,
) -> RawPortal:
    """Fetch a portal given its base URL, with credentials from LEARNUPON_* env vars."""
    env = os.environ if env is None else env
    username = env.get(ENV_VARS["username"], "").strip()
    password = env.get(ENV_VARS["password"], "")
    if not username or not password:
        raise ConfigError(
            "to read a portal URL set LEARNUPON_USERNAME and LEARNUPON_PASSWORD to the API "
            "keys from Settings > Integrations > API Keys"
        )
    config = PortalConfig(
        base_url=url,
        username=username,
        password=password,
        requests_per_second=requests_per_second,
        all_modules=all_modules,
    )
    return fetch_portal(config, progress=progress, lean=True)  # loaded, never saved
