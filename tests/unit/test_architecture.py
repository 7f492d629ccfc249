"""The layers show in the folder tree and imports flow one way, as the contracts say."""

from __future__ import annotations

import ast
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
    """lint-imports keeps every contract: lu_data's, the command line's and ui's layers, ui's
    few doors to the sources and the store, and lu_data free of streamlit and ui."""
    result = subprocess.run(
        [tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "5 kept, 0 broken" in result.stdout


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


# What a page may import of lu_data: the layers that hold results, never how data is read.
PAGE_FORBIDDEN = (
    "lu_data.sources",
    "lu_data.store",
    "lu_data.ingest",
    "lu_data.sync",
    "lu_data.notify",
    "lu_data.cli",
)


def page_violations(source: str) -> list[str]:
    """The lu_data modules (or names) a page's source imports that pages must not import."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names]
    return sorted(
        {n for n in names if any(n == f or n.startswith(f + ".") for f in PAGE_FORBIDDEN)}
    )


def test_pages_import_ui_and_public_layers_only() -> None:
    """Pages read shared state from ui and results from lu_data's public layers: never the
    sources, the store, the ingest pipeline, sync, delivery or the command line."""
    scripts = [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py"))]
    assert len(scripts) >= 7
    bad = {p.name: page_violations(p.read_text()) for p in scripts}
    assert {name: found for name, found in bad.items() if found} == {}


def test_the_pages_contract_is_live() -> None:
    """A page importing the store, or a source by `from lu_data import sources`, is caught."""
    assert page_violations("from lu_data.store.store import open_store\n") == [
        "lu_data.store.store",
        "lu_data.store.store.open_store",
    ]
    assert page_violations("from lu_data import sources\n") == ["lu_data.sources"]
    assert page_violations("import ui\nfrom lu_data.views.links import PARAM_SEARCH\n") == []
