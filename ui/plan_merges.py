"""The Plan page's merges: under-filled sessions into others of the same training with seats
for their learners (lu_data.planning.merges), their settings kept in the URL, the totals, the
table with its downloads, the audit line, and the merges on a calendar among the existing
sessions (the freed session struck through, the one that takes its learners outlined)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

import pandas as pd
import streamlit as st

from lu_data.analyses.filters import Filters
from lu_data.exports.plan_export import merge_csv_frame, merge_workbook
from lu_data.model.fill_status import percent_text
from lu_data.model.portal import Portal
from lu_data.planning.merges import HORIZON_DAYS, WITHIN_DAYS, MergePlan, MergeSettings
from lu_data.presentation.display_zone import display_times
from lu_data.views.calendar_events import CALENDAR_VIEWS, DEFAULT_VIEW, MAX_EVENTS, calendar_events
from lu_data.views.merge_tables import (
    MergeTotals,
    horizon_seats,
    merge_calendar_sessions,
    merge_notes,
    merge_summary,
    merge_table,
    merge_totals,
)
from ui.calendar_view import calendar_zone, render_calendar, render_zone_caption
from ui.downloads import offer_download, record_action
from ui.metrics import Card, render_cards
from ui.pace_cache import portal_projections
from ui.page_choices import at_risk_threshold, page_choice, segmented_choice
from ui.plan import plan_today
from ui.plan_sessions import XLSX_MIME, render_clicked_session, sessions_between
from ui.table_view import download_name, percent_column, table_with_download
from ui.view import View, memo, whole_load

QP_HORIZON, QP_WITHIN = "horizon", "within"  # days: candidates start within, targets within
QP_MERGED = "merged"  # "1": Propose merges was pressed, so the link shows the merges too
PROPOSED_KEY = "plan_merges_proposed"
AUDITED_KEY = "_plan_merges_audited"  # the last merge proposal this session wrote to the log
MAX_HORIZON, MAX_WITHIN = 90, 60
# The freed session and its target as the calendar draws them: fixed text and styles only.
MERGE_LEGEND = (
    '<span style="padding:1px 8px;border:2px dotted #64748b;border-radius:8px;opacity:.7;'
    'text-decoration:line-through;font-size:.8rem">Merge into …: freed session</span> '
    '<span style="padding:1px 8px;border:3px solid #0f172a;border-radius:8px;font-weight:600;'
    'font-size:.8rem">+N learners from …: takes them</span>'
)


@dataclass(frozen=True)
class ViewMerges:
    """A merge plan of a whole load, and whether its fill was projected (else today's)."""

    plan: MergePlan
    projected: bool


def render_merges(view: View) -> None:
    """The merges part of the Plan page: the form, then (once proposed) the merges."""
    st.caption(
        "Finds sessions starting soon that are projected to end under the threshold (Fill "
        "pace's forecast; today's fill where there is no history), and moves their learners "
        "into another session of the same training and delivery with seats for all of them, "
        "all merges solved together so no session is overfilled. Nothing is changed in "
        "LearnUpon: the merges are suggestions to act on there."
    )
    settings, pressed = _render_merge_form()
    if not st.session_state.get(PROPOSED_KEY):
        st.info(
            "Set the threshold and days, then press **Propose merges**.", icon=":material/info:"
        )
        return
    found = view_merges(view, settings)
    now = pd.Timestamp(view.whole.fetched_at)
    seats = horizon_seats(view.whole.sessions, now, settings.horizon_days)
    totals = merge_totals(found.plan.rows, seats)
    _audit_merges(view, settings, totals, pressed)
    _render_totals(settings, found, totals)
    if found.plan.rows.empty:
        return
    _render_merge_table(view, settings, found.plan.rows)
    _render_merge_calendar(view, settings, found.plan.rows)


def _render_merge_form() -> tuple[MergeSettings, bool]:
    """The threshold and the two day counts (kept in the URL), and Propose merges."""
    page_choice(PROPOSED_KEY, QP_MERGED, False, parse=_flag, text=_flag_text)
    page_choice("plan_merge_horizon", QP_HORIZON, HORIZON_DAYS, parse=_days(1, MAX_HORIZON))
    page_choice("plan_merge_within", QP_WITHIN, WITHIN_DAYS, parse=_days(0, MAX_WITHIN))
    with st.form("plan_merge_form", enter_to_submit=False):
        with st.container(horizontal=True, wrap=True, gap="small", vertical_alignment="bottom"):
            with st.container(width=200):
                below = at_risk_threshold(
                    "plan_merge_threshold",
                    "Projected fill under",
                    help="A session projected to end under this share of its seats (the Fill "
                    "pace forecast, or today's fill without history) is a candidate to merge",
                )
            horizon = st.number_input(
                "Starts within (days)",
                min_value=1,
                max_value=MAX_HORIZON,
                step=1,
                key="plan_merge_horizon",
                width=140,
                help="Candidates are the under-filled sessions starting within this many days",
            )
            within = st.number_input(
                "Target within (days)",
                min_value=0,
                max_value=MAX_WITHIN,
                step=1,
                key="plan_merge_within",
                width=140,
                help="The session that takes the learners starts within this many days of "
                "theirs, before or after",
            )
        pressed = st.form_submit_button(
            "Propose merges", key="plan_merge_propose", type="primary", icon=":material/merge:"
        )
    if pressed:
        st.session_state[PROPOSED_KEY] = True
        st.query_params[QP_MERGED] = "1"
    settings = MergeSettings(float(below), int(horizon or HORIZON_DAYS), int(within or 0))
    return settings, pressed


def view_merges(view: View, settings: MergeSettings) -> ViewMerges:
    """The merge plan of the whole load for these settings, solved once per load and settings."""
    key = (settings.merge_below, settings.horizon_days, settings.within_days)
    return _load_merges(*whole_load(view), key)


@st.cache_resource(ttl="1h", max_entries=16, show_spinner="Looking for sessions to merge…")
def _load_merges(
    origin: str,
    fetched_iso: str,
    is_demo: bool,
    _portal: Portal,
    n_sessions: int,
    settings: tuple[float, int, int],
) -> ViewMerges:
    """propose_merges on the load's cached projections, as merge_portal (and so `lu-data plan
    --merge`) makes them; the solver is imported here, not with every page."""
    from lu_data.planning.merges import propose_merges

    try:
        projections = portal_projections(origin, fetched_iso, is_demo, _portal, n_sessions)
    except Exception:  # an unreachable history store: judged on today's fill, and said so
        projections = None
    fill = None if projections is None else projections.set_index("session_key")["projected_fill"]
    now = pd.Timestamp(_portal.fetched_at)
    plan = propose_merges(_portal.sessions, fill, now, MergeSettings(*settings))
    return ViewMerges(plan, projections is not None)


def _audit_merges(view: View, settings: MergeSettings, totals: MergeTotals, pressed: bool) -> None:
    """One audit line per merge proposal shown: each press, and a link's first showing."""
    shown = (view.whole.fetched_at.isoformat(), settings)
    if not pressed and st.session_state.get(AUDITED_KEY) == shown:
        return
    st.session_state[AUDITED_KEY] = shown
    record_action(
        "merge",
        rows=totals.candidates,
        filters={
            "merge_below": settings.merge_below,
            "horizon_days": settings.horizon_days,
            "within_days": settings.within_days,
        },
        counts={
            "merges": totals.sessions_freed,
            "kept": totals.candidates - totals.sessions_freed,
            "learners_moved": totals.learners_moved,
            "tutor_hours_freed": round(totals.tutor_hours_freed, 2),
        },
    )


def _render_totals(settings: MergeSettings, found: ViewMerges, totals: MergeTotals) -> None:
    """The cards, and the plan in a sentence (or why there is nothing to merge)."""
    below = percent_text(settings.merge_below)
    if found.plan.rows.empty:
        st.info(
            f"No session with a seat limit starting in the next {settings.horizon_days} days "
            f"is projected to end under {below} full: nothing to merge.",
            icon=":material/check_circle:",
        )
        return
    st.subheader("Merges")
    render_cards(
        [
            Card(
                "Merged",
                f"{totals.sessions_freed:,}",
                help="Sessions freed: under-filled sessions whose learners all have a seat in "
                "another session of the same training",
            ),
            Card(
                "Hours freed",
                f"{totals.tutor_hours_freed:,.1f}",
                help="Tutor hours: the teaching hours of the freed sessions",
            ),
            Card(
                "Learners",
                f"{totals.learners_moved:,}",
                help="Learners moved: those enrolled today in the freed sessions",
            ),
            Card(
                "Seats left",
                f"{totals.seats_still_offered:,}",
                help=f"Seats still offered after the merges, of {totals.seats_before:,} in "
                f"sessions starting in the next {settings.horizon_days} days",
            ),
        ]
    )
    basis = "projected final fill" if found.projected else "today's fill (no enrolment history)"
    st.caption(
        f"{merge_summary(totals)}. Candidates: sessions starting in the next "
        f"{settings.horizon_days} days whose {basis} is under {below}; a target starts within "
        f"{settings.within_days} days of its candidate. Solver (OR-Tools CP-SAT): "
        f"{found.plan.status.lower().replace('_', ' ')}; the same settings always give the "
        "same merges."
    )


def _render_merge_table(view: View, settings: MergeSettings, rows: pd.DataFrame) -> None:
    """Every candidate, merged or kept with why, with CSV (as `--merge`), As shown and Excel."""
    first = plan_today(view)
    merge_view = replace(
        view,
        filters=Filters(
            date_from=first, date_to=first + timedelta(days=settings.horizon_days), tz=view.tz
        ),
    )

    def excel() -> None:
        offer_download(
            None,
            "Excel",
            lambda: merge_workbook(rows),
            rows=len(rows),
            filters=merge_view.filters,
            mime=XLSX_MIME,
            file_name=download_name(merge_view, "merges", "xlsx"),
            key="plan_merges_xlsx",
            icon=":material/grid_on:",
            help="The merges and kept candidates, the CSV's columns, times as Excel dates in UTC",
        )

    st.caption(
        "One row per under-filled session: merged into another (starts in each session's own "
        "zone), or kept, with why. The full-data CSV is the one `lu-data plan --merge` writes."
    )
    table_with_download(
        merge_table(rows),
        name="merges",
        key="plan_merges",
        view=merge_view,
        csv_frame=merge_csv_frame(rows),
        column_config={
            "From start": st.column_config.TextColumn(
                "From start", help="In the session's own zone"
            ),
            "Into start": st.column_config.TextColumn(
                "Into start", help="In the session's own zone"
            ),
            "Fill after": percent_column("Fill after", bar=False),
            "Tutor hours freed": st.column_config.NumberColumn("Tutor hours freed", format="%.1f"),
            "Reason": st.column_config.TextColumn("Reason", width="large"),
        },
        more=excel,
    )


def _render_merge_calendar(view: View, settings: MergeSettings, rows: pd.DataFrame) -> None:
    """The merges among the existing sessions from today to the last day a target may start."""
    st.subheader("On the calendar")
    mode = segmented_choice(
        "View", CALENDAR_VIEWS, key="plan_merge_calendar_mode", param="view", default=DEFAULT_VIEW
    )
    tz = calendar_zone(mode, view.tz)
    first = plan_today(view)
    last = first + timedelta(days=settings.horizon_days + settings.within_days)
    existing = memo(view, sessions_between, view, first, last)
    freed, joined = merge_notes(rows)
    whole = view.whole.sessions
    involved = whole.loc[whole["session_key"].isin([*freed, *joined]).to_numpy()]
    shown, left_out = merge_calendar_sessions(existing, involved, MAX_EVENTS)
    st.caption(
        f"Each freed session is struck through and says which session takes its learners; "
        f"that session says how many it takes. Around them, the {len(shown) - len(involved):,} "
        "other sessions of these days that the sidebar's filters keep"
        + (f" ({left_out:,} more left out so the calendar stays quick)." if left_out else ".")
    )
    render_zone_caption(tz, view.tz)
    st.markdown(MERGE_LEGEND, unsafe_allow_html=True)  # fixed text only, never session text
    opens_on = first
    gone = involved.loc[involved["session_key"].isin(list(freed)).to_numpy()]
    if len(gone):  # the month (week, day) of the first freed session
        opens_on = min(max(min(display_times(gone, tz)["start_display"]).date(), first), last)
    state = render_calendar(
        calendar_events(shown, tz, MAX_EVENTS, freed=freed, joined=joined),
        mode=mode,
        tz=tz,
        first_day=first,
        last_day=last,
        today=first,
        key="plan_merge_calendar",
        opens_on=opens_on,
    )
    render_clicked_session(shown, state, view.tz, "plan_merge_calendar_selected")


def _days(low: int, high: int) -> Callable[[str], int]:
    """A parser of ?horizon= and ?within=: whole days from `low` to `high`."""

    def parse(text: str) -> int:
        days = int(text)
        if not low <= days <= high:
            raise ValueError(text)
        return days

    return parse


def _flag(text: str) -> bool:
    return text == "1"


def _flag_text(value: bool) -> str:
    return "1" if value else "0"
