"""Road geometry of the legs between consecutive points on a :class:`~ektp_routes.network.graph.RoadGraph`."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from shapely.geometry import LineString
from shapely.ops import substring

from ektp_routes.network.graph import RoadGraph
from ektp_routes.network.matrix import door_walks
from ektp_routes.network.profiles import WALK_MPS
from ektp_routes.network.search import NodeSearch
from ektp_routes.network.snapping import Snap, access

Coords = list[tuple[float, float]]


def path_geometry(
    graph: RoadGraph, s: Snap, lon: Sequence[float], lat: Sequence[float], *, search: NodeSearch
) -> list[LineString]:
    """Road geometry (lon/lat LineStrings) of each leg between consecutive snapped points.

    A leg that starts or ends at a point off the network is a straight segment, and so is a leg the
    courier walks door to door (see :func:`~ektp_routes.network.matrix.door_walks`): the same choice
    as the travel matrix's.
    """
    if len(lon) < 2:
        return []
    acc = access(graph, s)
    legs = np.arange(len(lon) - 1)
    # The four (exit side, entry side) node pairs of every leg, searched in one go.
    sides = list(itertools.product(range(2), range(2)))
    src = np.concatenate([acc.exit_node[legs, a] for a, _ in sides])
    dst = np.concatenate([acc.entry_node[legs + 1, b] for _, b in sides])
    times, nodes = search.pair_paths(src, dst)
    out: list[LineString] = []
    for i in range(len(legs)):
        j = i + 1
        p0 = (float(lon[i]), float(lat[i]))
        p1 = (float(lon[j]), float(lat[j]))
        cost = [
            acc.exit_cost[i, a] + times[k * len(legs) + i] + acc.entry_cost[j, b]
            for k, (a, b) in enumerate(sides)
        ]
        k = int(np.argmin(cost))
        direct = _direct_leg(graph, s, i, j)
        ride = min(cost[k], direct[0]) if direct is not None else cost[k]
        ride += float(s.distance_m[i] + s.distance_m[j]) / WALK_MPS
        if not (s.on_network[i] and s.on_network[j]) or _walked(p0, p1, ride):
            out.append(LineString([p0, p1]))
            continue
        coords: Coords = [p0]
        if direct is not None and direct[0] <= cost[k]:
            coords += direct[1]
        elif np.isfinite(cost[k]):
            coords += _through_graph(graph, s, nodes[k * len(legs) + i], (i, sides[k][0]), (j, sides[k][1]))
        coords.append(p1)
        out.append(LineString(_dedupe(coords)))
    return out


def _walked(p0: tuple[float, float], p1: tuple[float, float], ride_s: float) -> bool:
    """True when the courier walks straight from ``p0`` to ``p1`` rather than taking ``ride_s``
    seconds to ride (both walks to the road included): the travel matrix's rule."""
    _, walk_t = door_walks([p0[0], p1[0]], [p0[1], p1[1]])
    return bool(walk_t[0, 1] < ride_s)


def _through_graph(
    graph: RoadGraph, s: Snap, nodes: list[int], leave: tuple[int, int], arrive: tuple[int, int]
) -> Coords:
    """Street geometry from point ``leave[0]`` (by side ``leave[1]``) along ``nodes`` to ``arrive[0]``."""
    (i, a), (j, b) = leave, arrive
    coords = _partial(graph, s, i, leaving=True, side=a)
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


def _dedupe(coords: Coords) -> Coords:
    out = [coords[0]]
    for c in coords[1:]:
        if c != out[-1]:
            out.append(c)
    if len(out) == 1:
        out.append(out[0])
    return out
