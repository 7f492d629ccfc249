"""Reading raw LearnUpon records: the fields the normaliser uses, column by column."""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np
from pandas._libs import lib as pandas_lib

if TYPE_CHECKING:
    from lu_data.core.raw import RawPortal

# pandas' C loop reads many keys of many dicts ~5x faster than one comprehension per key. It
# is private (pandas-stubs leave it out) and may go: then plain Python gives the same columns.
_dicts_to_array: Callable[[list[Any], list[str]], np.ndarray] | None = getattr(
    pandas_lib, "dicts_to_array", None
)


def lean_table(records: list[Any], fields: list[str]) -> np.ndarray:
    """The named fields of LeanRecords as one object array, a row per record.

    attrgetter reads all fields of a record in C; fromiter takes every value as one object,
    never unpacking a list or dict value into more array dimensions.
    """
    getter = attrgetter(*fields) if len(fields) > 1 else (lambda r: (getattr(r, fields[0]),))
    flat = chain.from_iterable(map(getter, records))
    return np.fromiter(flat, dtype=object, count=len(records) * len(fields)).reshape(
        len(records), len(fields)
    )


def record_columns(records: list[Any], fields: list[str]) -> dict[str, np.ndarray]:
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

    def __init__(self, records: list[Any], rows: np.ndarray, *, lean: bool = False) -> None:
        self._records = records
        self._rows = rows
        self._lean = lean  # all LeanRecords: read by attribute rather than by key

    def fields(self, names: list[str], positions: np.ndarray) -> dict[str, np.ndarray]:
        """The named fields of the accepted rows at positions, in that order."""
        records = self._records
        picked = [records[i] for i in self._rows[positions].tolist()]
        if self._lean:
            table = lean_table(picked, names)
            return {name: table[:, j] for j, name in enumerate(names)}
        return record_columns(picked, names)
