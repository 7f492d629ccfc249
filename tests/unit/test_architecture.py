"""The layers show in the folder tree and imports flow one way, as the contracts say."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

LAYERS = (
    "core",
    "sources",
    "model",
    "ingest",
    "presentation",
    "analyses",
    "store",
    "views",
    "planning",
    "figures",
    "exports",
    "sync",
    "notify",
    "cli",
)
MAX_TOP_MODULES = 8


def tool(name: str) -> str:
    """A command installed in this environment."""
    exe = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if exe is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return exe


def test_import_contracts_are_kept() -> None:
    """lint-imports keeps every contract: the layers, the command line's own layers, and lu_data
    free of streamlit and ui."""
    result = subprocess.run(
        [tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "3 kept, 0 broken" in result.stdout


def test_a_broken_layer_is_caught(tmp_path: Path) -> None:
    """The contract is live: in a copy of the code, a sources module importing the model fails."""
    for name in ("lu_data", "ui"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    probe = tmp_path / "lu_data" / "sources" / "probe.py"
    probe.write_text('"""Probe."""\n\nfrom lu_data.model import schema  # noqa: F401\n')
    result = subprocess.run(
        [tool("lint-imports"), "--no-cache"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "lu_data.sources.probe -> lu_data.model.schema" in result.stdout


def test_layers_are_subpackages_with_few_top_modules() -> None:
    """Each layer is a subpackage of lu_data; at most eight modules are left at the top."""
    package = ROOT / "lu_data"
    for layer in LAYERS:
        assert (package / layer / "__init__.py").is_file(), layer
    top = sorted(p.name for p in package.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top
