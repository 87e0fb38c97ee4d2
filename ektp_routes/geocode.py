"""Geocoding card addresses to delivery points, each with an honest precision label.

Offline first. The geocoders here form a chain (:class:`GeocoderChain`): coordinates already on the
card are used as they are (precision "input") but checked against the stated desa; otherwise the desa's
representative point is used (precision "desa"), never pretending to be more precise than it is. An online
geocoder (:mod:`ektp_routes.geocode_online`) can join the chain.

Precision levels, best first: input, address, street, block, settlement, desa, kecamatan, kodepos, none.

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
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rapidfuzz import fuzz, process
from shapely.geometry import LineString

from ektp_routes._errors import GeocodingError, RegionError
from ektp_routes._markers import numerals, settlement_key
from ektp_routes._safexml import refuse_xml_tricks
from ektp_routes.address import parse_address, street_key
from ektp_routes.geodesy import METRES_PER_DEGREE
from ektp_routes.i18n import error
from ektp_routes.regions import Gazetteer

logger = logging.getLogger(__name__)

PRECISIONS = ("input", "address", "street", "block", "settlement", "desa", "kecamatan", "kodepos", "none")
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

    def geocode(self, cards: pd.DataFrame) -> list[GeocodeResult | None]:
        """One answer per card, in the table's order; None where this geocoder has none."""
        ...


OUTSIDE_DESA = "outside_desa"


class InputCoordinates:
    """Coordinates given on the card, checked against the stated desa.

    A point within ``max_outside_m`` of the stated desa counts as inside it. A point further out but
    within ``max_far_m`` is kept with an ``outside_desa`` flag (a boundary drawn differently, a
    neighbour's gate); a point further still (another city, a dropped minus sign, swapped signs) is
    not trusted: the card is placed at its desa's representative point (precision "desa"), flagged.
    """

    name = "input"

    def __init__(
        self, gazetteer: Gazetteer, *, max_outside_m: float = 250.0, max_far_m: float = 2000.0
    ) -> None:
        self.gaz = gazetteer
        self.max_outside_m = max_outside_m
        self.max_far_m = max_far_m

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
                flag = f"{OUTSIDE_DESA}: the card's point lies {where}, not in its stated desa {stated[i]}"
                far = self._far_fallback(str(stated[i]), float(lon[i]), float(lat[i]), flag)
                if far is not None:
                    out[i] = far
                    continue
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

    def _far_fallback(self, kode: str, lon: float, lat: float, flag: str) -> GeocodeResult | None:
        """The desa point for a card point far from its stated desa (None when near enough to keep)."""
        try:
            d = self.gaz.get(kode)
            dist_m = (
                float(shapely.distance(self.gaz.polygon(kode), shapely.Point(lon, lat))) * METRES_PER_DEGREE
            )
        except RegionError:
            return None
        if dist_m <= self.max_far_m:
            return None
        text = f"{flag}, {dist_m / 1000:.0f} km away; placed at the desa point"
        return GeocodeResult(d.rep_lon, d.rep_lat, "desa", d.kode, 0.5, self.name, text)


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
    for col in ("rt", "rw"):  # a pinned block is one RT/RW of an address text
        if col in out.columns:
            key = key + "\x1f" + out[col].astype(str)
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


# ---------------------------------------------------------------------------------------------- streets
class StreetGeocoder:
    """Named streets and places from OSM data, matched tolerantly within the card's desa.

    Streets come from the named edges of an osmnx graph; places (kampung, hamlet, neighbourhood ...)
    from OSM nodes tagged ``place`` where the file has them. A card's parsed street (or gang) is
    matched against the names of streets that run through its desa polygon (buffered by
    ``area_buffer_m``); a kampung or perumahan against places, then streets. The point returned is the
    middle of the longest stretch of the matched street inside the area (precision "street"), or the
    place node (precision "settlement").

    Parameters
    ----------
    streets
        GeoDataFrame with ``name`` and LineString geometry (WGS84).
    places
        GeoDataFrame with ``name``, ``place`` and Point geometry, or None.
    areas
        GeoDataFrame with ``kode`` and polygon geometry (the desa); default: the gazetteer's desa.
    """

    name = "osm_streets"

    def __init__(
        self,
        streets: gpd.GeoDataFrame,
        places: gpd.GeoDataFrame | None = None,
        areas: gpd.GeoDataFrame | None = None,
        *,
        min_score: float = 85.0,
        area_buffer_m: float = 300.0,
    ) -> None:
        self.min_score = min_score
        st = streets[streets["name"].notna()].reset_index(drop=True)
        self._street_key = np.array([street_key(str(n)) for n in st["name"]], dtype=object)
        self._street_geom = np.asarray(st.geometry.values)
        self._street_name = st["name"].astype(str).to_numpy()
        pl = places if places is not None else gpd.GeoDataFrame({"name": [], "place": []}, geometry=[])
        pl = pl[pl["name"].notna()].reset_index(drop=True)
        # "Kampung Pangkalan Girang" and "Perumahan Graha Sentosa" as OSM names them: markers folded
        # away as in the addresses, so that "Kp. Pangkalan Girang" finds them.
        self._place_key = np.array([settlement_key(str(n)) for n in pl["name"]], dtype=object)
        self._place_geom = np.asarray(pl.geometry.values)
        self._areas: dict[str, tuple[np.ndarray, np.ndarray, shapely.Geometry]] = {}
        if areas is not None:
            s_tree = shapely.STRtree(self._street_geom)
            p_tree = shapely.STRtree(self._place_geom) if len(self._place_geom) else None
            buf = area_buffer_m / 111_320.0
            for kode, geom in zip(areas["kode"].astype(str), areas.geometry.values, strict=True):
                zone = shapely.buffer(geom, buf)
                si = s_tree.query(zone, predicate="intersects")
                pi = p_tree.query(zone, predicate="intersects") if p_tree is not None else np.array([], int)
                self._areas[kode] = (np.sort(si), np.sort(pi), zone)

    @classmethod
    def from_osm_xml(
        cls,
        path: str | Path,
        *,
        areas: gpd.GeoDataFrame | None = None,
        places: gpd.GeoDataFrame | None = None,
        **kw: Any,
    ) -> StreetGeocoder:
        """Build from an OSM XML file (.osm or .osm.bz2); DOCTYPE/ENTITY declarations are refused.

        ``places`` (name, place, point) replaces the file's own named place nodes when given (an
        ``.osm.pbf`` read by :func:`~ektp_routes.network.pbf.street_geocoder` brings its own).
        """
        import osmnx as ox

        p = Path(path)
        refuse_xml_tricks(p)
        try:
            g = ox.graph_from_xml(p, simplify=True, retain_all=True)
        except Exception as exc:
            raise error(GeocodingError, "error.streets_unreadable", name=p.name, why=exc) from exc
        return cls.from_graph(g, places=_osm_places(p) if places is None else places, areas=areas, **kw)

    @classmethod
    def from_graph(
        cls,
        graph: Any,
        *,
        places: gpd.GeoDataFrame | None = None,
        areas: gpd.GeoDataFrame | None = None,
        **kw: Any,
    ) -> StreetGeocoder:
        """Build from an osmnx graph (e.g. one downloaded with osmnx)."""
        rows = []
        for u, v, data in graph.edges(data=True):
            name = data.get("name")
            if not name:
                continue
            geom = data.get("geometry") or LineString(
                [(graph.nodes[u]["x"], graph.nodes[u]["y"]), (graph.nodes[v]["x"], graph.nodes[v]["y"])]
            )
            for n in name if isinstance(name, list) else [name]:
                rows.append((str(n), geom))
        streets = gpd.GeoDataFrame(
            {"name": [r[0] for r in rows]}, geometry=[r[1] for r in rows], crs="EPSG:4326"
        )
        return cls(streets, places, areas, **kw)

    def _match(
        self, query: str, keys: np.ndarray, idx: np.ndarray, *, places: bool = False
    ) -> tuple[str, float] | None:
        q = settlement_key(query) if places else street_key(query)
        if not q or len(idx) == 0:
            return None
        names = sorted(set(keys[idx]))
        if q in names:
            return q, 1.0
        # "Melati II" is not "Melati I": numbers and roman numerals must agree exactly.
        nums = numerals(q)
        names = [n for n in names if numerals(n) == nums]
        best = process.extract(q, names, scorer=fuzz.ratio, limit=2)
        if not best or best[0][1] < self.min_score:
            return None
        if len(best) > 1 and best[0][1] - best[1][1] < 3:
            return None  # two streets fit equally well: refuse to guess
        return best[0][0], round(best[0][1] / 100, 3)

    def geocode(self, cards: pd.DataFrame) -> list[GeocodeResult | None]:
        all_s = np.arange(len(self._street_key))
        all_p = np.arange(len(self._place_key))
        out: list[GeocodeResult | None] = []
        for kode, alamat in zip(cards["desa_kode"].astype(str), cards["alamat"].astype(str), strict=True):
            a = parse_address(alamat)
            si, pi, zone = self._areas.get(kode, (all_s, all_p, None))
            res: GeocodeResult | None = None
            for query, kind in ((a.street or a.gang, "street"), (a.kampung or a.perumahan, "settlement")):
                if not query:
                    continue
                if kind == "settlement" and len(pi):
                    m = self._match(query, self._place_key, pi, places=True)
                    if m:
                        j = pi[self._place_key[pi] == m[0]][0]
                        pt = self._place_geom[j]
                        res = GeocodeResult(pt.x, pt.y, "settlement", kode, m[1], self.name)
                        break
                m = self._match(query, self._street_key, si)
                if m:
                    segs = self._street_geom[si[self._street_key[si] == m[0]]]
                    pt = _street_point(segs, zone)
                    res = GeocodeResult(
                        pt.x, pt.y, "street" if kind == "street" else "settlement", kode, m[1], self.name
                    )
                    break
            out.append(res)
        return out


def _street_point(segments: np.ndarray, zone: shapely.Geometry | None) -> shapely.Point:
    merged = shapely.line_merge(shapely.union_all(segments))
    if zone is not None:
        inside = shapely.intersection(merged, zone)
        merged = inside if not inside.is_empty else merged
    parts = list(getattr(merged, "geoms", [merged]))
    lines = [p for p in parts if p.geom_type == "LineString"] or parts
    longest = max(lines, key=lambda g: g.length)
    return shapely.line_interpolate_point(longest, 0.5, normalized=True)


#: OSM ``place=*`` values whose named nodes a settlement name (Kp. ..., Dusun ...) can be matched to.
PLACE_KINDS = frozenset(
    {"hamlet", "neighbourhood", "village", "quarter", "isolated_dwelling", "locality", "suburb"}
)


def _osm_places(path: Path) -> gpd.GeoDataFrame | None:
    """Named place nodes (kampung/hamlet/neighbourhood/...) of an OSM XML file, parsed safely."""
    import bz2
    import xml.etree.ElementTree as ET

    opener = bz2.open if path.suffix == ".bz2" else open
    names, kinds, pts = [], [], []
    wanted = PLACE_KINDS
    with opener(path, "rb") as fh:  # type: ignore[operator]
        for _, el in ET.iterparse(fh, events=("end",)):
            if el.tag == "node":
                tags = {t.get("k"): t.get("v") for t in el.findall("tag")}
                if tags.get("place") in wanted and tags.get("name"):
                    names.append(tags["name"])
                    kinds.append(tags["place"])
                    pts.append(shapely.Point(float(el.get("lon", "nan")), float(el.get("lat", "nan"))))
                el.clear()
            elif el.tag in ("way", "relation"):
                el.clear()
    if not names:
        return None
    return gpd.GeoDataFrame({"name": names, "place": kinds}, geometry=pts, crs="EPSG:4326")
