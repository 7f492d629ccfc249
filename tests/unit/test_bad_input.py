"""Bad input: every file of the tests/data/bad corpus, through the loader, uploads and the CLI.

Each case is one small file (or folder) plus its expected outcome in tests/data/bad/cases.json:
either {"error": "..."} (the source cannot be read: a SourceError naming the file, CLI exit 2
with one line on stderr) or the counts of the data-quality report (sessions, rejected,
skipped, merged), its warning codes and rejection reasons, and values of the sessions frame.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from lu_data import SourceError, load_portal, load_source
from lu_data.cli.commands import EXIT_UNREADABLE, main
from lu_data.core.raw import RawPortal
from lu_data.model.portal import Portal
from lu_data.model.quality import QualityReport
from lu_data.sources import files as lu_sources
from lu_data.sources.files import read_files, read_path
from tests.support import DATA, ROOT

BAD = DATA / "bad"
CASES: dict[str, dict[str, Any]] = json.loads((BAD / "cases.json").read_text(encoding="utf-8"))
COUNT_KEYS = {
    "sessions": "sessions",
    "rejected": "rejected_count",
    "skipped": "skipped_non_ilt",
    "merged": "duplicates_merged",
}
UPLOAD_ORIGIN = "uploaded files"
MB = 2**20


def case_params() -> list[Any]:
    """One pytest param per corpus case, named after its file."""
    return [pytest.param(name, expect, id=name.rstrip("/")) for name, expect in CASES.items()]


def upload_files(path: Path) -> list[tuple[str, bytes]]:
    """The (name, bytes) pairs a browser upload of this file or folder would give."""
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    return [(f.name, f.read_bytes()) for f in files]


def error_parts(expect: dict[str, Any]) -> list[str]:
    """The substrings the error message must hold."""
    error = expect["error"]
    return [error] if isinstance(error, str) else list(error)


def ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in input-record order."""
    return frame.sort_values("record", kind="stable", ignore_index=True)


def plain(values: pd.Series) -> list[Any]:
    """Column values as plain Python, missing as None."""
    return [None if pd.isna(v) else v for v in values.astype(object)]


def check_report(report: QualityReport, expect: dict[str, Any], records: int, how: str) -> None:
    """The report balances, accounts for every record, and matches the expected counts."""
    assert report.balanced, f"{how}: {report.summary_text()}"
    assert report.input_records == records, how
    for key, attr in COUNT_KEYS.items():
        assert getattr(report, attr) == expect.get(key, 0), f"{how}: {key}"
    if "warning_codes" in expect:
        assert sorted(set(report.warnings["code"])) == expect["warning_codes"], how
    rejected = ordered(report.rejected)
    assert rejected["reason"].notna().all() and rejected["where"].notna().all(), how
    for reason, part in zip(rejected["reason"], expect.get("reasons", []), strict=True):
        assert part in reason, f"{how}: {reason!r} lacks {part!r}"
    assert report.warnings["message"].notna().all(), how


def check_portal(portal: Portal, expect: dict[str, Any], records: int, how: str) -> None:
    """Report, completeness and the expected session values."""
    check_report(portal.quality, expect, records, how)
    assert portal.complete is expect.get("complete", True), how
    sessions = ordered(portal.sessions)
    if "titles" in expect:
        assert sorted(sessions["title"]) == sorted(expect["titles"]), how
    if "title_lengths" in expect:
        assert [len(t) for t in sessions["title"]] == expect["title_lengths"], how
    for column, values in expect.get("columns", {}).items():
        assert plain(sessions[column]) == values, f"{how}: column {column}"


def assert_same_portal(lean: Portal, raw: RawPortal) -> None:
    """A lean read gives the very frames and report that the full records give."""
    full = load_portal(raw)
    for frame in ("sessions", "trainings", "tutors"):
        pd.testing.assert_frame_equal(getattr(lean, frame), getattr(full, frame), obj=frame)
    pd.testing.assert_frame_equal(lean.quality.rejected, full.quality.rejected)
    pd.testing.assert_frame_equal(lean.quality.warnings, full.quality.warnings)
    assert lean.quality.to_dict() == full.quality.to_dict()


@pytest.mark.parametrize(("name", "expect"), case_params())
def test_bad_input_case(name: str, expect: dict[str, Any], capsys: pytest.CaptureFixture[str]):
    """Each bad file gives its specific error or its exact, balanced quality report everywhere."""
    path = BAD / name
    files = upload_files(path)
    if "error" in expect:
        for how, load in (
            ("load_source", lambda: load_source(path)),
            ("upload", lambda: read_files(files, UPLOAD_ORIGIN)),
            ("lean upload", lambda: read_files(files, UPLOAD_ORIGIN, lean=True)),
        ):
            with pytest.raises(SourceError) as caught:
                load()
            message = str(caught.value)
            assert all(part in message for part in error_parts(expect)), f"{how}: {message}"
            assert path.name in message, f"{how}: the message names the file: {message}"
    else:
        raw = read_path(path)
        uploaded = read_files(files, UPLOAD_ORIGIN)
        # an upload reads the very same records; the normaliser then sees identical input
        assert [p.modules for p in uploaded.pages] == [p.modules for p in raw.pages]
        assert uploaded.complete is raw.complete
        check_portal(load_source(path), expect, raw.record_count, "load_source")
        records = raw.record_count
        # loading reads only the fields it uses; that must not change a single figure
        assert_same_portal(load_portal(read_files(files, UPLOAD_ORIGIN, lean=True)), uploaded)

    capsys.readouterr()
    code = main(["check", str(path), "--json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if "error" in expect:
        assert code == EXIT_UNREADABLE and out == ""
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("lu-data: error:"), err
        assert all(part in lines[0] for part in error_parts(expect)), lines[0]
    else:
        assert code == 0, err
        report = json.loads(out)
        assert report["balanced"] is True and report["input_records"] == records
        assert report["sessions"] == expect.get("sessions", 0)
        assert len(report["rejected"]) == expect.get("rejected", 0)
        assert report["duplicates_merged"] == expect.get("merged", 0)
        assert report["skipped_non_ilt"] == expect.get("skipped", 0)


def test_corpus_and_table_agree() -> None:
    """Every file in the corpus has an expected outcome and every outcome has its file."""
    on_disk = {p.name + ("/" if p.is_dir() else "") for p in BAD.iterdir()} - {"cases.json"}
    assert on_disk == set(CASES)
    assert all(expect.get("why") for expect in CASES.values())


def padded_document(size: int) -> bytes:
    """A valid one-session export padded with spaces to exactly `size` bytes."""
    doc = (BAD / "enrolled_over_capacity.json").read_bytes().rstrip()
    assert len(doc) < size
    return doc + b" " * (size - len(doc))


@pytest.mark.parametrize("how", ["upload", "path", "cli"])
def test_file_just_over_the_size_limit_is_refused(tmp_path, monkeypatch, capsys, how) -> None:
    """A file of exactly MAX_FILE_BYTES loads; one byte more is refused with the limit named."""
    monkeypatch.setattr(lu_sources, "MAX_FILE_BYTES", MB)
    ok, big = tmp_path / "at_limit.json", tmp_path / "over_limit.json"
    ok.write_bytes(padded_document(MB))
    big.write_bytes(padded_document(MB + 1))
    if how == "upload":
        assert load_portal(read_files([(ok.name, ok.read_bytes())], UPLOAD_ORIGIN)).quality.sessions
        with pytest.raises(SourceError, match="over_limit.json is 1.* MB, over the 1 MB limit"):
            read_files([(big.name, big.read_bytes())], UPLOAD_ORIGIN)
    elif how == "path":
        assert load_source(ok).quality.sessions == 1
        with pytest.raises(SourceError, match="over the 1 MB limit"):
            load_source(big)
    else:
        assert main(["check", str(ok), "--json"]) == 0
        capsys.readouterr()
        assert main(["check", str(big), "--json"]) == EXIT_UNREADABLE
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "over the 1 MB limit" in err[0]


def test_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch) -> None:
    """A file over MAX_FILE_BYTES is refused from its size alone, never read into memory."""
    huge = tmp_path / "huge.json"
    with huge.open("wb") as f:  # sparse: no disk space used
        f.truncate(lu_sources.MAX_FILE_BYTES + 1)

    def no_read(self: Path) -> bytes:
        raise AssertionError(f"{self} was read before its size was checked")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    with pytest.raises(SourceError, match="limit"):
        read_path(huge)


def test_upload_limit_fits_the_reader_limit() -> None:
    """Streamlit's maxUploadSize is no larger than what the reader accepts (no upload is lost)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    upload_mb = config["server"]["maxUploadSize"]
    assert upload_mb == 200
    assert upload_mb * MB <= lu_sources.MAX_FILE_BYTES


def test_two_uploads_one_partial_make_a_partial_portal() -> None:
    """Uploading a partial fetch next to a complete one never shows the whole as complete."""
    files = upload_files(BAD / "mixed_complete")
    assert not read_files(files, UPLOAD_ORIGIN).complete
    assert not read_files(list(reversed(files)), UPLOAD_ORIGIN).complete
