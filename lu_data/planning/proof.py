"""A plan proves itself: its proposals as sessions beside the existing ones, run through the
same tutor double-booking, room-clash and zone checks the dashboard shows, and their local
times worked out again from UTC against the working hours."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lu_data.analyses.double_bookings import double_bookings
from lu_data.analyses.rooms import room_clashes
from lu_data.ingest.zone_checks import zone_warnings
from lu_data.model.places import place_keys
from lu_data.model.schema import PORTAL_COLUMN, SESSION_DTYPES, empty_frame, enforce_dtypes
from lu_data.model.timezones import localize
from lu_data.planning.requests import PlanSettings

PROPOSED_PREFIX = "proposed:"  # the session key of a proposal: never a LearnUpon key
LOCATION_FIELDS = [
    "location_id",
    "location",
    "address_1",
    "address_2",
    "address_3",
    "country_code",
    "state_code",
]


@dataclass(frozen=True)
class PlanProof:
    """What the dashboard's own checks find in existing sessions plus the proposals."""

    double_bookings: pd.DataFrame  # pairs that involve a proposal
    room_clashes: pd.DataFrame
    zone_warnings: pd.DataFrame  # warnings about proposals
    outside_hours: pd.DataFrame  # proposals whose local times leave the working hours
    proposals: int

    @property
    def clean(self) -> bool:
        """No new clash, no zone warning and nothing outside the hours."""
        return not (
            len(self.double_bookings)
            or len(self.room_clashes)
            or len(self.zone_warnings)
            or len(self.outside_hours)
        )

    @property
    def summary(self) -> str:
        """ "0 new double-bookings, 0 new room clashes" and the rest, as the page says it."""
        return (
            f"{len(self.double_bookings)} new double-booking"
            f"{'' if len(self.double_bookings) == 1 else 's'}, "
            f"{len(self.room_clashes)} new room clash"
            f"{'' if len(self.room_clashes) == 1 else 'es'}, "
            f"{len(self.zone_warnings)} zone warning"
            f"{'' if len(self.zone_warnings) == 1 else 's'}, "
            f"{len(self.outside_hours)} outside working hours"
        )


def proposed_sessions(sessions: pd.DataFrame, placed: pd.DataFrame) -> pd.DataFrame:
    """The placed rows of a plan as sessions (SESSION_DTYPES), keyed PROPOSED_PREFIX + n, their
    rooms' location fields copied from an existing session in the same room."""
    if placed.empty:
        return empty_frame(SESSION_DTYPES)
    n = len(placed)
    p = placed.reset_index(drop=True)
    zone = p["zone"].astype("str")
    start_local, offset, abbr = localize(p["start_utc"], zone)
    end_local, _, _ = localize(p["end_utc"], zone, labels=False)
    rails = _rails_names(sessions)
    frame = pd.DataFrame(
        {
            PORTAL_COLUMN: p[PORTAL_COLUMN],
            "session_key": [f"{PROPOSED_PREFIX}{i + 1}" for i in range(n)],
            "training_id": p["training_id"],
            "module_kind": "ilt_center",
            "training_key": p["training_key"],
            "title": p["training_title"],
            "start_utc": p["start_utc"],
            "end_utc": p["end_utc"],
            "timezone": zone.map(lambda z: rails.get(z, z)),
            "tz": zone,
            "start_local": start_local,
            "end_local": end_local,
            "utc_offset": offset,
            "tz_abbr": abbr,
            "duration_hours": (p["end_utc"] - p["start_utc"]).dt.total_seconds() / 3600,
            "max_capacity": p["capacity"],
            "enrolled": 0,
            "seats_left": p["capacity"],
            "fill_rate": np.where(p["capacity"].notna(), 0.0, np.nan),
            "status": np.where(p["capacity"].notna(), "under_filled", "no_limit"),
            "tutor_name": p["tutor_name"],
            "tutor_email": p["tutor_email"],
            "tutor_key": p["tutor_key"],
            "is_virtual": p["virtual"].fillna(False).astype(bool),
            "record": pd.NA,
        }
    )
    tutor_ids = sessions.drop_duplicates("tutor_key").set_index("tutor_key")["tutor_id"]
    frame["tutor_id"] = p["tutor_key"].map(tutor_ids)
    rooms = _room_fields(sessions)
    for column in LOCATION_FIELDS:
        frame[column] = p["room_key"].map(rooms[column]) if len(rooms) else pd.NA
    return enforce_dtypes(frame, SESSION_DTYPES)


def prove_plan(sessions: pd.DataFrame, placed: pd.DataFrame, settings: PlanSettings) -> PlanProof:
    """Run the dashboard's checks on existing sessions plus the proposals; keep what involves
    a proposal (an existing clash between two existing sessions is not the plan's doing)."""
    proposals = proposed_sessions(sessions, placed)
    both = pd.concat([sessions, proposals], ignore_index=True) if len(proposals) else sessions
    keys = set(proposals["session_key"])

    def involving(pairs: pd.DataFrame) -> pd.DataFrame:
        hit = pairs["session_key_a"].isin(keys) | pairs["session_key_b"].isin(keys)
        return pairs.loc[hit.to_numpy()].reset_index(drop=True)

    warnings = zone_warnings(both)
    warnings = warnings.loc[warnings["session_key"].isin(keys).to_numpy()].reset_index(drop=True)
    return PlanProof(
        involving(double_bookings(both)),
        involving(room_clashes(both)),
        warnings,
        outside_hours(proposals, settings),
        len(proposals),
    )


def outside_hours(proposals: pd.DataFrame, settings: PlanSettings) -> pd.DataFrame:
    """Proposals that start before the hours, end after them, or fall on a weekend when
    weekends are not allowed, by their local times worked out again from UTC."""
    if proposals.empty:
        return proposals
    start, end = proposals["start_local"], proposals["end_local"]
    open_from = settings.day_start.hour * 60 + settings.day_start.minute
    open_to = settings.day_end.hour * 60 + settings.day_end.minute
    start_clock = start.dt.hour * 60 + start.dt.minute
    end_clock = end.dt.hour * 60 + end.dt.minute
    same_day = start.dt.normalize().eq(end.dt.normalize())
    bad = (start_clock < open_from) | (end_clock > open_to) | (~same_day & (end_clock < open_from))
    if not settings.weekends:
        span = (end.dt.normalize() - start.dt.normalize()).dt.days
        bad |= start.dt.day_of_week + span > 4
    return proposals.loc[bad.fillna(True).to_numpy()].reset_index(drop=True)


def _rails_names(sessions: pd.DataFrame) -> dict[str, str]:
    """Each IANA zone's Rails name as the source writes it."""
    pairs = sessions[["tz", "timezone"]].dropna().drop_duplicates("tz")
    return dict(zip(pairs["tz"], pairs["timezone"], strict=True))


def _room_fields(sessions: pd.DataFrame) -> pd.DataFrame:
    """Per place key, the location fields of one existing session held there."""
    keys = place_keys(sessions)
    placed = keys.notna().to_numpy()
    rows = sessions.loc[placed, LOCATION_FIELDS].assign(key=keys[placed].to_numpy())
    return rows.drop_duplicates("key").set_index("key")
