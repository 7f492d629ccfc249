"""Data quality page: the accounting identity, rejections and warnings of the whole source."""

from __future__ import annotations

import json

import pytest

from lu_data import cli, load_portal
from lu_data.exports.csv import to_csv_bytes
from lu_data.sources.files import read_files
from tests.support import ANCHOR, DATA
from tests.support.apptest import download, metrics, table
from tests.support.records import ILT_CENTER, ilt_record, load_records

PAGE = "pages/quality.py"


@pytest.fixture
def bad_export() -> bytes:
    """A saved LearnUpon export with good, duplicated, skipped and rejected records."""
    good = load_records(ILT_CENTER)
    no_start = ilt_record(session_id=901, start_at=None)
    backwards = ilt_record(session_id=902, end_at="2022-01-05T10:00:00Z")
    full = good[1] | {"session_id": 903, "max_capacity": 2, "number_enrolled_on_session": 5}
    scorm = {"id": 77, "component_type": "scorm", "title": "Not a session"}
    modules = [*good, good[0], no_start, backwards, full, scorm]
    return json.dumps({"modules": modules}).encode()


def test_demo_report_balances_with_every_count(app, demo_portal):
    """The identity's numbers equal the report's, with a ✓ because it balances."""
    at = app(PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Data quality"
    report = demo_portal.quality
    shown = metrics(at)
    assert shown["Input records"] == f"{report.input_records:,}"
    assert shown["Sessions"] == f"{report.sessions:,}"
    assert shown["Duplicates merged"] == f"{report.duplicates_merged:,}"
    assert shown["Skipped (not ILT)"] == f"{report.skipped_non_ilt:,}"
    assert shown["Rejected"] == "0"
    balance = next(s.value for s in at.success if "Balances" in s.value)
    assert balance.startswith("✓")
    assert "1,125 input records = 600 sessions + 486 duplicates merged + 39 skipped" in balance
    assert any("No records rejected" in s.value for s in at.success)
    assert any("whole source" in c.value for c in at.caption)


def test_demo_warnings_and_skipped_types_are_tables_with_csv(app, media, demo_portal):
    """Warnings by code, every warning and skipped types are shown and downloadable."""
    at = app(PAGE).run()
    report = demo_portal.quality
    counts = table(at, "Code", "Meaning")
    assert dict(zip(counts["Code"], counts["Sessions"], strict=True)) == dict(
        zip(report.warning_counts()["code"], report.warning_counts()["count"], strict=True)
    )
    warnings = table(at, "Title", "Start (local)", "Message", "Tutor", "Code", "Record")
    # 39 from the normaliser, and 2 from the zone checks: a Dublin session running to 22:30 and
    # one London session at the Berlin campus.
    assert len(warnings) == len(report.warnings) == 41
    skipped = table(at, "Module type")
    assert dict(zip(skipped["Module type"], skipped["Records"], strict=True)) == (
        report.skipped_types
    )
    data, name = download(at, media, "quality_warnings_csv")
    # the CSV keeps its columns (the finding and where it is); the screen adds the session
    kept = ["Record", "Where", "Session key", "Code", "Message"]
    assert data == to_csv_bytes(warnings[kept])
    assert name == "ilt-quality-warnings_all-dates.csv"  # the whole source, not the date filter


def test_warnings_name_their_sessions_title_local_start_and_tutor(app, demo_portal):
    """A coordinator can find each warned session in LearnUpon: title, local start, tutor."""
    at = app(PAGE).run()
    warnings = table(at, "Title", "Start (local)", "Message", "Tutor")
    sessions = demo_portal.sessions.set_index("session_key")
    first = warnings.iloc[0]
    session = sessions.loc[first["Session key"]]
    assert first["Title"] == session["title"]
    assert first["Tutor"] == session["tutor_name"]
    assert first["Start (local)"] == (
        f"{session['start_local']:%Y-%m-%d %H:%M} {session['tz_abbr']} ({session['utc_offset']})"
    )
    assert (warnings["Title"] != "").all() and (warnings["Start (local)"] != "").all()


def test_json_download_is_lu_data_check_json(app, media, capsys):
    """The JSON download is byte-for-byte what `lu-data check demo --json` prints."""
    at = app(PAGE).run()
    data, name = download(at, media, "quality_json")
    capsys.readouterr()
    assert cli.main(["check", "demo", "--json", "--anchor", ANCHOR.isoformat()]) == 0
    assert data == capsys.readouterr().out.encode()
    assert name.startswith("ilt-quality-") and name.endswith(".json")


def test_filters_do_not_change_the_report(app):
    """The report covers the whole source: narrowing the dates leaves its numbers as they are."""
    at = app(PAGE).run()
    before = metrics(at)
    at.run()
    at.multiselect(key="filter_kinds").set_value(["legacy"]).run()
    assert metrics(at) == before


def test_uploaded_file_with_bad_records_lists_rejections(
    app, bad_export, media, tmp_path, capsys, monkeypatch
):
    """An upload with bad records shows each rejection's record, place, ids and reason."""
    at = app(PAGE).run()
    at.radio(key="filter_source").set_value("upload").run()
    at.get("file_uploader")[0].upload("bad.json", bad_export, "application/json")
    at.run()
    assert not at.exception
    report = load_portal(read_files([("bad.json", bad_export)], origin="uploaded files")).quality
    assert report.rejected_count == 2 and report.skipped_non_ilt == 1
    shown = metrics(at)
    assert (shown["Input records"], shown["Rejected"], shown["Duplicates merged"]) == (
        "8",
        "2",
        "1",
    )
    assert any(s.value.startswith("✓ Balances: 8 input records") for s in at.success)
    rejected = table(at, "Record", "Where", "Module id")
    assert list(rejected.columns) == [
        "Record",
        "Where",
        "Module id",
        "Session id",
        "Title",
        "Reason",
    ]
    assert list(rejected["Reason"]) == list(report.rejected["reason"])
    assert set(rejected["Reason"]) == {"start_at missing", "end_at before start_at"}
    assert list(rejected["Record"]) == [5, 6]
    data, _ = download(at, media, "quality_rejected_csv")
    assert data == to_csv_bytes(rejected)
    # The same file through the CLI gives the same JSON as the page's download; run it
    # beside the file so the records' "where" names it the same way as the upload does.
    (tmp_path / "bad.json").write_bytes(bad_export)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert cli.main(["check", "bad.json", "--json"]) == 0
    # An upload is the portal "upload"; a file is named after itself.
    cli_json = capsys.readouterr().out.replace('"portal": "bad"', '"portal": "upload"')
    assert download(at, media, "quality_json")[0] == cli_json.encode()


def test_committed_sample_has_no_warnings_state(app):
    """A clean upload shows success states for rejections and warnings."""
    at = app(PAGE).run()
    at.radio(key="filter_source").set_value("upload").run()
    sample = (DATA / "sample_ilt_center.json").read_bytes()
    at.get("file_uploader")[0].upload("sample.json", sample, "application/json")
    at.run()
    assert not at.exception
    assert metrics(at)["Input records"] == "3"
    assert any("No warnings" in s.value for s in at.success)
    assert any("No records rejected" in s.value for s in at.success)


def test_counts_get_thousands_separators_and_record_numbers_do_not(app):
    """Count columns are formatted "localized" (1,514); record numbers stay plain digits."""
    at = app(PAGE).run()

    def formats(*columns: str) -> dict[str, str | None]:
        element = next(
            d for d in at.dataframe if list(d.value.columns[: len(columns)]) == list(columns)
        )
        config = json.loads(element.proto.columns)
        return {name: config.get(name, {}).get("type_config", {}).get("format") for name in config}

    assert formats("Code", "Meaning").get("Sessions") == "localized"
    assert formats("Title", "Start (local)", "Message").get("Record") != "localized"
