"""Road geometry of the legs between consecutive points on a :class:`~ektp_routes.network.graph.RoadGraph`."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString
from shapely.ops import substring

from ektp_routes.network.graph import RoadGraph
from ektp_routes.network.profiles import WALK_MPS
from ektp_routes.network.snapping import Access, Snap, access

Coords = list[tuple[float, float]]


def path_geometry(graph: RoadGraph, s: Snap, lon: Sequence[float], lat: Sequence[float]) -> list[LineString]:
    """Road geometry (lon/lat LineStrings) of each leg between consecutive snapped points.

    A leg that starts or ends at a point off the network is a straight segment.
    """
    acc = access(graph, s)
    src = np.unique(acc.exit_node[:-1].ravel()) if len(lon) > 1 else np.array([], dtype=np.int64)
    if len(src) == 0:
        return []
    dt, pred = dijkstra(graph.csr, directed=True, indices=src, return_predecessors=True)
    row_of = {int(n): i for i, n in enumerate(src)}
    legs: list[LineString] = []
    for i in range(len(lon) - 1):
        j = i + 1
        p0 = (float(lon[i]), float(lat[i]))
        p1 = (float(lon[j]), float(lat[j]))
        if not (s.on_network[i] and s.on_network[j]):
            legs.append(LineString([p0, p1]))
            continue
        best = (np.inf, -1, -1)
        for a, b in itertools.product(range(2), range(2)):
            c = acc.exit_cost[i, a] + dt[row_of[int(acc.exit_node[i, a])], acc.entry_node[j, b]]
            if c + acc.entry_cost[j, b] < best[0]:
                best = (c + acc.entry_cost[j, b], a, b)
        coords: Coords = [p0]
        direct = _direct_leg(graph, s, i, j)
        if direct is not None and direct[0] <= best[0]:
            coords += direct[1]
        elif np.isfinite(best[0]):
            _, a, b = best
            coords += _through_graph(graph, s, acc, pred[row_of[int(acc.exit_node[i, a])]], (i, a), (j, b))
        coords.append(p1)
        legs.append(LineString(_dedupe(coords)))
    return legs


def _through_graph(
    graph: RoadGraph,
    s: Snap,
    acc: Access,
    pred_row: npt.NDArray[np.int32],
    leave: tuple[int, int],
    arrive: tuple[int, int],
) -> Coords:
    """Street geometry from point ``leave[0]`` (by side ``leave[1]``) through the graph to ``arrive[0]``."""
    (i, a), (j, b) = leave, arrive
    coords = _partial(graph, s, i, leaving=True, side=a)
    nodes = _walk_back(pred_row, int(acc.exit_node[i, a]), int(acc.entry_node[j, b]))
    for u, v in itertools.pairwise(nodes):
        coords += [tuple(c) for c in graph.edge_coords[graph.edge_index(u, v)][1:]]
    coords += _partial(graph, s, j, leaving=False, side=b)
    return coords


def _edge_piece(graph: RoadGraph, e: int, t0: float, t1: float) -> Coords:
    piece = substring(LineString(graph.edge_coords[e]), t0, t1, normalized=True)
    return [tuple(p) for p in np.asarray(piece.coords)] if not piece.is_empty else []


def _partial(graph: RoadGraph, s: Snap, i: int, *, leaving: bool, side: int) -> Coords:
    """Geometry from a stop to the exit node (leaving) or from the entry node to the stop.

    Side 0 runs along the snapped edge's direction, side 1 against it (the reverse edge, or pushing
    against a one-way): both follow the same street geometry.
    """
    e = int(s.edge[i])
    t = float(s.t[i])
    if leaving:
        return _edge_piece(graph, e, t, 1.0) if side == 0 else _edge_piece(graph, e, t, 0.0)
    return _edge_piece(graph, e, 0.0, t) if side == 0 else _edge_piece(graph, e, 1.0, t)


def _direct_leg(graph: RoadGraph, s: Snap, i: int, j: int) -> tuple[float, Coords] | None:
    """Riding straight along the one segment both points lie on: (seconds, geometry), else None."""
    if s.edge[i] != s.edge[j]:
        return None
    e = int(s.edge[i])
    ti, tj = float(s.t[i]), float(s.t[j])
    if tj >= ti:
        return (tj - ti) * float(graph.edge_time[e]), _edge_piece(graph, e, ti, tj)
    r = int(graph.edge_rev[e])
    back = float(graph.edge_time[r]) if r >= 0 else float(graph.edge_len[e]) / WALK_MPS
    return (ti - tj) * back, _edge_piece(graph, e, ti, tj)


def _walk_back(pred_row: npt.NDArray[np.int32], source: int, target: int) -> list[int]:
    nodes = [target]
    cur = target
    while cur != source:
        cur = int(pred_row[cur])
        if cur < 0:
            return [source]
        nodes.append(cur)
    return nodes[::-1]


def _dedupe(coords: Coords) -> Coords:
    out = [coords[0]]
    for c in coords[1:]:
        if c != out[-1]:
            out.append(c)
    if len(out) == 1:
        out.append(out[0])
    return out
