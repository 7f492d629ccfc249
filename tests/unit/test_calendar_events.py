"""FullCalendar events and options, the click hand-back, and the schedule timeline's rows."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from lu_data.figures.schedule import timeline_figure, timeline_frame
from lu_data.figures.style import WEEK_MS
from lu_data.model.timezones import localize
from lu_data.presentation.palette import STATUS_COLORS
from lu_data.views.calendar_events import (
    CALENDAR_CSS,
    CALENDAR_VIEWS,
    LIST_VIEW,
    calendar_events,
    calendar_options,
    clicked_session_key,
    grid_zone,
    outside_range_events,
    seats_text,
    session_details,
)
from tests.support import ANCHOR


def at_zone(sessions: pd.DataFrame, starts_utc: list[str], zone: str) -> pd.DataFrame:
    """Copies of the first sessions moved to given UTC starts (2 h long) in one IANA zone."""
    out = sessions.head(len(starts_utc)).copy()
    out["start_utc"] = pd.to_datetime(starts_utc, utc=True).astype("datetime64[us, UTC]")
    out["end_utc"] = out["start_utc"] + pd.Timedelta(hours=2)
    out["tz"] = zone
    out["start_local"], out["utc_offset"], out["tz_abbr"] = localize(out["start_utc"], out["tz"])
    out["end_local"], _, _ = localize(out["end_utc"], out["tz"])
    return out


@pytest.fixture
def dublin_dst(view_sessions) -> pd.DataFrame:
    """Two 09:00 Dublin sessions either side of the clocks going back (25 Oct 2026)."""
    return at_zone(view_sessions, ["2026-10-20T08:00:00Z", "2026-10-27T09:00:00Z"], "Europe/Dublin")


def test_dublin_nine_oclock_stays_nine_across_dst(dublin_dst):
    """In session-zone mode a 09:00 Dublin session starts at 09:00 before and after the change."""
    events = calendar_events(dublin_dst, "local")
    assert [e["start"] for e in events] == ["2026-10-20T09:00:00", "2026-10-27T09:00:00"]
    assert [e["extendedProps"]["start_own"] for e in events] == [
        "09:00 IST (+01:00)",
        "09:00 GMT (+00:00)",
    ]


@pytest.mark.parametrize(
    ("tz", "starts", "texts"),
    [
        (
            "UTC",
            ["2026-10-20T08:00:00", "2026-10-27T09:00:00"],
            [
                "08:00 UTC · own zone 09:00 IST (+01:00)",
                "09:00 UTC · own zone 09:00 GMT (+00:00)",
            ],
        ),
        # New York changes a week later, so the gap is 5 h then 4 h.
        (
            "America/New_York",
            ["2026-10-20T04:00:00", "2026-10-27T05:00:00"],
            [
                "04:00 EDT (-04:00) · own zone 09:00 IST (+01:00)",
                "05:00 EDT (-04:00) · own zone 09:00 GMT (+00:00)",
            ],
        ),
    ],
)
def test_other_display_zones_shift_by_the_right_offset(dublin_dst, tz, starts, texts):
    """Picked zones get the shifted wall clock, with both zones named in the event."""
    events = calendar_events(dublin_dst, tz)
    assert [e["start"] for e in events] == starts
    assert [e["extendedProps"]["when"] for e in events] == texts
    assert all(t in e["title"] for t, e in zip(texts, events, strict=True))


def test_a_browser_zone_alias_says_the_time_once(view_sessions):
    """A browser in "Asia/Calcutta" (the old name of Asia/Kolkata) reads a Kolkata session's
    start once, not "09:30 IST (+05:30) · own zone 09:30 IST (+05:30)"; another zone still
    reads both."""
    kolkata = at_zone(view_sessions, ["2026-12-07T04:00:00Z"], "Asia/Kolkata")
    assert [e["extendedProps"]["when"] for e in calendar_events(kolkata, "Asia/Calcutta")] == [
        "09:30 IST (+05:30)"
    ]
    assert [e["extendedProps"]["when"] for e in calendar_events(kolkata, "Asia/Tokyo")] == [
        "13:00 JST (+09:00) · own zone 09:30 IST (+05:30)"
    ]


def test_events_carry_status_colours_and_plain_text(view_sessions):
    """One event per session, coloured by status, with title, tutor, location and seats as text."""
    events = calendar_events(view_sessions, "local")
    assert len(events) == len(view_sessions)
    by_key = view_sessions.set_index("session_key")
    for event in events:
        row = by_key.loc[event["id"]]
        props = event["extendedProps"]
        assert event["backgroundColor"] == STATUS_COLORS[str(row["status"])]
        assert event["allDay"] is False
        assert props["title"] in event["title"] and props["seats"] in event["title"]
        assert props["tutor"] in event["title"] and props["location"] in event["title"]
        assert "<" not in event["title"]
        assert len(event["start"]) == 19 and "+" not in event["start"]  # naive wall clock


def test_seats_text_reads_as_people_say_it(view_sessions):
    """Seats read "12/15 seats", or "7 enrolled · no limit" without a capacity."""
    frame = view_sessions.head(2).copy()
    frame["enrolled"] = pd.array([12, 7], dtype="Int64")
    frame["max_capacity"] = pd.array([15, None], dtype="Int64")
    assert seats_text(frame).tolist() == ["12/15 seats", "7 enrolled · no limit"]


def test_events_are_capped_to_the_earliest(view_sessions):
    """With a limit, only the earliest sessions are sent to the browser."""
    events = calendar_events(view_sessions, "UTC", limit=10)
    first = view_sessions.sort_values(["start_utc", "session_key"]).head(10)["session_key"].tolist()
    assert [e["id"] for e in events] == first
    assert calendar_events(view_sessions.head(0), "UTC") == []


def test_options_pin_utc_and_open_on_the_day():
    """Options keep FullCalendar from shifting times; the page, not validRange, keeps the range."""
    opts = calendar_options("timeGridWeek", date(2026, 12, 1), ANCHOR)
    assert opts["timeZone"] == "UTC"
    assert opts["initialView"] == "timeGridWeek"
    assert opts["initialDate"] == "2026-12-01"
    assert "validRange" not in opts  # shading is per day: outside_range_events
    # "Tue 1 Dec" in the calendar as on every other page, not en-US "Tue, Dec 1".
    assert opts["locale"] == "en-GB" and opts["firstDay"] == 1
    assert not any("resource" in v.lower() or "timeline" in v.lower() for v in CALENDAR_VIEWS)
    with pytest.raises(ValueError, match="unknown calendar view"):
        calendar_options("resourceTimelineDay", None, ANCHOR)


def test_two_day_session_is_one_event_from_its_real_start_to_its_real_end(view_sessions):
    """11:00 Mon 7 Dec to 14:00 Tue 8 Dec in Dublin (GMT, +00:00): one event, one bar.

    The month view draws a timed event over every day it touches (threshold 00:00), and a
    piece wrapped onto the next week's row shows no "00:00" time; the title says when it ends.
    """
    two_days = at_zone(view_sessions, ["2026-12-07T11:00:00Z"], "Europe/Dublin")
    two_days["end_utc"] = pd.Series(
        pd.to_datetime(["2026-12-08T14:00:00Z"]), index=two_days.index
    ).astype("datetime64[us, UTC]")
    two_days["end_local"], _, _ = localize(two_days["end_utc"], two_days["tz"])
    (event,) = calendar_events(two_days, "local")
    assert (event["start"], event["end"]) == ("2026-12-07T11:00:00", "2026-12-08T14:00:00")
    assert event["allDay"] is False
    assert event["extendedProps"]["when"] == "11:00 GMT (+00:00) · until Tue 8 Dec 14:00"
    assert event["title"].endswith("11:00 GMT (+00:00) · until Tue 8 Dec 14:00")
    month = calendar_options("dayGridMonth", date(2026, 12, 7), ANCHOR)["views"]["dayGridMonth"]
    assert month["nextDayThreshold"] == "00:00:00"
    assert ".fc-daygrid-event:not(.fc-event-start) .fc-event-time { display: none; }" in (
        CALENDAR_CSS
    )
    one_day = calendar_events(
        at_zone(view_sessions, ["2026-12-07T22:00:00Z"], "Europe/Dublin"), "local"
    )
    assert "until" not in one_day[0]["title"]  # 22:00 to midnight ends on its own day


def test_time_grids_put_every_session_on_one_clock(view_sessions):
    """Sydney 08:00 (+11:00) and Mumbai 09:00 (+05:30) on Tue 8 Dec: 21:00 Mon and 03:30 in UTC."""
    sydney = at_zone(view_sessions, ["2026-12-07T21:00:00Z"], "Australia/Sydney")
    mumbai = at_zone(view_sessions.iloc[1:], ["2026-12-08T03:30:00Z"], "Asia/Kolkata")
    both = pd.concat([sydney, mumbai])
    own = calendar_events(both, "local")  # side by side on a time grid, 08:00 and 09:00
    assert [e["start"] for e in own] == ["2026-12-08T08:00:00", "2026-12-08T09:00:00"]
    zone = grid_zone("timeGridWeek", "local", None)
    assert zone == "UTC"
    events = calendar_events(both, zone)
    assert [e["start"] for e in events] == ["2026-12-07T21:00:00", "2026-12-08T03:30:00"]
    assert [e["end"] for e in events] == ["2026-12-07T23:00:00", "2026-12-08T05:30:00"]
    assert events[0]["extendedProps"]["when"] == "21:00 UTC · own zone 08:00 AEDT (+11:00)"
    assert grid_zone("timeGridDay", "local", "Asia/Kolkata") == "Asia/Kolkata"
    assert grid_zone("timeGridDay", "local", "Not/AZone") == "UTC"
    assert grid_zone("dayGridMonth", "local", "Asia/Kolkata") == "local"
    assert grid_zone(LIST_VIEW, "local", "Asia/Kolkata") == "local"
    assert grid_zone("timeGridWeek", "America/New_York", "Asia/Kolkata") == "America/New_York"


@pytest.mark.parametrize("view", ["dayGridMonth", "timeGridWeek"])
def test_only_days_outside_the_range_are_shaded(view):
    """Range Thu 10 – Sun 20 Dec: the month grid (30 Nov – 10 Jan) shades 9 Dec and before,
    21 Dec and after, and none of 10–20 Dec, not the whole week of the range's first day."""
    first, last = date(2026, 12, 10), date(2026, 12, 20)
    shades = outside_range_events(view, first, last)
    assert all(e["display"] == "background" and "id" not in e for e in shades)
    spans = [
        (date.fromisoformat(e["start"][:10]), date.fromisoformat(e["end"][:10])) for e in shades
    ]
    grid = [date(2026, 11, 30) + timedelta(days=i) for i in range(42)]
    shaded = {d for d in grid if any(start <= d < end for start, end in spans)}
    assert shaded == {d for d in grid if d < first or d > last}
    timed = view == "timeGridWeek"
    assert all(e["allDay"] is not timed for e in shades)
    assert all(e["start"].endswith("T00:00:00") == timed for e in shades)
    assert outside_range_events(view, None, None) == []


def test_clicked_session_key_reads_event_clicks_only():
    """Only an eventClick hand-back names a session; other callbacks and empty state do not."""
    click = {
        "callback": "eventClick",
        "eventClick": {"event": {"id": "session:1", "extendedProps": {}}, "view": {}},
    }
    assert clicked_session_key(click) == "session:1"
    assert clicked_session_key({"callback": "dateClick", "dateClick": {}}) is None
    assert clicked_session_key({}) is None
    assert clicked_session_key(None) is None


def test_session_details_show_both_zones(dublin_dst):
    """The details of a clicked session give its start in the display zone and its own zone."""
    key = dublin_dst["session_key"].iloc[0]
    details = session_details(dublin_dst, key, "UTC").set_index("Field")["Value"]
    assert details["Starts"] == "Tue 20 Oct 2026 08:00 UTC · own zone 09:00 IST (+01:00)"
    assert session_details(dublin_dst, "nope", "UTC").empty


def test_timeline_keeps_busiest_rows_under_the_caps(view_sessions):
    """The timeline keeps the busiest trainings/tutors, at most `top` lines and `max_bars` bars."""
    frame, total = timeline_frame(view_sessions, "local", "training", top=5)
    assert total == view_sessions["training_key"].nunique()
    assert frame["row"].nunique() == 5
    busiest = view_sessions["training_key"].value_counts().iloc[:5].sum()
    assert len(frame) == busiest
    small, _ = timeline_frame(view_sessions, "local", "tutor", top=50, max_bars=20)
    assert 0 < len(small) <= 20
    fig = timeline_figure(frame, "local", "training")
    assert sum(len(t.y) for t in fig.data) == len(frame)
    assert {t.marker.color for t in fig.data} <= set(STATUS_COLORS.values())


def test_timeline_ticks_fall_on_mondays_like_the_other_weekly_charts(view_sessions):
    """Plotly's weekly ticks land on Sundays; the timeline's start on the Monday before."""
    frame, _ = timeline_frame(view_sessions, "local", "training", top=5)
    axis = timeline_figure(frame, "local", "training").layout.xaxis
    tick0 = pd.Timestamp(axis.tick0)
    assert tick0.day_name() == "Monday" and tick0 == tick0.normalize()
    assert tick0 <= frame["start"].min() < tick0 + pd.Timedelta(days=7)
    assert axis.dtick % WEEK_MS == 0 and axis.tickformat == "%-d %b"  # "1 Dec"


def test_calendar_window_holds_whole_days_that_fit(view_sessions):
    """Whole display days from the start while they fit; quiet days up to the next stay in."""
    from lu_data.presentation.display_zone import display_times
    from lu_data.views.calendar_events import calendar_window, sessions_days

    day = display_times(view_sessions, "local")["start_display"].dt.normalize()
    per_day = day.value_counts().sort_index()
    limit = int(per_day.iloc[:3].sum())  # exactly the first three days
    window = calendar_window(view_sessions, "local", limit=limit)
    assert len(window.sessions) == limit and not window.day_capped
    assert window.first_day == per_day.index[0].date()
    assert window.last_day == (per_day.index[3] - pd.Timedelta(days=1)).date()
    shown = day.loc[window.sessions.index]
    assert set(shown) == set(per_day.index[:3])
    days = sessions_days(view_sessions, "local")
    later = calendar_window(view_sessions, "local", start=days[3], limit=limit)
    assert later.first_day == days[3] and later.total == len(view_sessions)
    busy = per_day.index[per_day.to_numpy() >= 2][0].date()
    crowded = calendar_window(view_sessions, "local", start=busy, limit=1)  # that day is too many
    assert crowded.day_capped and crowded.first_day == busy
    assert len(crowded.sessions) == per_day[pd.Timestamp(busy)]
    everything = calendar_window(view_sessions, "local")
    assert len(everything.sessions) == len(view_sessions)


def test_list_covers_the_days_it_is_given_not_one_month():
    """The List view spans the filtered range (the end is exclusive for FullCalendar); without
    a range it shows the month it opens on."""
    spanned = calendar_options(LIST_VIEW, date(2026, 12, 14), ANCHOR, (ANCHOR, date(2027, 1, 22)))
    assert spanned["initialView"] == "list"
    assert spanned["visibleRange"] == {"start": "2026-11-27", "end": "2027-01-23"}
    month = calendar_options(LIST_VIEW, date(2026, 12, 14), ANCHOR)
    assert month["visibleRange"] == {"start": "2026-12-01", "end": "2027-01-01"}


def test_step_day_moves_by_the_views_period_and_clamp_keeps_in_range():
    """Month views step to the 1st of the next/previous month, week and day views by 7 or 1."""
    from lu_data.views.calendar_events import clamp_day, step_day

    assert step_day("dayGridMonth", date(2026, 12, 14), 1) == date(2027, 1, 1)
    assert step_day("dayGridMonth", date(2027, 1, 31), -1) == date(2026, 12, 1)
    assert step_day("timeGridWeek", date(2026, 12, 14), -1) == date(2026, 12, 7)
    assert step_day("timeGridDay", date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert clamp_day(date(2026, 1, 1), ANCHOR, date(2027, 1, 22)) == ANCHOR
    assert clamp_day(date(2030, 1, 1), ANCHOR, date(2027, 1, 22)) == date(2027, 1, 22)
