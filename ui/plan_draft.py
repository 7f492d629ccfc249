"""The Plan page's draft check: a CSV of sessions to be created (the plan's own CSV, or one made
by hand) checked row by row against the data and itself before it goes into LearnUpon, with the
buffer and working hours kept in the URL; the summary, the rows that could not be read, the
problems with their downloads, and one audit line per check."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import time

import pandas as pd
import streamlit as st

from lu_data.analyses.filters import Filters
from lu_data.exports.plan_export import draft_check_frame, draft_check_workbook
from lu_data.model.portal import Portal
from lu_data.planning.draft_check import check_draft, check_summary
from lu_data.planning.draft_file import MAX_DRAFT_BYTES, read_draft
from lu_data.planning.requests import BUFFER_MINUTES, DAY_END, DAY_START, PlanError, parse_hours
from lu_data.views.merge_tables import bad_row_lines, problem_counts, problem_table
from ui.downloads import offer_download, record_action
from ui.loaders import portal_token
from ui.page_choices import page_choice, seed_widget, show_choice
from ui.plan import QP_BUFFER, QP_HOURS, buffer_input, day_inputs, hours_param, parse_buffer
from ui.plan_sessions import XLSX_MIME
from ui.table_view import download_name, table_with_download
from ui.view import View

MAX_UPLOAD_MB = max(1, MAX_DRAFT_BYTES // 1_000_000)  # the browser refuses larger files first
AUDITED_KEY = "_plan_check_audited"  # the last check this session wrote to the audit log
MAX_NAME = 200  # characters of an uploaded file's name kept in the audit log
UPLOAD_HELP = (
    "The Proposed sessions CSV of this page, or one made by hand with at least the columns "
    "training (title or id), start, end, zone, tutor_email and location (id or name); "
    "optional capacity. Times with an offset are read as such, others as the row's zone."
)


def render_draft_check(view: View) -> None:
    """The draft-check part of the Plan page: the upload and the rules, then the check."""
    st.caption(
        "Check a schedule before it goes into LearnUpon: each row of the CSV against every "
        "session of this data and the other rows, for tutor double-booking (with the buffer), "
        "in person at two locations one day, room clashes, working hours in the row's zone, "
        "the zone checks, more seats than the room has held, and an unknown training or a "
        "tutor who never taught it (warnings). Nothing is written to LearnUpon."
    )
    upload = st.file_uploader(
        "Draft (CSV)",
        type=["csv"],
        key="plan_draft_file",
        max_upload_size=MAX_UPLOAD_MB,
        help=UPLOAD_HELP,
    )
    buffer, day_start, day_end = _render_rules()
    if upload is None:
        st.info("Upload a draft CSV to check it.", icon=":material/upload_file:")
        return
    data = upload.getvalue()
    name = upload.name[:MAX_NAME]
    hours = f"{day_start:%H:%M}-{day_end:%H:%M}"
    rules: dict[str, object] = {"buffer_minutes": buffer, "hours": hours}
    try:
        start, end = parse_hours(hours)
        problems, rows, dates = _cached_check(
            portal_token(view.whole), _digest(data), buffer, start, end, view.whole, data
        )
    except PlanError as exc:  # a file that cannot be a draft, or hours that cannot be: one line
        _audit_check(upload.file_id, name, rules, None, reason=str(exc))
        st.error(f"Cannot check {name}: {exc}.", icon=":material/error:")
        return
    _audit_check(upload.file_id, name, rules, (problems, rows))
    _render_result(view, problems, rows, dates)


def _render_rules() -> tuple[int, time, time]:
    """The buffer and the working day, seeded from the URL (?buffer=, ?hours=) and kept there."""
    buffer = page_choice("plan_check_buffer", QP_BUFFER, BUFFER_MINUTES, parse=parse_buffer)
    hours = hours_param() or (DAY_START, DAY_END)
    seed_widget("plan_check_day_start", hours[0])
    seed_widget("plan_check_day_end", hours[1])
    with st.container(horizontal=True, wrap=True, gap="small", vertical_alignment="bottom"):
        buffer_input("plan_check_buffer")
        start, end = day_inputs("plan_check_day_start", "plan_check_day_end")
    start, end = start or DAY_START, end or DAY_END
    show_choice(QP_HOURS, f"{start:%H:%M}-{end:%H:%M}", f"{DAY_START:%H:%M}-{DAY_END:%H:%M}")
    return int(buffer), start, end


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@st.cache_data(ttl="1h", max_entries=8, show_spinner="Checking the draft…")
def _cached_check(
    token: str,
    digest: str,
    buffer: int,
    day_start: time,
    day_end: time,
    _portal: Portal,
    _data: bytes,
) -> tuple[pd.DataFrame, int, tuple[pd.Timestamp, pd.Timestamp] | None]:
    """read_draft and check_draft, as `lu-data plan --check` runs them, once per load, file and
    rules: the problems, the rows checked, and the first and last start of the readable rows."""
    rows, bad = read_draft(_data)
    problems = check_draft(
        _portal.sessions, rows, bad, buffer_minutes=buffer, day_start=day_start, day_end=day_end
    )
    starts = [r.start_utc for r in rows]
    return problems, len(rows) + len(bad), (min(starts), max(starts)) if starts else None


def _audit_check(
    file_id: str,
    name: str,
    rules: dict[str, object],
    found: tuple[pd.DataFrame, int] | None,
    reason: str = "",
) -> None:
    """One audit line per check shown: a new file, or new rules, not every rerun."""
    checked = (file_id, tuple(rules.items()))
    if st.session_state.get(AUDITED_KEY) == checked:
        return
    st.session_state[AUDITED_KEY] = checked
    if found is None:
        record_action("check", file=name, filters=rules, reason=reason)
        return
    problems, rows = found
    record_action("check", file=name, rows=rows, filters=rules, counts=problem_counts(problems))


def _render_result(
    view: View,
    problems: pd.DataFrame,
    rows: int,
    dates: tuple[pd.Timestamp, pd.Timestamp] | None,
) -> None:
    """The summary line, the rows not read (one line each) and the problems with downloads."""
    summary = check_summary(problems, rows)
    if problems.empty:
        st.success(summary, icon=":material/verified:")
        return
    st.warning(summary, icon=":material/warning:")
    lines = bad_row_lines(problems)
    if lines:
        n = len(lines)
        st.markdown(
            f"**{n} row{'s' if n != 1 else ''} could not be read**; the others were checked:"
        )
        st.text("\n".join(lines))  # plain text: a cell of the file is never read as Markdown
    st.subheader("Problems")
    # Downloads are named after the draft's days, and their audit lines say it.
    first, last = (d.date() for d in dates) if dates else (None, None)
    check_view = replace(view, filters=Filters(date_from=first, date_to=last, tz=view.tz))

    def excel() -> None:
        offer_download(
            None,
            "Excel",
            lambda: draft_check_workbook(problems),
            rows=len(problems),
            filters=check_view.filters,
            mime=XLSX_MIME,
            file_name=download_name(check_view, "draft-check", "xlsx"),
            key="plan_check_xlsx",
            icon=":material/grid_on:",
            help="The problems, the CSV's columns, the start as an Excel date in UTC",
        )

    table_with_download(
        problem_table(problems),
        name="draft-check",
        key="plan_check",
        view=check_view,
        csv_frame=draft_check_frame(problems),
        column_config={
            "Row": st.column_config.NumberColumn("Row", width="small", help="Line in the file"),
            "Start (UTC)": st.column_config.TextColumn("Start (UTC)", width="medium"),
            "Clashes with": st.column_config.TextColumn("Clashes with", width="large"),
            "Reason": st.column_config.TextColumn("Reason", width="large"),
        },
        more=excel,
    )
