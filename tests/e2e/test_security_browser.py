"""Security in a real browser: a wrong password and hostile uploads never reach the page."""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from lu_data.sources.fake_portal import FakePortal
from tests.support.browser import IDLE, TIMEOUT, wait_for_charts
from tests.support.security import (
    PASSWORD,
    USER,
    hostile_portal,
    hostile_records,
    scan_disk,
)
from tests.support.servers import start_streamlit, stop_streamlit


def pick_upload_source(page) -> None:
    """Choose "Uploaded JSON exports" in the sidebar and wait for its uploader.

    The page offers a second uploader in the main area while nothing is uploaded.
    """
    page.get_by_test_id("stSidebar").locator('[data-testid="stRadio"] label').filter(
        has_text="Uploaded JSON exports"
    ).click()
    sidebar_uploader(page).wait_for(state="attached")


def sidebar_uploader(page):
    """The sidebar's file input."""
    return page.get_by_test_id("stSidebar").get_by_test_id("stFileUploaderDropzoneInput")


def settle(page) -> None:
    """Wait for the script run to finish (it may start a moment after a click)."""
    page.wait_for_timeout(400)
    page.wait_for_selector(IDLE, timeout=TIMEOUT)


def record_page(page, name: str, seen: dict[str, Any]) -> None:
    """Once its charts drew: whether a script ran, the charts' links and text, errors, HTML."""
    wait_for_charts(page)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    seen["pwned"][name] = [f.evaluate("window.__pwned") for f in page.frames]
    seen["chart_links"][name] = charts.locator("a").count()
    seen["chart_text"][name] = "\n".join(charts.all_text_contents())
    seen["errors"] += page.locator('[data-testid="stException"]').all_inner_texts()
    seen["text"] += "\n".join(f.content() for f in page.frames)


# The pages the menu leads to from the Overview, where the upload is made.
OTHER_PAGES = [
    "Capacity",
    "Calendar",
    "Tutors",
    "Fill pace & forecast",
    "Sessions & export",
    "Data quality",
]
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
            sidebar_uploader(page).set_input_files(upload)
            settle(page)
            # The upload reruns the page open, the Overview: it is read here, not opened again.
            page.get_by_test_id("stPlotlyChart").first.wait_for(timeout=TIMEOUT)
            record_page(page, "Overview", seen)
            for name in OTHER_PAGES:
                link = page.get_by_test_id("stSidebar").get_by_role("link", name=name)
                if not link.count():
                    continue  # a page renamed or dropped since; the others still count
                link.click()
                settle(page)
                record_page(page, name, seen)
            seen["url"] = page.url
        finally:
            page.close()
            seen["log"] = stop_streamlit(proc)
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
