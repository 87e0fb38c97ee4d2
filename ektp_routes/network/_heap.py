"""An indexed binary min-heap on plain arrays, for the compiled graph searches (numba).

``keys[i]``/``nodes[i]`` hold the heap; ``pos[node]`` is the node's slot, -1 when it is not in the
heap. Pushing a node already in the heap lowers its key (decrease-key), so the heap never holds more
than one entry per node and its arrays need only as many slots as the graph has nodes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from ektp_routes.geodesy import FloatArray

#: Node numbers in the search arrays (int32: half the memory of int64, plenty for a road network).
Index = npt.NDArray[np.int32]
#: (keys, nodes, pos) of one heap.
Heap = tuple[FloatArray, Index, Index]


@njit(cache=True, nogil=True)
def _sift_up(keys: FloatArray, nodes: Index, pos: Index, i: int) -> None:
    key, node = keys[i], nodes[i]
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= key:
            break
        keys[i], nodes[i] = keys[parent], nodes[parent]
        pos[nodes[i]] = i
        i = parent
    keys[i], nodes[i] = key, node
    pos[node] = i


@njit(cache=True, nogil=True)
def _sift_down(keys: FloatArray, nodes: Index, pos: Index, i: int, size: int) -> None:
    key, node = keys[i], nodes[i]
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and keys[child + 1] < keys[child]:
            child += 1
        if keys[child] >= key:
            break
        keys[i], nodes[i] = keys[child], nodes[child]
        pos[nodes[i]] = i
        i = child
    keys[i], nodes[i] = key, node
    pos[node] = i


@njit(cache=True, nogil=True)
def push(keys: FloatArray, nodes: Index, pos: Index, size: int, node: int, key: float) -> int:
    """Insert ``node`` with ``key``, or set its key if it is already in the heap; the new size."""
    i = pos[node]
    if i < 0:
        i = size
        size += 1
        nodes[i] = node
        keys[i] = key
        _sift_up(keys, nodes, pos, i)
    elif key < keys[i]:
        keys[i] = key
        _sift_up(keys, nodes, pos, i)
    else:
        keys[i] = key
        _sift_down(keys, nodes, pos, i, size)
    return size


@njit(cache=True, nogil=True)
def pop(keys: FloatArray, nodes: Index, pos: Index, size: int) -> tuple[int, float, int]:
    """Remove the node with the least key: (node, key, new size)."""
    node, key = nodes[0], keys[0]
    pos[node] = -1
    size -= 1
    if size > 0:
        keys[0], nodes[0] = keys[size], nodes[size]
        pos[nodes[0]] = 0
        _sift_down(keys, nodes, pos, 0, size)
    return node, key, size


@njit(cache=True, nogil=True)
def clear(nodes: Index, pos: Index, size: int) -> None:
    """Forget the nodes still in the heap (their ``pos`` back to -1)."""
    for i in range(size):
        pos[nodes[i]] = -1


@njit(cache=True, nogil=True)
def scratch(n: int) -> Heap:
    """Empty heap arrays for a graph of ``n`` nodes: (keys, nodes, pos)."""
    return np.empty(n), np.empty(n, dtype=np.int32), np.full(n, -1, dtype=np.int32)
