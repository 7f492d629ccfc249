"""A local stand-in LearnUpon portal: serves a RawPortal over HTTP with switchable faults."""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from lu_data.core.raw import RawPortal
from lu_data.sources.fake_portal_sign_in import DEFAULT_PASSWORD, DEFAULT_USERNAME

LOG = logging.getLogger(__name__)

API_PREFIX = "/api/v1/"
DEFAULT_PAGE_SIZE = 500
MINUTE_QUOTA = 300  # what real portals report; reported only, never enforced
WEEK_QUOTA = 500_000
GATE_TIMEOUT = 60.0  # the longest a request waits at a closed gate (FakePortal.gate)
JSON_ERROR = b'{"error":"There was a problem in the JSON you submitted."}'
HTML_ERROR = (
    b"<!DOCTYPE html><html><head><title>We're sorry, but something went wrong (500)"
    b"</title></head><body><h1>We're sorry, but something went wrong.</h1></body></html>"
)


@dataclass
class Faults:
    """Misbehaviours to inject; request numbers count every request from 1."""

    rate_limit_every: int = 0  # answer 429 to every Nth request (0 = never)
    rate_limit_requests: frozenset[int] = frozenset()  # answer 429 to these request numbers
    retry_after: float | None = 1.0  # Retry-After seconds on 429; None sends no header
    fail_requests: frozenset[int] = frozenset()  # request numbers answered with fail_status
    fail_status: int = 503
    delay: float = 0.0  # seconds to stall before answering
    slow_requests: frozenset[int] = frozenset()  # stall only these (empty = all when delay)
    truncate_requests: frozenset[int] = frozenset()  # cut the JSON body in half
    html_requests: frozenset[int] = frozenset()  # an HTML error page with status 200
    stuck_next_page: bool = False  # LU-Has-Next-Page always "true", last page repeated
    revoke_after: int | None = None  # credentials refused after this many requests
    drop_requests: frozenset[int] = frozenset()  # close the connection without answering
    no_paging_headers: bool = False  # omit the LU-* paging headers (unknown on some endpoints)


@dataclass
class _Listing:
    """One listing pre-serialised to response bodies, one per page."""

    bodies: list[bytes] = field(default_factory=list)

    @classmethod
    def build(cls, envelope: str, records: list[Any], page_size: int) -> _Listing:
        chunks = [records[i : i + page_size] for i in range(0, len(records), page_size)]
        return cls([orjson.dumps({envelope: chunk}) for chunk in chunks])


class FakePortal:
    """Serve a RawPortal the way LearnUpon's /api/v1 does, on 127.0.0.1."""

    def __init__(
        self,
        raw: RawPortal,
        *,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        page_size: int = DEFAULT_PAGE_SIZE,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        minute_quota: int = MINUTE_QUOTA,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.username = username
        self._password = password
        self.page_size = page_size
        self.faults = faults or Faults()  # tests may swap or mutate this at runtime
        # While set to an unset Event, every request (counted first) waits for it, at most
        # GATE_TIMEOUT: a test holds a fetch open as long as it needs, not for a guessed delay.
        self.gate: threading.Event | None = None
        self.host = host
        self.port = port
        self.minute_quota = minute_quota
        self.request_count = 0
        self.path_counts: Counter[str] = Counter()
        self.request_log: list[str] = []  # "path?query" of every request, in order
        self.request_times: list[float] = []  # time.monotonic() of every request, in order
        self.content_type_count = 0  # GETs that carried a Content-Type header
        self._lock = threading.Lock()
        self._minute: tuple[int, int] = (0, 0)  # (minute number, requests in it)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._build(raw)

    def __repr__(self) -> str:
        return f"FakePortal(base_url={self.base_url!r}, username={self.username!r})"

    def __enter__(self) -> FakePortal:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The API base URL clients should use, e.g. http://127.0.0.1:8123/api/v1/."""
        return f"http://{self.host}:{self.port}{API_PREFIX}"

    def start(self) -> str:
        """Serve on a background thread; return the base URL."""
        self.bind()
        assert self._server is not None
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self.base_url

    def serve_forever(self) -> None:
        """Serve on the calling thread until interrupted (for the CLI)."""
        if self._server is None:
            self.bind()
        assert self._server is not None
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._server.server_close()

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is not None:
            if self._thread is not None:
                self._server.shutdown()
                self._thread.join(timeout=5)
            self._server.server_close()
        self._server = None
        self._thread = None

    def reset_counts(self) -> None:
        """Start request numbering again from 1 (fault request numbers count from here)."""
        with self._lock:
            self.request_count = 0
            self.path_counts.clear()
            self.request_log.clear()
            self.request_times.clear()
            self.content_type_count = 0

    def fetch_starts(self) -> list[float]:
        """time.monotonic() of each first course-list page: one per fetch by the client."""
        with self._lock:
            pairs = list(zip(self.request_log, self.request_times, strict=True))
        return [t for entry, t in pairs if entry == f"{API_PREFIX}courses?page=1"]

    def count(self, path: str) -> int:
        """How many requests arrived for one API path such as 'modules'."""
        return self.path_counts[API_PREFIX + path.strip("/")]

    def bind(self) -> str:
        """Open the listening socket (port 0 picks a free one); return the base URL."""
        portal = self

        class Handler(_Handler):
            owner = portal

        self._server = _QuietServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        return self.base_url

    def serve(self, raw: RawPortal) -> None:
        """Serve other data from the next request on: a portal whose sessions changed."""
        self._build(raw)  # swaps the listings under the lock itself

    def _build(self, raw: RawPortal) -> None:
        """Group records by course; pages are serialised lazily, once per listing."""
        by_course: dict[int, list[Any]] = {}
        everything: list[Any] = []
        seen: set[Any] = set()
        for page in raw.pages:
            if page.course_id is not None:
                by_course.setdefault(page.course_id, []).extend(page.modules)
            for record in page.modules:
                key = _record_key(record)
                if key not in seen:  # the unfiltered listing holds each record once
                    seen.add(key)
                    everything.append(record)
        courses = [c for c in raw.courses if isinstance(c, dict) and "id" in c]
        known = {_as_int(c["id"]) for c in courses}
        courses += [{"id": cid, "name": f"Course {cid}"} for cid in by_course if cid not in known]
        records: dict[Any, tuple[str, list[Any]]] = {
            "courses": ("courses", courses),
            "all": ("modules", everything),
            **{cid: ("modules", recs) for cid, recs in by_course.items()},
        }
        with self._lock:  # a request under way sees the old listings or the new, never a mix
            self._records = records
            self._cache: dict[Any, _Listing] = {}

    def _listing(self, key: Any) -> _Listing:
        """Serialise a listing's pages on first use, once; later requests send bytes."""
        with self._lock:
            listing = self._cache.get(key)
            if listing is None:
                envelope, records = self._records.get(key, ("modules", []))
                listing = _Listing.build(envelope, records, self.page_size)
                self._cache[key] = listing
        return listing

    def _next_request(self, path: str, query: str, has_content_type: bool) -> int:
        with self._lock:
            self.request_count += 1
            self.path_counts[path] += 1
            self.request_log.append(f"{path}?{query}" if query else path)
            self.request_times.append(time.monotonic())
            self.content_type_count += has_content_type
            minute = int(time.time() // 60)
            number, used = self._minute
            self._minute = (minute, used + 1 if number == minute else 1)
            return self.request_count

    def _quota_headers(self) -> dict[str, str]:
        with self._lock:
            used = self._minute[1]
            total = self.request_count
        return {
            "X-LU-Rate-Limit-Remaining-Minute": str(max(0, self.minute_quota - used)),
            "X-LU-Rate-Limit-Remaining-Week": str(max(0, WEEK_QUOTA - total)),
        }

    def _check_auth(self, header: str | None, number: int) -> bool:
        revoke = self.faults.revoke_after
        if revoke is not None and number > revoke:
            return False
        if not header or not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, _, password = decoded.partition(":")
        # compare_digest: no timing hints, even on a stand-in
        return hmac.compare_digest(user.encode(), self.username.encode()) and hmac.compare_digest(
            password.encode(), self._password.encode()
        )

    def _listing_for(self, resource: str, params: dict[str, list[str]]) -> _Listing | None:
        if resource == "courses":
            return self._listing("courses")
        if resource == "modules":
            course = params.get("course_id", [""])[0]
            if not course:
                return self._listing("all")
            cid = _as_int(course)
            # an unknown or malformed course id lists nothing, as far as anyone has seen
            return self._listing(cid) if cid in self._records else _Listing()
        return None


class _QuietServer(ThreadingHTTPServer):
    """A threading server that logs (not prints) clients going away mid-answer."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that timed out or hung up is expected here; anything else is logged."""
        LOG.debug("fake portal: request from %s ended early", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    """Answers one request against the owning FakePortal."""

    owner: FakePortal
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API behind its load balancer
    server_version = "FakeLearnUpon/1.0"
    disable_nagle_algorithm = True  # headers and body go out in two writes; avoid 40ms stalls

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        LOG.debug("fake portal: " + format, *args)

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        """Route a GET through the fault switches, auth and the listings."""
        portal = self.owner
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        has_content_type = self.headers.get("Content-Type") is not None
        number = portal._next_request(path, parts.query, has_content_type)
        gate = portal.gate
        if gate is not None:
            gate.wait(GATE_TIMEOUT)
        faults = portal.faults
        if number in faults.drop_requests:
            self.close_connection = True  # the client sees the socket close mid-request
            return
        if faults.delay > 0 and (not faults.slow_requests or number in faults.slow_requests):
            time.sleep(faults.delay)
        if not portal._check_auth(self.headers.get("Authorization"), number):
            self._send(401, b'{"error":"Invalid username or password."}')
            return
        if has_content_type and "json" in self.headers.get("Content-Type", "").lower():
            self._send(400, JSON_ERROR)
            return
        every = faults.rate_limit_every
        if (every and number % every == 0) or number in faults.rate_limit_requests:
            extra = {} if faults.retry_after is None else {"Retry-After": f"{faults.retry_after:g}"}
            body = b'{"message":"Number of requests has exceeded the 1 minute limit"}'
            self._send(429, body, extra)
            return
        if number in faults.fail_requests:
            self._send(faults.fail_status, b'{"error":"Internal server error"}')
            return
        params = parse_qs(parts.query)
        resource = path[len(API_PREFIX) :] if path.startswith(API_PREFIX) else None
        listing = portal._listing_for(resource, params) if resource else None
        if listing is None:
            self._send(404, b'{"message":"Not found"}')
            return
        self._send_page(listing, resource or "", params, number)

    def _send_page(
        self, listing: _Listing, resource: str, params: dict[str, list[str]], number: int
    ) -> None:
        portal = self.owner
        faults = portal.faults
        page = max(1, _as_int(params.get("page", ["1"])[0]) or 1)
        count = len(listing.bodies)
        if page <= count:
            body = listing.bodies[page - 1]
        elif faults.stuck_next_page and count:
            body = listing.bodies[-1]  # a broken portal repeating itself
        else:
            body = orjson.dumps({resource: []})
        has_next = faults.stuck_next_page or page < count
        headers = portal._quota_headers()
        if not faults.no_paging_headers:
            headers["LU-Current-Page"] = str(page)
            headers["LU-Records-Per-Page"] = str(portal.page_size)
            headers["LU-Has-Next-Page"] = "true" if has_next else "false"
        if number in faults.html_requests:
            self._send(200, HTML_ERROR, headers, content_type="text/html; charset=utf-8")
            return
        if number in faults.truncate_requests:
            body = body[: max(1, len(body) // 2)]
        self._send(200, body, headers)

    def _send(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json; charset=utf-8",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def _record_key(record: Any) -> Any:
    if isinstance(record, dict) and record.get("id") is not None:
        return ("id", record.get("id"), record.get("session_id"))
    return ("raw", orjson.dumps(record, option=orjson.OPT_SORT_KEYS))


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
