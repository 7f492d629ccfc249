"""LearnUpon module records for tests, from the committed samples (tests/data)."""

from __future__ import annotations

import json

from tests.support import DATA


def load_records(name: str) -> list[dict]:
    """The 'modules' list of a committed sample file (a fresh copy each call)."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))["modules"]
