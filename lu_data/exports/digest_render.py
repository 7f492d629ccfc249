"""The digest as people read it: subject, plain text, HTML for email, Slack Block Kit and a
Teams Adaptive Card. Text from the portal is escaped for each channel; long lists end with
"and N more" and a link."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from lu_data.analyses.digest import (
    LIST_AT_RISK,
    LIST_DOUBLE,
    LIST_FULL,
    LIST_NO_LOCATION,
    LIST_NO_TUTOR,
    LIST_OVERBOOKED,
    LIST_ROOMS,
    LIST_ZONE,
    PAIR_LISTS,
    SUBJECT_LISTS,
    SUGGEST_DAYS,
    Digest,
    DigestList,
)
from lu_data.analyses.filters import Filters
from lu_data.analyses.supply_demand import CANDIDATE_HEADINGS, supply_demand_lines
from lu_data.model.schema import NO_TUTOR, UNTITLED
from lu_data.presentation.display_zone import SESSION_ZONE, normalise_zone_choice
from lu_data.presentation.session_text import location_labels, seats_text, start_texts
from lu_data.presentation.time_text import date_text, day_text, zoned_time_text
from lu_data.views.links import PARAM_SEARCH, page_url, view_url

EMAIL_ROWS = 25  # sessions an email lists per list before "and N more"
# Where each list opens in the dashboard: page and page-own URL parameters.
LIST_PAGES: dict[str, tuple[str, dict[str, str]]] = {
    LIST_AT_RISK: ("overview", {}),
    LIST_OVERBOOKED: ("sessions", {"status": "overbooked"}),
    LIST_FULL: ("sessions", {"status": "full"}),
    LIST_NO_TUTOR: ("sessions", {}),
    LIST_NO_LOCATION: ("sessions", {}),
    LIST_DOUBLE: ("tutors", {}),
    LIST_ROOMS: ("tutors", {}),
    LIST_ZONE: ("quality", {}),
}
DEMAND_TITLE = "Supply and demand"
DEMAND_NOTE = "Judged on each training's recent completed sessions, whatever their dates."
DEMAND_MORE = "on the Fill pace page"
SUGGESTED_TITLE = "Suggested"
SUGGESTED_NOTE = (
    f"Under-filled sessions starting in the next {SUGGEST_DAYS} days whose learners fit in "
    "another session of the same training, as the Plan page proposes."
)
SUGGESTED_PAGE = "plan"
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")
STYLE_TABLE = "border-collapse:collapse;width:100%;font-size:14px;margin:0 0 8px 0"
STYLE_CELL = "border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top"
STYLE_HEAD = STYLE_CELL + ";background:#f6f8fa;font-weight:600"
STYLE_BODY = "font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#1f2328;max-width:760px"


@dataclass(frozen=True)
class Line:
    """One session as every channel lists it (text as the portal has it, not yet escaped)."""

    title: str
    when: str  # day and start in the session's own zone, with its abbreviation
    when_tz: str  # the same in the --tz zone, or "" when none was asked for
    tutor: str
    location: str
    seats: str
    link: str  # the dashboard view showing it, or "" without LU_DASHBOARD_URL
    pair: int = 0  # a double-booking's pair number


def range_text(start: date, end: date) -> str:
    """ "1–14 Dec 2026", "28 Nov–11 Dec 2026", "28 Dec 2026–10 Jan 2027", "4 Dec 2026"."""
    if start == end:
        return f"{start.day} {start:%b %Y}"
    if start.year != end.year:
        return f"{start.day} {start:%b %Y}–{end.day} {end:%b %Y}"
    if start.month != end.month:
        return f"{start.day} {start:%b}–{end.day} {end:%b %Y}"
    return f"{start.day}–{end.day} {end:%b %Y}"


def count_text(count: int, noun: str) -> str:
    """ "3 at risk", "1 double-booking", "2 double-bookings", "1 room clash"."""
    if noun.endswith("s") and count == 1:
        noun = noun[:-2] if noun.endswith(("ches", "shes", "sses", "xes")) else noun[:-1]
    return f"{count:,} {noun}"


def subject(digest: Digest, prefix: str = "ILT sessions") -> str:
    """The subject: the window and what needs action, e.g. "ILT sessions 1–14 Dec 2026: 3 at
    risk, 1 overbooked, 2 double-bookings"."""
    parts = [
        count_text(item.count, item.noun)
        for key in SUBJECT_LISTS
        for item in digest.lists
        if item.key == key and item.count
    ]
    said = ", ".join(parts) if parts else "nothing needs action"
    return f"{prefix} {range_text(digest.start, digest.end)}: {said}"


def headline(digest: Digest) -> str:
    """Sessions, seats offered and taken, and the fill rate of the window."""
    k = digest.kpis
    fill = f" ({k.fill_rate:.0%} full)" if k.fill_rate is not None else ""
    seats = f"{k.seats_taken:,} of {k.seats_offered:,} seats taken{fill}"
    return f"{k.sessions:,} sessions · {seats}"


def session_lines(
    sessions: pd.DataFrame, filters: Filters, tz: str | None, base_url: str | None
) -> list[Line]:
    """Each session as a Line: own-zone start, the --tz reading, tutor, location, seats, link."""
    if sessions.empty:
        return []
    own = zoned_time_text(
        sessions["start_local"], sessions["tz_abbr"], sessions["utc_offset"], day="short"
    )
    zone = normalise_zone_choice(tz) if tz else SESSION_ZONE
    shown = start_texts(sessions, zone)
    in_zone = day_text(shown["start"], year=False) + " " + shown["display"]
    # A link opens the day as the view's zone reads it (the sidebar's dates are in that zone).
    link_days = start_texts(sessions, filters.tz)["start"].dt.date
    seats = seats_text(sessions).str.removesuffix(" seats")
    places = location_labels(sessions)
    pairs = sessions["pair"] if "pair" in sessions else pd.Series(0, index=sessions.index)
    titles = sessions["title"].fillna(UNTITLED).astype("str")
    tutors = sessions["tutor_name"].fillna(NO_TUTOR).astype("str")
    lines = []
    for idx in sessions.index:
        title = str(titles.loc[idx])
        link = ""
        if base_url:
            day = link_days.loc[idx]
            view = Filters(date_from=day, date_to=day, tz=filters.tz, portals=filters.portals)
            link = view_url(base_url, "sessions", view, **{PARAM_SEARCH: title})
        lines.append(
            Line(
                title=title,
                when=str(own.loc[idx]),
                when_tz=str(in_zone.loc[idx]) if tz else "",
                tutor=str(tutors.loc[idx]),
                location=str(places.loc[idx]),
                seats=str(seats.loc[idx]),
                link=link,
                pair=int(pairs.loc[idx]) if pd.notna(pairs.loc[idx]) else 0,
            )
        )
    return lines


def list_link(digest: Digest, item: DigestList, base_url: str | None) -> str:
    """The dashboard view behind a whole list, or "" without a dashboard address."""
    if not base_url:
        return ""
    page, extra = LIST_PAGES.get(item.key, ("sessions", {}))
    if item.key == LIST_AT_RISK and "Projected" in item.note:
        page = "pace"
    return view_url(base_url, page, digest.filters, **extra)


@dataclass(frozen=True)
class Rendered:
    """One list ready for a channel: heading, note, its first lines, how many more, link."""

    item: DigestList
    lines: list[Line]
    more: int
    link: str


def rendered_lists(
    digest: Digest, tz: str | None, base_url: str | None, rows: int, *, empty: bool = False
) -> list[Rendered]:
    """The lists with something in them (all of them with `empty`), cut to `rows` sessions.

    A double-booking is two sessions: a cut never splits a pair.
    """
    out = []
    for item in digest.lists:
        if not item.count and not empty:
            continue
        shown = item.sessions
        if item.key in PAIR_LISTS:
            shown = shown.loc[shown["pair"] <= max(rows // 2, 1)]
        else:
            shown = shown.head(rows)
        lines = session_lines(shown, digest.filters, tz, base_url)
        units = len(lines) if item.key not in PAIR_LISTS else len({ln.pair for ln in lines})
        out.append(Rendered(item, lines, item.count - units, list_link(digest, item, base_url)))
    return out


def demand_parts(digest: Digest, rows: int) -> list[tuple[str, list[str]]]:
    """The trainings that sell out early or rarely fill: (heading, lines) for each verdict
    the digest has, cut to `rows` lines with "… and N more on the Fill pace page"."""
    table = digest.demand
    if table is None or table.empty:
        return []
    return [
        (heading, supply_demand_lines(table, verdict, rows, DEMAND_MORE))
        for verdict, heading in CANDIDATE_HEADINGS.items()
        if table["verdict"].eq(verdict).any()
    ]


def demand_link(digest: Digest, base_url: str | None) -> str:
    """The Fill pace page for the digest's filters, or "" without a dashboard address."""
    return view_url(base_url, "pace", digest.filters) if base_url else ""


@dataclass(frozen=True)
class Suggested:
    """The Suggested section ready for a channel: how many merges, the first ones as text (not
    yet escaped), how many more, and the Plan page's link ("" without a dashboard address)."""

    count: int
    lines: list[str]
    more: int
    link: str


def suggested_part(digest: Digest, base_url: str | None, rows: int) -> Suggested | None:
    """The Suggested section cut to `rows` merges; None when it has none, and always in a
    tutor's own digest."""
    table = digest.suggested
    if digest.tutor or table is None or table.empty:
        return None
    lines = [suggestion_text(row) for _, row in table.head(rows).iterrows()]
    return Suggested(len(table), lines, len(table) - len(lines), suggested_link(digest, base_url))


def suggestion_text(row: pd.Series) -> str:
    """ "Excel for Finance, Mon 14 Dec 09:00 Dublin → Wed 16 Dec 09:00 (6 learners, frees 7 h
    of Aoife Byrne's time)": the target's zone is named only when it is another."""
    title = row["from_title"] if isinstance(row["from_title"], str) else UNTITLED
    start = f"{_wall_text(row['from_start_local'])} {_zone_city(row['from_zone'])}"
    into = _wall_text(row["into_start_local"])
    if _zone_city(row["into_zone"]) != _zone_city(row["from_zone"]):
        into += f" {_zone_city(row['into_zone'])}"
    learners = 0 if pd.isna(row["learners_moved"]) else int(row["learners_moved"])
    said = [f"{learners:,} learner{'' if learners == 1 else 's'}"]
    hours = row["tutor_hours_freed"]
    if pd.notna(hours) and hours > 0:
        tutor = row["tutor_freed"]
        whose = f"{tutor}'s" if isinstance(tutor, str) and tutor != NO_TUTOR else "tutor"
        said.append(f"frees {round(float(hours), 1):g} h of {whose} time")
    return f"{title}, {start} → {into} ({', '.join(said)})"


def suggested_link(digest: Digest, base_url: str | None) -> str:
    """The Plan page with the digest's filters, or "" without a dashboard address."""
    return view_url(base_url, SUGGESTED_PAGE, digest.filters) if base_url else ""


def _wall_text(wall: object) -> str:
    """A local start as "Mon 14 Dec 09:00" ("?" when unknown)."""
    if not isinstance(wall, pd.Timestamp) or pd.isna(wall):
        return "?"
    return f"{date_text(wall.date(), year=False)} {wall:%H:%M}"


def _zone_city(zone: object) -> str:
    """The city an IANA zone is named after: "Europe/Dublin" as "Dublin"; UTC without one."""
    if not isinstance(zone, str) or not zone.strip():
        return "UTC"
    return zone.rpartition("/")[2].replace("_", " ")


def line_text(line: Line) -> str:
    parts = [line.title, line.when + (f" ({line.when_tz})" if line.when_tz else "")]
    return " · ".join([*parts, line.tutor, line.location, line.seats])


def _filters_text(filters: Filters) -> str:
    """The filters beyond the dates, as people read them ("" when none)."""
    named = [
        ("portal", filters.portals),
        ("training", filters.trainings),
        ("tutor", filters.tutors),
        ("location", filters.locations),
        ("status", filters.statuses),
    ]
    return "; ".join(f"{name} {', '.join(values)}" for name, values in named if values)


def _more_text(more: int, link: str) -> str:
    return f"and {more:,} more" + (f": {link}" if link else "")


def to_text(
    digest: Digest,
    *,
    tz: str | None = None,
    base_url: str | None = None,
    rows: int = EMAIL_ROWS,
    title: str | None = None,
) -> str:
    """The digest as plain text (also Markdown): the email's text part and `-o FILE.md`."""
    out = [title or subject(digest), "", headline(digest)]
    chosen = _filters_text(digest.filters)
    if chosen:
        out.append(f"Filters: {chosen}")
    for part in rendered_lists(digest, tz, base_url, rows):
        out += ["", f"## {part.item.heading} ({part.item.count:,})"]
        if part.item.note:
            out.append(part.item.note)
        for line in part.lines:
            prefix = f"- [pair {line.pair}] " if line.pair else "- "
            out.append(prefix + line_text(line))
            if line.link:
                out.append(f"  {line.link}")
        if part.more > 0:
            out.append(_more_text(part.more, part.link))
    if not any(item.count for item in digest.lists):
        out += ["", "Nothing needs action in these days."]
    out += _suggested_text(digest, base_url, rows)
    demand = demand_parts(digest, rows)
    if demand:
        out += ["", f"## {DEMAND_TITLE}", DEMAND_NOTE]
        for heading, lines in demand:
            out += [heading, *(f"- {line}" for line in lines)]
        link = demand_link(digest, base_url)
        if link:
            out.append(link)
    if not digest.tutor:
        out += ["", warnings_text(digest, base_url)]
    return "\n".join(out) + "\n"


def _suggested_text(digest: Digest, base_url: str | None, rows: int) -> list[str]:
    """The Suggested section's lines in the text form ([] when it has no merges)."""
    part = suggested_part(digest, base_url, rows)
    if part is None:
        return []
    out = ["", f"## {SUGGESTED_TITLE} ({part.count:,})", SUGGESTED_NOTE]
    out += [f"- {line}" for line in part.lines]
    if part.more > 0:
        out.append(_more_text(part.more, part.link))
    elif part.link:
        out.append(f"On the Plan page: {part.link}")
    return out


def warnings_text(digest: Digest, base_url: str | None) -> str:
    link = f" {page_url(base_url, 'quality')}" if base_url else ""
    return f"Data-quality warnings in the source: {digest.warnings:,}.{link}"


def to_html(
    digest: Digest,
    *,
    tz: str | None = None,
    base_url: str | None = None,
    rows: int = EMAIL_ROWS,
    title: str | None = None,
) -> str:
    """The digest as an HTML email body: inline styles and plain tables (Outlook, Gmail)."""
    e = html.escape
    zone_head = f"Starts ({e(tz)})" if tz else ""
    parts = [
        f'<div style="{STYLE_BODY}">',
        f'<h2 style="font-size:20px;margin:0 0 8px 0">{e(title or subject(digest))}</h2>',
        f'<p style="margin:0 0 4px 0">{e(headline(digest))}</p>',
    ]
    chosen = _filters_text(digest.filters)
    if chosen:
        parts.append(f'<p style="margin:0 0 4px 0;color:#59636e">Filters: {e(chosen)}</p>')
    for part in rendered_lists(digest, tz, base_url, rows):
        heading = f"{e(part.item.heading)} ({part.item.count:,})"
        if part.link:
            heading = f'<a href="{e(part.link)}" style="color:#0969da">{heading}</a>'
        parts.append(f'<h3 style="font-size:16px;margin:16px 0 4px 0">{heading}</h3>')
        if part.item.note:
            parts.append(f'<p style="margin:0 0 4px 0;color:#59636e">{e(part.item.note)}</p>')
        heads = ["Session", "Starts (own zone)", zone_head, "Tutor", "Location", "Seats"]
        if part.item.key in PAIR_LISTS:
            heads.insert(0, "Pair")
        row_html = [
            "<tr>" + "".join(f'<th style="{STYLE_HEAD}">{h}</th>' for h in heads if h) + "</tr>"
        ]
        for line in part.lines:
            title_cell = e(line.title)
            if line.link:
                title_cell = f'<a href="{e(line.link)}" style="color:#0969da">{title_cell}</a>'
            cells = [title_cell, e(line.when), e(line.when_tz) if tz else None]
            cells += [e(line.tutor), e(line.location), e(line.seats)]
            if part.item.key in PAIR_LISTS:
                cells.insert(0, str(line.pair))
            row_html.append(
                "<tr>"
                + "".join(f'<td style="{STYLE_CELL}">{c}</td>' for c in cells if c is not None)
                + "</tr>"
            )
        parts.append(
            f'<table role="presentation" style="{STYLE_TABLE}">{"".join(row_html)}</table>'
        )
        if part.more > 0:
            more = f"and {part.more:,} more"
            if part.link:
                more = f'<a href="{e(part.link)}" style="color:#0969da">{more}</a>'
            parts.append(f'<p style="margin:0 0 8px 0">{more}</p>')
    if not any(item.count for item in digest.lists):
        parts.append('<p style="margin:16px 0 0 0">Nothing needs action in these days.</p>')
    parts += _suggested_html(digest, base_url, rows)
    demand = demand_parts(digest, rows)
    if demand:
        title = e(DEMAND_TITLE)
        link = demand_link(digest, base_url)
        if link:
            title = f'<a href="{e(link)}" style="color:#0969da">{title}</a>'
        parts.append(f'<h3 style="font-size:16px;margin:16px 0 4px 0">{title}</h3>')
        parts.append(f'<p style="margin:0 0 4px 0;color:#59636e">{e(DEMAND_NOTE)}</p>')
        for heading, lines in demand:
            parts.append(f'<p style="margin:8px 0 2px 0;font-weight:600">{e(heading)}</p>')
            items = "".join(f"<li>{e(line)}</li>" for line in lines)
            parts.append(f'<ul style="margin:0 0 8px 0;padding-left:20px">{items}</ul>')
    if not digest.tutor:
        warned = e(warnings_text(digest, base_url))
        parts.append(f'<p style="margin:16px 0 0 0;color:#59636e">{warned}</p>')
    parts.append("</div>")
    return "\n".join(parts)


def _suggested_html(digest: Digest, base_url: str | None, rows: int) -> list[str]:
    """The Suggested section as HTML, every merge's text escaped ([] when it has none)."""
    part = suggested_part(digest, base_url, rows)
    if part is None:
        return []
    e = html.escape
    heading = f"{e(SUGGESTED_TITLE)} ({part.count:,})"
    if part.link:
        heading = f'<a href="{e(part.link)}" style="color:#0969da">{heading}</a>'
    items = "".join(f"<li>{e(line)}</li>" for line in part.lines)
    parts = [
        f'<h3 style="font-size:16px;margin:16px 0 4px 0">{heading}</h3>',
        f'<p style="margin:0 0 4px 0;color:#59636e">{e(SUGGESTED_NOTE)}</p>',
        f'<ul style="margin:0 0 8px 0;padding-left:20px">{items}</ul>',
    ]
    if part.more > 0:
        said = f"and {part.more:,} more"
        if part.link:
            said = f'<a href="{e(part.link)}" style="color:#0969da">{said}</a>'
        parts.append(f'<p style="margin:0 0 8px 0">{said}</p>')
    return parts
