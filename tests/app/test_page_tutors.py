"""Tutors page: tutor pick, double-bookings, weekly heatmap and team table match lu_data."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pandas as pd
import pytest

from lu_data.analyses.double_bookings import double_bookings
from lu_data.analyses.filters import Filters, filter_sessions
from lu_data.analyses.tutors import (
    clash_rows,
    double_bookings_export,
    double_bookings_table,
    sessions_by_training,
    sessions_of_tutor,
    team_table,
    training_summary,
    weekly_workload,
    workload_grid,
)
from lu_data.exports.csv import sessions_export, to_csv_bytes
from lu_data.model.rollups import tutors_frame
from lu_data.model.schema import NO_TUTOR
from tests.support.apptest import chart, decode, download, metrics, open_page, table
from tests.support.demo import default_filters

PAGE = "pages/tutors.py"
DEFAULT = default_filters()
CLASHING_TUTOR = "user:240669"  # Elsa Bouvier: one double-booking in the default view
RANGE = "27-Nov-2026-to-22-Jan-2027"


def test_default_view_metrics_match_lu_data(app, demo_sessions):
    """Tutors, sessions, hours and double-booked sessions equal lu_data's numbers."""
    at = open_page(app, PAGE)
    assert not at.exception
    assert at.title[0].value == "Tutors"
    view = filter_sessions(demo_sessions, DEFAULT)
    team = team_table(view)
    shown = metrics(at)
    # The team table has a "(no tutor)" row for untaught sessions; that row is nobody.
    assert shown["Tutors"] == str(len(team) - int((team["Tutor"] == NO_TUTOR).any()))
    assert shown["Sessions"] == str(len(view))
    taught = tutors_frame(view)["teaching_hours"].sum()
    assert shown["Teaching hours"] == f"{taught:,.1f}"
    assert taught == pytest.approx(team["Teaching hours"].sum(), abs=0.05 * len(team))
    # The demo's multi-day sessions count their daily window, not the nights between.
    assert taught < view["duration_hours"].sum()
    assert shown["Double-booked sessions"] == str(team["Conflicts"].sum()) == "6"
    assert at.selectbox(key="tutors_pick").value == "all"


def test_double_bookings_list_both_sessions_with_zoned_times(app, demo_sessions, media):
    """Each clash shows both titles, both times with their zone and the overlap; CSV matches.

    Stacked, two short rows per clash, so both sessions fit beside the sidebar at 1024 px.
    """
    at = open_page(app, PAGE)
    view = filter_sessions(demo_sessions, DEFAULT)
    pairs = double_bookings(view)
    shown = table(at, "Clash", "When", "Title", "Overlap (min)")
    side_by_side = double_bookings_table(pairs, view, "local")
    expected = clash_rows(side_by_side)
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), expected, check_dtype=False)
    assert len(shown) == 2 * len(pairs)
    first = shown.loc[shown["Clash"] == 1]
    assert list(first["Title"]) == list(side_by_side.iloc[0][["Session A", "Session B"]])
    assert list(first["When"]) == list(side_by_side.iloc[0][["When (A)", "When (B)"]])
    assert shown["When"].str.contains(r"[A-Z]+ \([+-]\d\d:\d\d\)$").all()
    assert any("3 overlapping pairs" in e.value for e in at.warning)
    data, name = download(at, media, "tutors_clashes_csv")
    assert data == to_csv_bytes(double_bookings_export(pairs, view, "local"))
    assert name == f"ilt-double-bookings_{RANGE}.csv"


def test_heatmap_is_tutors_by_weeks_of_hours(app, demo_sessions):
    """The heatmap has a row per tutor, a column per week, hours as values, hover with sessions."""
    at = open_page(app, PAGE)
    grid = workload_grid(weekly_workload(filter_sessions(demo_sessions, DEFAULT), "local"))
    trace = chart(at, "tutors_heatmap")["data"][0]
    assert trace["type"] == "heatmap"
    layout = chart(at, "tutors_heatmap")["layout"]
    names = list(grid.hours.index)
    assert layout["yaxis"]["ticktext"] == [n if len(n) <= 30 else n[:29] + "…" for n in names]
    assert [row[0][2] for row in trace["customdata"]] == names  # the hover names them whole
    assert len(trace["x"]) == grid.hours.shape[1] == 9
    np.testing.assert_allclose(decode(trace["z"]), grid.hours.to_numpy().round(1))
    assert "sessions" in trace["hovertemplate"] and "hours" in trace["hovertemplate"]


def test_team_table_and_download_match_lu_data(app, demo_sessions, media):
    """The team table is lu_data's team_table of the view, and its CSV holds the same rows."""
    at = open_page(app, PAGE)
    expected = team_table(filter_sessions(demo_sessions, DEFAULT))
    shown = table(at, "Tutor", "Teaching hours", "Sessions")
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), expected, check_dtype=False)
    data, name = download(at, media, "tutors_team_csv")
    assert data == to_csv_bytes(expected)
    assert name == f"ilt-tutors-team_{RANGE}.csv"
    bars = chart(at, "tutors_hours_chart")["data"][0]
    assert bars["y"] == list(expected["Tutor"])


def test_picking_a_tutor_narrows_every_section(app, demo_sessions):
    """Picking one tutor shows only their sessions, trainings and their one clash."""
    at = open_page(app, PAGE)
    at.selectbox(key="tutors_pick").set_value(CLASHING_TUTOR).run()
    assert not at.exception
    mine = sessions_of_tutor(filter_sessions(demo_sessions, DEFAULT), CLASHING_TUTOR)
    shown = metrics(at)
    assert (shown["Tutors"], shown["Sessions"]) == ("1", str(len(mine)))
    assert len(table(at, "Clash", "When")) == 2  # one clash: its two sessions
    summary = table(at, "Training", "Sessions")
    assert list(summary["Training"]) == list(training_summary(mine, "local")["Training"])
    assert len(table(at, "Start", "Zone", "Title", "Tutor")) == len(mine)
    assert any("Sessions of Elsa Bouvier" in s.value for s in at.subheader)


def test_sessions_grouped_by_training_and_one_training_on_demand(app, demo_sessions, media):
    """Sessions come grouped by training; picking one training shows just its sessions."""
    at = open_page(app, PAGE)
    view = filter_sessions(demo_sessions, DEFAULT)
    grouped = sessions_by_training(view)
    shown = table(at, "Start", "Zone", "Title", "Tutor")
    assert list(shown["Session key"]) == list(grouped["session_key"])
    # abbreviation with offset, or the offset alone where the abbreviation is one ("UTC+04:00")
    assert shown["Zone"].str.fullmatch(r"\S+ \([+-]\d\d:\d\d\)|UTC([+-]\d\d:\d\d)?").all()
    key = training_summary(view, "local")["training_key"].iloc[0]
    at.selectbox(key="tutors_training").set_value(key).run()
    assert not at.exception
    assert at.query_params["sessions_of"] == key
    rows = sessions_by_training(view, key)
    assert list(table(at, "Start", "Zone", "Title", "Tutor")["Session key"]) == list(
        rows["session_key"]
    )
    data, name = download(at, media, "tutors_sessions_csv")
    assert data == to_csv_bytes(sessions_export(rows, "local"))
    assert name == f"ilt-tutor-sessions_{RANGE}.csv"


def test_tutor_without_clashes_shows_success_state(app):
    """A tutor with no overlapping sessions gets a clear 'No double-bookings' message."""
    at = open_page(app, PAGE)
    at.selectbox(key="tutors_pick").set_value("user:310002").run()  # Sofia López
    assert not at.exception
    assert any("No double-bookings" in s.value for s in at.success)
    assert not any("Clash" in d.value.columns for d in at.dataframe)


def test_display_zone_switch_changes_clash_times(app, demo_sessions):
    """Picking New York shows both sessions of every clash in EST with their offset."""
    at = open_page(app, PAGE)
    at.radio(key="filter_tz_mode").set_value("pick").run()
    at.selectbox(key="filter_tz_zone").set_value("America/New_York").run()
    assert not at.exception
    view = filter_sessions(demo_sessions, default_filters(tz="America/New_York"))
    shown = table(at, "Clash", "When")
    expected = clash_rows(double_bookings_table(double_bookings(view), view, "America/New_York"))
    assert list(shown["When"]) == list(expected["When"])
    assert shown["When"].str.endswith("EST (-05:00)").all()


def test_query_params_restore_tutor_and_zone(app, demo_sessions):
    """A link with ?tutor=…&tz=UTC opens on that tutor's sessions in UTC."""
    at = open_page(app, PAGE, tutor=CLASHING_TUTOR, tz="UTC")
    assert not at.exception
    assert metrics(at)["Tutors"] == "1"
    shown = table(at, "Clash", "When")
    assert shown["When"].str.endswith(" UTC").all()
    assert at.selectbox(key="tutors_pick").value == CLASHING_TUTOR  # the sidebar's tutor
    assert any("Sessions of Elsa Bouvier" in s.value for s in at.subheader)


def test_page_picker_and_sidebar_tutor_filter_are_one_choice(app):
    """Picking a tutor sets the sidebar's Tutor filter and the link; the sidebar sets the pick."""
    at = open_page(app, PAGE)
    at.selectbox(key="tutors_pick").set_value(CLASHING_TUTOR).run()
    assert at.multiselect(key="filter_tutors").value == [CLASHING_TUTOR]
    assert at.query_params["tutor"] == CLASHING_TUTOR
    at.multiselect(key="filter_tutors").set_value(["user:310002"]).run()
    assert not at.exception
    assert at.selectbox(key="tutors_pick").value == "user:310002"  # Sofia López's view
    assert any("Sessions of Sofia López" in s.value for s in at.subheader)
    at.selectbox(key="tutors_pick").set_value("all").run()
    assert at.multiselect(key="filter_tutors").value == []
    assert "tutor" not in at.query_params
    assert metrics(at)["Tutors"] != "1"


def test_empty_range_says_what_to_change(app):
    """A date range without sessions says to widen the dates instead of drawing empty charts."""
    at = open_page(app, PAGE, **{"from": "2031-01-01", "to": "2031-01-31"})
    assert not at.exception
    assert any("widen the dates" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_rooms_list_every_clash_of_the_view_and_download_it(app, media, demo_portal):
    """The Rooms section: both sessions of each room clash (whatever the tutor picked), the
    room-clashes CSV of exactly those pairs, and a heatmap of the hours booked per room."""
    from lu_data.analyses.rooms import room_clashes, weekly_room_hours

    view = {"from": "2026-09-01", "to": "2027-01-31", "tz": "UTC"}
    at = app(PAGE, **view).run()
    assert not at.exception
    shown = filter_sessions(
        demo_portal.sessions,
        Filters(date_from=date(2026, 9, 1), date_to=date(2027, 1, 31), tz="UTC"),
    )
    pairs = room_clashes(shown)
    assert len(pairs) > 2
    (warning,) = [w.value for w in at.warning if "in one room" in w.value]
    assert warning.startswith(f"{len(pairs)} pairs of in-person sessions in one room")
    rows = table(at, "Clash", "Room")
    assert len(rows) == 2 * len(pairs) and set(rows["Clash"]) == set(range(1, len(pairs) + 1))
    data, name = download(at, media, "tutors_rooms_csv")
    csv = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert name.startswith("ilt-room-clashes_")
    assert list(zip(csv["session_key_a"], csv["session_key_b"], strict=True)) == list(
        zip(pairs["session_key_a"], pairs["session_key_b"], strict=True)
    )
    heat = chart(at, "tutors_rooms_map")["data"][0]
    weekly = weekly_room_hours(shown, "UTC")
    assert round(float(np.nansum(decode(heat["z"]))), 1) == round(weekly["hours"].sum(), 1)
