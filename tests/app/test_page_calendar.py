"""Calendar page: the FullCalendar events, options, click details and timeline match lu_data."""

from __future__ import annotations

import json
from datetime import date, timedelta

from lu_data.analyses.filters import Filters, filter_sessions
from lu_data.figures.schedule import timeline_frame
from lu_data.presentation.palette import STATUS_COLORS
from tests.support import ANCHOR
from tests.support.apptest import open_page
from tests.support.demo import demo_portal

PAGE = "pages/calendar.py"
END = date(2027, 1, 22)
DEFAULT = Filters(date_from=ANCHOR, date_to=END)
DUBLIN_KEY = "legacy:600069"  # 09:00 Europe/Dublin (IST, +01:00) on Mon 17 May 2027
DUBLIN_DAY = {"from": "2027-05-17", "to": "2027-05-17"}


def expected(filters: Filters = DEFAULT):
    """The filtered demo sessions the page should be showing."""
    return filter_sessions(demo_portal().sessions, filters)


def calendar_args(at) -> dict:
    """The arguments the page passed to the streamlit-calendar component."""
    return json.loads(at.get("component_instance")[0].proto.json_args)


def session_events(at) -> list[dict]:
    """The calendar's session events, without the background shading outside the range."""
    return [e for e in calendar_args(at)["events"] if e.get("display") != "background"]


def events_by_key(at) -> dict[str, dict]:
    """The calendar's events keyed by session key."""
    return {e["id"]: e for e in session_events(at)}


def test_calendar_gets_one_event_per_filtered_session(app):
    """The calendar receives exactly the filtered sessions, coloured by fill status."""
    at = open_page(app, PAGE)
    assert at.title[0].value == "Calendar"
    sessions = expected()
    events = events_by_key(at)
    assert set(events) == set(sessions["session_key"])
    for key, status in zip(sessions["session_key"], sessions["status"].astype("str"), strict=True):
        assert events[key]["backgroundColor"] == STATUS_COLORS[status]
        assert events[key]["extendedProps"]["status"] == status


def test_calendar_options_do_not_shift_times(app):
    """FullCalendar runs in "UTC" on pre-converted times, opens on the filter's first day and
    shades only the days outside the range."""
    args = calendar_args(open_page(app, PAGE))
    options = args["options"]
    assert options["timeZone"] == "UTC"
    assert options["initialView"] == "dayGridMonth"
    assert options["initialDate"] == ANCHOR.isoformat()
    shaded = [e for e in args["events"] if "id" not in e]
    assert [(e["end"], e["start"]) for e in shaded] == [
        ("2026-11-27", "2026-10-16"),  # up to the range's first day
        ("2027-03-06", "2027-01-23"),  # from the day after its last
    ]


def test_view_switch_changes_the_calendar_view(app):
    """Picking Week opens FullCalendar's week view (a MIT view)."""
    at = open_page(app, PAGE)
    at.segmented_control(key="calendar_mode").set_value("timeGridWeek").run()
    assert calendar_args(at)["options"]["initialView"] == "timeGridWeek"
    assert at.query_params["view"] == "timeGridWeek"  # a copied link keeps the view
    assert "date" not in at.query_params  # still on the range's first day


def test_view_and_date_in_the_link_open_the_calendar_there(app):
    """?view=timeGridWeek&date=2026-12-14 opens that week; Next week moves it and the link."""
    at = open_page(app, PAGE, view="timeGridWeek", date="2026-12-14")
    assert at.segmented_control(key="calendar_mode").value == "timeGridWeek"
    assert at.date_input(key="calendar_date").value == date(2026, 12, 14)
    options = calendar_args(at)["options"]
    assert (options["initialView"], options["initialDate"]) == ("timeGridWeek", "2026-12-14")
    at.button(key="calendar_date_next").click().run()
    assert calendar_args(at)["options"]["initialDate"] == "2026-12-21"
    assert at.query_params["date"] == "2026-12-21" and at.query_params["view"] == "timeGridWeek"
    links = [link.proto.query_string for link in at.get("page_link")]
    assert not any("date=" in link or "view=" in link for link in links)  # this page's own


def test_dublin_session_at_nine_in_its_own_zone(app):
    """In session-zone mode the 09:00 Dublin session starts at 09:00, zone named in the text."""
    at = open_page(app, PAGE, **DUBLIN_DAY)
    event = events_by_key(at)[DUBLIN_KEY]
    assert event["start"] == "2027-05-17T09:00:00"
    assert event["extendedProps"]["start_display"] == "09:00 IST (+01:00)"
    assert "09:00 IST (+01:00)" in event["title"]


def test_week_view_in_own_zones_says_which_one_clock_it_uses(app):
    """Own zones on a time grid would set 09:00 Dublin beside 09:00 Mumbai: week view uses one."""
    at = open_page(app, PAGE, view="timeGridWeek", **DUBLIN_DAY)
    captions = [c.value for c in at.caption]
    assert any(
        "Week and day views show times in UTC so sessions that run together sit together" in c
        for c in captions
    )
    assert events_by_key(at)[DUBLIN_KEY]["start"] == "2027-05-17T08:00:00"
    at.segmented_control(key="calendar_mode").set_value("dayGridMonth").run()
    assert not any("Week and day views" in c.value for c in at.caption)
    assert events_by_key(at)[DUBLIN_KEY]["start"] == "2027-05-17T09:00:00"


def test_dublin_session_shifts_to_eight_in_utc(app):
    """With a tz=UTC link the same session starts at 08:00, and still names its own zone."""
    at = open_page(app, PAGE, tz="UTC", **DUBLIN_DAY)
    event = events_by_key(at)[DUBLIN_KEY]
    assert event["start"] == "2027-05-17T08:00:00"
    assert event["extendedProps"]["when"] == "08:00 UTC · own zone 09:00 IST (+01:00)"


def test_status_filter_narrows_the_events(app):
    """Filtering on a fill status in the sidebar sends only those sessions to the calendar."""
    at = open_page(app, PAGE, sidebar={"filter_statuses": ["under_filled"]})
    want = expected(Filters(date_from=ANCHOR, date_to=END, statuses=("under_filled",)))
    events = session_events(at)
    assert len(events) == len(want) > 0
    assert {e["backgroundColor"] for e in events} == {STATUS_COLORS["under_filled"]}


def test_clicking_an_event_shows_its_details(app):
    """An eventClick from the calendar shows that session's details below it."""
    at = open_page(app, PAGE, **DUBLIN_DAY)
    assert any("No session selected" in c.value for c in at.caption)
    key = "calendar_dayGridMonth_2027-05-17_local"
    at.session_state[key] = {
        "callback": "eventClick",
        "eventClick": {"event": {"id": DUBLIN_KEY}, "view": {}},
    }
    at.run()
    details = at.dataframe[0].value.set_index("Field")["Value"]
    assert details["Session key"] == DUBLIN_KEY
    assert details["Starts"] == "Mon 17 May 2027 09:00 IST (+01:00)"
    assert any(b.proto.id.endswith("calendar_selected_csv") for b in at.get("download_button"))


def test_timeline_follows_the_selector(app):
    """The timeline draws one line per training, or per tutor after the switch, all sessions."""
    at = open_page(app, PAGE)
    sessions = expected()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    frame, _ = timeline_frame(sessions, "local", "training")
    assert spec["layout"]["yaxis"]["categoryarray"] == list(dict.fromkeys(frame["row"]))
    assert sum(len(t["y"]) for t in spec["data"]) == len(sessions)
    at.segmented_control(key="calendar_timeline_by").set_value("tutor").run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    frame, _ = timeline_frame(sessions, "local", "tutor")
    assert spec["layout"]["yaxis"]["categoryarray"] == list(dict.fromkeys(frame["row"]))
    assert spec["layout"]["yaxis"]["title"]["text"] == "Tutor"
    assert at.query_params["timeline"] == "tutor"


def test_empty_range_says_what_to_change(app):
    """A range without sessions says to widen the dates and draws no calendar."""
    at = open_page(app, PAGE, **{"from": "2030-01-01", "to": "2030-01-02"})
    assert any("widen the dates" in i.value for i in at.info)
    assert not at.get("component_instance")


def test_crowded_range_pages_through_whole_days(app, monkeypatch):
    """Over 1,000 sessions in range: the calendar shows whole days that fit and says so."""
    from lu_data.views.calendar_events import MAX_EVENTS, calendar_window, sessions_days

    monkeypatch.setenv("LU_DEMO_SESSIONS", "30000")
    sessions = filter_sessions(demo_portal(30_000).sessions, DEFAULT)
    days = sessions_days(sessions, "local")
    at = open_page(app, PAGE, date=days[2].isoformat())  # a link opens the page holding it
    assert len(sessions) > MAX_EVENTS
    window = calendar_window(sessions, "local", days[2])
    args = calendar_args(at)
    assert {e["id"] for e in session_events(at)} == set(window.sessions["session_key"])
    end = (window.last_day + timedelta(days=1)).isoformat()
    shaded = [(e["end"], e["start"]) for e in args["events"] if "id" not in e]
    assert [shaded[0][0], shaded[1][1]] == [window.first_day.isoformat(), end]  # days not shown
    warning = at.warning[0].value
    assert f"{len(sessions):,} sessions are in range" in warning
    assert f"({len(window.sessions):,} sessions)" in warning
    assert args["options"]["initialDate"] == days[2].isoformat()
    at.select_slider(key="calendar_from").set_value(days[5]).run()
    later = calendar_window(sessions, "local", days[5])
    args = calendar_args(at)
    assert {e["id"] for e in session_events(at)} == set(later.sessions["session_key"])
    assert args["options"]["initialDate"] == days[5].isoformat()
    assert at.query_params["date"] == days[5].isoformat()  # the link reopens this page
