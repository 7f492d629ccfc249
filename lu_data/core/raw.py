"""Raw LearnUpon records as a source hands them to the normaliser: pages of module records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RawPage:
    """One page of module records as LearnUpon sent it, with where it came from."""

    modules: list[Any]
    label: str
    course_id: int | None = None


@dataclass(frozen=True)
class RawPortal:
    """Every page read from one source, ready for the normaliser."""

    pages: list[RawPage]
    origin: str
    fetched_at: datetime | None = None
    courses: list[dict[str, Any]] = field(default_factory=list)
    complete: bool = True

    @property
    def record_count(self) -> int:
        """Number of input records over all pages."""
        return sum(len(p.modules) for p in self.pages)
