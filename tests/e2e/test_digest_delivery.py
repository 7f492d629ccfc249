"""`lu-data digest` delivering for real: an SMTP server (aiosmtpd) and a webhook receiver on
loopback, the command run, the messages read back."""

from __future__ import annotations

import functools
import io
import json
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from icalendar import Calendar

from lu_data.analyses.digest import LIST_DOUBLE, digest_filters
from lu_data.analyses.filters import Filters
from lu_data.exports.digest_render import subject
from lu_data.ingest.loading import load_source
from lu_data.notify.digest import suggested_merges
from lu_data.sources.demo import generate_demo
from lu_data.sources.files import dump_portal
from lu_data.views.digest import portal_digest
from tests.support import ANCHOR
from tests.support.servers import free_port

SMTP_USER = "digest-sender"
SMTP_PASSWORD = "smtp-pw-5d1f9c"
SENDER = "ilt-digest@example.com"
DAYS = 57  # to 22 Jan 2027: every list of the demo has sessions
HOSTILE = "<script>alert(1)</script>"
# The demo's one merge in the week from ANCHOR, and the Plan page's link with the digest's view.
SUGGESTED = (
    "Handling Difficult Conversations, Tue 1 Dec 14:30 Sydney → Mon 30 Nov 09:30 "
    "(1 learner, frees 7 h of Diego Evans's time)"
)
PLAN_LINK = "https://dash.example.com/plan?from=2026-11-27&to=2027-01-22&tz=local"
# The test server asks for a login over plain SMTP on loopback, as LU_SMTP_SECURITY=none allows.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@dataclass
class Inbox:
    """What the SMTP server received: (sender, recipients, parsed message)."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"


def check_password(server: Any, session: Any, envelope: Any, mechanism: str, data: Any):
    ok = (
        isinstance(data, LoginPassword)
        and data.login == SMTP_USER.encode()
        and data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on loopback that wants a login; its inbox and port."""
    box = Inbox()
    port = free_port()
    server = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        auth_required=True,
        auth_require_tls=False,
        authenticator=check_password,
    )
    server.start()
    try:
        yield box, port
    finally:
        server.stop()


@dataclass
class Receiver:
    """A webhook receiver: what was posted to each path; /fail answers 500, /slow waits 3 s."""

    port: int
    posts: dict[str, list[Any]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"


class QuietServer(ThreadingHTTPServer):
    """The receiver's server: the /slow client hangs up by design, so its broken pipe is not
    printed (it would land, seconds later, in another test's captured stderr)."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got = Receiver(free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            path = self.path.strip("/")
            if path.endswith("slow"):
                time.sleep(3)
            got.posts.setdefault(path, []).append(json.loads(body))
            status = 500 if path.endswith("fail") else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"boom: workflow failed" if status == 500 else b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = QuietServer(("127.0.0.1", got.port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Done:
    """How a run of the command ended: its exit code and what it printed."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_digest(monkeypatch, capsys, tmp_path):
    """`lu-data digest` (its main(), in this process: the servers are real, the interpreter
    start is saved), with SMTP settings for the loopback server; `env` adds or overrides."""
    from lu_data.cli.commands import main

    def run(*args: str, smtp_port: int = 0, **env: str) -> Done:
        settings = {
            "LU_TODAY": ANCHOR.isoformat(),
            "LU_SMTP_HOST": "127.0.0.1",
            "LU_SMTP_PORT": str(smtp_port or free_port()),
            "LU_SMTP_SECURITY": "none",
            "LU_SMTP_FROM": SENDER,
            "LU_SMTP_USERNAME": SMTP_USER,
            "LU_SMTP_PASSWORD": SMTP_PASSWORD,
            "LU_DASHBOARD_URL": "https://dash.example.com",
            **env,
        }
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        capsys.readouterr()
        code = main(["digest", *args, "--days", str(DAYS)])
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return run


@pytest.fixture(scope="module", autouse=True)
def _demo_generated_once():
    """The command generates the demo portal on each run; the demo is a pure function of its
    size and anchor, so the module's runs share one (nothing changes it: `raw` is only read).
    The hostile-title test builds and changes its own copy, from the import above."""
    import lu_data.sources.demo as demo

    real, made = demo.generate_demo, {}

    def generate_demo_once(**kw: Any):
        key = tuple(sorted(kw.items()))
        if key not in made:
            made[key] = real(**kw)
        return made[key]

    demo.generate_demo = generate_demo_once
    yield
    demo.generate_demo = real


@functools.cache
def expected_digest():
    """The digest lu_data builds in-process for the demo, day and window the command reads
    (built once: the tests only read it)."""
    portal = load_source("demo", anchor=ANCHOR)
    filters = digest_filters(Filters(), ANCHOR, DAYS)
    return portal_digest(portal, filters, ANCHOR, suggested=suggested_merges(portal, ANCHOR))


def test_every_channel_gets_the_digest(run_digest, inbox, receiver):
    """Email (text, HTML and the CSV of what it lists), Slack and Teams, all from one run."""
    box, port = inbox
    done = run_digest(
        "demo",
        "--to",
        "coordinators@example.com",
        "--slack",
        receiver.url("slack"),
        "--teams",
        receiver.url("teams"),
        smtp_port=port,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "sent: email to coordinators@example.com",
        "sent: slack",
        "sent: teams",
    ]
    assert done.stderr == ""
    want = expected_digest()
    (sender, to, msg) = box.messages[0]
    assert len(box.messages) == 1 and sender == SENDER and to == ["coordinators@example.com"]
    assert msg["Subject"] == subject(want)
    assert msg.get_content_type() == "multipart/mixed"
    alternative = msg.get_payload()[0]
    assert alternative.get_content_type() == "multipart/alternative"
    text, html = alternative.get_payload()
    assert text.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert "## Tutor double-bookings" in text.get_content()
    assert f"Tutor double-bookings ({want.count(LIST_DOUBLE)})" in html.get_content()
    assert 'href="https://dash.example.com/sessions?' in html.get_content()
    # It closes with the trainings to plan for, as the Fill pace page judges them.
    assert "Coaching for Managers: 5 of the last 6 sessions were full" in text.get_content()
    assert "SQL for Analysts: 5 of the last 6 sessions ended under 50% full" in html.get_content()
    # And suggests the coming week's merge, as the Plan page proposes it, linked there.
    assert SUGGESTED in text.get_content() and PLAN_LINK in text.get_content()
    assert '<a href="https://dash.example.com/plan?from=2026-11-27&amp;to=' in html.get_content()
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename().startswith("ilt-digest-sessions_")
    data = attachment.get_payload(decode=True)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with its mark, as lu-data export writes
    rows = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert sorted(rows["session_key"]) == sorted(want.listed["session_key"])

    (slack,) = receiver.posts["slack"]
    assert slack["text"] == subject(want)
    assert [b["type"] for b in slack["blocks"]][:2] == ["header", "section"]
    sections = [b["text"]["text"] for b in slack["blocks"] if b["type"] == "section"]
    assert [t for t in sections if t.startswith(f"<{PLAN_LINK}") and f"• {SUGGESTED}" in t]
    (teams,) = receiver.posts["teams"]
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"
    texts = [b["text"] for b in card["content"]["body"]]
    assert [t for t in texts if t.startswith(f"[Suggested]({PLAN_LINK}")]
    assert SMTP_PASSWORD not in done.stdout + done.stderr


def test_each_tutor_gets_their_own_week_with_an_ics(run_digest, inbox):
    """Each tutor's own email: their sessions and an .ics, never the coordinators' Suggested
    section (which the coordinators' email of the same run has)."""
    box, port = inbox
    done = run_digest("demo", "--per-tutor", "--to", "c@example.com", smtp_port=port)
    assert done.returncode == 0, done.stderr
    window = expected_digest().sessions
    tutors = window["tutor_email"].dropna().unique()
    (coordinators,) = [msg for _, to, msg in box.messages if to == ["c@example.com"]]
    assert SUGGESTED in coordinators.get_body(("plain",)).get_content()
    tutor_mail = [m for m in box.messages if m[1] != ["c@example.com"]]
    assert len(tutor_mail) == len(tutors) > 5
    assert f"sent: {len(tutors)} tutor emails" in done.stdout
    for _, (to,), msg in tutor_mail:
        theirs = window.loc[window["tutor_email"] == to]
        assert msg["Subject"].startswith("Your ILT sessions 27 Nov 2026–22 Jan 2027: ")
        assert f"{len(theirs)} session" in msg["Subject"]
        (ics,) = list(msg.iter_attachments())
        assert ics.get_content_type() == "text/calendar"
        events = Calendar.from_ical(ics.get_content()).walk("VEVENT")
        assert len(events) == len(theirs)
        body = msg.get_body(("plain",)).get_content()
        others = set(window["tutor_name"].dropna()) - set(theirs["tutor_name"])
        assert not [name for name in others if f"· {name} ·" in body.split("## Tutor")[0]]
        html = msg.get_body(("html",)).get_content()
        assert not [part for part in (body, html) if "Suggested" in part or "/plan" in part]


def test_portal_titles_reach_no_channel_as_markup(run_digest, tmp_path, inbox, receiver):
    """A title of <script>alert(1)</script> is text in every channel, never markup."""
    raw = generate_demo(anchor=ANCHOR)
    for page in raw.pages:
        for module in page.modules:
            module["title"] = HOSTILE
    source = tmp_path / "hostile.json"
    source.write_bytes(dump_portal(raw))
    box, port = inbox
    done = run_digest(
        str(source),
        "--to",
        "c@example.com",
        "--slack",
        receiver.url("slack"),
        "--teams",
        receiver.url("teams"),
        smtp_port=port,
    )
    assert done.returncode == 0, done.stderr
    msg = box.messages[0][2]
    html = msg.get_body(("html",)).get_content()
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    slack = json.dumps(receiver.posts["slack"][0])
    assert "<script>" not in slack and "&lt;script&gt;" in slack
    teams = json.dumps(receiver.posts["teams"][0])
    assert "<script>" not in teams


def test_failures_are_one_line_each_and_the_other_channels_still_go(run_digest, receiver):
    """SMTP refusing the connection and Teams answering 500: exit 1, two lines, Slack sent."""
    closed = free_port()
    done = run_digest(
        "demo",
        "--to",
        "c@example.com",
        "--slack",
        receiver.url("slack"),
        "--teams",
        receiver.url("teams/fail"),
        smtp_port=closed,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"lu-data: not sent: smtp 127.0.0.1:{closed}: connection refused",
        "lu-data: not sent: teams 127.0.0.1: HTTP 500 boom: workflow failed",
    ]
    assert done.stdout.splitlines() == ["sent: slack"]  # nothing claimed that was not sent
    assert len(receiver.posts["slack"]) == 1 and len(receiver.posts["teams/fail"]) == 1
    assert "Traceback" not in done.stderr


def test_a_refused_password_and_a_webhook_that_never_answers(run_digest, inbox, receiver):
    box, port = inbox
    done = run_digest(
        "demo",
        "--to",
        "c@example.com",
        "--slack",
        receiver.url("slack/slow"),
        "--teams",
        receiver.url("teams"),
        smtp_port=port,
        LU_SMTP_PASSWORD="not-the-password",
        LU_WEBHOOK_TIMEOUT="0.5",
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"lu-data: not sent: smtp 127.0.0.1:{port}: authentication refused (535)",
        "lu-data: not sent: slack 127.0.0.1: timed out after 0.5 s",
    ]
    assert done.stdout.splitlines() == ["sent: teams"]
    assert box.messages == []
    assert "not-the-password" not in done.stdout + done.stderr


def test_a_dry_run_writes_the_message_and_sends_nothing(run_digest, tmp_path, inbox):
    box, port = inbox
    out = tmp_path / "digest.eml"
    done = run_digest("demo", "--to", "c@example.com", "-o", str(out), smtp_port=port)
    assert done.returncode == 0, done.stderr
    msg = message_from_bytes(out.read_bytes(), policy=policy.default)
    assert msg["Subject"] == subject(expected_digest()) and msg["To"] == "c@example.com"
    assert "dry run: nothing sent" in done.stderr and box.messages == []
    text = tmp_path / "digest.md"
    assert run_digest("demo", "-o", str(text)).returncode == 0
    assert text.read_text(encoding="utf-8").startswith(subject(expected_digest()))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("missing.json", "-o", "x.md"), "lu-data: error: "),
        (("demo",), "lu-data: error: nothing to do: give --to"),
        (("demo", "--slack", "http://hooks.example.com/x"), "--slack needs an https://"),
        (("demo", "--training", "No Such Course", "-o", "x.md"), "no training matches"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run_digest, args, message):
    done = run_digest(*args)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr
