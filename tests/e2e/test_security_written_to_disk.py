"""Security on disk: everything that runs with the portal's credentials leaves no file holding them.

The test makes its own writes (it does not rely on other modules running first): with this run's
unique credentials it fetches and exports through the CLI, records enrolment history, and serves
the dashboard on a real streamlit server that a browser opens and refreshes. Then it scans the
working tree, ~/.streamlit, the default data folder and every temporary file made since the run
started.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import pytest

from lu_data.cli.commands import main
from lu_data.exports.csv import EXPORT_VIEWS
from lu_data.sources.fake_portal import FakePortal
from tests.support.browser import IDLE, TIMEOUT
from tests.support.security import (
    PASSWORD,
    SECRETS,
    USER,
    hostile_portal,
    scan_disk,
)
from tests.support.servers import start_streamlit, stop_streamlit


def run_cli(base_url: str, folder: Path, monkeypatch) -> list[Path]:
    """Fetch, export every view and format, check and record with the credentials set."""
    monkeypatch.setenv("LEARNUPON_USERNAME", USER)
    monkeypatch.setenv("LEARNUPON_PASSWORD", PASSWORD)
    monkeypatch.setenv("LU_DATA_DIR", str(folder / "data"))
    saved = folder / "portal.json"
    assert main(["fetch", "--base-url", base_url, "--rps", "0", "-o", str(saved)]) == 0
    written = [saved]
    for view in EXPORT_VIEWS:
        written.append(folder / f"{view}.csv")
        assert main(["export", base_url, "--view", view, "-o", str(written[-1])]) == 0
    for fmt in ("ics", "xlsx"):
        written.append(folder / f"sessions.{fmt}")
        assert main(["export", base_url, "--format", fmt, "-o", str(written[-1])]) == 0
    assert main(["check", base_url, "--json"]) == 0
    assert main(["record", base_url, "--min-gap-minutes", "0"]) == 0
    written += [p for p in (folder / "data").rglob("*") if p.is_file() and p.suffix != ".lock"]
    return written


def serve_and_refresh(browser, base_url: str, folder: Path) -> str:
    """A real server with the credentials: open it, press Refresh now; return its log."""
    proc, url = start_streamlit(
        {
            "LEARNUPON_BASE_URL": base_url,
            "LEARNUPON_USERNAME": USER,
            "LEARNUPON_PASSWORD": PASSWORD,
            "LEARNUPON_REQUESTS_PER_SECOND": "0",
            "LU_DATA_DIR": str(folder / "app-data"),
        }
    )
    page = browser.new_page()
    try:
        page.goto(url)
        page.get_by_test_id("stMetric").first.wait_for(timeout=TIMEOUT)
        page.get_by_test_id("stSidebar").get_by_role("button", name="Refresh now").click()
        page.wait_for_timeout(400)
        page.wait_for_selector(IDLE, timeout=TIMEOUT)
        assert page.get_by_test_id("stException").count() == 0
    finally:
        page.close()
        log = stop_streamlit(proc)
    return log


@pytest.mark.browser
def test_no_credential_written_to_disk(browser, tmp_path, monkeypatch) -> None:
    """After the CLI and the dashboard ran with the credentials, no file on disk holds them."""
    with FakePortal(hostile_portal(), username=USER, password=PASSWORD) as fp:
        written = run_cli(fp.base_url, tmp_path, monkeypatch)
        requests_by_cli = fp.request_count
        log = serve_and_refresh(browser, fp.base_url, tmp_path)
        assert fp.request_count > requests_by_cli  # the server did fetch with the credentials
    assert len(written) >= len(EXPORT_VIEWS) + 4 and all(p.stat().st_size for p in written)
    assert (tmp_path / "app-data").exists()  # the app wrote its store with the credentials set
    for secret in SECRETS:
        assert secret not in log
    hits = scan_disk(*SECRETS)  # one walk for both: each file is read once
    assert not hits, hits


def test_disk_scan_finds_a_planted_credential() -> None:
    """The scan is live: a new temporary file holding a credential-like value is found."""
    planted_secret = f"pw-{uuid.uuid4().hex}"  # not the run's own: other tests scan in parallel
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as planted:
        planted.write(f"token={planted_secret}\n")
    path = Path(planted.name)
    try:
        assert scan_disk(planted_secret) == [path]
    finally:
        path.unlink()
