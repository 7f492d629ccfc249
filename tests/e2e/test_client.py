"""LearnUpon client against the local stand-in portal: paging, pacing, retries, errors."""

from __future__ import annotations

import base64
import logging
import random
import traceback
from datetime import UTC

import pytest

from lu_data.core.raw import RawPortal
from lu_data.sources.api_client import (
    MAX_ATTEMPTS,
    THROTTLE_PATIENCE,
    AuthError,
    BadResponseError,
    ConfigError,
    ConnectionFailedError,
    NotFoundError,
    PagingError,
    PortalClient,
    PortalConfig,
    PortalError,
    RateLimitError,
    ServerError,
    check_base_url,
    fetch_portal,
    portal_base_url,
)
from lu_data.sources.fake_portal import FakePortal, Faults
from tests.support.clock import START, FakeTime
from tests.support.records import numbered_sessions, raw_portal, sample_courses

USER = "api-user"
PASSWORD = "s3cret-Pa55word!"


def run_fetch(portal: FakePortal, time_: FakeTime | None = None, **kwargs: object):
    """Fetch from the stand-in with injected time and no pacing unless asked."""
    time_ = time_ or FakeTime()
    options = {"requests_per_second": None, **kwargs}
    max_attempts = options.pop("max_attempts", 5)
    progress = options.pop("progress", None)
    config = PortalConfig(portal.base_url, USER, PASSWORD, **options)
    return fetch_portal(
        config,
        progress=progress,
        sleep=time_.sleep,
        clock=time_.clock,
        rng=random.Random(3),
        max_attempts=max_attempts,
    )


@pytest.fixture
def portal():
    """A stand-in serving the sample portal two records a page."""
    with FakePortal(
        sample_courses(listed=True), username=USER, password=PASSWORD, page_size=2
    ) as fp:
        yield fp


def test_fetch_reads_every_page_of_every_course(portal: FakePortal) -> None:
    """Every course is paged to the end and each page keeps its course id and label."""
    raw = run_fetch(portal)
    assert [p.label for p in raw.pages] == [
        "course 1 page 1",
        "course 1 page 2",
        "course 2 page 1",
        "course 2 page 2",
        "course 3 page 1",
    ]
    assert raw.record_count == 8
    assert raw.origin == portal.base_url and "@" not in raw.origin
    assert raw.fetched_at is not None and raw.fetched_at.tzinfo == UTC
    assert [c["id"] for c in raw.courses] == [1, 2, 3]
    assert raw.complete


def test_sessions_linked_to_two_courses_appear_under_each(portal: FakePortal) -> None:
    """A session shared by two courses is returned in both courses' pages, not deduplicated."""
    raw = run_fetch(portal)
    where = {p.course_id for p in raw.pages for m in p.modules if m["session_id"] == 12222}
    assert where == {1, 2}


def test_all_modules_mode_lists_each_record_once(portal: FakePortal) -> None:
    """all_modules=True reads the unfiltered listing: each record once, no course ids."""
    raw = run_fetch(portal, all_modules=True)
    assert raw.record_count == 5
    assert {p.course_id for p in raw.pages} == {None}
    assert raw.pages[0].label == "modules page 1"
    assert portal.request_log[-1].startswith("/api/v1/modules?page=")


def test_page_of_499_records_is_not_taken_as_the_last() -> None:
    """A 499-record page followed by more is not the end: the header decides."""
    with FakePortal(
        raw_portal(numbered_sessions(1200), courses=[5]),
        username=USER,
        password=PASSWORD,
        page_size=499,
    ) as fp:
        raw = run_fetch(fp)
        assert [len(p.modules) for p in raw.pages] == [499, 499, 202]
        assert fp.count("modules") == 3


def test_missing_next_page_header_means_one_page() -> None:
    """Without LU-Has-Next-Page a listing is read as one page."""
    faults = Faults(no_paging_headers=True)
    with FakePortal(
        sample_courses(listed=True), username=USER, password=PASSWORD, page_size=2, faults=faults
    ) as fp:
        raw = run_fetch(fp)
        assert len(raw.courses) == 2  # the course listing also stops after one page
        assert [len(p.modules) for p in raw.pages] == [2, 2]


def test_stuck_next_page_header_raises_paging_error() -> None:
    """A next-page header that never turns false stops at the page cap with PagingError."""
    faults = Faults(stuck_next_page=True)
    with FakePortal(
        sample_courses(listed=True), username=USER, password=PASSWORD, page_size=1, faults=faults
    ) as fp:
        with pytest.raises(PagingError, match="max_pages"):
            run_fetch(fp, max_pages=4)
        assert fp.count("courses") == 4


def test_empty_page_ends_listing_despite_stuck_header() -> None:
    """An empty page ends a listing even while the header still says there is more."""
    raw = RawPortal(pages=[], origin="x", courses=[{"id": 9, "name": "Empty"}])
    faults = Faults(stuck_next_page=True)
    with FakePortal(raw, username=USER, password=PASSWORD, faults=faults) as fp:
        config = PortalConfig(fp.base_url, USER, PASSWORD, requests_per_second=None)
        client = PortalClient(config, sleep=FakeTime().sleep)
        assert client.fetch_listing("modules", {"course_id": 9}, "modules") == []
        client.close()


def test_rate_limit_waits_retry_after_seconds(portal: FakePortal) -> None:
    """On 429 with Retry-After the client sleeps that long (plus jitter) and carries on."""
    portal.faults = Faults(rate_limit_every=3, retry_after=7)
    time_ = FakeTime()
    raw = run_fetch(portal, time_)
    assert raw.record_count == 8
    waits = [s for s in time_.sleeps if s >= 7]
    assert waits and all(7 <= s <= 8 for s in waits)


def test_rate_limit_without_retry_after_waits_for_next_minute(portal: FakePortal) -> None:
    """On 429 without Retry-After the client waits until the next minute starts."""
    portal.faults = Faults(rate_limit_every=4, retry_after=None)
    time_ = FakeTime(START)
    run_fetch(portal, time_)
    assert 20 <= time_.sleeps[0] <= 21


def test_rate_limit_every_time_raises_rate_limit_error(portal: FakePortal) -> None:
    """A portal that keeps answering 429 ends in RateLimitError after bounded retries."""
    portal.faults = Faults(rate_limit_every=1, retry_after=1)
    with pytest.raises(RateLimitError, match="requests per second"):
        run_fetch(portal)
    assert portal.request_count == MAX_ATTEMPTS * THROTTLE_PATIENCE  # bounded, not endless


def test_server_error_then_success_is_retried(portal: FakePortal) -> None:
    """A 503 is retried with backoff and the fetch completes."""
    portal.faults = Faults(fail_requests=frozenset({2}), fail_status=503)
    time_ = FakeTime()
    raw = run_fetch(portal, time_)
    assert raw.record_count == 8
    assert len(time_.sleeps) == 1 and 1 <= time_.sleeps[0] <= 2


def test_server_error_every_time_raises_server_error(portal: FakePortal) -> None:
    """5xx on every attempt ends in ServerError after the attempt limit."""
    portal.faults = Faults(fail_requests=frozenset(range(1, 50)), fail_status=502)
    time_ = FakeTime()
    with pytest.raises(ServerError, match="retry later"):
        run_fetch(portal, time_)
    assert portal.request_count == 5
    assert time_.sleeps == sorted(time_.sleeps)  # exponential backoff grows


def test_truncated_body_then_success_is_retried(portal: FakePortal) -> None:
    """A truncated JSON body is retried and the fetch completes."""
    portal.faults = Faults(truncate_requests=frozenset({3}))
    assert run_fetch(portal).record_count == 8


def test_truncated_body_every_time_raises_bad_response(portal: FakePortal) -> None:
    """A body that is never valid JSON ends in BadResponseError showing its start."""
    portal.faults = Faults(truncate_requests=frozenset(range(1, 50)))
    with pytest.raises(BadResponseError, match="not valid JSON") as info:
        run_fetch(portal)
    assert '{"courses"' in str(info.value)


def test_html_page_with_status_200_raises_bad_response(portal: FakePortal) -> None:
    """An HTML error page sent with 200 raises BadResponseError quoting its first characters."""
    portal.faults = Faults(html_requests=frozenset({1}))
    with pytest.raises(BadResponseError, match="HTML") as info:
        run_fetch(portal)
    assert "<!DOCTYPE html>" in str(info.value)
    assert len(str(info.value)) < 400


def test_dropped_connection_is_retried(portal: FakePortal) -> None:
    """A connection closed without an answer is retried."""
    portal.faults = Faults(drop_requests=frozenset({2}))
    assert run_fetch(portal).record_count == 8


def test_timeouts_raise_connection_failed(portal: FakePortal) -> None:
    """A portal slower than the read timeout ends in ConnectionFailedError."""
    portal.faults = Faults(delay=0.3)
    with pytest.raises(ConnectionFailedError, match="timed out"):
        run_fetch(portal, timeout=(1.0, 0.1), max_attempts=2)


def test_unreachable_portal_raises_connection_failed() -> None:
    """Nothing listening on the port ends in ConnectionFailedError."""
    fp = FakePortal(sample_courses(listed=True))
    fp.start()
    fp.stop()
    with pytest.raises(ConnectionFailedError, match="could not reach"):
        run_fetch(fp, max_attempts=2)


def test_wrong_credentials_raise_auth_error(portal: FakePortal) -> None:
    """A 401 raises AuthError pointing at the API Keys settings page."""
    config = PortalConfig(portal.base_url, USER, "wrong", requests_per_second=None)
    with pytest.raises(AuthError, match="Settings > Integrations > API Keys"):
        fetch_portal(config, sleep=FakeTime().sleep)


def test_credentials_revoked_mid_fetch_raise_auth_error(portal: FakePortal) -> None:
    """Keys revoked during a fetch raise AuthError instead of returning partial data."""
    portal.faults = Faults(revoke_after=3)
    with pytest.raises(AuthError):
        run_fetch(portal)


def test_wrong_path_raises_not_found(portal: FakePortal) -> None:
    """A base URL with the wrong path raises NotFoundError naming the base URL."""
    config = PortalConfig(portal.base_url.replace("/api/v1/", "/api/v9/"), USER, PASSWORD)
    with pytest.raises(NotFoundError, match="api/v9"):
        fetch_portal(config, sleep=FakeTime().sleep)


def test_no_content_type_header_on_gets(portal: FakePortal) -> None:
    """GETs carry no Content-Type header (LearnUpon answers 400 to it)."""
    run_fetch(portal)
    assert portal.request_count > 0 and portal.content_type_count == 0
    client = PortalClient(PortalConfig(portal.base_url, USER, PASSWORD))
    assert "Content-Type" not in client._session().headers
    client.close()


def test_pacing_spaces_requests_at_the_configured_rate(portal: FakePortal) -> None:
    """N requests at 4 per second take at least (N-1)/4 s of injected waiting."""
    time_ = FakeTime()
    run_fetch(portal, time_, requests_per_second=4)
    n = portal.request_count
    assert n == 7
    assert time_.now - START >= (n - 1) / 4 - 1e-9


def test_low_remaining_quota_slows_down() -> None:
    """When X-LU-Rate-Limit-Remaining-Minute nears 0 the client spaces requests out."""
    with FakePortal(
        sample_courses(listed=True), username=USER, password=PASSWORD, page_size=2, minute_quota=2
    ) as fp:
        time_ = FakeTime()
        run_fetch(fp, time_)
        assert time_.sleeps and max(time_.sleeps) > 1


def test_progress_reports_each_course(portal: FakePortal) -> None:
    """progress(done, total, message) is called as each course completes."""
    calls: list[tuple[int, int, str]] = []
    run_fetch(portal, progress=lambda d, t, m: calls.append((d, t, m)))
    assert calls[0][:2] == (0, 3)
    assert sorted(c[0] for c in calls[1:]) == [1, 2, 3]
    assert all(c[1] == 3 for c in calls)


def test_password_never_appears_in_errors_reprs_or_logs(
    portal: FakePortal, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """No exception text, chain, repr or log line shows the password or its Basic token."""
    caplog.set_level(logging.DEBUG)
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    texts: list[str] = []
    scenarios = [
        Faults(revoke_after=1),
        Faults(fail_requests=frozenset(range(1, 50))),
        Faults(html_requests=frozenset({1})),
        Faults(truncate_requests=frozenset(range(1, 50))),
        Faults(drop_requests=frozenset(range(1, 50))),
        Faults(rate_limit_every=1),
    ]
    for faults in scenarios:
        portal.faults = faults
        portal.reset_counts()
        with pytest.raises(PortalError) as info:
            run_fetch(portal, max_attempts=2)
        texts += [str(info.value), repr(info.value)]
        texts.append("".join(traceback.format_exception(info.value)))
    config = PortalConfig(portal.base_url, USER, PASSWORD)
    texts += [repr(config), str(config), repr(PortalClient(config))]
    out, err = capsys.readouterr()
    texts += [caplog.text, out, err]
    for text in texts:
        assert PASSWORD not in text and token not in text


def test_portal_name_validation() -> None:
    """Portal names are subdomains only: letters, digits and hyphens."""
    assert portal_base_url("acme") == "https://acme.learnupon.com/api/v1/"
    assert portal_base_url("My-Portal2") == "https://my-portal2.learnupon.com/api/v1/"
    for bad in ["", "acme.evil.com", "a b", "-acme", "acme/x", "acme@x", "x" * 70]:
        with pytest.raises(ConfigError, match="portal name"):
            portal_base_url(bad)


def test_plain_http_refused_except_on_loopback() -> None:
    """http:// is refused for real hosts and allowed for 127.0.0.0/8, localhost and ::1."""
    with pytest.raises(ConfigError, match="https"):
        check_base_url("http://acme.learnupon.com/api/v1/")
    assert check_base_url("http://127.0.0.5:8000/api/v1") == "http://127.0.0.5:8000/api/v1/"
    assert check_base_url("http://localhost:1/").endswith("/api/v1/")
    assert check_base_url("http://[::1]:8000/api/v1/").startswith("http://[::1]")
    assert check_base_url("https://acme.learnuponau.com") == (
        "https://acme.learnuponau.com/api/v1/"
    )
    for bad in ["ftp://x/", "acme", "https://", "https://x:99999/"]:
        with pytest.raises(ConfigError):
            check_base_url(bad)


def test_base_url_with_userinfo_is_refused_without_echoing_it() -> None:
    """A URL carrying user:password is refused and the message does not repeat it."""
    with pytest.raises(ConfigError) as info:
        check_base_url(f"https://{USER}:{PASSWORD}@acme.learnupon.com/api/v1/")
    assert PASSWORD not in str(info.value)


def test_config_repr_hides_password() -> None:
    """PortalConfig's repr shows *** instead of the password."""
    config = PortalConfig("https://acme.learnupon.com/api/v1/", USER, PASSWORD)
    assert PASSWORD not in repr(config) and "***" in repr(config)
    with pytest.raises(ConfigError):
        PortalConfig("https://acme.learnupon.com/api/v1/", USER, "")
