"""Trainings and tutors frames derived from any sessions frame (all of it or a filtered view)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lu_data.model.fill_status import fill_of, seat_columns
from lu_data.model.schema import (
    NO_TUTOR,
    PORTAL_COLUMN,
    TRAINING_DTYPES,
    TUTOR_DTYPES,
    empty_frame,
    enforce_dtypes,
)
from lu_data.model.teaching_time import teaching_hours

NO_TUTOR_KEY = "none"  # the tutor key of a session nobody teaches


def trainings_frame(sessions: pd.DataFrame) -> pd.DataFrame:
    """One row per training: sessions, first/last start, seats, fill and tutors.

    Seats offered and taken count the sessions that have a capacity, so fill_rate is
    seats_taken / seats_offered; learners of no-limit sessions are no_limit_learners.
    """
    if sessions.empty:
        return empty_frame(TRAINING_DTYPES)
    seats = seat_columns(sessions)
    s = sessions.assign(
        _offered=seats["offered"],
        _taken=seats["taken"],
        _no_limit_learners=seats["no_limit_learners"],
        _no_limit=sessions["max_capacity"].isna(),
        _over=sessions["status"] == "overbooked",
    )
    g = s.groupby("training_key", sort=False, observed=True)
    out = g.agg(
        **_portal_of(s),
        title=("title", "first"),
        module_kind=("module_kind", "first"),
        module_id=("module_id", "first"),
        training_id=("training_id", "first"),
        sessions=("session_key", "size"),
        first_start_utc=("start_utc", "min"),
        last_start_utc=("start_utc", "max"),
        seats_offered=("_offered", "sum"),
        seats_taken=("_taken", "sum"),
        no_limit_sessions=("_no_limit", "sum"),
        no_limit_learners=("_no_limit_learners", "sum"),
        overbooked_sessions=("_over", "sum"),
    )
    out["fill_rate"] = fill_of(out["seats_offered"], out["seats_taken"])
    out["tutors"] = _joined_names(s, "training_key")
    out = out.reset_index().sort_values(
        ["first_start_utc", "title"], kind="stable", ignore_index=True
    )
    return enforce_dtypes(out, TRAINING_DTYPES)


def tutors_frame(sessions: pd.DataFrame) -> pd.DataFrame:
    """One row per tutor: sessions, teaching hours, trainings taught, first and last session.

    Teaching hours are the hours taught on each local day (model.teaching_time), not elapsed.
    """
    if sessions.empty:
        return empty_frame(TUTOR_DTYPES)
    s = sessions.assign(tutor_key=tutor_keys(sessions), _taught=teaching_hours(sessions))
    g = s.groupby("tutor_key", sort=False)
    out = g.agg(
        **_portal_of(s),
        tutor_id=("tutor_id", "first"),
        tutor_name=("tutor_name", "first"),
        tutor_email=("tutor_email", "first"),
        sessions=("session_key", "size"),
        teaching_hours=("_taught", "sum"),
        trainings=("training_key", "nunique"),
        first_start_utc=("start_utc", "min"),
        last_start_utc=("start_utc", "max"),
    ).reset_index()
    out["tutor_name"] = out["tutor_name"].fillna(NO_TUTOR)
    out = out.sort_values(["tutor_name", "tutor_key"], kind="stable", ignore_index=True)
    return enforce_dtypes(out, TUTOR_DTYPES)


def tutor_keys(sessions: pd.DataFrame) -> pd.Series:
    """A stable key per session's tutor: LearnUpon user id, else e-mail, else name."""
    if "tutor_key" in sessions:  # worked out once by the normaliser
        return sessions["tutor_key"]
    return tutor_key_of(sessions)


def tutor_key_of(sessions: pd.DataFrame) -> pd.Series:
    """The tutor key computed from tutor_id, tutor_email and tutor_name."""
    by_id = "user:" + sessions["tutor_id"].astype("str")
    by_email = "email:" + sessions["tutor_email"].str.lower()
    by_name = "name:" + sessions["tutor_name"]
    key = by_id.where(sessions["tutor_id"].notna(), by_email)
    key = key.where(key.notna(), by_name)
    return key.fillna(NO_TUTOR_KEY).astype("str")


def count_tutors(keys: pd.Series) -> int:
    """How many tutors the keys name; sessions without a tutor are not a tutor."""
    return int(keys.loc[keys != NO_TUTOR_KEY].nunique())


def _portal_of(sessions: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """The portal column's aggregation: a key names one portal's training or tutor."""
    return {PORTAL_COLUMN: (PORTAL_COLUMN, "first")} if PORTAL_COLUMN in sessions else {}


def _joined_names(s: pd.DataFrame, by: str) -> pd.Series:
    """Distinct tutor names per group, sorted and joined with "; " (no Python call per group)."""
    names = s[[by, "tutor_name"]].dropna().drop_duplicates().sort_values([by, "tutor_name"])
    keys = names[by].to_numpy(dtype=object)
    values = names["tutor_name"].to_numpy(dtype=object)
    if len(keys) == 0:
        return pd.Series(dtype="str", index=pd.Index([], name=by, dtype="str"))
    first = np.r_[True, keys[1:] != keys[:-1]]
    starts = np.flatnonzero(first)
    parts = np.where(first, values, "; " + values)
    joined = np.add.reduceat(parts, starts)  # string concatenation per group, in one C loop
    return pd.Series(joined, index=pd.Index(keys[starts], name=by), dtype="str")
