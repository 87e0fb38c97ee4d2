"""Placing points onto a :class:`~ektp_routes.network.graph.RoadGraph`: the nearest usable road
*segment* (not merely the nearest node), and the nodes through which a snapped point leaves and
enters the graph."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from ektp_routes.geodesy import BoolArray, FloatArray, IntArray, LocalProjection
from ektp_routes.i18n import log
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


#: Longest piece (m) of a road segment in the snapping index: a point's nearest road is searched among
#: the pieces whose middle lies within its distance to the nearest piece's segment plus half of this.
PIECE_M = 40.0
#: Beyond this distance (m) from every road a point gets the distance to the segment of its nearest
#: piece (at most PIECE_M / 2 too long) instead of an exact search over everything in that radius.
EXACT_WITHIN_M = 5_000.0
#: Lines indexed per block while the index is built.
_BLOCK = 50_000


@dataclass(frozen=True, eq=False)
class SnapIndex:
    """The road segments of one graph (canonical direction), cut into pieces of at most ``PIECE_M``
    whose midpoints sit in a k-d tree, in local metres.

    Line ``k`` is graph edge ``e = edges[k]``; its vertices are ``lonlat[offsets[e]:offsets[e + 1]]``,
    the graph's own arrays (not copied). Piece ``p`` lies on the segment from vertex
    ``piece_vertex[p]`` to the next one, of line ``piece_line[p]``. Arrays and a k-d tree instead of
    one shapely line per segment: a kabupaten network has hundreds of thousands of segments, and
    geometry objects would cost ~4x the memory.
    """

    projection: LocalProjection
    edges: IntArray
    lonlat: FloatArray
    offsets: IntArray
    piece_vertex: IntArray
    piece_line: IntArray
    tree: cKDTree

    @classmethod
    def build(cls, graph: RoadGraph, *, only: npt.NDArray[np.bool_] | None = None) -> SnapIndex:
        """Index every road segment of ``graph`` once (u < v, or the only direction there is).

        ``only`` (a mask over the edges, equal for an edge and its reverse) limits the index to those edges.
        """
        projection = LocalProjection(float(np.mean(graph.node_lat)))
        one_way = (graph.edge_rev < 0) | (graph.edge_u < graph.edge_v)
        canonical = np.flatnonzero(one_way if only is None else one_way & only)
        offsets = graph.edge_coords.offsets
        start, stop = offsets[canonical], offsets[canonical + 1]
        # In blocks of lines: the temporaries of a whole kabupaten's segments at once would cost more
        # than the index itself.
        parts = [
            _pieces(projection, graph.edge_coords.flat, start[b : b + _BLOCK], stop[b : b + _BLOCK], b)
            for b in range(0, len(canonical), _BLOCK)
        ] or [(np.zeros((0, 2)), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32))]
        mid, vertex, line = (np.concatenate([p[i] for p in parts]) for i in range(3))
        del parts
        return cls(
            projection=projection, edges=canonical, lonlat=graph.edge_coords.flat, offsets=offsets,
            piece_vertex=vertex, piece_line=line, tree=cKDTree(mid),
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.edges)

    def points(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray, BoolArray]:
        """Points in the index's metres (at the origin where a coordinate is missing) and which are finite."""
        x, y = self.projection.xy(np.asarray(lon, dtype=float).ravel(), np.asarray(lat, dtype=float).ravel())
        finite = np.isfinite(x) & np.isfinite(y)
        return np.where(finite, x, 0.0), np.where(finite, y, 0.0), finite

    def nearest(
        self, x: FloatArray, y: FloatArray, finite: BoolArray
    ) -> tuple[IntArray, FloatArray, FloatArray]:
        """Per point, the nearest line ``k``, the distance (m) to it and the fraction along it (0-1)."""
        _, piece = self.tree.query(np.c_[x, y])
        dist, along = _to_segment(x, y, *self._segment(piece))
        # The nearest segment's nearest piece lies within its distance plus half a piece: look at all
        # pieces that close (points far from every road keep their nearest piece's segment).
        todo = np.flatnonzero(dist <= EXACT_WITHIN_M)
        hits = self.tree.query_ball_point(np.c_[x[todo], y[todo]], dist[todo] + PIECE_M / 2 + 1e-6)
        lens = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(todo))
        if lens.sum():
            owner = np.repeat(todo, lens)
            cand = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits if len(h)])
            d, s = _to_segment(x[owner], y[owner], *self._segment(cand))
            order = np.lexsort((self.piece_line[cand], d, owner))  # nearest, then the lowest line
            best = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
            who = owner[best]
            piece[who], dist[who], along[who] = cand[best], d[best], s[best]
        line = self.piece_line[piece].astype(np.int64)
        return line, np.where(finite, dist, np.inf), self._fraction(piece, along)

    def snap(self, lon: npt.ArrayLike, lat: npt.ArrayLike, *, max_snap_m: float) -> Snap:
        """Snap points onto the nearest indexed segment; beyond ``max_snap_m`` they are off the network."""
        li, dist, t = self.nearest(*self.points(lon, lat))
        return Snap(
            edge=self.edges[li],
            t=t,
            distance_m=dist,
            on_network=np.isfinite(dist) & (dist <= max_snap_m),
            moved=np.zeros(len(li), dtype=bool),
        )

    def _segment(self, pieces: IntArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        return _segments(self.projection, self.lonlat, self.piece_vertex[pieces])

    def _fraction(self, pieces: IntArray, along: FloatArray) -> FloatArray:
        """Share of its line's length before the place ``along`` (0-1) the segment of each piece."""
        e = self.edges[self.piece_line[pieces]]
        first = self.offsets[e]
        n = np.maximum(self.offsets[e + 1] - first - 1, 1)
        owner = np.repeat(np.arange(len(e)), n)
        seg = np.repeat(first, n) + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        ax, ay, bx, by = _segments(self.projection, self.lonlat, seg)
        length = np.hypot(bx - ax, by - ay)
        vertex = self.piece_vertex[pieces][owner]
        before = np.bincount(owner, length * (seg < vertex), minlength=len(e))
        here = np.bincount(owner, length * (seg == vertex), minlength=len(e))
        total = np.bincount(owner, length, minlength=len(e))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, (before + along * here) / total, 0.0)


def _pieces(
    projection: LocalProjection, lonlat: FloatArray, start: IntArray, stop: IntArray, first_line: int
) -> tuple[FloatArray, IntArray, IntArray]:
    """The pieces of lines ``first_line``, ``first_line + 1``, ... (vertices ``start:stop`` each): their
    midpoints (m), the first vertex of their segment and their line."""
    nseg = np.maximum(stop - start - 1, 0)
    line = np.repeat(np.arange(len(start)), nseg)
    first = start[line] + np.arange(len(line)) - np.repeat(np.cumsum(nseg) - nseg, nseg)
    ax, ay, bx, by = _segments(projection, lonlat, first)
    pieces = np.maximum(np.ceil(np.hypot(bx - ax, by - ay) / PIECE_M), 1).astype(np.int64)
    seg = np.repeat(np.arange(len(first)), pieces)
    frac = (np.arange(len(seg)) - np.repeat(np.cumsum(pieces) - pieces, pieces) + 0.5) / pieces[seg]
    mid = np.c_[ax[seg] + frac * (bx - ax)[seg], ay[seg] + frac * (by - ay)[seg]]
    vertex_type = np.int32 if len(lonlat) < 2**31 else np.int64
    return mid, first[seg].astype(vertex_type), (line[seg] + first_line).astype(np.int32)


def _segments(
    projection: LocalProjection, lonlat: FloatArray, first: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Ends (m) of the segments from vertex ``first`` to the next one."""
    ax, ay = projection.xy(lonlat[first, 0], lonlat[first, 1])
    bx, by = projection.xy(lonlat[first + 1, 0], lonlat[first + 1, 1])
    return ax, ay, bx, by


def _to_segment(
    x: FloatArray, y: FloatArray, ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Distance (m) from each point to its segment, and where along it (0-1) the nearest place lies."""
    dx, dy = bx - ax, by - ay
    sq = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.clip(np.where(sq > 0, ((x - ax) * dx + (y - ay) * dy) / sq, 0.0), 0.0, 1.0)
    return np.hypot(x - (ax + s * dx), y - (ay + s * dy)), s


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
            log(logger, logging.WARNING, "log.no_main_network")
            return cls(main=SnapIndex.build(graph), fragments=None)
        rest = SnapIndex.build(graph, only=~touches)
        logger.info("snapping onto %d of %d directed edges (the main network)", touches.sum(), graph.n_edges)
        return cls(main=SnapIndex.build(graph, only=touches), fragments=rest if len(rest) else None)

    def snap(self, lon: npt.ArrayLike, lat: npt.ArrayLike, *, max_snap_m: float) -> Snap:
        """Snap onto the main network; ``moved`` marks points whose nearest road was a fragment."""
        s = self.main.snap(lon, lat, max_snap_m=max_snap_m)
        if self.fragments is None:
            return s
        _, frag_dist, _ = self.fragments.nearest(*self.main.points(lon, lat))
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
