"""ICS export: RFC 5545 structure, stable UIDs, DST-correct instants, escaping, folding."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd
import pytest

from lu_data.cli.commands import main
from lu_data.exports.ics import fold_line, sessions_ics, vtimezone
from tests.support.records import sessions_of, timed_record

DUBLIN = "Europe/Dublin"


def parse(data: bytes) -> icalendar.Calendar:
    """Parse ICS bytes back with the icalendar package."""
    return icalendar.Calendar.from_ical(data)


def events_by_uid(data: bytes) -> dict[str, icalendar.Event]:
    """The VEVENTs of an export, keyed by UID."""
    return {str(ev["UID"]): ev for ev in parse(data).walk("VEVENT")}


@pytest.fixture
def dst_pair() -> pd.DataFrame:
    """Two 09:00 Dublin sessions either side of the 2026-10-25 clock change."""
    return sessions_of(
        timed_record(1, "2026-10-20T08:00:00Z", "2026-10-20T09:30:00Z", timezone="Dublin"),
        timed_record(2, "2026-10-27T09:00:00Z", "2026-10-27T10:30:00Z", timezone="Dublin"),
    )


def test_calendar_properties_and_one_event_per_session(data_dir):
    """VCALENDAR carries PRODID, VERSION, CALSCALE, METHOD, the name, and one VEVENT a session."""
    sessions = load_portal_sessions(data_dir / "sample_ilt_center.json")
    data = sessions_ics(sessions, name="Elsa's sessions; Q4, 2026")
    cal = parse(data)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]).startswith("-//")
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "PUBLISH"
    # TEXT escaping applies (icalendar leaves X- properties escaped when it reads them back).
    assert b"X-WR-CALNAME:Elsa's sessions\\; Q4\\, 2026\r\n" in data
    assert len(cal.walk("VEVENT")) == len(sessions) == 3
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")  # every line ends in CRLF


def load_portal_sessions(path) -> pd.DataFrame:
    """The sessions frame of a committed sample file."""
    from lu_data import load_source

    return load_source(path).sessions


def test_uids_are_stable_and_output_deterministic(data_dir):
    """UIDs derive from session keys; the same input gives the same bytes; filters keep UIDs."""
    sessions = load_portal_sessions(data_dir / "sample_ilt_center.json")
    first, second = sessions_ics(sessions), sessions_ics(sessions)
    assert first == second
    uids = set(events_by_uid(first))
    assert uids == {
        "session-12222@lu-ilt-sessions",
        "session-12333@lu-ilt-sessions",
        "session-12355@lu-ilt-sessions",
    }
    one_tutor = sessions[sessions["tutor_name"] == "Elsa Bouvier"]
    assert set(events_by_uid(sessions_ics(one_tutor))) < uids
    # Row order of the view does not change the feed.
    assert sessions_ics(sessions.iloc[::-1]) == first
    legacy = load_portal_sessions(data_dir / "sample_legacy.json")
    assert "legacy-552896@lu-ilt-sessions" in events_by_uid(sessions_ics(legacy))


def test_dtstart_instants_are_correct_across_a_dst_change(dst_pair):
    """09:00 Dublin on 20 Oct (IST) is 08:00Z and on 27 Oct (GMT) 09:00Z; TZID names the zone."""
    events = events_by_uid(sessions_ics(dst_pair))
    before = events["session-1@lu-ilt-sessions"]
    after = events["session-2@lu-ilt-sessions"]
    for ev in (before, after):
        assert ev["DTSTART"].params["TZID"] == DUBLIN
        assert ev.decoded("DTSTART").strftime("%H:%M") == "09:00"
    assert before.decoded("DTSTART").astimezone(UTC) == datetime(2026, 10, 20, 8, tzinfo=UTC)
    assert after.decoded("DTSTART").astimezone(UTC) == datetime(2026, 10, 27, 9, tzinfo=UTC)
    assert after.decoded("DTEND").astimezone(UTC) == datetime(2026, 10, 27, 10, 30, tzinfo=UTC)


def test_every_tzid_has_a_vtimezone_that_matches_zoneinfo(dst_pair):
    """Each zone used gets a VTIMEZONE whose offsets equal zoneinfo's over the years spanned."""
    data = sessions_ics(dst_pair)
    cal = parse(data)
    assert cal.get_missing_tzids() == set()
    (vtz,) = cal.walk("VTIMEZONE")
    assert str(vtz["TZID"]) == DUBLIN
    assert_vtimezone_matches(vtz, DUBLIN, 2026, 2026)


@pytest.mark.parametrize(
    "zone",
    ["Australia/Sydney", "America/Sao_Paulo", "Pacific/Chatham", "Asia/Kolkata", "Etc/GMT+12"],
)
def test_vtimezone_matches_zoneinfo_for_other_zones(zone):
    """Southern-hemisphere, 45-minute, abolished-DST and fixed zones all rebuild exactly."""
    vtz = icalendar.Calendar.from_ical(
        "BEGIN:VCALENDAR\r\n" + vtimezone(zone, 2017, 2027) + "END:VCALENDAR\r\n"
    ).walk("VTIMEZONE")[0]
    assert_vtimezone_matches(vtz, zone, 2017, 2027)


def assert_vtimezone_matches(vtz: icalendar.Timezone, zone: str, first: int, last: int) -> None:
    """Offsets read from the VTIMEZONE alone (RFC 5545 rules) equal zoneinfo's over the years.

    Each observance starts at its DTSTART read in its TZOFFSETFROM; an instant takes the
    TZOFFSETTO of the last observance started. Checked hourly and a minute either side of
    every change.
    """
    onsets = sorted(
        (
            obs.decoded("DTSTART").replace(tzinfo=UTC) - obs.decoded("TZOFFSETFROM"),
            obs.decoded("TZOFFSETTO"),
        )
        for obs in vtz.subcomponents
    )
    real = ZoneInfo(zone)
    start, end = datetime(first, 1, 1, tzinfo=UTC), datetime(last + 1, 1, 1, tzinfo=UTC)
    assert onsets[0][0] <= start
    hours = int((end - start).total_seconds()) // 3600
    instants = [start + timedelta(hours=h) for h in range(hours)]
    for onset, _ in onsets[1:]:
        instants += [onset - timedelta(minutes=1), onset, onset + timedelta(minutes=1)]
    for t in instants:
        offset = [to for onset, to in onsets if onset <= t][-1]
        assert offset == t.astimezone(real).utcoffset(), (zone, t)
    assert len(onsets) > 1 or zone.startswith(("Asia/Kolkata", "Etc/"))


def test_repeated_hour_after_fall_back_is_written_in_utc():
    """01:30 happens twice in Dublin on 25 Oct 2026; each session keeps its own instant."""
    sessions = sessions_of(  # 01:30 IST, then 01:30 GMT
        timed_record(1, "2026-10-25T00:30:00Z", "2026-10-25T00:45:00Z", timezone="Dublin"),
        timed_record(2, "2026-10-25T01:30:00Z", "2026-10-25T01:45:00Z", timezone="Dublin"),
    )
    events = events_by_uid(sessions_ics(sessions))
    first, second = events["session-1@lu-ilt-sessions"], events["session-2@lu-ilt-sessions"]
    assert first["DTSTART"].params["TZID"] == DUBLIN
    assert "TZID" not in second["DTSTART"].params  # an ambiguous wall time would read as IST
    assert first.decoded("DTSTART").astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert second.decoded("DTSTART").astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert "Europe/Dublin" in str(second["DESCRIPTION"])


def test_utc_sessions_use_utc_times_without_vtimezone():
    """Sessions in UTC (or with an unknown zone) are written as ...Z times, no VTIMEZONE."""
    sessions = sessions_of(
        timed_record(1, "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", timezone="UTC"),
        timed_record(2, "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", timezone="Atlantis"),
    )
    data = sessions_ics(sessions)
    assert b"DTSTART:20260301T100000Z\r\n" in data
    assert b"DTSTART:20260302T100000Z\r\n" in data
    assert parse(data).walk("VTIMEZONE") == []


def test_zero_length_session_has_no_dtend():
    """A session that ends when it starts gets no DTEND (DTEND must be after DTSTART)."""
    sessions = sessions_of(timed_record(1, "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z"))
    (event,) = parse(sessions_ics(sessions)).walk("VEVENT")
    assert "DTEND" not in event
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 3, 1, 10, tzinfo=UTC)


def test_title_with_commas_semicolons_newline_and_emoji_round_trips():
    """TEXT escaping: commas, semicolons, backslashes and newlines survive a parse back."""
    title = 'Intro, part 1; "advanced"\nDay 2 \\ wrap-up 🎉'
    sessions = sessions_of(
        timed_record(1, "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", title=title)
    )
    data = sessions_ics(sessions)
    assert 'SUMMARY:Intro\\, part 1\\; "advanced"\\nDay 2 \\\\ wrap-up 🎉'.encode() in data
    (event,) = parse(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == title


def test_long_title_is_folded_at_75_octets_without_splitting_characters():
    """Every physical line is at most 75 octets and valid UTF-8; unfolding restores the title."""
    title = "Élan – 研修セッション 🎓 " * 20
    sessions = sessions_of(
        timed_record(1, "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", title=title)
    )
    data = sessions_ics(sessions)
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # raises if a fold split a multi-byte character
    assert sum(line.startswith(b" ") for line in lines) > 5
    (event,) = parse(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == title.strip()


def test_fold_line_cuts_ascii_at_75_then_74():
    """An ASCII line folds into a 75-octet first line and 75-octet continuations (space + 74)."""
    line = "X" * 300
    parts = fold_line(line).split("\r\n")
    assert [len(p) for p in parts] == [75, 75, 75, 75, 4]
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line
    assert fold_line("SHORT:ok") == "SHORT:ok"


def test_html_and_script_titles_stay_inert_text():
    """ICS is plain text: markup is carried literally, never interpreted or altered."""
    title = '<script>alert("x")</script><b>Bold</b> & <a href="javascript:1">link</a>'
    sessions = sessions_of(
        timed_record(1, "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", title=title)
    )
    (event,) = parse(sessions_ics(sessions)).walk("VEVENT")
    assert str(event["SUMMARY"]) == title
    assert "ALTREP" not in event["SUMMARY"].params
    assert "X-ALT-DESC" not in event


def test_description_names_tutor_location_seats_zone_and_local_start(dst_pair):
    """DESCRIPTION lists tutor, location, seats taken and left, the zone and local start."""
    (event, _) = parse(sessions_ics(dst_pair)).walk("VEVENT")
    text = str(event["DESCRIPTION"])
    assert "Tutor: Elsa Bouvier <elsa.bouvier@yourcompany.com>" in text
    assert "Location: Online" in text
    assert "Seats: 8 of 10 seats taken, 2 left" in text
    assert "Time zone: Europe/Dublin" in text
    assert "Local start: 2026-10-20 09:00 IST (UTC+01:00)" in text
    assert str(event["LOCATION"]) == "Online"


def test_seats_for_no_limit_and_overbooked_sessions():
    """No capacity reads "no limit set"; more enrolled than seats reads "... over"."""
    sessions = sessions_of(
        timed_record(1, "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", max_capacity=None),
        timed_record(
            2, "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", number_enrolled_on_session=12
        ),
        timed_record(
            3, "2026-03-03T10:00:00Z", "2026-03-03T11:00:00Z", location="Dublin HQ, Room 2"
        ),
    )
    events = events_by_uid(sessions_ics(sessions))
    assert "Seats: 8 enrolled, no limit set" in str(
        events["session-1@lu-ilt-sessions"]["DESCRIPTION"]
    )
    assert "Seats: 12 of 10 seats taken, 2 over" in str(
        events["session-2@lu-ilt-sessions"]["DESCRIPTION"]
    )
    assert str(events["session-3@lu-ilt-sessions"]["LOCATION"]) == "Dublin HQ, Room 2"


def test_sequence_dtstamp_and_last_modified_follow_updated_at():
    """A later updated_at gives a higher SEQUENCE; LAST-MODIFIED and DTSTAMP are updated_at."""
    old = timed_record(
        1, "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", updated_at="2026-01-01T10:00:00Z"
    )
    new = dict(old, updated_at="2026-02-01T10:00:00Z")
    (before,) = parse(sessions_ics(sessions_of(old))).walk("VEVENT")
    (after,) = parse(sessions_ics(sessions_of(new))).walk("VEVENT")
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"]) >= 0
    assert after.decoded("LAST-MODIFIED") == datetime(2026, 2, 1, 10, tzinfo=UTC)
    assert after.decoded("DTSTAMP") == datetime(2026, 2, 1, 10, tzinfo=UTC)
    assert str(before["UID"]) == str(after["UID"])


def test_empty_view_gives_a_calendar_without_events(data_dir):
    """A filter that matches nothing still gives a parseable calendar."""
    sessions = load_portal_sessions(data_dir / "sample_ilt_center.json").iloc[0:0]
    cal = parse(sessions_ics(sessions))
    assert cal.walk("VEVENT") == []
    assert str(cal["VERSION"]) == "2.0"


def test_large_view_is_fast_and_well_formed(data_dir):
    """100,000 sessions export in seconds, every line within 75 octets."""
    base = load_portal_sessions(data_dir / "sample_ilt_center.json")
    big = base.loc[base.index.repeat(34_000)].iloc[:100_000].reset_index(drop=True)
    big["session_key"] = "session:" + pd.Series(range(len(big))).astype("str")
    shift = pd.to_timedelta(big.index % 3000, unit="D")  # spread over ~8 years of DST changes
    for col in ("start_utc", "end_utc", "start_local", "end_local"):
        big[col] = big[col] + shift
    started = time.perf_counter()
    data = sessions_ics(big)
    elapsed = time.perf_counter() - started
    assert data.count(b"BEGIN:VEVENT\r\n") == 100_000
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
    assert elapsed < 30, f"{elapsed:.1f}s for 100,000 sessions"


def test_cli_export_ics_to_file_and_stdout(tmp_path, data_dir, capsys):
    """`lu-data export SOURCE --format ics` writes the calendar to -o FILE or to stdout."""
    src = str(data_dir / "sample_ilt_center.json")
    target = tmp_path / "sessions.ics"
    assert main(["export", src, "--format", "ics", "-o", str(target)]) == 0
    assert len(parse(target.read_bytes()).walk("VEVENT")) == 3
    capsys.readouterr()
    assert main(["export", src, "--format", "ics", "--from", "2021-11-25"]) == 0
    out = capsys.readouterr().out
    assert len(parse(out.encode()).walk("VEVENT")) == 2


def test_cli_ics_refuses_other_views(data_dir, capsys):
    """ICS holds sessions only: --view trainings with --format ics is a clear error."""
    src = str(data_dir / "sample_ilt_center.json")
    code = main(["export", src, "--format", "ics", "--view", "trainings"])
    assert code == 2
    assert "sessions" in capsys.readouterr().err
