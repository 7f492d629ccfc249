"""Reading raw LearnUpon records: the fields the normaliser uses, column by column."""

from __future__ import annotations

from typing import Any

import numpy as np

from lu_data.sources import RawPortal

try:  # pandas' C loop reads many keys of many dicts ~5x faster than one comprehension per key
    from pandas._libs.lib import dicts_to_array as _dicts_to_array
except ImportError:  # pragma: no cover - a private helper; plain Python gives the same columns
    _dicts_to_array = None

# Fields read from every ILT record: they decide identity, rejection, warnings and merging.
RECORD_FIELDS = [
    "id",
    "training_id",
    "session_id",
    "session_tutor_id",
    "location_id",
    "start_at",
    "end_at",
    "updated_at",
    "max_capacity",
    "number_enrolled_on_session",
    # text compared between copies of a session: cheap to read while the record is at hand
    "title",
    "timezone",
    "location",
]
TUTOR_NAME_FIELDS = ("tutor_first_name", "tutor_last_name")
CONFLICT_TEXT = ("title", "timezone", "location")
LATE_FIELDS = ("created_at", "number_of_linked_courses")
STRING_FIELDS = {
    "title": "title",
    "timezone": "timezone",
    "location": "location",
    "address_1": "address_1",
    "address_2": "address_2",
    "address_3": "address_3",
    "location_country_code": "country_code",
    "location_state_code": "state_code",
    "tutor_email": "tutor_email",
    "description_text": "description",
}
# Read only for the sessions kept after merging, straight into output order.
OUTPUT_FIELDS = [*STRING_FIELDS, *TUTOR_NAME_FIELDS, *LATE_FIELDS]


def record_columns(records: list[dict[str, Any]], fields: list[str]) -> dict[str, np.ndarray]:
    """Each field of every record as an object array; a missing key reads as missing."""
    if _dicts_to_array is not None and records:
        try:
            table = _dicts_to_array(records, fields)  # missing keys come back as NaN
        except (TypeError, ValueError):  # pragma: no cover - a changed private signature
            pass
        else:
            return {name: table[:, j] for j, name in enumerate(fields)}
    out: dict[str, np.ndarray] = {}
    for name in fields:
        column = np.empty(len(records), dtype=object)
        column[:] = [r.get(name) for r in records]
        out[name] = column
    return out


class Locator:
    """ "<page label>, record <n>" for record positions, built only for the rows reported."""

    def __init__(self, raw: RawPortal, lengths: np.ndarray) -> None:
        self._labels = [p.label for p in raw.pages]
        self._ends = np.cumsum(lengths)
        self._starts = self._ends - lengths

    def __call__(self, positions: np.ndarray) -> np.ndarray:
        """The where-text of each record position (0-based over all pages)."""
        positions = np.asarray(positions, dtype="int64")
        pages = np.searchsorted(self._ends, positions, side="right")
        in_page = positions - self._starts[pages] + 1
        out = np.empty(len(positions), dtype=object)
        for i, (page, number) in enumerate(zip(pages.tolist(), in_page.tolist(), strict=True)):
            label = self._labels[page]
            out[i] = None if label is None else f"{label}, record {number}"
        return out


class Rows:
    """The accepted ILT records; other fields are read from them only where needed."""

    def __init__(self, records: list[dict[str, Any]], rows: np.ndarray) -> None:
        self._records = records
        self._rows = rows

    def fields(self, names: list[str], positions: np.ndarray) -> dict[str, np.ndarray]:
        """The named fields of the accepted rows at positions, in that order."""
        records = self._records
        return record_columns([records[i] for i in self._rows[positions].tolist()], names)
