"""Placing points onto a :class:`~ektp_routes.network.graph.RoadGraph`: the nearest usable road
*segment* (not merely the nearest node), and the nodes through which a snapped point leaves and
enters the graph."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
import shapely

from ektp_routes.network.geodesy import BoolArray, FloatArray, IntArray, LocalProjection
from ektp_routes.network.graph import RoadGraph
from ektp_routes.network.profiles import WALK_MPS

logger = logging.getLogger(__name__)

#: Which roads a point may be snapped to: those of the main network, or simply the nearest road.
Connectivity = Literal["main", "any"]


@dataclass(frozen=True)
class Snap:
    """Where points were snapped onto the network (vectorised).

    ``distance_m`` is the distance from the point to the road; ``edge`` the index of the (canonical
    direction of the) edge and ``t`` the fraction along it. Points farther than the threshold have
    ``on_network`` False. ``moved`` marks points whose nearest road lay on a fragment cut off from
    the main network, so they were placed on the nearest road of the main network instead.
    """

    edge: IntArray
    t: FloatArray
    distance_m: FloatArray
    on_network: npt.NDArray[np.bool_]
    moved: npt.NDArray[np.bool_]


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
    def build(cls, graph: RoadGraph, *, only: npt.NDArray[np.bool_] | None = None) -> SnapIndex:
        """Index every road segment of ``graph`` once (u < v, or the only direction there is).

        ``only`` (a mask over the edges, equal for an edge and its reverse) limits the index to those edges.
        """
        projection = LocalProjection(float(np.mean(graph.node_lat)))
        one_way = (graph.edge_rev < 0) | (graph.edge_u < graph.edge_v)
        canonical = np.flatnonzero(one_way if only is None else one_way & only)
        # All segments in one vectorised call: vertex k belongs to line owner[k].
        offsets = graph.edge_coords.offsets
        counts = offsets[canonical + 1] - offsets[canonical]
        first = np.repeat(offsets[canonical] - np.cumsum(np.r_[0, counts[:-1]]), counts)
        take = first + np.arange(counts.sum())
        x, y = projection.xy(graph.edge_coords.flat[take, 0], graph.edge_coords.flat[take, 1])
        owner = np.repeat(np.arange(len(canonical)), counts)
        arr = (
            np.asarray(shapely.linestrings(x, y, indices=owner), dtype=object).reshape(-1)
            if len(canonical)
            else np.empty(0, dtype=object)
        )
        return cls(projection=projection, edges=canonical, lines=arr, tree=shapely.STRtree(arr))

    def __len__(self) -> int:
        return len(self.edges)

    def points(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[npt.NDArray[np.object_], BoolArray]:
        """Points in the index's metres (at the origin where a coordinate is missing) and which are finite."""
        x, y = self.projection.xy(np.asarray(lon, dtype=float).ravel(), np.asarray(lat, dtype=float).ravel())
        finite = np.isfinite(x) & np.isfinite(y)
        return shapely.points(np.where(finite, x, 0.0), np.where(finite, y, 0.0)), finite

    def nearest(self, pts: npt.NDArray[np.object_], finite: BoolArray) -> tuple[IntArray, FloatArray]:
        """Per point, the position in the index of the nearest segment and the distance (m) to it."""
        pi, li = self.tree.query_nearest(pts, all_matches=False)
        li = li[np.argsort(pi)]
        dist = shapely.distance(pts, self.lines[li])
        return li, np.where(finite, dist, np.inf)

    def snap(self, lon: npt.ArrayLike, lat: npt.ArrayLike, *, max_snap_m: float) -> Snap:
        """Snap points onto the nearest indexed segment; beyond ``max_snap_m`` they are off the network."""
        pts, finite = self.points(lon, lat)
        li, dist = self.nearest(pts, finite)
        t = np.nan_to_num(shapely.line_locate_point(self.lines[li], pts, normalized=True), nan=0.0)
        return Snap(
            edge=self.edges[li],
            t=np.asarray(t, dtype=float),
            distance_m=dist,
            on_network=finite & (dist <= max_snap_m),
            moved=np.zeros(len(li), dtype=bool),
        )


@dataclass(frozen=True, eq=False)
class Snapper:
    """Snaps points onto the roads that connect with the main network.

    ``main`` indexes the roads that touch the graph's largest strongly connected component: from a
    point on one of them a courier reaches every other such point and comes back (riding, or pushing
    the bike a few metres against a one-way street). ``fragments`` indexes the rest (pieces cut off by
    the extract's boundary, one-way stubs leading out), only to tell which points were moved.
    """

    main: SnapIndex
    fragments: SnapIndex | None

    @classmethod
    def build(cls, graph: RoadGraph, *, connectivity: Connectivity = "main") -> Snapper:
        """Index ``graph``'s roads; with ``connectivity="any"`` every road counts (the nearest wins)."""
        if connectivity == "any":
            return cls(main=SnapIndex.build(graph), fragments=None)
        in_main = graph.main_component()
        touches = in_main[graph.edge_u] | in_main[graph.edge_v]
        if in_main.sum() < 2:
            logger.warning("the road graph has no strongly connected part; snapping to the nearest road")
            return cls(main=SnapIndex.build(graph), fragments=None)
        rest = SnapIndex.build(graph, only=~touches)
        logger.info("snapping onto %d of %d directed edges (the main network)", touches.sum(), graph.n_edges)
        return cls(main=SnapIndex.build(graph, only=touches), fragments=rest if len(rest) else None)

    def snap(self, lon: npt.ArrayLike, lat: npt.ArrayLike, *, max_snap_m: float) -> Snap:
        """Snap onto the main network; ``moved`` marks points whose nearest road was a fragment."""
        s = self.main.snap(lon, lat, max_snap_m=max_snap_m)
        if self.fragments is None:
            return s
        _, frag_dist = self.fragments.nearest(*self.main.points(lon, lat))
        return replace(s, moved=frag_dist < s.distance_m)


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
