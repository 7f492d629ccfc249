"""mypy, as configured in pyproject.toml, finds no type error in lu_data and ui."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support import ROOT, background


def mypy(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run this environment's mypy with the project's configuration."""
    command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")]
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_lu_data_and_ui_type_check() -> None:
    """mypy over lu_data and ui exits 0; on failure the message shows what it found.

    The run starts it when the run starts (tests.support.background): a first mypy run costs
    25 s of CPU that the waiting browser tests leave free.
    """
    result = background.result("mypy")
    assert result.returncode == 0, result.output[-8000:]
    assert "Success: no issues found" in result.output


def test_a_type_error_is_caught(tmp_path: Path) -> None:
    """The check is live: a module returning text where it promises a number fails it."""
    probe = tmp_path / "probe.py"
    probe.write_text('"""Probe."""\n\n\ndef seats() -> int:\n    return "ten"\n')
    result = mypy("--cache-dir", str(tmp_path / "cache"), str(probe), cwd=tmp_path)
    assert result.returncode == 1
    assert 'Incompatible return value type (got "str", expected "int")' in result.stdout
