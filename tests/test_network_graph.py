from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from network_helpers import toy_graph

from ektp_routes import NetworkError
from ektp_routes.network import RoadNetwork, assemble_graph, build_graph, get_profile


def test_speeds_per_profile(kg: RoadNetwork, kg_walk: RoadNetwork) -> None:
    mb, walk = kg.graph, kg_walk.graph
    speed_mb = mb.edge_len / mb.edge_time * 3.6
    assert speed_mb.max() <= 40 + 1e-6
    assert (speed_mb >= 6 - 1e-6).mean() > 0.99  # below 6 km/h only where a maxspeed tag says so
    assert np.allclose(walk.edge_len / walk.edge_time * 3.6, 4.5)
    # Walking ignores one-way streets, so it has at least as many directed edges.
    assert walk.n_edges > mb.n_edges
    assert mb.n_nodes > 1000 and mb.n_edges > 2000


def test_one_way_and_forbidden_roads() -> None:
    g = toy_graph([(107.0, -6.2), (107.001, -6.2), (107.002, -6.2)], [(0, 1)], oneway=True)
    g.add_edge(1, 2, length=110.0, highway="motorway")
    mb = build_graph(g, get_profile("motorbike"))
    walk = build_graph(g, get_profile("walking"))
    assert list(zip(mb.edge_u, mb.edge_v, strict=True)) == [(0, 1)]  # toll road dropped, one-way kept
    assert mb.edge_rev.tolist() == [-1]
    assert sorted(zip(walk.edge_u.tolist(), walk.edge_v.tolist(), strict=True)) == [(0, 1), (1, 0)]
    assert walk.edge_rev.tolist() == [1, 0]
    assert mb.edge_index(0, 1) == 0 and mb.edge_index(1, 0) == -1
    with pytest.raises(NetworkError, match="no road"):
        build_graph(
            toy_graph([(107.0, -6.2), (107.001, -6.2)], [(0, 1)], highway="motorway"),
            get_profile("motorbike"),
        )
    with pytest.raises(NetworkError, match="no nodes"):
        build_graph(nx.MultiDiGraph(), get_profile("motorbike"))


def test_fastest_parallel_edge_wins_and_length_from_geometry() -> None:
    g = toy_graph([(107.0, -6.2), (107.001, -6.2)], [(0, 1)], highway="footway")
    g.add_edge(0, 1, length=0.0, highway="primary")  # no length: measured along the geometry
    rg = build_graph(g, get_profile("motorbike"))
    assert rg.n_edges == 1
    assert rg.edge_len[0] == pytest.approx(110.6, abs=0.5)
    assert rg.edge_time[0] == pytest.approx(rg.edge_len[0] / (35 / 3.6))


def test_graph_is_immutable_and_input_untouched() -> None:
    g = toy_graph([(107.0, -6.2), (107.001, -6.2)], [(0, 1), (1, 0)])
    before = nx.to_dict_of_dicts(g)
    rg = build_graph(g, get_profile("motorbike"))
    assert nx.to_dict_of_dicts(g) == before
    with pytest.raises(ValueError):
        rg.edge_time[0] = 1.0
    with pytest.raises(ValueError):
        rg.edge_coords[0][0, 0] = 0.0
    with pytest.raises(AttributeError):
        rg.edge_time = rg.edge_len  # type: ignore[misc]


def test_assemble_graph_refuses_unsorted_edges() -> None:
    with pytest.raises(NetworkError, match="sorted"):
        assemble_graph(
            profile=get_profile("walking"),
            node_ids=[1, 2],
            node_lon=[107.0, 107.001],
            node_lat=[-6.2, -6.2],
            edge_u=[1, 0],
            edge_v=[0, 1],
            edge_time=[1.0, 1.0],
            edge_len=[1.0, 1.0],
            edge_coords=[np.zeros((2, 2))] * 2,
        )


def test_lengths_along_and_networkx_view(kg_walk: RoadNetwork) -> None:
    from scipy.sparse.csgraph import dijkstra

    rg = kg_walk.graph
    dist, pred = dijkstra(rg.csr, indices=[0, 5], return_predecessors=True)
    lengths = rg.lengths_along(pred)
    # Walking has one speed, so the fastest tree is the shortest tree: length = time x speed.
    ok = np.isfinite(dist)
    assert np.allclose(lengths[ok], dist[ok] * 4.5 / 3.6, rtol=1e-6, atol=1e-3)
    g = rg.to_networkx()
    assert g.number_of_nodes() == rg.n_nodes and g.number_of_edges() == rg.n_edges


def test_fingerprint_tells_graphs_apart(kg: RoadNetwork, kg_walk: RoadNetwork) -> None:
    g = toy_graph([(107.0, -6.2), (107.001, -6.2)], [(0, 1), (1, 0)])
    a = build_graph(g, get_profile("motorbike"))
    assert a.fingerprint() == build_graph(g, get_profile("motorbike")).fingerprint()
    assert a.fingerprint() != build_graph(g, get_profile("bicycle")).fingerprint()
    assert kg.graph.fingerprint() != kg_walk.graph.fingerprint()
