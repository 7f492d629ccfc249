"""Download file names say the view, the filters people chose and the dates, in safe ASCII."""

from __future__ import annotations

from datetime import date

from lu_data.analyses.filters import Filters
from lu_data.exports.file_names import (
    MAX_FILTER_CHARS,
    MAX_VALUE_CHARS,
    date_range_text,
    export_file_name,
    slug,
)

DEC = Filters(date_from=date(2026, 12, 1), date_to=date(2026, 12, 14))


def test_no_filter_names_the_view_and_its_dates():
    assert export_file_name("sessions", DEC) == "ilt-sessions_1-14-Dec-2026.csv"
    wide = Filters(date_from=date(2026, 11, 27), date_to=date(2027, 1, 22))
    assert export_file_name("sessions", wide) == "ilt-sessions_27-Nov-2026-to-22-Jan-2027.csv"
    assert export_file_name("sessions", None, "ics") == "ilt-sessions_all-dates.ics"


def test_dates_read_one_way_only():
    assert date_range_text(date(2026, 11, 3), date(2026, 12, 14)) == "3-Nov-to-14-Dec-2026"
    assert date_range_text(date(2026, 12, 5), date(2026, 12, 5)) == "5-Dec-2026"
    assert date_range_text(date(2026, 12, 5), None) == "from-5-Dec-2026"
    assert date_range_text(None, date(2026, 12, 5)) == "to-5-Dec-2026"


def test_one_status_is_named_as_it_is():
    full = Filters(date_from=DEC.date_from, date_to=DEC.date_to, statuses=("under_filled",))
    assert export_file_name("sessions", full) == "ilt-sessions_under-filled_1-14-Dec-2026.csv"


def test_one_tutor_by_name_with_the_status():
    f = Filters(
        date_from=DEC.date_from, date_to=DEC.date_to, statuses=("full",), tutors=("user:7",)
    )
    name = export_file_name("sessions", f, tutors={"user:7": "Omar Silva"})
    assert name == "ilt-sessions_full_tutor-omar-silva_1-14-Dec-2026.csv"


def test_accents_become_ascii():
    f = Filters(date_from=DEC.date_from, date_to=DEC.date_to, tutors=("user:9",))
    name = export_file_name("sessions", f, "xlsx", tutors={"user:9": "Oisín Patel"})
    assert name == "ilt-sessions_tutor-oisin-patel_1-14-Dec-2026.xlsx"
    assert slug("Zoë · Café (Dublin) ✨") == "zoe-cafe-dublin"
    assert slug("東京") == ""


def test_several_values_are_counted():
    f = Filters(tutors=("a", "b", "c"), locations=("Cork", "Dublin"), portals=("emea",))
    name = export_file_name("tutors", f)
    assert name == "ilt-tutors_portal-emea_3-tutors_2-locations_all-dates.csv"


def test_a_name_without_ascii_says_one_is_chosen():
    f = Filters(tutors=("user:1",))
    assert export_file_name("sessions", f, tutors={"user:1": "東京"}) == (
        "ilt-sessions_1-tutor_all-dates.csv"
    )


def test_long_titles_are_bounded_and_cut_at_a_word():
    title = "Advanced pivot tables and dashboards in Microsoft Excel for finance teams"
    value = slug(title)
    assert value == "advanced-pivot-tables-and-dashboards-in"
    assert len(value) <= MAX_VALUE_CHARS
    f = Filters(trainings=("t",), tutors=("u",), locations=(title,), kinds=("legacy",))
    name = export_file_name("sessions", f, trainings={"t": title}, tutors={"u": title * 3})
    stem = name.removesuffix(".csv")
    parts = stem.split("_")
    assert parts[0] == "ilt-sessions" and parts[-1] == "all-dates"
    assert len("_".join(parts[1:-1])) <= MAX_FILTER_CHARS + len("_9-more-filters")
    assert parts[1] == f"training-{value}"
    assert parts[-2] == "2-more-filters"
    assert name.isascii() and " " not in name
