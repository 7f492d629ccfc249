"""Security: credentials never leak from logs, errors, the CLI or the app; only HTTPS leaves.

One unique API password (and user) per run, shared by every test_security* module, so any copy
of it anywhere (logs, errors, page HTML, URLs, exports, files on disk) can be searched for.
Hostile titles come from the bad-input corpus (tests/data/bad/html_script_titles.json). Exports
are in test_security_exports, the real browser in test_security_browser, and the disk scan,
which runs after them all, in test_security_written_to_disk.
"""

from __future__ import annotations

import json
import logging
import pickle
import threading
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from lu_data.cli.commands import main
from lu_data.exports.csv import EXPORT_VIEWS
from lu_data.sources.api_client import (
    ConfigError,
    PortalConfig,
    PortalError,
    RequestRejectedError,
    fetch_portal,
    portal_base_url,
)
from lu_data.sources.api_settings import check_base_url
from lu_data.sources.fake_portal import FakePortal, Faults
from lu_data.sources.files import SourceError, read_files
from tests.support.apptest import dashboard
from tests.support.security import (
    APP_PAGES,
    EVERY,
    FORMULA_TITLE,
    PASSWORD,
    USER,
    assert_no_secret,
    check_csv,
    check_xlsx,
    hostile_portal,
    hostile_records,
)
from tests.support.servers import wait_for_sync


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """The enrolment-history store goes to a temp folder, not the home directory."""
    folder = tmp_path / "lu-data"
    monkeypatch.setenv("LU_DATA_DIR", str(folder))
    return folder


# --- credentials in logs, errors, the CLI and the app --------------------------------------

SCENARIOS = {
    "wrong-password": (Faults(), "wrong"),
    "revoked": (Faults(revoke_after=1), None),
    "server-errors": (Faults(fail_requests=EVERY), None),
    "html-200": (Faults(html_requests=EVERY), None),
    "truncated": (Faults(truncate_requests=EVERY), None),
    "dropped": (Faults(drop_requests=EVERY), None),
    "rate-limited": (Faults(rate_limit_every=1), None),
    "timeouts": (Faults(delay=0.4), None),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_credentials_never_in_logs_errors_or_tracebacks(scenario, caplog, capsys, monkeypatch):
    """At DEBUG, no log line, error text, repr or chained traceback carries the credentials."""
    caplog.set_level(logging.DEBUG)  # the root logger: urllib3's request lines too
    faults, password = SCENARIOS[scenario]
    with FakePortal(hostile_portal(), username=USER, password=PASSWORD, faults=faults) as fp:
        config = PortalConfig(
            fp.base_url, USER, password or PASSWORD, requests_per_second=None, timeout=(1.0, 0.2)
        )
        with pytest.raises(PortalError) as caught:
            fetch_portal(config, sleep=lambda s: None, max_attempts=2)
        texts = [
            str(caught.value),
            repr(caught.value),
            repr(config),
            "".join(traceback.format_exception(caught.value)),
        ]
        # the command line, with the password where users put it: the environment
        monkeypatch.setenv("LEARNUPON_USERNAME", USER)
        monkeypatch.setenv("LEARNUPON_PASSWORD", password or PASSWORD)
        monkeypatch.setattr("lu_data.sources.api_client.BACKOFF_BASE", 0.0)
        monkeypatch.setattr("lu_data.sources.api_client.JITTER_MAX", 0.0)
        monkeypatch.setattr("lu_data.sources.api_client.RETRY_AFTER_CAP", 0.0)
        code = main(["check", fp.base_url])  # the CLI's longer timeout outlasts the delay
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        assert code == 0 if scenario == "timeouts" else len(err.strip().splitlines()) == 1
    for text in [*texts, out, err, caplog.text]:
        assert_no_secret(text, scenario)


def test_saved_fetch_and_its_exports_hold_no_credentials(tmp_path, monkeypatch, capsys) -> None:
    """`lu-data fetch -o` and every export made from its file carry no credential."""
    monkeypatch.setenv("LEARNUPON_USERNAME", USER)
    monkeypatch.setenv("LEARNUPON_PASSWORD", PASSWORD)
    saved = tmp_path / "portal.json"
    with FakePortal(hostile_portal(), username=USER, password=PASSWORD) as fp:
        assert main(["fetch", "--base-url", fp.base_url, "--rps", "0", "-o", str(saved)]) == 0
    files = [saved]
    for view in EXPORT_VIEWS:
        files.append(tmp_path / f"{view}.csv")
        assert main(["export", str(saved), "--view", view, "-o", str(files[-1])]) == 0
    assert main(["check", str(saved), "--json"]) == 0
    out, err = capsys.readouterr()
    for path in files:
        assert_no_secret(path.read_bytes(), path.name)
        assert USER.encode() not in path.read_bytes()
    assert_no_secret(out + err, "CLI output")


def element_texts(at) -> str:
    """Every element of an AppTest run (protobuf text), sidebar included."""
    return "\n".join(str(getattr(node, "proto", "")) for node in at._tree)


@pytest.fixture
def app_env(fake_portal_env, data_dir):
    """A stand-in portal serving hostile records and the app's LEARNUPON_* env pointing at it."""
    return fake_portal_env(hostile_portal(), USER, PASSWORD)


def run_app(page: str | None = None, refresh: bool = False):
    """One AppTest session on the router (optionally on a page, with Refresh now pressed)."""
    return dashboard(page, refresh=refresh).run()


def test_app_never_shows_credentials(app_env, monkeypatch):
    """Error boxes, warnings, every element and the query string stay free of the credentials."""
    monkeypatch.setenv("LEARNUPON_PASSWORD", "wrong-" + PASSWORD)
    wrong = run_app()
    assert wrong.sidebar.error and not wrong.exception
    monkeypatch.setenv("LEARNUPON_PASSWORD", PASSWORD)
    good = run_app(refresh=True)  # the failed attempt is reused for the cache period
    app_env.faults = Faults(revoke_after=0)
    pressed = datetime.now(UTC)
    asked = run_app(refresh=True)  # returns at once; the syncer's fetch fails behind it
    assert wait_for_sync(app_env.base_url, pressed).status == "failed"
    stale = run_app()
    assert any("Refresh failed" in w.value for w in stale.warning)
    assert_no_secret(element_texts(asked), "app elements (refresh asked)")
    for name, at in (("wrong password", wrong), ("good", good), ("revoked", stale)):
        assert_no_secret(element_texts(at), f"app elements ({name})")
        query = json.dumps(dict(at.query_params), default=str)
        assert_no_secret(query, f"query string ({name})")
        assert USER not in query


@pytest.fixture
def downloads(monkeypatch) -> list[tuple[str | None, str, bytes]]:
    """Every file the app hands to a download button: (file name, mime type, bytes)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    seen: list[tuple[str | None, str, bytes]] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes):
            seen.append((filename, mimetype, path_or_data))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    return seen


def test_app_downloads_are_formula_safe_and_credential_free(app_env, downloads):
    """Every download button on every page: no credentials, no live formulas."""
    assert len(APP_PAGES) >= 6
    for page in APP_PAGES:
        at = run_app(page)
        assert not at.exception, (page, [e.value for e in at.exception])
    kinds = set()
    for name, mime, data in downloads:
        assert_no_secret(data, f"download {name}")
        if mime == "text/csv" or (name or "").endswith(".csv"):
            check_csv(data, f"download {name}")
            kinds.add("csv")
        elif (name or "").endswith(".xlsx"):
            check_xlsx(data, f"download {name}")
            kinds.add("xlsx")
    assert "csv" in kinds
    csvs = b"".join(d for n, m, d in downloads if m == "text/csv")
    assert ("'" + FORMULA_TITLE).replace('"', '""').encode() in csvs


# --- transport: HTTPS only off this machine, valid portal names, no redirects ---------------


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://acme.learnupon.com/api/v1/", True),
        ("https://acme.learnuponau.com", True),
        ("http://127.0.0.1:8765/api/v1/", True),
        ("http://localhost:8765/api/v1/", True),
        ("http://[::1]:8765/api/v1/", True),
        ("http://acme.learnupon.com/api/v1/", False),
        ("http://localhost.evil.example/api/v1/", False),
        ("http://127.0.0.1.nip.io/api/v1/", False),
        ("http://10.0.0.5/api/v1/", False),
        ("http://2130706433/api/v1/", False),
        ("ftp://acme.learnupon.com/", False),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("https://user:secret@acme.learnupon.com/api/v1/", False),
        ("https://acme.learnupon.com:99999/", False),
        ("", False),
    ],
)
def test_only_https_leaves_the_machine(url: str, ok: bool) -> None:
    """Plain http is refused except on loopback; other schemes and userinfo are refused."""
    if ok:
        assert check_base_url(url).endswith("/")
    else:
        with pytest.raises(ConfigError) as caught:
            check_base_url(url)
        assert "secret" not in str(caught.value)


@pytest.mark.parametrize(
    "name",
    [
        "acme.evil.example",
        "acme/../x",
        "acme@evil",
        "acme:443",
        "-acme",
        "acme-",
        "a" * 64,
        "ácme",
        "acme\nx",
        "acme x",
        "",
        "acme.learnupon.com",
        "%61cme",
        "acme?x=1",
        "acme#x",
    ],
)
def test_portal_names_are_letters_digits_hyphens(name: str) -> None:
    """A portal name that is not a plain subdomain label is refused."""
    with pytest.raises(ConfigError, match="invalid portal name"):
        portal_base_url(name)


def test_valid_portal_names_build_https_urls() -> None:
    """Plain names (any case, digits, inner hyphens) become HTTPS learnupon.com URLs."""
    assert portal_base_url("Acme-2") == "https://acme-2.learnupon.com/api/v1/"
    assert portal_base_url(" x9 ") == "https://x9.learnupon.com/api/v1/"


class _Recorder(BaseHTTPRequestHandler):
    """Counts requests and the Authorization headers it receives."""

    hits: list[str | None] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        type(self).hits.append(self.headers.get("Authorization"))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        pass


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_redirects_are_not_followed() -> None:
    """A portal answering 302 to another host ends the fetch; the other host gets nothing."""
    _Recorder.hits = []
    recorder_gen = _serve(_Recorder)
    recorder = next(recorder_gen)
    target = f"http://127.0.0.1:{recorder.server_address[1]}/api/v1/courses"

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    redirect_gen = _serve(Redirect)
    redirect = next(redirect_gen)
    try:
        config = PortalConfig(
            f"http://127.0.0.1:{redirect.server_address[1]}/api/v1/",
            USER,
            PASSWORD,
            requests_per_second=None,
        )
        with pytest.raises(RequestRejectedError, match="redirect") as caught:
            fetch_portal(config, sleep=lambda s: None)
        assert_no_secret(str(caught.value), "redirect error")
        assert _Recorder.hits == []
    finally:
        for gen in (redirect_gen, recorder_gen):
            gen.close()


def test_non_latin1_password_is_sent_not_crashed() -> None:
    """A password outside Latin-1 is sent as UTF-8 Basic auth instead of raising inside requests."""
    odd = PASSWORD + "-€ü"
    with FakePortal(hostile_portal(), username=USER, password=odd) as fp:
        config = PortalConfig(fp.base_url, USER, odd, requests_per_second=None)
        assert fetch_portal(config).record_count == len(hostile_records())


# --- uploads are parsed, never executed, never written ------------------------------------


def test_uploads_are_parsed_as_json_only(tmp_path) -> None:
    """A pickle payload uploaded as .json is refused as not JSON and never runs."""
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    with pytest.raises(SourceError):
        read_files([("export.json", pickle.dumps(Payload()))], "uploaded files")
    assert not marker.exists()
