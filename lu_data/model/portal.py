"""The Portal bundle: one load's frames (sessions, trainings, tutors), quality and provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from lu_data.core.source_kinds import DEFAULT_PORTAL
from lu_data.model.quality import QualityReport


@dataclass
class Portal:
    """Sessions, trainings, tutors and the quality report from one load, with provenance.

    `name` is the portal's name, in every frame's portal column; a view of several portals
    keeps each one's own load in `parts` (by name), its frames stacked with qualified keys.
    """

    sessions: pd.DataFrame
    trainings: pd.DataFrame
    tutors: pd.DataFrame
    quality: QualityReport
    origin: str
    fetched_at: datetime
    complete: bool = True
    is_demo: bool = False
    name: str = DEFAULT_PORTAL
    parts: dict[str, Portal] = field(default_factory=dict)
    viewer: str = ""  # a tutor's email when this is only their sessions (model.access)

    @property
    def names(self) -> list[str]:
        """The portals this load holds, in name order: its parts', or its own name."""
        return sorted(self.parts) or [self.name]
