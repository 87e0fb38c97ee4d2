from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from network_helpers import DATA, toy_graph

from ektp_routes import ConfigError
from ektp_routes.network import RoadNetwork, StraightLineNetwork, get_profile
from ektp_routes.network.graph import build_graph

_FINGERPRINTS = """
import json, sys
sys.path.insert(0, {tests!r})
from network_helpers import toy_graph
from ektp_routes.network import RoadNetwork, StraightLineNetwork, get_profile
g = toy_graph([(107.0, -6.2), (107.001, -6.2), (107.001, -6.201)], [(0, 1), (1, 0), (1, 2)])
print(json.dumps({{
    "road": RoadNetwork(g, profile="car").fingerprint(),
    "kg": RoadNetwork.from_osm_xml({osm!r}, profile="bicycle").fingerprint(),
    "straight": StraightLineNetwork(profile="walking").fingerprint(),
    "set_repr": repr(get_profile("car").forbidden),
}}))
"""


def test_fingerprint_is_the_same_in_every_process() -> None:
    """Resume files are keyed by the fingerprint: two processes with different hash seeds must agree."""
    code = _FINGERPRINTS.format(tests=str(Path(__file__).parent), osm=str(DATA / "kelapa_gading.osm.bz2"))
    out = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        out.append(json.loads(run.stdout.strip().splitlines()[-1]))
    # The seeds do change set order (what broke the old repr-based fingerprint) ...
    assert out[0]["set_repr"] != out[1]["set_repr"]
    # ... but not the fingerprints.
    for key in ("road", "kg", "straight"):
        assert out[0][key] == out[1][key], key
    g = toy_graph([(107.0, -6.2), (107.001, -6.2), (107.001, -6.201)], [(0, 1), (1, 0), (1, 2)])
    assert out[0]["road"] == RoadNetwork(g, profile="car").fingerprint()


def test_fingerprints_tell_networks_apart(kg: RoadNetwork, kg_walk: RoadNetwork) -> None:
    again = RoadNetwork.from_osm_xml(DATA / "kelapa_gading.osm.bz2")
    assert kg.fingerprint() == again.fingerprint() != kg_walk.fingerprint()
    loose = RoadNetwork.from_road_graph(kg.graph, max_snap_m=500)
    assert loose.fingerprint() != kg.fingerprint()
    assert kg.fingerprint() != StraightLineNetwork().fingerprint()


def test_network_over_a_prepared_graph_plans_alike(kg: RoadNetwork) -> None:
    same = RoadNetwork.from_road_graph(kg.graph)
    assert same.fingerprint() == kg.fingerprint()
    assert same.profile is kg.profile and not same.is_straight_line
    lon, lat = kg.graph.node_lon[:20] + 1e-5, kg.graph.node_lat[:20]
    a, b = kg.matrix(lon, lat), same.matrix(lon, lat)
    assert (a.time_s == b.time_s).all()


def test_constructor_takes_an_osmnx_graph() -> None:
    g = toy_graph([(107.0, -6.2), (107.001, -6.2)], [(0, 1), (1, 0)])
    net = RoadNetwork(g, profile="bicycle", max_snap_m=50, strict=True)
    assert net.profile is get_profile("bicycle") and net.max_snap_m == 50
    assert net.graph.fingerprint() == build_graph(g, get_profile("bicycle")).fingerprint()
    assert net.matrix([107.0005, 107.0005], [-6.2, -6.2 + 0.001]).unroutable == {
        1: ("too_far_from_road: 111 m from the nearest usable road (limit 50 m)")
    }


def test_on_a_clipped_extract_every_stop_reaches_the_office(kg_clipped: RoadNetwork) -> None:
    """Issue 13: stops near loose pieces of road are moved onto the main network, none is lost."""
    g = kg_clipped.graph
    rng = np.random.default_rng(11)
    lon = np.r_[np.median(g.node_lon), rng.uniform(g.node_lon.min(), g.node_lon.max(), 200)]
    lat = np.r_[np.median(g.node_lat), rng.uniform(g.node_lat.min(), g.node_lat.max(), 200)]
    before = RoadNetwork.from_road_graph(g, connectivity="any", strict=True).matrix(lon, lat)
    after = kg_clipped.matrix(lon, lat)
    lost = before.unreachable_from(0)
    assert len(lost) >= 10  # the old rule strands stops on fragments
    assert after.unreachable_from(0) == {}
    assert np.isfinite(after.time_s).all()
    moved = np.flatnonzero(after.snap_moved)
    assert set(lost) <= set(moved) | set(np.flatnonzero(after.off_network))
    assert (after.snap_m[moved] > before.snap_m[moved]).all()  # the farther road is reported
    # The drawn legs to a moved stop start at the stop and end at the next one.
    i = int(moved[0])
    legs = kg_clipped.path_geometry([lon[0], lon[i], lon[0]], [lat[0], lat[i], lat[0]])
    assert legs[0].coords[-1] == pytest.approx((lon[i], lat[i]))
    assert len(legs[0].coords) > 3


def test_snapping_rules_are_checked_and_fingerprinted(kg: RoadNetwork) -> None:
    fps = {
        RoadNetwork.from_road_graph(kg.graph, **opts).fingerprint()  # type: ignore[arg-type]
        for opts in ({}, {"strict": True}, {"connectivity": "any"}, {"max_snap_m": 100})
    }
    assert len(fps) == 4 and kg.fingerprint() in fps
    with pytest.raises(ConfigError, match="connectivity"):
        RoadNetwork.from_road_graph(kg.graph, connectivity="nearest")  # type: ignore[typeddict-item]
    with pytest.raises(ConfigError, match="max_snap_m"):
        RoadNetwork.from_road_graph(kg.graph, max_snap_m=0)
