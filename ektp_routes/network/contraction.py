"""Contraction hierarchies: a road graph prepared once so that many-to-many queries stay small.

Nodes are removed ("contracted") one at a time, least important first. Removing node ``v`` keeps
every fastest path that ran through it by adding a shortcut ``u -> w`` for each neighbour pair whose
fastest connection was ``u -> v -> w``; a bounded Dijkstra from ``u`` that avoids ``v`` (the witness
search) decides whether another path is as fast, in which case no shortcut is needed. A shortcut that
is not needed but added anyway (the witness search gave up at its limit) costs only space, never
correctness. Each shortcut carries the travel time *and* the road length of the path it replaces.

The order: a node's priority is its edge difference (shortcuts it would add minus edges it removes)
plus the number of its neighbours already contracted (which spreads the contraction evenly over the
map); priorities are kept up to date for the neighbours of each contracted node, and rechecked
lazily when a node comes to the top of the queue.

The result, :class:`Hierarchy`, renumbers the nodes by their contraction order (``rank``) and keeps
two upward graphs: ``up`` (edges to a higher node, searched forward from a source) and ``down``
(edges from a higher node, reversed, searched backward from a target). A fastest path always climbs
to its highest node and comes down again, so a forward upward search from the source and a backward
upward search from the target meet on it (see :mod:`ektp_routes.network.hierarchy`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numba import njit

from ektp_routes.network import _heap
from ektp_routes.network.geodesy import FloatArray, IntArray
from ektp_routes.network.graph import RoadGraph

logger = logging.getLogger(__name__)

#: Settled-node limits of a witness search: while estimating a priority, and while contracting.
SIMULATE_LIMIT = 60
CONTRACT_LIMIT = 400
#: Travel-time floor (s) of an edge, as in the scipy searches (csgraph drops explicit zeros).
MIN_TIME_S = 1e-6

# The graph while it is contracted: edge k runs ei[k, 0] -> ei[k, 1]; ei[k, 2] / ei[k, 3] are the next
# edge out of its tail / into its head (-1 ends the list); ef[k] = (seconds, metres).
_FROM, _TO, _NEXT_OUT, _NEXT_IN = 0, 1, 2, 3


@dataclass(frozen=True, eq=False)
class UpwardGraph:
    """Edges to higher-ranked nodes, as CSR over ranks: edges of node r are ``ptr[r]:ptr[r + 1]``."""

    ptr: IntArray
    head: npt.NDArray[np.int32]
    time: FloatArray
    length: FloatArray


@dataclass(frozen=True, eq=False)
class Hierarchy:
    """A contracted graph: ``rank[node]`` is the node's contraction order (and its index in ``up``
    and ``down``); ``up`` holds edges r -> higher, ``down`` the edges higher -> r, reversed."""

    rank: npt.NDArray[np.int32]
    up: UpwardGraph
    down: UpwardGraph

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.rank)

    @property
    def n_edges(self) -> int:
        """Edges of both upward graphs (original edges and shortcuts)."""
        return len(self.up.head) + len(self.down.head)


def contract_graph(graph: RoadGraph) -> Hierarchy:
    """The contraction hierarchy of a road graph (its travel times, and lengths along them)."""
    return contract(graph.n_nodes, graph.edge_u, graph.edge_v, graph.edge_time, graph.edge_len)


def contract(
    n_nodes: int, edge_u: IntArray, edge_v: IntArray, edge_time: FloatArray, edge_len: FloatArray
) -> Hierarchy:
    """Contract a directed graph of ``n_nodes`` nodes (any edges; self-loops are ignored, the fastest
    of parallel edges counts)."""
    start = time.perf_counter()
    u = np.asarray(edge_u, dtype=np.int64)
    v = np.asarray(edge_v, dtype=np.int64)
    keep = u != v
    t = np.maximum(np.asarray(edge_time, dtype=float), MIN_TIME_S)[keep]
    length = np.asarray(edge_len, dtype=float)[keep]
    u, v = u[keep], v[keep]
    cap = max(16, 2 * len(u))
    ei = np.empty((cap, 4), dtype=np.int64)
    ef = np.empty((cap, 2))
    out_head = np.full(n_nodes, -1, dtype=np.int64)
    in_head = np.full(n_nodes, -1, dtype=np.int64)
    m = _load_edges(u, v, t, length, ei, ef, out_head, in_head)
    rank, ei, ef, m = _contract_all(out_head, in_head, ei, ef, m)
    h = _hierarchy(rank, ei[:m], ef[:m])
    logger.info(
        "contracted %d nodes in %.1f s: %d original edges, %d upward edges", n_nodes,
        time.perf_counter() - start, len(u), h.n_edges,
    )  # fmt: skip
    return h


@njit(cache=True, nogil=True)
def _load_edges(
    u: IntArray, v: IntArray, t: FloatArray, length: FloatArray, ei: IntArray, ef: FloatArray,
    out_head: IntArray, in_head: IntArray,
) -> int:  # fmt: skip
    """Put the original edges into the linked lists (the fastest of parallel edges wins); the count."""
    m = 0
    for k in range(len(u)):
        ei, ef, m = _offer(u[k], v[k], t[k], length[k], ei, ef, m, out_head, in_head)
    return m


@njit(cache=True, nogil=True)
def _offer(
    a: int, b: int, t: float, length: float, ei: IntArray, ef: FloatArray, m: int, out_head: IntArray,
    in_head: IntArray,
) -> tuple[IntArray, FloatArray, int]:  # fmt: skip
    """Add edge a -> b, or make the existing one faster; the (possibly grown) arrays and the count."""
    e = out_head[a]
    while e >= 0:
        if ei[e, _TO] == b:
            if t < ef[e, 0]:
                ef[e, 0], ef[e, 1] = t, length
            return ei, ef, m
        e = ei[e, _NEXT_OUT]
    if m == len(ei):
        ei2 = np.empty((2 * m, 4), dtype=np.int64)
        ef2 = np.empty((2 * m, 2))
        ei2[:m] = ei
        ef2[:m] = ef
        ei, ef = ei2, ef2
    ei[m, _FROM], ei[m, _TO], ei[m, _NEXT_OUT], ei[m, _NEXT_IN] = a, b, out_head[a], in_head[b]
    ef[m, 0], ef[m, 1] = t, length
    out_head[a] = m
    in_head[b] = m
    return ei, ef, m + 1


@njit(cache=True, nogil=True)
def _witness(
    src: int, skip: int, bound: float, limit: int, out_head: IntArray, ei: IntArray, ef: FloatArray,
    done: np.ndarray, dist: FloatArray, touched: IntArray, heap: _heap.Heap,
) -> int:  # fmt: skip
    """Dijkstra from ``src`` over the nodes not yet contracted, avoiding ``skip``, until ``bound``
    seconds or ``limit`` settled nodes; fills ``dist`` and returns how many nodes it touched."""
    keys, nodes, pos = heap
    dist[src] = 0.0
    touched[0] = src
    nt = 1
    size = _heap.push(keys, nodes, pos, 0, src, 0.0)
    settled = 0
    while size > 0 and settled < limit:
        x, d, size = _heap.pop(keys, nodes, pos, size)
        if d > bound:
            break
        settled += 1
        e = out_head[x]
        while e >= 0:
            w = ei[e, _TO]
            if not done[w] and w != skip:
                nd = d + ef[e, 0]
                if nd < dist[w]:
                    if dist[w] == np.inf:
                        touched[nt] = w
                        nt += 1
                    dist[w] = nd
                    size = _heap.push(keys, nodes, pos, size, w, nd)
            e = ei[e, _NEXT_OUT]
    _heap.clear(nodes, pos, size)
    return nt


@njit(cache=True, nogil=True)
def _neighbours(
    v: int, head: IntArray, ei: IntArray, ef: FloatArray, done: np.ndarray, outgoing: bool
) -> tuple[IntArray, FloatArray, FloatArray]:
    """The live neighbours of ``v`` (out- or in-), with the edges' seconds and metres."""
    link, end = (_NEXT_OUT, _TO) if outgoing else (_NEXT_IN, _FROM)
    count = 0
    e = head[v]
    while e >= 0:
        if not done[ei[e, end]]:
            count += 1
        e = ei[e, link]
    who = np.empty(count, dtype=np.int64)
    secs = np.empty(count)
    metres = np.empty(count)
    k = 0
    e = head[v]
    while e >= 0:
        if not done[ei[e, end]]:
            who[k], secs[k], metres[k] = ei[e, end], ef[e, 0], ef[e, 1]
            k += 1
        e = ei[e, link]
    return who, secs, metres


@njit(cache=True, nogil=True)
def _shortcuts(
    v: int, limit: int, out_head: IntArray, in_head: IntArray, ei: IntArray, ef: FloatArray,
    done: np.ndarray, dist: FloatArray, touched: IntArray, heap: _heap.Heap,
) -> tuple[IntArray, FloatArray, int]:  # fmt: skip
    """The shortcuts contracting ``v`` needs: rows (u, w) and (seconds, metres); and the number of
    live edges it removes."""
    ins, in_t, in_l = _neighbours(v, in_head, ei, ef, done, False)
    outs, out_t, out_l = _neighbours(v, out_head, ei, ef, done, True)
    pairs = np.empty((len(ins) * len(outs), 2), dtype=np.int64)
    cost = np.empty((len(ins) * len(outs), 2))
    k = 0
    for i in range(len(ins)):
        u = ins[i]
        bound = -1.0
        for j in range(len(outs)):
            if outs[j] != u:
                bound = max(bound, in_t[i] + out_t[j])
        if bound < 0:
            continue
        nt = _witness(u, v, bound, limit, out_head, ei, ef, done, dist, touched, heap)
        for j in range(len(outs)):
            w = outs[j]
            if w != u and dist[w] > in_t[i] + out_t[j]:
                pairs[k, 0], pairs[k, 1] = u, w
                cost[k, 0], cost[k, 1] = in_t[i] + out_t[j], in_l[i] + out_l[j]
                k += 1
        for q in range(nt):
            dist[touched[q]] = np.inf
    return pairs[:k], cost[:k], len(ins) + len(outs)


@njit(cache=True, nogil=True)
def _priority(
    v: int, out_head: IntArray, in_head: IntArray, ei: IntArray, ef: FloatArray, done: np.ndarray,
    gone: IntArray, dist: FloatArray, touched: IntArray, heap: _heap.Heap,
) -> float:  # fmt: skip
    """Edge difference plus contracted neighbours (smaller: contract sooner)."""
    pairs, _, removed = _shortcuts(v, SIMULATE_LIMIT, out_head, in_head, ei, ef, done, dist, touched, heap)
    return float(len(pairs) - removed + gone[v])


@njit(cache=True, nogil=True)
def _contract_all(
    out_head: IntArray, in_head: IntArray, ei: IntArray, ef: FloatArray, m: int
) -> tuple[IntArray, IntArray, FloatArray, int]:
    """Contract every node; (rank per node, all edges and shortcuts, their count)."""
    n = len(out_head)
    done = np.zeros(n, dtype=np.bool_)
    gone = np.zeros(n, dtype=np.int64)
    dist = np.full(n, np.inf)
    touched = np.empty(n, dtype=np.int64)
    heap = _heap.scratch(n)
    queue = _heap.scratch(n)
    qk, qn, qp = queue
    size = 0
    for v in range(n):
        p = _priority(v, out_head, in_head, ei, ef, done, gone, dist, touched, heap)
        size = _heap.push(qk, qn, qp, size, v, p)
    rank = np.empty(n, dtype=np.int64)
    r = 0
    while size > 0:
        v = qn[0]
        p = _priority(v, out_head, in_head, ei, ef, done, gone, dist, touched, heap)
        size = _heap.push(qk, qn, qp, size, v, p)  # lazy update: still the least?
        if qn[0] != v:
            continue
        _, _, size = _heap.pop(qk, qn, qp, size)
        pairs, cost, _ = _shortcuts(v, CONTRACT_LIMIT, out_head, in_head, ei, ef, done, dist, touched, heap)
        for k in range(len(pairs)):
            ei, ef, m = _offer(pairs[k, 0], pairs[k, 1], cost[k, 0], cost[k, 1], ei, ef, m, out_head, in_head)
        done[v] = True
        rank[v] = r
        r += 1
        size = _update_neighbours(v, out_head, in_head, ei, ef, done, gone, dist, touched, heap, queue, size)
    return rank, ei, ef, m


@njit(cache=True, nogil=True)
def _update_neighbours(
    v: int, out_head: IntArray, in_head: IntArray, ei: IntArray, ef: FloatArray, done: np.ndarray,
    gone: IntArray, dist: FloatArray, touched: IntArray, heap: _heap.Heap,
    queue: _heap.Heap, size: int,
) -> int:  # fmt: skip
    """After contracting ``v``: count it as gone for each live neighbour and refresh their priorities."""
    qk, qn, qp = queue
    outs, _, _ = _neighbours(v, out_head, ei, ef, done, True)
    ins, _, _ = _neighbours(v, in_head, ei, ef, done, False)
    both = np.unique(np.concatenate((outs, ins)))
    for x in both:
        gone[x] += 1
    for x in both:
        p = _priority(x, out_head, in_head, ei, ef, done, gone, dist, touched, heap)
        size = _heap.push(qk, qn, qp, size, x, p)
    return size


def _hierarchy(rank: IntArray, ei: IntArray, ef: FloatArray) -> Hierarchy:
    """Split every edge and shortcut into the upward graphs, indexed by rank."""
    n = len(rank)
    ra, rb = rank[ei[:, _FROM]], rank[ei[:, _TO]]
    up = rb > ra
    return Hierarchy(
        rank=rank.astype(np.int32),
        up=_csr(n, ra[up], rb[up], ef[up, 0], ef[up, 1]),
        down=_csr(n, rb[~up], ra[~up], ef[~up, 0], ef[~up, 1]),
    )


def _csr(n: int, tail: IntArray, head: IntArray, t: FloatArray, length: FloatArray) -> UpwardGraph:
    order = np.argsort(tail, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n), out=ptr[1:])
    return UpwardGraph(
        ptr=ptr, head=head[order].astype(np.int32), time=t[order].copy(), length=length[order].copy()
    )
