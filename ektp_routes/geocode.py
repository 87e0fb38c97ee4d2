"""Geocoding card addresses to delivery points, each with an honest precision label.

Offline first. The geocoders here form a chain (:class:`GeocoderChain`): coordinates already on the
card are used as they are (precision "input") but checked against the stated desa; otherwise the desa's
representative point is used (precision "desa"), never pretending to be more precise than it is.

Precision levels, best first: input, address, street, settlement, desa, kecamatan, kodepos, none.

Example
-------
>>> import numpy as np, pandas as pd
>>> from ektp_routes import Gazetteer
>>> gaz = Gazetteer.bekasi()
>>> cards = pd.DataFrame({"desa_kode": ["32.16.10.2005", "32.16.10.2005"], "lon": [np.nan, 107.2011],
...                       "lat": [np.nan, -6.1964], "alamat": ["Kp. Pulo", "Kp. Pulo"]})
>>> geocode_cards(cards, gaz)[["precision", "geocoder"]].values.tolist()
[['desa', 'gazetteer'], ['input', 'input']]
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from ektp_routes.regions import Gazetteer

logger = logging.getLogger(__name__)

PRECISIONS = ("input", "address", "street", "settlement", "desa", "kecamatan", "kodepos", "none")
_RANK = {p: i for i, p in enumerate(PRECISIONS)}


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """One geocoded point: (lon, lat), precision, the desa it lies in, confidence, who answered."""

    lon: float
    lat: float
    precision: str
    desa_kode: str
    confidence: float
    geocoder: str
    flag: str = ""


class Geocoder(Protocol):
    """Geocodes a table of accepted cards (columns as :class:`ektp_routes.cards.CardList`)."""

    name: str

    def geocode(self, cards: pd.DataFrame) -> list[GeocodeResult | None]: ...


class InputCoordinates:
    """Coordinates given on the card, checked against the stated desa (tolerance ``max_outside_m``)."""

    name = "input"

    def __init__(self, gazetteer: Gazetteer, *, max_outside_m: float = 250.0) -> None:
        self.gaz = gazetteer
        self.max_outside_m = max_outside_m

    def geocode(self, cards: pd.DataFrame) -> list[GeocodeResult | None]:
        lon = cards["lon"].to_numpy(dtype=float)
        lat = cards["lat"].to_numpy(dtype=float)
        have = np.isfinite(lon) & np.isfinite(lat)
        out: list[GeocodeResult | None] = [None] * len(cards)
        if not have.any():
            return out
        loc = self.gaz.locate(lon, lat, max_gap_m=self.max_outside_m)
        stated = cards["desa_kode"].to_numpy(dtype=object)
        for i in np.flatnonzero(have):
            flag = ""
            if loc.kode[i] != stated[i]:
                where = f"in desa {loc.kode[i]}" if loc.kode[i] else "outside the kabupaten"
                flag = f"outside_desa: the card's point lies {where}, not in its stated desa {stated[i]}"
            out[i] = GeocodeResult(
                float(lon[i]),
                float(lat[i]),
                "input",
                str(stated[i]),
                1.0 if not flag else 0.5,
                self.name,
                flag,
            )
        return out


class GazetteerGeocoder:
    """The representative point of the card's desa/kelurahan (precision "desa")."""

    name = "gazetteer"

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gaz = gazetteer

    def geocode(self, cards: pd.DataFrame) -> list[GeocodeResult | None]:
        out: list[GeocodeResult | None] = []
        for kode in cards["desa_kode"].to_numpy(dtype=object):
            try:
                d = self.gaz.get(str(kode))
            except LookupError:
                out.append(None)
                continue
            out.append(GeocodeResult(d.rep_lon, d.rep_lat, "desa", d.kode, 1.0, self.name))
        return out


class GeocoderChain:
    """Tries geocoders in order; keeps the most precise answer for each card."""

    name = "chain"

    def __init__(self, geocoders: Sequence[Geocoder]) -> None:
        self.geocoders = list(geocoders)

    def geocode(self, cards: pd.DataFrame) -> list[GeocodeResult | None]:
        best: list[GeocodeResult | None] = [None] * len(cards)
        for g in self.geocoders:
            todo = [i for i, r in enumerate(best) if r is None or r.precision not in ("input", "address")]
            if not todo:
                break
            answers = g.geocode(cards.iloc[todo])
            for i, a in zip(todo, answers, strict=True):
                if a is not None and (best[i] is None or _RANK[a.precision] < _RANK[best[i].precision]):  # type: ignore[union-attr]
                    best[i] = a
        return best


def geocode_cards(
    cards: pd.DataFrame, gazetteer: Gazetteer, *, geocoder: Geocoder | None = None
) -> pd.DataFrame:
    """Add lon, lat, precision, geocoder and geocode_flag columns to accepted cards.

    Cards are geocoded once per distinct (desa, address, lon, lat); the default chain is card
    coordinates, then the desa's representative point.
    """
    chain = geocoder or GeocoderChain([InputCoordinates(gazetteer), GazetteerGeocoder(gazetteer)])
    out = cards.copy()
    key = (
        out["desa_kode"].astype(str)
        + "\x1f"
        + out["alamat"].astype(str)
        + "\x1f"
        + coordinate_key(out["lon"])
        + "\x1f"
        + coordinate_key(out["lat"])
    )
    codes, uniq = pd.factorize(key)
    first = pd.Series(np.arange(len(out))).groupby(codes).first().to_numpy()
    results = chain.geocode(out.iloc[first])
    lon = np.array([r.lon if r else np.nan for r in results])[codes]
    lat = np.array([r.lat if r else np.nan for r in results])[codes]
    out["lon"] = lon
    out["lat"] = lat
    out["precision"] = np.array([r.precision if r else "none" for r in results], dtype=object)[codes]
    out["geocoder"] = np.array([r.geocoder if r else "" for r in results], dtype=object)[codes]
    out["geocode_flag"] = np.array([r.flag if r else "not geocoded" for r in results], dtype=object)[codes]
    counts = out["precision"].value_counts().to_dict()
    logger.info("geocoded %d cards (%d distinct addresses): %s", len(out), len(uniq), counts)
    return out


def coordinate_key(s: pd.Series) -> pd.Series:
    """Coordinates as exact text keys ("nan" kept as a value, not a missing key)."""
    return pd.Series([f"{v:.7f}" for v in s.to_numpy(dtype=float)], index=s.index, dtype=object)
