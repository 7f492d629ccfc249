"""What the security tests share: one unique credential per run, hostile records, checks."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import re
import tempfile
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

from lu_data.core.pages import PAGES
from lu_data.core.raw import RawPage, RawPortal
from lu_data.exports.csv import SAFE_NUMERIC
from tests.support import DATA, ROOT

PASSWORD = f"pw-{uuid.uuid4().hex}"
USER = f"user-{uuid.uuid4().hex[:16]}"
TOKEN = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SECRETS = (PASSWORD, TOKEN)
STARTED = time.time()
BAD = DATA / "bad"
HOSTILE_FILE = BAD / "html_script_titles.json"
FORMULA_TITLE = '=HYPERLINK("http://evil.example","x")'
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EVERY = frozenset(range(1, 100_000))
# Every page of the app, as the menu lists them.
APP_PAGES = [page.script for page in PAGES]


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


SCAN_SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".ruff_cache"}
SCAN_MAX_BYTES = 50 * 2**20


def scan_disk(*needles: str) -> list[Path]:
    """Files holding any of needles: the working tree, ~/.streamlit, the history store and new
    tmp files (one walk for several needles: each file is read once)."""
    home = Path.home()
    roots = [
        (ROOT, 0.0),
        (home / ".streamlit", 0.0),
        (home / ".local" / "share" / "lu-ilt", 0.0),
        (Path(tempfile.gettempdir()), STARTED - 1),
    ]
    raws = [needle.encode() for needle in needles]
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
                    content = path.read_bytes()
                    if any(raw in content for raw in raws):
                        hits.append(path)
                except OSError:
                    continue
    return hits
