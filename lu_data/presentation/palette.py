"""The colours of the dashboard, declared once: fill status, chart series, text on colour."""

from __future__ import annotations

# Fill status, keyed like STATUS_ORDER in model.fill_status; figures, calendar events and the
# legend badges all take their colours from here, so a status looks the same everywhere.
STATUS_COLORS: dict[str, str] = {
    "overbooked": "#b42318",
    "full": "#e07b00",
    "near_full": "#d9b100",
    "healthy": "#2e9e5b",
    "under_filled": "#4a7bd0",
    "no_limit": "#8a8f98",
}
DARK_TEXT = "#1f2328"
LIGHT_TEXT = "#ffffff"
MUTED_TEXT = "#6b7280"
# Text drawn on a status colour: white text is unreadable on the yellow "near full".
STATUS_TEXT_COLORS: dict[str, str] = {
    s: (LIGHT_TEXT if s != "near_full" else DARK_TEXT) for s in STATUS_COLORS
}

# Chart series.
CAPACITY_COLOR = "#c9d3e3"
ENROLLED_COLOR = "#1f6feb"
FILL_LINE_COLOR = STATUS_COLORS["full"]
PROJECTED_COLOR = STATUS_COLORS["full"]
MEDIAN_COLOR = STATUS_COLORS["under_filled"]
BAND_COLOR = "rgba(74, 123, 208, 0.18)"  # MEDIAN_COLOR, see-through
CONFLICT_COLOR = STATUS_COLORS["overbooked"]
# A proposed session (the Plan page's calendar): a dashed violet outline on a pale fill, unlike
# any fill status, so a draft never passes for a session that exists.
PROPOSED_COLOR = "#6d28d9"
PROPOSED_FILL = "#ede9fe"
PROPOSED_TEXT = "#3b0764"
WORKLOAD_SCALE = [[0.0, "#f7f9fc"], [0.001, "#dbe6f7"], [0.5, "#6b9be0"], [1.0, "#0b3d91"]]

# Chart furniture.
GRID_COLOR = "#eef1f5"
DIVIDER_COLOR = "#c4cad4"
