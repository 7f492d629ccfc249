"""Plan page: the suggested requests, Propose, the proof, the downloads, the reasons for what
could not be placed, bad settings, and the plan's choices in the link."""

from __future__ import annotations

import io
import json
from datetime import date, time

import pandas as pd

from lu_data.analyses.supply_demand import SELLS_OUT
from lu_data.exports.plan_export import PLAN_CSV_COLUMNS, PLAN_SHEET_NAMES
from lu_data.views.plan_tables import COUNT, EVIDENCE, VERDICT
from tests.support.apptest import download, metrics, open_page
from tests.support.demo import demo_plan, demo_portal, demo_verdicts

PAGE = "pages/plan.py"
COACHING, PRODUCT_DEMO, AGILE = "training:20011", "training:20015", "training:20012"
# Six sessions of one training in a week of five weekdays: one per training a day, so five.
CROWDED = {"add": f"{COACHING}*6", "first": "2026-12-07", "last": "2026-12-11"}


def editor(at) -> pd.DataFrame:
    """The trainings editor as the page drew it (before any edit), indexed by training key."""
    return at.dataframe[0].value


def proposed(app, **query):
    """The page opened with these choices and Propose pressed."""
    at = open_page(app, PAGE, **query)
    at.button(key="plan_propose").click().run()
    assert not at.exception, at.exception
    return at


def calendar_events(at) -> list[dict]:
    """The plan calendar's events, without the shading outside the window."""
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    return [e for e in args["events"] if e.get("display") != "background"]


def test_the_suggestion_is_one_more_of_each_training_that_sells_out(app):
    """Before Propose: the trainings that sell out early are asked for once, with the evidence
    beside them; the window starts a week after the load's day and runs 8 weeks, 09:00–17:00
    on weekdays, 30 minutes of buffer, each tutor's own weekly limit."""
    at = open_page(app, PAGE)
    assert at.title[0].value == "Plan"
    judged = demo_verdicts().set_index("training_key")
    short = judged.loc[judged["verdict"] == SELLS_OUT]
    table = editor(at)
    asked = table.loc[table[COUNT] > 0]
    assert sorted(asked.index) == sorted(short.index) == [COACHING, PRODUCT_DEMO]
    assert (asked[COUNT] == 1).all()
    assert list(asked[VERDICT]) == [SELLS_OUT, SELLS_OUT]
    assert list(asked[EVIDENCE]) == list(short.loc[asked.index, "evidence"])
    assert "5 of the last 6 sessions were full 7+ days before start" in list(asked[EVIDENCE])
    assert len(table) == len(set(demo_portal().sessions["training_key"]))  # every training
    assert at.date_input(key="plan_window").value == (date(2026, 12, 4), date(2027, 1, 28))
    assert at.time_input(key="plan_day_start").value == time(9, 0)
    assert at.time_input(key="plan_day_end").value == time(17, 0)
    assert at.toggle(key="plan_weekends").value is False
    assert at.number_input(key="plan_buffer").value == 30
    assert at.number_input(key="plan_max_hours").value is None
    assert any("press **Propose**" in i.value for i in at.info)
    assert not at.metric and not at.get("component_instance")
    assert not any(k in at.query_params for k in ("add", "first", "proposed"))  # defaults


def test_propose_shows_the_plan_and_its_proof(app):
    """Propose: the cards count the plan's rows, the proof is the dashboard's own checks, the
    table lists every proposal with its zone, UTC and room, the calendar marks them."""
    at = proposed(app)
    plan = demo_plan()
    placed = plan.plan.placed
    assert len(placed) == len(plan.plan.rows) == 2
    assert metrics(at) == {"Requested": "2", "Placed": "2", "Not placed": "0", "New clashes": "0"}
    (proof,) = [s.value for s in at.success]
    assert "0 new double-bookings, 0 new room clashes" in proof
    assert plan.proof.summary in proof
    assert any(c.value.startswith("Solver (OR-Tools CP-SAT): ") for c in at.caption)
    table = at.dataframe[1].value
    assert len(table) == len(placed)
    want = placed.sort_values("start_utc")
    assert list(table["Title"]) == list(want["training_title"])
    assert list(table["Start"]) == list(want["start_local"])
    assert list(table["Start (UTC)"]) == list(want["start_utc"].dt.tz_localize(None))
    assert list(table["Tutor"]) == list(want["tutor_name"])
    assert list(table["Room"]) == list(want["location"])
    for label, start, zone in zip(table["Zone"], want["start_utc"], want["zone"], strict=True):
        offset = start.tz_convert(zone).strftime("%z")  # the zone's offset on that day
        assert f"{offset[:3]}:{offset[3:]}" in label, (label, zone)
    assert list(table["Proposal"]) == ["Add", "Add"]
    # The link shows the proposal too, and pins what made it: a later load's suggestion and
    # window may differ.
    assert at.query_params["proposed"] == "1"
    assert at.query_params["add"] == [COACHING, PRODUCT_DEMO]
    assert (at.query_params["first"], at.query_params["last"]) == ("2026-12-04", "2027-01-28")
    events = calendar_events(at)
    drafts = [e for e in events if e["title"].startswith("Proposed: ")]
    assert len(drafts) == len(placed)
    assert {e["id"] for e in drafts} == {"proposed:1", "proposed:2"}
    assert all(e["extendedProps"]["proposed"] and e["classNames"] for e in drafts)
    assert not any(e["extendedProps"]["proposed"] for e in events if e not in drafts)


def test_csv_excel_and_ics_hold_the_plan(app, media):
    """The CSV holds every requested session, placed or not, in the documented columns; the
    workbook has a sheet of each; the .ics one "Proposed" event per placed session."""
    at = proposed(app, **CROWDED)
    plan = demo_plan(((COACHING, 6),), first_day=date(2026, 12, 7), last_day=date(2026, 12, 11))
    rows = plan.plan.rows
    assert (len(plan.plan.placed), len(plan.plan.unplaced)) == (5, 1)
    data, name = download(at, media, "plan_sessions_csv")
    assert name == "ilt-plan_7-11-Dec-2026.csv"
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == PLAN_CSV_COLUMNS
    assert len(frame) == len(rows) == 6
    assert list(frame["action"]) == ["add"] * 5 + ["unplaced"]
    placed = rows.loc[rows["action"] == "add"].sort_values("start_utc")
    assert list(pd.to_datetime(frame["start_utc"][:5], utc=True)) == list(placed["start_utc"])
    assert frame["start_local"][0].endswith("+01:00")  # Paris in December, with its offset
    assert list(frame["tutor_email"][:5]) == list(placed["tutor_email"])
    assert frame["reason"].iloc[5] == plan.plan.unplaced["reason"].iloc[0]
    assert frame["start_utc"].iloc[5] == ""

    workbook, name = download(at, media, "plan_xlsx")
    assert name == "ilt-plan_7-11-Dec-2026.xlsx"
    sheets = pd.read_excel(io.BytesIO(workbook), sheet_name=None)
    assert list(sheets) == list(PLAN_SHEET_NAMES)
    assert [len(s) for s in sheets.values()] == [5, 1]

    ics, name = download(at, media, "plan_ics")
    assert name == "ilt-plan_7-11-Dec-2026.ics"
    text = ics.decode()
    assert text.count("BEGIN:VEVENT") == 5
    assert text.count("SUMMARY:Proposed: Coaching for Managers") == 5


def test_what_is_not_placed_says_why_in_plain_text(app):
    """Each training with sessions not placed is one plain line with the planner's reason."""
    at = proposed(app, **CROWDED)
    assert metrics(at)["Not placed"] == "1"
    plan = demo_plan(((COACHING, 6),), first_day=date(2026, 12, 7), last_day=date(2026, 12, 11))
    reason = plan.plan.unplaced["reason"].iloc[0]
    assert reason.startswith("Only 5 placed: No tutor who has taught Coaching for Managers is free")
    assert "09:00–17:00 Paris on any weekday from 07 Dec to 11 Dec" in reason
    (lines,) = [t.value for t in at.text]
    assert lines == f"Coaching for Managers (1 session not placed): {reason}"
    table = at.dataframe[1].value
    assert list(table["Proposal"]) == ["Add"] * 5 + ["Not placed"]
    assert table["Reason"].iloc[5] == reason


def test_hours_that_end_before_they_start_are_refused_with_the_reason(app):
    """A working day from 17:00 to 09:00 gets the planner's own message, and no plan."""
    at = open_page(app, PAGE)
    at.time_input(key="plan_day_start").set_value(time(17, 0))
    at.time_input(key="plan_day_end").set_value(time(9, 0))
    at.button(key="plan_propose").click().run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert error == "Cannot propose: hours '17:00-09:00' end before they start."
    assert not at.metric and not at.get("component_instance")
    assert at.query_params["hours"] == "17:00-09:00"  # the link says what was asked


def test_a_window_in_the_past_is_refused_with_the_reason(app):
    """A link whose window has gone by says so instead of planning."""
    at = open_page(app, PAGE, first="2026-10-05", last="2026-10-30", proposed="1")
    (error,) = [e.value for e in at.error]
    assert error.startswith("Cannot propose: the window ends 2026-10-30, in the past (today is ")
    assert error.endswith("): new sessions start after today.")
    assert not at.metric


def test_no_training_asked_for_says_what_to_do(app):
    """Every count at 0 (?add= with nothing): nothing to plan, and the page says so."""
    at = open_page(app, PAGE, add="", proposed="1")
    assert (editor(at)[COUNT] == 0).all()
    assert any("No training has sessions to add" in i.value for i in at.info)
    assert not at.metric


def test_the_choices_round_trip_through_the_link(app):
    """Choices made on the page land in the URL; that URL opened afresh shows the same choices
    and the same plan (the planner is deterministic)."""
    at = open_page(app, PAGE)
    keys = list(editor(at).index)
    at.session_state["plan_counts"] = {
        "edited_rows": {keys.index(COACHING): {COUNT: 0}, keys.index(AGILE): {COUNT: 2}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.date_input(key="plan_window").set_value((date(2026, 12, 7), date(2026, 12, 18)))
    at.time_input(key="plan_day_start").set_value(time(10, 0))
    at.time_input(key="plan_day_end").set_value(time(16, 0))
    at.toggle(key="plan_weekends").set_value(True)
    at.number_input(key="plan_buffer").set_value(45)
    at.number_input(key="plan_max_hours").set_value(12.0)
    at.button(key="plan_propose").click().run()
    assert not at.exception, at.exception
    link = dict(at.query_params)
    assert {k: v for k, v in link.items() if k not in ("source", "from", "to", "tz")} == {
        "add": [f"{AGILE}*2", PRODUCT_DEMO],
        "first": "2026-12-07",
        "last": "2026-12-18",
        "hours": "10:00-16:00",
        "weekends": "1",
        "buffer": "45",
        "max_hours": "12",
        "proposed": "1",
    }
    assert metrics(at)["Requested"] == "3"
    table = at.dataframe[1].value

    again = open_page(app, PAGE, **link)
    assert again.date_input(key="plan_window").value == (date(2026, 12, 7), date(2026, 12, 18))
    assert again.time_input(key="plan_day_start").value == time(10, 0)
    assert again.time_input(key="plan_day_end").value == time(16, 0)
    assert again.toggle(key="plan_weekends").value is True
    assert again.number_input(key="plan_buffer").value == 45
    assert again.number_input(key="plan_max_hours").value == 12.0
    counts = editor(again)[COUNT]
    assert counts[counts > 0].to_dict() == {AGILE: 2, PRODUCT_DEMO: 1}
    pd.testing.assert_frame_equal(again.dataframe[1].value, table)
    plan = demo_plan(
        ((AGILE, 2), (PRODUCT_DEMO, 1)),
        first_day=date(2026, 12, 7),
        last_day=date(2026, 12, 18),
        day_start=time(10, 0),
        day_end=time(16, 0),
        weekends=True,
        buffer_minutes=45,
        max_week_hours=12.0,
    )
    assert metrics(again)["Placed"] == f"{len(plan.plan.placed)}"
    assert list(table["Start (UTC)"].dropna()) == list(
        plan.plan.placed["start_utc"].sort_values().dt.tz_localize(None)
    )


def test_a_link_to_trainings_this_data_lacks_says_so(app):
    """A link made on other data: the trainings it names that are not here are left out, and
    the page says which (as plain text)."""
    at = open_page(app, PAGE, add=["training:999*2", f"{AGILE}*3", "**bold**"])
    counts = editor(at)[COUNT]
    assert counts[counts > 0].to_dict() == {AGILE: 3}
    (warning,) = [w.value for w in at.warning]
    assert warning == (
        "The link asks for 2 trainings this data does not hold, left out: `**bold**`, "
        "`training:999*2`."
    )


def test_coming_back_from_another_page_starts_afresh(app):
    """The menu's link back to the Plan carries no plan: the last visit's Propose and edits are
    not shown again as if asked for."""
    at = proposed(app, add=f"{AGILE}*2")
    assert metrics(at)["Requested"] == "2"
    at.switch_page("pages/calendar.py").run()
    at.query_params.clear()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert not at.metric and any("press **Propose**" in i.value for i in at.info)
    counts = editor(at)[COUNT]
    assert sorted(counts[counts > 0].index) == [COACHING, PRODUCT_DEMO]


def test_new_data_starts_the_trainings_afresh(app, monkeypatch):
    """The editor's edits are rows of one load's trainings: once the data changes (here a bigger
    demo, with more trainings), it starts again from the link, which names trainings by key,
    rather than put the edits on whatever rows now stand where they were."""
    at = open_page(app, PAGE)
    keys = list(editor(at).index)
    at.session_state["plan_counts"] = {
        "edited_rows": {keys.index(AGILE): {COUNT: 4}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert at.query_params["add"] == [f"{AGILE}*4", COACHING, PRODUCT_DEMO]
    monkeypatch.setenv("LU_DEMO_SESSIONS", "700")
    at.run()
    assert not at.exception
    table = editor(at)
    assert len(table) > len(keys)  # another load: other rows
    assert table.loc[table[COUNT] > 0, COUNT].to_dict() == {AGILE: 4, COACHING: 1, PRODUCT_DEMO: 1}
    assert not at.session_state["plan_counts"]["edited_rows"]


def test_clicking_a_proposal_on_the_calendar_shows_its_details(app):
    """An eventClick on a proposed session shows it as a session would be shown."""
    at = proposed(app)
    at.session_state["plan_calendar_dayGridMonth_2026-12-04_local"] = {
        "callback": "eventClick",
        "eventClick": {"event": {"id": "proposed:1"}, "view": {}},
    }
    at.run()
    assert not at.exception
    details = at.dataframe[-1].value.set_index("Field")["Value"]
    first = demo_plan().proposals.iloc[0]
    assert details["Session key"] == "proposed:1"
    assert details["Title"] == first["title"]
    assert details["Seats"] == f"0/{first['max_capacity']} seats"


def test_a_plan_with_nothing_placed_still_says_why_and_draws(app):
    """A working day shorter than the training: nothing placed, the reason, no .ics to take."""
    at = open_page(app, PAGE, add=COACHING, hours="09:00-10:00", proposed="1")
    assert metrics(at) == {"Requested": "1", "Placed": "0", "Not placed": "1", "New clashes": "0"}
    (lines,) = [t.value for t in at.text]
    assert lines.startswith("Coaching for Managers (1 session not placed): No 2 h session of")
    assert "fits 09:00–10:00" in lines
    ics = next(b for b in at.get("download_button") if b.proto.id.endswith("-plan_ics"))
    assert ics.proto.disabled
    assert any(c.value.startswith("No proposal could be placed; here are the ") for c in at.caption)
    assert not [e for e in calendar_events(at) if e["title"].startswith("Proposed")]
