"""Which desa border which: computed once from the embedded desa polygons.

Two desa are *adjacent* when their polygons touch or come within a few metres of each other
(boundaries digitised separately leave slivers and overlaps of a metre or two). The planner uses
this to keep a courier-day spatially compact: one desa, or desa that border each other.

Computed in a local metric projection (equirectangular at the gazetteer's mean latitude, good to
a fraction of a percent across a kabupaten) with an STR tree; for Kabupaten Bekasi's 187 desa it
takes a fraction of a second and is cached per gazetteer.

Example
-------
>>> from ektp_routes import Gazetteer
>>> adj = desa_adjacency(Gazetteer.bekasi())
>>> len(adj.codes), adj.n_pairs
(187, 511)
>>> adj.adjacent("32.16.10.2005", "32.16.10.2005")
True
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from ektp_routes._errors import ConfigError
from ektp_routes.geodesy import METRES_PER_DEGREE
from ektp_routes.regions import Gazetteer

logger = logging.getLogger(__name__)

#: Polygons closer than this (metres) count as touching: slivers between separately drawn boundaries.
DEFAULT_TOLERANCE_M = 5.0

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class DesaAdjacency:
    """Desa pairs whose polygons touch (within ``tolerance_m``).

    Attributes
    ----------
    codes
        Every desa code of the gazetteer, sorted.
    pairs
        Adjacent pairs ``(a, b)`` with ``a < b``.
    tolerance_m
        Largest gap between two polygons that still counts as touching.
    """

    codes: tuple[str, ...]
    pairs: frozenset[tuple[str, str]]
    tolerance_m: float

    def __post_init__(self) -> None:
        known = set(self.codes)
        if any(a >= b or a not in known or b not in known for a, b in self.pairs):
            raise ConfigError("adjacent pairs must be (a, b) with a < b, both desa codes of the table")

    @property
    def n_pairs(self) -> int:
        """Number of adjacent pairs."""
        return len(self.pairs)

    def adjacent(self, a: str, b: str) -> bool:
        """True when ``a`` and ``b`` are one desa or border each other."""
        return a == b or (min(a, b), max(a, b)) in self.pairs

    def neighbours(self, kode: str) -> tuple[str, ...]:
        """The desa bordering ``kode``, sorted."""
        return tuple(sorted({b if a == kode else a for a, b in self.pairs if kode in (a, b)}))

    def matrix(self, codes: Sequence[str]) -> BoolArray:
        """``out[i, j]``: ``codes[i]`` and ``codes[j]`` are one desa or adjacent.

        Codes not in the gazetteer (e.g. "" for a post office) are adjacent only to themselves.
        """
        c = [str(x) for x in codes]
        uniq = sorted(set(c))
        pos = {k: i for i, k in enumerate(uniq)}
        small = np.eye(len(uniq), dtype=bool)
        for a, b in self.pairs:
            if a in pos and b in pos:
                small[pos[a], pos[b]] = small[pos[b], pos[a]] = True
        idx = np.array([pos[k] for k in c], dtype=int)
        return small[np.ix_(idx, idx)]


def desa_adjacency(gaz: Gazetteer, *, tolerance_m: float = DEFAULT_TOLERANCE_M) -> DesaAdjacency:
    """The adjacency of the gazetteer's desa (computed once per gazetteer and tolerance)."""
    if not (np.isfinite(tolerance_m) and 0.0 <= tolerance_m <= 1000.0):
        raise ConfigError(f"tolerance_m must lie in 0-1000 m; got {tolerance_m}")
    return _adjacency(gaz, float(tolerance_m))


@lru_cache(maxsize=8)
def _adjacency(gaz: Gazetteer, tolerance_m: float) -> DesaAdjacency:
    t = gaz.desa_table.sort_values("kode")
    codes = tuple(t["kode"].astype(str))
    lat0 = float(np.mean(t["rep_lat"].to_numpy(dtype=float)))
    sx = METRES_PER_DEGREE * float(np.cos(np.radians(lat0)))

    def to_metres(c: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.c_[c[:, 0] * sx, c[:, 1] * METRES_PER_DEGREE]

    geoms = shapely.transform(np.asarray(t.geometry.values), to_metres)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=tolerance_m)
    keep = left < right
    pairs = frozenset((codes[a], codes[b]) for a, b in zip(left[keep], right[keep], strict=True))
    logger.debug("desa adjacency: %d desa, %d adjacent pairs (%.0f m)", len(codes), len(pairs), tolerance_m)
    return DesaAdjacency(codes, pairs, tolerance_m)


def day_desa(stops: pd.DataFrame, adjacency: DesaAdjacency) -> pd.DataFrame:
    """How each courier-day moves between desa, from a plan's stops table.

    Parameters
    ----------
    stops
        One row per stop with ``route_id``, ``sequence`` (order in the day) and ``desa_kode``;
        stops on no route (empty or missing ``route_id``) are ignored.
    adjacency
        The desa adjacency (:func:`desa_adjacency`).

    Returns
    -------
    pandas.DataFrame
        One row per route id (the index): ``desa`` (distinct desa visited), ``crossings`` (moves
        from one desa into another, in visiting order) and ``apart`` (moves between desa that do
        not border each other).
    """
    on_route = stops["route_id"].notna() & stops["route_id"].astype(str).ne("")
    s = stops.loc[on_route].sort_values(["route_id", "sequence"], kind="stable")
    rows = []
    for rid, codes in s.groupby("route_id", sort=True)["desa_kode"]:
        c = codes.astype(str).tolist()
        moves = [(a, b) for a, b in itertools.pairwise(c) if a != b]
        apart = sum(not adjacency.adjacent(a, b) for a, b in moves)
        rows.append((rid, len(set(c)), len(moves), apart))
    out = pd.DataFrame(rows, columns=["route_id", "desa", "crossings", "apart"])
    return out.set_index("route_id")
