"""The straight-line network, for when no road data exists (the embedded Kabupaten Bekasi default):
great-circle distance times a circuity factor, at the profile's average speed."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from shapely.geometry import LineString

from ektp_routes._errors import ConfigError
from ektp_routes.geodesy import FloatArray, haversine_m
from ektp_routes.network.profiles import CourierProfile, get_profile
from ektp_routes.network.travel import TravelMatrix, canonical_hash

#: Median ratio of road distance to straight-line distance, measured on the real OSM extracts of
#: Jatinegara (Cakung) and Kelapa Gading with ``benchmarks/circuity.py``: 4,000 random node pairs at
#: least 200 m apart, shortest road path by length with one-way streets respected. Measured: median
#: 1.648, interquartile range 1.409-2.110 (Jatinegara 1.837, Kelapa Gading 1.504), on the networks as
#: built before the OSM access rules; with closed gates and barriers split the benchmark now gives
#: 1.708 (1.440-2.227). The constant is kept: it is what every plan and estimate was calibrated with.
DEFAULT_CIRCUITY = 1.65


def straight_legs(
    from_lon: FloatArray,
    from_lat: FloatArray,
    to_lon: FloatArray,
    to_lat: FloatArray,
    *,
    profile: CourierProfile,
    circuity: float,
) -> tuple[FloatArray, FloatArray]:
    """Distance (m) and time (s) from every ``from`` point to every ``to`` point, as the crow flies
    times ``circuity``, at the profile's straight-line speed (rows: from, columns: to)."""
    d = haversine_m(from_lon[:, None], from_lat[:, None], to_lon[None, :], to_lat[None, :]) * circuity
    return d, d / (profile.straight_kmh / 3.6)


class StraightLineNetwork:
    """Great-circle distance times a circuity factor, at the profile's average speed.

    For when no road data exists. Every point is routable; geometry is straight segments.
    """

    def __init__(
        self, *, profile: str | CourierProfile = "motorbike", circuity: float = DEFAULT_CIRCUITY
    ) -> None:
        if not 1.0 <= circuity <= 3.0:
            raise ConfigError(
                f"circuity must be between 1 and 3 (road distance / straight distance), not {circuity}"
            )
        self.profile = get_profile(profile)
        self.circuity = circuity

    @property
    def is_straight_line(self) -> bool:
        """Always True."""
        return True

    def matrix(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> TravelMatrix:
        """Travel time (s) and distance (m) between all points; every point is routable."""
        x = np.asarray(lon, dtype=float).ravel()
        y = np.asarray(lat, dtype=float).ravel()
        d, t = straight_legs(x, y, x, y, profile=self.profile, circuity=self.circuity)
        return TravelMatrix(time_s=t, dist_m=d, snap_m=np.zeros(len(x)))

    def fingerprint(self) -> str:
        """Identifies the network's travel times (used to key saved results for resuming).

        A sha256 over a canonical serialisation: the same in every process.
        """
        return canonical_hash(
            {"network": "straight", "profile": self.profile.canonical(), "circuity": float(self.circuity)}
        )

    def path_geometry(self, lon: Sequence[float], lat: Sequence[float]) -> list[LineString]:
        """A straight segment per leg between consecutive points."""
        pts = list(zip(lon, lat, strict=True))
        return [LineString([pts[i], pts[i + 1]]) for i in range(len(pts) - 1)]
