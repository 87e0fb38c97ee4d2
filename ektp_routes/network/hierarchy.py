"""Many-to-many travel times on a contraction hierarchy (the bucket method), compiled with numba.

Every fastest path climbs from its source to its highest node and comes down to its target (see
:mod:`ektp_routes.network.contraction`). So:

1. from each target, a backward search over the upward graph ``down`` reaches a few hundred nodes;
   each leaves a note in that node's *bucket*: (target, seconds, metres);
2. from each source, a forward search over ``up`` reaches a few hundred nodes too, and at each node
   reads its bucket: source -> node -> target is a candidate, the least one is the fastest time.

Both searches skip ("stall") a node that a higher node already reaches faster (stall-on-demand): its
time is not a fastest one, so it can be no path's highest node. The work grows with the number of
sources and targets (and the buckets scanned), not with the size of the network; the searches of a
block of sources run in a compiled function that releases the GIL, so blocks run in parallel
threads (no numba threading layer: safe in forked worker processes and in threaded callers alike).

Example
-------
>>> import numpy as np
>>> from ektp_routes.network.contraction import contract
>>> h = contract(3, np.array([0, 1, 1, 2]), np.array([1, 0, 2, 1]), np.array([10.0, 10, 10, 10]),
...              np.array([100.0, 100, 100, 100]))
>>> t, d = HierarchySearch(h).matrix(np.array([0]), np.array([2]))
>>> float(t[0, 0]), float(d[0, 0])
(20.0, 200.0)
"""

from __future__ import annotations

import itertools
import logging
import queue
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property

import numpy as np
from numba import njit

from ektp_routes._cpus import usable_cpus
from ektp_routes._errors import ConfigError
from ektp_routes.geodesy import FloatArray, IntArray
from ektp_routes.network import _heap
from ektp_routes.network.contraction import Hierarchy, UpwardGraph

logger = logging.getLogger(__name__)

#: Work items per thread (smaller blocks balance the threads).
BLOCKS_PER_THREAD = 4
#: Tables up to this many cells (a territory's) run in one thread: a few hundredths of a second, and
#: every extra thread needs its own search arrays (tens of MB on a kabupaten network).
ONE_THREAD_CELLS = 1_000_000
#: Random nodes whose upward searches measure a hierarchy's search space (once per loaded hierarchy:
#: 0.2 s CPU on the 300,000-node benchmark grid, first call of the compiled code included).
SPACE_SAMPLE = 48

# One upward graph as the compiled code takes it: (ptr, head, seconds, metres).
_Csr = tuple[IntArray, _heap.Index, FloatArray, FloatArray]
# One thread's search arrays: dist, dlen, heap, touched, settled (all cleared after each search).
_Scratch = tuple[FloatArray, FloatArray, _heap.Heap, _heap.Index, _heap.Index]


class HierarchySearch:
    """Fastest times and their road lengths between nodes, on a :class:`Hierarchy`.

    Parameters
    ----------
    hierarchy
        The contracted graph.
    threads
        Threads for the searches (default: the CPUs this process may use, see
        :func:`~ektp_routes._cpus.usable_cpus`).
    """

    def __init__(self, hierarchy: Hierarchy, *, threads: int | None = None) -> None:
        if threads is not None and threads < 1:
            raise ConfigError(f"threads must be at least 1, not {threads}")
        self.hierarchy = hierarchy
        self.threads = threads or usable_cpus()

    def matrix(self, sources: IntArray, targets: IntArray) -> tuple[FloatArray, FloatArray]:
        """Fastest times (s) and their road lengths (m) from every source to every target node
        (inf where there is no path)."""
        h = self.hierarchy
        src = h.rank[np.asarray(sources, dtype=np.int64)].astype(np.int64)
        tgt = h.rank[np.asarray(targets, dtype=np.int64)].astype(np.int64)
        t = np.full((len(src), len(tgt)), np.inf)
        d = np.full((len(src), len(tgt)), np.inf)
        if len(src) == 0 or len(tgt) == 0:
            return t, d
        up, down = _as_tuple(h.up), _as_tuple(h.down)
        spare: queue.SimpleQueue[_Scratch] = queue.SimpleQueue()  # one set of search arrays per thread

        def backward(b: tuple[int, int]) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
            s = _take(spare, h.n_nodes)
            notes = _backward(tgt[b[0] : b[1]], b[0], down, up, s)
            spare.put(s)
            return notes

        def forward(b: tuple[int, int]) -> None:
            s = _take(spare, h.n_nodes)
            _forward(src[b[0] : b[1]], up, down, buckets, t[b[0] : b[1]], d[b[0] : b[1]], s)
            spare.put(s)

        threads = 1 if len(src) * len(tgt) <= ONE_THREAD_CELLS else self.threads
        with ThreadPoolExecutor(threads) as pool:
            notes = list(pool.map(backward, self._blocks(len(tgt))))
            buckets = _bucket_sort(h.n_nodes, *(np.concatenate([n[k] for n in notes]) for k in range(4)))
            del notes
            list(pool.map(forward, self._blocks(len(src))))
        logger.debug("hierarchy matrix %d x %d: %d bucket notes", len(src), len(tgt), len(buckets[1]))
        return t, d

    @cached_property
    def search_space(self) -> float:
        """Mean number of nodes one upward search settles (forward and backward alike), measured once
        on :data:`SPACE_SAMPLE` nodes drawn with a fixed seed: what one source or target costs."""
        h = self.hierarchy
        if h.n_nodes == 0:
            return 0.0
        sample = np.random.default_rng(0).choice(h.n_nodes, size=min(SPACE_SAMPLE, h.n_nodes), replace=False)
        settled = _settled(sample.astype(np.int64), _as_tuple(h.up), _as_tuple(h.down), _scratch(h.n_nodes))
        return settled / (2 * len(sample))

    def _blocks(self, n: int) -> list[tuple[int, int]]:
        k = max(1, min(n, self.threads * BLOCKS_PER_THREAD))
        edges = np.linspace(0, n, k + 1).astype(int)
        return [(int(a), int(b)) for a, b in itertools.pairwise(edges) if b > a]


def _as_tuple(g: UpwardGraph) -> _Csr:
    return g.ptr, g.head, g.time, g.length


def _take(spare: queue.SimpleQueue[_Scratch], n: int) -> _Scratch:
    """A free set of search arrays, or a new one."""
    try:
        return spare.get_nowait()
    except queue.Empty:
        return _scratch(n)


@njit(cache=True, nogil=True)
def _upward(
    src: int, g: _Csr, stall: _Csr, dist: FloatArray, dlen: FloatArray,
    heap: _heap.Heap, touched: _heap.Index, settled: _heap.Index,
) -> tuple[int, int]:  # fmt: skip
    """Upward Dijkstra from ``src`` over ``g`` with stall-on-demand over ``stall`` (the edges into
    each node from higher ones); fills ``dist``/``dlen``, lists the nodes reached in ``touched`` and
    the unstalled settled ones in ``settled``; returns both counts."""
    ptr, head, secs, metres = g
    sptr, shead, ssecs, _ = stall
    keys, nodes, pos = heap
    dist[src], dlen[src] = 0.0, 0.0
    touched[0] = src
    nt, ns = 1, 0
    size = _heap.push(keys, nodes, pos, 0, src, 0.0)
    while size > 0:
        x, d, size = _heap.pop(keys, nodes, pos, size)
        stalled = False
        for e in range(sptr[x], sptr[x + 1]):
            if dist[shead[e]] + ssecs[e] < d:
                stalled = True
                break
        if stalled:
            continue
        settled[ns] = x
        ns += 1
        for e in range(ptr[x], ptr[x + 1]):
            w = head[e]
            nd = d + secs[e]
            if nd < dist[w]:
                if dist[w] == np.inf:
                    touched[nt] = w
                    nt += 1
                dist[w], dlen[w] = nd, dlen[x] + metres[e]
                size = _heap.push(keys, nodes, pos, size, w, nd)
    return nt, ns


@njit(cache=True, nogil=True)
def _settled(nodes: IntArray, up: _Csr, down: _Csr, scratch: _Scratch) -> int:
    """Nodes settled by the forward and the backward upward search from each of ``nodes`` (ranks)."""
    dist, dlen, heap, touched, settled = scratch
    total = 0
    for g, stall in ((up, down), (down, up)):
        for src in nodes:
            nt, ns = _upward(src, g, stall, dist, dlen, heap, touched, settled)
            total += ns
            for k in range(nt):
                dist[touched[k]] = np.inf
    return total


@njit(cache=True, nogil=True)
def _scratch(n: int) -> _Scratch:
    """Search arrays for one thread: dist, dlen, heap, touched, settled."""
    nodes = np.empty(n, dtype=np.int32), np.empty(n, dtype=np.int32)
    return np.full(n, np.inf), np.zeros(n), _heap.scratch(n), nodes[0], nodes[1]


@njit(cache=True, nogil=True)
def _backward(
    targets: IntArray, first: int, down: _Csr, up: _Csr, scratch: _Scratch
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Bucket notes of targets ``first``, ``first + 1``, ...: (node, target, seconds, metres)."""
    dist, dlen, heap, touched, settled = scratch
    cap = max(1024, 128 * len(targets))
    node, tgt = np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.int64)
    secs, metres = np.empty(cap), np.empty(cap)
    cnt = 0
    for j in range(len(targets)):
        nt, ns = _upward(targets[j], down, up, dist, dlen, heap, touched, settled)
        if cnt + ns > cap:
            cap = 2 * (cnt + ns)
            node, tgt = _grown(node, cnt, cap), _grown(tgt, cnt, cap)
            secs, metres = _grown(secs, cnt, cap), _grown(metres, cnt, cap)
        for k in range(ns):
            x = settled[k]
            node[cnt], tgt[cnt], secs[cnt], metres[cnt] = x, first + j, dist[x], dlen[x]
            cnt += 1
        for k in range(nt):
            dist[touched[k]] = np.inf
    return node[:cnt], tgt[:cnt], secs[:cnt], metres[:cnt]


@njit(cache=True, nogil=True)
def _grown(a: np.ndarray, used: int, cap: int) -> np.ndarray:
    out = np.empty(cap, dtype=a.dtype)
    out[:used] = a[:used]
    return out


@njit(cache=True, nogil=True)
def _bucket_sort(
    n: int, node: IntArray, tgt: IntArray, secs: FloatArray, metres: FloatArray
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """The notes grouped by node: (ptr, target, seconds, metres), node x's at ``ptr[x]:ptr[x + 1]``."""
    ptr = np.zeros(n + 1, dtype=np.int64)
    for x in node:
        ptr[x + 1] += 1
    for x in range(n):
        ptr[x + 1] += ptr[x]
    fill = ptr[:-1].copy()
    out_t, out_s, out_m = np.empty(len(node), dtype=np.int64), np.empty(len(node)), np.empty(len(node))
    for k in range(len(node)):
        p = fill[node[k]]
        out_t[p], out_s[p], out_m[p] = tgt[k], secs[k], metres[k]
        fill[node[k]] += 1
    return ptr, out_t, out_s, out_m


@njit(cache=True, nogil=True)
def _forward(
    sources: IntArray, up: _Csr, down: _Csr, buckets: tuple[IntArray, IntArray, FloatArray, FloatArray],
    t: FloatArray, d: FloatArray, scratch: _Scratch,
) -> None:  # fmt: skip
    """Rows of ``t``/``d`` for ``sources``: upward search, then every reached node's bucket."""
    bptr, btgt, bsecs, bmetres = buckets
    dist, dlen, heap, touched, settled = scratch
    for i in range(len(sources)):
        nt, ns = _upward(sources[i], up, down, dist, dlen, heap, touched, settled)
        for k in range(ns):
            x = settled[k]
            dx, lx = dist[x], dlen[x]
            for e in range(bptr[x], bptr[x + 1]):
                j = btgt[e]
                c = dx + bsecs[e]
                if c < t[i, j]:
                    t[i, j] = c
                    d[i, j] = lx + bmetres[e]
        for k in range(nt):
            dist[touched[k]] = np.inf
