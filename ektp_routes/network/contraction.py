"""Contraction hierarchies: a road graph prepared once so that many-to-many queries stay small.

Nodes are removed ("contracted") one at a time, least important first. Removing node ``v`` keeps
every fastest path that ran through it by adding a shortcut ``u -> w`` for each neighbour pair whose
fastest connection was ``u -> v -> w``; a bounded Dijkstra from ``u`` that avoids ``v`` (the witness
search) decides whether another path is as fast, in which case no shortcut is needed. A shortcut that
is not needed but added anyway (the witness search gave up at its limit) costs only space, never
correctness. Each shortcut carries the travel time *and* the road length of the path it replaces.

The order (as RoutingKit orders it): a node's priority is its level (one more than the highest level
of the neighbours contracted before it, which spreads the contraction evenly over the map) plus the
shortcuts it would add per edge it removes, plus the original edges those shortcuts stand for per
original edge removed. Priorities are recomputed lazily when a node comes to the top of the queue,
and for the neighbours of each contracted node that have few edges left (the others only have
their level raised). The edges of a contracted node leave its neighbours' lists, so searches see
only the graph still to contract; a witness search stops once it has settled every neighbour it
looks for.

Contraction can give up: a :class:`ContractionBudget` caps the witness-search work and the number of
shortcuts (both counted, so the same graph always stops at the same node). A plain grid with no road
hierarchy is the hard case; when the budget runs out :func:`contract` raises
:class:`ContractionGaveUp` and callers use the Dijkstra searches instead.

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

from ektp_routes._errors import ConfigError, NetworkError
from ektp_routes.geodesy import FloatArray, IntArray
from ektp_routes.network import _heap
from ektp_routes.network.graph import RoadGraph

logger = logging.getLogger(__name__)

#: Settled-node limits of a witness search: when a node is contracted, and when its priority is
#: estimated (a smaller limit only overestimates the shortcuts).
WITNESS_LIMIT = 500
SIMULATE_LIMIT = 50
#: A neighbour of a contracted node with at most this many live edges gets its priority recomputed;
#: one with more only its level raised (recomputed lazily when it reaches the top of the queue): on a
#: plain grid, recomputing every neighbour tripled the contraction time for 15% faster queries.
RESIMULATE_DEGREE = 12
#: Travel-time floor (s) of an edge, as in the scipy searches (csgraph drops explicit zeros).
MIN_TIME_S = 1e-6

# The graph while it is contracted: edge k runs ei[k, 0] -> ei[k, 1]; ei[k, 2] / ei[k, 3] are the next
# live edge out of its tail / into its head (-1 ends the list; int32: node and edge numbers of a road
# network fit, half the memory); ef[k] = (seconds, metres, original edges it stands for).
_FROM, _TO, _NEXT_OUT, _NEXT_IN = 0, 1, 2, 3


class ContractionGaveUp(NetworkError):
    """Contraction ran out of its :class:`ContractionBudget` (the message says where and why)."""


@dataclass(frozen=True)
class ContractionBudget:
    """How much contraction may do before it gives up; counted, never timed, so deterministic.

    Parameters
    ----------
    work_per_edge
        Witness-search steps (nodes settled plus edges scanned) per original edge. The shipped real
        extracts need 150-190 and a 40,000-node plain grid about 2,000 (the steps per edge grow with
        the square root of a grid's size). Contraction runs about 50 million steps per CPU-second, so
        the default stops a network of a million edges after about 3-4 CPU-minutes.
    edge_growth
        Edges and shortcuts stored per original edge (about 1.6 on the real extracts, 2.5 on a grid).
    """

    work_per_edge: float = 10_000.0
    edge_growth: float = 8.0

    def __post_init__(self) -> None:
        if not (self.work_per_edge > 0 and self.edge_growth >= 1):
            raise ConfigError(
                f"a contraction budget needs work_per_edge > 0 and edge_growth >= 1, not "
                f"{self.work_per_edge} and {self.edge_growth}"
            )


#: The budget :func:`contract` uses unless given one.
DEFAULT_BUDGET = ContractionBudget()


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


def contract_graph(graph: RoadGraph, *, budget: ContractionBudget | None = None) -> Hierarchy:
    """The contraction hierarchy of a road graph (its travel times, and lengths along them); raises
    :class:`ContractionGaveUp` if it needs more than ``budget`` (default :data:`DEFAULT_BUDGET`)."""
    return contract(graph.n_nodes, graph.edge_u, graph.edge_v, graph.edge_time, graph.edge_len, budget=budget)


def contract(
    n_nodes: int, edge_u: IntArray, edge_v: IntArray, edge_time: FloatArray, edge_len: FloatArray, *,
    budget: ContractionBudget | None = None,
) -> Hierarchy:  # fmt: skip
    """Contract a directed graph of ``n_nodes`` nodes (any edges; self-loops are ignored, the fastest
    of parallel edges counts); raises :class:`ContractionGaveUp` past ``budget``."""
    start, cpu = time.perf_counter(), time.process_time()
    budget = budget or DEFAULT_BUDGET
    u = np.asarray(edge_u, dtype=np.int64)
    v = np.asarray(edge_v, dtype=np.int64)
    keep = u != v
    t = np.maximum(np.asarray(edge_time, dtype=float), MIN_TIME_S)[keep]
    length = np.asarray(edge_len, dtype=float)[keep]
    u, v = u[keep], v[keep]
    cap = max(16, 2 * len(u))
    ei = np.empty((cap, 4), dtype=np.int32)
    ef = np.empty((cap, 3))
    out_head = np.full(n_nodes, -1, dtype=np.int64)
    in_head = np.full(n_nodes, -1, dtype=np.int64)
    m = _load_edges(u, v, t, length, ei, ef, out_head, in_head)
    limits = np.array([budget.work_per_edge * (m + 1000), budget.edge_growth * (m + 1000)])
    rank, ei, ef, m, work = _contract_all(out_head, in_head, ei, ef, m, limits)
    done = int((rank >= 0).sum())
    if done < n_nodes:
        raise ContractionGaveUp(_gave_up(n_nodes, done, m, work, limits, time.process_time() - cpu))
    h = _hierarchy(rank, ei[:m], ef[:m])
    logger.info(
        "contracted %d nodes in %.1f s: %d original edges, %d upward edges, %.0f witness steps per edge",
        n_nodes, time.perf_counter() - start, len(u), h.n_edges, work / max(len(u), 1),
    )  # fmt: skip
    return h


def _gave_up(n: int, done: int, m: int, work: float, limits: FloatArray, cpu_s: float) -> str:
    """Why contraction stopped, in one line."""
    what = "witness-search work" if work >= limits[0] else "shortcuts"
    return (
        f"contraction gave up after {done:,} of {n:,} nodes ({cpu_s:.0f} CPU-s): its budget of {what} "
        f"ran out ({work:,.0f} search steps, {m:,} edges and shortcuts); the network has no road "
        "hierarchy to exploit (a plain grid?)"
    )


@njit(cache=True, nogil=True)
def _load_edges(
    u: IntArray, v: IntArray, t: FloatArray, length: FloatArray, ei: _heap.Index, ef: FloatArray,
    out_head: IntArray, in_head: IntArray,
) -> int:  # fmt: skip
    """Put the original edges into the linked lists (the fastest of parallel edges wins); the count."""
    m = 0
    for k in range(len(u)):
        ei, ef, m = _offer(u[k], v[k], t[k], length[k], 1.0, ei, ef, m, out_head, in_head)
    return m


@njit(cache=True, nogil=True)
def _offer(
    a: int, b: int, t: float, length: float, hops: float, ei: _heap.Index, ef: FloatArray, m: int,
    out_head: IntArray, in_head: IntArray,
) -> tuple[_heap.Index, FloatArray, int]:  # fmt: skip
    """Add edge a -> b, or make the existing one faster; the (possibly grown) arrays and the count."""
    e = out_head[a]
    while e >= 0:
        if ei[e, _TO] == b:
            if t < ef[e, 0]:
                ef[e, 0], ef[e, 1], ef[e, 2] = t, length, hops
            return ei, ef, m
        e = ei[e, _NEXT_OUT]
    if m == len(ei):
        ei2 = np.empty((2 * m, 4), dtype=np.int32)
        ef2 = np.empty((2 * m, 3))
        ei2[:m] = ei
        ef2[:m] = ef
        ei, ef = ei2, ef2
    ei[m, _FROM], ei[m, _TO], ei[m, _NEXT_OUT], ei[m, _NEXT_IN] = a, b, out_head[a], in_head[b]
    ef[m, 0], ef[m, 1], ef[m, 2] = t, length, hops
    out_head[a] = m
    in_head[b] = m
    return ei, ef, m + 1


@njit(cache=True, nogil=True)
def _witness(
    src: int, skip: int, bound: float, wanted: int, limit: int, out_head: IntArray, ei: _heap.Index,
    ef: FloatArray, dist: FloatArray, touched: IntArray, target: np.ndarray, heap: _heap.Heap,
) -> tuple[int, int]:  # fmt: skip
    """Dijkstra from ``src`` over the live graph without ``skip``, until ``bound`` seconds, the
    ``wanted`` nodes marked in ``target`` are all settled, or :data:`WITNESS_LIMIT` nodes are; fills
    ``dist``; returns how many nodes it touched and its steps (nodes settled plus edges scanned)."""
    keys, nodes, pos = heap
    dist[src] = 0.0
    touched[0] = src
    nt = 1
    size = _heap.push(keys, nodes, pos, 0, src, 0.0)
    settled, steps = 0, 0
    while size > 0 and settled < limit and wanted > 0:
        x, d, size = _heap.pop(keys, nodes, pos, size)
        if d > bound:
            break
        settled += 1
        if target[x]:
            wanted -= 1
        e = out_head[x]
        while e >= 0:
            steps += 1
            w = ei[e, _TO]
            if w != skip:
                nd = d + ef[e, 0]
                if nd < dist[w]:
                    if dist[w] == np.inf:
                        touched[nt] = w
                        nt += 1
                    dist[w] = nd
                    size = _heap.push(keys, nodes, pos, size, w, nd)
            e = ei[e, _NEXT_OUT]
    _heap.clear(nodes, pos, size)
    return nt, steps + settled


@njit(cache=True, nogil=True)
def _neighbours(
    v: int, head: IntArray, ei: _heap.Index, ef: FloatArray, outgoing: bool
) -> tuple[IntArray, FloatArray]:
    """The neighbours of ``v`` in its live list (out- or in-), with the edges' (seconds, metres, hops)."""
    link, end = (_NEXT_OUT, _TO) if outgoing else (_NEXT_IN, _FROM)
    count = _degree(v, head, ei, link)
    who = np.empty(count, dtype=np.int64)
    cost = np.empty((count, 3))
    e = head[v]
    for k in range(count):
        who[k] = ei[e, end]
        cost[k] = ef[e]
        e = ei[e, link]
    return who, cost


@njit(cache=True, nogil=True)
def _shortcuts(
    v: int, limit: int, out_head: IntArray, in_head: IntArray, ei: _heap.Index, ef: FloatArray,
    dist: FloatArray, touched: IntArray, target: np.ndarray, heap: _heap.Heap, work: FloatArray,
) -> tuple[IntArray, FloatArray, float, float]:  # fmt: skip
    """The shortcuts contracting ``v`` needs: rows (u, w) and (seconds, metres, hops); and the edges
    and original edges it removes. Adds the witness searches' steps to ``work[0]``."""
    ins, cin = _neighbours(v, in_head, ei, ef, False)
    outs, cout = _neighbours(v, out_head, ei, ef, True)
    pairs = np.empty((len(ins) * len(outs), 2), dtype=np.int64)
    cost = np.empty((len(ins) * len(outs), 3))
    k = 0
    for i in range(len(ins)):
        u = ins[i]
        bound, wanted = -1.0, 0
        for j in range(len(outs)):
            if outs[j] != u:
                bound = max(bound, cin[i, 0] + cout[j, 0])
                target[outs[j]] = True
                wanted += 1
        if wanted == 0:
            continue
        nt, steps = _witness(u, v, bound, wanted, limit, out_head, ei, ef, dist, touched, target, heap)
        work[0] += steps
        for j in range(len(outs)):
            w = outs[j]
            target[w] = False
            if w != u and dist[w] > cin[i, 0] + cout[j, 0]:
                pairs[k, 0], pairs[k, 1] = u, w
                cost[k] = cin[i] + cout[j]
                k += 1
        for q in range(nt):
            dist[touched[q]] = np.inf
    removed_hops = cin[:, 2].sum() + cout[:, 2].sum()
    return pairs[:k], cost[:k], float(len(ins) + len(outs)), removed_hops


@njit(cache=True, nogil=True)
def _priority(
    v: int, level: IntArray, out_head: IntArray, in_head: IntArray, ei: _heap.Index, ef: FloatArray,
    dist: FloatArray, touched: IntArray, target: np.ndarray, heap: _heap.Heap, work: FloatArray,
) -> float:  # fmt: skip
    """Level, plus shortcuts added per edge removed, plus original edges added per original edge
    removed (smaller: contract sooner)."""
    pairs, cost, removed, removed_hops = _shortcuts(
        v, SIMULATE_LIMIT, out_head, in_head, ei, ef, dist, touched, target, heap, work
    )
    if removed == 0:
        return float(level[v])
    return level[v] + len(pairs) / removed + cost[:, 2].sum() / removed_hops


@njit(cache=True, nogil=True)
def _contract_all(
    out_head: IntArray, in_head: IntArray, ei: _heap.Index, ef: FloatArray, m: int, limits: FloatArray
) -> tuple[IntArray, _heap.Index, FloatArray, int, float]:
    """Contract every node, or stop when ``limits`` (search steps, stored edges) are passed; (rank per
    node, -1 for nodes left; all edges and shortcuts; their count; the search steps)."""
    n = len(out_head)
    level = np.zeros(n, dtype=np.int64)
    dist = np.full(n, np.inf)
    touched = np.empty(n, dtype=np.int64)
    target = np.zeros(n, dtype=np.bool_)
    heap = _heap.scratch(n)
    queue = _heap.scratch(n)
    qk, qn, qp = queue
    work = np.zeros(1)
    size = 0
    for v in range(n):
        p = _priority(v, level, out_head, in_head, ei, ef, dist, touched, target, heap, work)
        size = _heap.push(qk, qn, qp, size, v, p)
    rank = np.full(n, -1, dtype=np.int64)
    r = 0
    while size > 0 and work[0] < limits[0] and m < limits[1]:
        v = qn[0]
        p = _priority(v, level, out_head, in_head, ei, ef, dist, touched, target, heap, work)
        size = _heap.push(qk, qn, qp, size, v, p)  # lazy update: still the least?
        if qn[0] != v:
            continue
        _, _, size = _heap.pop(qk, qn, qp, size)
        pairs, cost, _, _ = _shortcuts(
            v, WITNESS_LIMIT, out_head, in_head, ei, ef, dist, touched, target, heap, work
        )
        for k in range(len(pairs)):
            a, b = pairs[k, 0], pairs[k, 1]
            ei, ef, m = _offer(a, b, cost[k, 0], cost[k, 1], cost[k, 2], ei, ef, m, out_head, in_head)
        rank[v] = r
        r += 1
        size = _after_contracting(
            v, level, out_head, in_head, ei, ef, dist, touched, target, heap, work, queue, size
        )
    return rank, ei, ef, m, work[0]


@njit(cache=True, nogil=True)
def _after_contracting(
    v: int, level: IntArray, out_head: IntArray, in_head: IntArray, ei: _heap.Index, ef: FloatArray,
    dist: FloatArray, touched: IntArray, target: np.ndarray, heap: _heap.Heap, work: FloatArray,
    queue: _heap.Heap, size: int,
) -> int:  # fmt: skip
    """Take ``v``'s edges out of its neighbours' lists, raise their levels, refresh their priorities."""
    qk, qn, qp = queue
    outs, _ = _neighbours(v, out_head, ei, ef, True)
    ins, _ = _neighbours(v, in_head, ei, ef, False)
    both = np.unique(np.concatenate((outs, ins)))
    for x in both:
        _unlink(x, v, out_head, ei, _NEXT_OUT, _TO)
        _unlink(x, v, in_head, ei, _NEXT_IN, _FROM)
        rise = max(0, level[v] + 1 - level[x])
        level[x] += rise
        if _degree(x, out_head, ei, _NEXT_OUT) + _degree(x, in_head, ei, _NEXT_IN) <= RESIMULATE_DEGREE:
            p = _priority(x, level, out_head, in_head, ei, ef, dist, touched, target, heap, work)
            size = _heap.push(qk, qn, qp, size, x, p)
        elif rise > 0:
            size = _heap.push(qk, qn, qp, size, x, qk[qp[x]] + rise)
    return size


@njit(cache=True, nogil=True)
def _degree(x: int, head: IntArray, ei: _heap.Index, link: int) -> int:
    """Length of ``x``'s live list ``head``."""
    count = 0
    e = head[x]
    while e >= 0:
        count += 1
        e = ei[e, link]
    return count


@njit(cache=True, nogil=True)
def _unlink(x: int, v: int, head: IntArray, ei: _heap.Index, link: int, end: int) -> None:
    """Remove the edge between ``x`` and ``v`` (if any) from ``x``'s list ``head``."""
    prev = -1
    e = head[x]
    while e >= 0:
        nxt = ei[e, link]
        if ei[e, end] == v:
            if prev < 0:
                head[x] = nxt
            else:
                ei[prev, link] = nxt
            return
        prev = e
        e = nxt


def _hierarchy(rank: IntArray, ei: _heap.Index, ef: FloatArray) -> Hierarchy:
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
