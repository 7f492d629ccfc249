"""Row selection by key sets, fast on the Arrow-backed string columns the frames use."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def is_in(values: pd.Series, keys: Iterable[object]) -> np.ndarray:
    """A boolean mask of `values` found in `keys` (missing values are never in).

    pandas' own `isin` on an Arrow string column boxes every key as a pyarrow scalar, which
    takes about a second for 100,000 keys; handing Arrow the whole key array takes a few ms.
    """
    needles = _strings(values)
    haystack = _strings(pd.Series(keys if isinstance(keys, pd.Series | pd.Index) else list(keys)))
    if len(haystack) == 0:
        return np.zeros(len(values), dtype=bool)
    found = pc.is_in(needles, value_set=haystack, skip_nulls=True)
    return np.asarray(pc.fill_null(found, False), dtype=bool)


def _strings(column: pd.Series) -> pa.Array:
    """The column as one Arrow string array (zero-copy for Arrow-backed text)."""
    if not pd.api.types.is_string_dtype(column.dtype) or column.dtype == object:
        column = column.astype("str")
    array = pa.array(column, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string())
