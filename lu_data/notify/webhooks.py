"""Chat webhooks (Slack incoming webhooks, Teams workflows): one JSON POST, with a one-line
reason when it fails. A webhook URL is a secret: errors name its host, never its path."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import requests

from lu_data.core.addresses import is_loopback
from lu_data.notify.mail import DeliveryError

TIMEOUT_ENV = "LU_WEBHOOK_TIMEOUT"
DEFAULT_TIMEOUT = 10.0  # seconds


def webhook_timeout() -> float:
    """Seconds to wait for a webhook: LU_WEBHOOK_TIMEOUT, else DEFAULT_TIMEOUT."""
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    try:
        return float(text) if text else DEFAULT_TIMEOUT
    except ValueError:
        raise ValueError(f"{TIMEOUT_ENV} must be a number of seconds, not {text!r}") from None


def check_webhook_url(channel: str, url: str) -> str:
    """The URL if usable: https, or plain http to a loopback host only; else a ValueError."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url.strip()
    if parts.scheme == "http" and host and is_loopback(host):
        return url.strip()
    raise ValueError(
        f"--{channel} needs an https:// webhook URL (plain http only to a loopback host)"
    )


def post_webhook(channel: str, url: str, payload: dict[str, Any], timeout: float) -> None:
    """POST the payload as JSON; DeliveryError("slack hooks.slack.com: HTTP 500") on failure."""
    where = f"{channel} {urlsplit(url).hostname or 'webhook'}"
    try:
        response = requests.post(url, json=payload, timeout=timeout)
    except requests.Timeout:
        raise DeliveryError(f"{where}: timed out after {timeout:g} s") from None
    except requests.ConnectionError:
        raise DeliveryError(f"{where}: connection failed") from None
    except requests.RequestException as exc:
        raise DeliveryError(f"{where}: {type(exc).__name__}") from None
    if not 200 <= response.status_code < 300:
        reason = " ".join(response.text.split())[:120]
        raise DeliveryError(f"{where}: HTTP {response.status_code} {reason}".rstrip())
