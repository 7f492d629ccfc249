"""The one normaliser: raw LearnUpon module records from any source into the sessions frame."""

from __future__ import annotations

from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lu_data.core.raw import RawPortal
from lu_data.core.source_kinds import DEFAULT_PORTAL
from lu_data.ingest.identity import identity_codes, merge_duplicates, session_keys, training_keys
from lu_data.ingest.record_arrays import Locator, Rows, lean_table, record_columns
from lu_data.ingest.value_parsing import (
    component_types,
    quote,
    to_int,
    to_str,
    to_utc,
)
from lu_data.model.fill_status import fill_of, fill_status
from lu_data.model.quality import QualityReport
from lu_data.model.rollups import tutor_key_of
from lu_data.model.schema import (
    REJECTED_DTYPES,
    SESSION_DTYPES,
    STATUS_DTYPE,
    WARNING_DTYPES,
    empty_frame,
    enforce_dtypes,
    with_portal,
)
from lu_data.model.timezones import UTC_ZONE, elapsed, localize, resolve_zone
from lu_data.sources.record_fields import (
    COMPONENT_FIELD,
    CONFLICT_TEXT,
    NO_LOCATION_ID,
    OUTPUT_FIELDS,
    RECORD_FIELDS,
    STRING_FIELDS,
    LeanRecord,
    record_mapping,
)

ILT_TYPE = "ilt session"
LONG_SESSION_HOURS = 14 * 24
HOUR = pd.Timedelta(hours=1)
# Session times outside these years are typing errors, and overflow local-time conversion.
FIRST_YEAR, LAST_YEAR = 1900, 2199
VIRTUAL_PATTERN = r"(?i)virtual|online|webinar|zoom|teams|remote|web ex|webex"


def normalise_portal(
    raw: RawPortal, name: str = DEFAULT_PORTAL
) -> tuple[pd.DataFrame, QualityReport]:
    """Every record of a RawPortal as sessions and a quality report that accounts for all.

    Every row of the sessions, rejected and warnings frames names its portal (`name`).
    """
    sessions, report = _normalise(raw)
    report.rejected = with_portal(report.rejected, name)
    report.warnings = with_portal(report.warnings, name)
    return with_portal(sessions, name), report


def _normalise(raw: RawPortal) -> tuple[pd.DataFrame, QualityReport]:
    """normalise_portal without the portal column (left empty)."""
    lengths = np.array([len(p.modules) for p in raw.pages], dtype="int64")
    records: list[Any] = [m for p in raw.pages for m in p.modules]
    report = QualityReport(input_records=len(records))
    if not records:
        return empty_frame(SESSION_DTYPES), report
    where_of = Locator(raw, lengths)
    page_of = np.repeat(np.arange(len(raw.pages)), lengths)
    course = pd.array([p.course_id for p in raw.pages], dtype="Int64").to_numpy()[page_of]

    lean: np.ndarray | None = None  # LEAN_FIELDS of every record, read in one pass
    every: dict[str, np.ndarray] | None = None
    record_types = set(map(type, records))
    if record_types == {LeanRecord}:  # a lean read: all objects, holding only the used fields
        is_obj = np.ones(len(records), dtype=bool)
        lean = lean_table(records, [COMPONENT_FIELD, *RECORD_FIELDS])
        ctype = pd.Series(lean[:, 0], dtype="object", copy=False)
    else:
        if LeanRecord in record_types:  # lean and full files read together
            records = [record_mapping(r) if isinstance(r, LeanRecord) else r for r in records]
        is_obj = np.fromiter(map(isinstance, records, repeat(dict)), bool, len(records))
        if is_obj.all():  # the usual case: one pass reads the type and every per-row field
            every = record_columns(records, [COMPONENT_FIELD, *RECORD_FIELDS])
            ctype = pd.Series(every[COMPONENT_FIELD], dtype="object", copy=False)
        else:
            kinds = [r.get(COMPONENT_FIELD) if isinstance(r, dict) else None for r in records]
            ctype = pd.Series(kinds, dtype="object")
    ctype_norm = component_types(ctype)
    is_ilt = is_obj & (ctype_norm == ILT_TYPE).to_numpy()
    skipped = is_obj & ctype_norm.notna().to_numpy() & ~is_ilt
    report.skipped_non_ilt = int(skipped.sum())
    report.skipped_types = {str(k): int(v) for k, v in ctype_norm[skipped].value_counts().items()}

    early = np.full(len(records), None, dtype=object)
    early[~is_obj] = "record is not a JSON object"
    early[is_obj & ctype_norm.isna().to_numpy()] = "component_type missing"
    pos = np.flatnonzero(early != None)  # noqa: E711 - elementwise test for missing
    rejected = [_rejected_rows(pos + 1, where_of(pos), [records[i] for i in pos], early[pos])]

    idx = np.flatnonzero(is_ilt)
    sub = [records[i] for i in idx]
    sub_lean = lean[idx] if lean is not None else None
    if sub_lean is not None:
        columns = {name: sub_lean[:, j + 1] for j, name in enumerate(RECORD_FIELDS)}
    elif every is not None:
        columns = {name: every[name][idx] for name in RECORD_FIELDS}
    else:
        columns = None
    df, reasons, warnings = _frame_from_records(sub, columns)
    bad = reasons.notna().to_numpy()
    pos = np.flatnonzero(bad)
    rejected.append(
        _rejected_rows(
            idx[pos] + 1, where_of(idx[pos]), [sub[i] for i in pos], reasons.to_numpy()[pos]
        )
    )
    report.rejected = pd.concat([r for r in rejected if not r.empty] or [rejected[0]]).sort_values(
        "record", kind="stable", ignore_index=True
    )
    warnings = warnings.loc[~bad[warnings["_row"].to_numpy()]] if not warnings.empty else warnings
    rows = warnings["_row"].to_numpy()
    # Row warnings name the session they belong to, even when that copy is merged away.
    warnings = warnings.assign(
        record=idx[rows] + 1,
        where=where_of(idx[rows]),
        session_key=session_keys(df.iloc[rows]).to_numpy(),
    ).drop(columns="_row")

    good = np.flatnonzero(~bad)
    df = df.take(good).reset_index(drop=True)
    df["record"] = pd.array(idx[good] + 1, dtype="Int64")
    df["_pos"] = idx[good]  # the record's position in the source, for "where" texts
    df["_course"] = course[idx[good]]
    # other fields are read later, only for the rows that need them
    text = Rows(sub, good, lean=sub_lean is not None)

    codes = identity_codes(df)
    kept, merged, conflicts = merge_duplicates(df, text, codes)
    report.duplicates_merged = merged
    sessions = _derive(_session_frame(df, text, kept, codes))
    report.sessions = len(sessions)
    report.warnings = _warning_frame(warnings, conflicts, sessions, where_of)
    return enforce_dtypes(sessions, SESSION_DTYPES), report


def _frame_from_records(
    sub: list[dict[str, Any]], columns: dict[str, np.ndarray] | None = None
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """Numbers and times of the ILT records, the rejection reason per row, and raw warnings.

    Text fields are not read here: only the rows that survive rejection and merging need
    them, which saves most of the string work on portals that list sessions per course.
    """
    if columns is None:
        columns = record_columns(sub, RECORD_FIELDS)

    def col(name: str) -> pd.Series:
        return pd.Series(columns[name], dtype="object", copy=False)

    n = len(sub)
    df = pd.DataFrame(index=range(n))
    warn: list[pd.DataFrame] = []

    def add_warning(mask: pd.Series | np.ndarray, code: str, message: pd.Series | str) -> None:
        m = np.asarray(mask, dtype=bool)
        if m.any():
            msg = message[m] if isinstance(message, pd.Series) else message
            warn.append(pd.DataFrame({"_row": np.flatnonzero(m), "code": code, "message": msg}))

    bad_ids: dict[str, pd.Series] = {}
    for field_name in ("id", "training_id", "session_id", "session_tutor_id", "location_id"):
        values, bad = to_int(col(field_name))
        df[field_name] = values
        bad_ids[field_name] = bad
        add_warning(bad, "bad_number", f"{field_name} is not a whole number; ignored")

    raw_start, raw_end = col("start_at"), col("end_at")
    df["start_utc"], start_given = to_utc(raw_start)
    df["end_utc"], end_given = to_utc(raw_end)
    df["updated_at"], _ = to_utc(col("updated_at"))

    for field_name, target in (
        ("max_capacity", "max_capacity"),
        ("number_enrolled_on_session", "enrolled"),
    ):
        values, bad = to_int(col(field_name))
        add_warning(bad, "bad_number", f"{field_name} is not a whole number; ignored")
        negative = (values < 0).fillna(False)
        add_warning(negative, "negative_number", f"{field_name} is negative; ignored")
        df[target] = values.mask(negative)

    # Identity: ILT Center sessions by session_id, legacy modules by module id.
    has_sid = df["session_id"].notna().to_numpy()
    has_tid = df["training_id"].notna().to_numpy()
    has_mid = df["id"].notna().to_numpy()
    df["module_kind"] = np.where(has_sid | has_tid, "ilt_center", "legacy")
    add_warning(
        has_sid & ~has_tid,
        "missing_training_id",
        "has session_id but no training_id; grouped by its module id",
    )

    reason = np.full(n, None, dtype=object)

    def reject(mask: pd.Series | np.ndarray, message: str, quoted: pd.Series | None = None) -> None:
        """Give rows without a reason yet this one; `quoted` values follow it, quoted."""
        m = np.asarray(mask, dtype=bool) & (reason == None)  # noqa: E711 - elementwise
        if m.any():
            # quote only the rejected rows: quoting whole columns cost 0.2 s at 100k records
            reason[m] = message if quoted is None else (message + quote(quoted[m])).to_numpy()

    start_ok, end_ok = df["start_utc"].notna().to_numpy(), df["end_utc"].notna().to_numpy()
    reject(
        bad_ids["session_id"],
        "session_id is not a whole number in range: ",
        col("session_id"),
    )
    reject(~has_sid & ~has_mid, "module id missing: the record cannot be identified")
    reject(
        has_tid & ~has_sid,
        "session_id missing on an ILT Center record: its sessions cannot be told apart",
    )
    reject(~start_given, "start_at missing")
    if (start_given & ~start_ok).any():
        reject(start_given & ~start_ok, "start_at is not a date: ", raw_start)
    reject(~end_given, "end_at missing")
    if (end_given & ~end_ok).any():
        reject(end_given & ~end_ok, "end_at is not a date: ", raw_end)
    for name, stamps, raw in (
        ("start_at", df["start_utc"], raw_start),
        ("end_at", df["end_utc"], raw_end),
    ):
        years = stamps.dt.year
        reject(
            ((years < FIRST_YEAR) | (years > LAST_YEAR)).fillna(False),
            f"{name} out of range ({FIRST_YEAR}-{LAST_YEAR}): ",
            raw,
        )
    reject((df["end_utc"] < df["start_utc"]).fillna(False), "end_at before start_at")

    hours = elapsed(df["start_utc"], df["end_utc"], HOUR)
    add_warning((hours == 0).fillna(False), "zero_length", "starts and ends at the same instant")
    long = (hours > LONG_SESSION_HOURS).fillna(False)
    if long.any():
        add_warning(long, "long_session", "runs " + hours.round(0).astype("str") + " hours")

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
    for name in CONFLICT_TEXT:
        # raw objects (no text dtype inference): cleaned only where copies of a session differ
        df["_raw_" + name] = pd.Series(columns[name], dtype="object", copy=False)
    return df, pd.Series(reason, dtype="str"), warnings


def _session_frame(
    df: pd.DataFrame, text: Rows, kept: np.ndarray, codes: np.ndarray
) -> pd.DataFrame:
    """The kept rows in output order, with cleaned text, tutor names and course lists.

    Records are read and their text converted in source order, which walks memory in the
    order the parser allocated it (2-3x faster than jumping around); Arrow then puts the
    finished columns into output order.
    """
    out = df.take(kept).reset_index(drop=True)
    out["session_key"] = session_keys(out)
    out["training_key"] = training_keys(out)
    by_source = np.argsort(kept, kind="stable")
    back = np.empty_like(by_source)
    back[by_source] = np.arange(len(by_source))
    raw = text.fields(OUTPUT_FIELDS, kept[by_source])

    def column(name: str) -> pd.Series:
        return pd.Series(raw[name], dtype="object", copy=False)

    def in_output_order(values: pd.Series) -> pd.Series:
        return values.take(back).reset_index(drop=True)

    out["created_at"] = in_output_order(to_utc(column("created_at"))[0])
    out["linked_courses"] = in_output_order(to_int(column("number_of_linked_courses"))[0])
    for field_name, target in STRING_FIELDS.items():
        out[target] = in_output_order(to_str(column(field_name)))
    first, last = to_str(column("tutor_first_name")), to_str(column("tutor_last_name"))
    name = in_output_order((first.fillna("") + " " + last.fillna("")).str.strip())
    out["tutor_name"] = name.mask(name == "").fillna(out["tutor_email"])
    ids, counts = _course_lists(codes, df["_course"], kept)
    out["course_ids"] = pd.Series(ids, dtype="str")
    out["course_count"] = pd.array(counts, dtype="Int64")
    return out


def _course_lists(
    codes: np.ndarray, course: pd.Series, kept: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per kept session: its distinct course ids, ascending, as "11;17", and their count."""
    has = course.notna().to_numpy()
    ids = np.full(len(kept), None, dtype=object)
    counts = np.full(len(kept), np.nan)
    if not has.any():
        return ids, counts
    g = codes[has]
    c = course.to_numpy()[has].astype("int64")
    order = np.lexsort((c, g))  # by session, then course id
    g, c = g[order], c[order]
    fresh = np.r_[True, (g[1:] != g[:-1]) | (c[1:] != c[:-1])]  # drop repeated pairs
    g, c = g[fresh], c[fresh]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    # Each session's ids as one Arrow list, joined with ";" in C.
    offsets = pa.array(np.r_[starts, len(g)], type=pa.int64())
    lists = pa.LargeListArray.from_arrays(offsets, pa.array(c).cast(pa.large_string()))
    joined = pc.binary_join(lists, pa.scalar(";", pa.large_string()))
    joined = joined.to_numpy(zero_copy_only=False)
    slot = np.full(codes.max() + 1, -1, dtype="int64")
    slot[g[starts]] = np.arange(len(starts))
    where = slot[codes[kept]]
    found = where >= 0
    ids[found] = joined[where[found]]
    counts[found] = np.diff(np.r_[starts, len(g)])[where[found]]
    return ids, counts


def _derive(df: pd.DataFrame) -> pd.DataFrame:
    """Time zones, local times, capacity figures and status, all vectorised."""
    zones = df["timezone"].map(_zone_map(df["timezone"]))
    df["tz"] = zones.astype("str").fillna(UTC_ZONE)
    df["start_local"], df["utc_offset"], df["tz_abbr"] = localize(df["start_utc"], df["tz"])
    df["end_local"], _, _ = localize(df["end_utc"], df["tz"], labels=False)
    df["duration_hours"] = elapsed(df["start_utc"], df["end_utc"], HOUR).astype("float64")

    cap = df["max_capacity"].mask(df["max_capacity"] == 0)
    enrolled = df["enrolled"].fillna(0)
    df["max_capacity"] = cap
    df["enrolled"] = enrolled
    df["seats_left"] = (cap - enrolled).clip(lower=0)
    df["fill_rate"] = fill_of(cap, enrolled)
    df["status"] = pd.Categorical(fill_status(cap, enrolled), dtype=STATUS_DTYPE)
    df["tutor_key"] = tutor_key_of(df)
    # LearnUpon marks web sessions with location_id -1; names like "Zoom" say the same.
    df["is_virtual"] = (df["location_id"] == NO_LOCATION_ID).fillna(False).to_numpy() | df[
        "location"
    ].str.contains(VIRTUAL_PATTERN, regex=True).fillna(False).to_numpy()
    return df


def _warning_frame(
    row_warnings: pd.DataFrame,
    conflicts: pd.DataFrame,
    sessions: pd.DataFrame,
    where_of: Locator,
) -> pd.DataFrame:
    """All warnings as rows keyed by session, with the record each came from."""
    parts: list[pd.DataFrame] = [row_warnings] if not row_warnings.empty else []
    if not conflicts.empty:
        kept = sessions.set_index("session_key").loc[conflicts["session_key"]]
        parts.append(
            pd.DataFrame(
                {
                    "record": kept["record"].to_numpy(),
                    "where": where_of(kept["_pos"].to_numpy()),
                    "session_key": conflicts["session_key"].to_numpy(),
                    "code": "duplicate_conflict",
                    "message": conflicts["message"].to_numpy(),
                }
            )
        )
    zone = sessions["timezone"]
    zone_unknown = zone.notna() & zone.map(_zone_map(zone)).isna()
    no_zone = zone.isna()
    over = (sessions["enrolled"] > sessions["max_capacity"]).fillna(False)
    no_cap = sessions["max_capacity"].isna()
    checks = [
        (
            zone_unknown,
            "unknown_timezone",
            lambda m: "'" + zone[m].fillna("") + "' is not a known time zone; shown in UTC",
        ),
        (no_zone, "missing_timezone", "no time zone; shown in UTC"),
        (
            over,
            "over_capacity",
            lambda m: (
                sessions["enrolled"][m].astype("str")
                + " enrolled on "
                + sessions["max_capacity"][m].astype("str")
                + " seats"
            ),
        ),
        (no_cap, "capacity_not_set", "no capacity set (null, empty or 0): left out of fill rates"),
    ]
    positions = sessions["_pos"].to_numpy()
    for mask, code, message in checks:
        m = mask.to_numpy(dtype=bool)
        if m.any():
            parts.append(
                pd.DataFrame(
                    {
                        "record": sessions["record"].to_numpy()[m],
                        "where": where_of(positions[m]),
                        "session_key": sessions["session_key"].to_numpy()[m],
                        "code": code,
                        # texts are built for the flagged rows only
                        "message": message(m).to_numpy() if callable(message) else message,
                    }
                )
            )
    if not parts:
        return empty_frame(WARNING_DTYPES)
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["record", "code"], kind="stable", ignore_index=True)
    return enforce_dtypes(out, WARNING_DTYPES)


def _rejected_rows(
    numbers: np.ndarray, where: np.ndarray, picked: list[Any], reasons: np.ndarray
) -> pd.DataFrame:
    """Rows of the rejected table: record numbers, where-texts, the records and the reasons."""
    if len(numbers) == 0:
        return empty_frame(REJECTED_DTYPES)
    picked = [record_mapping(r) for r in picked]
    out = pd.DataFrame(
        {
            "record": numbers,
            "where": where,
            "module_id": to_str(pd.Series([r.get("id") for r in picked], dtype="object")),
            "session_id": to_str(pd.Series([r.get("session_id") for r in picked], dtype="object")),
            "title": to_str(pd.Series([r.get("title") for r in picked], dtype="object")).str.slice(
                0, 120
            ),
            "reason": reasons,
        }
    )
    return enforce_dtypes(out, REJECTED_DTYPES)


def _zone_map(names: pd.Series) -> dict[str, str | None]:
    return {n: resolve_zone(n) for n in names.dropna().unique()}
