"""Email: SMTP settings (environment or an [smtp] table), MIME messages with their text, HTML
and attachments, and sending them with a one-line reason when it fails."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from lu_data.core.addresses import is_loopback

SECURITY_MODES = ("starttls", "ssl", "none")
DEFAULT_PORT = 587
SMTP_TIMEOUT = 20.0  # seconds for the connection and each command
DRY_RUN_FROM = "ilt-digest@localhost"  # the sender of a dry run without LU_SMTP_FROM
ENV_KEYS = {
    "host": "LU_SMTP_HOST",
    "port": "LU_SMTP_PORT",
    "username": "LU_SMTP_USERNAME",
    "password": "LU_SMTP_PASSWORD",
    "sender": "LU_SMTP_FROM",
    "security": "LU_SMTP_SECURITY",
}
TABLE_KEYS = {"sender": "from"}  # [smtp] names that differ from the field's


class DeliveryError(Exception):
    """A channel could not deliver; the message is one line naming the channel and why."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send mail. `password` is never printed: see __repr__."""

    host: str
    port: int = DEFAULT_PORT
    username: str = ""
    password: str = ""
    sender: str = ""
    security: str = "starttls"

    def __repr__(self) -> str:
        return f"SmtpSettings(host={self.host!r}, port={self.port}, security={self.security!r})"

    @property
    def where(self) -> str:
        """ "smtp HOST:PORT", how every error names this server."""
        return f"smtp {self.host}:{self.port}"


def smtp_settings(env: Mapping[str, str], table: Mapping[str, Any] | None) -> SmtpSettings:
    """SMTP settings from LU_SMTP_* variables, else the [smtp] table; checked, with a clear
    ValueError naming the setting at fault."""
    table = dict(table or {})

    def value(field: str) -> str:
        from_env = env.get(ENV_KEYS[field], "").strip()
        return from_env or str(table.get(TABLE_KEYS.get(field, field), "") or "").strip()

    host = value("host")
    if not host:
        raise ValueError("no SMTP server: set LU_SMTP_HOST (or host in an [smtp] table)")
    port_text = value("port") or str(DEFAULT_PORT)
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(f"LU_SMTP_PORT must be a port number, not {port_text!r}") from None
    security = (value("security") or "starttls").lower()
    if security not in SECURITY_MODES:
        raise ValueError(
            f"LU_SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, not {security!r}"
        )
    if security == "none" and not is_loopback(host):
        raise ValueError(
            f"LU_SMTP_SECURITY=none sends the password and mail in clear text: allowed only "
            f"to a loopback host, not {host}"
        )
    sender = value("sender")
    if not sender:
        raise ValueError("no sender address: set LU_SMTP_FROM (or from in an [smtp] table)")
    return SmtpSettings(
        host=host,
        port=port,
        username=value("username"),
        password=value("password"),
        sender=sender,
        security=security,
    )


@dataclass(frozen=True)
class Attachment:
    """A file attached to a message."""

    filename: str
    data: bytes
    mime: str  # "text/csv", "text/calendar"


def build_message(
    *,
    subject: str,
    sender: str,
    to: Sequence[str],
    text: str,
    html: str,
    attachments: Sequence[Attachment] = (),
) -> EmailMessage:
    """A multipart/alternative message (plain text, then HTML) with its attachments."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(to) if to else "undisclosed-recipients:;"
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    for item in attachments:
        maintype, _, subtype = item.mime.partition("/")
        msg.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=item.filename)
    return msg


def send_messages(settings: SmtpSettings, messages: Sequence[EmailMessage]) -> int:
    """Send every message over one connection; the number sent. Raises DeliveryError with
    one line ("smtp HOST:PORT: connection refused") and never the password."""
    try:
        with _connect(settings) as smtp:
            if settings.username:
                smtp.login(settings.username, settings.password)
            for msg in messages:
                smtp.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{settings.where}: authentication refused ({exc.smtp_code})") from None
    except smtplib.SMTPRecipientsRefused as exc:
        who = ", ".join(sorted(exc.recipients))
        raise DeliveryError(f"{settings.where}: recipients refused: {who}") from None
    except smtplib.SMTPResponseException as exc:
        reason = _text(exc.smtp_error)
        raise DeliveryError(f"{settings.where}: {exc.smtp_code} {reason}") from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"{settings.where}: {_text(exc)}") from None
    except ConnectionRefusedError:
        raise DeliveryError(f"{settings.where}: connection refused") from None
    except TimeoutError:
        raise DeliveryError(f"{settings.where}: timed out after {SMTP_TIMEOUT:g} s") from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"{settings.where}: TLS failed ({exc.reason or exc})") from None
    except OSError as exc:
        raise DeliveryError(f"{settings.where}: {exc.strerror or exc}") from None
    return len(messages)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    """An SMTP connection as the settings ask: TLS from the start, STARTTLS, or plain."""
    context = ssl.create_default_context()
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=SMTP_TIMEOUT, context=context)
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    if settings.security == "starttls":
        try:
            smtp.starttls(context=context)
        except BaseException:
            smtp.close()
            raise
    return smtp


def _text(value: object) -> str:
    """A server's reply as one line of text."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value).split())
