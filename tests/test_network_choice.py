"""With ``matrix_engine="auto"`` each matrix goes to the engine estimated cheaper; the times are the same."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ektp_routes.network import RoadNetwork
from ektp_routes.network.choice import CostChooser, cheaper_engine
from ektp_routes.network.contraction import contract_graph
from ektp_routes.network.hierarchy import HierarchySearch
from ektp_routes.network.search import NodeSearch, SearchGraph
from ektp_routes.network.store import save_network
from tests.network_helpers import points_in


def test_a_tiny_box_goes_to_the_box_search_a_wide_one_to_the_hierarchy() -> None:
    # A plain grid: thousands of nodes per upward search, a territory's box a few thousand nodes.
    assert cheaper_engine(400, 400, search_space=1_000, box_nodes=6_000) == "box"
    # A road hierarchy: tens of nodes per upward search.
    assert cheaper_engine(400, 400, search_space=40, box_nodes=6_000) == "hierarchy"
    # An office on the grid: the box grows with the points, the hierarchy's cost does not.
    assert cheaper_engine(3_000, 3_000, search_space=1_000, box_nodes=35_000) == "hierarchy"


@pytest.fixture(scope="module")
def kg_engines(kg: RoadNetwork) -> tuple[HierarchySearch, SearchGraph]:
    return HierarchySearch(contract_graph(kg.graph)), SearchGraph.from_road_graph(kg.graph)


def test_the_chooser_picks_by_cost_and_both_choices_give_the_reference(
    kg: RoadNetwork, kg_engines: tuple[HierarchySearch, SearchGraph]
) -> None:
    hs, g = kg_engines
    assert hs.search_space > 0
    reference = NodeSearch(g, margin_m=None)
    rng = np.random.default_rng(4)
    # Three nodes next to each other, a 30 m margin: a box of a handful of nodes.
    near = np.argsort(np.hypot(g.x - g.x[0], g.y - g.y[0]))[:3]
    tiny = CostChooser(hs, lambda: NodeSearch(g, margin_m=30.0))
    # Nodes all over the extract, searched over the whole graph: the hierarchy is cheaper.
    spread = rng.choice(kg.n_nodes, 40, replace=False)
    whole = CostChooser(hs, lambda: reference)
    assert tiny.choose(near, near) == "box"
    assert whole.choose(spread, spread) == "hierarchy"
    for chooser, nodes in ((tiny, near), (whole, spread)):
        t, _ = chooser.matrix(nodes, nodes)
        np.testing.assert_allclose(t, reference.matrix(nodes, nodes)[0], rtol=1e-9)


def test_explicit_engines_keep_their_meaning(kg: RoadNetwork) -> None:
    assert isinstance(
        RoadNetwork.from_road_graph(kg.graph, matrix_engine="hierarchy").engine, HierarchySearch
    )
    assert isinstance(RoadNetwork.from_road_graph(kg.graph, matrix_engine="dijkstra").engine, NodeSearch)


def test_a_prepared_network_chooses_per_matrix_with_the_same_times(
    kg: RoadNetwork, kg_engines: tuple[HierarchySearch, SearchGraph], tmp_path: Path
) -> None:
    save_network(kg.graph, tmp_path / "net", hierarchy=kg_engines[0].hierarchy)
    auto = RoadNetwork.from_prepared(tmp_path / "net")
    assert isinstance(auto.engine, CostChooser) and auto.hierarchy is not None
    lon, lat = points_in("kelapa_gading", 80, seed=3)
    ref = RoadNetwork.from_road_graph(kg.graph, matrix_engine="dijkstra").matrix(lon, lat)
    np.testing.assert_allclose(auto.matrix(lon, lat).time_s, ref.time_s, rtol=1e-9)
