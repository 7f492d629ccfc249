"""The Plan page's glue: what to add and the rules to keep (a form whose choices live in the
URL, so a copied link makes the same plan), supply and demand of the whole load, and the plan
cached per load and choices, so a rerun never solves again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta

import pandas as pd
import streamlit as st

from lu_data.analyses.supply_demand import SELLS_OUT, supply_demand
from lu_data.model.portal import Portal
from lu_data.model.result_schemas import SUPPLY_DEMAND_DTYPES
from lu_data.model.schema import empty_frame
from lu_data.planning.portal_plan import PortalPlan, plan_portal
from lu_data.planning.requests import (
    BUFFER_MINUTES,
    DAY_END,
    DAY_START,
    HOURS_PATTERN,
    MAX_COUNT,
    PlanError,
    PlanRequest,
    PlanSettings,
    default_requests,
    default_window,
    parse_hours,
    training_titles,
)
from lu_data.views.plan_tables import (
    COUNT,
    EVIDENCE,
    TRAINING,
    VERDICT,
    request_table,
    requested_counts,
)
from ui.loaders import portal_choices, portal_token
from ui.page_choices import page_choice, seed_widget, segmented_choice, show_choice
from ui.table_view import table_height
from ui.view import View, view_pace_inputs

# The page's own URL names (none is a shared filter's): ?add=training:20011*2&first=2026-12-04
QP_ADD = "add"  # one per training: its key, then "*N" when more than one session is asked
QP_FIRST, QP_LAST = "first", "last"  # the window's first and last local day
QP_HOURS = "hours"  # "09:00-17:00"
QP_WEEKENDS = "weekends"  # "1": weekends too
QP_BUFFER = "buffer"  # minutes between a tutor's sessions
QP_MAX_HOURS = "max_hours"  # a tutor's weekly hours; absent: each one's busiest recent week
QP_PROPOSED = "proposed"  # "1": Propose was pressed, so the link shows the proposal too
QP_MODE = "mode"  # which part of the page: new sessions (absent), merges or a draft check
MODE_NEW, MODE_MERGES, MODE_CHECK = "new", "merges", "check"
PLAN_MODES = {MODE_NEW: "New sessions", MODE_MERGES: "Merges", MODE_CHECK: "Check a draft"}
COUNT_SEP = "*"
EDITOR_KEY = "plan_counts"
BASE_KEY = "_plan_base_counts"  # the counts the editor started from (its edits are on top)
LOAD_KEY = "_plan_load"  # the load the editor's rows are the trainings of
UNKNOWN_KEY = "_plan_unknown"  # trainings the link asked for that the load does not hold
PROPOSED_KEY = "plan_proposed"
MAX_BUFFER = 240
MAX_WEEK_HOURS = 80.0
EDITOR_ROWS = 8  # rows of trainings in view at once; the grid scrolls for the rest


@dataclass(frozen=True)
class PlanChoices:
    """What the Plan page's form holds: sessions per training, the window, hours and limits."""

    counts: tuple[tuple[str, int], ...]  # (training key, sessions), in the plan's order
    window: tuple[date, ...]  # (first, last); one day while the second is being picked
    day_start: time
    day_end: time
    weekends: bool
    buffer_minutes: int
    max_week_hours: float | None

    @property
    def requests(self) -> list[PlanRequest]:
        """The sessions asked of each training, as the planner takes them."""
        return [PlanRequest(key, n) for key, n in self.counts]

    @property
    def requested(self) -> int:
        """Sessions asked for in all."""
        return sum(n for _, n in self.counts)

    def settings(self) -> PlanSettings:
        """The planner's settings; PlanError names a value that cannot be one."""
        if len(self.window) < 2:
            raise PlanError("the window has a first day but no last day: pick both")
        day_start, day_end = parse_hours(f"{self.day_start:%H:%M}-{self.day_end:%H:%M}")
        return PlanSettings(
            first_day=self.window[0],
            last_day=self.window[1],
            day_start=day_start,
            day_end=day_end,
            weekends=self.weekends,
            max_week_hours=self.max_week_hours,
            buffer_minutes=self.buffer_minutes,
        )


def plan_mode() -> str:
    """Which part of the Plan page is shown (a segmented control kept in ?mode=)."""
    return segmented_choice(
        "What to plan", PLAN_MODES, key="plan_mode", param=QP_MODE, default=MODE_NEW
    )


def plan_today(view: View) -> date:
    """The planner's today: the day the load was fetched, as supply and demand reads it."""
    return view.whole.fetched_at.date()


def plan_verdicts(view: View) -> pd.DataFrame | None:
    """Supply and demand of every training of the whole load, whatever the filters (the plan's
    defaults and evidence); None when the enrolment history cannot be read."""
    try:
        history, _, _ = view_pace_inputs(view)
    except Exception:  # an unreachable history store only removes the suggestions
        return None
    return _load_verdicts(portal_token(view.whole), view.whole, history)


@st.cache_resource(ttl="1h", max_entries=8, show_spinner=False)
def _load_verdicts(token: str, _portal: Portal, _history: pd.DataFrame) -> pd.DataFrame:
    """supply_demand of one load on its history, once per load."""
    return supply_demand(_history, _portal.sessions, pd.Timestamp(_portal.fetched_at))


def default_counts(verdicts: pd.DataFrame | None) -> dict[str, int]:
    """One more session of each training that sells out early (none without a history)."""
    if verdicts is None:
        return {}
    return {r.training_key: r.count for r in default_requests(verdicts)}


def render_plan_form(view: View, verdicts: pd.DataFrame | None) -> PlanChoices:
    """The form of what to add and the rules to keep, seeded from the URL and written back to
    it; returns its choices (Propose sets plan_proposed)."""
    whole = view.whole
    labels = portal_choices(portal_token(whole), whole).training_labels
    suggested = default_counts(verdicts)
    first, last = default_window(plan_today(view))
    token = portal_token(whole)
    if EDITOR_KEY not in st.session_state or st.session_state.get(LOAD_KEY) != token:
        # A new visit, or new data (whose trainings are other rows): start from the URL alone.
        st.session_state.pop(EDITOR_KEY, None)
        st.session_state[LOAD_KEY] = token
        st.session_state[BASE_KEY] = _counts_from_url(labels, suggested)
        st.session_state[UNKNOWN_KEY] = _unknown_in_url(labels)
        st.session_state.pop(PROPOSED_KEY, None)  # not the last visit's Propose
    seed_widget("plan_window", (_date_param(QP_FIRST) or first, _date_param(QP_LAST) or last))
    hours = hours_param() or (DAY_START, DAY_END)
    seed_widget("plan_day_start", hours[0])
    seed_widget("plan_day_end", hours[1])
    page_choice("plan_weekends", QP_WEEKENDS, False, parse=_flag, text=_flag_text)
    page_choice("plan_buffer", QP_BUFFER, BUFFER_MINUTES, parse=parse_buffer)
    page_choice("plan_max_hours", QP_MAX_HOURS, None, parse=_week_hours, text=_hours_text)
    page_choice(PROPOSED_KEY, QP_PROPOSED, False, parse=_flag, text=_flag_text)

    with st.form("plan_form", enter_to_submit=False):
        st.markdown("**What to add**")
        _caption_suggestion(verdicts, suggested)
        unknown = st.session_state.get(UNKNOWN_KEY) or []
        if unknown:  # a link made on other data: say what it asked for that is not here
            st.warning(
                f"The link asks for {len(unknown)} training{'s' if len(unknown) != 1 else ''} "
                f"this data does not hold, left out: {', '.join(map(_literal, unknown))}.",
                icon=":material/link_off:",
            )
        table = request_table(labels, verdicts, st.session_state[BASE_KEY])
        edited = st.data_editor(
            table,
            key=EDITOR_KEY,
            hide_index=True,
            num_rows="fixed",
            disabled=[TRAINING, VERDICT, EVIDENCE],
            height=table_height(min(len(table), EDITOR_ROWS)),
            column_config={
                TRAINING: st.column_config.TextColumn(TRAINING, width="medium"),
                COUNT: st.column_config.NumberColumn(
                    COUNT,
                    min_value=0,
                    max_value=MAX_COUNT,
                    step=1,
                    format="%d",
                    width=75,
                    help=f"New sessions of the training to propose, 0 to {MAX_COUNT}",
                ),
                VERDICT: st.column_config.TextColumn(VERDICT, width=135),
                EVIDENCE: st.column_config.TextColumn(
                    EVIDENCE, width="large", help="From the training's recent completed sessions"
                ),
            },
        )
        st.markdown("**When, and the rules every proposal keeps**")
        with st.container(horizontal=True, wrap=True, gap="small", vertical_alignment="bottom"):
            window = st.date_input(
                "Window",
                key="plan_window",
                format="YYYY-MM-DD",
                width=222,
                help="First and last day a proposal may fall on, in the session's own zone",
            )
            start, end = day_inputs("plan_day_start", "plan_day_end")
            buffer = buffer_input("plan_buffer")
            max_hours = st.number_input(
                "Tutor hours a week",
                min_value=1.0,
                max_value=MAX_WEEK_HOURS,
                step=1.0,
                value=None,
                format="%g",
                placeholder="Recent peak",
                key="plan_max_hours",
                width=160,
                help="The most hours any tutor may teach in one week. Blank: each tutor's "
                "busiest week of the last 12",
            )
            weekends = st.toggle("Weekends too", key="plan_weekends")
        st.caption(
            "Working hours and days are read in each session's own zone: 09:00–17:00 is "
            "Dublin's for a Dublin session and Sydney's for a Sydney one."
        )
        pressed = st.form_submit_button(
            "Propose", key="plan_propose", type="primary", icon=":material/auto_awesome:"
        )
    if pressed:
        st.session_state[PROPOSED_KEY] = True

    counts = requested_counts(edited)
    dates = tuple(window) if isinstance(window, tuple | list) else (window,)
    choices = PlanChoices(
        counts=tuple(sorted(counts.items(), key=lambda kv: _plan_order(kv[0], whole))),
        window=tuple(d for d in dates if isinstance(d, date)),
        day_start=start or DAY_START,
        day_end=end or DAY_END,
        weekends=bool(weekends),
        buffer_minutes=int(buffer if buffer is not None else BUFFER_MINUTES),
        max_week_hours=float(max_hours) if max_hours is not None else None,
    )
    _write_choices(choices, suggested, (first, last))
    return choices


def day_inputs(start_key: str, end_key: str) -> tuple[time | None, time | None]:
    """The working day's start and end pickers (quarter hours), as every Plan view has them."""
    step = timedelta(minutes=15)
    start = st.time_input("Day starts", key=start_key, step=step, width=90)
    end = st.time_input("Day ends", key=end_key, step=step, width=90)
    return start, end


def buffer_input(key: str) -> int | float | None:
    """The minutes a tutor keeps free between two sessions, as every Plan view asks them."""
    return st.number_input(
        "Buffer (min)",
        min_value=0,
        max_value=MAX_BUFFER,
        step=15,
        key=key,
        width=125,
        help="Free minutes a tutor keeps between two sessions",
    )


def plan_proposed() -> bool:
    """True once Propose was pressed (or a link said it was): the page shows the plan."""
    return bool(st.session_state.get(PROPOSED_KEY))


def view_plan(view: View, choices: PlanChoices, verdicts: pd.DataFrame | None) -> PortalPlan:
    """The plan of the whole load for these choices, solved once per load and choices (a rerun,
    or another session asking the same, reads it back); PlanError names a bad value."""
    settings = choices.settings()
    judged = verdicts if verdicts is not None else empty_frame(SUPPLY_DEMAND_DTYPES)
    return _cached_plan(
        portal_token(view.whole),
        choices.counts,
        repr(settings),
        plan_today(view),
        view.whole,
        settings,
        judged,
    )


@st.cache_data(ttl="1h", max_entries=16, show_spinner="Proposing…")
def _cached_plan(
    token: str,
    counts: tuple[tuple[str, int], ...],
    settings_key: str,
    today: date,
    _portal: Portal,
    _settings: PlanSettings,
    _verdicts: pd.DataFrame,
) -> PortalPlan:
    """plan_portal, keyed by the load (its token), the requests, the settings and today."""
    requests = [PlanRequest(key, n) for key, n in counts]
    return plan_portal(_portal, requests, _settings, today, _verdicts)


def _plan_order(key: str, portal: Portal) -> tuple[str, str]:
    """Requests go to the planner in one order whatever the editor's: by title, then key (as
    the default requests are), so a link reproduces its plan."""
    return (_titles(portal_token(portal), portal).get(key, ""), key)


@st.cache_resource(ttl="6h", max_entries=16, show_spinner=False)
def _titles(token: str, _portal: Portal) -> dict[str, str]:
    """Each training key's title, once per load."""
    return {str(k): str(v) for k, v in training_titles(_portal.sessions).items()}


def _caption_suggestion(verdicts: pd.DataFrame | None, suggested: Mapping[str, int]) -> None:
    """Say where the suggested counts come from (or why there are none)."""
    if verdicts is None:
        st.caption(
            "The enrolment history could not be read, so nothing is suggested: type how many "
            "sessions of each training to add."
        )
    elif suggested:
        n = len(suggested)
        st.caption(
            f"Suggested: one more session of each training that {SELLS_OUT.lower()} in Fill "
            f"pace's supply and demand ({n}, the evidence beside each). Change any count; 0 "
            "adds none."
        )
    else:
        st.caption(
            "No training sells out early by its enrolment history (or the history is too short "
            "to tell), so nothing is suggested: type how many sessions of each training to add."
        )


def _write_choices(
    choices: PlanChoices, suggested: Mapping[str, int], window: tuple[date, date]
) -> None:
    """Keep the form's choices in the URL; defaults stay out of it until Propose is pressed.

    From then on the trainings and the window are written whatever they are: both defaults
    follow the load (its suggestion, its day), and the link must make this plan on a later one.
    """
    pinned = plan_proposed()
    if dict(choices.counts) == dict(suggested) and not pinned:
        if QP_ADD in st.query_params:
            del st.query_params[QP_ADD]
    else:
        wanted = [_count_text(k, n) for k, n in choices.counts] or [""]  # "": none at all
        if st.query_params.get_all(QP_ADD) != wanted:
            st.query_params[QP_ADD] = wanted
    days = choices.window
    first, last = (None, None) if pinned else window
    show_choice(QP_FIRST, days[0] if days else None, first, _iso)
    show_choice(QP_LAST, days[1] if len(days) > 1 else None, last, _iso)
    show_choice(
        QP_HOURS,
        f"{choices.day_start:%H:%M}-{choices.day_end:%H:%M}",
        f"{DAY_START:%H:%M}-{DAY_END:%H:%M}",
    )
    show_choice(QP_WEEKENDS, choices.weekends, False, _flag_text)
    show_choice(QP_BUFFER, choices.buffer_minutes, BUFFER_MINUTES)
    show_choice(QP_MAX_HOURS, choices.max_week_hours, None, _hours_text)
    show_choice(QP_PROPOSED, plan_proposed(), False, _flag_text)


def _counts_from_url(labels: Mapping[str, str], suggested: Mapping[str, int]) -> dict[str, int]:
    """The counts a link asks for (?add=…, trainings of this load only), else the suggestion."""
    if QP_ADD not in st.query_params:
        return dict(suggested)
    counts: dict[str, int] = {}
    for text in st.query_params.get_all(QP_ADD):
        key, n = parse_count_text(text)
        if key in labels and n > 0:
            counts[key] = min(counts.get(key, 0) + n, MAX_COUNT)
    return counts


def _unknown_in_url(labels: Mapping[str, str]) -> list[str]:
    """What a link asks for (as written) that names no training of this load."""
    texts = (text.strip() for text in st.query_params.get_all(QP_ADD))
    return sorted({t for t in texts if t and parse_count_text(t)[0] not in labels})


def _literal(text: str) -> str:
    """Text from a link shown as written: a code span, which Markdown neither links nor formats."""
    return f"`{text.replace('`', '')}`"


def parse_count_text(text: str) -> tuple[str, int]:
    """ "training:20011*2" as (key, 2); a bare key asks for one; anything unreadable for none."""
    key, sep, n = text.strip().rpartition(COUNT_SEP)
    if not sep:
        return text.strip(), 1
    try:
        return key, max(int(n), 0)
    except ValueError:
        return key, 0


def _count_text(key: str, n: int) -> str:
    """A training's count as the URL holds it: its key, and "*N" when more than one."""
    return key if n == 1 else f"{key}{COUNT_SEP}{n}"


def _date_param(name: str) -> date | None:
    try:
        return date.fromisoformat(st.query_params.get(name, ""))
    except ValueError:
        return None


def hours_param() -> tuple[time, time] | None:
    """?hours= as two clock times, even ones that end before they start (the form says so)."""
    match = HOURS_PATTERN.match(st.query_params.get(QP_HOURS, ""))
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        return time(h1, m1), time(h2, m2)
    except ValueError:
        return None


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _flag(text: str) -> bool:
    return text == "1"


def _flag_text(value: bool) -> str:
    return "1" if value else "0"


def parse_buffer(text: str) -> int:
    """?buffer= as minutes, 0 to MAX_BUFFER; ValueError for anything else."""
    minutes = int(text)
    if not 0 <= minutes <= MAX_BUFFER:
        raise ValueError(text)
    return minutes


def _week_hours(text: str) -> float:
    hours = float(text)
    if not 1 <= hours <= MAX_WEEK_HOURS:
        raise ValueError(text)
    return hours


def _hours_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
