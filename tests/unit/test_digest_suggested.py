"""The digest's Suggested section: the Plan page's merges whose candidate starts in the coming
week, in every channel, escaped, linked to the Plan page, filtered as the digest is, and only
in the coordinators' digest."""

from __future__ import annotations

import html
import json
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from lu_data.analyses.digest import build_digest, digest_filters
from lu_data.analyses.filters import Filters
from lu_data.exports.digest_chat import (
    card_escape,
    slack_escape,
    to_slack,
    to_teams,
)
from lu_data.exports.digest_render import (
    subject,
    suggested_part,
    to_html,
    to_text,
)
from lu_data.model.result_schemas import MERGE_DTYPES
from lu_data.model.schema import NO_TUTOR, enforce_dtypes
from lu_data.notify.digest import DigestOptions, tutor_digest, tutor_messages
from tests.support import ANCHOR

BASE = "https://dash.example.com"
PLAN = f"{BASE}/plan?from=2026-11-27&to=2026-12-10&tz=UTC"  # the Plan page, the digest's view
EXCEL = (
    "Excel for Finance, Mon 30 Nov 09:00 Dublin → Wed 2 Dec 09:00 "
    "(6 learners, frees 7 h of Aoife Byrne's time)"
)
SYDNEY = (
    "Coaching, Sat 28 Nov 21:00 Sydney → Tue 1 Dec 09:30 Melbourne "
    "(1 learner, frees 1.5 h of tutor time)"
)
LAST_DAY = (
    "Negotiation, Thu 3 Dec 23:00 UTC → Fri 4 Dec 10:00 (3 learners, frees 2 h of Li Na's time)"
)
WED = "2026-12-02 09:00"
HOSTILE = "<script>alert(1)</script> *bold* <!channel>"


@pytest.fixture
def week(demo_portal) -> pd.DataFrame:
    """Four demo sessions moved to known UTC starts: Sat 28 Nov, Mon 30 Nov, Thu 3 Dec 23:00
    (the coming week's last day) and Fri 4 Dec (the first day after it)."""
    sessions = demo_portal.sessions
    picked = sessions.loc[sessions["max_capacity"].notna() & sessions["tutor_email"].notna()]
    s = picked.drop_duplicates("tutor_key").head(4).copy().reset_index(drop=True)
    # Healthy, each with its own tutor and room: no other list names them (quick to render).
    s["max_capacity"] = pd.array([10] * 4, dtype="Int64")
    s["enrolled"] = pd.array([6] * 4, dtype="Int64")
    s["fill_rate"] = (s["enrolled"] / s["max_capacity"]).astype("Float64")
    s["status"] = pd.Categorical(["healthy"] * 4, dtype=sessions["status"].dtype)
    s["start_utc"] = pd.to_datetime(
        ["2026-11-28 10:00", "2026-11-30 09:00", "2026-12-03 23:00", "2026-12-04 09:00"], utc=True
    )
    s["end_utc"] = s["start_utc"] + pd.Timedelta(hours=2)
    s["training_key"] = ["training:a", "training:b", "training:a", "training:b"]
    s["is_virtual"] = False
    s["location"] = ["Room 1", "Room 2", "Room 2", "Room 1"]
    return s


def merge(session: pd.Series, title: str, start: str, zone: str | None, **more) -> dict:
    """One merge of `session` as MergePlan.merges holds it (its text from these values)."""
    return {
        "action": "merge",
        "portal": session["portal"],
        "from_session_key": session["session_key"],
        "from_title": title,
        "from_start_utc": session["start_utc"],
        "from_start_local": pd.Timestamp(start),
        "from_zone": zone,
        "into_session_key": "session:target",
        "into_title": title,
        "into_start_local": pd.Timestamp(more.pop("into", start)),
        "into_zone": more.pop("into_zone", zone),
        "learners_moved": more.pop("learners", 6),
        "tutor_hours_freed": more.pop("hours", 7.0),
        "tutor_freed": more.pop("tutor", "Aoife Byrne"),
        "reason": "moved",
        **more,
    }


def merges_of(rows: list[dict]) -> pd.DataFrame:
    return enforce_dtypes(pd.DataFrame(rows), MERGE_DTYPES)


@pytest.fixture
def merges(week) -> pd.DataFrame:
    """A merge of each session, out of order: the Plan page's whole list of the load."""
    s = week.iloc
    return merges_of(
        [
            merge(s[1], "Excel for Finance", "2026-11-30 09:00", "Europe/Dublin", into=WED),
            merge(s[3], "After the week", "2026-12-04 09:00", "Europe/Dublin"),
            merge(
                s[2],
                "Negotiation",
                "2026-12-03 23:00",
                None,
                into="2026-12-04 10:00",
                learners=3,
                hours=2.0,
                tutor="Li Na",
            ),
            merge(
                s[0],
                "Coaching",
                "2026-11-28 21:00",
                "Australia/Sydney",
                into="2026-12-01 09:30",
                into_zone="Australia/Melbourne",
                learners=1,
                hours=1.5,
                tutor=NO_TUTOR,
            ),
        ]
    )


def digest_of(sessions, merges, **filters):
    """The digest of ANCHOR's 14 days in UTC with these merges (and no warnings)."""
    window = digest_filters(Filters(tz="UTC", **filters), ANCHOR)
    no_warnings = sessions.iloc[0:0].assign(code="")
    return build_digest(sessions, no_warnings, window, ANCHOR, suggested=merges)


def test_the_coming_weeks_merges_read_as_lines_soonest_first(week, merges):
    """Only candidates starting today to the 7th day are named, soonest first, each with its
    learners and the tutor hours it frees; the target's zone only when it is another."""
    digest = digest_of(week, merges)
    assert list(digest.suggested["from_title"]) == ["Coaching", "Excel for Finance", "Negotiation"]
    text = to_text(digest, base_url=BASE)
    section = text.split("## Suggested (3)\n")[1].split("\n\n")[0].splitlines()
    assert section[0].startswith("Under-filled sessions starting in the next 7 days")
    assert section[1:] == [
        f"- {SYDNEY}",
        f"- {EXCEL}",
        f"- {LAST_DAY}",
        f"On the Plan page: {PLAN}",
    ]
    assert "After the week" not in text
    # Not something needing action: the subject is the same without it.
    assert subject(digest) == subject(digest_of(week, None))
    assert "Nothing needs action in these days.\n\n## Suggested (3)" in text  # not an action
    assert text.index("## Suggested") < text.index("Data-quality warnings in the source")


def test_every_channel_names_them_and_links_the_plan_page(week, merges):
    digest = digest_of(week, merges)
    page = to_html(digest, base_url=BASE)
    assert f'<a href="{html.escape(PLAN)}" style="color:#0969da">Suggested (3)</a>' in page
    assert f"<li>{html.escape(EXCEL)}</li>" in page and f"<li>{html.escape(SYDNEY)}</li>" in page
    slack = to_slack(digest, base_url=BASE)
    (block,) = [b for b in slack["blocks"] if "Suggested" in json.dumps(b)]
    lines = block["text"]["text"].splitlines()
    assert lines[0] == f"<{PLAN}|Suggested> (3)"
    assert f"• {slack_escape(EXCEL)}" in lines and f"• {slack_escape(SYDNEY)}" in lines
    card = to_teams(digest, base_url=BASE)["attachments"][0]["content"]["body"]
    texts = [b["text"] for b in card]
    assert f"[Suggested]({PLAN}) (3)" in texts and f"- {card_escape(EXCEL)}" in texts
    # Without a dashboard address: the same section, no links.
    bare = [
        to_text(digest),
        to_html(digest),
        json.dumps(to_slack(digest)),
        json.dumps(to_teams(digest)),
    ]
    assert all("Suggested" in out and "/plan" not in out for out in bare)
    assert "*Suggested* (3)" in bare[2] and "**Suggested** (3)" in bare[3]


def test_a_long_section_ends_with_and_n_more_linked_to_the_plan_page(week, merges):
    digest = digest_of(week, merges)
    assert f"- {SYDNEY}\nand 2 more: {PLAN}\n" in to_text(digest, base_url=BASE, rows=1)
    assert f'<a href="{html.escape(PLAN)}" style="color:#0969da">and 2 more</a>' in to_html(
        digest, base_url=BASE, rows=1
    )
    slack = json.dumps(to_slack(digest, base_url=BASE, rows=1))
    assert json.dumps(f"<{PLAN}|and 2 more>")[1:-1] in slack
    card = to_teams(digest, base_url=BASE, rows=1)["attachments"][0]["content"]["body"]
    assert f"[and 2 more]({PLAN})" in [b["text"] for b in card]


def test_the_digests_filters_pick_the_candidates(week, merges):
    """Portal, training, tutor and location filters apply to the session that would merge."""

    def titles(**filters) -> list[str]:
        return list(digest_of(week, merges, **filters).suggested["from_title"])

    assert titles(tutors=(week.loc[1, "tutor_key"],)) == ["Excel for Finance"]
    assert titles(trainings=("training:a",)) == ["Coaching", "Negotiation"]
    assert titles(locations=("Room 2",)) == ["Excel for Finance", "Negotiation"]
    assert titles(portals=(week.loc[0, "portal"],)) == [
        "Coaching",
        "Excel for Finance",
        "Negotiation",
    ]
    elsewhere = digest_of(week, merges, portals=("another portal",))
    assert elsewhere.suggested.empty and "Suggested" not in to_text(elsewhere)


def test_a_hostile_title_is_inert_in_every_channel(week, merges):
    """A title of HTML, Markdown and a Slack broadcast is text in each channel, escaped as the
    other lists escape it."""
    merges.loc[merges["from_title"].eq("Excel for Finance"), "from_title"] = HOSTILE
    digest = digest_of(week, merges)
    assert f"- {HOSTILE}, Mon 30 Nov" in to_text(digest)  # plain text: shown as written
    page = to_html(digest, base_url=BASE)
    assert "<script>" not in page and "<!channel>" not in page
    assert "<li>&lt;script&gt;alert(1)&lt;/script&gt; *bold* &lt;!channel&gt;, Mon 30 Nov" in page
    assert "<b>bold" not in page and "<strong>" not in page
    slack = to_slack(digest, base_url=BASE)
    dumped = json.dumps(slack)
    assert "<script>" not in dumped and "<!channel>" not in dumped  # no tag, no @channel
    (block,) = [b for b in slack["blocks"] if "Suggested" in json.dumps(b)]
    line = "• &lt;script&gt;alert(1)&lt;/script&gt; *bold* &lt;!channel&gt;, Mon 30 Nov"
    assert any(ln.startswith(line) for ln in block["text"]["text"].splitlines())
    card = to_teams(digest, base_url=BASE)["attachments"][0]["content"]["body"]
    texts = [b["text"] for b in card]
    line = r"- \<script\>alert\(1\)\</script\> \*bold\* \<\!channel\>, Mon 30 Nov"
    assert any(t.startswith(line) for t in texts)
    assert not any("<script>" in t or "*bold*" in t for t in texts)


def test_no_merges_no_section(week, merges):
    """None (the history could not be read), no merges, or none this week: no section."""
    later = merges.loc[merges["from_title"].eq("After the week")]
    for given in (None, merges.iloc[0:0], later):
        digest = digest_of(week, given)
        outs = [to_text(digest, base_url=BASE), to_html(digest, base_url=BASE)]
        outs += [json.dumps(to_slack(digest, base_url=BASE)), json.dumps(to_teams(digest))]
        assert not [out for out in outs if "Suggested" in out or "/plan" in out]


def test_never_in_tutors_emails(week, merges):
    """A tutor's own digest drops the section, whatever the coordinators' digest holds."""
    digest = digest_of(week, merges)
    email = week.iloc[1]["tutor_email"]
    mine = tutor_digest(digest, email)
    assert mine.suggested is None
    # Even given merges, a tutor's digest shows none.
    assert suggested_part(replace(mine, suggested=digest.suggested), BASE, 25) is None
    assert "Suggested" not in to_text(mine, base_url=BASE)
    assert "Suggested" not in to_html(mine, base_url=BASE)
    messages = tutor_messages(digest, "digest@example.com", DigestOptions(base_url=BASE))
    assert messages and email in [to for to, _ in messages]
    for _, msg in messages:
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                assert "Suggested" not in part.get_content() and "/plan" not in part.get_content()


@pytest.fixture
def dry_run(monkeypatch, tmp_path, capsys):
    """`lu-data digest demo --today ANCHOR -o FILE` in this process; the file's text."""
    from lu_data.cli.commands import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LU_DASHBOARD_URL", BASE)

    def run(name: str = "out.txt", *more: str) -> str:
        code = main(["digest", "demo", "--today", ANCHOR.isoformat(), "-o", name, *more])
        assert code == 0, capsys.readouterr().err
        return (tmp_path / name).read_text(encoding="utf-8")

    return run


def test_the_demo_dry_run_suggests_the_coming_weeks_merge(dry_run, monkeypatch):
    """The demo has one merge in the week from ANCHOR (`lu-data plan demo --merge`'s): the
    coordinators' dry run names it and links the Plan page; where the history cannot be read
    the section is absent and the rest of the digest is still written."""
    text = dry_run()
    section = text.split("## Suggested (1)\n")[1].split("\n\n")[0].splitlines()
    assert section[1] == (
        "- Handling Difficult Conversations, Tue 1 Dec 14:30 Sydney → Mon 30 Nov 09:30 "
        "(1 learner, frees 7 h of Diego Evans's time)"
    )
    assert section[2] == f"On the Plan page: {BASE}/plan?from=2026-11-27&to=2026-12-10&tz=local"

    def unreachable(*args, **kwargs):
        raise ConnectionError("history store unreachable")

    monkeypatch.setattr("lu_data.planning.portal_plan.portal_history", unreachable)
    monkeypatch.setattr("lu_data.views.digest.portal_history", unreachable)
    without = dry_run("without.md")
    assert "## Suggested" not in without and "/plan" not in without
    assert without.startswith("ILT sessions 27 Nov–10 Dec 2026: ")  # the rest is still there
    assert "Data-quality warnings in the source" in without


def test_the_coming_week_counts_from_the_digests_day(week, merges):
    """The week is today and the six days after, whatever the window: a later `--today` drops
    the candidates that have started."""
    later = build_digest(
        week,
        week.iloc[0:0].assign(code=""),
        digest_filters(Filters(tz="UTC"), date(2026, 11, 30)),
        date(2026, 11, 30),
        suggested=merges,
    )
    assert list(later.suggested["from_title"]) == [
        "Excel for Finance",
        "Negotiation",
        "After the week",
    ]
