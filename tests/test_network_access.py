from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from network_helpers import toy_graph

from ektp_routes.network import RoadNetwork, build_graph, get_profile
from ektp_routes.network.access import blocks, may_use


@pytest.mark.parametrize(
    ("profile", "tags", "allowed"),
    [
        ("motorbike", {}, True),
        ("motorbike", {"access": "private"}, True),  # a gated perumahan: the cards go there
        ("motorbike", {"motor_vehicle": "destination"}, True),
        ("motorbike", {"access": "no"}, False),
        ("motorbike", {"access": "no", "motorcycle": "yes"}, True),  # the most specific key decides
        ("motorbike", {"motorcycle": "no"}, False),
        ("walking", {"motorcycle": "no"}, True),
        ("walking", {"access": "no", "foot": "yes"}, True),
        ("bicycle", {"vehicle": "no"}, False),
        ("car", {"motor_vehicle": "NO "}, False),
        ("car", {"access": "psv"}, False),
        ("motorbike", {"access": ["yes", "no"]}, False),  # merged ways: any closed part closes it
    ],
)
def test_way_access(profile: str, tags: dict[str, object], allowed: bool) -> None:
    assert may_use(profile, tags) is allowed


@pytest.mark.parametrize(
    ("profile", "tags", "closed"),
    [
        ("motorbike", {"highway": "traffic_signals"}, False),
        ("motorbike", {"barrier": "lift_gate"}, False),  # a guard post lets the courier through
        ("motorbike", {"barrier": "gate", "access": "private"}, False),
        ("motorbike", {"barrier": "gate", "access": "no"}, True),
        ("motorbike", {"barrier": "gate", "access": "no", "motorcycle": "yes"}, False),
        ("motorbike", {"barrier": "bollard"}, False),
        ("car", {"barrier": "bollard"}, True),
        ("motorbike", {"barrier": "block"}, True),
        ("walking", {"barrier": "block"}, False),
        ("walking", {"barrier": "wall"}, True),
    ],
)
def test_barriers(profile: str, tags: dict[str, object], closed: bool) -> None:
    assert blocks(profile, tags) is closed


def _street_through_gate(gate: dict[str, object]) -> nx.MultiDiGraph:
    """0 - 1 - 2 in a line, two-way, node 1 tagged as given; a long detour 0 - 3 - 2."""
    g = toy_graph([(107.0, -6.2), (107.001, -6.2), (107.002, -6.2), (107.001, -6.21)], [])
    for u, v, length in [(0, 1, 110.0), (1, 2, 110.0), (0, 3, 1500.0), (3, 2, 1500.0)]:
        g.add_edge(u, v, length=length, highway="residential")
        g.add_edge(v, u, length=length, highway="residential")
    g.nodes[1].update(gate)
    return g


def _time(graph_nx: nx.DiGraph, a: int, b: int) -> float:
    return float(nx.shortest_path_length(graph_nx, a, b, weight="time"))


def test_a_closed_gate_is_reached_from_both_sides_but_not_passed() -> None:
    open_g = build_graph(_street_through_gate({"barrier": "gate"}), get_profile("motorbike")).to_networkx()
    closed = build_graph(_street_through_gate({"barrier": "gate", "access": "no"}), get_profile("motorbike"))
    assert closed.n_nodes == 5  # the gate is two dead ends, one per road reaching it
    g = closed.to_networkx()
    assert _time(g, 0, 2) > 10 * _time(open_g, 0, 2)  # round by the detour
    gate_ends = [i for i in range(closed.n_nodes) if closed.node_ids[i] == 1]
    assert len(gate_ends) == 2
    for end in gate_ends:  # each side rides up to the gate and back
        side = 0 if nx.has_path(g, 0, end) and _time(g, 0, end) < 100 else 2
        assert _time(g, side, end) == pytest.approx(_time(g, end, side)) and _time(g, side, end) < 100
    walking = build_graph(
        _street_through_gate({"barrier": "gate", "access": "no", "foot": "yes"}), get_profile("walking")
    )
    assert walking.n_nodes == 4


def test_a_way_closed_to_motorbikes_stays_open_on_foot() -> None:
    g = _street_through_gate({})
    for _, _, data in g.edges(data=True):
        if data["length"] < 200:
            data["motorcycle"] = "no"
    bike = build_graph(g, get_profile("motorbike"))
    assert bike.n_edges == 4 and build_graph(g, get_profile("walking")).n_edges == 8


GATED_OSM = """<?xml version="1.0"?>
<osm version="0.6">
  <node id="1" lat="-6.2000" lon="107.0000"/>
  <node id="2" lat="-6.2000" lon="107.0010"><tag k="barrier" v="gate"/><tag k="access" v="no"/></node>
  <node id="3" lat="-6.2000" lon="107.0020"/>
  <node id="4" lat="-6.2010" lon="107.0020"/>
  <node id="5" lat="-6.2010" lon="107.0000"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/></way>
  <way id="11"><nd ref="3"/><nd ref="4"/><tag k="highway" v="residential"/>
    <tag k="motor_vehicle" v="private"/></way>
  <way id="12"><nd ref="4"/><nd ref="5"/><nd ref="1"/><tag k="highway" v="residential"/>
    <tag k="motorcycle" v="no"/></way>
</osm>
"""


def test_osm_readers_keep_access_tags_and_barrier_nodes(tmp_path: Path) -> None:
    path = tmp_path / "gated.osm"
    path.write_text(GATED_OSM)
    bike = RoadNetwork.from_osm_xml(path)
    walk = RoadNetwork.from_osm_xml(path, profile="walking")
    # The gate (closed to all) survives simplification as a node, split in two; way 12 is closed to
    # motorbikes, way 11 (private) is open: node 1 reaches node 3 only on foot, round by 5 and 4.
    assert list(bike.graph.node_ids).count(2) == 2 and list(walk.graph.node_ids).count(2) == 2
    ids = list(bike.graph.node_ids)
    g = bike.graph.to_networkx()
    assert nx.has_path(g, ids.index(3), ids.index(4))
    assert not nx.has_path(g, ids.index(1), ids.index(3))
    wids = list(walk.graph.node_ids)
    assert nx.has_path(walk.graph.to_networkx(), wids.index(1), wids.index(3))


def test_shipped_extract_has_closed_gates_that_split(kg: RoadNetwork) -> None:
    counts = np.unique(kg.graph.node_ids, return_counts=True)[1]
    assert (counts > 1).sum() >= 20  # Kelapa Gading: gates tagged access=no, each split per road
