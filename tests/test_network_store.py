"""Prepared networks on disk: saved once, loaded without osmnx, damaged or outdated files refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ektp_routes._errors import NetworkError
from ektp_routes.i18n import error_text, messages
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


def test_hierarchy_is_stored_with_the_graph_and_used(kg: RoadNetwork, tmp_path: Path) -> None:
    from ektp_routes.network.contraction import contract_graph

    h = contract_graph(kg.graph)
    save_network(kg.graph, tmp_path / "net", hierarchy=h)
    stored = load_network(tmp_path / "net")
    assert stored.hierarchy is not None and stored.manifest["hierarchy"]["upward_edges"] == h.n_edges
    for a, b in ((h.rank, stored.hierarchy.rank), (h.up.time, stored.hierarchy.up.time),
                 (h.down.head, stored.hierarchy.down.head)):  # fmt: skip
        np.testing.assert_array_equal(a, b)
    net = RoadNetwork.from_file(tmp_path / "net")
    assert net.hierarchy is not None  # matrices on the stored hierarchy, even on a small network
    np.testing.assert_array_equal(net.hierarchy.up.head, h.up.head)
    lon, lat = points_in("kelapa_gading", 60, seed=4)
    np.testing.assert_allclose(net.matrix(lon, lat).time_s, kg.matrix(lon, lat).time_s, rtol=1e-9)
    # Saving the graph alone drops the old hierarchy (it could belong to another graph).
    save_network(kg.graph, tmp_path / "net")
    assert load_network(tmp_path / "net").hierarchy is None
    assert not (tmp_path / "net" / "hierarchy.npz").exists()


def test_hierarchy_files_of_older_versions_load_with_todays_dtypes(kg: RoadNetwork, tmp_path: Path) -> None:
    """A hierarchy written with int64 heads and ranks (before they became int32) loads as int32 (half
    the memory, the same compiled matrix code) and gives the same matrix."""
    from ektp_routes.network.contraction import contract_graph

    net = tmp_path / "net"
    save_network(kg.graph, net, hierarchy=contract_graph(kg.graph))
    with np.load(net / "hierarchy.npz") as z:
        arrays = {k: z[k] for k in z.files}
    assert arrays["up_head"].dtype == np.int32
    wide = {k: a.astype(np.int64) if a.dtype.kind == "i" else a for k, a in arrays.items()}
    np.savez(net / "hierarchy.npz", **wide)
    old = load_network(net).hierarchy
    assert old is not None and old.rank.dtype == old.up.head.dtype == old.down.head.dtype == np.int32
    np.testing.assert_array_equal(old.up.head, arrays["up_head"])
    lon, lat = points_in("kelapa_gading", 30, seed=6)
    now = RoadNetwork.from_file(net).matrix(lon, lat)
    save_network(kg.graph, net, hierarchy=contract_graph(kg.graph))
    np.testing.assert_array_equal(now.time_s, RoadNetwork.from_file(net).matrix(lon, lat).time_s)


def test_stale_or_damaged_hierarchy_is_refused_in_one_line(kg: RoadNetwork, tmp_path: Path) -> None:
    from ektp_routes.network.contraction import contract_graph

    net = tmp_path / "net"
    save_network(kg.graph, net, hierarchy=contract_graph(kg.graph))
    good = (net / "hierarchy.npz").read_bytes()
    manifest = json.loads((net / "network.json").read_text())

    def refused(match: str) -> None:
        with pytest.raises(NetworkError, match=match) as info:
            load_network(net)
        assert "\n" not in str(info.value) and "network build" in str(info.value)
        # in Bahasa Indonesia on the command line (the default), the same path and advice
        said = error_text(info.value, messages("id"))
        assert said.startswith(f"{net}") and "; bangun ulang dengan `ektp-routes network build" in said, said

    # Prepared for another graph (its fingerprint recorded in the manifest differs).
    stale = json.loads(json.dumps(manifest))
    stale["hierarchy"]["graph_fingerprint"] = "0" * 64
    (net / "network.json").write_text(json.dumps(stale))
    refused("another road graph")
    (net / "network.json").write_text(json.dumps(manifest))
    # Edited arrays (a shortcut made faster), a truncated file, a missing file.
    with np.load(net / "hierarchy.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["up_time"] = arrays["up_time"] * 0.9
    np.savez(net / "hierarchy.npz", **arrays)
    refused("damaged or edited")
    (net / "hierarchy.npz").write_bytes(good[: len(good) // 2])
    refused("damaged or edited")
    (net / "hierarchy.npz").unlink()
    refused("damaged or edited")
    (net / "hierarchy.npz").write_bytes(good)
    assert load_network(net).hierarchy is not None
    # Written by another version.
    old = json.loads(json.dumps(manifest))
    old["hierarchy"]["format"] = 99
    (net / "network.json").write_text(json.dumps(old))
    refused("another version")


def test_a_prepared_network_is_planned_on_without_the_osm_and_table_libraries(
    kg: RoadNetwork, tmp_path: Path
) -> None:
    """Loading a prepared network and computing a matrix needs arrays only: networkx, osmnx, pandas and
    geopandas (about 100 MB resident together) stay unloaded in that process."""
    from ektp_routes.network.contraction import contract_graph

    save_network(kg.graph, tmp_path / "net", hierarchy=contract_graph(kg.graph))
    lon, lat = points_in("kelapa_gading", 20, seed=5)
    code = (
        "import sys, numpy as np\n"
        "from ektp_routes.network import RoadNetwork\n"
        f"net = RoadNetwork.from_file({str(tmp_path / 'net')!r})\n"
        f"m = net.matrix(np.array({lon.tolist()!r}), np.array({lat.tolist()!r}))\n"
        "assert net.hierarchy is not None and np.isfinite(m.time_s).all()\n"
        "print(' '.join(sorted({'networkx', 'osmnx', 'pandas', 'geopandas'} & set(sys.modules))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
