"""A time zone picked wrong: in-person sessions at hours nobody teaches in their own zone, and
locations whose sessions use more than one zone. Warnings only: every row is kept."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lu_data.model.places import place_codes
from lu_data.model.schema import PORTAL_COLUMN, WARNING_DTYPES, empty_frame, enforce_dtypes
from lu_data.model.timezones import localize

EARLIEST_MINUTE = 7 * 60  # in person, nobody starts before 07:00 local…
LATEST_MINUTE = 22 * 60  # …or is still teaching after 22:00
ODD_HOURS = "odd_local_hours"
MIXED_ZONES = "location_mixed_zones"
UNZONED_CODES = ("unknown_timezone", "missing_timezone")  # shown in UTC, already warned


def zone_warnings(sessions: pd.DataFrame, unzoned: pd.Series | None = None) -> pd.DataFrame:
    """Warnings for in-person sessions outside 07:00–22:00 in their own zone (naming what the
    times would be in the zone the location's other sessions use, when they agree on one), and
    for sessions in the odd zone out at a location whose sessions use two or more zones.

    Sessions in `unzoned` (keys whose zone was missing or unknown, shown in UTC and already
    warned about) are left out of both checks. Vectorised: 100,000 sessions take a few
    hundredths of a second, as loading must not slow down for it.
    """
    keep = ~sessions["is_virtual"].fillna(False).astype(bool) & sessions["tz"].notna()
    if unzoned is not None and len(unzoned):
        keep &= ~sessions["session_key"].isin(unzoned)
    s = sessions.loc[keep]
    if s.empty:
        return empty_frame(WARNING_DTYPES)
    place = place_codes(s)
    zone_code, zones = pd.factorize(s["tz"])
    # Sessions per (place, zone), and per place the most used zone and how many zones it has.
    pz = pd.DataFrame({"place": place, "zone": zone_code})
    counts = pz.value_counts().rename("n").reset_index()
    counts = counts.loc[counts["place"] >= 0].sort_values(
        ["place", "n", "zone"], ascending=[True, False, True], kind="stable"
    )
    top = counts.drop_duplicates("place").set_index("place")
    n_zones = counts.groupby("place").size()
    rails = s.groupby(zone_code)["timezone"].first()  # each zone's Rails name, as entered
    frames = [
        _odd_hours(s, place, zone_code, zones, top, n_zones, rails),
        _mixed_zones(s, place, zone_code, top, n_zones, rails),
    ]
    found = [f for f in frames if not f.empty]
    if not found:
        return empty_frame(WARNING_DTYPES)
    return enforce_dtypes(pd.concat(found, ignore_index=True), WARNING_DTYPES)


def _minutes_of_day(wall: pd.Series) -> np.ndarray:
    return (wall.dt.hour * 60 + wall.dt.minute).to_numpy(dtype="float64")


def _odd_hours(
    s: pd.DataFrame,
    place: np.ndarray,
    zone_code: np.ndarray,
    zones: pd.Index,
    top: pd.DataFrame,
    n_zones: pd.Series,
    rails: pd.Series,
) -> pd.DataFrame:
    start, end = _minutes_of_day(s["start_local"]), _minutes_of_day(s["end_local"])
    odd = (start < EARLIEST_MINUTE) | (start > LATEST_MINUTE)
    odd |= (end > LATEST_MINUTE) | (end < EARLIEST_MINUTE)
    if not odd.any():
        return empty_frame(WARNING_DTYPES)
    rows = s.loc[odd]
    own = (
        rows["start_local"].dt.strftime("%H:%M")
        + "–"
        + rows["end_local"].dt.strftime("%H:%M")
        + " in "
        + rows["timezone"].fillna(rows["tz"]).astype("str")
    )
    messages = "In person " + own + ", outside 07:00–22:00 local: is the time zone right?"
    # Where the location's sessions use exactly two zones and this one is in the rarer one,
    # say what its times would be in the zone the others agree on.
    where = pd.Series(place[odd], index=rows.index)
    usual = where.map(top["zone"])
    others = where.map(top["n"])
    other_zone = usual.to_numpy(dtype="float64", na_value=np.nan) != zone_code[odd]
    two = where.map(n_zones).eq(2) & usual.notna() & other_zone & others.ge(2)
    if two.any():
        moved = rows.loc[two]
        target = zones.take(usual[two].astype("int64").to_numpy())
        tz = pd.Series(target, index=moved.index, dtype="str")
        at_start, _, _ = localize(moved["start_utc"], tz, labels=False)
        at_end, _, _ = localize(moved["end_utc"], tz, labels=False)
        name = rails.reindex(usual[two].astype("int64")).to_numpy()
        n = others[two].astype("int64")
        plural = np.where(n.eq(1), " session here is", " sessions here are")
        messages.loc[two] = (
            moved["location"].fillna("This location").astype("str")
            + ": the other "
            + n.astype("str")
            + plural
            + " in "
            + name
            + "; in "
            + name
            + " this session would run "
            + at_start.dt.strftime("%H:%M")
            + "–"
            + at_end.dt.strftime("%H:%M")
            + " (it is set to "
            + own[two]
            + ")."
        )
    return _warning_rows(rows, ODD_HOURS, messages)


def _mixed_zones(
    s: pd.DataFrame,
    place: np.ndarray,
    zone_code: np.ndarray,
    top: pd.DataFrame,
    n_zones: pd.Series,
    rails: pd.Series,
) -> pd.DataFrame:
    """Sessions in a zone other than their location's most used one."""
    where = pd.Series(place, index=s.index)
    mixed = where.map(n_zones).gt(1).to_numpy()
    usual = where.map(top["zone"])
    odd = mixed & (usual.to_numpy(dtype="float64", na_value=np.nan) != zone_code)
    if not odd.any():
        return empty_frame(WARNING_DTYPES)
    rows = s.loc[odd]
    main = usual[odd].astype("int64")
    n = where[odd].map(top["n"]).astype("int64")
    plural = np.where(n.eq(1), " session here is", " sessions here are")
    messages = (
        rows["location"].fillna("This location").astype("str")
        + ": "
        + n.astype("str")
        + plural
        + " in "
        + rails.reindex(main).to_numpy()
        + ", this one in "
        + rows["timezone"].fillna(rows["tz"]).astype("str")
        + "."
    )
    return _warning_rows(rows, MIXED_ZONES, messages)


def _warning_rows(rows: pd.DataFrame, code: str, messages: pd.Series | np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            PORTAL_COLUMN: rows[PORTAL_COLUMN].to_numpy() if PORTAL_COLUMN in rows else pd.NA,
            "record": rows["record"].to_numpy(),
            "where": np.full(len(rows), "schedule check"),
            "session_key": rows["session_key"].to_numpy(),
            "code": code,
            "message": np.asarray(messages),
        }
    )
