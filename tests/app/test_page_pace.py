"""Fill pace & forecast page: its table, at-risk count, chart and empty state match lu_data."""

from __future__ import annotations

from functools import lru_cache

from lu_data.analyses.filters import Filters, filter_sessions
from lu_data.analyses.forecast import (
    project_sessions,
    projected_at_risk,
    typical_curves,
    upcoming_sessions,
)
from lu_data.analyses.supply_demand import RARELY_FILLS, SELLS_OUT, TOO_FEW, supply_demand
from lu_data.exports.csv import to_csv_bytes
from lu_data.sources.demo import generate_demo
from lu_data.store.demo_history import demo_history
from lu_data.views.pace import EMPTY_HISTORY_MESSAGE
from tests.support import ANCHOR
from tests.support.apptest import download, metrics, open_page
from tests.support.demo import default_filters, demo_portal

PAGE = "pages/pace.py"
DEFAULT = default_filters()


@lru_cache(maxsize=1)
def demo():
    """The demo portal for the pinned today and its typical curves, built once."""
    portal = demo_portal()
    history = demo_history(portal.sessions, portal.fetched_at)
    return portal, typical_curves(history, portal.sessions, portal.fetched_at)


def expected(filters: Filters = DEFAULT, threshold: float = 0.5):
    """Upcoming filtered sessions, their projections and the at-risk ones."""
    portal, curves = demo()
    shown = filter_sessions(portal.sessions, filters)
    projections = project_sessions(shown, curves, portal.fetched_at)
    upcoming = upcoming_sessions(shown, portal.fetched_at)
    return upcoming, projections, projected_at_risk(shown, projections, threshold)


def test_page_shows_title_upcoming_table_and_at_risk(app):
    """Title, one row per upcoming filtered session, and the at-risk count of lu_data."""
    at = open_page(app, PAGE)
    assert at.title[0].value == "Fill pace & forecast"
    upcoming, projections, risk = expected()
    table = at.dataframe[0].value
    assert len(table) == len(upcoming) == len(projections) > 0
    assert set(table["Session key"]) == set(upcoming["session_key"])
    assert metrics(at)["Projected at risk"] == str(len(risk))
    assert int(table["At risk"].sum()) == len(risk)


def test_threshold_slider_changes_the_at_risk_count(app):
    """Raising the threshold to 80% flags exactly projected_at_risk(threshold=0.8)."""
    at = open_page(app, PAGE)
    at.slider(key="pace_threshold").set_value(80).run()
    assert not at.exception
    _, _, risk = expected(threshold=0.8)
    assert metrics(at)["Projected at risk"] == str(len(risk))
    assert int(at.dataframe[0].value["At risk"].sum()) == len(risk)
    assert at.query_params["threshold"] == "0.8"  # a copied link keeps the threshold


def test_threshold_in_the_link_sets_the_slider_and_the_count(app):
    """?threshold=0.3 opens with the slider at 30 % and flags projected_at_risk(0.3)."""
    at = open_page(app, PAGE, threshold="0.3")
    assert at.slider(key="pace_threshold").value == 30
    _, _, risk = expected(threshold=0.3)
    assert metrics(at)["Projected at risk"] == str(len(risk))
    assert "30%" in next(m.help for m in at.metric if m.label == "Projected at risk")
    at.selectbox(key="pace_session").select_index(1).run()  # a picked session joins the link
    picked = at.selectbox(key="pace_session").value
    assert at.query_params["session"] == picked and at.query_params["threshold"] == "0.3"


def test_sidebar_filters_narrow_the_table(app):
    """A preset status filter leaves only that status's upcoming sessions in the table."""
    at = open_page(app, PAGE, {"filter_statuses": ["under_filled"]})
    filters = default_filters(statuses=("under_filled",))
    upcoming, _, risk = expected(filters)
    assert len(at.dataframe[0].value) == len(upcoming)
    assert metrics(at)["Projected at risk"] == str(len(risk))


def test_chart_method_and_backtest_are_shown(app):
    """The pace chart draws the session over its curve; the method and back-test are shown."""
    import json

    at = open_page(app, PAGE)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [trace.get("name", "") for trace in spec["data"]]
    assert "This session" in names and any(n.startswith("Typical (median") for n in names)
    assert any("pace ratio" in m.value for m in at.markdown)
    shown = metrics(at)
    assert shown["Back-test, 7 days out"].startswith("±")
    assert shown["Back-test, 14 days out"].endswith(" seats")


def test_portal_source_without_history_shows_the_empty_state(
    app, fake_portal_env, monkeypatch, tmp_path
):
    """A configured portal with an empty history store explains how history builds up."""
    at = app()
    monkeypatch.setenv("LU_HISTORY_URL", f"sqlite:///{tmp_path / 'history.sqlite3'}")
    fake_portal_env(generate_demo(anchor=ANCHOR), "u", "pw-123456")
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    texts = [i.value for i in at.info]
    # Once the router records each load, history exists but no session has run yet.
    assert EMPTY_HISTORY_MESSAGE in texts or any("building up" in t for t in texts)
    assert not at.dataframe


def test_supply_and_demand_lists_the_demos_candidates_with_their_csv(app, media):
    """The section's cards, candidate lines, table and CSV are supply_demand's over every date
    of the view's other filters: the demo has trainings that sell out and one that rarely fills."""
    portal, _ = demo()
    history = demo_history(portal.sessions, portal.fetched_at)
    expected = supply_demand(history, portal.sessions, portal.fetched_at, 0.5)
    at = open_page(app, PAGE)
    shown = metrics(at)
    counts = expected["verdict"].value_counts()
    assert shown["Sell out early"] == str(counts[SELLS_OUT]) == "2"
    assert shown["Rarely fill"] == str(counts[RARELY_FILLS]) == "1"
    assert shown["Not enough history"] == str(counts[TOO_FEW])
    lines = "\n".join(t.value for t in at.text)
    assert "Coaching for Managers: 5 of the last 6 sessions were full 7+ days before start" in lines
    assert "SQL for Analysts: 5 of the last 6 sessions ended under 50% full" in lines
    table = next(d.value for d in at.dataframe if "Verdict" in d.value.columns)
    assert list(table["Training"]) == list(expected["title"])
    assert list(table["Evidence"]) == list(expected["evidence"])
    coaching = table.set_index("Training").loc["Coaching for Managers"]
    assert (coaching["Full early"], coaching["Under 50%"]) == ("5 of 6", "0 of 6")
    data, name = download(at, media, "pace_demand_csv")
    assert data == to_csv_bytes(expected)
    assert name == "ilt-supply-demand_all-dates.csv"


def test_supply_and_demand_follows_the_threshold_and_the_training_filter(app):
    """At 80% five trainings rarely fill, not one; a training filter leaves that training."""
    portal, _ = demo()
    history = demo_history(portal.sessions, portal.fetched_at)
    at_80 = supply_demand(history, portal.sessions, portal.fetched_at, 0.8)
    at = open_page(app, PAGE, threshold="0.8")
    assert metrics(at)["Rarely fill"] == str((at_80["verdict"] == RARELY_FILLS).sum()) == "5"
    assert any("ended under 80% full" in t.value for t in at.text)
    sql = portal.sessions.loc[portal.sessions["title"] == "SQL for Analysts", "training_key"]
    at = open_page(app, PAGE, {"filter_trainings": [sql.iloc[0]]})
    table = next(d.value for d in at.dataframe if "Verdict" in d.value.columns)
    assert list(table["Training"]) == ["SQL for Analysts"]
    assert list(table["Verdict"]) == [RARELY_FILLS]
