"""Reading .osm.pbf extracts: the same graph as the OSM XML they were made from; clipping to an area."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pytest
import shapely

from ektp_routes._errors import NetworkError
from ektp_routes.network import RoadNetwork
from ektp_routes.network.pbf import clip_to_osm_xml, graph_from_pbf, planning_area

DATA = Path(__file__).parent / "data"


def _edges(net: RoadNetwork) -> dict[tuple[int, int], tuple[float, float]]:
    """Directed edges keyed by OSM node ids, with (seconds, metres)."""
    g = net.graph
    ids = g.node_ids
    return {
        (int(ids[u]), int(ids[v])): (float(t), float(d))
        for u, v, t, d in zip(g.edge_u, g.edge_v, g.edge_time, g.edge_len, strict=True)
    }


@pytest.mark.parametrize("profile", ["motorbike", "walking"])
def test_pbf_gives_the_same_network_as_the_xml(kg: RoadNetwork, kg_walk: RoadNetwork, profile: str) -> None:
    xml_net = kg if profile == "motorbike" else kg_walk
    pbf_net = RoadNetwork.from_file(DATA / "kelapa_gading.osm.pbf", profile=profile)
    assert pbf_net.n_nodes == xml_net.n_nodes and pbf_net.n_edges == xml_net.n_edges
    assert _edges(pbf_net) == _edges(xml_net)
    # One-way streets stay one-way for the motorbike, two-way on foot.
    one_way = sum((v, u) not in _edges(pbf_net) for (u, v) in _edges(pbf_net))
    assert (one_way > 0) == (profile == "motorbike")


def test_clipping_keeps_whole_ways_touching_the_area(tmp_path: Path) -> None:
    boundary = gpd.read_file(DATA / "kelapa_gading_boundary.geojson").geometry.iloc[0]
    c = boundary.centroid
    area = shapely.Point(c.x, c.y).buffer(0.004)  # about 450 m around the centre
    out = tmp_path / "clip.osm"
    stats = clip_to_osm_xml(DATA / "kelapa_gading.osm.pbf", out, area=area)
    assert 0 < stats.ways_kept < stats.ways_read
    n_ways = 0
    for w in osmium.FileProcessor(str(out), osmium.osm.NODE | osmium.osm.WAY).with_locations():
        if isinstance(w, osmium.osm.Way):  # every kept way has a node inside, and all its nodes came along
            n_ways += 1
            xy = np.array([(n.lon, n.lat) for n in w.nodes])
            assert shapely.contains_xy(area, xy[:, 0], xy[:, 1]).any()
    assert n_ways == stats.ways_kept
    g = graph_from_pbf(DATA / "kelapa_gading.osm.pbf", area=area)
    full = graph_from_pbf(DATA / "kelapa_gading.osm.pbf")
    assert 0 < len(g) < len(full)


def test_planning_area_and_bad_input(tmp_path: Path) -> None:
    square = shapely.box(107.0, -6.3, 107.1, -6.2)
    grown = planning_area(square, margin_m=1_113.2)  # 0.01 degree
    assert grown.bounds == pytest.approx((106.99, -6.31, 107.11, -6.19), abs=1e-6)
    with pytest.raises(NetworkError, match="margin"):
        planning_area(square, margin_m=-5)
    far_away = shapely.box(100.0, 0.0, 100.1, 0.1)
    with pytest.raises(NetworkError, match="no road lies in the planning area"):
        graph_from_pbf(DATA / "kelapa_gading.osm.pbf", area=far_away)
