"""Placing points onto a :class:`~ektp_routes.network.graph.RoadGraph`: the nearest usable road
*segment* (not merely the nearest node), and the nodes through which a snapped point leaves and
enters the graph."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import LineString

from ektp_routes.network.geodesy import FloatArray, IntArray, LocalProjection
from ektp_routes.network.graph import RoadGraph
from ektp_routes.network.profiles import WALK_MPS


@dataclass(frozen=True)
class Snap:
    """Where points were snapped onto the network (vectorised).

    ``distance_m`` is the distance from the point to the road; ``edge`` the index of the (canonical
    direction of the) edge and ``t`` the fraction along it. Points farther than the threshold have
    ``on_network`` False.
    """

    edge: IntArray
    t: FloatArray
    distance_m: FloatArray
    on_network: npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class SnapIndex:
    """A spatial index over one geometry per road segment (its canonical direction), in local metres.

    ``edges[k]`` is the graph edge whose geometry is ``lines[k]``.
    """

    projection: LocalProjection
    edges: IntArray
    lines: npt.NDArray[np.object_]
    tree: shapely.STRtree

    @classmethod
    def build(cls, graph: RoadGraph) -> SnapIndex:
        """Index every road segment of ``graph`` once (u < v, or the only direction there is)."""
        projection = LocalProjection(float(np.mean(graph.node_lat)))
        canonical = np.flatnonzero((graph.edge_rev < 0) | (graph.edge_u < graph.edge_v))
        lines = []
        for e in canonical:
            c = graph.edge_coords[e]
            x, y = projection.xy(c[:, 0], c[:, 1])
            lines.append(LineString(np.c_[x, y]))
        arr = np.array(lines, dtype=object)
        return cls(projection=projection, edges=canonical, lines=arr, tree=shapely.STRtree(arr))

    def snap(self, lon: npt.ArrayLike, lat: npt.ArrayLike, *, max_snap_m: float) -> Snap:
        """Snap points onto the nearest indexed segment; beyond ``max_snap_m`` they are off the network."""
        x, y = self.projection.xy(np.asarray(lon, dtype=float).ravel(), np.asarray(lat, dtype=float).ravel())
        finite = np.isfinite(x) & np.isfinite(y)
        pts = shapely.points(np.where(finite, x, 0.0), np.where(finite, y, 0.0))
        pi, li = self.tree.query_nearest(pts, all_matches=False)
        li = li[np.argsort(pi)]
        lines = self.lines[li]
        dist = shapely.distance(pts, lines)
        t = np.nan_to_num(shapely.line_locate_point(lines, pts, normalized=True), nan=0.0)
        dist = np.where(finite, dist, np.inf)
        return Snap(
            edge=self.edges[li],
            t=np.asarray(t, dtype=float),
            distance_m=dist,
            on_network=finite & (dist <= max_snap_m),
        )


@dataclass(frozen=True)
class Access:
    """How each snapped point joins the graph: two exit nodes and two entry nodes per point.

    Side 0 runs along the snapped edge's direction, side 1 against it (the reverse edge, or pushing
    the bike against a one-way street at walking pace). ``*_cost`` are seconds, ``*_len`` metres,
    between the point's place on the edge and the node; every array has shape (points, 2).
    """

    exit_node: IntArray
    exit_cost: FloatArray
    exit_len: FloatArray
    entry_node: IntArray
    entry_cost: FloatArray
    entry_len: FloatArray


def access(graph: RoadGraph, s: Snap) -> Access:
    """The exit and entry nodes of each snapped point, with the time and length to reach them."""
    e = s.edge
    r = graph.edge_rev[e]
    has_r = r >= 0
    te = graph.edge_time[e]
    le = graph.edge_len[e]
    # Against a one-way street the courier walks the motorbike back (walking pace): a stop at the
    # very start of a one-way segment can still leave through that node.
    tr = np.where(has_r, graph.edge_time[np.maximum(r, 0)], le / WALK_MPS)
    lr = np.where(has_r, graph.edge_len[np.maximum(r, 0)], le)
    return Access(
        exit_node=np.c_[graph.edge_v[e], graph.edge_u[e]],
        exit_cost=np.c_[(1 - s.t) * te, s.t * tr],
        exit_len=np.c_[(1 - s.t) * le, s.t * lr],
        entry_node=np.c_[graph.edge_u[e], graph.edge_v[e]],
        entry_cost=np.c_[s.t * te, (1 - s.t) * tr],
        entry_len=np.c_[s.t * le, (1 - s.t) * lr],
    )
