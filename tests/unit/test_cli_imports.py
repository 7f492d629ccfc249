"""The command line starts light: its parser, and `import lu_data`, import no data, database or
web library; `check` imports the loading pipeline and nothing of the store or the figures, and
computes only what its report shows.

Each probe runs in a fresh interpreter and reads sys.modules, so nothing here is timed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

import lu_data
from lu_data.ingest.loading import load_quality, load_source
from lu_data.presentation.session_text import warning_sessions
from tests.support import ANCHOR, DATA, ROOT

HEAVY = ("sqlalchemy", "alembic", "pandas", "requests", "plotly", "streamlit", "ortools")
COMMANDS = ("export", "check", "demo", "digest", "fetch", "fake-portal", "record", "status", "sync")
# Runs main() on each argument list given (JSON) and prints every module imported by then.
PROBE = """
import contextlib, io, json, sys
from lu_data.cli import main
for argv in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main(argv)
print(json.dumps(sorted(sys.modules)))
"""


def modules_after(code: str, *args: str) -> set[str]:
    """Every module a fresh `python -c CODE ARGS` has imported when it ends."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def top_level(modules: set[str]) -> set[str]:
    """The packages the modules belong to."""
    return {name.split(".")[0] for name in modules}


def test_import_lu_data_and_its_cli_imports_no_heavy_library():
    """`import lu_data` and `import lu_data.cli` stop at the standard library."""
    code = "import json, sys, lu_data, lu_data.cli; print(json.dumps(sorted(sys.modules)))"
    assert top_level(modules_after(code)).isdisjoint(HEAVY)


def test_help_of_every_command_imports_no_heavy_library():
    """`lu-data --help` and each command's --help build the whole parser, and import none of
    pandas, SQLAlchemy, Alembic, requests, Plotly, Streamlit or OR-Tools."""
    argvs = [["--help"], *([name, "--help"] for name in COMMANDS)]
    found = top_level(modules_after(PROBE, json.dumps(argvs)))
    assert found.isdisjoint(HEAVY), sorted(found & set(HEAVY))
    assert "http" not in found  # the stand-in portal's server is imported only to serve


def test_python_m_lu_data_help_imports_no_heavy_library():
    """The `python -m lu_data --help` entry point itself, as a user runs it."""
    code = (
        "import json, runpy, sys\n"
        "sys.argv = ['lu_data', '--help']\n"
        "try:\n"
        "    runpy.run_module('lu_data', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    assert top_level(modules_after(code)).isdisjoint(HEAVY)


def test_check_imports_the_pipeline_but_no_store_or_figures():
    """`check FILE` needs pandas to load, but no store, API client, figures or exports."""
    argvs = [["check", str(DATA / "sample_ilt_center.json")]]
    found = modules_after(PROBE, json.dumps(argvs))
    assert "pandas" in found and "lu_data.ingest.loading" in found
    unwanted = {"sqlalchemy", "alembic", "requests", "plotly", "streamlit", "ortools", "xlsxwriter"}
    assert top_level(found).isdisjoint(unwanted), sorted(top_level(found) & unwanted)
    assert not {m for m in found if m.startswith(("lu_data.exports.", "lu_data.figures."))} - {
        "lu_data.exports.view_names"
    }
    assert not {m for m in found if m.startswith("lu_data.store.")} - {
        "lu_data.store.errors",
        "lu_data.store.settings",
    }


def test_public_names_are_imported_on_first_use():
    """Every name in lu_data.__all__ resolves (and `from lu_data import` works); others fail."""
    for name in lu_data.__all__:
        assert getattr(lu_data, name) is not None
        assert name in dir(lu_data)
    from lu_data import SOURCE_DEMO, load_portal, load_source

    assert SOURCE_DEMO == "demo" and callable(load_portal) and callable(load_source)
    with pytest.raises(AttributeError, match="no_such_name"):
        lu_data.no_such_name  # noqa: B018 - the attribute access is the test


@pytest.mark.parametrize("source", ["sample_ilt_center.json", "", "demo"])
def test_check_loads_the_sessions_and_report_load_source_makes(source):
    """load_quality (what `check` loads) gives load_source's sessions and report, to the byte."""
    where = "demo" if source == "demo" else DATA / source
    portal = load_source(where, anchor=ANCHOR)
    sessions, report = load_quality(where, anchor=ANCHOR)
    pd.testing.assert_frame_equal(sessions, portal.sessions)
    assert report.check_text() == portal.quality.check_text()
    want = portal.quality.to_json(warning_sessions(portal.quality.warnings, portal.sessions))
    assert report.to_json(warning_sessions(report.warnings, sessions)) == want
