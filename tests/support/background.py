"""Checks that are one long command each (mypy's first run, the quick benchmark), started once
when the test run starts and read by their tests later.

They are CPU work that waits on nothing, while most browser and server tests wait on sockets,
timers and other processes: started at once, they use the cores those tests leave idle instead
of adding their own minutes to the run. Each test still runs its command itself when the run
did not start it (a single test run on its own, or without xdist).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support import PORTAL_ENV, ROOT

DIR_ENV = "LU_TEST_BACKGROUND_DIR"
CALLER_ONLY = {"LU_STORE_URL", "LU_HISTORY_URL", *PORTAL_ENV}
WAIT_SECONDS = 600
SYNC_SMOKE_SESSIONS = 2000  # the sync spans a few reruns yet costs under a minute on 2 cores
COMMANDS: dict[str, list[str]] = {
    "mypy": [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "lu_data",
        "ui",
    ],
    "benchmarks": [sys.executable, "-m", "benchmarks.run", "--quick", "--out", "{dir}/bench.json"],
    # --quick leaves the sync out (100k takes minutes); a small portal still syncs for real
    "benchmarks-sync": [
        sys.executable,
        "-m",
        "benchmarks.run",
        "--only",
        "sync",
        "--sizes",
        str(SYNC_SMOKE_SESSIONS),
        "--repeat",
        "1",
        "--out",
        "{dir}/sync.json",
    ],
}


@dataclass(frozen=True)
class Finished:
    """How a command ended: its exit code and its output (stdout and stderr together)."""

    returncode: int
    output: str
    folder: Path


# The test file that reads each command's result: a command starts only when its file runs.
READERS = {
    "mypy": "tests/unit/test_types.py",
    "benchmarks": "tests/e2e/test_benchmarks_smoke.py",
    "benchmarks-sync": "tests/e2e/test_benchmarks_smoke.py",
}


def wanted(args: list[str], invocation_dir: Path) -> list[str]:
    """The commands whose reading test file is among the paths this run was given."""
    paths = [(invocation_dir / a.split("::")[0]).resolve() for a in args if not a.startswith("-")]
    paths = paths or [ROOT.resolve()]
    return [
        name
        for name, reader in READERS.items()
        if any((ROOT / reader).resolve().is_relative_to(p) for p in paths)
    ]


def start(names: list[str]) -> None:
    """Start these commands in the background, once per test run (the xdist controller)."""
    if not names:
        return
    folder = Path(tempfile.mkdtemp(prefix="lu-test-background-"))
    os.environ[DIR_ENV] = str(folder)  # the workers are started after this, with it
    for name in names:
        command = COMMANDS[name]
        argv = [part.replace("{dir}", str(folder)) for part in command]
        script = (
            f"{shlex.join(argv)} > {shlex.quote(str(folder / name))}.out 2>&1; "
            f"echo $? > {shlex.quote(str(folder / name))}.rc"
        )
        subprocess.Popen(["sh", "-c", script], cwd=ROOT, env=_env(folder), start_new_session=True)
        (folder / f"{name}.started").touch()


def result(name: str) -> Finished:
    """The result of a background command, waiting for it; run now when none was started."""
    started = os.environ.get(DIR_ENV, "")
    if started and (Path(started) / f"{name}.started").exists():
        folder = Path(started)
        rc = folder / f"{name}.rc"
        deadline = time.monotonic() + WAIT_SECONDS
        while not (rc.exists() and rc.read_text().strip()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{name} did not finish within {WAIT_SECONDS} s")
            time.sleep(0.2)
        output = (folder / f"{name}.out").read_text(encoding="utf-8", errors="replace")
        return Finished(int(rc.read_text()), output, folder)
    folder = Path(tempfile.mkdtemp(prefix="lu-test-foreground-"))
    argv = [part.replace("{dir}", str(folder)) for part in COMMANDS[name]]
    done = subprocess.run(
        argv, cwd=ROOT, env=_env(folder), capture_output=True, text=True, check=False
    )
    return Finished(done.returncode, done.stdout + done.stderr, folder)


def _env(folder: Path) -> dict[str, str]:
    """The commands' environment: their own data folder, no store or portal of the caller."""
    env = {k: v for k, v in os.environ.items() if k not in CALLER_ONLY}
    env["LU_DATA_DIR"] = str(folder / "data")
    return env
