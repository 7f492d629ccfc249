"""Plan page, merges and draft check: the merges the planner makes and the `--merge` CSV, the
settings in the link, the merges on the calendar, a draft checked (clean, with a clash, with
bad rows, or no draft at all), tutors refused, and the audit lines of both."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from functools import lru_cache

import pandas as pd
import pytest

from lu_data.exports.csv import to_csv_bytes
from lu_data.exports.plan_export import DRAFT_CHECK_COLUMNS, draft_check_frame, merge_csv_frame
from lu_data.planning.draft_check import check_draft
from lu_data.planning.draft_file import read_draft
from lu_data.planning.merges import MergeSettings
from lu_data.planning.portal_plan import merge_portal
from lu_data.store.settings import default_url
from tests.support import ANCHOR
from tests.support.apptest import download, metrics, open_page, table
from tests.support.demo import demo_plan, demo_portal
from tests.support.drafts import BAD_ROWS, DRAFT_HEADER
from tests.support.sign_in import stored_events

PAGE = "pages/plan.py"
MERGES, CHECK = {"mode": "merges"}, {"mode": "check"}
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "not-a-real-cookie-secret",
    "client_id": "ilt-dashboard",
    "client_secret": "not-a-real-client-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ACCESS = {"allow": ["@yourcompany.com"], "coordinators": ["lead@partner.org"]}
LEAD, TUTOR = "lead@partner.org", "diego.evans@yourcompany.com"


@lru_cache(maxsize=4)
def merges_of(**settings) -> pd.DataFrame:
    """The rows `lu-data plan demo --merge --anchor` writes for these settings: the demo with
    its own enrolment history, as the app and the command load it."""
    demo = replace(demo_portal(), is_demo=True)
    return merge_portal(demo, MergeSettings(**settings), ANCHOR).rows


def seats_in_horizon() -> int:
    """Seats of the demo's sessions with a limit starting in the 21 days after it was fetched."""
    sessions = demo_portal().sessions
    now = pd.Timestamp(demo_portal().fetched_at)
    soon = (sessions["start_utc"] > now) & (sessions["start_utc"] <= now + pd.Timedelta(days=21))
    return int(sessions.loc[soon & (sessions["max_capacity"] > 0), "max_capacity"].sum())


def proposed(at):
    """Propose merges pressed."""
    at.button(key="plan_merge_propose").click().run()
    assert not at.exception, at.exception
    return at


def merge_rows(at) -> pd.DataFrame:
    return table(at, "Action", "From")


def events(at) -> list[dict]:
    """The calendar's events, without the shading outside its days."""
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    return [e for e in args["events"] if e.get("display") != "background"]


def signed_in(app, email: str, **query):
    """The Plan page with sign-in configured, run as `email`."""
    at = app(PAGE, **query)
    at.secrets["auth"] = AUTH
    at.secrets["access"] = ACCESS
    at.user = {"is_logged_in": True, "email": email, "name": email.split("@")[0]}
    return at.run()


def clash_line() -> tuple[str, pd.Series]:
    """A draft row that double-books the tutor of an upcoming demo session (online, at the
    same time, within working hours: its only problem), and that session."""
    sessions = demo_portal().sessions.sort_values("start_utc")
    soon = sessions["start_utc"] > pd.Timestamp("2026-12-07", tz="UTC")
    start, end = sessions["start_local"].dt, sessions["end_local"].dt
    in_hours = (start.hour >= 9) & (end.hour * 60 + end.minute <= 17 * 60) & (start.day == end.day)
    taken = sessions.loc[soon & sessions["tutor_email"].notna() & in_hours].iloc[0]
    times = [taken[c].isoformat() for c in ("start_utc", "end_utc")]
    line = ",".join([taken["title"], *times, taken["tz"], taken["tutor_email"], "Zoom", ""])
    return line, taken


def uploaded(at, name: str, data: bytes):
    at.get("file_uploader")[0].upload(name, data, "text/csv")
    at.run()
    assert not at.exception, at.exception
    return at


def draft(*lines: str) -> bytes:
    return ("\n".join([DRAFT_HEADER, *lines]) + "\n").encode("utf-8")


MINUTE = "%Y-%m-%d %H:%M"  # the table's wall-clock starts


def test_the_merges_are_the_planners_and_the_csv_is_the_commands(app, media):
    """Propose merges: one row per under-filled session as merge_portal makes them for the same
    settings (so `lu-data plan --merge`), the cards add them up, and Full data (CSV) is byte for
    byte the command's CSV."""
    at = open_page(app, PAGE, **MERGES)
    assert any("press **Propose merges**" in i.value for i in at.info)
    assert not at.metric
    proposed(at)
    rows = merges_of()
    merged = rows.loc[rows["action"] == "merge"]
    assert len(rows) == 5 and len(merged) == 2
    shown = merge_rows(at)
    assert list(shown["Action"]) == [a.title() for a in rows["action"]]
    assert list(shown["From"]) == list(rows["from_title"])
    assert list(shown["From start"]) == list(rows["from_start_local"].dt.strftime(MINUTE))
    assert list(shown["Into"]) == list(rows["into_title"].fillna(""))
    # A kept session has no target: its Into start is blank, not "None".
    into = rows["into_start_local"].dt.strftime(MINUTE).fillna("")
    assert list(shown["Into start"]) == list(into) and "" in list(into)
    assert list(shown["Learners moved"].dropna()) == list(merged["learners_moved"])
    assert list(shown["Reason"]) == list(rows["reason"])
    assert metrics(at) == {
        "Merged": "2",
        "Hours freed": f"{merged['tutor_hours_freed'].sum():,.1f}",
        "Learners": f"{merged['learners_moved'].sum()}",
        "Seats left": f"{seats_in_horizon() - merged['from_capacity'].sum():,}",
    }
    data, name = download(at, media, "plan_merges_csv")
    assert name == "ilt-merges_27-Nov-to-18-Dec-2026.csv"
    assert data == to_csv_bytes(merge_csv_frame(rows))
    workbook, name = download(at, media, "plan_merges_xlsx")
    assert name.endswith(".xlsx")
    sheet = pd.read_excel(io.BytesIO(workbook))
    assert list(sheet["from_session_key"]) == list(rows["from_session_key"])


def test_the_threshold_and_days_change_the_merges_and_the_link_keeps_them(app):
    """A lower threshold finds fewer candidates; every setting lands in the URL, and that URL
    opened afresh shows the same merges without pressing anything."""
    at = proposed(open_page(app, PAGE, **MERGES))
    assert len(merge_rows(at)) == 5
    at.slider(key="plan_merge_threshold").set_value(30)
    proposed(at)
    fewer = merges_of(merge_below=0.3)
    assert list(merge_rows(at)["From"]) == list(fewer["from_title"])
    assert len(fewer) == 4  # the session 40% full is no longer a candidate
    at.number_input(key="plan_merge_horizon").set_value(28)
    at.number_input(key="plan_merge_within").set_value(10)
    proposed(at)
    rows = merges_of(merge_below=0.3, horizon_days=28, within_days=10)
    shown = merge_rows(at)
    assert list(shown["From"]) == list(rows["from_title"])
    assert list(shown["Reason"]) == list(rows["reason"])
    link = dict(at.query_params)
    assert {k: link[k] for k in ("mode", "threshold", "horizon", "within", "merged")} == {
        "mode": "merges",
        "threshold": "0.3",
        "horizon": "28",
        "within": "10",
        "merged": "1",
    }
    again = open_page(app, PAGE, **link)
    assert again.slider(key="plan_merge_threshold").value == 30
    pd.testing.assert_frame_equal(merge_rows(again), shown)


def test_the_calendar_strikes_the_freed_session_and_names_its_target(app):
    """Each freed session is drawn struck through, titled "Merge into <its target's start>";
    its target says how many learners it takes and from when."""
    at = proposed(open_page(app, PAGE, **MERGES))
    merged = merges_of().query("action == 'merge'")
    drawn = events(at)
    freed = {e["id"]: e for e in drawn if "lu-merge-from" in e.get("classNames", [])}
    targets = {e["id"]: e for e in drawn if "lu-merge-into" in e.get("classNames", [])}
    assert set(freed) == set(merged["from_session_key"])
    assert set(targets) == set(merged["into_session_key"])
    for row in merged.itertuples():
        note = f"Merge into {row.into_start_local:%a %d %b %H:%M} ({row.into_zone}): "
        assert freed[row.from_session_key]["title"].startswith(note + row.from_title)
        n = row.learners_moved
        assert targets[row.into_session_key]["title"].startswith(
            f"+{n} learner{'s' if n != 1 else ''} from {row.from_start_local:%a %d %b}: "
        )
    others = [e for e in drawn if e["id"] not in freed and e["id"] not in targets]
    assert others and not any(e.get("classNames") for e in others)


def test_a_clean_draft_has_no_problems(app):
    """The page's own plan CSV, uploaded back: "0 problems in 2 rows", and no table."""
    at = open_page(app, PAGE, **CHECK)
    assert any("Upload a draft CSV" in i.value for i in at.info)
    plan = demo_plan().plan.rows
    from lu_data.exports.plan_export import plan_csv

    uploaded(at, "plan.csv", plan_csv(plan))
    assert [s.value for s in at.success] == ["0 problems in 2 rows"]
    assert not at.dataframe and not at.warning


def test_a_draft_that_double_books_a_tutor_names_the_session(app, media):
    """A row at the same time as an existing session of the same tutor: one problem row naming
    that session, and the CSV is the one `lu-data plan --check` writes."""
    line, taken = clash_line()
    data = draft(line)
    at = uploaded(open_page(app, PAGE, **CHECK), "draft.csv", data)
    assert [w.value for w in at.warning] == ["1 problem in 1 of 1 row"]
    shown = table(at, "Row", "Training")
    assert len(shown) == 1
    assert shown["Problem"].iloc[0] == "Tutor double-booking"
    who = f"{taken['session_key']}: {taken['title']} ({taken['tutor_name']})"
    assert shown["Clashes with"].iloc[0] == who
    rows, bad = read_draft(data)
    want = check_draft(demo_portal().sessions, rows, bad)
    csv, _ = download(at, media, "plan_check_csv")
    assert csv == to_csv_bytes(draft_check_frame(want))
    frame = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig", dtype=str)
    assert list(frame.columns) == DRAFT_CHECK_COLUMNS
    assert list(frame["problem"]) == ["tutor_double_booking"]


def test_bad_rows_are_one_line_each_and_the_good_rows_are_still_checked(app):
    """The hostile rows between good ones: one plain line per bad row with why, and the row
    that double-books a tutor is still found."""
    line, taken = clash_line()
    at = open_page(app, PAGE, **CHECK)
    uploaded(at, "hostile.csv", draft(*(bad for bad, _ in BAD_ROWS), line))
    n = len(BAD_ROWS)
    assert [w.value for w in at.warning] == [f"{n + 1} problems in {n + 1} of {n + 1} rows"]
    (lines,) = [t.value for t in at.text]
    assert lines.splitlines() == [f"Row {i}: {why}" for i, (_, why) in enumerate(BAD_ROWS, 2)]
    shown = table(at, "Row", "Training")
    assert list(shown["Problem"]) == ["Row not read"] * n + ["Tutor double-booking"]
    assert shown["Clashes with"].iloc[-1].startswith(taken["session_key"])
    # A row not read has no start to show (blank, not "None"); the good row shows its own.
    assert list(shown["Start (UTC)"])[:n] == [""] * n
    assert shown["Start (UTC)"].iloc[-1] == f"{taken['start_utc']:%Y-%m-%d %H:%M} UTC"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the draft is empty"),
        (draft().replace(b"zone,", b""), "the draft has no zone column"),
        ((DRAFT_HEADER + "\n").encode("utf-16"), "the draft's header row is not UTF-8"),
        (bytes(range(256)) * 40, "the draft"),
        (b"x" * 10_000_001, "the draft is 10.0 MB: at most 5 MB"),
    ],
    ids=["empty", "missing-column", "utf-16", "noise", "10-MB"],
)
def test_a_file_that_cannot_be_a_draft_is_one_clear_error(app, data, message):
    at = uploaded(open_page(app, PAGE, **CHECK), "bad.csv", data)
    (error,) = [e.value for e in at.error]
    assert error.startswith(f"Cannot check bad.csv: {message}")
    assert "\n" not in error and not at.dataframe


def test_a_tutor_is_refused_every_part_of_the_page(app):
    for mode in ("merges", "check"):
        at = signed_in(app, TUTOR, mode=mode)
        assert not at.exception
        assert any(
            w.value.startswith("The Plan page is for coordinators and admins only")
            for w in [*at.warning, *at.error, *at.info]
        )
        assert not at.get("file_uploader") and not at.metric


def test_merges_and_checks_are_audited_once_each(app):
    """Signed in: Propose merges writes one "merge" line (who, settings, counts) and a rerun no
    other; a draft check one "check" line (file, rows, problems)."""
    at = proposed(signed_in(app, LEAD, **MERGES))
    at.run()  # a rerun shows the same merges: no second line
    (merge,) = [e for e in stored_events(default_url()) if e["event"] == "merge"]
    rows = merges_of()
    assert (merge["email"], merge["role"], merge["page"]) == (LEAD, "coordinator", "Plan")
    assert merge["rows"] == len(rows) == 5
    assert merge["filters"] == {"merge_below": 0.5, "horizon_days": 21, "within_days": 14}
    assert merge["counts"]["merges"] == 2 and merge["counts"]["kept"] == 3

    check = signed_in(app, LEAD, **CHECK)
    line, _ = clash_line()
    uploaded(check, "draft.csv", draft(line, BAD_ROWS[0][0]))
    check.run()
    (event,) = [e for e in stored_events(default_url()) if e["event"] == "check"]
    assert (event["email"], event["file"], event["rows"]) == (LEAD, "draft.csv", 2)
    assert event["counts"] == {"problems": 2, "bad_rows": 1}
    assert event["filters"] == {"buffer_minutes": 30, "hours": "09:00-17:00"}
