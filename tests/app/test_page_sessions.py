"""Sessions & export page: full table with UTC and local times, search, CSVs equal to the CLI."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from lu_data import cli
from lu_data.analyses.filters import Filters, filter_sessions
from lu_data.exports.csv import sessions_export, to_csv_bytes, view_frame
from lu_data.exports.session_frame import SESSION_EXPORT_COLUMNS
from lu_data.views.session_tables import sessions_table
from tests.support import ANCHOR
from tests.support.apptest import download, open_page
from ui.table_view import MAX_TABLE_HEIGHT, TITLE_WIDTH, table_height

PAGE = "pages/sessions.py"
TO = date(2027, 1, 22)
DEFAULT = Filters(date_from=ANCHOR, date_to=TO)
RANGE = "27-Nov-2026-to-22-Jan-2027"


def cli_export(tmp_path, tz: str, view: str = "sessions") -> bytes:
    """The bytes `lu-data export demo` writes for the page's default dates."""
    out = tmp_path / f"{view}.csv"
    code = cli.main(
        [
            "export",
            "demo",
            "--view",
            view,
            "--tz",
            tz,
            "--from",
            ANCHOR.isoformat(),
            "--to",
            TO.isoformat(),
            "--anchor",
            ANCHOR.isoformat(),
            "-o",
            str(out),
        ]
    )
    assert code == 0
    return out.read_bytes()


def search(sessions: pd.DataFrame, text: str) -> pd.DataFrame:
    """What a literal, case-insensitive search over title, tutor and location should keep."""
    hay = sessions[["title", "tutor_name", "location"]].fillna("")
    hit = hay.apply(lambda col: col.str.lower().str.contains(text.lower(), regex=False))
    return sessions.loc[hit.any(axis=1)]


def test_full_table_has_utc_and_local_times_and_a_row_count(app, demo_sessions):
    """Every filtered session is listed once, with display, UTC and own-zone times."""
    at = app(PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Sessions and export"
    view = filter_sessions(demo_sessions, DEFAULT)
    shown = at.dataframe[0].value
    assert len(shown) == len(view) == 114
    assert any(m.value == "**114** sessions in this view." for m in at.markdown)
    expected = sessions_table(view, "local", with_utc=True)
    for col in ("Start", "Start (UTC)", "Own zone start", "Zone", "Own zone", "Session key"):
        assert list(shown[col]) == list(expected[col]), col
    # when, what, who and the seats lead; the other readings follow
    lead = ["Start", "Zone", "Title", "Tutor", "Seats", "Enrolled", "Capacity", "Fill"]
    assert list(shown.columns[: len(lead)]) == lead
    assert json.loads(at.dataframe[0].proto.columns)["Title"]["width"] == TITLE_WIDTH


def test_a_short_result_draws_a_short_grid():
    """Two rows get a grid of about three rows' height, thousands a capped one."""
    assert table_height(2) < 120
    assert table_height(0) < table_height(1) < table_height(2)
    assert table_height(100_000) == MAX_TABLE_HEIGHT
    assert table_height(100_000, cap=560) == 560


def test_export_labels_are_short_with_help(app):
    """The export buttons fit at 1024 px: a word each, what they hold in their help."""
    at = app(PAGE).run()
    buttons = {b.proto.label: b.proto.help for b in at.get("download_button")}
    assert set(buttons) == {
        "Full data (CSV)",
        "As shown",
        "Trainings CSV",
        "Tutors CSV",
        ".ics",
    }
    assert all(buttons.values())
    assert at.button(key="sessions_xlsx_prepare").label == "Excel"


def test_as_shown_csv_is_the_table_on_screen(app, media):
    """Both downloads are offered; "As shown" has the grid's headers in its order and its rows
    as drawn (times in the display zone, fill as "57%"); its name says the tutor chosen."""
    import io

    at = app(PAGE, tutor="user:310004").run()  # Priya García, 10 sessions in the default range
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:2] == ["Full data (CSV)", "As shown"]
    shown = at.dataframe[0].value
    assert len(shown) == 10
    data, name = download(at, media, "sessions_all_shown_csv")
    assert name == f"ilt-sessions-as-shown_tutor-priya-garcia_{RANGE}.csv"
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, like the other CSVs
    csv = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(csv.columns) == list(shown.columns)
    want = pd.DataFrame({c: shown[c].astype("str") for c in shown.columns})
    for col in ("Start", "End", "Own zone start"):
        want[col] = shown[col].dt.strftime("%Y-%m-%d %H:%M")
    want["Start (UTC)"] = shown["Start (UTC)"].dt.strftime("%Y-%m-%d %H:%M UTC")
    want["Fill"] = [f"{v:.0%}" if pd.notna(v) else "" for v in shown["Fill"]]
    for col in ("Capacity", "Enrolled", "Seats left"):
        want[col] = [str(int(v)) if pd.notna(v) else "" for v in shown[col]]
    pd.testing.assert_frame_equal(csv, want.reset_index(drop=True), check_dtype=False)
    full, full_name = download(at, media, "sessions_all_csv")
    assert full_name == f"ilt-sessions_tutor-priya-garcia_{RANGE}.csv"
    header = full.split(b"\n", 1)[0].decode("utf-8-sig").split(",")
    assert header == SESSION_EXPORT_COLUMNS  # the machine contract is unchanged


def test_columns_are_formatted(app):
    """Times are datetime columns with a format, Fill is a percent progress bar."""
    at = app(PAGE).run()
    config = json.loads(at.dataframe[0].proto.columns)
    assert config["Start"]["type_config"] == {"type": "datetime", "format": "YYYY-MM-DD HH:mm"}
    assert config["Start (UTC)"]["type_config"]["format"].endswith("[UTC]")
    assert config["Fill"]["type_config"]["type"] == "progress"
    assert config["Fill"]["type_config"]["format"] == "percent"
    assert config["Fill"]["type_config"]["step"] == 0.01  # whole percent: "57%", not "57.38%"


@pytest.mark.parametrize("tz", ["local", "America/New_York"])
def test_sessions_csv_is_byte_for_byte_the_cli_export(app, demo_sessions, media, tmp_path, tz):
    """The page's sessions CSV equals `lu-data export demo --tz … --from … --to …`."""
    at = app(PAGE, tz=tz).run()
    assert not at.exception
    data, name = download(at, media, "sessions_all_csv")
    assert data == cli_export(tmp_path, tz)
    rows = filter_sessions(demo_sessions, Filters(date_from=ANCHOR, date_to=TO, tz=tz))
    assert data == to_csv_bytes(sessions_export(rows, tz))
    assert name == f"ilt-sessions_{RANGE}.csv"


def test_trainings_and_tutors_csvs_match_the_export_views(app, demo_sessions, media, tmp_path):
    """The trainings CSV equals `lu-data export --view trainings`; tutors is its view_frame."""
    at = app(PAGE).run()
    data, name = download(at, media, "sessions_trainings_csv")
    assert data == cli_export(tmp_path, "local", "trainings")
    assert name == f"ilt-trainings_{RANGE}.csv"
    data, name = download(at, media, "sessions_tutors_csv")
    rows = filter_sessions(demo_sessions, DEFAULT)
    assert data == to_csv_bytes(view_frame(rows, "tutors", "local"))
    assert name == f"ilt-tutors_{RANGE}.csv"


def test_search_is_case_insensitive_over_title_tutor_and_location(app, demo_sessions, media):
    """Searching 'EXCEL' keeps matching rows only, and the CSV holds exactly those rows."""
    at = app(PAGE).run()
    at.text_input(key="sessions_search").set_value("EXCEL").run()
    assert not at.exception
    rows = search(filter_sessions(demo_sessions, DEFAULT), "excel")
    assert 0 < len(rows) < 114
    assert list(at.dataframe[0].value["Session key"]) == list(rows["session_key"])
    assert any(f"**{len(rows)}** of 114 sessions match" in m.value for m in at.markdown)
    assert at.query_params["q"] == "EXCEL"  # a copied link keeps the search
    data, _ = download(at, media, "sessions_all_csv")
    assert data == to_csv_bytes(sessions_export(rows, "local"))
    data, _ = download(at, media, "sessions_tutors_csv")
    assert data == to_csv_bytes(view_frame(rows, "tutors", "local"))


def test_search_in_the_link_is_applied_and_stays_on_this_page(app, demo_sessions):
    """?q=Excel opens with the search filled in and only matching rows; menu links drop it."""
    at = open_page(app, PAGE, q="Excel", tz="UTC")
    assert at.text_input(key="sessions_search").value == "Excel"
    rows = search(filter_sessions(demo_sessions, DEFAULT), "excel")
    assert list(at.dataframe[0].value["Session key"]) == list(rows["session_key"])
    assert at.query_params["q"] == "Excel" and at.query_params["tz"] == "UTC"
    links = [link.proto.query_string for link in at.get("page_link")]
    assert links and all("q=" not in link and "tz=UTC" in link for link in links)
    at.multiselect(key="filter_statuses").set_value(["healthy"]).run()  # a sidebar change
    assert at.query_params["q"] == "Excel" and at.query_params["status"] == "healthy"
    at.text_input(key="sessions_search").set_value("").run()
    assert "q" not in at.query_params and at.query_params["tz"] == "UTC"


def test_search_matches_tutor_and_location_too(app, demo_sessions):
    """A tutor's name or a place finds their sessions, whatever the title."""
    view = filter_sessions(demo_sessions, DEFAULT)
    at = app(PAGE).run()
    for text in ("aoife murphy", "zoom"):
        at.text_input(key="sessions_search").set_value(text).run()
        expected = search(view, text)
        assert len(expected) > 0
        assert list(at.dataframe[0].value["Session key"]) == list(expected["session_key"])


@pytest.mark.parametrize("text", [".*", "[a-z]+"])
def test_search_text_is_literal_not_a_regex(app, text):
    """Regex patterns are matched literally: no match-everything, and a hint to clear it."""
    at = app(PAGE).run()
    at.text_input(key="sessions_search").set_value(text).run()
    assert not at.exception
    assert not at.dataframe
    assert any("clear the search" in i.value for i in at.info)


def test_search_with_a_bracket_finds_it_literally(app, demo_sessions):
    """'(' is no regex error: it finds the locations written with brackets, e.g. '(Zoom)'."""
    at = app(PAGE).run()
    at.text_input(key="sessions_search").set_value("(").run()
    assert not at.exception
    expected = search(filter_sessions(demo_sessions, DEFAULT), "(")
    assert len(expected) > 0
    assert list(at.dataframe[0].value["Session key"]) == list(expected["session_key"])


def test_display_zone_switch_changes_shown_times(app, demo_sessions):
    """In UTC the Start column equals Start (UTC); in own zones it equals the own-zone start."""
    at = app(PAGE).run()
    shown = at.dataframe[0].value
    assert (shown["Start"] == shown["Own zone start"]).all()
    assert (shown["Start"] != shown["Start (UTC)"]).any()
    at.radio(key="filter_tz_mode").set_value("pick").run()
    at.selectbox(key="filter_tz_zone").set_value("UTC").run()
    assert not at.exception
    shown = at.dataframe[0].value
    expected = filter_sessions(demo_sessions, Filters(date_from=ANCHOR, date_to=TO, tz="UTC"))
    assert len(shown) == len(expected)
    assert (shown["Start"] == shown["Start (UTC)"]).all()
    assert (shown["Zone"] == "UTC").all()


def test_sidebar_filters_change_the_rows(app, demo_sessions):
    """Filtering to legacy modules lists only those, with a matching count."""
    at = app(PAGE).run()
    at.multiselect(key="filter_kinds").set_value(["legacy"]).run()
    expected = filter_sessions(
        demo_sessions, Filters(date_from=ANCHOR, date_to=TO, kinds=("legacy",))
    )
    shown = at.dataframe[0].value
    assert len(shown) == len(expected) > 0
    assert set(shown["Kind"]) == {"Legacy ILT"}


def test_query_params_restore_the_view(app, demo_sessions):
    """A link with dates, a status and a zone opens on the same rows."""
    at = app(PAGE, status="full", tz="Asia/Tokyo", **{"from": "2026-12-01", "to": "2026-12-31"})
    at.run()
    assert not at.exception
    expected = filter_sessions(
        demo_sessions,
        Filters(
            date_from=date(2026, 12, 1),
            date_to=date(2026, 12, 31),
            statuses=("full",),
            tz="Asia/Tokyo",
        ),
    )
    shown = at.dataframe[0].value
    assert list(shown["Session key"]) == list(expected["session_key"])
    assert (shown["Zone"] == "JST (+09:00)").all()


def test_empty_view_says_what_to_change(app):
    """No sessions in range: a message that says to widen the dates, no empty table."""
    at = app(PAGE, **{"from": "2031-01-01", "to": "2031-01-02"}).run()
    assert not at.exception
    assert not at.dataframe
    assert any("widen the dates" in i.value for i in at.info)


def test_calendar_and_excel_downloads_hold_the_shown_sessions(app, demo_sessions, media):
    """The .ics has one event per shown session; Excel is built on request with all rows."""
    import io

    from icalendar import Calendar
    from openpyxl import load_workbook

    at = app(PAGE).run()
    data, name = download(at, media, "sessions_ics")
    rows = filter_sessions(demo_sessions, Filters(date_from=ANCHOR, date_to=TO))
    events = Calendar.from_ical(data).walk("VEVENT")
    assert name == f"ilt-sessions_{RANGE}.ics"
    assert len(events) == len(rows)
    assert not [b for b in at.get("download_button") if b.proto.id.endswith("-sessions_xlsx")]
    at.button(key="sessions_xlsx_prepare").click().run()
    data, name = download(at, media, "sessions_xlsx")
    assert name == f"ilt-sessions_{RANGE}.xlsx"
    sheet = load_workbook(io.BytesIO(data), read_only=True)["Sessions"]
    assert sheet.max_row == 1 + len(rows)


def test_long_tables_show_a_capped_preview_and_build_csv_on_click(app, monkeypatch, media):
    """Past the row cap the table shows its first rows and says so; the CSV waits for a click."""
    import ui

    monkeypatch.setattr(ui.table_view, "MAX_TABLE_ROWS", 10)
    monkeypatch.setattr(ui.downloads, "DEFER_DOWNLOAD_ROWS", 10)
    at = app(PAGE).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 10
    assert any("Showing the first 10 of 114 rows" in c.value for c in at.caption)
    button = next(b for b in at.get("download_button") if b.proto.id.endswith("-sessions_all_csv"))
    assert button.proto.deferred_file_id and not button.proto.url
