"""Sessions seen more than once: identity codes, keys, the newest copy kept, and conflicts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import infer_dtype

from lu_data.ingest.record_arrays import Rows
from lu_data.ingest.value_parsing import to_str
from lu_data.sources.record_fields import STRING_FIELDS

# Fields compared when the same session arrives more than once.
CONFLICT_FIELDS = [
    "title",
    "start_utc",
    "end_utc",
    "timezone",
    "max_capacity",
    "enrolled",
    "tutor_id",
    "location",
]


def merge_duplicates(
    df: pd.DataFrame, text: Rows, codes: np.ndarray
) -> tuple[np.ndarray, int, pd.DataFrame]:
    """Rows to keep (newest copy per session, in output order), copies merged, conflicts.

    Works on row positions and integer codes, so no string column is sorted or copied.
    """
    empty_conflicts = pd.DataFrame(
        {"session_key": pd.Series(dtype="str"), "message": pd.Series(dtype="str")}
    )
    if df.empty:
        return np.array([], dtype="int64"), 0, empty_conflicts
    groups = int(codes.max()) + 1
    updated = df["updated_at"]
    stamp = updated.array.asi8
    # newest first, missing updated_at last; lexsort is stable, so ties keep record order
    newest_first = np.where(updated.isna().to_numpy(), np.iinfo("int64").max, -stamp)
    order = np.lexsort((newest_first, codes))
    ordered_codes = codes[order]
    first = np.r_[True, ordered_codes[1:] != ordered_codes[:-1]]
    kept = order[first]
    merged = len(order) - len(kept)
    sizes = np.bincount(codes, minlength=groups)
    # Key text is built once per session, from its kept row (kept is in code order).
    keys = session_keys(df.iloc[kept])
    conflicts = empty_conflicts
    dup_rows = order[sizes[ordered_codes] > 1]
    if len(dup_rows):
        conflicts = _conflicts(df, text, codes, dup_rows, kept, keys, sizes)
    # Output order: start, then session key (unique among kept rows); Arrow sorts by code
    # point like Python does.
    key_rank = np.empty(groups, dtype="int64")
    key_rank[pc.sort_indices(pa.array(keys.array)).to_numpy()] = np.arange(groups)
    start = df["start_utc"].array.asi8[kept]
    kept = kept[np.lexsort((key_rank[codes[kept]], start))]
    return kept, merged, conflicts


def identity_codes(df: pd.DataFrame) -> np.ndarray:
    """One integer per session identity: session_id for ILT Center, module id for legacy.

    The same partition as the "session:<id>" / "legacy:<id>" keys, without their text.
    """
    has_sid = df["session_id"].notna().to_numpy()
    sid = df["session_id"].to_numpy(dtype="int64", na_value=0)
    mid = df["module_id"].to_numpy(dtype="int64", na_value=0)
    ident = pd.DataFrame({"kind": has_sid, "id": np.where(has_sid, sid, mid)})
    return ident.groupby(["kind", "id"], sort=False).ngroup().to_numpy()


def session_keys(df: pd.DataFrame) -> pd.Series:
    """ "session:<session_id>" for ILT Center rows, "legacy:<module id>" for the others."""
    by_session = "session:" + df["session_id"].astype("str")
    return by_session.where(df["session_id"].notna(), "legacy:" + df["module_id"].astype("str"))


def training_keys(df: pd.DataFrame) -> pd.Series:
    """Trainings by training_id, else by module id, else by session id."""
    by_module = ("module:" + df["module_id"].astype("str")).where(
        df["module_id"].notna(), "session:" + df["session_id"].astype("str")
    )
    by_training = "training:" + df["training_id"].astype("str")
    return by_training.where(df["training_id"].notna(), by_module)


def _conflicts(
    df: pd.DataFrame,
    text: Rows,
    codes: np.ndarray,
    dup_rows: np.ndarray,
    kept: np.ndarray,
    keys: pd.Series,
    sizes: np.ndarray,
) -> pd.DataFrame:
    """Sessions whose copies disagree, with what differs and which copy was kept.

    Each copy is compared with the kept copy (the same as counting distinct values per
    session, missing equal to missing); text is cleaned only where the raw values differ.
    """
    kept_of = np.empty(len(keys), dtype="int64")
    kept_of[codes[kept]] = kept
    ref = kept_of[codes[dup_rows]]
    fields = [f for f in CONFLICT_FIELDS if f in STRING_FIELDS or f in df]
    differs = np.zeros((len(keys), len(fields)), dtype=bool)
    for j, name in enumerate(fields):
        if name in STRING_FIELDS:
            raw = df["_raw_" + name].to_numpy()
            neq = _text_differs(raw[dup_rows], raw[ref])
        else:
            a = df[name].iloc[dup_rows].array
            b = df[name].iloc[ref].array
            both_missing = np.asarray(pd.isna(a)) & np.asarray(pd.isna(b))
            same = np.asarray(pd.array(a == b, dtype="boolean").fillna(False), dtype=bool)
            neq = ~(same | both_missing)
        differs[codes[dup_rows[neq]], j] = True
    clash = np.flatnonzero(differs.any(axis=1))
    if len(clash) == 0:
        return pd.DataFrame(
            {"session_key": pd.Series(dtype="str"), "message": pd.Series(dtype="str")}
        )
    record = df["record"].to_numpy()
    updated = df["updated_at"]
    names = np.array(fields, dtype=object)
    messages = []
    for g in clash.tolist():  # conflicts are few; this loop never runs per row
        row = kept_of[g]
        stamp = updated.iloc[row]
        when = stamp.strftime("%Y-%m-%d %H:%M UTC") if pd.notna(stamp) else "no updated_at"
        messages.append(
            f"seen {sizes[g]} times with different {', '.join(names[differs[g]])}; kept the "
            f"newest (record {record[row]}, updated {when})"
        )
    return pd.DataFrame({"session_key": keys.iloc[clash].to_numpy(), "message": messages})


def _text_differs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rows whose raw values clean to different text (missing equal to missing)."""
    maybe = np.asarray(a != b, dtype=bool)
    if not {infer_dtype(a, skipna=True), infer_dtype(b, skipna=True)} <= {"string", "empty"}:
        # 1 == 1.0 == True in Python, yet they clean to different text: compare types too
        maybe |= np.asarray(_TYPE_OF(a) != _TYPE_OF(b), dtype=bool)
    rows = np.flatnonzero(maybe)
    if len(rows):  # usually few: copies of a session mostly repeat the same text
        ca = to_str(pd.Series(a[rows], dtype="object"))
        cb = to_str(pd.Series(b[rows], dtype="object"))
        same = (ca == cb).fillna(False).to_numpy(dtype=bool) | (ca.isna() & cb.isna()).to_numpy()
        maybe[rows] = ~same
    return maybe


_TYPE_OF = np.frompyfunc(type, 1, 1)
