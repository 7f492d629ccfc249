"""The one normaliser: raw LearnUpon module records from any source into the sessions frame."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lu_data.columns import (
    REJECTED_DTYPES,
    SESSION_DTYPES,
    STATUS_DTYPE,
    UTC_DT,
    WARNING_DTYPES,
    empty_frame,
    enforce_dtypes,
)
from lu_data.quality import QualityReport
from lu_data.sources import RawPortal
from lu_data.timezones import UTC_ZONE, localize, resolve_zone

ILT_TYPE = "ilt session"
NEAR_FULL_AT = 0.85
UNDER_FILLED_BELOW = 0.40
LONG_SESSION_HOURS = 14 * 24
VIRTUAL_PATTERN = r"(?i)virtual|online|webinar|zoom|teams|remote|web ex|webex"
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


def normalise_portal(raw: RawPortal) -> tuple[pd.DataFrame, QualityReport]:
    """Turn every record of a RawPortal into sessions and a quality report that accounts for all."""
    lengths = np.array([len(p.modules) for p in raw.pages], dtype="int64")
    records: list[Any] = [m for p in raw.pages for m in p.modules]
    report = QualityReport(input_records=len(records))
    if not records:
        return empty_frame(SESSION_DTYPES), report
    page_of = np.repeat(np.arange(len(raw.pages)), lengths)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    in_page = np.arange(len(records)) - np.repeat(starts, lengths)
    labels = np.array([p.label for p in raw.pages], dtype=object)
    where = (
        pd.Series(labels[page_of], dtype="str") + ", record " + pd.Series(in_page + 1).astype("str")
    )
    course = pd.Series([p.course_id for p in raw.pages], dtype="Int64").to_numpy()[page_of]

    is_obj = np.fromiter((isinstance(r, dict) for r in records), bool, len(records))
    ctype = pd.Series(
        [r.get("component_type") if ok else None for r, ok in zip(records, is_obj, strict=True)],
        dtype="object",
    )
    ctype_norm = ctype.where(ctype.map(type).eq(str)).astype("str").str.strip().str.lower()
    is_ilt = is_obj & (ctype_norm == ILT_TYPE).to_numpy()
    skipped = is_obj & ctype_norm.notna().to_numpy() & ~is_ilt
    report.skipped_non_ilt = int(skipped.sum())
    report.skipped_types = {str(k): int(v) for k, v in ctype_norm[skipped].value_counts().items()}

    early = pd.Series(pd.NA, index=range(len(records)), dtype="str")
    early[~is_obj] = "record is not a JSON object"
    early[is_obj & ctype_norm.isna().to_numpy()] = "component_type missing"
    rejected = [_rejected_rows(early.notna().to_numpy(), early, where, records)]

    idx = np.flatnonzero(is_ilt)
    sub = [records[i] for i in idx]
    df, reasons, warnings = _frame_from_records(sub)
    df["record"] = pd.array(idx + 1, dtype="Int64")
    df["_where"] = where.to_numpy()[idx]
    df["_course"] = course[idx]
    bad = reasons.notna().to_numpy()
    rejected.append(_rejected_rows(bad, reasons, df["_where"], sub, record_numbers=idx + 1))
    report.rejected = pd.concat([r for r in rejected if not r.empty] or [rejected[0]]).sort_values(
        "record", kind="stable", ignore_index=True
    )
    warnings = warnings.loc[~bad[warnings["_row"].to_numpy()]] if not warnings.empty else warnings
    # Row warnings name the session they belong to, even when that copy is merged away.
    warnings = warnings.assign(
        record=idx[warnings["_row"].to_numpy()] + 1,
        where=df["_where"].to_numpy()[warnings["_row"].to_numpy()],
        session_key=df["session_key"].to_numpy()[warnings["_row"].to_numpy()],
    ).drop(columns="_row")
    df = df.loc[~bad].reset_index(drop=True)

    df, merged, conflicts = _merge_duplicates(df)
    report.duplicates_merged = merged
    sessions = _derive(df)
    report.sessions = len(sessions)
    report.warnings = _warning_frame(warnings, conflicts, sessions)
    return enforce_dtypes(sessions, SESSION_DTYPES), report


def _frame_from_records(
    sub: list[dict[str, Any]],
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """Columns of the ILT records, the rejection reason per row (or NA), and raw warnings."""

    def col(name: str) -> pd.Series:
        return pd.Series([r.get(name) for r in sub], dtype="object")

    n = len(sub)
    df = pd.DataFrame(index=range(n))
    warn: list[pd.DataFrame] = []

    def add_warning(mask: pd.Series | np.ndarray, code: str, message: pd.Series | str) -> None:
        m = np.asarray(mask, dtype=bool)
        if m.any():
            msg = message[m] if isinstance(message, pd.Series) else message
            warn.append(pd.DataFrame({"_row": np.flatnonzero(m), "code": code, "message": msg}))

    for field_name in ("id", "training_id", "session_id", "session_tutor_id", "location_id"):
        values, bad = _to_int(col(field_name))
        df[field_name] = values
        add_warning(bad, "bad_number", f"{field_name} is not a whole number; ignored")
    for field_name, target in STRING_FIELDS.items():
        df[target] = _to_str(col(field_name))
    first, last = _to_str(col("tutor_first_name")), _to_str(col("tutor_last_name"))
    name = (first.fillna("") + " " + last.fillna("")).str.strip()
    df["tutor_name"] = name.mask(name == "")
    df.loc[df["tutor_name"].isna(), "tutor_name"] = df["tutor_email"]

    raw_start, raw_end = col("start_at"), col("end_at")
    df["start_utc"], start_given = _to_utc(raw_start)
    df["end_utc"], end_given = _to_utc(raw_end)
    df["created_at"], _ = _to_utc(col("created_at"))
    df["updated_at"], _ = _to_utc(col("updated_at"))

    for field_name, target in (
        ("max_capacity", "max_capacity"),
        ("number_enrolled_on_session", "enrolled"),
    ):
        values, bad = _to_int(col(field_name))
        add_warning(bad, "bad_number", f"{field_name} is not a whole number; ignored")
        negative = (values < 0).fillna(False)
        add_warning(negative, "negative_number", f"{field_name} is negative; ignored")
        df[target] = values.mask(negative)
    df["linked_courses"], _ = _to_int(col("number_of_linked_courses"))

    # Identity: ILT Center sessions by session_id, legacy modules by module id.
    has_sid = df["session_id"].notna()
    has_tid = df["training_id"].notna()
    has_mid = df["id"].notna()
    df["module_kind"] = np.where(has_sid | has_tid, "ilt_center", "legacy")
    sid_txt = df["session_id"].astype("str")
    mid_txt = df["id"].astype("str")
    df["session_key"] = np.where(has_sid, "session:" + sid_txt, "legacy:" + mid_txt)
    df["training_key"] = np.where(
        has_tid,
        "training:" + df["training_id"].astype("str"),
        np.where(has_mid, "module:" + mid_txt, "session:" + sid_txt),
    )
    add_warning(
        has_sid & ~has_tid,
        "missing_training_id",
        "has session_id but no training_id; grouped by its module id",
    )

    reason = pd.Series(pd.NA, index=df.index, dtype="str")

    def reject(mask: pd.Series | np.ndarray, text: pd.Series | str) -> None:
        m = pd.Series(np.asarray(mask, dtype=bool), index=df.index) & reason.isna()
        if m.any():
            reason.loc[m] = text[m] if isinstance(text, pd.Series) else text

    reject(~has_sid & ~has_mid, "module id missing: the record cannot be identified")
    reject(
        has_tid & ~has_sid,
        "session_id missing on an ILT Center record: its sessions cannot be told apart",
    )
    reject(~start_given, "start_at missing")
    reject(start_given & df["start_utc"].isna(), "start_at is not a date: " + _quote(raw_start))
    reject(~end_given, "end_at missing")
    reject(end_given & df["end_utc"].isna(), "end_at is not a date: " + _quote(raw_end))
    reject((df["end_utc"] < df["start_utc"]).fillna(False), "end_at before start_at")

    hours = (df["end_utc"] - df["start_utc"]) / pd.Timedelta(hours=1)
    add_warning((hours == 0).fillna(False), "zero_length", "starts and ends at the same instant")
    add_warning(
        (hours > LONG_SESSION_HOURS).fillna(False),
        "long_session",
        "runs " + hours.round(0).astype("str") + " hours",
    )

    warnings = (
        pd.concat(warn, ignore_index=True)
        if warn
        else pd.DataFrame(
            {
                "_row": pd.Series(dtype="int64"),
                "code": pd.Series(dtype="str"),
                "message": pd.Series(dtype="str"),
            }
        )
    )
    df = df.rename(columns={"id": "module_id", "session_tutor_id": "tutor_id"})
    return df, reason, warnings


def _merge_duplicates(df: pd.DataFrame) -> tuple[pd.DataFrame, int, pd.DataFrame]:
    """Keep the newest copy of each session; union its course ids; list conflicting copies."""
    empty_conflicts = pd.DataFrame(
        {"session_key": pd.Series(dtype="str"), "message": pd.Series(dtype="str")}
    )
    if df.empty:
        df["course_ids"] = pd.Series(dtype="str")
        df["course_count"] = pd.Series(dtype="Int64")
        return df, 0, empty_conflicts
    order = df.sort_values(
        ["session_key", "updated_at", "record"],
        ascending=[True, False, True],
        na_position="last",
        kind="stable",
    )
    courses = _course_lists(order[["session_key", "_course"]])
    dup_any = order.duplicated("session_key", keep=False)
    conflicts = empty_conflicts
    if dup_any.any():
        conflicts = _conflicts(order.loc[dup_any])
    kept = order.loc[~order.duplicated("session_key", keep="first")].copy()
    merged = len(order) - len(kept)
    kept = kept.join(courses, on="session_key")
    kept = kept.sort_values(["start_utc", "session_key"], kind="stable", ignore_index=True)
    return kept, merged, conflicts


def _course_lists(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per session: its course ids as "11;17" and their count, without a per-group Python call."""
    pairs = (
        pairs.dropna(subset=["_course"])
        .drop_duplicates()
        .sort_values(["session_key", "_course"], kind="stable")
    )
    if pairs.empty:
        return pd.DataFrame(
            {"course_ids": pd.Series(dtype="str"), "course_count": pd.Series(dtype="Int64")},
            index=pd.Index([], name="session_key", dtype="str"),
        )
    rank = pairs.groupby("session_key", sort=False).cumcount()
    wide = pairs.assign(rank=rank.to_numpy(), c=pairs["_course"].astype("str")).pivot(
        index="session_key", columns="rank", values="c"
    )
    joined = wide[0]
    for r in wide.columns[1:]:
        joined = joined.str.cat(wide[r], sep=";", na_rep="").str.rstrip(";")
    return pd.DataFrame(
        {"course_ids": joined, "course_count": wide.notna().sum(axis=1).astype("Int64")}
    )


def _conflicts(dups: pd.DataFrame) -> pd.DataFrame:
    """Sessions whose copies disagree, with what differs and which copy was kept."""
    fields = [f for f in CONFLICT_FIELDS if f in dups.columns]
    distinct = dups.groupby("session_key", sort=False)[fields].nunique(dropna=False)
    differs = distinct.gt(1)
    keys = differs.index[differs.any(axis=1)]
    if len(keys) == 0:
        return pd.DataFrame(
            {"session_key": pd.Series(dtype="str"), "message": pd.Series(dtype="str")}
        )
    first = dups.drop_duplicates("session_key").set_index("session_key")
    counts = dups["session_key"].value_counts()
    messages = []
    for key in keys:  # conflicts are few; this loop is over them, never over sessions
        cols = ", ".join(differs.columns[differs.loc[key]])
        kept = first.loc[key]
        stamp = kept["updated_at"]
        when = stamp.strftime("%Y-%m-%d %H:%M UTC") if pd.notna(stamp) else "no updated_at"
        messages.append(
            f"seen {counts[key]} times with different {cols}; kept the newest "
            f"(record {kept['record']}, updated {when})"
        )
    return pd.DataFrame({"session_key": list(keys), "message": messages})


def _derive(df: pd.DataFrame) -> pd.DataFrame:
    """Time zones, local times, capacity figures and status, all vectorised."""
    zones = df["timezone"].map(_zone_map(df["timezone"]))
    df["tz"] = zones.astype("str").fillna(UTC_ZONE)
    df["start_local"], df["utc_offset"], df["tz_abbr"] = localize(df["start_utc"], df["tz"])
    df["end_local"], _, _ = localize(df["end_utc"], df["tz"])
    df["duration_hours"] = ((df["end_utc"] - df["start_utc"]) / pd.Timedelta(hours=1)).astype(
        "float64"
    )

    cap = df["max_capacity"].mask(df["max_capacity"] == 0)
    enrolled = df["enrolled"].fillna(0)
    df["max_capacity"] = cap
    df["enrolled"] = enrolled
    df["seats_left"] = (cap - enrolled).clip(lower=0)
    fill = enrolled.astype("Float64") / cap.astype("Float64")
    df["fill_rate"] = fill
    has_cap = cap.notna().to_numpy()
    f = fill.to_numpy(dtype="float64", na_value=np.nan)
    e = enrolled.to_numpy(dtype="float64")
    c = cap.to_numpy(dtype="float64", na_value=np.nan)
    status = np.select(
        [~has_cap, e > c, e == c, f >= NEAR_FULL_AT, f < UNDER_FILLED_BELOW],
        ["no_limit", "overbooked", "full", "near_full", "under_filled"],
        default="healthy",
    )
    df["status"] = pd.Categorical(status, dtype=STATUS_DTYPE)
    # LearnUpon marks web sessions with location_id -1; names like "Zoom" say the same.
    df["is_virtual"] = (df["location_id"] == -1).fillna(False).to_numpy() | df[
        "location"
    ].str.contains(VIRTUAL_PATTERN, regex=True).fillna(False).to_numpy()
    return df


def _warning_frame(
    row_warnings: pd.DataFrame, conflicts: pd.DataFrame, sessions: pd.DataFrame
) -> pd.DataFrame:
    """All warnings as rows keyed by session, with the record each came from."""
    parts: list[pd.DataFrame] = [row_warnings] if not row_warnings.empty else []
    if not conflicts.empty:
        kept = sessions.set_index("session_key").loc[conflicts["session_key"]]
        parts.append(
            pd.DataFrame(
                {
                    "record": kept["record"].to_numpy(),
                    "where": kept["_where"].to_numpy(),
                    "session_key": conflicts["session_key"].to_numpy(),
                    "code": "duplicate_conflict",
                    "message": conflicts["message"].to_numpy(),
                }
            )
        )
    zone_unknown = sessions["timezone"].notna() & sessions["timezone"].map(resolve_zone).isna()
    no_zone = sessions["timezone"].isna()
    over = (sessions["enrolled"] > sessions["max_capacity"]).fillna(False)
    no_cap = sessions["max_capacity"].isna()
    checks = [
        (
            zone_unknown,
            "unknown_timezone",
            "'" + sessions["timezone"].fillna("") + "' is not a known time zone; shown in UTC",
        ),
        (no_zone, "missing_timezone", "no time zone; shown in UTC"),
        (
            over,
            "over_capacity",
            sessions["enrolled"].astype("str")
            + " enrolled on "
            + sessions["max_capacity"].astype("str")
            + " seats",
        ),
        (no_cap, "capacity_not_set", "no capacity set (null, empty or 0): left out of fill rates"),
    ]
    for mask, code, message in checks:
        m = mask.to_numpy(dtype=bool)
        if m.any():
            parts.append(
                pd.DataFrame(
                    {
                        "record": sessions["record"].to_numpy()[m],
                        "where": sessions["_where"].to_numpy()[m],
                        "session_key": sessions["session_key"].to_numpy()[m],
                        "code": code,
                        "message": message[m].to_numpy()
                        if isinstance(message, pd.Series)
                        else message,
                    }
                )
            )
    if not parts:
        return empty_frame(WARNING_DTYPES)
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["record", "code"], kind="stable", ignore_index=True)
    return enforce_dtypes(out, WARNING_DTYPES)


def _rejected_rows(
    mask: np.ndarray,
    reasons: pd.Series,
    where: pd.Series,
    records: list[Any],
    record_numbers: np.ndarray | None = None,
) -> pd.DataFrame:
    """Rows of the rejected table for the masked records."""
    pos = np.flatnonzero(mask)
    if len(pos) == 0:
        return empty_frame(REJECTED_DTYPES)
    picked = [records[i] if isinstance(records[i], dict) else {} for i in pos]
    numbers = record_numbers[pos] if record_numbers is not None else pos + 1
    out = pd.DataFrame(
        {
            "record": numbers,
            "where": np.asarray(where)[pos],
            "module_id": _to_str(pd.Series([r.get("id") for r in picked], dtype="object")),
            "session_id": _to_str(pd.Series([r.get("session_id") for r in picked], dtype="object")),
            "title": _to_str(pd.Series([r.get("title") for r in picked], dtype="object")).str.slice(
                0, 120
            ),
            "reason": reasons.to_numpy()[pos],
        }
    )
    return enforce_dtypes(out, REJECTED_DTYPES)


def _to_int(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Nullable integers from mixed JSON values, plus a mask of values not whole numbers."""
    blank = values.isna() | (values == "")
    num = pd.to_numeric(values.where(~blank), errors="coerce")
    bad = ~blank & (num.isna() | (num % 1 != 0))
    return num.where(~bad).astype("Float64").astype("Int64"), bad


def _to_str(values: pd.Series) -> pd.Series:
    """Strings with surrounding space removed; empty strings become missing."""
    out = values.astype("str").str.strip()
    return out.mask(out == "")


def _to_utc(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """tz-aware UTC datetimes from ISO 8601 strings; the mask marks values that were given."""
    text = values.where(values.map(type).eq(str)).astype("str").str.strip()
    given = text.notna() & (text != "")
    given = given | (values.notna() & text.isna())  # a number where a date belongs is "given"
    parsed = pd.to_datetime(text.where(given), utc=True, errors="coerce", format="ISO8601")
    return parsed.astype(UTC_DT), given


def _quote(values: pd.Series) -> pd.Series:
    return "'" + values.astype("str").str.slice(0, 40) + "'"


def _zone_map(names: pd.Series) -> dict[str, str | None]:
    return {n: resolve_zone(n) for n in names.dropna().unique()}
