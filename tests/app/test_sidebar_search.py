"""Filters with thousands of choices: a search box lists what matches, selections survive."""

from __future__ import annotations

from lu_data.views.filter_options import MAX_LISTED, filter_choices, narrow_choices
from tests.support.apptest import open_page
from tests.support.demo import demo_portal

SESSIONS = 30_000  # about 2,000 trainings and 1,000 tutors: over MAX_LISTED each


def big_choices():
    """The filter choices of a large demo portal."""
    portal = demo_portal(SESSIONS)
    return filter_choices(portal.sessions, portal.trainings)


def test_narrow_choices_keeps_the_chosen_and_matches_every_word() -> None:
    """Chosen keys always stay listed; the words of the query all have to match, any case."""
    keys = ["a", "b", "c", "d"]
    labels = {"a": "First Aid at Work", "b": "Fire Warden", "c": "First Aid (classic)", "d": "SQL"}
    assert narrow_choices(keys, labels, "", ["d"], limit=2) == (["d", "a", "b"], 3)
    assert narrow_choices(keys, labels, "aid FIRST", [], limit=5) == (["a", "c"], 2)
    assert narrow_choices(keys, labels, "classic", ["b"], limit=5) == (["b", "c"], 1)
    assert narrow_choices(keys, labels, "nothing", [], limit=5) == ([], 0)


def test_long_filters_list_few_options_and_find_the_rest(app, monkeypatch) -> None:
    """The Training filter lists at most MAX_LISTED; Find brings any training within reach."""
    monkeypatch.setenv("LU_DEMO_SESSIONS", str(SESSIONS))
    choices = big_choices()
    assert len(choices.trainings) > MAX_LISTED and len(choices.tutors) > MAX_LISTED
    at = app("pages/quality.py")  # the sidebar is every page's; this page draws least besides
    at.run()
    trainings = at.sidebar.multiselect(key="filter_trainings")
    assert len(trainings.options) == MAX_LISTED
    assert any(f"of {len(choices.trainings):,} trainings" in c.value for c in at.sidebar.caption)
    # a training far down the alphabet, out of the first MAX_LISTED
    target = choices.trainings[-1]
    label = choices.training_labels[target]
    at.sidebar.text_input(key="filter_trainings_find").input(label).run()
    trainings = at.sidebar.multiselect(key="filter_trainings")
    assert label in trainings.options
    trainings.select(target).run()
    assert at.session_state["filter_trainings"] == [target]
    assert at.query_params["training"] in (target, [target])  # one value or a list of one
    # a new search keeps the chosen training listed and chosen
    at.sidebar.text_input(key="filter_trainings_find").input("zzz no such training").run()
    trainings = at.sidebar.multiselect(key="filter_trainings")
    assert trainings.value == [target] and trainings.options == [label]
    assert any("0 trainings match" in c.value for c in at.sidebar.caption)
    view = at.session_state["_lu_view"]
    assert set(view.sessions["training_key"]) <= {target}  # the filter applies as chosen


def test_tutors_page_finds_one_tutor_among_thousands(app, monkeypatch) -> None:
    """The Tutors picker lists at most MAX_LISTED tutors; Find reaches any, and picking works."""
    from lu_data.analyses.filters import filter_sessions
    from lu_data.analyses.tutors import sessions_of_tutor, tutor_labels

    monkeypatch.setenv("LU_DEMO_SESSIONS", str(SESSIONS))
    at = open_page(app, "pages/tutors.py")  # straight to the page: no Overview run at 30,000
    assert not at.exception
    picker = at.selectbox(key="tutors_pick")
    assert len(picker.options) == MAX_LISTED + 1  # "All tutors" and the first MAX_LISTED
    portal = demo_portal(SESSIONS)
    shown = filter_sessions(portal.sessions, at.session_state["_lu_view"].filters)
    labels = tutor_labels(shown)
    target = labels.index[-1]  # last by name: not among the first MAX_LISTED
    at.text_input(key="tutors_pick_find").input(labels[target]).run()
    picker = at.selectbox(key="tutors_pick")
    assert labels[target] in picker.options
    picker.select(target).run()
    sessions = {m.label: m.value for m in at.metric}["Sessions"]
    assert sessions == f"{len(sessions_of_tutor(shown, target)):,}"
    # The pick is the sidebar's Tutor filter: the view now holds their sessions only.
    assert at.multiselect(key="filter_tutors").value == [target]
    assert at.selectbox(key="tutors_pick").value == target
