"""`-o -` is standard output for every command that writes one, never a file named `-`.

Each command runs as its own process with stdout on a pipe, in an empty folder, as a shell
pipeline (`lu-data export demo -o - | head`) would run it.
"""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from lu_data import load_source
from lu_data.core.raw import RawPage, RawPortal
from lu_data.exports.csv import to_csv_bytes, view_frame
from lu_data.sources.fake_portal import DEFAULT_PASSWORD, DEFAULT_USERNAME, FakePortal
from lu_data.sources.files import read_path
from tests.support import DATA, PORTAL_ENV, ROOT

ANCHOR = "2026-11-27"
SAMPLE = DATA / "sample_ilt_center.json"


def lu_data(
    cwd: Path, *argv: str, env: dict[str, str] | None = None, stdout: int = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m lu_data ARGV` in cwd as a fresh process; stdout to a pipe (by default)."""
    clean = {k: v for k, v in os.environ.items() if k not in PORTAL_ENV and k != "LU_TODAY"}
    return subprocess.run(
        [sys.executable, "-m", "lu_data", *argv],
        cwd=cwd,
        env={**clean, "PYTHONPATH": str(ROOT), **(env or {})},
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=300,
        check=False,
    )


def assert_no_dash_file(folder: Path) -> None:
    """Nothing was written to the working folder: above all no file named `-`."""
    assert not (folder / "-").exists()
    assert list(folder.iterdir()) == []


def test_export_csv_to_dash_goes_to_the_pipe(tmp_path):
    """`export demo -o -` writes the sessions CSV to stdout: its header and every session."""
    done = lu_data(tmp_path, "export", "demo", "--anchor", ANCHOR, "-o", "-")
    assert done.returncode == 0, done.stderr.decode()
    sessions = load_source("demo", anchor=date.fromisoformat(ANCHOR)).sessions
    assert done.stdout.startswith(b"\xef\xbb\xbfportal,session_key,")
    frame = pd.read_csv(io.BytesIO(done.stdout), encoding="utf-8-sig")
    assert len(frame) == len(sessions) > 0
    assert done.stdout == to_csv_bytes(view_frame(sessions, "sessions"))
    assert done.stderr == b""
    assert_no_dash_file(tmp_path)


def test_export_ics_to_dash_goes_to_the_pipe(tmp_path):
    """`--format ics -o -` writes the calendar to stdout, one event per session."""
    done = lu_data(tmp_path, "export", str(SAMPLE), "--format", "ics", "-o", "-")
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.startswith(b"BEGIN:VCALENDAR")
    assert done.stdout.count(b"BEGIN:VEVENT") == 3
    assert_no_dash_file(tmp_path)


def test_export_xlsx_to_dash_goes_to_a_pipe(tmp_path):
    """A workbook may go to a pipe with `-o -`: it arrives whole and opens."""
    done = lu_data(tmp_path, "export", str(SAMPLE), "--format", "xlsx", "-o", "-")
    assert done.returncode == 0, done.stderr.decode()
    workbook = openpyxl.load_workbook(io.BytesIO(done.stdout))
    assert workbook.sheetnames[0] == "Sessions"
    assert workbook["Sessions"].max_row == 1 + 3
    assert_no_dash_file(tmp_path)


@pytest.mark.parametrize("output", [[], ["-o", "-"]])
def test_export_xlsx_refuses_a_terminal(tmp_path, output):
    """A workbook is never written onto a terminal, with or without `-o -`: one line, exit 2."""
    main, secondary = pty.openpty()
    try:
        argv = ("export", str(SAMPLE), "--format", "xlsx", *output)
        done = lu_data(tmp_path, *argv, stdout=secondary)
    finally:
        os.close(secondary)
        os.close(main)
    err = done.stderr.decode()
    assert done.returncode == 2
    assert "binary workbook: give -o FILE, or -o - into a pipe" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert_no_dash_file(tmp_path)


def test_demo_to_dash_goes_to_the_pipe(tmp_path):
    """`demo -o -` writes the API-shaped JSON to stdout, and nothing else."""
    argv = ("demo", "--sessions", "50", "--seed", "3", "--anchor", ANCHOR, "-o", "-")
    done = lu_data(tmp_path, *argv)
    assert done.returncode == 0, done.stderr.decode()
    doc = json.loads(done.stdout)
    assert all("modules" in env for env in doc[1:])
    assert sum(len(env["modules"]) for env in doc[1:]) >= 50
    assert done.stderr == b""
    assert_no_dash_file(tmp_path)


def test_digest_dry_run_to_dash_prints_the_text(tmp_path):
    """`digest -o -` prints the text (Markdown) form to stdout; the note goes to stderr."""
    done = lu_data(tmp_path, "digest", "demo", "--today", ANCHOR, "-o", "-")
    assert done.returncode == 0, done.stderr.decode()
    text = done.stdout.decode("utf-8")
    subject = text.splitlines()[0]
    assert subject.startswith("ILT sessions 27 Nov")
    assert "\n## " in text and "<html" not in text.lower()
    assert done.stderr.decode().startswith("wrote standard output (dry run: nothing sent)")
    assert_no_dash_file(tmp_path)


def test_digest_refuses_an_unknown_suffix_naming_dash(tmp_path):
    """An -o whose form cannot be told is refused with one line that offers `-`."""
    done = lu_data(tmp_path, "digest", "demo", "--today", ANCHOR, "-o", "digest.pdf")
    err = done.stderr.decode()
    assert done.returncode == 2 and done.stdout == b""
    assert "or - (standard output), not digest.pdf" in err and err.count("\n") == 1
    assert_no_dash_file(tmp_path)


def test_fetch_to_dash_goes_to_the_pipe(tmp_path):
    """`fetch -o -` writes the portal JSON to stdout; the summary line goes to stderr."""
    modules = json.loads(SAMPLE.read_text(encoding="utf-8"))["modules"]
    raw = RawPortal(pages=[RawPage(modules=modules, label="a", course_id=1)], origin="sample")
    env = {"LEARNUPON_USERNAME": DEFAULT_USERNAME, "LEARNUPON_PASSWORD": DEFAULT_PASSWORD}
    with FakePortal(raw, page_size=2) as portal:
        done = lu_data(tmp_path, "fetch", "--base-url", portal.base_url, "-o", "-", env=env)
    assert done.returncode == 0, done.stderr.decode()
    (tmp_path / "fetched.json").write_bytes(done.stdout)
    fetched = read_path(tmp_path / "fetched.json")
    assert fetched.record_count == raw.record_count == 3
    summary = done.stderr.decode().strip().splitlines()
    assert len(summary) == 1 and summary[0].endswith("-> standard output")
    (tmp_path / "fetched.json").unlink()
    assert_no_dash_file(tmp_path)
