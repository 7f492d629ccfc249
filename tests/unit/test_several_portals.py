"""Two portals whose session, module and training ids collide, in one view: kept apart."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest

from lu_data import load_portal, load_source
from lu_data.analyses.capacity import capacity_rollup
from lu_data.analyses.double_bookings import double_bookings
from lu_data.analyses.filters import Filters, describe_view, filter_sessions
from lu_data.analyses.tutors import double_bookings_export, team_table
from lu_data.exports.csv import to_csv_bytes, view_frame
from lu_data.exports.ics import sessions_ics
from lu_data.exports.xlsx import sessions_sheet
from lu_data.model.portals import combine_portals, portal_accounts, stack_histories
from lu_data.model.result_schemas import DOUBLE_BOOKING_DTYPES
from lu_data.model.schema import PORTAL_COLUMN, SESSION_DTYPES, TRAINING_DTYPES, TUTOR_DTYPES
from lu_data.sources.files import read_path
from lu_data.views.filter_options import filter_choices
from tests.support import DATA

SAMPLE = DATA / "sample_ilt_center.json"
PLAIN_KEYS = ["session:12222", "session:12333", "session:12355"]


@pytest.fixture(scope="module")
def both():
    """The same sample portal loaded as "emea" and "apac": every id collides."""
    raw = read_path(SAMPLE)
    parts = {name: load_portal(raw, name=name) for name in ("emea", "apac")}
    return combine_portals(parts, "test store")


def test_one_portal_names_itself_in_every_frame_and_keeps_plain_keys():
    """A single load has the portal column (first) everywhere, and its keys unqualified."""
    portal = load_portal(read_path(SAMPLE), name="emea")
    for frame, declared in (
        (portal.sessions, SESSION_DTYPES),
        (portal.trainings, TRAINING_DTYPES),
        (portal.tutors, TUTOR_DTYPES),
    ):
        assert list(frame.columns) == list(declared) and frame.columns[0] == PORTAL_COLUMN
        assert set(frame[PORTAL_COLUMN]) == {"emea"}
    assert sorted(portal.sessions["session_key"]) == PLAIN_KEYS
    assert portal.names == ["emea"] and not portal.parts


def test_sources_are_named_demo_upload_and_after_the_file():
    """The demo is "demo", a file its stem; load_portal without a name says "portal"."""
    assert load_source(SAMPLE).name == "sample_ilt_center"
    assert set(load_source(SAMPLE).sessions[PORTAL_COLUMN]) == {"sample_ilt_center"}
    assert load_portal(read_path(SAMPLE)).name == "portal"
    demo = load_source("demo", anchor=date(2026, 11, 27))
    assert demo.name == "demo" and set(demo.sessions[PORTAL_COLUMN]) == {"demo"}


def test_both_portals_sessions_are_there_apart(both):
    """Six sessions, not three: keys qualified by portal, the portal column says which."""
    s = both.sessions
    assert len(s) == 6 and s["session_key"].is_unique
    assert sorted(s["session_key"]) == sorted(
        f"{p}/{k}" for p in ("apac", "emea") for k in PLAIN_KEYS
    )
    assert s.groupby(PORTAL_COLUMN).size().to_dict() == {"apac": 3, "emea": 3}
    assert (s["session_key"].str.split("/").str[0] == s[PORTAL_COLUMN]).all()
    assert both.names == ["apac", "emea"]
    assert both.quality.sessions == 6 and both.quality.balanced


def test_trainings_and_roll_ups_have_one_row_per_portal_per_training(both):
    """One training (id 14307) in each portal: two trainings rows and two roll-up rows."""
    assert both.trainings[[PORTAL_COLUMN, "training_key", "sessions"]].values.tolist() == [
        ["apac", "apac/training:14307", 3],
        ["emea", "emea/training:14307", 3],
    ]
    rollup = capacity_rollup(both.sessions)
    assert len(rollup) == 2 and rollup["Sessions"].tolist() == [3, 3]
    assert len(view_frame(both.sessions, "trainings")) == 2


def test_a_tutor_in_two_portals_is_two_tutors_and_no_double_booking(both):
    """Tutors are keyed per portal: the same user id in two portals never clashes."""
    assert len(both.tutors) == 4
    assert double_bookings(both.sessions).empty
    team = team_table(both.sessions)
    assert len(team) == 4 and team["Conflicts"].sum() == 0
    # both portals' tutors are listed apart, each name saying its portal
    labels = filter_choices(both.sessions, both.trainings).tutor_labels
    assert all(label.endswith((" · apac", " · emea")) for label in labels.values())


def test_a_clash_within_one_portal_names_that_portal(both):
    """Two overlapping sessions of one tutor in one portal: one pair, in that portal."""
    s = both.sessions.copy()
    apac = s.index[s[PORTAL_COLUMN] == "apac"]
    first = s.loc[apac[0]]
    s.loc[apac[1], ["start_utc", "end_utc", "tutor_key"]] = [
        first["start_utc"],
        first["end_utc"],
        first["tutor_key"],
    ]
    pairs = double_bookings(s)
    assert list(pairs.columns) == list(DOUBLE_BOOKING_DTYPES)
    assert pairs[PORTAL_COLUMN].tolist() == ["apac"]
    assert pairs["tutor_key"].str.startswith("apac/").all()
    exported = double_bookings_export(pairs, s)
    assert exported.columns[0] == PORTAL_COLUMN and exported[PORTAL_COLUMN].tolist() == ["apac"]


def test_ics_uids_differ_between_portals(both):
    """Every session of both portals is its own event with its own UID."""
    text = sessions_ics(both.sessions).decode()
    uids = [line for line in text.splitlines() if line.startswith("UID:")]
    assert len(uids) == 6 and len(set(uids)) == 6
    assert sum("emea" in u for u in uids) == 3 and sum("apac" in u for u in uids) == 3


def test_single_portal_ics_uids_are_unchanged():
    """One portal keeps the UIDs it always had, so calendars keep updating their events."""
    text = sessions_ics(load_portal(read_path(SAMPLE), name="emea").sessions).decode()
    assert "UID:session-12333@lu-ilt-sessions" in text.replace("\r\n ", "")


def test_csv_and_excel_have_the_portal_column_with_the_right_values(both):
    """The sessions CSV starts with portal; each row's portal matches its key."""
    rows = list(
        csv.DictReader(
            io.StringIO(to_csv_bytes(view_frame(both.sessions, "sessions")).decode("utf-8-sig"))
        )
    )
    assert list(rows[0])[:2] == [PORTAL_COLUMN, "session_key"]
    assert sorted(r[PORTAL_COLUMN] for r in rows) == ["apac"] * 3 + ["emea"] * 3
    assert all(r["session_key"].startswith(r[PORTAL_COLUMN] + "/") for r in rows)
    sheet = sessions_sheet(both.sessions)
    assert sheet.columns[0] == PORTAL_COLUMN and sorted(set(sheet[PORTAL_COLUMN])) == [
        "apac",
        "emea",
    ]
    tutors = view_frame(both.sessions, "tutors")
    assert tutors.columns[0] == PORTAL_COLUMN and len(tutors) == 4


def test_portal_filter_keeps_only_the_chosen_portals_rows(both):
    """Portal emea: its three sessions; the sentence names the portal."""
    kept = filter_sessions(both.sessions, Filters(portals=("emea",)))
    assert len(kept) == 3 and set(kept[PORTAL_COLUMN]) == {"emea"}
    assert "portal emea" in describe_view(kept, Filters(portals=("emea",)))
    assert len(filter_sessions(both.sessions, Filters(portals=("emea", "apac")))) == 6
    assert "portal" not in describe_view(both.sessions, Filters())


def test_histories_are_read_per_portal_and_keyed_as_the_view(both):
    """Each portal's history (plain keys) comes back under the combined view's keys."""
    row = {
        "session_key": "session:12333",
        "training_key": "training:14307",
        "recorded_at": pd.Timestamp("2021-12-01", tz="UTC"),
        "start_utc": pd.Timestamp("2022-01-10", tz="UTC"),
        "max_capacity": 10,
        "enrolled": 4,
    }
    history = stack_histories({"emea": pd.DataFrame([row]), "apac": pd.DataFrame([row])})
    assert sorted(history["session_key"]) == ["apac/session:12333", "emea/session:12333"]
    assert set(history["session_key"]) <= set(both.sessions["session_key"])


def test_accounts_have_a_row_per_portal_and_the_total(both):
    """Name, snapshot time, last sync and the identity's counts per portal, then the sum."""
    accounts = portal_accounts(both, {"emea": "ok", "apac": "failed"})
    assert accounts["name"].tolist() == ["apac", "emea", "Total"]
    assert accounts["status"].tolist()[:2] == ["failed", "ok"]
    assert accounts["sessions"].tolist() == [3, 3, 6]
    assert accounts["input_records"].tolist() == [3, 3, 6]
    assert accounts["balanced"].all()


def test_sessions_table_names_the_portal_only_when_there_are_several(both):
    """The Sessions page's table gains a Portal column for a view of several portals only."""
    from lu_data.views.session_tables import sessions_table

    table = sessions_table(both.sessions)
    assert list(table.columns[-2:]) == ["Portal", "Session key"]
    assert sorted(table["Portal"]) == ["apac"] * 3 + ["emea"] * 3
    single = sessions_table(load_portal(read_path(SAMPLE), name="emea").sessions)
    assert "Portal" not in single.columns
