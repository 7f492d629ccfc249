"""What LearnUpon answers: the client's typed errors, and reading response bodies into them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import msgspec
import orjson  # orjson parses 500-record pages several times faster than the standard library

from lu_data.sources.api_settings import PortalError
from lu_data.sources.record_fields import LeanEnvelope

SNIPPET_CHARS = 80


class AuthError(PortalError):
    """401/403: the API username or password was refused."""


class NotFoundError(PortalError):
    """404: wrong portal name, host or API path."""


class RateLimitError(PortalError):
    """Still throttled (429) after every retry."""


class ServerError(PortalError):
    """5xx from LearnUpon after every retry."""


class BadResponseError(PortalError):
    """A response that is not the JSON LearnUpon should send."""


class PagingError(PortalError):
    """A listing kept saying there is a next page past the page cap."""


class ConnectionFailedError(PortalError):
    """The portal could not be reached or kept timing out."""


class RequestRejectedError(PortalError):
    """Another 4xx answer (400, 422, ...), or a redirect the client refuses to follow."""


_LEAN_PAGE = msgspec.json.Decoder(LeanEnvelope)


def parse_body(body: bytes, envelope: str, *, lean: bool = False) -> tuple[list[Any], str | None]:
    """Return (records, problem); problem is None, 'html', 'truncated' or 'shape'.

    lean=True reads a well-formed modules page into LeanRecords (see sources.read_path);
    anything else about the body is judged by the full parser below, as without it.
    """
    head = body.lstrip()[:20].lower()
    if head.startswith((b"<!doctype", b"<html", b"<")):
        return [], "html"
    if lean and envelope == "modules":
        try:
            page = _LEAN_PAGE.decode(body)
        except (msgspec.MsgspecError, UnicodeDecodeError, ValueError, RecursionError):
            page = None
        if page is not None and page.modules is not msgspec.UNSET:
            return page.modules, None
    try:
        doc = orjson.loads(body)
    except ValueError:
        return [], "truncated"
    if isinstance(doc, dict) and isinstance(doc.get(envelope), list):
        return doc[envelope], None
    if doc == {} or doc == []:
        return [], None  # an empty body shape past the end of a listing
    return [], "shape:" + envelope


def bad_body_message(problem: str, body: bytes, where: str) -> str:
    snippet = body_text(body)[:SNIPPET_CHARS].replace("\n", " ")
    if problem == "html":
        return (
            f"{where} returned an HTML page instead of JSON ({snippet!r}): the base URL may "
            "point at the website rather than /api/v1/, or LearnUpon had an outage; check it"
        )
    if problem == "truncated":
        return (
            f"{where} kept returning a body that is not valid JSON ({snippet!r}): the "
            "connection may be cut short by a proxy; retry later"
        )
    envelope = problem.split(":", 1)[-1]
    return (
        f"{where} returned JSON without a {envelope!r} list ({snippet!r}): "
        "check the base URL points at the LearnUpon API"
    )


def client_error(status: int, body: bytes, where: str, base_url: str) -> PortalError:
    detail = _error_detail(body)
    if status in (401, 403):
        return AuthError(
            f"LearnUpon refused the API credentials (HTTP {status}{detail}): check the API "
            "username and password under Settings > Integrations > API Keys (they are not "
            "your login); a wrong portal or path can also answer 401"
        )
    if status == 404:
        return NotFoundError(
            f"{where} not found at {base_url} (HTTP 404{detail}): check the portal name or "
            "base URL (it should end in /api/v1/)"
        )
    return RequestRejectedError(f"LearnUpon answered HTTP {status} to {where}{detail}")


def redirect_error(status: int, location: str | None, where: str) -> PortalError:
    target = urlsplit(location or "")
    known = target.scheme and target.hostname
    to = f"{target.scheme}://{target.hostname}" if known else "another address"
    return RequestRejectedError(
        f"LearnUpon answered HTTP {status} to {where}, redirecting to {to}: the client does "
        "not follow redirects (the API keys go only to the configured address); set the base "
        "URL to the final https://…/api/v1/ address"
    )


def _error_detail(body: bytes) -> str:
    try:
        doc = orjson.loads(body)
    except ValueError:
        return ""
    if isinstance(doc, dict):
        message = doc.get("message") or doc.get("error")
        if isinstance(message, str) and message:
            return f": {message[:160]}"
    return ""


def body_text(body: bytes) -> str:
    return body[:4096].decode("utf-8", errors="replace")
