from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from ektp_routes import ConfigError, InputFileError, NetworkError
from ektp_routes.network import (
    PROFILES,
    WALK_MPS,
    RoadNetwork,
    StraightLineNetwork,
    get_profile,
    haversine_m,
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def kg() -> RoadNetwork:
    return RoadNetwork.from_osm_xml(DATA / "kelapa_gading.osm.bz2")


def _points_in(name: str, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    b = gpd.read_file(DATA / f"{name}_boundary.geojson").geometry.iloc[0]
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = b.bounds
    x = rng.uniform(minx, maxx, n * 4)
    y = rng.uniform(miny, maxy, n * 4)
    ok = shapely.contains_xy(b, x, y)
    return x[ok][:n], y[ok][:n]


def test_loads_xml_and_graphml(tmp_path: Path, kg: RoadNetwork) -> None:
    import osmnx as ox

    assert kg.n_nodes > 1000 and kg.n_edges > 2000
    g = ox.graph_from_xml(DATA / "kelapa_gading.osm.bz2", retain_all=True)
    ox.save_graphml(g, tmp_path / "kg.graphml")
    net2 = RoadNetwork.from_file(tmp_path / "kg.graphml")
    assert net2.n_nodes == kg.n_nodes and net2.n_edges == kg.n_edges
    assert np.allclose(np.sort(net2.edge_time), np.sort(kg.edge_time))


def test_speeds_per_profile(kg: RoadNetwork) -> None:
    # Same residential edge: walking is slower than motorbike by the ratio of their speeds.
    walk = RoadNetwork.from_osm_xml(DATA / "kelapa_gading.osm.bz2", profile="walking")
    speed_mb = kg.edge_len / kg.edge_time * 3.6
    assert speed_mb.max() <= 40 + 1e-6
    assert (speed_mb >= 6 - 1e-6).mean() > 0.99  # below 6 km/h only where a maxspeed tag says so
    assert np.allclose(walk.edge_len / walk.edge_time * 3.6, 4.5)
    # Walking ignores one-way streets, so it has at least as many directed edges.
    assert walk.n_edges > kg.n_edges
    assert get_profile("motorbike").speed_for("motorway") is None  # no motorbikes on toll roads
    assert get_profile("motorbike").speed_for(["residential", "tertiary"]) == 25
    assert get_profile("car").speed_for("residential", "10") == 10  # maxspeed caps
    with pytest.raises(ConfigError):
        get_profile("helicopter")


def test_matrix_equals_networkx_on_sampled_pairs(kg: RoadNetwork) -> None:
    # Stops placed exactly on graph nodes of the walking network (every street two-way): the matrix
    # must equal networkx Dijkstra between the nodes.
    walk = RoadNetwork.from_osm_xml(DATA / "kelapa_gading.osm.bz2", profile="walking")
    rng = np.random.default_rng(1)
    nodes = rng.choice(walk.n_nodes, size=60, replace=False)
    m = walk.matrix(walk.node_lon[nodes], walk.node_lat[nodes])
    g = walk.to_networkx()
    checked = 0
    for i in range(0, 60, 6):
        ref = nx.single_source_dijkstra_path_length(g, int(nodes[i]), weight="time")
        for j in range(60):
            want = ref.get(int(nodes[j]), np.inf)
            assert m.time_s[i, j] == pytest.approx(want, abs=0.05), (i, j)
            checked += np.isfinite(want)
    assert checked > 400


def test_motorbike_matrix_never_worse_than_networkx(kg: RoadNetwork) -> None:
    # With one-way streets a stop may also leave by pushing the bike back a few metres, so the matrix
    # is at most the node-to-node networkx time, and equal for most pairs.
    rng = np.random.default_rng(2)
    nodes = rng.choice(kg.n_nodes, size=40, replace=False)
    m = kg.matrix(kg.node_lon[nodes], kg.node_lat[nodes])
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


def test_matrix_edge_snapping_and_distance(kg: RoadNetwork) -> None:
    lon, lat = _points_in("kelapa_gading", 300)
    m = kg.matrix(lon, lat)
    s = kg.snap(lon, lat)
    assert (s.distance_m < 150).mean() > 0.95
    fin = np.isfinite(m.time_s)
    assert fin.mean() > 0.8
    # Distance along the fastest path is never shorter than the straight line.
    straight = haversine_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    assert (m.dist_m[fin] >= straight[fin] - 1.0).all()
    # Triangle inequality on travel time (fastest paths).
    i, j, k = 3, 40, 100
    if np.isfinite(m.time_s[i, k]) and np.isfinite(m.time_s[k, j]):
        assert m.time_s[i, j] <= m.time_s[i, k] + m.time_s[k, j] + 1e-6


def test_snapping_is_to_edges_not_nodes(kg: RoadNetwork) -> None:
    # The midpoint of a long edge is ~0 m from the road although far from both end nodes.
    e = int(np.argmax(kg.edge_len))
    c = kg._edge_coords[e]
    line = shapely.LineString(c)
    mid = line.interpolate(0.5, normalized=True)
    s = kg.snap([mid.x], [mid.y])
    assert s.distance_m[0] < 1.0
    node_d = haversine_m(mid.x, mid.y, kg.node_lon, kg.node_lat).min()
    assert node_d > 20


def test_far_points_and_disconnected_pieces_are_unroutable(kg: RoadNetwork) -> None:
    lon, lat = _points_in("kelapa_gading", 5)
    far_lon, far_lat = lon[0] + 0.05, lat[0]  # ~5.5 km away from any road of the extract
    m = kg.matrix(np.r_[lon, far_lon], np.r_[lat, far_lat])
    assert set(m.unroutable) == {5}
    assert "too_far_from_road" in m.unroutable[5]
    assert np.isinf(m.time_s[0, 5]) and np.isinf(m.time_s[5, 0])
    assert 5 in m.unreachable_from(0)


def test_disconnected_component_reported() -> None:
    g = nx.MultiDiGraph()
    for n, (x, y) in enumerate([(107.0, -6.2), (107.001, -6.2), (107.010, -6.2), (107.011, -6.2)]):
        g.add_node(n, x=x, y=y)
    for u, v in [(0, 1), (1, 0), (2, 3), (3, 2)]:
        g.add_edge(u, v, length=110.0, highway="residential")
    net = RoadNetwork(g)
    m = net.matrix([107.0005, 107.0105], [-6.2, -6.2])
    assert m.unroutable == {}
    assert np.isinf(m.time_s[0, 1])
    assert "disconnected" in m.unreachable_from(0)[1]


def test_one_way_street_respected() -> None:
    g = nx.MultiDiGraph()
    for n, x in enumerate([107.0, 107.001, 107.002]):
        g.add_node(n, x=x, y=-6.2)
    g.add_edge(0, 1, length=110.0, highway="residential", oneway=True)
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


def test_geometry_follows_roads_and_is_continuous(kg: RoadNetwork) -> None:
    lon, lat = _points_in("kelapa_gading", 6, seed=4)
    legs = kg.path_geometry(lon, lat)
    m = kg.matrix(lon, lat)
    assert len(legs) == 5
    for i, leg in enumerate(legs):
        c = np.asarray(leg.coords)
        assert tuple(c[0]) == pytest.approx((lon[i], lat[i]))
        assert tuple(c[-1]) == pytest.approx((lon[i + 1], lat[i + 1]))
        if np.isfinite(m.dist_m[i, i + 1]):
            length = haversine_m(c[:-1, 0], c[:-1, 1], c[1:, 0], c[1:, 1]).sum()
            # The drawn path is as long as the matrix distance (to within the snap legs' geometry).
            assert length == pytest.approx(m.dist_m[i, i + 1], rel=0.05, abs=30)


def test_straight_line_network() -> None:
    net = StraightLineNetwork(profile="motorbike", circuity=1.5)
    m = net.matrix([107.0, 107.01, 107.0], [-6.2, -6.2, -6.21])
    d = haversine_m(107.0, -6.2, 107.01, -6.2)
    assert m.dist_m[0, 1] == pytest.approx(1.5 * d)
    assert m.time_s[0, 1] == pytest.approx(1.5 * d / (PROFILES["motorbike"].straight_kmh / 3.6))
    assert np.allclose(m.time_s, m.time_s.T) and np.all(np.diag(m.time_s) == 0)
    assert m.unreachable_from(0) == {}
    legs = net.path_geometry([107.0, 107.01], [-6.2, -6.2])
    assert list(legs[0].coords) == [(107.0, -6.2), (107.01, -6.2)]
    assert net.is_straight_line
    with pytest.raises(ConfigError):
        StraightLineNetwork(circuity=0.5)


def test_hostile_or_missing_files(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.osm"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        "<osm>&lol2;</osm>"
    )
    with pytest.raises(InputFileError, match="DOCTYPE"):
        RoadNetwork.from_osm_xml(bomb)
    with pytest.raises(NetworkError, match="does not exist"):
        RoadNetwork.from_osm_xml(tmp_path / "none.osm")
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><node id='1'")
    with pytest.raises(NetworkError):
        RoadNetwork.from_osm_xml(bad)
    with pytest.raises(NetworkError, match="osmium"):
        RoadNetwork.from_file(tmp_path / "x.osm.pbf")


def test_download_saves_and_reuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The download path, with osmnx's downloader replaced by the recorded extract (no network)."""
    import osmnx as ox

    calls = []

    def fake_graph_from_polygon(polygon: object, **kw: object) -> nx.MultiDiGraph:
        calls.append(kw)
        return ox.graph_from_xml(DATA / "kelapa_gading.osm.bz2", retain_all=True)

    monkeypatch.setattr(ox, "graph_from_polygon", fake_graph_from_polygon)
    poly = gpd.read_file(DATA / "kelapa_gading_boundary.geojson").geometry.iloc[0]
    a = RoadNetwork.download(poly, cache_dir=tmp_path)
    b = RoadNetwork.download(poly, cache_dir=tmp_path)  # from the saved GraphML
    assert len(calls) == 1 and calls[0]["network_type"] == "all"
    assert a.n_edges == b.n_edges
    assert list(tmp_path.glob("motorbike-*.graphml"))

    def offline(polygon: object, **kw: object) -> nx.MultiDiGraph:
        raise ConnectionError("no internet")

    monkeypatch.setattr(ox, "graph_from_polygon", offline)
    with pytest.raises(NetworkError, match="online"):
        RoadNetwork.download(poly.buffer(0.001), cache_dir=tmp_path)


def test_fingerprints_tell_networks_apart(kg: RoadNetwork) -> None:
    walk = RoadNetwork.from_osm_xml(DATA / "kelapa_gading.osm.bz2", profile="walking")
    again = RoadNetwork.from_osm_xml(DATA / "kelapa_gading.osm.bz2")
    assert kg.fingerprint() == again.fingerprint() != walk.fingerprint()
    assert StraightLineNetwork(circuity=1.5).fingerprint() != StraightLineNetwork().fingerprint()
