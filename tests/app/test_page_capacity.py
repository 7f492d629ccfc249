"""Capacity page: KPIs, per-session chart, roll-ups, fill bins and session lists match lu_data."""

from __future__ import annotations

from datetime import date

import pandas as pd

from lu_data.analyses.capacity import (
    capacity_kpis,
    capacity_rollup,
    fill_distribution,
    session_list,
)
from lu_data.analyses.filters import Filters, filter_sessions
from lu_data.analyses.supply_demand import RARELY_FILLS, SELLS_OUT, supply_demand
from lu_data.exports.csv import sessions_export, to_csv_bytes
from lu_data.model.fill_status import STATUS_LABELS
from lu_data.presentation.palette import STATUS_COLORS
from lu_data.store.demo_history import demo_history
from tests.support import ANCHOR
from tests.support.apptest import chart, decode, download, open_page
from tests.support.demo import demo_portal, projected_risk_keys

PAGE = "pages/capacity.py"
END = date(2027, 1, 22)
DEFAULT = Filters(date_from=ANCHOR, date_to=END)


def expected(filters: Filters = DEFAULT):
    """The filtered demo sessions the page should be showing."""
    return filter_sessions(demo_portal().sessions, filters)


def test_title_and_kpis_match_lu_data(app):
    """The page is titled Capacity and its KPIs equal capacity_kpis for the default view."""
    at = open_page(app, PAGE)
    assert at.title[0].value == "Capacity"
    kpi = capacity_kpis(expected())
    shown = {m.label: m.value for m in at.metric}
    assert shown["Seats offered"] == f"{kpi.seats_offered:,}"
    assert shown["Seats taken"] == f"{kpi.seats_taken:,}"
    assert shown["Fill rate"] == f"{kpi.seats_taken / kpi.seats_offered:.0%}"
    assert shown["No-limit learners"] == f"{kpi.no_limit_learners:,}"
    assert shown["Full"] == str(kpi.full)
    assert shown["Overbooked"] == str(kpi.overbooked)
    assert shown["No limit set"] == str(kpi.no_limit_sessions)


def test_session_chart_draws_one_bar_per_session(app):
    """Under 300 sessions: one capacity bar and one enrolled bar per session, status-coloured."""
    at = open_page(app, PAGE)
    sessions = expected()
    spec = chart(at, "capacity_session_chart")
    bars = [t for t in spec["data"] if t["type"] == "bar"]
    capacity = next(b for b in bars if b["name"] == "Capacity")
    keys = capacity["y"]  # one category per bar: the session key
    assert sorted(keys) == sorted(sessions["session_key"])
    assert spec["layout"]["yaxis"]["categoryarray"] == keys
    assert len(spec["layout"]["yaxis"]["ticktext"]) == len(keys)
    enrolled = [b for b in bars if b["name"] != "Capacity"]
    assert sum(len(decode(b["x"])) for b in enrolled) == len(sessions)
    assert sum(sum(decode(b["x"])) for b in enrolled) == sessions["enrolled"].sum()
    for b in enrolled:
        status = next(k for k, v in STATUS_LABELS.items() if v == b["name"])
        assert b["marker"]["color"] == STATUS_COLORS[status]
    marks = [t for t in spec["data"] if t["type"] == "scatter"]
    texts = [x.strip() for t in marks for x in t["text"]]
    assert texts.count("no limit") == (sessions["status"] == "no_limit").sum()
    assert sum(x.endswith(" over") for x in texts) == (sessions["status"] == "overbooked").sum()


def test_many_sessions_aggregate_per_training(app):
    """Over 300 sessions the per-session chart becomes per-training totals, and says so."""
    at = open_page(app, PAGE, **{"from": "2021-01-01", "to": "2027-12-31"})
    sessions = expected(Filters(date_from=date(2021, 1, 1), date_to=date(2027, 12, 31)))
    assert len(sessions) > 300
    assert any("too many to draw one bar each" in c.value for c in at.caption)
    spec = chart(at, "capacity_session_chart")
    capacity = next(t for t in spec["data"] if t["name"] == "Seats offered")
    trainings = sessions["training_key"].nunique()
    assert len(capacity["y"]) == min(trainings, 40)


def test_rollup_table_switches_between_training_and_location(app):
    """The roll-up table has a row per training, then per location after the switch."""
    at = open_page(app, PAGE)
    sessions = expected()
    table = at.dataframe[0].value
    assert list(table["Training"]) == list(capacity_rollup(sessions, "training")["Training"])
    assert table["Sessions"].sum() == len(sessions)
    # Each row's fill is the two seat columns beside it divided, as on the cards.
    offered = table["Seats offered"].astype("float64")
    recomputed = (table["Seats taken"] / offered.where(offered > 0)).astype("float64")
    assert list(table.columns[1:5]) == ["Sessions", "Seats offered", "Seats taken", "Fill"]
    pd.testing.assert_series_equal(table["Fill"].astype("float64"), recomputed, check_names=False)
    at.segmented_control(key="capacity_group_by").set_value("location").run()
    assert at.query_params["rollup"] == "location"  # a copied link keeps the roll-up
    table = at.dataframe[0].value
    assert list(table["Location"]) == list(capacity_rollup(sessions, "location")["Location"])
    spec = chart(at, "capacity_rollup_chart")
    assert sum(sum(decode(t["x"])) for t in spec["data"]) == len(sessions)


def test_rollup_and_list_in_the_link_are_applied(app):
    """?rollup=location&list=under_filled opens on the locations and the under-filled list."""
    at = open_page(app, PAGE, rollup="location", list="under_filled")
    sessions = expected()
    assert at.segmented_control(key="capacity_group_by").value == "location"
    assert list(at.dataframe[0].value["Location"]) == list(
        capacity_rollup(sessions, "location")["Location"]
    )
    assert at.segmented_control(key="capacity_list").value == "under_filled"
    under = session_list(sessions, "under_filled")
    assert list(at.dataframe[1].value["Session key"]) == list(under["session_key"])


def test_fill_histogram_counts_every_session(app):
    """The fill-rate histogram's stacked bars add up to the sessions in view, by status."""
    at = open_page(app, PAGE)
    dist = fill_distribution(expected())
    spec = chart(at, "capacity_fill_chart")
    shown = {t["name"]: sum(decode(t["y"])) for t in spec["data"]}
    want = dist.groupby("status_label")["sessions"].sum().to_dict()
    assert shown == want


def test_session_lists_switch_and_download(app, media):
    """The full list is shown first; switching shows under-filled; the CSV is the export shape."""
    at = open_page(app, PAGE)
    sessions = expected()
    full = session_list(sessions, "full")
    assert len(at.dataframe[1].value) == len(full)
    at.segmented_control(key="capacity_list").set_value("under_filled").run()
    assert at.query_params["list"] == "under_filled"
    under = session_list(sessions, "under_filled")
    assert list(at.dataframe[1].value["Session key"]) == list(under["session_key"])
    data, file_name = download(at, media, "capacity_sessions_csv")
    assert data == to_csv_bytes(sessions_export(under, "local"))
    assert file_name == "ilt-under-filled-sessions_27-Nov-2026-to-22-Jan-2027.csv"


def test_rollup_download_holds_the_table(app, media):
    """The roll-up CSV holds exactly the roll-up table's rows."""
    at = open_page(app, PAGE)
    data, file_name = download(at, media, "capacity_rollup_csv")
    assert data == to_csv_bytes(capacity_rollup(expected(), "training"))
    assert file_name == "ilt-capacity-by-training_27-Nov-2026-to-22-Jan-2027.csv"


def test_training_filter_narrows_everything(app):
    """Picking one training in the sidebar narrows KPIs and the roll-up to it."""
    key = expected()["training_key"].value_counts().index[0]
    at = open_page(app, PAGE, sidebar={"filter_trainings": [key]})
    sessions = expected(Filters(date_from=ANCHOR, date_to=END, trainings=(key,)))
    assert len(at.dataframe[0].value) == 1
    assert at.dataframe[0].value["Sessions"].iloc[0] == len(sessions)
    kpi = capacity_kpis(sessions)
    assert {m.label: m.value for m in at.metric}["Seats offered"] == f"{kpi.seats_offered:,}"


def test_utc_link_shows_utc_times(app):
    """A link with tz=UTC shows list times in UTC, with the zone written next to them."""
    at = open_page(app, PAGE, tz="UTC")
    sessions = expected(Filters(date_from=ANCHOR, date_to=END, tz="UTC"))
    table = at.dataframe[1].value
    full = session_list(sessions, "full")
    assert set(table["Zone"]) == {"UTC"}
    assert list(table["Start"]) == list(full["start_utc"].dt.tz_localize(None))


def test_empty_range_says_what_to_change(app):
    """A range without sessions says to widen the dates instead of drawing empty charts."""
    at = open_page(app, PAGE, **{"from": "2030-01-01", "to": "2030-01-02"})
    assert any("widen the dates" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_projected_at_risk_sits_beside_todays_fill(app):
    """The Capacity page lists sessions projected to end under 50% full, with today's fill."""
    at = app(PAGE).run()
    assert any("projected to end under 50% full" in s.value for s in at.subheader)
    tables = [d.value for d in at.dataframe if "Projected fill" in d.value.columns]
    assert len(tables) == 1
    assert sorted(tables[0]["Session key"]) == projected_risk_keys()
    assert "Fill today" in tables[0].columns


def test_threshold_in_the_link_sets_the_projected_at_risk_list(app):
    """?threshold=0.7 lists the sessions projected under 70%, as Fill pace counts them."""
    at = open_page(app, PAGE, threshold="0.7")
    assert any(s.value == "At risk: projected to end under 70% full" for s in at.subheader)
    tables = [d.value for d in at.dataframe if "Projected fill" in d.value.columns]
    assert sorted(tables[0]["Session key"]) == projected_risk_keys(threshold=0.7)
    assert len(tables[0]) > len(projected_risk_keys())


def test_kpis_at_scale_have_thousands_separators(app, monkeypatch):
    """With thousands of full sessions the counts read "1,234", as every other number does."""
    monkeypatch.setenv("LU_DEMO_SESSIONS", "8000")
    at = open_page(app, PAGE, **{"from": "2026-08-01", "to": "2027-06-30"})  # every date
    portal = demo_portal(8_000)
    every_date = Filters(date_from=date(2026, 8, 1), date_to=date(2027, 6, 30))
    kpi = capacity_kpis(filter_sessions(portal.sessions, every_date))
    assert kpi.full >= 1_000
    shown = {m.label: m.value for m in at.metric}
    assert shown["Full"] == f"{kpi.full:,}" and "," in shown["Full"]
    assert shown["Overbooked"] == f"{kpi.overbooked:,}"
    assert shown["No limit set"] == f"{kpi.no_limit_sessions:,}"


def test_a_link_says_which_trainings_need_more_sessions_or_fewer(app):
    """Under the cards, one link to Fill pace counts the trainings that sell out early and
    rarely fill, as supply_demand judges them, and keeps the view's filters."""
    portal = demo_portal()
    history = demo_history(portal.sessions, portal.fetched_at)
    verdicts = supply_demand(history, portal.sessions, portal.fetched_at)["verdict"]
    sell, rare = (verdicts == SELLS_OUT).sum(), (verdicts == RARELY_FILLS).sum()
    at = open_page(app, PAGE, tz="UTC")
    (link,) = [
        p.proto for p in at.get("page_link") if p.proto.label.startswith("Supply and demand")
    ]
    assert link.label == f"Supply and demand: {sell} sell out early, {rare} rarely fills"
    assert (sell, rare) == (2, 1) and link.page == "pace"
    assert "tz=UTC" in link.query_string and "from=2026-11-27" in link.query_string
