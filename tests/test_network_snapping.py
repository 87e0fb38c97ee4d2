from __future__ import annotations

import numpy as np
import pytest
import shapely
from network_helpers import points_in, toy_graph

from ektp_routes.network import WALK_MPS, RoadNetwork, get_profile, haversine_m
from ektp_routes.network.graph import build_graph
from ektp_routes.network.snapping import SnapIndex, Snapper, access


def test_snapping_is_to_edges_not_nodes(kg: RoadNetwork) -> None:
    # The midpoint of a long edge is ~0 m from the road although far from both end nodes.
    g = kg.graph
    e = int(np.argmax(g.edge_len))
    mid = shapely.LineString(g.edge_coords[e]).interpolate(0.5, normalized=True)
    s = kg.snap([mid.x], [mid.y])
    assert s.distance_m[0] < 1.0
    assert {int(s.edge[0]), int(g.edge_rev[s.edge[0]])} & {e}
    assert s.t[0] == pytest.approx(0.5, abs=0.01)
    assert haversine_m(mid.x, mid.y, g.node_lon, g.node_lat).min() > 20


def test_most_points_lie_near_a_road_and_far_ones_are_off(kg: RoadNetwork) -> None:
    lon, lat = points_in("kelapa_gading", 300)
    s = kg.snap(np.r_[lon, lon[0] + 0.05, np.nan], np.r_[lat, lat[0], lat[0]])
    assert (s.distance_m[:300] < 150).mean() > 0.95
    assert s.on_network[:300].mean() > 0.99
    assert not s.on_network[300] and s.distance_m[300] > 4000  # ~5.5 km east of the extract
    assert not s.on_network[301] and np.isinf(s.distance_m[301])  # no coordinates


def test_index_holds_one_line_per_road_segment(kg_walk: RoadNetwork) -> None:
    g = kg_walk.graph
    idx = SnapIndex.build(g)
    loops = int((g.edge_u == g.edge_v).sum())
    assert len(idx.edges) == (g.n_edges - loops) // 2  # walking: every segment in both directions
    assert (g.edge_u[idx.edges] < g.edge_v[idx.edges]).all()


def test_access_against_a_one_way_is_on_foot() -> None:
    g = build_graph(
        toy_graph([(107.0, -6.2), (107.001, -6.2)], [(0, 1)], oneway=True), get_profile("motorbike")
    )
    s = SnapIndex.build(g).snap([107.00025], [-6.2], max_snap_m=300)
    a = access(g, s)
    assert a.exit_node.tolist() == [[1, 0]] and a.entry_node.tolist() == [[0, 1]]
    assert s.t[0] == pytest.approx(0.25, abs=1e-3)
    assert a.exit_cost[0, 0] == pytest.approx(0.75 * 110 / (20 / 3.6), rel=1e-3)  # ride on
    assert a.exit_cost[0, 1] == pytest.approx(0.25 * 110 / WALK_MPS, rel=1e-3)  # push back
    assert a.exit_len[0].tolist() == pytest.approx([82.5, 27.5], rel=1e-3)


def test_points_near_fragments_are_moved_to_the_main_network(kg_clipped: RoadNetwork) -> None:
    g = kg_clipped.graph
    in_main = g.main_component()
    assert kg_clipped.snapper.fragments is not None and len(kg_clipped.snapper.fragments) > 20
    lon, lat = _inside(kg_clipped, 400)
    nearest = Snapper.build(g, connectivity="any").snap(lon, lat, max_snap_m=300)
    s = kg_clipped.snap(lon, lat)
    # Every point is placed on a road that touches the main network ...
    assert (in_main[g.edge_u[s.edge]] | in_main[g.edge_v[s.edge]]).all()
    # ... the others exactly where the nearest road is, the moved ones farther away.
    moved = s.moved
    assert 5 <= moved.sum() < 0.5 * len(lon)
    # (the same road, or one as near: a point nearest to a junction is as near to each of its roads)
    assert np.allclose(s.distance_m[~moved], nearest.distance_m[~moved])
    assert (s.edge[~moved] == nearest.edge[~moved]).mean() > 0.95
    assert (s.distance_m[moved] > nearest.distance_m[moved]).all()
    touches = in_main[g.edge_u[nearest.edge]] | in_main[g.edge_v[nearest.edge]]
    assert np.array_equal(moved, ~touches)


def test_graph_without_a_loop_snaps_to_the_nearest_road() -> None:
    # Only one-way streets in a line: no strongly connected part worth the name; nothing is lost.
    g = build_graph(
        toy_graph([(107.0, -6.2), (107.001, -6.2), (107.002, -6.2)], [(0, 1), (1, 2)], oneway=True),
        get_profile("motorbike"),
    )
    s = Snapper.build(g).snap([107.0005, 107.0015], [-6.2, -6.2], max_snap_m=300)
    assert s.distance_m.max() < 1 and not s.moved.any()


def _inside(net: RoadNetwork, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Random points inside the bounding box of a network's nodes."""
    rng = np.random.default_rng(7)
    g = net.graph
    return (
        rng.uniform(g.node_lon.min(), g.node_lon.max(), n),
        rng.uniform(g.node_lat.min(), g.node_lat.max(), n),
    )


def test_index_finds_the_nearest_segment_exactly(kg: RoadNetwork) -> None:
    """The k-d tree of segment pieces gives what a search over every road line gives (shapely)."""
    g = kg.graph
    idx = SnapIndex.build(g)
    proj = idx.projection
    lines = []
    for e in idx.edges:
        x, y = proj.xy(g.edge_coords[e][:, 0], g.edge_coords[e][:, 1])
        lines.append(shapely.LineString(np.c_[x, y]))
    lon, lat = points_in("kelapa_gading", 300, seed=21)
    lon, lat = np.r_[lon, lon[:5] + 0.01], np.r_[lat, lat[:5]]  # and some ~1 km off the roads
    s = idx.snap(lon, lat, max_snap_m=300)
    px, py = proj.xy(lon, lat)
    for i in range(len(lon)):
        d = shapely.distance(shapely.Point(px[i], py[i]), lines)
        assert s.distance_m[i] == pytest.approx(d.min(), abs=1e-6)
        k = int(np.flatnonzero(idx.edges == s.edge[i])[0])
        assert d[k] == pytest.approx(d.min(), abs=1e-6)
        along = lines[k].project(shapely.Point(px[i], py[i]), normalized=True)
        assert s.t[i] == pytest.approx(along, abs=1e-9)
