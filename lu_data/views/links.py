"""Links to dashboard views: the URL names of the shared filters and of each page, defined once
for the app (which reads and writes them) and for anything that links to it (the digest)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from lu_data.analyses.filters import Filters
from lu_data.core.pages import PAGE_PATHS

PARAM_FROM, PARAM_TO, PARAM_TZ = "from", "to", "tz"
PARAM_SEARCH = "q"  # the Sessions page's search
PARAM_THRESHOLD = "threshold"  # the at-risk threshold as a fraction
# Filters field → URL name; the values are the sidebar's option values (keys for trainings
# and tutors, names for locations).
FILTER_PARAMS = {
    "portals": "portal",
    "trainings": "training",
    "tutors": "tutor",
    "locations": "location",
    "kinds": "kind",
    "statuses": "status",
}


def view_params(filters: Filters, **extra: str | Sequence[str]) -> dict[str, list[str]]:
    """The URL parameters that open a view with these filters (and page-own `extra` ones)."""
    params: dict[str, list[str]] = {}
    if filters.date_from:
        params[PARAM_FROM] = [filters.date_from.isoformat()]
    if filters.date_to:
        params[PARAM_TO] = [filters.date_to.isoformat()]
    params[PARAM_TZ] = [filters.tz]
    for field, name in FILTER_PARAMS.items():
        values = list(getattr(filters, field))
        if values:
            params[name] = values
    for name, value in extra.items():
        params[name] = [value] if isinstance(value, str) else list(value)
    return params


def view_url(base: str, page: str, filters: Filters, **extra: str | Sequence[str]) -> str:
    """The address of a page of the dashboard at `base` showing this view."""
    path = PAGE_PATHS[page]
    query = urlencode(view_params(filters, **extra), doseq=True)
    return f"{base.rstrip('/')}/{path}?{query}"


def page_url(base: str, page: str) -> str:
    """The address of a page of the dashboard at `base`, with no view of its own."""
    return f"{base.rstrip('/')}/{PAGE_PATHS[page]}"
