"""Distances on the Earth: great-circle metres, metres per degree, a local metric projection.

A foundation module: the road networks, the post offices, the gazetteer, the pins and the estimates
all measure with it, and it imports nothing of the library. Coordinates are always (lon, lat) in WGS84.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

EARTH_RADIUS_M = 6_371_008.8

#: Metres per degree of latitude (and of longitude at the equator); Bekasi lies at 6 deg S. The
#: rounded figure the gazetteer, the pins and the estimates have always used (the mean-radius arc of
#: one degree is 111,195 m): kept so that their figures do not move.
METRES_PER_DEGREE = 111_320.0


def haversine_m(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> FloatArray:
    """Great-circle distance in metres (broadcasting).

    Example
    -------
    >>> round(float(haversine_m(107.0, -6.2, 107.01, -6.2)))
    1105
    """
    lo1, la1, lo2, la2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True)
class LocalProjection:
    """Equirectangular projection around a reference latitude: metres, accurate to <0.1% over 50 km."""

    lat0: float

    @property
    def kx(self) -> float:
        """Metres per degree of longitude at the reference latitude."""
        return math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(self.lat0))

    @property
    def ky(self) -> float:
        """Metres per degree of latitude."""
        return math.radians(1) * EARTH_RADIUS_M

    def xy(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Project (lon, lat) to metres."""
        return np.asarray(lon) * self.kx, np.asarray(lat) * self.ky

    def lonlat(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Back from metres to (lon, lat)."""
        return np.asarray(x) / self.kx, np.asarray(y) / self.ky
