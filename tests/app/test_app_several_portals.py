"""The app on two configured portals whose snapshots are already in the store."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lu_data import load_portal
from lu_data.analyses.filters import filter_sessions
from lu_data.sources.demo import generate_demo
from lu_data.store.store import open_store
from lu_data.views.filter_options import filter_choices
from lu_data.views.pace import EMPTY_HISTORY_MESSAGE
from tests.support import ANCHOR
from tests.support.demo import default_filters

SIZES = {"emea": 150, "apac": 80}  # two demo portals: their ids collide, their sizes differ
DEFAULT_RANGE = default_filters()


def in_range(name: str) -> int:
    """Sessions of one portal in the default date range."""
    portal = load_portal(generate_demo(n_sessions=SIZES[name], anchor=ANCHOR), name=name)
    return len(filter_sessions(portal.sessions, DEFAULT_RANGE))


@pytest.fixture
def two_portals(app):
    """An AppTest factory on two configured portals, each with a fresh snapshot stored."""
    with open_store() as store:
        for name, size in SIZES.items():
            portal = load_portal(generate_demo(n_sessions=size, anchor=ANCHOR), name=name)
            # each portal's history is recorded under its own origin, as a sync records it
            portal = replace(portal, origin=f"https://{name}.example.com/api/v1/")
            run = store.start_run(name, f"https://{name}.example.com/api/v1/")
            store.write_snapshot(name, portal, run_id=run)
            store.finish_run(run, status="ok", sessions=len(portal.sessions))
    # a long period: the server's syncer finds both snapshots fresh and fetches nothing
    table = {"username": "u", "password": "p-123456", "cache_minutes": 600}
    secrets = {
        "learnupon": {
            "portals": {
                name: {"base_url": f"https://{name}.example.com/api/v1/", **table} for name in SIZES
            }
        }
    }

    def make(page: str | None = None, **query: str | list[str]):
        at = app(page, **query)
        at.secrets["learnupon"] = secrets["learnupon"]
        return at

    return make


def sessions_card(at) -> str:
    """The Overview's Sessions card."""
    return next(m.value for m in at.metric if m.label == "Sessions")


def test_sidebar_offers_a_portal_filter_and_shows_both_portals(two_portals):
    """Both portals' sessions are counted apart; the Portal filter lists them."""
    at = two_portals().run()
    assert not at.exception, at.exception
    assert at.sidebar.radio(key="filter_source").value == "portal"
    picker = at.sidebar.multiselect(key="filter_portals")
    assert picker.options == ["apac", "emea"] and picker.value == []
    assert sessions_card(at) == f"{in_range('emea') + in_range('apac'):,}"
    ages = [c.value for c in at.sidebar.caption if "Data as of " in c.value]
    assert [a.split("  \n")[0] for a in ages] == ["**apac**", "**emea**"], ages  # each named


def test_portal_in_the_url_restricts_the_view(two_portals):
    """?portal=emea: only emea's sessions, said in the view sentence, kept in the URL."""
    at = two_portals(portal="emea").run()
    assert not at.exception, at.exception
    assert at.sidebar.multiselect(key="filter_portals").value == ["emea"]
    assert sessions_card(at) == f"{in_range('emea'):,}"
    assert any("portal emea" in c.value for c in at.sidebar.caption)
    assert at.query_params["portal"] in ("emea", ["emea"])


def test_picking_a_portal_in_the_sidebar_restricts_the_view(two_portals):
    """Choosing apac in the sidebar counts apac's sessions and writes portal=apac."""
    at = two_portals().run()
    at.sidebar.multiselect(key="filter_portals").select("apac").run()
    assert not at.exception, at.exception
    assert sessions_card(at) == f"{in_range('apac'):,}"
    assert at.query_params["portal"] in ("apac", ["apac"])


def test_a_chosen_portal_narrows_the_training_and_tutor_choices(two_portals):
    """With emea chosen, Training and Tutor offer emea's trainings and tutors only."""
    at = two_portals().run()
    every = at.sidebar.multiselect(key="filter_trainings").options
    at.sidebar.multiselect(key="filter_portals").select("emea").run()
    assert not at.exception, at.exception
    view = at.session_state["_lu_view"]
    sessions, trainings = view.portal.sessions, view.portal.trainings
    emea = filter_choices(
        sessions.loc[sessions["portal"] == "emea"], trainings.loc[trainings["portal"] == "emea"]
    )
    offered = at.sidebar.multiselect(key="filter_trainings").options
    assert offered == [emea.training_labels[k] for k in emea.trainings]
    assert 0 < len(offered) < len(every)
    tutors = at.sidebar.multiselect(key="filter_tutors").options
    assert tutors == [emea.tutor_labels[k] for k in emea.tutors]


def test_quality_page_accounts_per_portal_and_in_total(two_portals):
    """One row per portal (with its last sync) and the total, which the cards repeat."""
    at = two_portals("pages/quality.py").run()
    assert not at.exception, at.exception
    table = next(
        d.value
        for d in at.dataframe
        if list(d.value.columns[:3])
        == [
            "Portal",
            "Snapshot",
            "Last sync",
        ]
    )
    assert table["Portal"].tolist() == ["apac", "emea", "Total"]
    assert table["Last sync"].tolist()[:2] == ["ok", "ok"]
    sessions = table.set_index("Portal")["Sessions"]
    assert sessions["apac"] + sessions["emea"] == sessions["Total"]
    assert sessions["apac"] == SIZES["apac"] and sessions["emea"] == SIZES["emea"]
    assert table["Balanced"].all()
    cards = {m.label: m.value for m in at.metric}
    assert cards["Sessions"] == f"{sessions['Total']:,}"
    assert cards["Input records"] == f"{table.set_index('Portal')['Input records']['Total']:,}"


def test_portal_filter_is_carried_to_the_next_page(two_portals):
    """Picked on the Overview, the Portal filter still holds on the Capacity page."""
    at = two_portals().run()
    at.sidebar.multiselect(key="filter_portals").select("emea").run()
    at.switch_page("pages/capacity.py").run()
    assert not at.exception, at.exception
    assert at.sidebar.multiselect(key="filter_portals").value == ["emea"]
    assert any("portal emea" in c.value for c in at.caption)


def test_fill_pace_finds_each_portals_history(two_portals):
    """The combined view reads each portal's own history: the page has history to build on."""
    at = two_portals("pages/pace.py").run()
    assert not at.exception, at.exception
    texts = [i.value for i in at.info]
    assert EMPTY_HISTORY_MESSAGE not in texts
    assert any("building up" in t for t in texts)
