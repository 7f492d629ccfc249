"""What one place (a room) is: one rule for room clashes and the zone checks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lu_data.model.schema import PORTAL_COLUMN
from lu_data.sources.record_fields import NO_LOCATION_ID


def place_keys(sessions: pd.DataFrame) -> pd.Series:
    """Where each in-person session is held (one room): its location id when it is a real one, else
    its address (case and spacing ignored); missing for virtual sessions and for sessions
    with neither. Keys name their portal, so rooms of two portals never meet."""
    ids = sessions["location_id"]
    real, by_address = _placed_by(sessions)
    key = pd.Series(pd.NA, index=sessions.index, dtype="object")
    key[real] = "location:" + ids[real].astype("int64").astype("str")
    if by_address.any():
        address = _address_text(sessions.loc[by_address])
        key[by_address] = ("address:" + address).mask(address.eq(""))
    if PORTAL_COLUMN in sessions:
        placed = key.notna().to_numpy()
        key[placed] = sessions.loc[placed, PORTAL_COLUMN].fillna("") + "/" + key[placed]
    return key


def place_codes(sessions: pd.DataFrame) -> np.ndarray:
    """place_keys as integers (one code per place, -1 where none), built without text: the
    zone checks run on every load, and 100,000 keys as strings cost more than the checks."""
    real, by_address = _placed_by(sessions)
    ids = sessions["location_id"].to_numpy(dtype="float64", na_value=np.nan)
    id_code, _ = pd.factorize(ids)
    local = np.where(real, id_code * 2, -1)
    if by_address.any():
        address = _address_text(sessions.loc[by_address])
        address_code, _ = pd.factorize(address.mask(address.eq("")))
        local[by_address] = np.where(address_code >= 0, address_code * 2 + 1, -1)
    if PORTAL_COLUMN not in sessions:
        return local
    portal_code, _ = pd.factorize(sessions[PORTAL_COLUMN])
    width = int(local.max(initial=0)) + 2
    return np.where(local >= 0, portal_code * width + local, -1)


def _placed_by(sessions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Which in-person sessions a real location id places, and which only their address does."""
    ids = sessions["location_id"]
    virtual = sessions["is_virtual"].fillna(False).astype(bool)
    real = (ids.notna() & ids.ne(NO_LOCATION_ID).fillna(False) & ~virtual).to_numpy()
    return real, ~real & ~virtual.to_numpy()


def _address_text(sessions: pd.DataFrame) -> pd.Series:
    """The three address lines as one text, case and spacing ignored ("" when none)."""
    parts = sessions[["address_1", "address_2", "address_3"]].fillna("").astype("str")
    joined = parts["address_1"] + " " + parts["address_2"] + " " + parts["address_3"]
    return joined.str.casefold().str.replace(r"\s+", " ", regex=True).str.strip()
