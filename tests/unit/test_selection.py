"""is_in: the fast key-set membership used to select rows; it must agree with pandas' isin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lu_data.model.selection import is_in


@pytest.mark.parametrize(
    "keys",
    [
        ["session:2", "session:4", "absent"],
        pd.Series(["session:1", None, "session:3"], dtype="str"),
        pd.Index(["session:5"]),
        {"session:0", "session:5"},
        [],
    ],
)
def test_is_in_agrees_with_pandas(keys) -> None:
    """Same rows as Series.isin, for lists, Series with missing values, indexes and sets."""
    values = pd.Series(["session:0", "session:1", None, "session:3", "session:4", "session:5"])
    values = values.astype("str")
    expected = values.isin(list(keys)).to_numpy() & values.notna().to_numpy()
    assert is_in(values, keys).tolist() == expected.tolist()


def test_missing_values_are_never_in() -> None:
    """A missing key in the set does not select the rows that have no key."""
    values = pd.Series(["a", None, "b"], dtype="str")
    assert is_in(values, ["a", None]).tolist() == [True, False, False]


def test_large_key_sets_select_exactly_the_members() -> None:
    """100,000 keys against 50,000: every third key kept, nothing else."""
    values = pd.Series([f"session:{i}" for i in range(100_000)], dtype="str")
    keys = pd.Series([f"session:{i}" for i in range(0, 150_000, 3)], dtype="str")
    mask = is_in(values, keys)
    assert mask.dtype == np.bool_
    assert np.flatnonzero(mask).tolist() == list(range(0, 100_000, 3))
