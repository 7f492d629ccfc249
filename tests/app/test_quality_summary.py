"""The Data quality page and `lu-data check` say the same thing, built by one function."""

from __future__ import annotations

import pytest

from lu_data import cli, load_portal
from lu_data.sources.demo import generate_demo
from lu_data.sources.files import read_files
from tests.support import ANCHOR, DATA
from tests.support.apptest import download

PAGE = "pages/quality.py"
BAD = DATA / "bad"


def cli_output(capsys, *args: str) -> str:
    """What `lu-data check ARGS` prints."""
    capsys.readouterr()
    assert cli.main(["check", *args]) == 0
    return capsys.readouterr().out


def identity_shown(at) -> str:
    """The page's identity line without its "✓ Balances:" mark."""
    text = next(m.value for m in [*at.success, *at.error] if "input records =" in m.value)
    return text.split(": ", 1)[1].split(". Please")[0]


def open_upload(app, name: str):
    """The Data quality page with one saved export uploaded."""
    at = app(PAGE).run()
    at.radio(key="filter_source").set_value("upload").run()
    at.get("file_uploader")[0].upload(name, (BAD / name).read_bytes(), "application/json")
    return at.run()


def test_demo_page_identity_and_json_are_the_cli_ones(app, media, capsys):
    """On the demo, the page's identity is the CLI's first line and its JSON is the CLI's."""
    at = app(PAGE).run()
    assert not at.exception
    text = cli_output(capsys, "demo", "--anchor", ANCHOR.isoformat())
    first = text.splitlines()[0]
    assert first == (
        "1,125 input records = 600 sessions + 486 duplicates merged + 39 skipped (not ILT) "
        "+ 0 rejected; 41 warnings"
    )
    assert first.split("; ")[0] == identity_shown(at)
    data, _ = download(at, media, "quality_json")
    assert data.decode() == cli_output(capsys, "demo", "--json", "--anchor", ANCHOR.isoformat())


@pytest.mark.parametrize("name", ["component_types.json", "ilt_center_missing_training_id.json"])
def test_bad_file_page_says_what_the_cli_says(app, media, capsys, monkeypatch, name):
    """For a bad export, the page's identity and JSON equal `lu-data check FILE`'s."""
    monkeypatch.chdir(BAD)  # the CLI names records by the path it was given, as the page does
    at = open_upload(app, name)
    assert not at.exception
    text = cli_output(capsys, name)
    assert text.splitlines()[0].split("; ")[0] == identity_shown(at)
    assert " rejected" in text and "rejected  record" in text
    data, _ = download(at, media, "quality_json")
    # The same report, but an upload is the portal "upload" and a file is named after itself.
    cli_json = cli_output(capsys, name, "--json")
    stem = name.removesuffix(".json")
    assert f'"portal": "{stem}"' in cli_json
    assert data.decode() == cli_json.replace(f'"portal": "{stem}"', '"portal": "upload"')


def test_check_text_lists_every_finding():
    """The CLI text: the summary, the skipped types, then a line per rejection and warning."""
    report = load_portal(
        read_files([("x.json", (BAD / "component_types.json").read_bytes())], origin="x")
    )
    lines = report.quality.check_text().splitlines()
    assert lines == [
        "4 input records = 1 sessions + 0 duplicates merged + 1 skipped (not ILT) + 2 rejected; "
        "0 warnings",
        "Skipped module types: scorm: 1",
        "rejected  record 3 (x.json, record 3): component_type missing",
        "rejected  record 4 (x.json, record 4): component_type missing",
    ]


def test_json_ends_in_one_newline():
    """The JSON text is one document and a newline, as a file or a pipe expects."""
    text = load_portal(generate_demo(anchor=ANCHOR, n_sessions=40)).quality.to_json()
    assert text.endswith("}\n") and not text.endswith("\n\n")
