"""A store URL as the command line's source: check and export read each portal's newest snapshot.

Every test runs on SQLite and on a real PostgreSQL (the store_url fixture) unless it says why
not.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pandas as pd
import pytest

from lu_data import load_source
from lu_data.cli import main
from lu_data.model.schema import SESSION_DTYPES
from lu_data.store.store import open_store
from tests.support import DATA, pg

# The PostgreSQL fixtures, made visible to pytest in this module.
postgres_server = pg.postgres_server
store_url = pg.store_url

SAMPLE = DATA / "sample_ilt_center.json"


def dtype_names(frame: pd.DataFrame) -> dict[str, str]:
    """Column -> dtype text, categories and time zone included."""
    return {c: repr(t) for c, t in frame.dtypes.items()}


@pytest.fixture
def two_portals(store_url) -> str:
    """A store holding the same sample portal as "emea" and "apac": every session id collides."""
    portal = load_source(SAMPLE)
    with open_store(store_url) as store:
        for name in ("emea", "apac"):
            run = store.start_run(name, f"https://{name}.example.com/api/v1/")
            store.write_snapshot(name, portal, run_id=run)
            store.finish_run(run, status="ok", sessions=len(portal.sessions))
    return store_url


def test_check_json_on_a_store_gives_totals_and_each_portal(two_portals, capsys):
    """`check --json STORE`: today's keys summed over portals, and a `portals` list."""
    single = load_source(SAMPLE).quality.to_dict()
    assert main(["check", two_portals, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(single) <= set(report)
    assert report["input_records"] == 2 * single["input_records"] == 6
    assert report["sessions"] == 6 and report["balanced"] is True
    portals = {p["name"]: p for p in report["portals"]}
    assert sorted(portals) == ["apac", "emea"]
    for name in ("apac", "emea"):
        entry = portals[name]
        assert entry["status"] == "ok" and entry["sessions"] == 3
        assert entry["input_records"] == 3 and entry["balanced"] is True
        assert datetime.fromisoformat(entry["snapshot_at"]).tzinfo is not None
    assert main(["check", two_portals, "--json", "--portal", "emea"]) == 0
    only = json.loads(capsys.readouterr().out)
    assert only["sessions"] == 3 and [p["name"] for p in only["portals"]] == ["emea"]


def test_check_text_on_a_store_has_a_line_per_portal(two_portals, capsys):
    """`check STORE`: the combined identity, then each portal's snapshot time and last sync."""
    assert main(["check", two_portals]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("6 input records = 6 sessions")
    per_portal = sorted(line for line in lines if line.startswith("portal "))
    assert len(per_portal) == 2
    assert per_portal[0].startswith("portal apac: snapshot of ")
    assert "(last sync: ok): 3 input records = 3 sessions" in per_portal[0]


def test_export_from_a_store_stacks_portals_whose_ids_collide(two_portals, tmp_path):
    """`export STORE`: both portals' sessions apart (keys qualified by portal), or one portal's
    with --portal (its plain keys)."""
    out = tmp_path / "both.csv"
    assert main(["export", two_portals, "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 6
    plain = load_source(SAMPLE).sessions["session_key"].tolist()
    keys = sorted(r["session_key"] for r in rows)
    assert keys == sorted(f"{p}/{k}" for p in ("apac", "emea") for k in plain)
    assert sorted(r["portal"] for r in rows) == ["apac"] * 3 + ["emea"] * 3
    one = tmp_path / "one.csv"
    assert main(["export", two_portals, "--portal", "apac", "-o", str(one)]) == 0
    apac = list(csv.DictReader(io.StringIO(one.read_text(encoding="utf-8-sig"))))
    assert sorted(r["session_key"] for r in apac) == sorted(plain)
    assert {r["portal"] for r in apac} == {"apac"}


def test_store_source_combined_frames_name_their_portal(two_portals):
    """The combined Portal has the declared columns (portal first) and dtypes, and its parts."""
    from lu_data.store.source import load_store_source

    portal = load_store_source(two_portals)
    assert list(portal.sessions.columns) == list(SESSION_DTYPES)
    assert list(SESSION_DTYPES)[0] == "portal"
    assert portal.sessions.groupby("portal").size().to_dict() == {"apac": 3, "emea": 3}
    assert dtype_names(portal.sessions) == {c: repr(t) for c, t in SESSION_DTYPES.items()}
    assert sorted(portal.parts) == ["apac", "emea"]
    assert sorted(portal.trainings["portal"].unique()) == ["apac", "emea"]
    assert portal.quality.input_records == 6 and portal.quality.balanced


def test_store_source_errors_are_one_line(two_portals, tmp_path, capsys):
    """An unknown portal, a missing store file, --portal without a store: exit 2, one line."""
    assert main(["check", two_portals, "--portal", "nowhere"]) == 2
    err = capsys.readouterr().err
    assert "has no snapshot of portal nowhere (portals with one: apac, emea)" in err
    missing = f"sqlite:///{tmp_path / 'absent.sqlite3'}"
    assert main(["check", missing]) == 2
    assert capsys.readouterr().err.strip().endswith("absent.sqlite3 does not exist")
    assert not (tmp_path / "absent.sqlite3").exists()
    assert main(["check", str(SAMPLE), "--portal", "emea"]) == 2
    assert "--portal picks portals of a store URL" in capsys.readouterr().err
