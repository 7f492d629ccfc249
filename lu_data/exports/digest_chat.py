"""The digest in chat: Slack blocks and a Teams card, each escaped for its channel, with the
lists cut shorter than an email's since they are read on phones."""

from __future__ import annotations

from typing import Any

from lu_data.analyses.digest import Digest
from lu_data.exports.digest_render import (
    DEMAND_TITLE,
    MARKDOWN_SPECIAL,
    SUGGESTED_NOTE,
    SUGGESTED_TITLE,
    demand_link,
    demand_parts,
    headline,
    line_text,
    rendered_lists,
    subject,
    suggested_part,
    warnings_text,
)

CHAT_ROWS = 8  # the same for Slack and Teams, whose messages are read on phones
SLACK_TEXT_LIMIT = 2900  # a section's text may hold 3,000 characters
SLACK_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def slack_escape(text: str) -> str:
    """Text safe in Slack mrkdwn: &, < and > as entities, so nothing becomes a link or tag."""
    return "".join(SLACK_ESCAPES.get(c, c) for c in text)


def to_slack(
    digest: Digest, *, tz: str | None = None, base_url: str | None = None, rows: int = CHAT_ROWS
) -> dict[str, Any]:
    """A Slack incoming-webhook payload: Block Kit blocks and a plain `text` fallback."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": subject(digest)[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(headline(digest))}},
    ]
    for part in rendered_lists(digest, tz, base_url, rows):
        heading = f"*{slack_escape(part.item.heading)}* ({part.item.count:,})"
        if part.link:
            heading = f"<{part.link}|{slack_escape(part.item.heading)}> ({part.item.count:,})"
        lines = [heading]
        for line in part.lines:
            title = slack_escape(line.title)
            title = f"<{line.link}|{title}>" if line.link else title
            rest = slack_escape(" · ".join(line_text(line).split(" · ")[1:]))
            pair = f"[pair {line.pair}] " if line.pair else ""
            lines.append(f"• {pair}{title} · {rest}")
        if part.more > 0:
            more = f"and {part.more:,} more"
            lines.append(f"<{part.link}|{more}>" if part.link else more)
        text = "\n".join(lines)
        if len(text) > SLACK_TEXT_LIMIT:
            text = text[:SLACK_TEXT_LIMIT].rsplit("\n", 1)[0] + "\n…"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    blocks += _suggested_slack(digest, base_url, rows)
    demand = demand_parts(digest, rows)
    if demand:
        link = demand_link(digest, base_url)
        lines = [f"<{link}|{DEMAND_TITLE}>" if link else f"*{DEMAND_TITLE}*"]
        for heading, items in demand:
            lines += [f"_{slack_escape(heading)}_", *(f"• {slack_escape(i)}" for i in items)]
        text = "\n".join(lines)[:SLACK_TEXT_LIMIT]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": slack_escape(warnings_text(digest, base_url))}],
        }
    )
    return {"text": subject(digest), "blocks": blocks}


def _suggested_slack(digest: Digest, base_url: str | None, rows: int) -> list[dict[str, Any]]:
    """The Suggested section as a Slack section block, every merge's text escaped."""
    part = suggested_part(digest, base_url, rows)
    if part is None:
        return []
    link, count, more = part.link, f"({part.count:,})", f"and {part.more:,} more"
    out = [f"<{link}|{SUGGESTED_TITLE}> {count}" if link else f"*{SUGGESTED_TITLE}* {count}"]
    out += [f"_{slack_escape(SUGGESTED_NOTE)}_"]
    out += [f"• {slack_escape(line)}" for line in part.lines]
    if part.more > 0:
        out.append(f"<{link}|{more}>" if link else more)
    text = "\n".join(out)
    if len(text) > SLACK_TEXT_LIMIT:
        text = text[:SLACK_TEXT_LIMIT].rsplit("\n", 1)[0] + "\n…"
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]


def card_escape(text: str) -> str:
    """Text safe in an Adaptive Card's Markdown: every Markdown character escaped."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def to_teams(
    digest: Digest, *, tz: str | None = None, base_url: str | None = None, rows: int = CHAT_ROWS
) -> dict[str, Any]:
    """A Teams workflow-webhook payload: one message with an Adaptive Card attachment."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": card_escape(subject(digest)),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        },
        {"type": "TextBlock", "text": card_escape(headline(digest)), "wrap": True},
    ]
    for part in rendered_lists(digest, tz, base_url, rows):
        heading = f"**{card_escape(part.item.heading)}** ({part.item.count:,})"
        if part.link:
            heading = f"[{card_escape(part.item.heading)}]({part.link}) ({part.item.count:,})"
        body.append({"type": "TextBlock", "text": heading, "wrap": True, "spacing": "Medium"})
        for line in part.lines:
            title = card_escape(line.title)
            title = f"[{title}]({line.link})" if line.link else title
            rest = card_escape(" · ".join(line_text(line).split(" · ")[1:]))
            pair = f"pair {line.pair}: " if line.pair else ""
            body.append({"type": "TextBlock", "text": f"- {pair}{title} · {rest}", "wrap": True})
        if part.more > 0:
            more = f"and {part.more:,} more"
            text = f"[{more}]({part.link})" if part.link else more
            body.append({"type": "TextBlock", "text": text, "wrap": True})
    body += _suggested_card(digest, base_url, rows)
    demand = demand_parts(digest, rows)
    if demand:
        link = demand_link(digest, base_url)
        title = f"[{DEMAND_TITLE}]({link})" if link else f"**{DEMAND_TITLE}**"
        body.append({"type": "TextBlock", "text": title, "wrap": True, "spacing": "Medium"})
        for heading, items in demand:
            lines = [f"_{card_escape(heading)}_", *(f"- {card_escape(i)}" for i in items)]
            body.append({"type": "TextBlock", "text": "\n".join(lines), "wrap": True})
    body.append(
        {
            "type": "TextBlock",
            "text": card_escape(warnings_text(digest, base_url)),
            "wrap": True,
            "isSubtle": True,
        }
    )
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def _suggested_card(digest: Digest, base_url: str | None, rows: int) -> list[dict[str, Any]]:
    """The Suggested section as Adaptive Card text blocks, every merge's text escaped."""
    part = suggested_part(digest, base_url, rows)
    if part is None:
        return []
    link, count, more = part.link, f"({part.count:,})", f"and {part.more:,} more"
    title = card_escape(SUGGESTED_TITLE)
    heading = f"[{title}]({link}) {count}" if link else f"**{title}** {count}"
    blocks: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": heading, "wrap": True, "spacing": "Medium"},
        {"type": "TextBlock", "text": card_escape(SUGGESTED_NOTE), "wrap": True, "isSubtle": True},
    ]
    for line in part.lines:
        blocks.append({"type": "TextBlock", "text": f"- {card_escape(line)}", "wrap": True})
    if part.more > 0:
        text = f"[{more}]({link})" if link else more
        blocks.append({"type": "TextBlock", "text": text, "wrap": True})
    return blocks
