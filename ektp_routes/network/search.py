"""Node-to-node searches on a road graph whose cost grows with the territory, not with the network.

A territory's stops lie within a few km; a Dijkstra run over the whole kabupaten network from each
stop explores hundreds of thousands of nodes it never needs. :class:`NodeSearch` with a margin
searches a subgraph instead: the nodes inside the bounding box of the wanted nodes plus the margin.
A fastest path may still leave the box, so every answer is checked against a lower bound on any path
that leaves it:

    such a path first gets out through a node ``b`` of the box with an edge to the outside, which
    costs at least ``R_s = min_b d_box(s, b)``, and last comes back in through a node ``b'`` with an
    edge from the outside, from where ``t`` costs at least ``R'_t = min_b' d_box(b', t)``. Each bound
    is also at least the straight distance to the box's edge at the network's top speed; each takes
    one multi-source Dijkstra over the box.

A time ``d_box(s, t) <= R_s + R'_t`` is therefore the true fastest time (an unreachable target that
no path from outside can enter is certainly unreachable). Answers that cannot be
certified are searched again in a box with twice the margin, up to the whole network, so the result
always equals the reference search (``margin_m=None``: one Dijkstra per source over the whole graph),
up to ties between equally fast paths.

Example
-------
>>> import numpy as np
>>> g = SearchGraph.from_arrays(x=np.array([0.0, 100, 200]), y=np.zeros(3),
...     edge_u=np.array([0, 1, 1, 2]), edge_v=np.array([1, 0, 2, 1]),
...     edge_time=np.array([10.0, 10, 10, 10]), edge_len=np.array([100.0, 100, 100, 100]))
>>> t, d = NodeSearch(g, margin_m=50).matrix(np.array([0]), np.array([2]))
>>> float(t[0, 0]), float(d[0, 0])
(20.0, 200.0)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from ektp_routes._errors import ConfigError
from ektp_routes.geodesy import FloatArray, IntArray, LocalProjection
from ektp_routes.network.graph import RoadGraph, lengths_all, lengths_to

logger = logging.getLogger(__name__)

#: Sources per Dijkstra call: bounds the (sources x nodes) arrays that scipy returns.
CHUNK = 64
#: Networks up to this many nodes are searched whole by default (a box would save little).
SMALL_NETWORK = 50_000
#: Default first margin around the wanted nodes (doubled where an answer cannot be certified).
DEFAULT_MARGIN_M = 2_000.0

Box = tuple[float, float, float, float]


class NodeMatrix(Protocol):
    """A many-to-many engine over the nodes of one graph: :class:`NodeSearch` (scipy's Dijkstra, the
    reference) or :class:`~ektp_routes.network.hierarchy.HierarchySearch` (a contraction hierarchy)."""

    def matrix(self, sources: IntArray, targets: IntArray) -> tuple[FloatArray, FloatArray]:
        """Fastest times (s) and their road lengths (m), sources x targets (both inf: no path)."""
        ...


@dataclass(frozen=True, eq=False)
class SearchGraph:
    """A directed graph for searches: planar node coordinates (m), edges sorted by (u, v), one per pair."""

    x: FloatArray
    y: FloatArray
    edge_u: IntArray
    edge_v: IntArray
    edge_time: FloatArray
    edge_len: FloatArray

    @classmethod
    def from_road_graph(cls, graph: RoadGraph) -> SearchGraph:
        """The search view of a :class:`RoadGraph` (nodes projected to metres around their mean latitude)."""
        x, y = LocalProjection(float(np.mean(graph.node_lat))).xy(graph.node_lon, graph.node_lat)
        return cls(x, y, graph.edge_u, graph.edge_v, graph.edge_time, graph.edge_len)

    @classmethod
    def from_arrays(
        cls, *, x: FloatArray, y: FloatArray, edge_u: IntArray, edge_v: IntArray, edge_time: FloatArray,
        edge_len: FloatArray,
    ) -> SearchGraph:  # fmt: skip
        """A graph from unsorted edge arrays (the fastest of parallel edges is kept)."""
        n = len(x)
        u, v = np.asarray(edge_u, dtype=np.int64), np.asarray(edge_v, dtype=np.int64)
        order = np.lexsort((np.asarray(edge_time), v, u))
        key = u[order] * n + v[order]
        keep = order[np.r_[True, key[1:] != key[:-1]]] if len(key) else order
        return cls(
            np.asarray(x, dtype=float), np.asarray(y, dtype=float), u[keep], v[keep],
            np.asarray(edge_time, dtype=float)[keep], np.asarray(edge_len, dtype=float)[keep],
        )  # fmt: skip

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.x)

    @cached_property
    def csr(self) -> csr_matrix:
        """Travel times as a sparse matrix (a tiny positive floor: csgraph drops explicit zeros)."""
        n = self.n_nodes
        return csr_matrix((np.maximum(self.edge_time, 1e-6), (self.edge_u, self.edge_v)), shape=(n, n))

    @cached_property
    def edge_key(self) -> IntArray:
        """``u * n + v`` per edge, sorted."""
        return self.edge_u * self.n_nodes + self.edge_v

    @cached_property
    def v_max(self) -> float:
        """The fastest straight-line speed (m/s) over any edge: no path is faster than this."""
        dx = self.x[self.edge_v] - self.x[self.edge_u]
        dy = self.y[self.edge_v] - self.y[self.edge_u]
        return float(np.max(np.hypot(dx, dy) / np.maximum(self.edge_time, 1e-6), initial=1e-9))

    def subgraph(self, keep: npt.NDArray[np.bool_]) -> tuple[SearchGraph, IntArray]:
        """The graph induced by the nodes ``keep``, and the new index of every old node (-1 if dropped)."""
        new_index = np.cumsum(keep) - 1
        new_index[~keep] = -1
        inside = keep[self.edge_u] & keep[self.edge_v]
        sub = SearchGraph(
            self.x[keep], self.y[keep], new_index[self.edge_u[inside]], new_index[self.edge_v[inside]],
            self.edge_time[inside], self.edge_len[inside],
        )  # fmt: skip
        return sub, new_index


@dataclass(frozen=True, eq=False)
class _Region:
    """The part of the graph one search round looks at, and the least time to leave or enter it.

    ``leave_s[i]``: no path from node ``i`` (of ``graph``) gets out of the box faster; ``enter_s[i]``:
    no path from outside the box gets to node ``i`` faster (both inf when impossible; both inf for
    the whole network, which has no outside).
    """

    graph: SearchGraph
    new_index: IntArray  # old node -> index in ``graph`` (-1 outside)
    old_index: IntArray  # index in ``graph`` -> old node
    leave_s: FloatArray
    enter_s: FloatArray

    @property
    def whole(self) -> bool:
        """Whether this is the whole network (no box)."""
        return len(self.old_index) == len(self.new_index)

    def certain(self, sources: IntArray, targets: IntArray, times: FloatArray) -> npt.NDArray[np.bool_]:
        """Which box times (sources x targets, or pairwise when both are 1-d of one length) are exact.

        ``sources``/``targets`` are indices in ``graph``; ``times`` has shape (len(sources), len(targets))
        or (len(sources),) for pairs.
        """
        if times.ndim == 1:
            return times <= self.leave_s[sources] + self.enter_s[targets]
        return times <= self.leave_s[sources][:, None] + self.enter_s[targets][None, :]


def _region(g: SearchGraph, box: Box | None) -> _Region:
    """The subgraph inside ``box`` (None: the whole graph) and its leave/enter bounds."""
    keep = np.ones(g.n_nodes, dtype=bool)
    if box is not None:
        x0, y0, x1, y1 = box
        keep = (g.x >= x0) & (g.x <= x1) & (g.y >= y0) & (g.y <= y1)
    if keep.all():
        everything = np.arange(g.n_nodes)
        never = np.full(g.n_nodes, np.inf)
        return _Region(g, everything, everything, never, never)
    sub, new = g.subgraph(keep)
    exits = np.unique(new[g.edge_u[keep[g.edge_u] & ~keep[g.edge_v]]])
    entries = np.unique(new[g.edge_v[~keep[g.edge_u] & keep[g.edge_v]]])
    # Straight-line bound: the box's edge at the network's top speed.
    x0, y0, x1, y1 = box  # type: ignore[misc]
    to_edge = np.minimum.reduce([sub.x - x0, x1 - sub.x, sub.y - y0, y1 - sub.y]) / g.v_max
    leave = _nearest_of(sub.csr.T.tocsr(), exits, sub.n_nodes)
    enter = _nearest_of(sub.csr, entries, sub.n_nodes)
    return _Region(sub, new, np.flatnonzero(keep), np.maximum(leave, to_edge), np.maximum(enter, to_edge))


def _nearest_of(csr: csr_matrix, starts: IntArray, n: int) -> FloatArray:
    """Time from the nearest of ``starts`` to every node (one multi-source Dijkstra)."""
    if len(starts) == 0:
        return np.full(n, np.inf)
    return np.asarray(dijkstra(csr, directed=True, indices=starts, min_only=True))


def check_margin(margin_m: float | None) -> None:
    """Refuse a search margin that is not a positive distance (None: the whole graph)."""
    if margin_m is not None and not margin_m > 0:
        raise ConfigError(f"the search margin must be positive (metres), not {margin_m}")


class NodeSearch:
    """Fastest times, lengths and paths between nodes of one graph.

    Parameters
    ----------
    graph
        The whole network's search view.
    margin_m
        First margin (m) around the wanted nodes' bounding box (at least half the box's longer side);
        None searches the whole graph (the reference). Both give the same times.
    chunk
        Sources per scipy call (bounds the sources x nodes arrays it returns).
    """

    def __init__(
        self, graph: SearchGraph, *, margin_m: float | None = DEFAULT_MARGIN_M, chunk: int = CHUNK
    ) -> None:
        check_margin(margin_m)
        if chunk < 1:
            raise ConfigError(f"chunk must be at least 1 source, not {chunk}")
        self.graph = graph
        self.margin_m = margin_m
        self.chunk = chunk

    def _rounds(self, nodes: IntArray) -> list[Box | None]:
        """The boxes to try, growing, ending with the whole graph (None)."""
        if self.margin_m is None or len(nodes) == 0:
            return [None]
        g = self.graph
        lo = (float(g.x[nodes].min()), float(g.y[nodes].min()))
        hi = (float(g.x[nodes].max()), float(g.y[nodes].max()))
        span = max(g.x.max() - g.x.min(), g.y.max() - g.y.min())
        boxes: list[Box | None] = []
        # Paths between points far apart need a wider box to be certain: start at half their span.
        m = max(self.margin_m, 0.5 * max(hi[0] - lo[0], hi[1] - lo[1]))
        while m < span:
            boxes.append((lo[0] - m, lo[1] - m, hi[0] + m, hi[1] + m))
            m *= 2
        return [*boxes, None]

    def box_nodes(self, nodes: IntArray) -> int:
        """How many nodes the first search round around ``nodes`` looks at (each source's Dijkstra
        covers them; the whole graph without a margin)."""
        box = self._rounds(np.asarray(nodes, dtype=np.int64))[0]
        g = self.graph
        if box is None:
            return g.n_nodes
        x0, y0, x1, y1 = box
        return int(np.count_nonzero((g.x >= x0) & (g.x <= x1) & (g.y >= y0) & (g.y <= y1)))

    def matrix(self, sources: IntArray, targets: IntArray) -> tuple[FloatArray, FloatArray]:
        """Fastest times (s) and their road lengths (m) from every source to every target node (both
        inf where there is no path)."""
        sources = np.asarray(sources, dtype=np.int64)
        targets = np.asarray(targets, dtype=np.int64)
        t = np.full((len(sources), len(targets)), np.inf)
        d = np.full((len(sources), len(targets)), np.inf)
        pending = np.arange(len(sources))
        for box in self._rounds(np.r_[sources, targets]):
            if len(pending) == 0:
                break
            region = _region(self.graph, box)
            tt, dd, done = _search_matrix(region, sources[pending], targets, self.chunk)
            t[pending[done]], d[pending[done]] = tt[done], dd[done]
            logger.debug("box %s: %d of %d rows certain", box, int(done.sum()), len(pending))
            pending = pending[~done]
        d[~np.isfinite(t)] = np.inf
        return t, d

    def pair_paths(self, sources: IntArray, targets: IntArray) -> tuple[FloatArray, list[list[int]]]:
        """For each pair k, the fastest time from ``sources[k]`` to ``targets[k]`` and its nodes.

        An unreachable pair has time inf and the path ``[source]``.
        """
        sources = np.asarray(sources, dtype=np.int64)
        targets = np.asarray(targets, dtype=np.int64)
        times = np.full(len(sources), np.inf)
        paths: list[list[int]] = [[int(s)] for s in sources]
        pending = np.arange(len(sources))
        for box in self._rounds(np.r_[sources, targets]):
            if len(pending) == 0:
                break
            region = _region(self.graph, box)
            pairs = (sources[pending], targets[pending])
            done = _search_paths(region, pairs, times, paths, pending)
            pending = pending[~done]
        return times, paths


def _search_matrix(
    region: _Region, sources: IntArray, targets: IntArray, chunk: int
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Times and lengths in ``region``, and which rows are certain throughout (see the module
    docstring); lengths are only computed for those rows."""
    g = region.graph
    src, tgt = region.new_index[sources], region.new_index[targets]
    t = np.empty((len(sources), len(targets)))
    d = np.full((len(sources), len(targets)), np.inf)
    sure = np.zeros(len(sources), dtype=bool)
    for start in range(0, len(src), chunk):
        rows = slice(start, start + chunk)
        dt, pred = dijkstra(g.csr, directed=True, indices=src[rows], return_predecessors=True)
        t[rows] = dt[:, tgt]
        ok = region.certain(src[rows], tgt, t[rows]).all(axis=1)
        sure[rows] = ok
        if region.whole:  # the reference: every node's length in one pass, as it always was
            d[start + np.flatnonzero(ok)] = lengths_all(g.edge_key, g.edge_len, pred[ok])[:, tgt]
        else:
            d[start + np.flatnonzero(ok)] = lengths_to(g.edge_key, g.edge_len, pred[ok], tgt)
    return t, d, sure


def _search_paths(
    region: _Region,
    pairs: tuple[IntArray, IntArray],
    times: FloatArray,
    paths: list[list[int]],
    slots: IntArray,
) -> npt.NDArray[np.bool_]:
    """Fill ``times``/``paths`` at ``slots`` for the pairs certain in ``region``; which ones were."""
    g = region.graph
    src, tgt = region.new_index[pairs[0]], region.new_index[pairs[1]]
    uniq, row = np.unique(src, return_inverse=True)
    dt, pred = dijkstra(g.csr, directed=True, indices=uniq, return_predecessors=True)
    t = dt[row, tgt]
    sure = region.certain(src, tgt, t)
    for k in np.flatnonzero(sure):
        times[slots[k]] = t[k]
        if np.isfinite(t[k]):
            nodes = _walk_back(pred[row[k]], int(uniq[row[k]]), int(tgt[k]))
            paths[slots[k]] = [int(n) for n in region.old_index[nodes]]
    return sure


def _walk_back(pred_row: npt.NDArray[np.int32], source: int, target: int) -> list[int]:
    """Nodes from ``source`` to ``target`` along a predecessor row (``[source]`` if unreachable)."""
    nodes = [target]
    cur = target
    while cur != source:
        cur = int(pred_row[cur])
        if cur < 0:
            return [source]
        nodes.append(cur)
    return nodes[::-1]
