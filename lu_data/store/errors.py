"""One clear error for a store that cannot be read or written, naming it without its password."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line imports StoreError on every run: SQLAlchemy only on use
    import sqlalchemy as sa

# Driver messages (SQLite's and PostgreSQL's) that mean one thing a person can act on.
PLAIN_CAUSES = (
    ("readonly", "is read-only"),
    ("read-only", "is read-only"),
    ("query_only", "is read-only"),
    ("disk is full", "is full"),
    ("database or disk is full", "is full"),
    ("no space left", "is full"),
    ("database is locked", "is locked by another writer"),
)


class StoreError(Exception):
    """The store at a URL could not be opened, read or written; the text says which and why."""


def safe_url(url: str | sa.URL) -> str:
    """A database URL for messages, with any password masked (even in one that does not parse)."""
    import sqlalchemy as sa

    if isinstance(url, str) and has_loose_at(url):
        return mask_url_text(url)  # SQLAlchemy would split the password at its first @
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except (sa.exc.ArgumentError, ValueError):
        return mask_url_text(str(url))


def has_loose_at(url: str) -> bool:
    """True for a server URL with more than one `@`: a password's @ not written as %40."""
    return not url.startswith("sqlite") and url.count("@") > 1


def mask_url_text(text: str) -> str:
    """Text shaped like `scheme://user:password@host…` with the password as ***, unparsed.

    For a URL SQLAlchemy cannot parse: a password holding an unescaped `@` or `/` is a common
    reason, so everything up to the last `@` is taken as the user and password.
    """
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    userinfo, at, host = rest.rpartition("@")
    if not at:
        return text
    user, colon, _password = userinfo.partition(":")
    return f"{scheme}{sep}{user}{':***' if colon else ''}@{host}"


def store_error(url: str | sa.URL, exc: BaseException) -> StoreError:
    """A StoreError for exc: "store URL is read-only: cause", or "store URL: cause"."""
    cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    reason = cause[0] if cause else type(exc).__name__
    lowered = reason.lower()
    for needle, plain in PLAIN_CAUSES:
        if needle in lowered:
            return StoreError(f"store {safe_url(url)} {plain}: {reason}")
    return StoreError(f"store {safe_url(url)}: {reason}")


@contextlib.contextmanager
def translated_errors(url: str | sa.URL) -> Iterator[None]:
    """Turn database and file errors inside the block into one StoreError."""
    import sqlalchemy as sa

    try:
        yield
    except StoreError:
        raise
    except (sa.exc.SQLAlchemyError, OSError) as exc:
        raise store_error(url, exc) from exc
