"""Matrices on a contraction hierarchy equal scipy's Dijkstra (the reference), on real and random graphs."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ektp_routes._errors import ConfigError
from ektp_routes.network import RoadNetwork
from ektp_routes.network.contraction import ContractionBudget, ContractionGaveUp, contract, contract_graph
from ektp_routes.network.hierarchy import HierarchySearch
from ektp_routes.network.search import NodeSearch, SearchGraph
from tests.network_helpers import DATA, points_in


@pytest.fixture(scope="module")
def jatinegara() -> RoadNetwork:
    return RoadNetwork.from_osm_xml(DATA / "jatinegara_cakung.osm.bz2")


def _reference(n: int, u: np.ndarray, v: np.ndarray, t: np.ndarray, length: np.ndarray) -> NodeSearch:
    xy = np.zeros(n)
    g = SearchGraph.from_arrays(x=xy, y=xy, edge_u=u, edge_v=v, edge_time=t, edge_len=length)
    return NodeSearch(g, margin_m=None)


def _both(
    n: int, u: np.ndarray, v: np.ndarray, t: np.ndarray, length: np.ndarray, threads: int = 2
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    nodes = np.arange(n)
    ref = _reference(n, u, v, t, length).matrix(nodes, nodes)
    ch = HierarchySearch(contract(n, u, v, t, length), threads=threads).matrix(nodes, nodes)
    return ref, ch


@st.composite
def _graphs(draw: st.DrawFn) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Directed graphs of a few pieces (one-way and two-way streets, parallel edges, lone nodes)."""
    sizes = draw(st.lists(st.integers(1, 12), min_size=1, max_size=3))
    u, v, t = [], [], []
    start = 0
    for size in sizes:
        pairs = draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)), max_size=40))
        for a, b in pairs:
            secs = draw(st.integers(0, 9))
            u.append(start + a), v.append(start + b), t.append(float(secs))
            if draw(st.booleans()):  # two-way, not always at the same speed
                u.append(start + b), v.append(start + a), t.append(float(secs + draw(st.integers(0, 2))))
        start += size
    n = start + draw(st.integers(0, 2))
    lengths = np.array(t) * 7.0 + 1.0
    seed = draw(st.integers())
    return n, np.array(u, dtype=np.int64), np.array(v, dtype=np.int64), np.array(t), lengths, seed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_graphs())
def test_times_equal_the_reference_on_random_graphs(graph: tuple) -> None:
    """Integer times: many equally fast paths, zero-time edges, unreachable pairs (inf)."""
    n, u, v, t, length, _ = graph
    (ref_t, _), (t_ch, _) = _both(n, u, v, t, length)
    np.testing.assert_array_equal(np.isinf(t_ch), np.isinf(ref_t))
    np.testing.assert_allclose(t_ch, ref_t, rtol=1e-9, atol=1e-9)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_graphs())
def test_lengths_equal_the_reference_where_the_fastest_path_is_unique(graph: tuple) -> None:
    """Times made distinct by a random fraction of a second: every fastest path is unique, so the road
    length along it must be the reference's too."""
    n, u, v, t, length, seed = graph
    t = t + np.random.default_rng(seed % 2**32).uniform(0.001, 0.5, len(t))
    (ref_t, ref_d), (t_ch, d_ch) = _both(n, u, v, t, length, threads=1)
    np.testing.assert_allclose(t_ch, ref_t, rtol=1e-9)
    np.testing.assert_allclose(d_ch, ref_d, rtol=1e-9)


@pytest.mark.parametrize("name", ["kg", "jatinegara", "kg_clipped"])
def test_real_extract_matrix_equals_the_reference(name: str, request: pytest.FixtureRequest) -> None:
    """Both shipped extracts, and one clipped into dozens of loose pieces (pairs without a path)."""
    g = request.getfixturevalue(name).graph
    rng = np.random.default_rng(4)
    nodes = rng.choice(g.n_nodes, min(400, g.n_nodes), replace=False)
    half = len(nodes) // 2
    # Times nudged by up to a millionth: ties between equally fast streets vanish, lengths must agree.
    nudged = g.edge_time * rng.uniform(1.0, 1.0 + 1e-6, g.n_edges)
    search = SearchGraph.from_arrays(
        x=np.zeros(g.n_nodes), y=np.zeros(g.n_nodes), edge_u=g.edge_u, edge_v=g.edge_v, edge_time=nudged,
        edge_len=g.edge_len,
    )  # fmt: skip
    ref_t, ref_d = NodeSearch(search, margin_m=None).matrix(nodes[:half], nodes[half:])
    h = contract(g.n_nodes, g.edge_u, g.edge_v, nudged, g.edge_len)
    t_ch, d_ch = HierarchySearch(h).matrix(nodes[:half], nodes[half:])
    assert np.isfinite(ref_t).mean() > 0.5
    assert np.isinf(ref_t).any() or name != "kg_clipped"
    np.testing.assert_array_equal(np.isinf(t_ch), np.isinf(ref_t))
    np.testing.assert_allclose(t_ch, ref_t, rtol=1e-9)
    np.testing.assert_allclose(d_ch, ref_d, rtol=1e-9)


def test_road_network_matrix_on_the_hierarchy_equals_dijkstra(kg: RoadNetwork) -> None:
    lon, lat = points_in("kelapa_gading", 120, seed=8)
    ref = RoadNetwork.from_road_graph(kg.graph, matrix_engine="dijkstra").matrix(lon, lat)
    ch_net = RoadNetwork.from_road_graph(kg.graph, matrix_engine="hierarchy")
    assert ch_net.hierarchy is not None and kg.hierarchy is None  # small networks: scipy by default
    m = ch_net.matrix(lon, lat)
    np.testing.assert_allclose(m.time_s, ref.time_s, rtol=1e-9)
    same = np.isclose(m.dist_m, ref.dist_m, rtol=1e-9)
    assert same.mean() > 0.99  # lengths differ only between equally fast paths
    assert m.unroutable == ref.unroutable


def test_threads_do_not_change_the_answer(kg: RoadNetwork) -> None:
    h = contract_graph(kg.graph)
    nodes = np.random.default_rng(2).choice(kg.n_nodes, 300, replace=False)
    one = HierarchySearch(h, threads=1).matrix(nodes, nodes[::-1])
    three = HierarchySearch(h, threads=3).matrix(nodes, nodes[::-1])
    np.testing.assert_array_equal(one[0], three[0])
    np.testing.assert_array_equal(one[1], three[1])
    empty = HierarchySearch(h).matrix(np.array([], dtype=int), nodes)
    assert empty[0].shape == (0, 300)
    with pytest.raises(ConfigError, match="threads"):
        HierarchySearch(h, threads=0)
    with pytest.raises(ConfigError, match="matrix_engine"):
        RoadNetwork.from_road_graph(kg.graph, matrix_engine="osrm")  # type: ignore[typeddict-item]


def test_contraction_gives_up_at_its_budget_and_matrices_stay_exact(
    kg: RoadNetwork, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A tiny budget: contraction ends (always at the same node), says why in one log line, and the
    network's matrices come from Dijkstra, equal to the reference."""
    from ektp_routes.network import contraction

    tiny = ContractionBudget(work_per_edge=2.0)
    stops = []
    for _ in range(2):
        with pytest.raises(ContractionGaveUp, match=r"gave up after [\d,]+ of [\d,]+ nodes") as exc:
            contract_graph(kg.graph, budget=tiny)
        stops.append(str(exc.value).split(" (")[0])
    assert stops[0] == stops[1]  # counted, not timed
    with pytest.raises(ContractionGaveUp, match="budget of shortcuts"):
        contract_graph(kg.graph, budget=ContractionBudget(edge_growth=1.0))
    monkeypatch.setattr(contraction, "DEFAULT_BUDGET", tiny)
    with caplog.at_level(logging.WARNING):
        net = RoadNetwork.from_road_graph(kg.graph, matrix_engine="hierarchy")
    assert net.hierarchy is None and net.contraction_gave_up is not None
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "Dijkstra" in warnings[0].getMessage()
    lon, lat = points_in("kelapa_gading", 80, seed=3)
    ref = RoadNetwork.from_road_graph(kg.graph, matrix_engine="dijkstra").matrix(lon, lat)
    m = net.matrix(lon, lat)
    np.testing.assert_array_equal(m.time_s, ref.time_s)
    np.testing.assert_array_equal(m.dist_m, ref.dist_m)
    with pytest.raises(ConfigError, match="budget"):
        ContractionBudget(work_per_edge=0.0)
