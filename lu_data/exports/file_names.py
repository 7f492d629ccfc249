"""Download file names that say the view, its filters and its dates, in safe ASCII."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date

from lu_data.analyses.filters import Filters
from lu_data.model.schema import MODULE_KIND_LABELS

PREFIX = "ilt"
MAX_VALUE_CHARS = 40  # one filter value's slug: a long title is cut at a word
MAX_FILTER_CHARS = 100  # all filter parts together; the view and the dates are always kept
# (filter, singular, plural): the status needs no word before it ("full", "under-filled")
FILTER_WORDS = (
    ("statuses", "", "statuses"),
    ("portals", "portal", "portals"),
    ("trainings", "training", "trainings"),
    ("tutors", "tutor", "tutors"),
    ("locations", "location", "locations"),
    ("kinds", "kind", "kinds"),
)


def slug(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """Lower-case ASCII words joined by hyphens, at most `limit` characters, cut at a word.

    "Oisín Patel" → "oisin-patel"; accents are dropped, anything else not a letter or digit
    separates words; text with no ASCII letter or digit gives "".
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(out) > limit:
        cut = out[: limit + 1]
        out = cut[: cut.rfind("-")] if "-" in cut[1:] else out[:limit]
    return out.strip("-")


def date_range_text(start: date | None, end: date | None) -> str:
    """Dates nobody misreads: "1-14-Dec-2026", "3-Nov-to-14-Dec-2026", "27-Nov-2026-to-…"."""

    def day(d: date, *, month: bool = True, year: bool = True) -> str:
        text = str(d.day)
        if month:
            text += d.strftime("-%b")
        return text + (f"-{d.year}" if year else "")

    if start is None and end is None:
        return "all-dates"
    if start is None:
        return f"to-{day(end)}" if end is not None else "all-dates"
    if end is None:
        return f"from-{day(start)}"
    if start == end:
        return day(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}-{day(end)}"
    if start.year == end.year:
        return f"{day(start, year=False)}-to-{day(end)}"
    return f"{day(start)}-to-{day(end)}"


def filter_parts(
    filters: Filters,
    trainings: Mapping[str, str] | None = None,
    tutors: Mapping[str, str] | None = None,
) -> list[str]:
    """One slug per narrowing filter: its value when one is chosen ("tutor-omar-silva"), else
    how many ("3-tutors"). trainings and tutors map keys to the names people read."""
    names: dict[str, Mapping[str, str]] = {
        "trainings": trainings or {},
        "tutors": tutors or {},
        "kinds": MODULE_KIND_LABELS,
    }
    parts = []
    for field, singular, plural in FILTER_WORDS:
        chosen: tuple[str, ...] = getattr(filters, field)
        if not chosen:
            continue
        if len(chosen) > 1:
            parts.append(f"{len(chosen)}-{plural}")
            continue
        value = slug(names.get(field, {}).get(chosen[0], chosen[0]))
        if not value:  # a name with no ASCII letter: say that one is chosen
            parts.append(f"1-{singular or 'status'}")
        else:
            parts.append(f"{singular}-{value}" if singular else value)
    return parts


def export_file_name(
    view: str,
    filters: Filters | None = None,
    ext: str = "csv",
    *,
    trainings: Mapping[str, str] | None = None,
    tutors: Mapping[str, str] | None = None,
) -> str:
    """The name of a download: view, filters and dates, e.g.
    "ilt-sessions_full_tutor-omar-silva_1-14-Dec-2026.csv" (no filter: "ilt-sessions_1-14-…").

    Every part is lower-case ASCII; the filter parts together stay within MAX_FILTER_CHARS.
    """
    f = filters or Filters()
    wanted = filter_parts(f, trainings, tutors)
    kept: list[str] = []
    for part in wanted:
        if len("_".join([*kept, part])) > MAX_FILTER_CHARS:
            kept.append(f"{len(wanted) - len(kept)}-more-filters")
            break
        kept.append(part)
    stem = "_".join(
        [f"{PREFIX}-{slug(view, 60) or 'export'}", *kept, date_range_text(f.date_from, f.date_to)]
    )
    return f"{stem}.{ext}"
