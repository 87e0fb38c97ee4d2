"""The road network the planner uses: a :class:`RoadGraph` for one courier profile, its snapping index
and snap limit, behind the :class:`~ektp_routes.network.travel.TravelNetwork` interface."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypedDict, Unpack

import numpy.typing as npt
import shapely
from shapely.geometry import LineString

from ektp_routes._errors import ConfigError
from ektp_routes._memory import release_free_memory
from ektp_routes.i18n import log
from ektp_routes.network.graph import RoadGraph, build_graph
from ektp_routes.network.matrix import travel_matrix, with_straight_legs
from ektp_routes.network.paths import path_geometry
from ektp_routes.network.profiles import CourierProfile, get_profile
from ektp_routes.network.search import (
    DEFAULT_MARGIN_M,
    SMALL_NETWORK,
    NodeMatrix,
    NodeSearch,
    SearchGraph,
    check_margin,
)
from ektp_routes.network.snapping import Connectivity, Snap, Snapper
from ektp_routes.network.store import load_network
from ektp_routes.network.straight import DEFAULT_CIRCUITY
from ektp_routes.network.travel import TravelMatrix, canonical_hash

if TYPE_CHECKING:
    # Imported where they are used: networkx and the OSM readers only by the constructors that read
    # OSM data (a prepared network needs neither), numba only where a hierarchy is used (~200 MB).
    import networkx as nx

    from ektp_routes.network.contraction import Hierarchy
    from ektp_routes.network.hierarchy import HierarchySearch

logger = logging.getLogger(__name__)

MatrixEngine = Literal["auto", "hierarchy", "dijkstra"]


class NetworkOptions(TypedDict, total=False):
    """How points are placed on the roads and searched (keyword options of every :class:`RoadNetwork`
    constructor).

    max_snap_m
        A point farther than this (default 300 m) from every road of the main network is off the network.
    connectivity
        ``"main"`` (default): points are snapped onto roads connected with the main network (its
        largest strongly connected component), never onto a fragment cut off by the extract's
        boundary. ``"any"``: onto the nearest road, whatever it connects to.
    strict
        False (default): a point off the network is planned on straight-line legs and flagged
        ``off_network``. True: it is unroutable ("too_far_from_road").
    search_margin_m
        How scipy's Dijkstra searches (:class:`~ektp_routes.network.search.NodeSearch`: leg geometry,
        and matrices with ``matrix_engine="dijkstra"``): None over the whole graph (the reference), a
        number in a box around the points with that first margin (m); ``"auto"`` (default) the whole
        graph up to 50,000 nodes and a 2 km margin above. Both give the same travel times.
    matrix_engine
        What computes matrices. ``"auto"`` (default): with the contraction hierarchy of a network
        prepared by ``ektp-routes network build`` (otherwise scipy's Dijkstra up to 50,000 nodes and,
        above, a contraction hierarchy prepared when the network is built), each matrix on the
        hierarchy or in a box around its points, whichever is estimated cheaper
        (:mod:`~ektp_routes.network.choice`). ``"dijkstra"``: always scipy's (the reference);
        ``"hierarchy"``: always a hierarchy (:mod:`~ektp_routes.network.hierarchy`) whatever the
        size. All give the same travel times. Contraction has a budget
        (:class:`~ektp_routes.network.contraction.ContractionBudget`): on a network without a road
        hierarchy to exploit it gives up, says so in one log line and the matrices come from scipy's
        Dijkstra (``contraction_gave_up`` holds the reason).
    """

    max_snap_m: float
    connectivity: Connectivity
    strict: bool
    search_margin_m: float | Literal["auto"] | None
    matrix_engine: MatrixEngine


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
    **options
        ``max_snap_m``, ``connectivity``, ``strict``, ``search_margin_m``, ``matrix_engine``: see
        :class:`NetworkOptions`.
    """

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        *,
        profile: str | CourierProfile = "motorbike",
        **options: Unpack[NetworkOptions],
    ) -> None:
        self._init(build_graph(graph, get_profile(profile)), **options)

    def _init(
        self,
        road: RoadGraph,
        *,
        max_snap_m: float = 300.0,
        connectivity: Connectivity = "main",
        strict: bool = False,
        search_margin_m: float | Literal["auto"] | None = "auto",
        matrix_engine: MatrixEngine = "auto",
        hierarchy: Hierarchy | None = None,
        gave_up: str | None = None,
    ) -> None:
        if connectivity not in ("main", "any"):
            raise ConfigError(f"connectivity must be 'main' or 'any', not {connectivity!r}")
        if not max_snap_m > 0:
            raise ConfigError(f"max_snap_m must be a positive distance in metres, not {max_snap_m}")
        self.graph = road
        self.profile = road.profile
        #: The file or prepared folder the network was read from (None: built in memory or downloaded),
        #: recorded by a plan so that its replay can load the same network.
        self.source_path: Path | None = None
        self.max_snap_m = float(max_snap_m)
        self.connectivity: Connectivity = connectivity
        self.strict = bool(strict)
        self.circuity = DEFAULT_CIRCUITY
        self.snapper = Snapper.build(road, connectivity=connectivity)
        if search_margin_m == "auto":
            search_margin_m = None if road.n_nodes <= SMALL_NETWORK else DEFAULT_MARGIN_M
        check_margin(search_margin_m)
        self._search_margin_m = search_margin_m
        self._hierarchy_search: NodeMatrix | None
        self._hierarchy_search, self.contraction_gave_up = _hierarchy_search(
            road, matrix_engine, hierarchy, gave_up
        )
        if matrix_engine == "auto" and self._hierarchy_search is not None:
            from ektp_routes.network.choice import CostChooser

            self._hierarchy_search = CostChooser(self._hierarchy_search, lambda: self.search)
        release_free_memory()  # the snapping index's temporaries (tens of MB on a large network)

    @classmethod
    def from_road_graph(cls, road: RoadGraph, **options: Unpack[NetworkOptions]) -> RoadNetwork:
        """A network over an already built :class:`RoadGraph` (its profile is the graph's)."""
        net = cls.__new__(cls)
        net._init(road, **options)
        return net

    @classmethod
    def from_prepared(cls, path: str | Path, **options: Unpack[NetworkOptions]) -> RoadNetwork:
        """Load a directory written by ``ektp-routes network build`` (:mod:`~ektp_routes.network.store`);
        its snap limit unless ``max_snap_m`` is given."""
        stored = load_network(path)
        merged: NetworkOptions = {"max_snap_m": stored.max_snap_m}
        merged.update(options)
        net = cls.__new__(cls)
        gave_up = stored.manifest.get("contraction_gave_up")
        net._init(stored.graph, hierarchy=stored.hierarchy, gave_up=gave_up, **merged)
        return net._read_from(path)

    @classmethod
    def from_pbf(
        cls,
        path: str | Path,
        *,
        profile: str | CourierProfile = "motorbike",
        area: shapely.Geometry | None = None,
        **options: Unpack[NetworkOptions],
    ) -> RoadNetwork:
        """Load an ``.osm.pbf`` extract, keeping the roads with a node in ``area`` (see
        :func:`~ektp_routes.network.pbf.graph_from_pbf`)."""
        from ektp_routes.network.pbf import graph_from_pbf

        prof = get_profile(profile)
        g = graph_from_pbf(path, area=area, bidirectional=not prof.respects_oneway)
        return cls(g, profile=prof, **options)._read_from(path)

    @classmethod
    def from_osm_xml(
        cls,
        path: str | Path,
        *,
        profile: str | CourierProfile = "motorbike",
        **options: Unpack[NetworkOptions],
    ) -> RoadNetwork:
        """Load an OSM XML file (``.osm`` or ``.osm.bz2``), keeping every component (see
        :func:`~ektp_routes.network.loaders.read_osm_xml`)."""
        from ektp_routes.network import loaders

        prof = get_profile(profile)
        return cls(loaders.read_osm_xml(path, profile=prof), profile=prof, **options)._read_from(path)

    @classmethod
    def from_graphml(
        cls,
        path: str | Path,
        *,
        profile: str | CourierProfile = "motorbike",
        **options: Unpack[NetworkOptions],
    ) -> RoadNetwork:
        """Load an osmnx GraphML file."""
        from ektp_routes.network import loaders

        return cls(loaders.read_graphml(path), profile=profile, **options)._read_from(path)

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        profile: str | CourierProfile = "motorbike",
        **options: Unpack[NetworkOptions],
    ) -> RoadNetwork:
        """Load by file type: a directory prepared by ``ektp-routes network build`` (its own profile and
        snap limit), .osm.pbf, .osm / .osm.bz2 / .xml (OSM XML) or .graphml."""
        if Path(path).is_dir():
            return cls.from_prepared(path, **options)
        from ektp_routes.network import loaders

        prof = get_profile(profile)
        return cls(loaders.read_graph_file(path, profile=prof), profile=prof, **options)._read_from(path)

    @classmethod
    def download(
        cls,
        polygon: shapely.Geometry,
        *,
        profile: str | CourierProfile = "motorbike",
        cache_dir: str | Path = "cache/networks",
        buffer_m: float = 500.0,
        **options: Unpack[NetworkOptions],
    ) -> RoadNetwork:
        """Download the roads inside ``polygon`` (buffered), saved as GraphML for offline reuse (see
        :func:`~ektp_routes.network.loaders.download_graph`)."""
        from ektp_routes.network import loaders

        prof = get_profile(profile)
        g = loaders.download_graph(polygon, profile=prof, cache_dir=cache_dir, buffer_m=buffer_m)
        return cls(g, profile=prof, **options)

    def _read_from(self, path: str | Path) -> RoadNetwork:
        self.source_path = Path(path).resolve()
        return self

    @cached_property
    def search(self) -> NodeSearch:
        """scipy's Dijkstra over this graph (leg geometry, and the matrices when no hierarchy is used),
        set up on first use: matrices on a hierarchy never need its projected node coordinates."""
        return NodeSearch(SearchGraph.from_road_graph(self.graph), margin_m=self._search_margin_m)

    @property
    def engine(self) -> NodeMatrix:
        """What computes the node-to-node tables of :meth:`matrix` (see :class:`NetworkOptions`)."""
        return self._hierarchy_search if self._hierarchy_search is not None else self.search

    @property
    def hierarchy(self) -> Hierarchy | None:
        """The contraction hierarchy matrices are computed on (None: scipy's Dijkstra)."""
        h: Hierarchy | None = getattr(self.engine, "hierarchy", None)
        return h

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
        """Identifies the graph, its travel times and the snapping rules (keys saved results for resuming).

        A sha256 over a canonical serialisation: the same in every process and on every machine.
        """
        rules = {"max_snap_m": self.max_snap_m, "connectivity": self.connectivity, "strict": self.strict}
        header = {"network": "road", "graph": self.graph.fingerprint(), "circuity": self.circuity, **rules}
        return canonical_hash(header)

    def snap(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> Snap:
        """Snap points onto the nearest usable road segment of the main network (vectorised)."""
        return self.snapper.snap(lon, lat, max_snap_m=self.max_snap_m)

    def matrix(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> TravelMatrix:
        """Travel time (s) and road distance (m) between all points, along the fastest path.

        The access leg from a point to its snapped position is included at walking pace (the courier
        parks and walks). A point farther than ``max_snap_m`` from the main network is planned on
        straight-line legs and flagged ``off_network`` (unroutable, with the reason, when ``strict``).
        """
        s = self.snap(lon, lat)
        m = travel_matrix(self.graph, s, lon, lat, max_snap_m=self.max_snap_m, search=self.engine)
        if self.strict:
            return m
        return with_straight_legs(m, s, lon, lat, profile=self.profile, circuity=self.circuity)

    def path_geometry(self, lon: Sequence[float], lat: Sequence[float]) -> list[LineString]:
        """Road geometry (lon/lat LineStrings) of each leg between consecutive points, following streets.

        A leg from or to a point off the network is a straight segment.
        """
        return path_geometry(self.graph, self.snap(lon, lat), lon, lat, search=self.search)

    def to_networkx(self) -> nx.DiGraph:
        """The profile's directed graph (node indices, ``time`` and ``length`` weights), for checks."""
        return self.graph.to_networkx()


def _hierarchy_search(
    road: RoadGraph, choice: MatrixEngine, hierarchy: Hierarchy | None, gave_up: str | None
) -> tuple[HierarchySearch | None, str | None]:
    """The hierarchy engine ``choice`` asks for (see :class:`NetworkOptions`), contracting the graph if it
    needs to; None where scipy's searches compute the matrices. Second: why there is no hierarchy when
    contraction gave up (said in one log line; then scipy's searches).

    ``gave_up``: a prepared network's contraction already gave up when it was built (not tried again).
    """
    if choice not in ("auto", "hierarchy", "dijkstra"):
        raise ConfigError(f"matrix_engine must be 'auto', 'hierarchy' or 'dijkstra', not {choice!r}")
    if choice == "dijkstra" or (choice == "auto" and hierarchy is None and road.n_nodes <= SMALL_NETWORK):
        return None, gave_up
    from ektp_routes.network.contraction import ContractionGaveUp, contract_graph
    from ektp_routes.network.hierarchy import HierarchySearch

    if hierarchy is None and gave_up is None:
        try:
            hierarchy = contract_graph(road)
        except ContractionGaveUp as exc:
            gave_up = str(exc)
    if hierarchy is None:
        log(logger, logging.WARNING, "log.no_hierarchy", why=gave_up)
        return None, gave_up
    return HierarchySearch(hierarchy), None
