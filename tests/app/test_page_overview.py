"""Overview page: KPIs and the weekly chart match lu_data for the same demo and dates."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import parse_qs

import pandas as pd

from lu_data.analyses.capacity import capacity_kpis, weekly_capacity
from lu_data.analyses.double_bookings import double_booked_sessions, double_bookings
from lu_data.analyses.filters import Filters, filter_sessions
from lu_data.analyses.rooms import room_clashed_sessions, room_clashes
from lu_data.core.pages import PAGES
from lu_data.views.session_tables import RISK_TITLE_CHARS, risk_lines
from tests.support.apptest import decode, metrics, open_page
from tests.support.demo import default_filters, demo_portal, projected_risk_keys
from tests.support.records import ILT_CENTER, load_records, timed_record
from ui.at_risk import DIGEST_ROWS

DEFAULT = default_filters()


def expected(filters: Filters = DEFAULT):
    """The filtered demo sessions the page should be showing."""
    return filter_sessions(demo_portal().sessions, filters)


def count(text: str) -> int:
    """A card's number as shown ("1,161") back to an int."""
    return int(text.replace(",", ""))


def test_overview_shows_title_banner_and_kpis(app):
    """The page shows its heading, the demo banner and KPIs equal to lu_data's numbers."""
    at = app().run()
    assert not at.exception
    assert at.title[0].value == "ILT sessions overview"
    assert any("Demo data" in i.value for i in at.info)
    sessions = expected()
    kpi = capacity_kpis(sessions)
    shown = metrics(at)
    assert shown["Sessions"] == f"{kpi.sessions:,}"
    assert shown["Seats offered"] == f"{kpi.seats_offered:,}"
    assert shown["Seats taken"] == f"{kpi.seats_taken:,}"
    assert shown["No-limit learners"] == f"{kpi.no_limit_learners:,}"
    pairs = double_bookings(sessions)
    assert shown["Double-booking pairs"] == str(len(pairs))
    card = next(m for m in at.metric if m.label == "Double-booking pairs")
    assert card.delta == f"{double_booked_sessions(pairs):,} sessions"  # pairs, and sessions
    rooms = room_clashes(expected())
    room_card = next(m for m in at.metric if m.label == "Room clashes")
    assert room_card.value == str(len(rooms)) and len(rooms) > 0
    assert room_card.delta == f"{room_clashed_sessions(rooms):,} sessions"
    warnings = next(m for m in at.metric if m.label == "Data-quality warnings")
    assert warnings.delta == "whole source"
    full = next(m for m in at.metric if m.label == "Full")
    assert full.value == f"{kpi.full:,}"
    assert full.delta == f"{kpi.overbooked:,} overbooked"


def drill_links(at) -> dict[str, tuple[str, str]]:
    """The cards' drill-down links (before the menu's): label -> (page, query string)."""
    menu = {page.label for page in PAGES}
    return {
        link.proto.label: (link.proto.page, link.proto.query_string)
        for link in at.get("page_link")
        if link.proto.label not in menu
    }


def test_cards_open_the_sessions_they_count(app):
    """Full, overbooked, at risk, double-bookings and warnings each link to their view."""
    at = app(status=["healthy", "full"], tz="UTC").run()
    assert not at.exception
    links = drill_links(at)
    shared = "source=demo&from=2026-11-27&to=2027-01-22&tz=UTC"
    assert links == {
        "Full sessions": ("sessions", f"{shared}&status=full"),
        "Overbooked sessions": ("sessions", f"{shared}&status=overbooked"),
        "At-risk sessions": ("pace", f"{shared}&status=healthy&status=full"),
        "Double-bookings": ("tutors", f"{shared}&status=healthy&status=full"),
        "Room clashes": ("tutors", f"{shared}&status=healthy&status=full"),
        "Data-quality warnings": ("quality", f"{shared}&status=healthy&status=full"),
    }


def test_following_a_card_link_opens_the_sessions_it_counts(app):
    """Clicking "Full sessions" in an open session lands on Sessions with only the full ones.

    The sidebar already holds the Overview's filters (no status) when the link brings
    status=full: the link's filters win, in the table, the sidebar and the URL. A later
    sidebar change still wins over the URL, as on any page.
    """
    at = app().run()
    full_card = metrics(at)["Full"]
    page, query = drill_links(at)["Full sessions"]
    assert at.session_state["filter_statuses"] == []
    at.switch_page(f"pages/{page}.py")
    for key in list(at.query_params):
        del at.query_params[key]
    for key, values in parse_qs(query).items():
        at.query_params[key] = values
    at.run()
    assert not at.exception
    assert at.multiselect(key="filter_statuses").value == ["full"]
    assert at.query_params["status"] == "full"
    shown = at.dataframe[0].value
    assert len(shown) == int(full_card) and set(shown["Status"]) == {"Full"}
    at.multiselect(key="filter_statuses").set_value(["overbooked"]).run()
    assert at.query_params["status"] == "overbooked"
    assert set(at.dataframe[0].value["Status"]) == {"Overbooked"}


def test_fill_rate_card_is_seats_taken_over_the_seats_offered_beside_it(app):
    """A reader dividing the two cards beside it gets the fill rate shown (one rule for all)."""
    at = app().run()
    shown = metrics(at)
    taken, offered = count(shown["Seats taken"]), count(shown["Seats offered"])
    assert 0 < taken < offered
    assert shown["Fill rate"] == f"{taken / offered:.0%}"
    # The demo has no-limit sessions, whose learners are a number of their own.
    limited = expected()["max_capacity"].notna()
    free = int(expected().loc[~limited, "enrolled"].sum())
    assert free > 0 and count(shown["No-limit learners"]) == free


def test_at_risk_card_counts_the_list_under_it(app):
    """With demo history the card says "projected" and counts every session of the list."""
    at = app().run()
    card = next(m for m in at.metric if m.label.startswith("At risk"))
    assert card.label == "At risk (projected)"
    assert count(card.value) == len(projected_risk_keys())
    assert "Projected to end under 50% full" in card.help


def test_threshold_in_the_link_sets_what_the_overview_counts_at_risk(app):
    """?threshold=0.8 (set on Fill pace) counts and lists the sessions projected under 80%, and
    the links to the other pages carry it on."""
    at = open_page(app, threshold="0.8")
    card = next(m for m in at.metric if m.label == "At risk (projected)")
    risky = projected_risk_keys(threshold=0.8)
    assert count(card.value) == len(risky) > len(projected_risk_keys())
    assert "Projected to end under 80% full" in card.help
    assert any(s.value == "At risk: projected to end under 80% full" for s in at.subheader)
    links = {link.proto.label: link.proto.query_string for link in at.get("page_link")}
    assert "threshold=0.8" in links["Capacity"] and "threshold=0.8" in links["At-risk sessions"]


def test_weekly_chart_data_matches_weekly_capacity(app):
    """The weekly bars carry exactly the seats offered and taken per week."""
    at = app().run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = {t["name"]: t for t in spec["data"] if t["type"] == "bar"}
    weekly = weekly_capacity(expected())
    assert decode(bars["Seats offered"]["y"]) == weekly["seats_offered"].tolist()
    assert decode(bars["Seats taken"]["y"]) == weekly["seats_taken"].tolist()
    assert sum(decode(bars["Seats taken"]["y"])) == capacity_kpis(expected()).seats_taken


def test_filters_change_the_numbers(app):
    """Picking one status narrows the sessions KPI to that status and writes it to the URL."""
    # AppTest drops the router's sidebar on reruns under st.navigation, so the widget
    # value is set before the first run, as a user's click would have left it.
    at = app()
    at.session_state["filter_statuses"] = ["full"]
    at.run()
    want = expected(default_filters(statuses=("full",)))
    assert metrics(at)["Sessions"] == str(len(want))
    assert at.query_params["status"] in ("full", ["full"])


def test_query_params_restore_a_view(app):
    """A shared link with dates and a status opens the same numbers."""
    at = app(**{"from": "2026-12-01", "to": "2026-12-31", "status": "under_filled"}).run()
    want = expected(
        Filters(date_from=date(2026, 12, 1), date_to=date(2026, 12, 31), statuses=("under_filled",))
    )
    assert metrics(at)["Sessions"] == str(len(want))
    assert "1 Dec 2026 – 31 Dec 2026" in at.caption[0].value or any(
        "1 Dec 2026 – 31 Dec 2026" in c.value for c in at.sidebar.caption
    )


def test_at_risk_digest_lists_the_soonest_and_the_table_has_them_all(app):
    """With demo history: the soonest projected at-risk sessions as lines, all on request."""
    at = app().run()
    assert any("projected to end under 50% full" in s.value for s in at.subheader)
    keys = projected_risk_keys()
    assert len(keys) > DIGEST_ROWS  # the demo view has more than the digest lists
    assert not at.dataframe  # no data grid until asked for: it slows the first paint
    lines = at.text[0].value.splitlines()
    assert len(lines) == DIGEST_ROWS
    assert all(" seats · projected " in line and line.endswith("% full") for line in lines)
    assert any(f"of {len(keys):,}; the CSV has all" in c.value for c in at.caption)
    at.toggle(key="overview_risk_all").set_value(True).run()
    table = at.dataframe[0].value
    assert sorted(table["Session key"]) == keys
    assert {"Fill today", "Projected fill", "Zone"} <= set(table.columns)
    # soonest by the instant: each session's own-zone clock would put 08:30 EST before 09:00 GMT
    starts = expected().set_index("session_key")["start_utc"]
    soonest = table.assign(_utc=starts.reindex(table["Session key"]).to_numpy())
    soonest = soonest.sort_values("_utc", kind="stable").head(DIGEST_ROWS).drop(columns="_utc")
    assert lines == risk_lines(soonest)


def test_risk_lines_keep_each_session_on_one_plain_line():
    """A title with line breaks or 200 characters stays one line, cut with an ellipsis."""
    table = pd.DataFrame(
        {
            "Start": pd.to_datetime(["2026-12-01 11:00", "2026-12-03 14:30"]),
            "Zone": ["CET (+01:00)", "AEDT (+11:00)"],
            "Title": ["Line one\nFri 4 Dec 2026, 09:00 fake · 0 of 1 seats", "x" * 200],
            "Enrolled": pd.array([0, 3], dtype="Int64"),
            "Capacity": pd.array([20, 12], dtype="Int64"),
            "Fill": [0.0, 0.25],
        }
    )
    lines = risk_lines(table)
    assert lines[0] == (
        "Tue 1 Dec 2026, 11:00 CET (+01:00) · Line one Fri 4 Dec 2026, 09:00 fake · 0 of 1 seats"
        " · 0 of 20 seats · 0% full"
    )
    assert len(lines) == 2 and "\n" not in "".join(lines)
    assert f"· {'x' * (RISK_TITLE_CHARS - 1)}… · 3 of 12 seats · 25% full" in lines[1]


def test_without_history_the_at_risk_card_counts_todays_fill_list(app):
    """An upload has no enrolment history: card and list both use today's fill, and say so."""
    # 4 of 10 on 1 Dec (40%, within 14 days of 27 Nov) is at risk; 6 of 20 on 20 Dec is not yet
    # (too far out), 15 of 20 is not under 50%, and a no-limit session never is.
    rows = [
        (1, "2026-12-01T09:00:00Z", 10, 4),
        (2, "2026-12-08T09:00:00Z", 20, 15),
        (3, "2026-12-20T09:00:00Z", 20, 6),
        (4, "2026-12-02T09:00:00Z", None, 6),
    ]
    records = [
        timed_record(
            sid,
            start,
            start.replace("09:00", "11:00"),
            id=700 + sid,
            training_id=sid,
            title=f"Training {sid}",
            max_capacity=capacity,
            number_enrolled_on_session=enrolled,
        )
        for sid, start, capacity, enrolled in rows
    ]
    at = app().run()
    at.radio(key="filter_source").set_value("upload").run()
    upload = json.dumps({"modules": records}).encode()
    at.get("file_uploader")[0].upload("four.json", upload, "application/json")
    at.run()
    assert not at.exception
    shown = metrics(at)
    assert "At risk (projected)" not in shown
    assert shown["At risk (today's fill)"] == "1"
    assert any(
        s.value == "At risk: starting within 14 days and under 50% full today" for s in at.subheader
    )
    assert at.text[0].value.count("\n") == 0 and "Training 1" in at.text[0].value
    # 4 + 15 + 6 of 10 + 20 + 20 seats; the no-limit session's 6 learners stand apart.
    assert (shown["Seats offered"], shown["Seats taken"], shown["Fill rate"]) == ("50", "25", "50%")
    assert shown["No-limit learners"] == "6"


def test_link_to_an_upload_without_one_offers_the_upload_here(app):
    """A link or reload on uploaded data: say why it is empty and take the file right there."""
    at = open_page(app, "pages/sessions.py", source="upload", tz="UTC")
    said = " ".join(i.value for i in at.info)
    assert "stay in the browser session that uploaded them" in said
    assert "Upload the LearnUpon export again here" in said and "Demo portal" in said
    everything = " ".join(str(e.value) for e in [*at.markdown, *at.info, *at.caption])
    assert "secrets.toml" not in everything and "configure" not in everything.lower()
    here = next(u for u in at.get("file_uploader") if u.proto.id.endswith("-upload_again"))
    records = load_records(ILT_CENTER)
    here.upload("export.json", json.dumps({"modules": records}).encode(), "application/json")
    at.run()
    assert not at.exception
    assert not any("stay in the browser session" in i.value for i in at.info)
    assert at.query_params["source"] == "upload" and at.query_params["tz"] == "UTC"
    assert any("Showing your upload: export.json" in c.value for c in at.sidebar.caption)
