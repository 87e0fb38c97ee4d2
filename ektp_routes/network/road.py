"""The road network the planner uses: a :class:`RoadGraph` for one courier profile, its snapping index
and snap limit, behind the :class:`~ektp_routes.network.travel.TravelNetwork` interface."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import networkx as nx
import numpy.typing as npt
import shapely
from shapely.geometry import LineString

from ektp_routes.network import loaders
from ektp_routes.network.graph import RoadGraph, build_graph
from ektp_routes.network.matrix import travel_matrix
from ektp_routes.network.paths import path_geometry
from ektp_routes.network.pbf import graph_from_pbf
from ektp_routes.network.profiles import CourierProfile, get_profile
from ektp_routes.network.search import CHUNK, DEFAULT_MARGIN_M, SMALL_NETWORK, NodeSearch, SearchGraph
from ektp_routes.network.snapping import Snap, SnapIndex
from ektp_routes.network.store import load_network
from ektp_routes.network.travel import TravelMatrix, canonical_hash


class RoadNetwork:
    """A directed road graph with travel times for one courier profile.

    Build it with :meth:`from_osm_xml`, :meth:`from_pbf`, :meth:`from_graphml`, :meth:`from_file`,
    :meth:`download`, from an osmnx graph (the constructor), from a :class:`RoadGraph`
    (:meth:`from_road_graph`) or from a directory prepared by ``ektp-routes network build``
    (:meth:`from_prepared`).

    Parameters
    ----------
    graph
        An osmnx-style MultiDiGraph: nodes with ``x`` (lon), ``y`` (lat); edges with ``length`` (m),
        ``highway``, optional ``geometry``, ``maxspeed``, ``oneway``.
    profile
        Courier profile (name or :class:`CourierProfile`).
    max_snap_m
        Points farther than this from every usable road are reported unroutable.
    search_margin_m
        How matrices and paths search (:class:`~ektp_routes.network.search.NodeSearch`): None over
        the whole graph (the reference), a number in a box around the points with that first margin
        (m); by default the whole graph up to 50,000 nodes and a 1.5 km margin above. Both give the
        same travel times.
    """

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        *,
        profile: str | CourierProfile = "motorbike",
        max_snap_m: float = 300.0,
        search_margin_m: float | Literal["auto"] | None = "auto",
    ) -> None:
        road = build_graph(graph, get_profile(profile))
        self._init(road, max_snap_m=max_snap_m, search_margin_m=search_margin_m)

    def _init(
        self, road: RoadGraph, *, max_snap_m: float, search_margin_m: float | Literal["auto"] | None
    ) -> None:
        self.graph = road
        self.profile = road.profile
        self.max_snap_m = float(max_snap_m)
        self.index = SnapIndex.build(road)
        if search_margin_m == "auto":
            search_margin_m = None if road.n_nodes <= SMALL_NETWORK else DEFAULT_MARGIN_M
        self.search = NodeSearch(SearchGraph.from_road_graph(road), margin_m=search_margin_m)

    @classmethod
    def from_road_graph(
        cls,
        road: RoadGraph,
        *,
        max_snap_m: float = 300.0,
        search_margin_m: float | Literal["auto"] | None = "auto",
    ) -> RoadNetwork:
        """A network over an already built :class:`RoadGraph` (its profile is the graph's)."""
        net = cls.__new__(cls)
        net._init(road, max_snap_m=max_snap_m, search_margin_m=search_margin_m)
        return net

    @classmethod
    def from_prepared(
        cls, path: str | Path, *, search_margin_m: float | Literal["auto"] | None = "auto"
    ) -> RoadNetwork:
        """Load a directory written by ``ektp-routes network build`` (:mod:`~ektp_routes.network.store`)."""
        stored = load_network(path)
        return cls.from_road_graph(
            stored.graph, max_snap_m=stored.max_snap_m, search_margin_m=search_margin_m
        )

    @classmethod
    def from_pbf(
        cls,
        path: str | Path,
        *,
        profile: str | CourierProfile = "motorbike",
        area: shapely.Geometry | None = None,
        max_snap_m: float = 300.0,
    ) -> RoadNetwork:
        """Load an ``.osm.pbf`` extract, keeping the roads with a node in ``area`` (see
        :func:`~ektp_routes.network.pbf.graph_from_pbf`)."""
        prof = get_profile(profile)
        g = graph_from_pbf(path, area=area, bidirectional=not prof.respects_oneway)
        return cls(g, profile=prof, max_snap_m=max_snap_m)

    @classmethod
    def from_osm_xml(
        cls, path: str | Path, *, profile: str | CourierProfile = "motorbike", max_snap_m: float = 300.0
    ) -> RoadNetwork:
        """Load an OSM XML file (``.osm`` or ``.osm.bz2``), keeping every component (see
        :func:`~ektp_routes.network.loaders.read_osm_xml`)."""
        prof = get_profile(profile)
        return cls(loaders.read_osm_xml(path, profile=prof), profile=prof, max_snap_m=max_snap_m)

    @classmethod
    def from_graphml(
        cls, path: str | Path, *, profile: str | CourierProfile = "motorbike", max_snap_m: float = 300.0
    ) -> RoadNetwork:
        """Load an osmnx GraphML file."""
        return cls(loaders.read_graphml(path), profile=profile, max_snap_m=max_snap_m)

    @classmethod
    def from_file(
        cls, path: str | Path, *, profile: str | CourierProfile = "motorbike", max_snap_m: float = 300.0
    ) -> RoadNetwork:
        """Load by file type: a directory prepared by ``ektp-routes network build`` (its own profile and
        snap limit), .osm.pbf, .osm / .osm.bz2 / .xml (OSM XML) or .graphml."""
        if Path(path).is_dir():
            return cls.from_prepared(path)
        prof = get_profile(profile)
        return cls(loaders.read_graph_file(path, profile=prof), profile=prof, max_snap_m=max_snap_m)

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
        """Download the roads inside ``polygon`` (buffered), saved as GraphML for offline reuse (see
        :func:`~ektp_routes.network.loaders.download_graph`)."""
        prof = get_profile(profile)
        g = loaders.download_graph(polygon, profile=prof, cache_dir=cache_dir, buffer_m=buffer_m)
        return cls(g, profile=prof, max_snap_m=max_snap_m)

    @property
    def is_straight_line(self) -> bool:
        """Always False: travel follows the roads."""
        return False

    @property
    def n_nodes(self) -> int:
        """Number of road nodes."""
        return self.graph.n_nodes

    @property
    def n_edges(self) -> int:
        """Number of directed road edges usable by the profile."""
        return self.graph.n_edges

    def fingerprint(self) -> str:
        """Identifies the graph, its travel times and the snap limit (keys saved results for resuming).

        A sha256 over a canonical serialisation: the same in every process and on every machine.
        """
        return canonical_hash(
            {"network": "road", "graph": self.graph.fingerprint(), "max_snap_m": self.max_snap_m}
        )

    def snap(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> Snap:
        """Snap points onto the nearest usable road segment (vectorised)."""
        return self.index.snap(lon, lat, max_snap_m=self.max_snap_m)

    def matrix(self, lon: npt.ArrayLike, lat: npt.ArrayLike, *, chunk: int = CHUNK) -> TravelMatrix:
        """Travel time (s) and road distance (m) between all points, along the fastest path.

        The access leg from a point to its snapped position is included at walking pace (the courier
        parks and walks); points beyond ``max_snap_m`` are unroutable with a reason.
        """
        snap = self.snap(lon, lat)
        return travel_matrix(self.graph, snap, max_snap_m=self.max_snap_m, search=self.search, chunk=chunk)

    def path_geometry(self, lon: Sequence[float], lat: Sequence[float]) -> list[LineString]:
        """Road geometry (lon/lat LineStrings) of each leg between consecutive points, following streets.

        A leg between unroutable points is a straight segment.
        """
        return path_geometry(self.graph, self.snap(lon, lat), lon, lat, search=self.search)

    def to_networkx(self) -> nx.DiGraph:
        """The profile's directed graph (node indices, ``time`` and ``length`` weights), for checks."""
        return self.graph.to_networkx()
