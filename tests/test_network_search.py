"""Searches near the points (a box with a certified answer) give the reference's travel times."""

from __future__ import annotations

import numpy as np
import pytest

from ektp_routes._errors import ConfigError
from ektp_routes.network import RoadNetwork
from ektp_routes.network.search import NodeSearch, SearchGraph
from tests.network_helpers import points_in


def _ring_graph() -> SearchGraph:
    """A slow straight street (10 nodes, 100 m apart, 100 s per edge) and a fast bypass that leaves
    far to the north (40 m/s): the fastest way from one end to the other is the bypass."""
    x = np.r_[np.arange(10) * 100.0, 0.0, 900.0]
    y = np.r_[np.zeros(10), 5_000.0, 5_000.0]
    u = [*range(9), *range(1, 10), 0, 10, 11, 10, 11, 9]
    v = [*range(1, 10), *range(9), 10, 11, 9, 0, 10, 11]
    t = [100.0] * 18 + [5_000 / 40, 900 / 40, 5_000 / 40] * 2
    length = [100.0] * 18 + [5_000.0, 900.0, 5_000.0] * 2
    return SearchGraph.from_arrays(
        x=x, y=y, edge_u=np.array(u), edge_v=np.array(v), edge_time=np.array(t), edge_len=np.array(length)
    )


def test_a_path_that_leaves_the_box_is_found() -> None:
    g = _ring_graph()
    exact = NodeSearch(g, margin_m=None)
    local = NodeSearch(g, margin_m=50)  # the box holds the street only: its answer is not certain
    t_ref, d_ref = exact.matrix(np.array([0, 9]), np.array([9, 0]))
    t, d = local.matrix(np.array([0, 9]), np.array([9, 0]))
    assert t_ref[0, 0] == pytest.approx(5_000 / 40 * 2 + 900 / 40)  # the bypass, not 900 s of street
    np.testing.assert_array_equal(t, t_ref)
    np.testing.assert_array_equal(d, d_ref)
    times, paths = local.pair_paths(np.array([0, 2]), np.array([9, 4]))
    assert paths[0] == [0, 10, 11, 9] and paths[1] == [2, 3, 4]
    assert times[1] == 200.0


def test_local_matrix_equals_the_reference_on_a_real_extract(kg: RoadNetwork) -> None:
    lon, lat = points_in("kelapa_gading", 150, seed=3)
    # Points in one corner (a "territory"): the box is much smaller than the extract.
    corner = (lon < np.quantile(lon, 0.4)) & (lat < np.quantile(lat, 0.4))
    lon, lat = lon[corner], lat[corner]
    ref = RoadNetwork.from_road_graph(kg.graph, search_margin_m=None).matrix(lon, lat)
    local = RoadNetwork.from_road_graph(kg.graph, search_margin_m=150).matrix(lon, lat)
    assert len(lon) > 10
    np.testing.assert_allclose(local.time_s, ref.time_s, rtol=1e-9)
    np.testing.assert_allclose(local.dist_m, ref.dist_m, rtol=1e-6)


def test_local_paths_equal_the_reference(kg: RoadNetwork) -> None:
    lon, lat = points_in("kelapa_gading", 8, seed=5)
    ref = RoadNetwork.from_road_graph(kg.graph, search_margin_m=None).path_geometry(list(lon), list(lat))
    local = RoadNetwork.from_road_graph(kg.graph, search_margin_m=100).path_geometry(list(lon), list(lat))
    assert len(ref) == len(local) == 7
    for a, b in zip(ref, local, strict=True):
        assert a.length == pytest.approx(b.length, rel=1e-9)


def test_margin_must_be_positive() -> None:
    with pytest.raises(ConfigError, match="margin"):
        NodeSearch(_ring_graph(), margin_m=0)
