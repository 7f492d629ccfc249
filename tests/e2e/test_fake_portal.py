"""The stand-in LearnUpon portal's HTTP shape, fault switches, and the fetch/fake-portal CLI."""

from __future__ import annotations

import argparse
import io
import json
import time
from pathlib import Path

import pytest
import requests

from lu_data.cli.fetch import load_fake_source, register_commands, run_fetch
from lu_data.sources.api_client import ConfigError, PortalConfig, fetch_portal, fetch_portal_url
from lu_data.sources.fake_portal import DEFAULT_PASSWORD, DEFAULT_USERNAME, FakePortal, Faults
from lu_data.sources.files import dump_portal, read_path
from tests.support.records import numbered_sessions, raw_portal, sample_courses

AUTH = (DEFAULT_USERNAME, DEFAULT_PASSWORD)


@pytest.fixture
def portal():
    """A running stand-in with two records a page."""
    with FakePortal(sample_courses(), page_size=2) as fp:
        yield fp


def get(portal: FakePortal, path: str, **kwargs: object) -> requests.Response:
    """GET a path under the stand-in's /api/v1/ with the default demo credentials."""
    kwargs.setdefault("auth", AUTH)
    return requests.get(portal.base_url + path, timeout=5, **kwargs)


def test_start_returns_loopback_base_url() -> None:
    """start() binds a free port on 127.0.0.1 and returns the /api/v1/ base URL."""
    fp = FakePortal(sample_courses())
    url = fp.start()
    try:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/api/v1/")
        assert fp.port > 0
    finally:
        fp.stop()


def test_courses_are_derived_from_page_course_ids(portal: FakePortal) -> None:
    """Without raw.courses the course list comes from the pages' course ids."""
    first = get(portal, "courses")
    second = get(portal, "courses", params={"page": 2})
    ids = [c["id"] for c in first.json()["courses"] + second.json()["courses"]]
    assert ids == [1, 2, 3]


def test_modules_are_paged_with_learnupon_headers(portal: FakePortal) -> None:
    """Pages carry LU-Current-Page, LU-Records-Per-Page and LU-Has-Next-Page strings."""
    first = get(portal, "modules", params={"course_id": 1, "page": 1})
    last = get(portal, "modules", params={"course_id": 1, "page": 2})
    assert len(first.json()["modules"]) == 2 and len(last.json()["modules"]) == 1
    assert first.headers["LU-Has-Next-Page"] == "true"
    assert last.headers["LU-Has-Next-Page"] == "false"
    assert last.headers["LU-Current-Page"] == "2" and last.headers["LU-Records-Per-Page"] == "2"
    past = get(portal, "modules", params={"course_id": 1, "page": 9})
    assert past.json() == {"modules": []}


def test_unfiltered_modules_list_each_record_once(portal: FakePortal) -> None:
    """/modules without course_id lists each session once even if linked to two courses."""
    records = []
    for page in (1, 2, 3):
        records += get(portal, "modules", params={"page": page}).json()["modules"]
    assert len(records) == 5


def test_unknown_course_and_unknown_params(portal: FakePortal) -> None:
    """An unknown course lists nothing; unknown query parameters are ignored."""
    assert get(portal, "modules", params={"course_id": 99}).json() == {"modules": []}
    odd = get(portal, "courses", params={"component_type": "ilt session"})
    assert odd.status_code == 200 and len(odd.json()["courses"]) == 2


def test_auth_content_type_and_unknown_path_errors(portal: FakePortal) -> None:
    """Bad auth answers 401, a JSON Content-Type on GET 400, and an unknown path 404."""
    denied = get(portal, "courses", auth=("demo", "nope"))
    assert denied.status_code == 401 and "error" in denied.json()
    assert "X-LU-Rate-Limit-Remaining-Minute" not in denied.headers
    typed = get(portal, "courses", headers={"Content-Type": "application/json"})
    assert typed.status_code == 400
    assert typed.json() == {"error": "There was a problem in the JSON you submitted."}
    assert get(portal, "enrollments").status_code == 404
    assert portal.content_type_count == 1


def test_quota_headers_on_success_only(portal: FakePortal) -> None:
    """Rate-limit headers are sent on 2xx answers and left out of errors."""
    ok = get(portal, "courses")
    assert int(ok.headers["X-LU-Rate-Limit-Remaining-Minute"]) < 300
    assert "X-LU-Rate-Limit-Remaining-Week" in ok.headers
    portal.faults = Faults(fail_requests=frozenset({2}))
    assert "X-LU-Rate-Limit-Remaining-Minute" not in get(portal, "courses").headers


def test_request_counters(portal: FakePortal) -> None:
    """Total and per-path request counts are readable and resettable."""
    get(portal, "courses")
    get(portal, "modules", params={"course_id": 1})
    get(portal, "modules", params={"course_id": 2})
    assert portal.request_count == 3 and portal.count("modules") == 2
    assert portal.request_log[1] == "/api/v1/modules?course_id=1"
    portal.reset_counts()
    assert portal.request_count == 0


def test_faults_can_be_switched_at_runtime(portal: FakePortal) -> None:
    """Faults set on the running portal apply to the next requests."""
    assert get(portal, "courses").status_code == 200
    portal.faults = Faults(rate_limit_every=2, retry_after=4)
    limited = get(portal, "courses")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "4"
    portal.faults.retry_after = None
    portal.faults.rate_limit_every = 3
    limited = get(portal, "courses")
    assert limited.status_code == 429 and "Retry-After" not in limited.headers
    portal.faults = Faults(html_requests=frozenset({4}), truncate_requests=frozenset({5}))
    html = get(portal, "courses")
    assert html.status_code == 200 and html.text.startswith("<!DOCTYPE html>")
    with pytest.raises(ValueError):
        json.loads(get(portal, "courses").content)  # cut in half: not valid JSON


def test_stuck_header_and_revoked_keys(portal: FakePortal) -> None:
    """A stuck next-page header repeats the last page; revoked keys get 401."""
    portal.faults = Faults(stuck_next_page=True, revoke_after=2)
    page9 = get(portal, "modules", params={"course_id": 1, "page": 9})
    assert page9.headers["LU-Has-Next-Page"] == "true" and len(page9.json()["modules"]) == 1
    get(portal, "courses")
    assert get(portal, "courses").status_code == 401


def test_dropped_connection_and_server_error(portal: FakePortal) -> None:
    """Dropped requests close the socket unanswered; failing ones get the set 5xx."""
    portal.faults = Faults(drop_requests=frozenset({1}), fail_requests=frozenset({2}))
    with pytest.raises(requests.ConnectionError):
        get(portal, "courses")
    assert get(portal, "courses").status_code == 503


def test_serves_200_pages_of_500_records_quickly() -> None:
    """100,000 records in 200 pages of 500 are served and fetched in a few seconds."""
    raw = raw_portal(numbered_sessions(100_000), courses=[1])
    started = time.monotonic()
    with FakePortal(raw) as fp:
        config = PortalConfig(fp.base_url, *AUTH, requests_per_second=None)
        fetched = fetch_portal(config)
    assert fetched.record_count == 100_000 and len(fetched.pages) == 200
    assert time.monotonic() - started < 10


def parse(argv: list[str]) -> argparse.Namespace:
    """Parse argv with a parser holding only this module's subcommands."""
    parser = argparse.ArgumentParser(prog="lu-data")
    register_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_cli_registers_both_commands() -> None:
    """register_commands adds `fetch` and `fake-portal` with handlers and fault flags."""
    args = parse(["fake-portal", "--fail-requests", "3,5", "--no-retry-after", "--port", "0"])
    assert args.fail_requests == frozenset({3, 5}) and args.no_retry_after
    assert callable(args.func)
    fetch = parse(["fetch", "--portal", "acme", "-o", "x.json"])
    assert fetch.func is run_fetch and fetch.portal == "acme"
    with pytest.raises(SystemExit):
        parse(["fetch", "--password", "x", "-o", "x.json"])  # no password flag by design


def test_cli_fetch_writes_a_file_read_path_reads(
    portal: FakePortal, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`lu-data fetch` writes dump_portal output and prints a one-line summary."""
    out = tmp_path / "portal.json"
    args = parse(["fetch", "--base-url", portal.base_url, "--rps", "0", "-o", str(out)])
    env = {"LEARNUPON_USERNAME": DEFAULT_USERNAME, "LEARNUPON_PASSWORD": DEFAULT_PASSWORD}
    assert run_fetch(args, env=env) == 0
    raw = read_path(out)
    assert raw.record_count == 8 and {p.course_id for p in raw.pages} == {1, 2, 3}
    assert raw.origin == portal.base_url
    summary = capsys.readouterr().out.strip().splitlines()
    assert len(summary) == 1 and "8 module records" in summary[0]


def test_cli_fetch_error_is_one_line_without_password(
    portal: FakePortal, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A refused password exits 1 with one line on stderr that does not contain it."""
    args = parse(
        [
            "fetch",
            "--base-url",
            portal.base_url,
            "--username",
            "demo",
            "-o",
            str(tmp_path / "x.json"),
        ]
    )
    err = io.StringIO()
    code = run_fetch(args, env={}, prompt=lambda _: "typed-wrong-pw", err=err)
    assert code == 1
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1 and "API Keys" in lines[0] and "typed-wrong-pw" not in lines[0]
    assert not (tmp_path / "x.json").exists()


def test_fake_source_from_saved_file(tmp_path: Path) -> None:
    """The stand-in can serve any saved file written by dump_portal."""
    path = tmp_path / "saved.json"
    path.write_bytes(dump_portal(sample_courses()))
    raw = load_fake_source(str(path))
    assert raw.record_count == 8


def test_fetch_portal_url_uses_env_credentials(portal: FakePortal) -> None:
    """fetch_portal_url fetches a portal URL with LEARNUPON_* credentials from env."""
    env = {"LEARNUPON_USERNAME": DEFAULT_USERNAME, "LEARNUPON_PASSWORD": DEFAULT_PASSWORD}
    raw = fetch_portal_url(portal.base_url, env, requests_per_second=None)
    assert raw.record_count == 8
    with pytest.raises(ConfigError, match="LEARNUPON_PASSWORD"):
        fetch_portal_url(portal.base_url, {"LEARNUPON_USERNAME": "demo"})
