"""Road networks, courier speed profiles, snapping and many-to-many travel-time matrices.

Two networks share one interface (:class:`TravelNetwork`):

- :class:`RoadNetwork`, built from OpenStreetMap data (an OSM XML file, an osmnx GraphML file, an
  osmnx graph, or an osmnx download for a polygon). Stops are snapped onto the nearest *edge* (not
  merely the nearest node); travel times come from ``scipy.sparse.csgraph.dijkstra`` run once per
  distinct exit node on a CSR graph, so a 2,000-stop matrix needs a few thousand C-level Dijkstra
  runs instead of millions of Python shortest-path calls.
- :class:`StraightLineNetwork`, for when no road data exists (the embedded Kabupaten Bekasi default):
  great-circle distance times a circuity factor, at the profile's average speed.

Coordinates are always (lon, lat) in WGS84.

Example
-------
>>> net = StraightLineNetwork(profile="motorbike")
>>> m = net.matrix([107.15, 107.16], [-6.25, -6.25])
>>> int(m.dist_m[0, 1]), int(m.time_s[0, 1])
(1823, 328)
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import networkx as nx
import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString

from ektp_routes._errors import ConfigError, NetworkError
from ektp_routes._safexml import refuse_xml_tricks as _refuse_xml_tricks

logger = logging.getLogger(__name__)

EARTH_RADIUS_M = 6_371_008.8
#: Walking pace (m/s) for the access leg between a stop and its road, and for pushing a bike a few
#: metres against a one-way street.
WALK_MPS = 4.5 / 3.6

#: Median ratio of road distance to straight-line distance, measured on the real OSM extracts of
#: Jatinegara (Cakung) and Kelapa Gading with ``benchmarks/circuity.py``: 4,000 random node pairs at
#: least 200 m apart, shortest road path by length with one-way streets respected. Measured: median
#: 1.648, interquartile range 1.409-2.110 (Jatinegara 1.837, Kelapa Gading 1.504).
DEFAULT_CIRCUITY = 1.65

FloatArray = npt.NDArray[np.float64]


# ---------------------------------------------------------------------------------------------- profiles
@dataclass(frozen=True)
class CourierProfile:
    """How a courier moves: speed per OSM highway class, one-way rules, the roads it may use.

    Parameters
    ----------
    name
        Profile name.
    speeds_kmh
        Typical moving speed per ``highway`` value, in km/h. Classes absent here use ``default_kmh``;
        classes in ``forbidden`` are removed.
    default_kmh
        Speed of highway classes not listed.
    straight_kmh
        Average door-to-door speed used by the straight-line network.
    respects_oneway
        Whether one-way streets may only be ridden in their direction.
    forbidden
        Highway classes this courier may not use.
    """

    name: str
    speeds_kmh: Mapping[str, float]
    default_kmh: float
    straight_kmh: float
    respects_oneway: bool = True
    forbidden: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        bad = {k: v for k, v in self.speeds_kmh.items() if not (0 < v < 200)}
        if bad or not (0 < self.default_kmh < 200) or not (0 < self.straight_kmh < 200):
            raise ConfigError(f"profile {self.name!r}: speeds must be between 0 and 200 km/h ({bad})")

    def speed_for(self, highway: object, maxspeed: object = None) -> float | None:
        """Speed (km/h) on an edge, or None when the courier may not use it.

        ``highway`` may be a list (osmnx merges ways); the fastest allowed class is used. A parseable
        ``maxspeed`` caps the speed.
        """
        classes = highway if isinstance(highway, list) else [highway]
        speeds = [
            self.speeds_kmh.get(str(h), self.default_kmh) for h in classes if str(h) not in self.forbidden
        ]
        if not speeds:
            return None
        v = max(speeds)
        cap = _parse_maxspeed(maxspeed)
        return min(v, cap) if cap else v


def _parse_maxspeed(value: object) -> float | None:
    if value is None:
        return None
    vals = value if isinstance(value, list) else [value]
    out = []
    for v in vals:
        m = re.match(r"\s*(\d+(?:\.\d+)?)\s*(mph)?", str(v))
        if m:
            out.append(float(m.group(1)) * (1.609 if m.group(2) else 1.0))
    return min(out) if out else None


# Speeds for Indonesian roads. Motorbikes may not use toll roads (motorway) in Indonesia; urban traffic
# keeps arterial speeds low; gang (alleys, often footway/path in OSM) are ridden slowly. Sources: typical
# urban motorbike speeds in Jabodetabek of 20-35 km/h; these are planning values, not legal limits.
PROFILES: dict[str, CourierProfile] = {
    "motorbike": CourierProfile(
        "motorbike",
        {
            "trunk": 40,
            "trunk_link": 30,
            "primary": 35,
            "primary_link": 25,
            "secondary": 30,
            "secondary_link": 25,
            "tertiary": 25,
            "tertiary_link": 20,
            "unclassified": 20,
            "residential": 20,
            "living_street": 12,
            "service": 12,
            "track": 10,
            "road": 20,
            "path": 8,
            "footway": 6,
            "pedestrian": 6,
            "cycleway": 10,
            "bridleway": 6,
        },
        default_kmh=15,
        straight_kmh=20,
        respects_oneway=True,
        forbidden=frozenset({"motorway", "motorway_link", "steps", "construction", "proposed"}),
    ),
    "bicycle": CourierProfile(
        "bicycle",
        {
            "trunk": 14,
            "primary": 14,
            "secondary": 14,
            "tertiary": 14,
            "residential": 12,
            "living_street": 10,
            "service": 10,
            "track": 8,
            "path": 8,
            "footway": 5,
            "cycleway": 14,
        },
        default_kmh=11,
        straight_kmh=10,
        respects_oneway=True,
        forbidden=frozenset({"motorway", "motorway_link", "trunk_link", "steps", "construction", "proposed"}),
    ),
    "walking": CourierProfile(
        "walking",
        {},
        default_kmh=4.5,
        straight_kmh=4.0,
        respects_oneway=False,
        forbidden=frozenset({"motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed"}),
    ),
    "car": CourierProfile(
        "car",
        {
            "motorway": 60,
            "motorway_link": 40,
            "trunk": 40,
            "trunk_link": 30,
            "primary": 30,
            "primary_link": 25,
            "secondary": 25,
            "secondary_link": 20,
            "tertiary": 20,
            "tertiary_link": 18,
            "unclassified": 18,
            "residential": 15,
            "living_street": 8,
            "service": 10,
            "track": 8,
            "road": 15,
        },
        default_kmh=12,
        straight_kmh=18,
        respects_oneway=True,
        forbidden=frozenset(
            {
                "path",
                "footway",
                "pedestrian",
                "cycleway",
                "steps",
                "bridleway",
                "construction",
                "proposed",
                "corridor",
            }
        ),
    ),
}


def get_profile(profile: str | CourierProfile) -> CourierProfile:
    """A profile by name ("motorbike", "bicycle", "walking", "car") or the profile itself."""
    if isinstance(profile, CourierProfile):
        return profile
    try:
        return PROFILES[profile]
    except KeyError:
        raise ConfigError(f"unknown courier profile {profile!r}; choose one of {sorted(PROFILES)}") from None


# ---------------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Snap:
    """Where points were snapped onto the network (vectorised).

    ``distance_m`` is the distance from the point to the road; ``edge`` the index of the (canonical
    direction of the) edge and ``t`` the fraction along it. Points farther than the threshold have
    ``on_network`` False.
    """

    edge: npt.NDArray[np.int64]
    t: FloatArray
    distance_m: FloatArray
    on_network: npt.NDArray[np.bool_]


@dataclass(frozen=True)
class TravelMatrix:
    """Travel times (s) and distances (m) between points; ``inf`` where no path exists.

    ``unroutable`` maps point index to a reason ("too_far_from_road: ..."); such points have infinite
    rows and columns except the diagonal.
    """

    time_s: FloatArray
    dist_m: FloatArray
    snap_m: FloatArray
    unroutable: Mapping[int, str] = field(default_factory=dict)

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

    def matrix(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> TravelMatrix: ...

    def fingerprint(self) -> str: ...

    def path_geometry(self, lon: Sequence[float], lat: Sequence[float]) -> list[LineString]: ...

    @property
    def is_straight_line(self) -> bool: ...


# ---------------------------------------------------------------------------------------------- straight line
def haversine_m(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> FloatArray:
    """Great-circle distance in metres (broadcasting)."""
    lo1, la1, lo2, la2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


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
        return True

    def matrix(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> TravelMatrix:
        x = np.asarray(lon, dtype=float).ravel()
        y = np.asarray(lat, dtype=float).ravel()
        d = haversine_m(x[:, None], y[:, None], x[None, :], y[None, :]) * self.circuity
        t = d / (self.profile.straight_kmh / 3.6)
        return TravelMatrix(time_s=t, dist_m=d, snap_m=np.zeros(len(x)))

    def fingerprint(self) -> str:
        """Identifies the network's travel times (used to key saved results for resuming)."""
        return f"straight:{self.profile}:{self.circuity}"

    def path_geometry(self, lon: Sequence[float], lat: Sequence[float]) -> list[LineString]:
        pts = list(zip(lon, lat, strict=True))
        return [LineString([pts[i], pts[i + 1]]) for i in range(len(pts) - 1)]


# ---------------------------------------------------------------------------------------------- road network
class _LocalProjection:
    """Equirectangular projection around a reference latitude: metres, accurate to <0.1% over 50 km."""

    def __init__(self, lat0: float) -> None:
        self.kx = math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
        self.ky = math.radians(1) * EARTH_RADIUS_M

    def xy(self, lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
        return np.asarray(lon) * self.kx, np.asarray(lat) * self.ky

    def lonlat(self, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
        return np.asarray(x) / self.kx, np.asarray(y) / self.ky


class RoadNetwork:
    """A directed road graph with travel times for one courier profile.

    Build it with :meth:`from_osm_xml`, :meth:`from_graphml`, :meth:`from_graph` or :meth:`download`.

    Parameters
    ----------
    graph
        An osmnx-style MultiDiGraph: nodes with ``x`` (lon), ``y`` (lat); edges with ``length`` (m),
        ``highway``, optional ``geometry``, ``maxspeed``, ``oneway``.
    profile
        Courier profile (name or :class:`CourierProfile`).
    max_snap_m
        Points farther than this from every usable road are reported unroutable.
    """

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        *,
        profile: str | CourierProfile = "motorbike",
        max_snap_m: float = 300.0,
    ) -> None:
        self.profile = get_profile(profile)
        self.max_snap_m = float(max_snap_m)
        if graph.number_of_nodes() == 0:
            raise NetworkError("the road graph has no nodes")
        self._build(graph)

    @property
    def is_straight_line(self) -> bool:
        return False

    # -------------------------------------------------------------- constructors
    @classmethod
    def from_osm_xml(
        cls, path: str | Path, *, profile: str | CourierProfile = "motorbike", max_snap_m: float = 300.0
    ) -> RoadNetwork:
        """Load an OSM XML file (``.osm`` or ``.osm.bz2``) with osmnx, keeping every component.

        Files declaring a DOCTYPE or entities are refused: a road extract never needs them, and they
        are the vehicle of entity-expansion and external-entity attacks.
        """
        import osmnx as ox

        p = Path(path)
        if not p.is_file():
            raise NetworkError(f"OSM file {p} does not exist")
        _refuse_xml_tricks(p)
        prof = get_profile(profile)
        try:
            g = ox.graph_from_xml(p, bidirectional=not prof.respects_oneway, simplify=True, retain_all=True)
        except Exception as exc:
            raise NetworkError(f"cannot build a road network from {p.name}: {exc}") from exc
        logger.info("loaded %s: %d nodes, %d edges", p.name, g.number_of_nodes(), g.number_of_edges())
        return cls(g, profile=prof, max_snap_m=max_snap_m)

    @classmethod
    def from_graphml(
        cls, path: str | Path, *, profile: str | CourierProfile = "motorbike", max_snap_m: float = 300.0
    ) -> RoadNetwork:
        """Load an osmnx GraphML file."""
        import osmnx as ox

        p = Path(path)
        if not p.is_file():
            raise NetworkError(f"GraphML file {p} does not exist")
        _refuse_xml_tricks(p)
        try:
            g = ox.load_graphml(p)
        except Exception as exc:
            raise NetworkError(f"cannot read GraphML {p.name}: {exc}") from exc
        return cls(g, profile=profile, max_snap_m=max_snap_m)

    @classmethod
    def from_file(
        cls, path: str | Path, *, profile: str | CourierProfile = "motorbike", max_snap_m: float = 300.0
    ) -> RoadNetwork:
        """Load by file type: .osm / .osm.bz2 / .xml (OSM XML) or .graphml."""
        name = str(path).lower()
        if name.endswith(".graphml"):
            return cls.from_graphml(path, profile=profile, max_snap_m=max_snap_m)
        if name.endswith((".osm", ".osm.bz2", ".xml")):
            return cls.from_osm_xml(path, profile=profile, max_snap_m=max_snap_m)
        if name.endswith(".pbf"):
            raise NetworkError(
                f"{Path(path).name}: .osm.pbf is not read directly; convert it with "
                "`osmium cat FILE.osm.pbf -o FILE.osm` (pyosmium/osmium-tool) and pass the .osm file"
            )
        raise NetworkError(f"{Path(path).name}: unknown road-network format; use .osm, .osm.bz2 or .graphml")

    @classmethod
    def download(
        cls,
        polygon: shapely.Geometry,
        *,
        profile: str | CourierProfile = "motorbike",
        cache_dir: str | Path = "cache/networks",
        buffer_m: float = 500.0,
        max_snap_m: float = 300.0,
    ) -> RoadNetwork:
        """Download the roads inside ``polygon`` (buffered) with osmnx, saving them as GraphML for reuse.

        A second call with the same polygon and profile loads the saved file and needs no internet.
        osmnx's own HTTP cache is used as well.
        """
        import osmnx as ox

        prof = get_profile(profile)
        buffered = shapely.buffer(polygon, buffer_m / 111_320.0)
        key = hashlib.sha256(
            shapely.to_wkb(shapely.set_precision(buffered, 1e-6)) + prof.name.encode()
        ).hexdigest()
        cache = Path(cache_dir)
        saved = cache / f"{prof.name}-{key[:16]}.graphml"
        if saved.is_file():
            logger.info("using saved network %s", saved)
            return cls.from_graphml(saved, profile=prof, max_snap_m=max_snap_m)
        cache.mkdir(parents=True, exist_ok=True)
        ox.settings.use_cache = True
        ox.settings.cache_folder = str(cache / "http")
        network_type = {"walking": "walk", "bicycle": "bike", "car": "drive"}.get(prof.name, "all")
        try:
            g = ox.graph_from_polygon(buffered, network_type=network_type, simplify=True, retain_all=True)
        except Exception as exc:
            raise NetworkError(
                f"downloading the road network failed ({type(exc).__name__}: {exc}); are you online? "
                "Otherwise pass an OSM file (--network FILE) or use the straight-line network"
            ) from exc
        ox.save_graphml(g, saved)
        return cls(g, profile=prof, max_snap_m=max_snap_m)

    # -------------------------------------------------------------- construction
    def _build(self, g: nx.MultiDiGraph) -> None:
        node_ids = list(g.nodes)
        index = {n: i for i, n in enumerate(node_ids)}
        lon = np.array([float(g.nodes[n]["x"]) for n in node_ids])
        lat = np.array([float(g.nodes[n]["y"]) for n in node_ids])
        self.node_ids = node_ids
        self.node_lon, self.node_lat = lon, lat
        self._proj = _LocalProjection(float(np.mean(lat)))
        nx_, ny_ = self._proj.xy(lon, lat)

        # Best (fastest) directed edge per (u, v); one-way rules per profile.
        best: dict[tuple[int, int], tuple[float, float, Any]] = {}
        dropped = 0

        def offer(u: int, v: int, secs: float, length: float, coords: Any) -> None:
            cur = best.get((u, v))
            if cur is None or secs < cur[0]:
                best[(u, v)] = (secs, length, coords)

        for u, v, data in g.edges(data=True):
            speed = self.profile.speed_for(data.get("highway"), data.get("maxspeed"))
            if speed is None:
                dropped += 1
                continue
            iu, iv = index[u], index[v]
            geom = data.get("geometry")
            if geom is not None and not isinstance(geom, LineString):
                geom = shapely.from_wkt(str(geom))
            coords = (
                np.asarray(geom.coords)
                if geom is not None
                else np.array([[lon[iu], lat[iu]], [lon[iv], lat[iv]]])
            )
            length = float(data.get("length", 0.0)) or float(
                haversine_m(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1]).sum()
            )
            secs = length / (speed / 3.6)
            offer(iu, iv, secs, length, coords)
            if not self.profile.respects_oneway:
                offer(iv, iu, secs, length, coords[::-1])
        if not best:
            raise NetworkError(f"no road in this network is usable by the {self.profile.name} profile")
        logger.info("profile %s: %d directed edges (%d not usable)", self.profile.name, len(best), dropped)
        keys = sorted(best)
        eu = np.array([k[0] for k in keys], dtype=np.int64)
        ev = np.array([k[1] for k in keys], dtype=np.int64)
        etime = np.array([best[k][0] for k in keys])
        elen = np.array([best[k][1] for k in keys])
        self.edge_u, self.edge_v, self.edge_time, self.edge_len = eu, ev, etime, elen
        self._edge_coords = [best[k][2] for k in keys]
        n = len(node_ids)
        # Tiny positive floor: csgraph treats explicit zeros as missing edges.
        self._csr = csr_matrix((np.maximum(etime, 1e-6), (eu, ev)), shape=(n, n))
        self._edge_key = eu * n + ev  # sorted, for looking up (u, v) -> edge index
        # Reverse partner of each edge (v, u), or -1.
        rev_key = ev * n + eu
        pos = np.searchsorted(self._edge_key, rev_key)
        pos = np.clip(pos, 0, len(keys) - 1)
        self.edge_rev = np.where(self._edge_key[pos] == rev_key, pos, -1)
        # Snapping index over one geometry per road segment (the canonical direction: u < v or no reverse).
        canonical = (self.edge_rev < 0) | (eu < ev)
        self._canon = np.flatnonzero(canonical)
        lines = []
        for e in self._canon:
            c = self._edge_coords[e]
            x, y = self._proj.xy(c[:, 0], c[:, 1])
            lines.append(LineString(np.c_[x, y]))
        self._lines = np.array(lines, dtype=object)
        self._tree = shapely.STRtree(self._lines)
        self._node_xy = np.c_[nx_, ny_]

    def fingerprint(self) -> str:
        """Identifies the graph and its travel times (used to key saved results for resuming)."""
        h = hashlib.sha256(repr(self.profile).encode())
        for arr in (self.node_lon, self.node_lat, self.edge_u, self.edge_v, self.edge_time, self.edge_len):
            h.update(np.ascontiguousarray(arr).tobytes())
        h.update(str(self.max_snap_m).encode())
        return h.hexdigest()

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def n_edges(self) -> int:
        return len(self.edge_u)

    def edge_index(self, u: int, v: int) -> int:
        """Index of directed edge (u, v) (node indices), or -1."""
        key = u * self.n_nodes + v
        pos = int(np.searchsorted(self._edge_key, key))
        return pos if pos < len(self._edge_key) and self._edge_key[pos] == key else -1

    # -------------------------------------------------------------- snapping
    def snap(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> Snap:
        """Snap points onto the nearest usable road segment (vectorised)."""
        x, y = self._proj.xy(np.asarray(lon, dtype=float).ravel(), np.asarray(lat, dtype=float).ravel())
        finite = np.isfinite(x) & np.isfinite(y)
        pts = shapely.points(np.where(finite, x, 0.0), np.where(finite, y, 0.0))
        pi, li = self._tree.query_nearest(pts, all_matches=False)
        order = np.argsort(pi)
        li = li[order]
        lines = self._lines[li]
        dist = shapely.distance(pts, lines)
        t = np.nan_to_num(shapely.line_locate_point(lines, pts, normalized=True), nan=0.0)
        dist = np.where(finite, dist, np.inf)
        return Snap(
            edge=self._canon[li],
            t=np.asarray(t, dtype=float),
            distance_m=dist,
            on_network=finite & (dist <= self.max_snap_m),
        )

    # -------------------------------------------------------------- matrices
    def _exits_entries(
        self, s: Snap
    ) -> tuple[npt.NDArray[np.int64], FloatArray, npt.NDArray[np.int64], FloatArray]:
        """Per point, up to two exit nodes (with the time to reach them) and two entry nodes."""
        e = s.edge
        r = self.edge_rev[e]
        has_r = r >= 0
        te = self.edge_time[e]
        # Against a one-way street the courier walks the motorbike back (walking pace): a stop at the
        # very start of a one-way segment can still leave through that node.
        tr = np.where(has_r, self.edge_time[np.maximum(r, 0)], self.edge_len[e] / WALK_MPS)
        exit_node = np.c_[self.edge_v[e], self.edge_u[e]]
        exit_cost = np.c_[(1 - s.t) * te, s.t * tr]
        entry_node = np.c_[self.edge_u[e], self.edge_v[e]]
        entry_cost = np.c_[s.t * te, (1 - s.t) * tr]
        return exit_node, exit_cost, entry_node, entry_cost

    def _lengths_along(self, pred: npt.NDArray[np.int32]) -> FloatArray:
        """Road length (m) from each Dijkstra source to every node along its fastest-path tree."""
        n = self.n_nodes
        rows, cols = pred.shape
        p = pred.astype(np.int64)
        has = p >= 0
        key = np.where(has, p * n + np.arange(cols)[None, :], 0)
        pos = np.clip(np.searchsorted(self._edge_key, key), 0, len(self._edge_key) - 1)
        acc = np.where(has, self.edge_len[pos], 0.0)
        # Pointer jumping: after k rounds acc holds the length of the last 2^k edges of each path.
        jump = np.where(has, p, np.arange(cols)[None, :])
        r_idx = np.arange(rows)[:, None]
        for _ in range(64):
            nxt = jump[r_idx, jump]
            if np.array_equal(nxt, jump):
                break
            acc = acc + np.where(jump != np.arange(cols)[None, :], acc[r_idx, jump], 0.0)
            jump = nxt
        return acc

    def matrix(self, lon: npt.ArrayLike, lat: npt.ArrayLike, *, chunk: int = 512) -> TravelMatrix:
        """Travel time (s) and road distance (m) between all points, along the fastest path.

        The access leg from a point to its snapped position is included at walking pace (the courier
        parks and walks), so far-off points cost what they really cost; points beyond ``max_snap_m``
        are unroutable with a reason.
        """
        s = self.snap(lon, lat)
        npts = len(s.edge)
        exit_node, exit_cost, entry_node, entry_cost = self._exits_entries(s)
        e = s.edge
        r = self.edge_rev[e]
        le = self.edge_len[e]
        lr = np.where(r >= 0, self.edge_len[np.maximum(r, 0)], le)
        exit_len = np.c_[(1 - s.t) * le, s.t * lr]
        entry_len = np.c_[s.t * le, (1 - s.t) * lr]
        # Node-level matrices between the distinct exit nodes (rows) and distinct entry nodes (columns).
        sources, ex_idx = np.unique(exit_node.ravel(), return_inverse=True)
        ex_idx = ex_idx.reshape(exit_node.shape)
        targets, en_idx = np.unique(entry_node.ravel(), return_inverse=True)
        en_idx = en_idx.reshape(entry_node.shape)
        node_t = np.empty((len(sources), len(targets)))
        node_d = np.empty((len(sources), len(targets)))
        for start in range(0, len(sources), chunk):
            src = sources[start : start + chunk]
            dt, pred = dijkstra(self._csr, directed=True, indices=src, return_predecessors=True)
            node_t[start : start + len(src)] = dt[:, targets]
            node_d[start : start + len(src)] = self._lengths_along(pred)[:, targets]
        # Point-level: best of the (exit side a, entry side b) combinations, computed in place.
        T = np.full((npts, npts), np.inf)
        best = np.zeros((npts, npts), dtype=np.int8)
        for c, (a, b) in enumerate(((0, 0), (0, 1), (1, 0), (1, 1))):
            cand = node_t[ex_idx[:, a]][:, en_idx[:, b]]
            cand += exit_cost[:, a, None]
            cand += entry_cost[None, :, b]
            better = cand < T
            np.copyto(T, cand, where=better)
            best[better] = c
            del cand, better
        D = np.empty((npts, npts))
        for c, (a, b) in enumerate(((0, 0), (0, 1), (1, 0), (1, 1))):
            ii, jj = np.nonzero(best == c)
            D[ii, jj] = exit_len[ii, a] + node_d[ex_idx[ii, a], en_idx[jj, b]] + entry_len[jj, b]
        D[~np.isfinite(T)] = np.inf
        # Two points on the same segment: the direct ride along it, when shorter.
        self._same_segment(s, T, D)
        walk = s.distance_m / WALK_MPS
        snap_m = np.where(np.isfinite(s.distance_m), s.distance_m, np.inf)
        with np.errstate(invalid="ignore"):
            T = T + walk[:, None] + walk[None, :]
            D = D + snap_m[:, None] + snap_m[None, :]
        np.fill_diagonal(T, 0.0)
        np.fill_diagonal(D, 0.0)
        unroutable: dict[int, str] = {}
        for i in np.flatnonzero(~s.on_network):
            reason = (
                "no coordinates"
                if not np.isfinite(s.distance_m[i])
                else f"too_far_from_road: {s.distance_m[i]:.0f} m from the nearest usable road "
                f"(limit {self.max_snap_m:.0f} m)"
            )
            unroutable[int(i)] = reason
            T[i, :] = np.inf
            T[:, i] = np.inf
            D[i, :] = np.inf
            D[:, i] = np.inf
            T[i, i] = D[i, i] = 0.0
        return TravelMatrix(time_s=T, dist_m=D, snap_m=snap_m, unroutable=unroutable)

    def _same_segment(self, s: Snap, T: FloatArray, D: FloatArray) -> None:
        order = np.argsort(s.edge, kind="stable")
        edges = s.edge[order]
        bounds = np.flatnonzero(np.diff(edges)) + 1
        for grp in np.split(order, bounds):
            if len(grp) < 2:
                continue
            e = s.edge[grp[0]]
            r = self.edge_rev[e]
            t = s.t[grp]
            dt = t[None, :] - t[:, None]  # j ahead of i along e when > 0
            fwd_t = np.where(dt >= 0, dt * self.edge_time[e], np.inf)
            fwd_d = np.where(dt >= 0, dt * self.edge_len[e], np.inf)
            back_t = self.edge_time[r] if r >= 0 else self.edge_len[e] / WALK_MPS
            back_d = self.edge_len[r] if r >= 0 else self.edge_len[e]
            fwd_t = np.minimum(fwd_t, np.where(dt <= 0, -dt * back_t, np.inf))
            fwd_d = np.where(dt <= 0, np.minimum(fwd_d, -dt * back_d), fwd_d)
            sub = np.ix_(grp, grp)
            better = fwd_t < T[sub]
            T[sub] = np.where(better, fwd_t, T[sub])
            D[sub] = np.where(better, fwd_d, D[sub])

    # -------------------------------------------------------------- geometry
    def path_geometry(self, lon: Sequence[float], lat: Sequence[float]) -> list[LineString]:
        """Road geometry (lon/lat LineStrings) of each leg between consecutive points, following streets.

        A leg between unroutable points is a straight segment.
        """
        s = self.snap(lon, lat)
        exit_node, exit_cost, entry_node, entry_cost = self._exits_entries(s)
        src = np.unique(exit_node[:-1].ravel()) if len(lon) > 1 else np.array([], dtype=np.int64)
        legs: list[LineString] = []
        if len(src) == 0:
            return legs
        dt, pred = dijkstra(self._csr, directed=True, indices=src, return_predecessors=True)
        row_of = {int(n): i for i, n in enumerate(src)}
        for i in range(len(lon) - 1):
            j = i + 1
            p0 = (float(lon[i]), float(lat[i]))
            p1 = (float(lon[j]), float(lat[j]))
            if not (s.on_network[i] and s.on_network[j]):
                legs.append(LineString([p0, p1]))
                continue
            best = (np.inf, -1, -1)
            for a in range(2):
                for b in range(2):
                    ra = row_of[int(exit_node[i, a])]
                    c = exit_cost[i, a] + dt[ra, entry_node[j, b]] + entry_cost[j, b]
                    if c < best[0]:
                        best = (c, a, b)
            coords: list[tuple[float, float]] = [p0]
            direct = self._direct_leg(s, i, j)
            if direct is not None and direct[0] <= best[0]:
                coords += direct[1]
            elif np.isfinite(best[0]):
                _, a, b = best
                coords += self._partial(s, i, leaving=True, side=a)
                nodes = _walk_back(
                    pred[row_of[int(exit_node[i, a])]], int(exit_node[i, a]), int(entry_node[j, b])
                )
                for u, v in itertools.pairwise(nodes):
                    coords += [tuple(c) for c in self._edge_coords[self.edge_index(u, v)][1:]]
                coords += self._partial(s, j, leaving=False, side=b)
            coords.append(p1)
            legs.append(LineString(_dedupe(coords)))
        return legs

    def _edge_piece(self, e: int, t0: float, t1: float) -> list[tuple[float, float]]:
        from shapely.ops import substring

        c = self._edge_coords[e]
        line = LineString(c)
        piece = substring(line, t0, t1, normalized=True)
        return [tuple(p) for p in np.asarray(piece.coords)] if not piece.is_empty else []

    def _partial(self, s: Snap, i: int, *, leaving: bool, side: int) -> list[tuple[float, float]]:
        """Geometry from a stop to the exit node (leaving) or from the entry node to the stop.

        Side 0 runs along the snapped edge's direction, side 1 against it (the reverse edge, or pushing
        against a one-way): both follow the same street geometry.
        """
        e = int(s.edge[i])
        t = float(s.t[i])
        if leaving:
            return self._edge_piece(e, t, 1.0) if side == 0 else self._edge_piece(e, t, 0.0)
        return self._edge_piece(e, 0.0, t) if side == 0 else self._edge_piece(e, 1.0, t)

    def _direct_leg(self, s: Snap, i: int, j: int) -> tuple[float, list[tuple[float, float]]] | None:
        if s.edge[i] != s.edge[j]:
            return None
        e = int(s.edge[i])
        ti, tj = float(s.t[i]), float(s.t[j])
        if tj >= ti:
            return (tj - ti) * float(self.edge_time[e]), self._edge_piece(e, ti, tj)
        r = int(self.edge_rev[e])
        back = float(self.edge_time[r]) if r >= 0 else float(self.edge_len[e]) / WALK_MPS
        return (ti - tj) * back, self._edge_piece(e, ti, tj)

    def to_networkx(self) -> nx.DiGraph:
        """The profile's directed graph (node indices, ``time`` and ``length`` weights), for checks."""
        g = nx.DiGraph()
        g.add_nodes_from(range(self.n_nodes))
        for u, v, t, length in zip(self.edge_u, self.edge_v, self.edge_time, self.edge_len, strict=True):
            g.add_edge(int(u), int(v), time=max(float(t), 1e-6), length=float(length))
        return g


def _walk_back(pred_row: npt.NDArray[np.int32], source: int, target: int) -> list[int]:
    nodes = [target]
    cur = target
    while cur != source:
        cur = int(pred_row[cur])
        if cur < 0:
            return [source]
        nodes.append(cur)
    return nodes[::-1]


def _dedupe(coords: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out = [coords[0]]
    for c in coords[1:]:
        if c != out[-1]:
            out.append(c)
    if len(out) == 1:
        out.append(out[0])
    return out
