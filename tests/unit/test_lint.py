"""The code base passes ruff's lint and format checks, as configured in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ruff from this environment over the repository."""
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if exe is None:
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    return subprocess.run([exe, *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_lint_passes() -> None:
    """No lint finding anywhere in the repository."""
    result = ruff("check", ".")
    assert result.returncode == 0, result.stdout[-3000:]


def test_ruff_format_is_clean() -> None:
    """Every file is formatted as `ruff format` would write it."""
    result = ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout[-3000:]
