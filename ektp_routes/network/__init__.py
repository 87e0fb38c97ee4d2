"""Road networks, courier speed profiles, snapping and many-to-many travel-time matrices.

Two networks share one interface (:class:`TravelNetwork`):

- :class:`RoadNetwork`, built from OpenStreetMap data (an OSM XML file, an osmnx GraphML file, an
  osmnx graph, or an osmnx download for a polygon). Stops are snapped onto the nearest *edge* (not
  merely the nearest node); travel times come from ``scipy.sparse.csgraph.dijkstra`` run once per
  distinct exit node (``search``, the reference, used on small networks) or, on a network prepared by
  ``ektp-routes network build`` and on large ones, from a contraction hierarchy (``contraction``
  prepares it, ``hierarchy`` answers many-to-many tables with the bucket method, compiled by numba).
- :class:`StraightLineNetwork`, for when no road data exists (the embedded Kabupaten Bekasi default):
  great-circle distance times a circuity factor, at the profile's average speed.

The rooms, each importing only rooms before it: ``profiles`` (how a courier moves), ``travel`` (the
matrix value and the protocol every network keeps), ``access`` (OSM access tags and barriers), ``osm``
(osmnx settings), ``pbf`` and ``loaders`` (files and downloads -> osmnx graph), ``graph`` (pure build ->
immutable :class:`RoadGraph`), ``snapping``, ``search`` / ``contraction`` + ``hierarchy`` (node-to-node
engines, on the heap in ``_heap``), ``choice`` (which engine answers a matrix), ``straight`` (the
straight-line network), ``matrix`` and ``paths`` (read the graph), ``store`` (prepared networks on
disk), ``road`` (the road network), ``record`` (what a plan records of its network, loaded back to
judge the plan). Distances on the Earth come from :mod:`ektp_routes.geodesy`, beneath every room.
Coordinates are always (lon, lat) in WGS84.

Example
-------
>>> net = StraightLineNetwork(profile="motorbike")
>>> m = net.matrix([107.15, 107.16], [-6.25, -6.25])
>>> int(m.dist_m[0, 1]), int(m.time_s[0, 1])
(1823, 328)
"""

from ektp_routes.geodesy import EARTH_RADIUS_M, FloatArray, LocalProjection, haversine_m
from ektp_routes.network.graph import RoadGraph, assemble_graph, build_graph
from ektp_routes.network.matrix import WALK_CAP_M, WALK_CIRCUITY, door_walks
from ektp_routes.network.profiles import PROFILES, WALK_MPS, CourierProfile, get_profile
from ektp_routes.network.record import NetworkRecord
from ektp_routes.network.road import NetworkOptions, RoadNetwork
from ektp_routes.network.snapping import Connectivity, Snap, SnapIndex, Snapper
from ektp_routes.network.straight import DEFAULT_CIRCUITY, StraightLineNetwork
from ektp_routes.network.travel import TravelMatrix, TravelNetwork, canonical_hash

__all__ = [
    "DEFAULT_CIRCUITY",
    "EARTH_RADIUS_M",
    "PROFILES",
    "WALK_CAP_M",
    "WALK_CIRCUITY",
    "WALK_MPS",
    "Connectivity",
    "CourierProfile",
    "FloatArray",
    "LocalProjection",
    "NetworkOptions",
    "NetworkRecord",
    "RoadGraph",
    "RoadNetwork",
    "Snap",
    "SnapIndex",
    "Snapper",
    "StraightLineNetwork",
    "TravelMatrix",
    "TravelNetwork",
    "assemble_graph",
    "build_graph",
    "canonical_hash",
    "door_walks",
    "get_profile",
    "haversine_m",
]
