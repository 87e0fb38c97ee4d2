"""Prepared networks on disk: saved once, loaded without osmnx, damaged or outdated files refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ektp_routes._errors import NetworkError
from ektp_routes.network import RoadNetwork
from ektp_routes.network.store import is_network_dir, load_network, save_network
from tests.network_helpers import points_in


def test_saved_network_plans_like_the_original(kg: RoadNetwork, tmp_path: Path) -> None:
    save_network(kg.graph, tmp_path / "net", max_snap_m=250.0, source={"file": "kelapa_gading.osm.bz2"})
    assert is_network_dir(tmp_path / "net") and not is_network_dir(tmp_path)
    stored = load_network(tmp_path / "net")
    assert stored.graph.fingerprint() == kg.graph.fingerprint()
    assert stored.max_snap_m == 250.0 and stored.manifest["source"]["file"] == "kelapa_gading.osm.bz2"
    loaded = RoadNetwork.from_file(tmp_path / "net")  # a directory is a prepared network
    assert loaded.max_snap_m == 250.0 and loaded.profile == kg.profile
    lon, lat = points_in("kelapa_gading", 40, seed=2)
    np.testing.assert_array_equal(loaded.matrix(lon, lat).time_s, kg.matrix(lon, lat).time_s)
    a = kg.path_geometry(list(lon[:5]), list(lat[:5]))
    b = loaded.path_geometry(list(lon[:5]), list(lat[:5]))
    assert [leg.wkt for leg in a] == [leg.wkt for leg in b]


def test_damaged_or_foreign_directories_are_refused(kg: RoadNetwork, tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="not a prepared network"):
        load_network(tmp_path)
    net = tmp_path / "net"
    save_network(kg.graph, net)
    # An edited travel time no longer matches the fingerprint.
    with np.load(net / "graph.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["edge_time"] = arrays["edge_time"] * 0.5
    np.savez(net / "graph.npz", **arrays)
    with pytest.raises(NetworkError, match="does not match its fingerprint"):
        load_network(net)
    # A file that is not an npz at all.
    (net / "graph.npz").write_bytes(b"garbage")
    with pytest.raises(NetworkError, match="unreadable"):
        load_network(net)
    # Speeds that changed since the build, or another format version.
    manifest = json.loads((net / "network.json").read_text())
    manifest["profile"]["speeds_kmh"]["residential"] = 99.0
    (net / "network.json").write_text(json.dumps(manifest))
    with pytest.raises(NetworkError, match="other speeds or rules"):
        load_network(net)
    manifest["format"] = 99
    (net / "network.json").write_text(json.dumps(manifest))
    with pytest.raises(NetworkError, match="format 99"):
        load_network(net)
    (net / "network.json").write_text("{not json")
    with pytest.raises(NetworkError, match="not readable JSON"):
        load_network(net)
