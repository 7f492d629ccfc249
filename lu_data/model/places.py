"""What one place (a room) is: one rule for room clashes and the zone checks."""

from __future__ import annotations

import pandas as pd

from lu_data.model.schema import PORTAL_COLUMN
from lu_data.sources.record_fields import NO_LOCATION_ID


def place_keys(sessions: pd.DataFrame) -> pd.Series:
    """Where each in-person session is held (one room): its location id when it is a real one, else
    its address (case and spacing ignored); missing for virtual sessions and for sessions
    with neither. Keys name their portal, so rooms of two portals never meet."""
    ids = sessions["location_id"]
    virtual = sessions["is_virtual"].fillna(False).astype(bool)
    real = (ids.notna() & ids.ne(NO_LOCATION_ID).fillna(False) & ~virtual).to_numpy()
    key = pd.Series(pd.NA, index=sessions.index, dtype="object")
    key[real] = "location:" + ids[real].astype("int64").astype("str")
    # Only sessions without a real location are placed by address: normalise just those.
    by_address = ~real & ~virtual.to_numpy()
    if by_address.any():
        parts = sessions.loc[by_address, ["address_1", "address_2", "address_3"]]
        parts = parts.fillna("").astype("str")
        joined = parts["address_1"] + " " + parts["address_2"] + " " + parts["address_3"]
        address = joined.str.casefold().str.replace(r"\s+", " ", regex=True).str.strip()
        key[by_address] = ("address:" + address).mask(address.eq(""))
    if PORTAL_COLUMN in sessions:
        placed = key.notna().to_numpy()
        key[placed] = sessions.loc[placed, PORTAL_COLUMN].fillna("") + "/" + key[placed]
    return key
