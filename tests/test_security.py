"""Security: credentials never leak, only HTTPS leaves the machine, exports and pages are inert.

One unique API password (and user) per run, so any copy of it anywhere (logs, errors, page HTML,
URLs, exports, files on disk) can be searched for. Hostile titles come from the bad-input corpus
(tests/data/bad/html_script_titles.json).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import logging
import os
import pickle
import re
import tempfile
import threading
import time
import traceback
import uuid
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from lu_data import load_portal
from lu_data.cli import main
from lu_data.client import (
    ConfigError,
    PortalConfig,
    PortalError,
    RequestRejectedError,
    fetch_portal,
    portal_base_url,
)
from lu_data.credentials import check_base_url
from lu_data.export import EXPORT_VIEWS, SAFE_NUMERIC, to_csv_bytes, view_frame
from lu_data.fake_portal import FakePortal, Faults
from lu_data.sources import RawPage, RawPortal, SourceError, dump_portal, read_files
from tests.conftest import ANCHOR, ROOT, start_streamlit

PASSWORD = f"pw-{uuid.uuid4().hex}"
USER = f"user-{uuid.uuid4().hex[:16]}"
TOKEN = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SECRETS = (PASSWORD, TOKEN)
STARTED = time.time()
BAD = Path(__file__).resolve().parent / "data" / "bad"
HOSTILE_FILE = BAD / "html_script_titles.json"
FORMULA_TITLE = '=HYPERLINK("http://evil.example","x")'
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TIMEOUT = 45_000
EVERY = frozenset(range(1, 100_000))
# The router's pages, read from dashboard.py so a moved page folder is followed.
APP_PAGES = re.findall(r'st\.Page\(\s*"([^"]+)"', (ROOT / "dashboard.py").read_text())


def hostile_records() -> list[dict[str, Any]]:
    """The corpus's HTML/script/formula titles plus numbers and offsets that must stay intact."""
    records = json.loads(HOSTILE_FILE.read_text(encoding="utf-8"))["modules"]
    extra = [
        ("-42", "Central Time (US & Canada)"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "Dublin"),
        ("+1 (555) 0100", "Hawaii"),
        ("-1+1", "Dublin"),
    ]
    for n, (title, zone) in enumerate(extra):
        records.append(
            dict(
                records[0],
                title=title,
                timezone=zone,
                session_id=9900 + n,
                location="-1+1",
                start_at=f"2026-12-1{n}T15:00:00Z",
                end_at=f"2026-12-1{n}T17:00:00Z",
            )
        )
    return records


def hostile_portal() -> RawPortal:
    """The hostile records as one course of a portal."""
    return RawPortal(
        pages=[RawPage(modules=hostile_records(), label="c1", course_id=1)],
        origin="hostile",
        courses=[{"id": 1, "name": "<b>Course</b>"}],
    )


def assert_no_secret(text: str | bytes, where: str) -> None:
    """Neither the password nor its Basic-auth token appears in text."""
    blob = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    for secret in SECRETS:
        assert secret not in blob, f"credential found in {where}"


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
        monkeypatch.setattr("lu_data.client.BACKOFF_BASE", 0.0)
        monkeypatch.setattr("lu_data.client.JITTER_MAX", 0.0)
        monkeypatch.setattr("lu_data.client.RETRY_AFTER_CAP", 0.0)
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
def app_env(monkeypatch, data_dir):
    """A stand-in portal serving hostile records and the app's LEARNUPON_* env pointing at it."""
    monkeypatch.setenv("LU_TODAY", ANCHOR.isoformat())
    monkeypatch.setattr("lu_data.client.BACKOFF_BASE", 0.001)
    monkeypatch.setattr("lu_data.client.JITTER_MAX", 0.0)
    with FakePortal(hostile_portal(), username=USER, password=PASSWORD) as fp:
        for name, value in {
            "LEARNUPON_BASE_URL": fp.base_url,
            "LEARNUPON_USERNAME": USER,
            "LEARNUPON_PASSWORD": PASSWORD,
            "LEARNUPON_REQUESTS_PER_SECOND": "0",
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("LEARNUPON_PORTAL", raising=False)
        yield fp


def run_app(page: str | None = None, refresh: bool = False):
    """One AppTest session on the router (optionally on a page, with Refresh now pressed)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if page:
        at.switch_page(page)
    if refresh:
        at.session_state["filter_refresh"] = True
    return at.run()


def test_app_never_shows_credentials(app_env, monkeypatch):
    """Error boxes, warnings, every element and the query string stay free of the credentials."""
    monkeypatch.setenv("LEARNUPON_PASSWORD", "wrong-" + PASSWORD)
    wrong = run_app()
    assert wrong.sidebar.error and not wrong.exception
    monkeypatch.setenv("LEARNUPON_PASSWORD", PASSWORD)
    good = run_app(refresh=True)  # the failed attempt is reused for the cache period
    app_env.faults = Faults(revoke_after=0)
    stale = run_app(refresh=True)
    assert any("Refresh failed" in w.value for w in stale.warning)
    for name, at in (("wrong password", wrong), ("good", good), ("revoked", stale)):
        assert_no_secret(element_texts(at), f"app elements ({name})")
        query = json.dumps(dict(at.query_params), default=str)
        assert_no_secret(query, f"query string ({name})")
        assert USER not in query


# --- exports: no credentials, no formulas, negative numbers intact -------------------------


def check_csv(data: bytes, where: str) -> list[list[str]]:
    """No cell Excel would run as a formula (numbers and offsets aside); return the rows."""
    assert_no_secret(data, where)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for row in rows:
        for cell in row:
            if cell.startswith(FORMULA_START):
                assert re.fullmatch(SAFE_NUMERIC, cell), f"{where}: formula cell {cell!r}"
    return rows


def check_xlsx(data: bytes, where: str) -> None:
    """No formula cell in any sheet; the hostile title is stored as plain text."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheets = [book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/")]
        strings = "".join(
            book.read(n).decode() for n in book.namelist() if n.endswith("sharedStrings.xml")
        )
    assert sheets and not any(re.search(r"<f[ >]", sheet) for sheet in sheets), where
    assert "HYPERLINK(" in strings + "".join(sheets), where


def test_csv_exports_neutralise_formulas_and_keep_negative_numbers(tmp_path, capsys):
    """Every CSV path (views, CLI, quality tables) defuses formulas; -06:00 and -42 stay as is."""
    portal = load_portal(hostile_portal())
    for view in EXPORT_VIEWS:
        rows = check_csv(to_csv_bytes(view_frame(portal.sessions, view)), f"view {view}")
        if view == "sessions":
            cells = {c for row in rows for c in row}
            assert "'" + FORMULA_TITLE in cells and "-06:00" in cells and "-42" in cells
            assert "'-1+1" in cells and "'+1 (555) 0100" in cells
    source = tmp_path / "hostile.json"
    source.write_bytes(dump_portal(hostile_portal()))
    for view in EXPORT_VIEWS:
        out = tmp_path / f"{view}.csv"
        assert main(["export", str(source), "--view", view, "-o", str(out)]) == 0
        check_csv(out.read_bytes(), f"cli export {view}")
    # a rejected record, from a file named like a formula, in the quality tables
    bad = dict(hostile_records()[2], start_at=None)
    raw = read_files([("=cmd|' /C calc'!A0.json", json.dumps({"modules": [bad]}).encode())], "up")
    report = load_portal(raw).quality
    rows = check_csv(to_csv_bytes(report.rejected), "quality rejected")
    assert any(c.startswith("'=cmd") for row in rows for c in row)
    assert any(c == "'" + FORMULA_TITLE for row in rows for c in row)
    capsys.readouterr()


def test_neutralising_leaves_numbers_alone() -> None:
    """Numbers, negative numbers and numeric text are written unchanged; formulas are quoted."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "n": pd.array([-3, 4], dtype="Int64"),
            "f": [-1.5, 2.0],
            "s": ["-3", "=1+1"],
            "offset": ["-05:00", "+01:00"],
        }
    )
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"))))
    assert rows[1:] == [["-3", "-1.5", "-3", "-05:00"], ["4", "2.0", "'=1+1", "+01:00"]]


def test_xlsx_export_has_no_formulas() -> None:
    """The Excel export writes hostile titles as text cells, never as formulas."""
    from lu_data.xlsx import sessions_workbook

    check_xlsx(sessions_workbook(load_portal(hostile_portal()).sessions), "xlsx")


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


# --- the real browser ----------------------------------------------------------------------


def pick_upload_source(page) -> None:
    """Choose "Uploaded JSON exports" in the sidebar and wait for the uploader."""
    page.get_by_test_id("stSidebar").locator('[data-testid="stRadio"] label').filter(
        has_text="Uploaded JSON exports"
    ).click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').wait_for(state="attached")


def settle(page) -> None:
    """Wait for the script run to finish (it may start a moment after a click)."""
    page.wait_for_timeout(400)
    page.wait_for_selector(IDLE, timeout=TIMEOUT)


WRONG = PASSWORD + "-wrong"
WRONG_TOKEN = base64.b64encode(f"{USER}:{WRONG}".encode()).decode()


@pytest.fixture(scope="module")
def hostile_tour(browser, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """A server with a wrong API password: open it, then upload hostile titles, visit each page."""
    marker = f"marker-{uuid.uuid4().hex}"
    records = hostile_records()
    records.append(dict(records[0], title=marker, session_id=9999))
    folder = tmp_path_factory.mktemp("upload")
    upload = folder / "hostile_titles.json"
    upload.write_text(json.dumps({"modules": records}), encoding="utf-8")
    seen: dict[str, Any] = {
        "pwned": {},
        "chart_links": {},
        "chart_text": {},
        "text": "",
        "marker": marker,
        "upload": upload,
        "errors": [],
    }
    with FakePortal(hostile_portal(), username=USER, password=PASSWORD) as fp:
        proc, url = start_streamlit(
            {
                "LEARNUPON_BASE_URL": fp.base_url,
                "LEARNUPON_USERNAME": USER,
                "LEARNUPON_PASSWORD": WRONG,
                "LEARNUPON_REQUESTS_PER_SECOND": "0",
                "LU_DATA_DIR": str(folder / "lu-data"),
            }
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(url)
            page.wait_for_selector('[data-testid="stAlertContentError"]', timeout=TIMEOUT)
            page.wait_for_selector(IDLE, timeout=TIMEOUT)
            seen["refused"] = page.locator('[data-testid="stAlertContentError"]').inner_text()
            seen["after_refusal"] = [
                page.content(),
                page.url,
                json.dumps(page.context.cookies()),
                page.evaluate("JSON.stringify(localStorage) + JSON.stringify(sessionStorage)"),
            ]
            seen["portal_requests"] = fp.request_count
            pick_upload_source(page)
            page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(upload)
            settle(page)
            for name in [
                "Capacity",
                "Calendar",
                "Tutors",
                "Fill pace & forecast",
                "Sessions & export",
                "Data quality",
                "Overview",
            ]:
                link = page.get_by_test_id("stSidebar").get_by_role("link", name=name)
                if not link.count():
                    continue  # a page renamed or dropped since; the others still count
                link.click()
                settle(page)
                page.wait_for_timeout(800)  # charts and the calendar iframe draw after the run
                seen["pwned"][name] = [f.evaluate("window.__pwned") for f in page.frames]
                charts = page.locator('[data-testid="stPlotlyChart"]')
                seen["chart_links"][name] = charts.locator("a").count()
                seen["chart_text"][name] = "\n".join(charts.all_text_contents())
                seen["errors"] += page.locator('[data-testid="stException"]').all_inner_texts()
                seen["text"] += "\n".join(f.content() for f in page.frames)
            seen["url"] = page.url
        finally:
            page.close()
            proc.terminate()
            seen["log"] = proc.communicate(timeout=15)[0].decode("utf-8", "replace")
    yield seen


@pytest.mark.browser
def test_wrong_password_never_reaches_the_page(hostile_tour) -> None:
    """After a refused fetch the page HTML, URL, storage and server log hold no credential."""
    assert "API Keys" in hostile_tour["refused"] and hostile_tour["portal_requests"] >= 1
    for text in [
        *hostile_tour["after_refusal"],
        hostile_tour["url"],
        hostile_tour["text"],
        hostile_tour["log"],
    ]:
        for secret in (WRONG, WRONG_TOKEN, PASSWORD):
            assert secret not in text
    assert "Traceback" not in hostile_tour["log"]


@pytest.mark.browser
def test_uploaded_html_and_script_never_run(hostile_tour) -> None:
    """<script> and onerror in uploaded titles never run on any page; the text shows literally."""
    assert len(hostile_tour["pwned"]) >= 6 and not hostile_tour["errors"]
    for name, flags in hostile_tour["pwned"].items():
        assert flags and all(flag is None for flag in flags), name
    html = hostile_tour["text"]
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert re.search(r"<script>\s*window\.__pwned", html) is None
    assert '<img src="x" onerror' not in html and "<img src=x onerror" not in html


@pytest.mark.browser
def test_uploaded_markup_is_not_rendered_in_charts(hostile_tour) -> None:
    """Titles like <a href=…> and <b> show as text in plotly charts, not as links or bold."""
    assert hostile_tour["chart_links"] and not any(hostile_tour["chart_links"].values())
    assert "<b>Eve</b>" in hostile_tour["chart_text"]["Tutors"]  # the tutor's name, literally
    assert "<a href=" in hostile_tour["chart_text"]["Capacity"]


@pytest.mark.browser
def test_uploads_stay_in_memory(hostile_tour) -> None:
    """The uploaded file's content is never written anywhere on disk."""
    hits = [p for p in scan_disk(hostile_tour["marker"]) if p != hostile_tour["upload"]]
    assert not hits, hits


# --- on disk: runs last in this module ----------------------------------------------------

SCAN_SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".ruff_cache"}
SCAN_MAX_BYTES = 50 * 2**20


def scan_disk(needle: str) -> list[Path]:
    """Files holding needle: the working tree, ~/.streamlit, the history store and new tmp files."""
    home = Path.home()
    roots = [
        (ROOT, 0.0),
        (home / ".streamlit", 0.0),
        (home / ".local" / "share" / "lu-ilt", 0.0),
        (Path(tempfile.gettempdir()), STARTED - 1),
    ]
    raw = needle.encode()
    hits: list[Path] = []
    for root, since in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in SCAN_SKIP_DIRS and not d.startswith("bash_jobs")]
            for name in files:
                path = Path(folder) / name
                try:
                    info = path.stat()
                    if info.st_mtime < since or info.st_size > SCAN_MAX_BYTES:
                        continue
                    if raw in path.read_bytes():
                        hits.append(path)
                except OSError:
                    continue
    return hits


def test_no_credential_written_to_disk() -> None:
    """After everything above, no file in the tree, ~/.streamlit or tmp holds the credentials."""
    hits = [p for secret in SECRETS for p in scan_disk(secret)]
    assert not hits, hits
