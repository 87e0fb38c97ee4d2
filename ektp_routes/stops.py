"""Grouping geocoded cards into delivery stops: the points a courier walks up to.

By default ("auto") a card whose point is its house (coordinates on the card, an address match) gets
a household stop, and the other cards are grouped into delivery blocks (desa, settlement, RW, RT; see
:mod:`~ektp_routes.blocks`) at the best point known for them (a pin, a street, the desa point); a block
stop carries its settlement, RT number and estimated households (``doors``) for the travel estimates
of :mod:`~ektp_routes.estimate`. The other groupings (:data:`~ektp_routes.config.Consolidation`) put
one stop per household, per RT, per RW, or one at the desa office, whatever the precision. A stop never
holds more cards than the smallest bag, so a big address becomes several stops at the same point.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from ektp_routes.blocks import assign_blocks, courier_place, doors_per_group
from ektp_routes.config import Consolidation
from ektp_routes.geocode import OUTSIDE_DESA, coordinate_key
from ektp_routes.ids import StopId
from ektp_routes.schema import HOUSE_PRECISIONS

_FIRST_OF_STOP = ("desa_kode", "desa", "alamat", "precision", "rt", "rw")
STOP_COLUMNS = (
    "stop",
    "lon",
    "lat",
    *_FIRST_OF_STOP,
    "cards",
    "cards_outside_desa",
    "outside_desa",
    "stop_id",
)
"""Columns of :func:`make_stops`' table (``stop`` is the stop's position, ``stop_id`` its identity)."""


def stop_keys(
    cards: pd.DataFrame, consolidation: Consolidation, *, blocks: pd.DataFrame | None = None
) -> pd.Series:
    """The grouping key of each card: cards with one key share a stop (before bag-size splitting).

    ``blocks``: :func:`~ektp_routes.blocks.assign_blocks` of ``cards`` when already computed.
    """
    c = cards
    if consolidation in ("household", "auto"):
        addr = c["alamat"].str.upper().str.replace(r"[^0-9A-Z]+", " ", regex=True).str.strip()
        point = coordinate_key(c["lon"]) + "|" + coordinate_key(c["lat"])
        house = c["desa_kode"] + "|" + point + "|" + addr
        if consolidation == "household":
            return house
        block = "B|" + (assign_blocks(c) if blocks is None else blocks)["block_key"] + "|" + point
        return house.where(c["precision"].isin(HOUSE_PRECISIONS), block)
    if consolidation == "rt":
        return c["desa_kode"] + "|" + c["rw"] + "|" + c["rt"]
    if consolidation == "rw":
        return c["desa_kode"] + "|" + c["rw"]
    return c["desa_kode"].copy()


def outside_desa(cards: pd.DataFrame) -> pd.Series:
    """Whether each card's own coordinates lay outside its stated desa (the geocoder's flag)."""
    if "geocode_flag" not in cards.columns:
        return pd.Series(False, index=cards.index)
    return cards["geocode_flag"].fillna("").astype(str).str.startswith(OUTSIDE_DESA)


def make_stops(
    cards: pd.DataFrame, consolidation: Consolidation, *, max_cards: int = 10**9
) -> tuple[pd.DataFrame, npt.NDArray[np.intp]]:
    """Group geocoded cards into delivery stops; returns (stops table, stop position per card).

    auto (the default): a household stop for a card whose point is its house, a delivery block stop
    (:func:`~ektp_routes.blocks.assign_blocks`) for the others, with the block fields of the module
    docstring; household: one stop per distinct point and normalised address within a desa; rt / rw: one stop
    per RT (or RW) of a desa at the members' mean point; desa: one stop per desa (its office).
    """
    if not len(cards):
        return pd.DataFrame(columns=list(STOP_COLUMNS)), np.array([], dtype=np.intp)
    blocks = assign_blocks(cards) if consolidation == "auto" else None
    key = stop_keys(cards, consolidation, blocks=blocks)
    # A stop never holds more cards than the smallest bag: a big address (a flat block, a desa office
    # under "desa" consolidation) becomes several stops at the same point, visited by one or more routes.
    rank = key.groupby(key).cumcount()
    key = key + "#" + (rank // max_cards).astype(str)
    codes, uniq = pd.factorize(key)
    g = pd.DataFrame({"stop": codes, **{c: cards[c].to_numpy() for c in ("lon", "lat", *_FIRST_OF_STOP)}})
    g["outside"] = outside_desa(cards).to_numpy()
    stops = (
        g.groupby("stop", sort=True)
        .agg(
            lon=("lon", "mean"),
            lat=("lat", "mean"),
            **{c: (c, "first") for c in _FIRST_OF_STOP},
            cards=("lon", "size"),
            cards_outside_desa=("outside", "sum"),
        )
        .reset_index()
    )
    stops["cards_outside_desa"] = stops["cards_outside_desa"].astype(int)
    stops["outside_desa"] = stops["cards_outside_desa"] > 0
    stops["stop_id"] = _stop_ids(stops["desa_kode"], pd.Series(uniq.astype(str)))
    if blocks is not None:
        stops = _with_block_fields(stops, cards, blocks, codes)
    return stops, codes


def _with_block_fields(
    stops: pd.DataFrame, cards: pd.DataFrame, b: pd.DataFrame, codes: npt.NDArray[np.intp]
) -> pd.DataFrame:
    """Settlement, RT number and estimated households of each stop (a household stop: one door).

    ``settlement`` identifies the block's settlement ("kampung Pulo"; "rw 005" where none is named);
    ``place`` is the settlement as a courier reads it: the marked name, an unmarked name alone
    ("Pulo"), blank where none is named and for a house.
    """
    house = cards["precision"].isin(HOUSE_PRECISIONS).to_numpy()
    named = b["settlement"].ne("")
    label = (b["settlement_kind"] + " " + b["settlement"]).where(named, "rw " + b["rw"])
    place = courier_place(b["settlement_kind"], b["settlement"], house=house)
    rt = pd.to_numeric(b["rt"], errors="coerce").fillna(-1.0)
    per_stop = pd.DataFrame({"label": label.where(~house, ""), "place": place, "rt": rt})
    first = per_stop.groupby(codes).first()
    doors = doors_per_group(cards["alamat"], codes)
    is_house = pd.Series(house).groupby(codes).first().to_numpy()
    return stops.assign(
        settlement=first["label"].to_numpy(),
        place=first["place"].to_numpy(),
        rt_number=first["rt"].to_numpy(),
        doors=np.where(is_house, 1.0, doors),
    )


def _stop_ids(desa_kode: pd.Series, key: pd.Series) -> list[str]:
    """Stops numbered within their desa in the order of their grouping keys."""
    order = pd.DataFrame({"desa": desa_kode.to_numpy(), "key": key.to_numpy()}).sort_values(["desa", "key"])
    number = order.groupby("desa", sort=False).cumcount().sort_index()
    ids = [str(StopId(str(d), int(n) + 1)) for d, n in zip(desa_kode, number, strict=True)]
    if len(set(ids)) != len(ids):
        raise AssertionError("two stops got one id")  # a bug, never input
    return ids
