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
    """A database URL for messages, with any password masked."""
    import sqlalchemy as sa

    return sa.make_url(url).render_as_string(hide_password=True)


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
