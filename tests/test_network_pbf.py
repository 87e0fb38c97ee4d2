"""Reading .osm.pbf extracts: the same graph as the OSM XML they were made from; clipping to an area."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import pytest
import shapely

from ektp_routes._errors import NetworkError
from ektp_routes.network import RoadNetwork
from ektp_routes.network.pbf import clip_to_osm_xml, graph_from_pbf, planning_area, street_geocoder
from ektp_routes.regions import Gazetteer

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


def _tiny_pbf(path: Path, lon: float, lat: float) -> Path:
    """One named road and a named hamlet at (lon, lat), and a hamlet far outside Bekasi."""
    w = osmium.SimpleWriter(str(path))
    w.add_node(osmium.osm.mutable.Node(id=1, location=(lon, lat)))
    w.add_node(osmium.osm.mutable.Node(id=2, location=(lon + 0.002, lat)))
    w.add_node(osmium.osm.mutable.Node(id=3, location=(lon + 0.0005, lat + 0.0005), tags=HAMLET))
    w.add_node(osmium.osm.mutable.Node(id=4, location=(106.8, -6.2), tags=FAR_HAMLET))
    w.add_way(osmium.osm.mutable.Way(id=10, nodes=[1, 2], tags=ROAD))
    w.close()
    return path


HAMLET = {"place": "hamlet", "name": "Jati"}
FAR_HAMLET = {"place": "hamlet", "name": "Jauh"}
ROAD = {"highway": "residential", "name": "Jalan Mawar"}


def test_street_geocoder_reads_a_pbf_as_the_xml_it_was_made_from() -> None:
    b = gpd.read_file(DATA / "jatinegara_cakung_boundary.geojson").assign(kode="JTN")
    from_pbf = street_geocoder(DATA / "jatinegara_cakung.osm.pbf", areas=b)
    from_xml = street_geocoder(DATA / "jatinegara_cakung.osm.bz2", areas=b)
    assert sorted(from_pbf._street_name) == sorted(from_xml._street_name)
    assert len(set(from_pbf._street_name)) > 100
    cards = pd.DataFrame({"desa_kode": "JTN", "alamat": ["Gg. Belimbing II No. 5", "Gg. Tidak Ada 9"]})
    found = from_pbf.geocode(cards)
    assert [r.precision if r else None for r in found] == ["street", None]
    assert found == from_xml.geocode(cards)
    # Clipped to a small box: fewer streets, every one of them also in the whole extract.
    box = shapely.box(106.905, -6.215, 106.915, -6.205)
    clipped = street_geocoder(DATA / "jatinegara_cakung.osm.pbf", areas=b, area=box)
    assert 0 < len(set(clipped._street_name)) < len(set(from_pbf._street_name))
    assert set(clipped._street_name) <= set(from_pbf._street_name)


def test_street_geocoder_keeps_the_named_places_of_the_planning_area(tmp_path: Path, gaz: Gazetteer) -> None:
    d = gaz.get("32.16.23.2005")
    pbf = _tiny_pbf(tmp_path / "tiny.osm.pbf", d.rep_lon, d.rep_lat)
    g = street_geocoder(pbf, areas=gaz.desa_table[["kode", "geometry"]], area=planning_area(gaz.outline()))
    written = ["Kp. Jati RT 1/2", "Jl. Mawar No. 3", "Kp. Jauh"]
    res = g.geocode(pd.DataFrame({"desa_kode": d.kode, "alamat": written}))
    assert [r.precision if r else None for r in res][:2] == ["settlement", "street"]
    assert res[0] is not None
    assert (res[0].lon, res[0].lat) == pytest.approx((d.rep_lon + 0.0005, d.rep_lat + 0.0005))
    assert res[2] is None  # the hamlet near Jakarta was clipped away
