"""The digest: its lists on hand-made cases, its words, links, truncation and escaping."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pandas as pd
import pytest

from lu_data.analyses.digest import (
    LIST_AT_RISK,
    LIST_DOUBLE,
    LIST_FULL,
    LIST_NO_LOCATION,
    LIST_NO_TUTOR,
    LIST_OVERBOOKED,
    LIST_ROOMS,
    LIST_ZONE,
    build_digest,
    digest_filters,
)
from lu_data.analyses.filters import Filters
from lu_data.analyses.supply_demand import AS_PLANNED, RARELY_FILLS, SELLS_OUT
from lu_data.exports.digest_chat import (
    to_slack,
    to_teams,
)
from lu_data.exports.digest_render import (
    range_text,
    subject,
    to_html,
    to_text,
)
from lu_data.notify.digest import attachment_csv, tutor_digest
from tests.support import ANCHOR

HOSTILE = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def window(demo_portal) -> pd.DataFrame:
    """Six demo sessions in the first days, reshaped into one case per list."""
    days = digest_filters(Filters(tz="UTC"), ANCHOR, 14)
    picked = demo_portal.sessions.loc[
        (demo_portal.sessions["start_utc"].dt.date >= ANCHOR)
        & (demo_portal.sessions["max_capacity"].notna())
    ].head(6)
    s = picked.copy().reset_index(drop=True)
    day = pd.Timestamp(ANCHOR, tz="UTC") + pd.Timedelta(days=2, hours=9)
    s["start_utc"] = [day + pd.Timedelta(days=i) for i in range(6)]
    s["end_utc"] = s["start_utc"] + pd.Timedelta(hours=2)
    s["max_capacity"] = pd.array([10] * 6, dtype="Int64")
    s["enrolled"] = pd.array([2, 12, 10, 6, 6, 6], dtype="Int64")
    s["fill_rate"] = (s["enrolled"] / s["max_capacity"]).astype("Float64")
    s["status"] = pd.Categorical(
        ["under_filled", "overbooked", "full", "healthy", "healthy", "healthy"],
        dtype=demo_portal.sessions["status"].dtype,
    )
    s.loc[3, ["tutor_id", "tutor_name", "tutor_email"]] = [pd.NA, pd.NA, pd.NA]  # no tutor
    s.loc[4, ["is_virtual", "location", "address_1"]] = [False, pd.NA, pd.NA]  # nowhere
    s.loc[5, "title"] = HOSTILE
    # Session 2 and 5 share a tutor and overlap by an hour: one double-booking.
    s.loc[5, ["tutor_id", "tutor_name", "tutor_email", "tutor_key"]] = s.loc[
        2, ["tutor_id", "tutor_name", "tutor_email", "tutor_key"]
    ].to_list()
    s.loc[5, "start_utc"] = s.loc[2, "start_utc"] + pd.Timedelta(hours=1)
    s.loc[5, "end_utc"] = s.loc[5, "start_utc"] + pd.Timedelta(hours=2)
    s.loc[0, "is_virtual"] = True
    assert days.date_to >= s["start_utc"].max().date()
    return s


def warnings_for(keys: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "portal": "demo",
            "record": 1,
            "where": "x",
            "session_key": keys,
            "code": "unknown_timezone",
            "message": "Time zone not recognised",
        }
    )


def test_each_list_holds_exactly_its_cases(window):
    zone_key = window.loc[1, "session_key"]
    digest = build_digest(
        window, warnings_for([zone_key]), digest_filters(Filters(tz="UTC"), ANCHOR), ANCHOR
    )
    keys = {item.key: list(item.sessions["session_key"]) for item in digest.lists}
    s = window["session_key"]
    assert keys[LIST_AT_RISK] == [s[0]]  # under 50% and starting within 14 days
    assert keys[LIST_OVERBOOKED] == [s[1]]
    assert keys[LIST_FULL] == [s[2]]
    assert keys[LIST_NO_TUTOR] == [s[3]]
    assert keys[LIST_NO_LOCATION] == [s[4]]
    assert keys[LIST_DOUBLE] == [s[2], s[5]] and digest.count(LIST_DOUBLE) == 1
    assert keys[LIST_ZONE] == [s[1]]
    assert digest.warnings == 1
    assert digest.kpis.sessions == 6 and digest.kpis.seats_offered == 60
    assert digest.kpis.seats_taken == 2 + 12 + 10 + 6 + 6 + 6  # every learner enrolled
    assert set(digest.listed["session_key"]) == set(s)
    at_risk = next(item for item in digest.lists if item.key == LIST_AT_RISK)
    assert "today's fill" in at_risk.note  # no projections given: says which rule


def test_subject_counts_what_needs_action(window):
    digest = build_digest(window, warnings_for([]), digest_filters(Filters(), ANCHOR), ANCHOR)
    assert subject(digest) == (
        "ILT sessions 27 Nov–10 Dec 2026: 1 at risk, 1 overbooked, 1 double-booking, "
        "1 without a tutor, 1 without a location"
    )
    quiet = build_digest(
        window.iloc[0:0], warnings_for([]), digest_filters(Filters(), ANCHOR), ANCHOR
    )
    assert subject(quiet).endswith(": nothing needs action")
    assert "Nothing needs action in these days." in to_text(quiet)


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (date(2026, 12, 1), date(2026, 12, 14), "1–14 Dec 2026"),
        (date(2026, 11, 27), date(2026, 12, 10), "27 Nov–10 Dec 2026"),
        (date(2026, 12, 28), date(2027, 1, 10), "28 Dec 2026–10 Jan 2027"),
        (date(2026, 12, 4), date(2026, 12, 4), "4 Dec 2026"),
    ],
)
def test_range_text(start, end, text):
    assert range_text(start, end) == text


def test_no_channel_carries_portal_text_as_markup(window):
    window.loc[1, "title"] = HOSTILE + " & <b>"
    window.loc[2, "title"] = FORMULA
    digest = build_digest(window, warnings_for([]), digest_filters(Filters(), ANCHOR), ANCHOR)
    base = "https://dash.example.com"
    html = to_html(digest, base_url=base)
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    slack = json.dumps(to_slack(digest, base_url=base))
    assert (
        "<script>" not in slack and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in slack
    )
    teams = json.dumps(to_teams(digest, base_url=base))
    assert "<script>" not in teams and "\\\\<script\\\\>" in teams
    text = to_text(digest)
    assert HOSTILE in text  # plain text is text: shown as written, never interpreted
    rows = list(csv.reader(io.StringIO(attachment_csv(digest, None).data.decode("utf-8-sig"))))
    titles = [row[rows[0].index("title")] for row in rows[1:]]
    assert "'" + FORMULA in titles and FORMULA not in titles  # formula-safe, as lu-data export


def test_long_lists_end_with_and_n_more_and_the_link(demo_portal):
    filters = digest_filters(Filters(tz="UTC"), ANCHOR, 57)
    digest = build_digest(demo_portal.sessions, demo_portal.quality.warnings, filters, ANCHOR)
    full = digest.count(LIST_FULL)
    assert full > 3
    text = to_text(digest, base_url="https://dash.example.com", rows=3)
    link = "https://dash.example.com/sessions?from=2026-11-27&to=2027-01-22&tz=UTC&status=full"
    assert f"and {full - 3} more: {link}" in text
    slack = to_slack(digest, base_url="https://dash.example.com", rows=3)
    section = next(b["text"]["text"] for b in slack["blocks"] if "Full" in str(b))
    assert section.count("\n• ") == 3 and f"<{link}|and {full - 3} more>" in section
    card = to_teams(digest, base_url="https://dash.example.com", rows=3)
    texts = [b["text"] for b in card["attachments"][0]["content"]["body"]]
    assert f"[and {full - 3} more]({link})" in texts
    # A cut never splits a double-booking's pair.
    double = next(item for item in digest.lists if item.key == LIST_DOUBLE)
    assert double.count >= 2
    one_pair = to_text(digest, rows=2)
    block = one_pair.split("## Tutor double-bookings")[1].split("\n## ")[0]
    assert block.count("[pair 1]") == 2 and "[pair 2]" not in block
    assert f"and {double.count - 1} more" in block


def test_each_line_says_when_in_its_own_zone_and_links_to_its_view(window):
    digest = build_digest(window, warnings_for([]), digest_filters(Filters(), ANCHOR), ANCHOR)
    text = to_text(digest, tz="America/Chicago", base_url="https://dash.example.com/")
    first = window.iloc[1]
    own = f"{first['start_local']:%H:%M} {first['tz_abbr']}"
    line = next(ln for ln in text.splitlines() if ln.startswith("- " + first["title"]))
    assert own in line and "CST (-06:00)" in line
    assert f"{int(first['enrolled'])}/{int(first['max_capacity'])}" in line
    assert "https://dash.example.com/sessions?from=" in text and "&q=" in text


def test_a_tutors_digest_is_their_sessions_and_their_double_bookings(window):
    digest = build_digest(window, warnings_for([]), digest_filters(Filters(), ANCHOR), ANCHOR)
    email = window.loc[2, "tutor_email"]
    mine = tutor_digest(digest, email.upper())
    assert set(mine.sessions["session_key"]) == set(
        window.loc[window["tutor_email"] == email, "session_key"]
    )
    assert mine.lists[1].count == 1 and set(mine.lists[1].sessions["pair"]) == {1}
    assert "Data-quality warnings" not in to_text(mine)
    other = tutor_digest(digest, window.loc[0, "tutor_email"])
    assert other.lists[1].count == 0


def demand_table(titles: list[str], verdicts: list[str]) -> pd.DataFrame:
    """A supply_demand result of these trainings: each judged on 6 sessions, 1 ahead."""
    n = len(titles)
    return pd.DataFrame(
        {
            "training_key": [f"training:{i}" for i in range(n)],
            "title": titles,
            "verdict": verdicts,
            "evidence": [f"evidence {i}" for i in range(n)],
            "suggestion": "",
            "looked_at": 6,
            "full_early": 5,
            "ended_under": 0,
            "upcoming": 1,
            "upcoming_free": pd.array([4] * n, dtype="Int64"),
        }
    )


def test_the_digest_closes_with_supply_and_demand_in_every_channel(window):
    """Trainings that sell out or rarely fill close the coordinators' digest, escaped per
    channel and linked to Fill pace; trainings that fill as planned are not named, and a
    tutor's own digest has no such section."""
    demand = demand_table(
        ["Coaching", HOSTILE, "Steady", "Quiet"],
        [SELLS_OUT, SELLS_OUT, AS_PLANNED, RARELY_FILLS],
    )
    filters = digest_filters(Filters(), ANCHOR)
    digest = build_digest(window, warnings_for([]), filters, ANCHOR, demand=demand)
    base = "https://dash.example.com"
    text = to_text(digest, base_url=base)
    section = text.split("## Supply and demand\n")[1]
    assert section.startswith("Judged on each training's recent completed sessions")
    assert "- Coaching: evidence 0; 1 session ahead, 4 seats free" in section
    assert "- Quiet: evidence 3; 1 session ahead, 4 seats free" in section
    assert "Steady" not in section
    assert f"{base}/pace?from=2026-11-27&to=2026-12-10" in section
    html = to_html(digest, base_url=base)
    assert "Rarely fill: candidates to merge sessions" in html and HOSTILE not in html
    slack = json.dumps(to_slack(digest, base_url=base))
    assert "Sell out early: candidates for another session" in slack and "<script>" not in slack
    teams = json.dumps(to_teams(digest, base_url=base))
    assert "Quiet: evidence 3" in teams and "<script>" not in teams
    cut = to_text(digest, rows=1)
    assert "… and 1 more on the Fill pace page" in cut
    mine = tutor_digest(digest, window.loc[2, "tutor_email"])
    assert "Supply and demand" not in to_text(mine)
    plain = build_digest(window, warnings_for([]), filters, ANCHOR)
    assert "Supply and demand" not in to_text(plain)


def test_room_clashes_are_listed_pair_by_pair_and_named_in_the_subject(window):
    """Two in-person sessions in one room at once, whatever their tutors, are one room clash:
    both sessions, numbered alike, in every channel; a virtual session at that time is not."""
    s = window.copy()
    s.loc[[1, 3], ["is_virtual", "location_id", "location"]] = [False, 7001, "Room A"]
    s.loc[3, "start_utc"] = s.loc[1, "start_utc"] + pd.Timedelta(minutes=30)
    s.loc[3, "end_utc"] = s.loc[3, "start_utc"] + pd.Timedelta(hours=2)
    s.loc[0, ["location_id", "start_utc", "end_utc"]] = s.loc[
        1, ["location_id", "start_utc", "end_utc"]
    ].to_list()
    digest = build_digest(s, warnings_for([]), digest_filters(Filters(), ANCHOR), ANCHOR)
    rooms = next(item for item in digest.lists if item.key == LIST_ROOMS)
    assert rooms.count == 1
    assert list(rooms.sessions["session_key"]) == [s.loc[1, "session_key"], s.loc[3, "session_key"]]
    assert set(rooms.sessions["pair"]) == {1}
    assert ", 1 room clash," in subject(digest)
    text = to_text(digest, base_url="https://dash.example.com")
    block = text.split("## Room clashes (1)")[1].split("\n## ")[0]
    assert block.count("- [pair 1] ") == 2
    html = to_html(digest, base_url="https://dash.example.com")
    assert '<a href="https://dash.example.com/tutors?' in html.split("Room clashes (1)")[0][-300:]
    assert '<th style="' in html.split("Room clashes (1)")[1].split("</table>")[0]
    assert ">Pair</th>" in html.split("Room clashes (1)")[1].split("</table>")[0]
