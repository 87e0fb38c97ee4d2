from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from network_helpers import points_in, toy_graph

from ektp_routes.network import (
    DEFAULT_CIRCUITY,
    WALK_CAP_M,
    WALK_CIRCUITY,
    WALK_MPS,
    RoadNetwork,
    door_walks,
    get_profile,
    haversine_m,
)


def _nearest_road(net: RoadNetwork) -> RoadNetwork:
    """The same graph, every point on its nearest road whatever that connects to (as before issue 13)."""
    return RoadNetwork.from_road_graph(net.graph, connectivity="any", strict=True)


def _distinct_nodes(net: RoadNetwork) -> np.ndarray:
    """Nodes alone at their position (a closed barrier is one node per road reaching it, all at one
    spot, and a point there may snap to any of them)."""
    xy = np.c_[net.graph.node_lon, net.graph.node_lat]
    _, inverse, counts = np.unique(xy, axis=0, return_inverse=True, return_counts=True)
    return np.flatnonzero(counts[inverse.ravel()] == 1)


def test_matrix_equals_networkx_on_sampled_pairs(kg_walk: RoadNetwork) -> None:
    # Stops placed exactly on graph nodes of the walking network (every street two-way): the matrix
    # must equal networkx Dijkstra between the nodes, or the direct walk where that is shorter.
    walk = _nearest_road(kg_walk)
    rng = np.random.default_rng(1)
    nodes = rng.choice(_distinct_nodes(walk), size=60, replace=False)
    m = walk.matrix(walk.graph.node_lon[nodes], walk.graph.node_lat[nodes])
    g = walk.to_networkx()
    _, direct = door_walks(walk.graph.node_lon[nodes], walk.graph.node_lat[nodes])
    checked = 0
    for i in range(0, 60, 6):
        ref = nx.single_source_dijkstra_path_length(g, int(nodes[i]), weight="time")
        for j in range(60):
            want = min(ref.get(int(nodes[j]), np.inf), direct[i, j])
            assert m.time_s[i, j] == pytest.approx(want, abs=0.05), (i, j)
            checked += np.isfinite(want)
    assert checked > 400


def test_motorbike_matrix_never_worse_than_networkx(kg: RoadNetwork) -> None:
    # With one-way streets a stop may also leave by pushing the bike back a few metres, so the matrix
    # is at most the node-to-node networkx time, and equal for most pairs.
    kg = _nearest_road(kg)
    rng = np.random.default_rng(2)
    nodes = rng.choice(_distinct_nodes(kg), size=40, replace=False)
    m = kg.matrix(kg.graph.node_lon[nodes], kg.graph.node_lat[nodes])
    g = kg.to_networkx()
    equal = total = 0
    for i in range(0, 40, 4):
        ref = nx.single_source_dijkstra_path_length(g, int(nodes[i]), weight="time")
        for j in range(40):
            want = ref.get(int(nodes[j]), np.inf)
            if np.isfinite(want):
                assert m.time_s[i, j] <= want + 0.05
                equal += abs(m.time_s[i, j] - want) < 0.05
                total += 1
    assert total > 200 and equal / total > 0.8


def test_matrix_distance_and_triangle_inequality(kg: RoadNetwork) -> None:
    lon, lat = points_in("kelapa_gading", 300)
    m = kg.matrix(lon, lat)  # ~600 exit nodes: several Dijkstra chunks of 64 sources
    fin = np.isfinite(m.time_s)
    assert fin.mean() > 0.8
    # Distance along the fastest path is never shorter than the straight line.
    straight = haversine_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    assert (m.dist_m[fin] >= straight[fin] - 1.0).all()
    # Triangle inequality on travel time (fastest paths), over every finite triple through stop 7.
    k = 7
    via = m.time_s[:, k, None] + m.time_s[None, k, :]
    assert (m.time_s <= via + 1e-6).all()
    assert np.array_equal(m.snap_m, kg.snap(lon, lat).distance_m)


def test_far_points_are_unroutable_in_strict_mode(kg: RoadNetwork) -> None:
    lon, lat = points_in("kelapa_gading", 5)
    far_lon, far_lat = lon[0] + 0.05, lat[0]  # ~5.5 km away from any road of the extract
    strict = RoadNetwork.from_road_graph(kg.graph, strict=True)
    m = strict.matrix(np.r_[lon, far_lon], np.r_[lat, far_lat])
    assert set(m.unroutable) == {5}
    assert "too_far_from_road" in m.unroutable[5]
    assert np.isinf(m.time_s[0, 5]) and np.isinf(m.time_s[5, 0]) and m.time_s[5, 5] == 0
    assert 5 in m.unreachable_from(0)


def test_disconnected_component_reported_when_snapping_to_any_road() -> None:
    xy = [(107.0, -6.2), (107.001, -6.2), (107.010, -6.2), (107.011, -6.2)]
    net = RoadNetwork(toy_graph(xy, [(0, 1), (1, 0), (2, 3), (3, 2)]), connectivity="any")
    m = net.matrix([107.0005, 107.0105], [-6.2, -6.2])
    assert m.unroutable == {}
    assert np.isinf(m.time_s[0, 1])
    assert "disconnected" in m.unreachable_from(0)[1]


def test_one_way_street_respected() -> None:
    g = toy_graph([(107.0, -6.2), (107.001, -6.2), (107.002, -6.2)], [(0, 1)], oneway=True)
    g.add_edge(1, 2, length=110.0, highway="residential")
    g.add_edge(2, 1, length=110.0, highway="residential")
    mb = RoadNetwork(g, profile="motorbike")
    walk = RoadNetwork(g, profile="walking")
    pts = ([107.0002, 107.0008], [-6.2, -6.2])
    fwd = mb.matrix(*pts).time_s[0, 1]
    back = mb.matrix(*pts).time_s[1, 0]
    gap = haversine_m(107.0002, -6.2, 107.0008, -6.2)
    # Riding with the one-way; against it the courier can only push the bike, at walking pace.
    assert fwd == pytest.approx(gap / (20 / 3.6), rel=0.02)
    assert back == pytest.approx(gap / WALK_MPS, rel=0.02)
    assert walk.matrix(*pts).time_s[1, 0] == pytest.approx(back, rel=0.02)


def test_point_off_the_network_gets_straight_legs() -> None:
    xy = [(107.0, -6.2), (107.001, -6.2), (107.002, -6.2)]
    g = toy_graph(xy, [(0, 1), (1, 0), (1, 2), (2, 1)])
    lon, lat = [107.0005, 107.0015, 107.0015, np.nan], [-6.2, -6.2, -6.21, -6.2]  # 1.1 km south, none
    m = RoadNetwork(g).matrix(lon, lat)
    assert m.off_network.tolist() == [False, False, True, False]
    assert m.unroutable == {3: "no coordinates"}
    assert m.unreachable_from(0) == {3: "no coordinates"}
    d = haversine_m(lon[2], lat[2], np.array(lon[:2]), np.array(lat[:2])) * DEFAULT_CIRCUITY
    speed = get_profile("motorbike").straight_kmh / 3.6
    assert m.dist_m[2, :2] == pytest.approx(d) and m.dist_m[:2, 2] == pytest.approx(d)
    assert m.time_s[2, :2] == pytest.approx(d / speed) and m.time_s[:2, 2] == pytest.approx(d / speed)
    assert m.snap_m[2] == pytest.approx(1112, abs=2)  # the distance to the road is still reported
    assert np.isinf(m.time_s[3, :3]).all() and np.isinf(m.time_s[:3, 3]).all() and m.time_s[3, 3] == 0
    # On the road, travel is unchanged by the off-network point.
    strict = RoadNetwork(g, strict=True).matrix(lon, lat)
    assert m.time_s[0, 1] == strict.time_s[0, 1] and 2 in strict.unroutable
    assert not strict.off_network.any()


def _road_and_doors_aside() -> RoadNetwork:
    """A two-way street of four 110 m blocks along latitude -6.2."""
    xy = [(107.0 + 0.001 * k, -6.2) for k in range(5)]
    edges = [(k, k + 1) for k in range(4)] + [(k + 1, k) for k in range(4)]
    return RoadNetwork(toy_graph(xy, edges))


def test_neighbouring_doors_far_from_the_road_are_a_short_walk_apart() -> None:
    # Two houses 150 m from the street and 17 m from each other: the courier walks next door instead
    # of walking 150 m out to the motorbike, riding, and walking 150 m in again.
    lat = -6.2 - 150 / 111_195
    lon = [107.0015, 107.00165]
    m = _road_and_doors_aside().matrix(lon, [lat, lat])
    assert m.snap_m == pytest.approx([150.0, 150.0], abs=1)
    walked = haversine_m(lon[0], lat, lon[1], lat) * WALK_CIRCUITY
    assert m.dist_m[0, 1] == pytest.approx(walked) and m.dist_m[1, 0] == pytest.approx(walked)
    assert m.time_s[0, 1] == pytest.approx(walked / WALK_MPS)
    assert m.time_s[0, 1] < 30.0  # not 2 x 150 m on foot (240 s) plus a ride


def test_doors_farther_apart_than_a_walk_still_ride() -> None:
    lat = -6.2 - 150 / 111_195
    lon = [107.0005, 107.0035]  # 330 m apart: 545 m on foot, beyond the walking cap
    assert haversine_m(lon[0], lat, lon[1], lat) * WALK_CIRCUITY > WALK_CAP_M
    m = _road_and_doors_aside().matrix(lon, [lat, lat])
    ride = haversine_m(lon[0], -6.2, lon[1], -6.2)
    assert m.dist_m[0, 1] == pytest.approx(ride + 300.0, abs=2)
    assert m.time_s[0, 1] == pytest.approx(ride / (20 / 3.6) + 300.0 / WALK_MPS, rel=0.01)


def test_on_the_road_riding_beats_walking() -> None:
    # Neighbours on the street itself: the motorbike is faster than the walk, so the ride is kept.
    lon = [107.0015, 107.00165]
    m = _road_and_doors_aside().matrix(lon, [-6.2, -6.2])
    gap = haversine_m(lon[0], -6.2, lon[1], -6.2)
    assert m.dist_m[0, 1] == pytest.approx(gap, abs=0.5)
    assert m.time_s[0, 1] == pytest.approx(gap / (20 / 3.6), rel=0.02)
