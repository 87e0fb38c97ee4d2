"""What every network gives the planner: the :class:`TravelMatrix` value and the :class:`TravelNetwork`
protocol."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from shapely.geometry import LineString

from ektp_routes.geodesy import BoolArray, FloatArray
from ektp_routes.network.profiles import CourierProfile


@dataclass(frozen=True)
class TravelMatrix:
    """Travel times (s) and distances (m) between points; ``inf`` where no path exists.

    Per point: ``snap_m`` is the distance to the road it was placed on; ``snap_moved`` is True where
    the nearest road lay on a fragment cut off from the main network, so the point was placed on the
    nearest road of the main network instead (``snap_m`` is then the distance to that road);
    ``off_network`` is True where no road of the main network lies within the snap limit, so the
    point's legs are straight lines (great-circle distance times the circuity, at the profile's
    straight-line speed). ``unroutable`` maps point index to a reason ("too_far_from_road: ...");
    such points have infinite rows and columns except the diagonal.
    """

    time_s: FloatArray
    dist_m: FloatArray
    snap_m: FloatArray
    unroutable: Mapping[int, str] = field(default_factory=dict)
    snap_moved: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    off_network: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        n = len(self.time_s)
        for name in ("snap_moved", "off_network"):
            flags = np.asarray(getattr(self, name), dtype=bool)
            if len(flags) == 0:
                flags = np.zeros(n, dtype=bool)
            if flags.shape != (n,):
                raise ValueError(f"TravelMatrix.{name} must have one flag per point ({n}), not {flags.shape}")
            object.__setattr__(self, name, flags)

    def unreachable_from(self, origin: int = 0) -> dict[int, str]:
        """Points that cannot be reached from ``origin`` and back, with the reason."""
        out = dict(self.unroutable)
        if origin in out:
            return {i: f"origin unroutable: {out[origin]}" for i in range(len(self.time_s)) if i != origin}
        bad = ~np.isfinite(self.time_s[origin]) | ~np.isfinite(self.time_s[:, origin])
        for i in np.flatnonzero(bad):
            if int(i) != origin and int(i) not in out:
                out[int(i)] = (
                    "disconnected: no road path between this stop and the post office in both directions"
                )
        return out


class TravelNetwork(Protocol):
    """What the planner needs from a network."""

    profile: CourierProfile

    def matrix(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> TravelMatrix:
        """Travel time (s) and distance (m) between all the points."""
        ...

    def fingerprint(self) -> str:
        """Identifies the network's travel times, the same in every process (keys resumed results)."""
        ...

    def path_geometry(self, lon: Sequence[float], lat: Sequence[float]) -> list[LineString]:
        """The line travelled on each leg between consecutive points."""
        ...

    @property
    def is_straight_line(self) -> bool:
        """True when travel is estimated along straight lines, not along roads."""
        ...


def canonical_hash(header: Mapping[str, Any], arrays: Sequence[npt.ArrayLike] = ()) -> str:
    """sha256 over a canonical serialisation: sorted-key JSON, then each array as little-endian bytes.

    The same values give the same hex digest in every process and on every machine (no ``hash()``,
    no ``repr`` of a set), so it can key files that a later run looks up.

    Example
    -------
    >>> canonical_hash({"b": 1, "a": [2, 3]}) == canonical_hash({"a": [2, 3], "b": 1})
    True
    """
    h = hashlib.sha256(json.dumps(header, sort_keys=True, separators=(",", ":")).encode())
    for arr in arrays:
        a = np.asarray(arr)
        kind = "<f8" if a.dtype.kind == "f" else "<i8" if a.dtype.kind in "iub" else None
        if kind is None:
            raise TypeError(f"cannot fingerprint an array of dtype {a.dtype}")
        h.update(f"|{kind}{a.shape}|".encode())
        h.update(np.ascontiguousarray(a, dtype=kind).reshape(-1).view(np.uint8).data)  # a view, no copy
    return h.hexdigest()
