"""Streamlit glue shared by every page: data source, cached loading, sidebar, tables with CSV.

Pages use it as `import ui`, and use only the names in __all__. The parts: ui.loaders (the demo,
uploads, settings, per-load caches), ui.store_view (the store and its syncer), ui.pace_cache,
ui.view (the View of a run, memo), ui.access, ui.sidebar, ui.source_picker, ui.menu,
ui.page_choices, ui.downloads, ui.table_view, ui.calendar_view, ui.at_risk, ui.metrics,
ui.supply_demand, ui.plan (the Plan page's form and modes), ui.plan_sessions (its new sessions),
ui.plan_merges, ui.plan_draft, ui.digest_preview and ui.audit_view (tests import from those
directly).
"""

from lu_data.core.source_kinds import SOURCE_DEMO
from ui.access import sign_in_configured
from ui.at_risk import render_projected_risk, render_risk_digest
from ui.audit_view import (
    audit_filters,
    audit_store_people,
    audit_today,
    read_audit,
    render_audit_events,
)
from ui.calendar_view import calendar_zone, render_calendar, render_zone_caption
from ui.digest_preview import render_digest_preview
from ui.downloads import offer_download
from ui.metrics import Card, Drill, render_cards, render_drills, seat_cards
from ui.page_choices import (
    at_risk_threshold,
    calendar_day,
    calendar_from_link,
    page_choice,
    segmented_choice,
    sidebar_tutor,
    tutor_picker,
    view_threshold,
)
from ui.plan import (
    MODE_CHECK,
    MODE_MERGES,
    PlanChoices,
    plan_mode,
    plan_proposed,
    plan_today,
    plan_verdicts,
    render_plan_form,
    view_plan,
)
from ui.plan_draft import render_draft_check
from ui.plan_merges import render_merges
from ui.plan_sessions import render_plan_result
from ui.sidebar import searched_options, start_page
from ui.store_view import STORE_ERRORS, last_sync_statuses
from ui.supply_demand import render_demand_link, render_supply_demand
from ui.table_view import (
    DATETIME_FORMAT,
    download_name,
    percent_column,
    render_status_legend,
    table_height,
    table_with_download,
)
from ui.view import memo, view_pace_inputs, view_projections

__all__ = [
    "DATETIME_FORMAT",
    "MODE_CHECK",
    "MODE_MERGES",
    "STORE_ERRORS",
    "audit_filters",
    "audit_store_people",
    "audit_today",
    "at_risk_threshold",
    "calendar_day",
    "calendar_from_link",
    "calendar_zone",
    "Card",
    "Drill",
    "PlanChoices",
    "SOURCE_DEMO",
    "download_name",
    "last_sync_statuses",
    "memo",
    "offer_download",
    "page_choice",
    "plan_mode",
    "plan_proposed",
    "plan_today",
    "plan_verdicts",
    "segmented_choice",
    "percent_column",
    "render_calendar",
    "render_cards",
    "render_demand_link",
    "render_digest_preview",
    "render_draft_check",
    "render_drills",
    "render_merges",
    "render_plan_form",
    "render_plan_result",
    "render_projected_risk",
    "render_risk_digest",
    "render_status_legend",
    "render_supply_demand",
    "read_audit",
    "render_audit_events",
    "render_zone_caption",
    "searched_options",
    "seat_cards",
    "sidebar_tutor",
    "sign_in_configured",
    "start_page",
    "table_height",
    "table_with_download",
    "tutor_picker",
    "view_pace_inputs",
    "view_projections",
    "view_plan",
    "view_threshold",
]
