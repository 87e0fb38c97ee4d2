"""Grouping geocoded cards into delivery stops: the points a courier walks up to.

One stop per household (distinct point and address within a desa), per RT, per RW, or one at the desa
office (:data:`~ektp_routes.config.Consolidation`). A stop never holds more cards than the smallest
bag, so a big address becomes several stops at the same point.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from ektp_routes.config import Consolidation
from ektp_routes.geocode import coordinate_key
from ektp_routes.ids import StopId

_FIRST_OF_STOP = ("desa_kode", "desa", "alamat", "precision", "rt", "rw")
STOP_COLUMNS = ("stop", "lon", "lat", *_FIRST_OF_STOP, "cards", "stop_id")
"""Columns of :func:`make_stops`' table (``stop`` is the stop's position, ``stop_id`` its identity)."""


def stop_keys(cards: pd.DataFrame, consolidation: Consolidation) -> pd.Series:
    """The grouping key of each card: cards with one key share a stop (before bag-size splitting)."""
    c = cards
    if consolidation == "household":
        addr = c["alamat"].str.upper().str.replace(r"[^0-9A-Z]+", " ", regex=True).str.strip()
        return c["desa_kode"] + "|" + coordinate_key(c["lon"]) + "|" + coordinate_key(c["lat"]) + "|" + addr
    if consolidation == "rt":
        return c["desa_kode"] + "|" + c["rw"] + "|" + c["rt"]
    if consolidation == "rw":
        return c["desa_kode"] + "|" + c["rw"]
    return c["desa_kode"].copy()


def make_stops(
    cards: pd.DataFrame, consolidation: Consolidation, *, max_cards: int = 10**9
) -> tuple[pd.DataFrame, npt.NDArray[np.intp]]:
    """Group geocoded cards into delivery stops; returns (stops table, stop position per card).

    household: one stop per distinct point and normalised address within a desa; rt / rw: one stop
    per RT (or RW) of a desa at the members' mean point; desa: one stop per desa (its office).
    """
    if not len(cards):
        return pd.DataFrame(columns=list(STOP_COLUMNS)), np.array([], dtype=np.intp)
    key = stop_keys(cards, consolidation)
    # A stop never holds more cards than the smallest bag: a big address (a flat block, a desa office
    # under "desa" consolidation) becomes several stops at the same point, visited by one or more routes.
    rank = key.groupby(key).cumcount()
    key = key + "#" + (rank // max_cards).astype(str)
    codes, uniq = pd.factorize(key)
    g = pd.DataFrame({"stop": codes, **{c: cards[c].to_numpy() for c in ("lon", "lat", *_FIRST_OF_STOP)}})
    stops = (
        g.groupby("stop", sort=True)
        .agg(
            lon=("lon", "mean"),
            lat=("lat", "mean"),
            **{c: (c, "first") for c in _FIRST_OF_STOP},
            cards=("lon", "size"),
        )
        .reset_index()
    )
    stops["stop_id"] = [str(StopId.from_key(str(k))) for k in uniq]
    return stops, codes
