from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from network_helpers import DATA

from ektp_routes import InputFileError, NetworkError
from ektp_routes.network import RoadNetwork, get_profile
from ektp_routes.network.loaders import osmnx_settings, read_osm_xml


def test_loads_xml_and_graphml(tmp_path: Path, kg: RoadNetwork) -> None:
    import osmnx as ox

    g = read_osm_xml(DATA / "kelapa_gading.osm.bz2", profile=get_profile("motorbike"))
    ox.save_graphml(g, tmp_path / "kg.graphml")
    net2 = RoadNetwork.from_file(tmp_path / "kg.graphml")
    assert net2.n_nodes == kg.n_nodes and net2.n_edges == kg.n_edges
    assert np.allclose(np.sort(net2.graph.edge_time), np.sort(kg.graph.edge_time))
    assert RoadNetwork.from_file(DATA / "kelapa_gading.osm.bz2").fingerprint() == kg.fingerprint()


def test_hostile_or_missing_files(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.osm"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        "<osm>&lol2;</osm>"
    )
    with pytest.raises(InputFileError, match="DOCTYPE"):
        RoadNetwork.from_osm_xml(bomb)
    with pytest.raises(InputFileError, match="DOCTYPE"):
        RoadNetwork.from_graphml(bomb)
    with pytest.raises(NetworkError, match="does not exist"):
        RoadNetwork.from_osm_xml(tmp_path / "none.osm")
    with pytest.raises(NetworkError, match="does not exist"):
        RoadNetwork.from_graphml(tmp_path / "none.graphml")
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><node id='1'")
    with pytest.raises(NetworkError):
        RoadNetwork.from_osm_xml(bad)
    with pytest.raises(NetworkError, match="does not exist"):
        RoadNetwork.from_file(tmp_path / "x.osm.pbf")
    garbage = tmp_path / "garbage.osm.pbf"
    garbage.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all")
    with pytest.raises(NetworkError, match=r"cannot read garbage\.osm\.pbf"):
        RoadNetwork.from_file(garbage)
    (tmp_path / "x.shp").write_bytes(b"\x00")
    with pytest.raises(
        NetworkError, match=r"unknown road-network format.*directory from `ektp-routes network"
    ):
        RoadNetwork.from_file(tmp_path / "x.shp")
    with pytest.raises(NetworkError, match="does not exist"):
        RoadNetwork.from_file(tmp_path / "networks" / "bekasi")  # a mistyped directory
    # A file of a prepared network given instead of its directory.
    (tmp_path / "net").mkdir()
    (tmp_path / "net" / "network.json").write_text("{}")
    (tmp_path / "net" / "graph.npz").write_bytes(b"\x00")
    with pytest.raises(
        NetworkError, match=r"graph\.npz is a file of the prepared network .*net: pass the directory"
    ):
        RoadNetwork.from_file(tmp_path / "net" / "graph.npz")


def test_download_saves_and_reuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The download path, with osmnx's downloader replaced by the recorded extract (no network)."""
    import osmnx as ox

    calls = []
    outside = (ox.settings.use_cache, ox.settings.cache_folder)

    def fake_graph_from_polygon(polygon: object, **kw: object) -> nx.MultiDiGraph:
        # osmnx's HTTP cache points into the network cache while downloading ...
        calls.append((kw, ox.settings.use_cache, ox.settings.cache_folder))
        # ... and ways closed only to strangers (access=private) are fetched: couriers deliver there.
        assert "private" not in ox.settings.default_access and "barrier" in ox.settings.useful_tags_node
        simplify = bool(kw["simplify"])
        return ox.graph_from_xml(DATA / "kelapa_gading.osm.bz2", retain_all=True, simplify=simplify)

    monkeypatch.setattr(ox, "graph_from_polygon", fake_graph_from_polygon)
    poly = gpd.read_file(DATA / "kelapa_gading_boundary.geojson").geometry.iloc[0]
    a = RoadNetwork.download(poly, cache_dir=tmp_path)
    b = RoadNetwork.download(poly, cache_dir=tmp_path)  # from the saved GraphML
    assert len(calls) == 1 and calls[0][0]["network_type"] == "all"
    assert calls[0][1:] == (True, str(tmp_path / "http"))
    # ... and is left as it was afterwards: the library mutates no global osmnx setting.
    assert (ox.settings.use_cache, ox.settings.cache_folder) == outside
    assert a.n_edges == b.n_edges
    assert list(tmp_path.glob("motorbike-*.graphml"))

    def offline(polygon: object, **kw: object) -> nx.MultiDiGraph:
        raise ConnectionError("no internet")

    monkeypatch.setattr(ox, "graph_from_polygon", offline)
    with pytest.raises(NetworkError, match="online"):
        RoadNetwork.download(poly.buffer(0.001), cache_dir=tmp_path)
    assert (ox.settings.use_cache, ox.settings.cache_folder) == outside


def test_osmnx_settings_are_restored_on_error() -> None:
    import osmnx as ox

    before = ox.settings.requests_timeout
    with pytest.raises(RuntimeError), osmnx_settings(requests_timeout=1):
        assert ox.settings.requests_timeout == 1
        raise RuntimeError("boom")
    assert ox.settings.requests_timeout == before
