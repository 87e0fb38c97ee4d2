"""Many-to-many travel times and road distances on a :class:`~ektp_routes.network.graph.RoadGraph`.

Each snapped point leaves the graph through two exit nodes and enters through two entry nodes; one
node-to-node table between the distinct exit and entry nodes (from a
:class:`~ektp_routes.network.search.NodeMatrix` engine: scipy's Dijkstra per exit node, or the
bucket method on a contraction hierarchy) gives every point-to-point time and length.

Two doors near each other are a short walk apart, whatever their distance from the road: a pair's
leg is the direct walk (great-circle distance times :data:`WALK_CIRCUITY`, at walking pace) where
that walk is at most :data:`WALK_CAP_M` long and faster than riding with both walks to the road.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from ektp_routes.geodesy import FloatArray, IntArray, haversine_m
from ektp_routes.network.graph import RoadGraph
from ektp_routes.network.profiles import WALK_MPS, CourierProfile
from ektp_routes.network.search import NodeMatrix
from ektp_routes.network.snapping import Access, Snap, access
from ektp_routes.network.straight import DEFAULT_CIRCUITY, straight_legs
from ektp_routes.network.travel import TravelMatrix

#: Walked distance / straight distance between two doors: the road circuity measured on the real
#: extracts (:data:`~ektp_routes.network.straight.DEFAULT_CIRCUITY`, 1.65). Footpaths and gangs
#: between houses are usually more direct than roads, so this errs towards riding.
WALK_CIRCUITY = DEFAULT_CIRCUITY
#: Longest direct walk (m, walked) between two points: 400 m is about 5 minutes on foot, the walk a
#: courier carrying cards takes from one door to the next rather than going back to the motorbike.
#: It also bounds the error of the model, which parks the motorbike at every ridden stop's road: after
#: a walked leg the motorbike is still at the previous road, at most this much farther than charged.
WALK_CAP_M = 400.0

#: The four (exit side, entry side) combinations between two snapped points.
_SIDES = ((0, 0), (0, 1), (1, 0), (1, 1))


def travel_matrix(
    graph: RoadGraph,
    s: Snap,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    *,
    max_snap_m: float,
    search: NodeMatrix,
) -> TravelMatrix:
    """Travel time (s) and distance (m) between all snapped points, along the fastest path.

    The access leg from a point to its snapped position is included at walking pace (the courier
    parks and walks), so far-off points cost what they really cost; two points within
    :data:`WALK_CAP_M` of each other on foot are walked directly when that is faster (distance: the
    walk); points off the network (beyond ``max_snap_m``) are unroutable with a reason.
    """
    acc = access(graph, s)
    sources, ex_idx = np.unique(acc.exit_node.ravel(), return_inverse=True)
    targets, en_idx = np.unique(acc.entry_node.ravel(), return_inverse=True)
    ex_idx = ex_idx.reshape(acc.exit_node.shape)
    en_idx = en_idx.reshape(acc.entry_node.shape)
    node_t, node_d = search.matrix(sources, targets)
    T, D = _combine(acc, node_t, node_d, ex_idx, en_idx)
    # Two points on the same segment: the direct ride along it, when shorter.
    _same_segment(graph, s, T, D)
    walk = s.distance_m / WALK_MPS
    snap_m = np.where(np.isfinite(s.distance_m), s.distance_m, np.inf)
    with np.errstate(invalid="ignore"):
        T = T + walk[:, None] + walk[None, :]
        D = D + snap_m[:, None] + snap_m[None, :]
    walk_d, walk_t = door_walks(lon, lat)
    faster = walk_t < T
    np.copyto(T, walk_t, where=faster)
    np.copyto(D, walk_d, where=faster)
    del faster, walk_d, walk_t
    np.fill_diagonal(T, 0.0)
    np.fill_diagonal(D, 0.0)
    unroutable = _cut_off_network(s, T, D, max_snap_m=max_snap_m)
    return TravelMatrix(time_s=T, dist_m=D, snap_m=snap_m, unroutable=unroutable, snap_moved=s.moved)


def door_walks(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Walked distance (m) and time (s) between every pair of points, directly door to door.

    Great-circle distance times :data:`WALK_CIRCUITY` at :data:`WALK_MPS`; a pair farther apart than
    :data:`WALK_CAP_M` on foot (or without coordinates) is not walked: infinite time and distance.
    """
    x = np.asarray(lon, dtype=float).ravel()
    y = np.asarray(lat, dtype=float).ravel()
    d = haversine_m(x[:, None], y[:, None], x[None, :], y[None, :]) * WALK_CIRCUITY
    d[~(d <= WALK_CAP_M)] = np.inf
    return d, d / WALK_MPS


def with_straight_legs(
    m: TravelMatrix,
    s: Snap,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    *,
    profile: CourierProfile,
    circuity: float,
) -> TravelMatrix:
    """The matrix with every point off the network (but with coordinates) planned on straight legs.

    Such a point's row and column become great-circle distance times ``circuity`` at the profile's
    straight-line speed, and it is flagged ``off_network`` instead of unroutable.
    """
    off = ~s.on_network & np.isfinite(s.distance_m)
    if not off.any():
        return m
    x = np.asarray(lon, dtype=float).ravel()
    y = np.asarray(lat, dtype=float).ravel()
    d, t = straight_legs(x[off], y[off], x, y, profile=profile, circuity=circuity)
    T, D = m.time_s.copy(), m.dist_m.copy()
    T[off, :], D[off, :] = t, d
    T[:, off], D[:, off] = t.T, d.T
    unroutable = {i: why for i, why in m.unroutable.items() if not off[i]}
    for i in unroutable:  # points without coordinates stay unreachable
        T[i, :] = T[:, i] = D[i, :] = D[:, i] = np.inf
        T[i, i] = D[i, i] = 0.0
    return replace(m, time_s=T, dist_m=D, unroutable=unroutable, off_network=off)


def _combine(
    acc: Access, node_t: FloatArray, node_d: FloatArray, ex_idx: IntArray, en_idx: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Point-level time and distance: the best (exit side, entry side) combination, in place."""
    npts = len(ex_idx)
    T = np.full((npts, npts), np.inf)
    best = np.zeros((npts, npts), dtype=np.int8)
    for c, (a, b) in enumerate(_SIDES):
        cand = node_t[ex_idx[:, a]][:, en_idx[:, b]]
        cand += acc.exit_cost[:, a, None]
        cand += acc.entry_cost[None, :, b]
        better = cand < T
        np.copyto(T, cand, where=better)
        best[better] = c
        del cand, better
    D = np.empty((npts, npts))
    for c, (a, b) in enumerate(_SIDES):
        ii, jj = np.nonzero(best == c)
        D[ii, jj] = acc.exit_len[ii, a] + node_d[ex_idx[ii, a], en_idx[jj, b]] + acc.entry_len[jj, b]
    D[~np.isfinite(T)] = np.inf
    return T, D


def _same_segment(graph: RoadGraph, s: Snap, T: FloatArray, D: FloatArray) -> None:
    """Where two points lie on one segment, ride directly along it when that is faster (in place)."""
    order = np.argsort(s.edge, kind="stable")
    edges = s.edge[order]
    bounds = np.flatnonzero(np.diff(edges)) + 1
    for grp in np.split(order, bounds):
        if len(grp) < 2:
            continue
        e = s.edge[grp[0]]
        r = graph.edge_rev[e]
        t = s.t[grp]
        dt = t[None, :] - t[:, None]  # j ahead of i along e when > 0
        fwd_t = np.where(dt >= 0, dt * graph.edge_time[e], np.inf)
        fwd_d = np.where(dt >= 0, dt * graph.edge_len[e], np.inf)
        back_t = graph.edge_time[r] if r >= 0 else graph.edge_len[e] / WALK_MPS
        back_d = graph.edge_len[r] if r >= 0 else graph.edge_len[e]
        fwd_t = np.minimum(fwd_t, np.where(dt <= 0, -dt * back_t, np.inf))
        fwd_d = np.where(dt <= 0, np.minimum(fwd_d, -dt * back_d), fwd_d)
        sub = np.ix_(grp, grp)
        better = fwd_t < T[sub]
        T[sub] = np.where(better, fwd_t, T[sub])
        D[sub] = np.where(better, fwd_d, D[sub])


def _cut_off_network(s: Snap, T: FloatArray, D: FloatArray, *, max_snap_m: float) -> dict[int, str]:
    """Make points off the network unreachable (in place) and say why."""
    unroutable: dict[int, str] = {}
    for i in np.flatnonzero(~s.on_network):
        reason = (
            "no coordinates"
            if not np.isfinite(s.distance_m[i])
            else f"too_far_from_road: {s.distance_m[i]:.0f} m from the nearest usable road "
            f"(limit {max_snap_m:.0f} m)"
        )
        unroutable[int(i)] = reason
        T[i, :] = np.inf
        T[:, i] = np.inf
        D[i, :] = np.inf
        D[:, i] = np.inf
        T[i, i] = D[i, i] = 0.0
    return unroutable
