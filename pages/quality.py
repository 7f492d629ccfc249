"""Data quality: every input record of the loaded source accounted for, with reasons."""

import dataclasses

import pandas as pd
import streamlit as st

import ui
from lu_data.analyses.filters import Filters
from lu_data.model.portals import portal_accounts
from lu_data.model.schema import PORTAL_COLUMN
from lu_data.presentation.session_text import warning_sessions

PORTAL_LABELS = {
    "name": "Portal",
    "snapshot_at": "Snapshot",
    "status": "Last sync",
    "input_records": "Input records",
    "sessions": "Sessions",
    "duplicates_merged": "Duplicates merged",
    "skipped_non_ilt": "Skipped (not ILT)",
    "rejected": "Rejected",
    "warnings": "Warnings",
    "balanced": "Balanced",
}
REJECTED_LABELS = {
    PORTAL_COLUMN: "Portal",
    "record": "Record",
    "where": "Where",
    "module_id": "Module id",
    "session_id": "Session id",
    "title": "Title",
    "reason": "Reason",
}
START_LOCAL_WIDTH = 190  # "2027-05-10 09:30 NZST (+12:00)"
MESSAGE_WIDTH = 210  # with Title and Start (local), inside the 560 px a table gets at 1024 px
# Which session (title and local start: what finds it in LearnUpon) and the finding fit beside
# the sidebar at 1024 px; the tutor, the code and where it is in the source follow.
WARNING_LABELS = {
    PORTAL_COLUMN: "Portal",
    "title": "Title",
    "local_start": "Start (local)",
    "message": "Message",
    "tutor": "Tutor",
    "code": "Code",
    "record": "Record",
    "where": "Where",
    "session_key": "Session key",
}

view = ui.start_page("Data quality", need_sessions=False, describe=False)
report = view.portal.quality
covers = "every session you teach in" if view.portal.viewer else "the whole"
st.caption(
    f"Covers {covers} source ({view.portal.origin}, as of "
    f"{view.portal.fetched_at:%d %b %Y %H:%M} UTC), not just the filtered view."
)
# The report is about the source, so its files carry no date range.
whole = dataclasses.replace(view, filters=Filters())
several = len(view.portal.names) > 1


def findings(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Rejected or warning rows for display: the portal column only when there are several."""
    shown = frame if several else frame.drop(columns=PORTAL_COLUMN, errors="ignore")
    return shown[[c for c in labels if c in shown.columns]].rename(columns=labels)


def render_accounting() -> None:
    """The whole source's accounting: the identity, per portal, skipped and rejected records."""
    st.subheader("Every input record accounted for")
    ui.render_cards(
        [
            ui.Card("Input records", f"{report.input_records:,}"),
            ui.Card("Sessions", f"{report.sessions:,}"),
            ui.Card(
                "Duplicates merged",
                f"{report.duplicates_merged:,}",
                help="The same session listed again, e.g. under a second course",
            ),
            ui.Card(
                "Skipped (not ILT)",
                f"{report.skipped_non_ilt:,}",
                help="Modules of other types: SCORM, exams, videos, pages…",
            ),
            ui.Card(
                "Rejected",
                f"{report.rejected_count:,}",
                help="Records that could not become sessions; see the reasons below",
            ),
        ],
    )
    identity = report.identity_text()
    if report.balanced:
        st.success(f"✓ Balances: {identity}")
    else:
        st.error(
            f"✗ Does not balance: {identity}. Please report this with the source file.",
            icon=":material/error:",
        )

    if several:
        st.caption("Per portal, and in total:")
        accounts = portal_accounts(view.portal, ui.last_sync_statuses())
        accounts["snapshot_at"] = accounts["snapshot_at"].dt.strftime("%Y-%m-%d %H:%M UTC")
        ui.table_with_download(
            accounts.rename(columns=PORTAL_LABELS),
            name="quality-portals",
            key="quality_portals",
            view=whole,
        )

    ui.offer_download(
        None,
        "Download the full report (JSON)",
        lambda: report.to_json(warning_sessions(report.warnings, view.portal.sessions)).encode(),
        rows=report.input_records,
        key="quality_json",
        icon=":material/download:",
        file_name=f"ilt-quality-{view.portal.fetched_at:%Y%m%d}.json",
        mime="application/json",
        help="The same JSON as `lu-data check --json`",
    )

    st.subheader("Skipped module types")
    if report.skipped_types:
        skipped = pd.DataFrame(
            sorted(report.skipped_types.items()), columns=["Module type", "Records"]
        )
        ui.table_with_download(skipped, name="quality-skipped", key="quality_skipped", view=whole)
    else:
        st.caption("Every record was an ILT session or ILT module.")

    st.subheader("Rejected records")
    if report.rejected.empty:
        st.success(
            "No records rejected: every ILT record became a session.",
            icon=":material/check_circle:",
        )
    else:
        st.error(
            f"{report.rejected_count:,} record{'s' if report.rejected_count != 1 else ''} could "
            "not become sessions. Fix them in LearnUpon and reload.",
            icon=":material/block:",
        )
        ui.table_with_download(
            findings(report.rejected, REJECTED_LABELS),
            name="quality-rejected",
            key="quality_rejected",
            view=whole,
            column_config={
                "Record": st.column_config.NumberColumn(format="%d"),
                "Reason": st.column_config.TextColumn(width="large"),
            },
        )


if view.portal.viewer:  # a tutor: the portal-wide accounting is not about their sessions
    st.info(
        "The warnings below are about the sessions you teach. The accounting of every record "
        "in the portal is on this page for coordinators.",
        icon=":material/info:",
    )
else:
    render_accounting()

st.subheader("Warnings")
counts = report.warning_counts()
if counts.empty:
    st.success("No warnings: every session's data looked complete.", icon=":material/check_circle:")
else:
    st.caption("Sessions kept, but something in their data needs a look. By kind:")
    ui.table_with_download(
        counts.rename(columns={"code": "Code", "meaning": "Meaning", "count": "Sessions"}),
        name="quality-warning-counts",
        key="quality_warning_counts",
        view=whole,
    )
    st.caption("Every warning, with the session's title, local start and tutor:")
    ui.table_with_download(
        findings(
            ui.memo(whole, warning_sessions, report.warnings, view.portal.sessions), WARNING_LABELS
        ),
        name="quality-warnings",
        key="quality_warnings",
        view=whole,
        # the CSV keeps its columns: the finding and where it is in the source
        csv_frame=(
            report.warnings if several else report.warnings.drop(columns=PORTAL_COLUMN)
        ).rename(columns=WARNING_LABELS),
        column_config={
            "Record": st.column_config.NumberColumn(format="%d"),
            "Start (local)": st.column_config.TextColumn(width=START_LOCAL_WIDTH),
            "Message": st.column_config.TextColumn(
                width=MESSAGE_WIDTH, help="Click a cell to read a long message whole"
            ),
        },
    )
