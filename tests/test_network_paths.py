from __future__ import annotations

import numpy as np
import pytest
from network_helpers import points_in, toy_graph

from ektp_routes.network import RoadNetwork, haversine_m


def test_geometry_follows_roads_and_is_continuous(kg: RoadNetwork) -> None:
    lon, lat = points_in("kelapa_gading", 6, seed=4)
    legs = kg.path_geometry(lon, lat)
    m = kg.matrix(lon, lat)
    assert len(legs) == 5
    drawn = 0
    for i, leg in enumerate(legs):
        c = np.asarray(leg.coords)
        assert tuple(c[0]) == pytest.approx((lon[i], lat[i]))
        assert tuple(c[-1]) == pytest.approx((lon[i + 1], lat[i + 1]))
        if np.isfinite(m.dist_m[i, i + 1]):
            length = haversine_m(c[:-1, 0], c[:-1, 1], c[1:, 0], c[1:, 1]).sum()
            # The drawn path is as long as the matrix distance (to within the snap legs' geometry).
            assert length == pytest.approx(m.dist_m[i, i + 1], rel=0.05, abs=30)
            drawn += len(c) > 4
    assert drawn >= 3  # real street geometry, not straight segments


def test_leg_to_a_far_point_is_straight(kg: RoadNetwork) -> None:
    lon, lat = points_in("kelapa_gading", 2, seed=1)
    legs = kg.path_geometry([lon[0], lon[0] + 0.05], [lat[0], lat[0]])
    assert list(legs[0].coords) == [(lon[0], lat[0]), (lon[0] + 0.05, lat[0])]
    assert kg.path_geometry([lon[0]], [lat[0]]) == []


def test_a_walked_leg_is_drawn_straight_and_a_ridden_one_along_the_street() -> None:
    xy = [(107.0 + 0.001 * k, -6.2) for k in range(5)]
    edges = [(k, k + 1) for k in range(4)] + [(k + 1, k) for k in range(4)]
    net = RoadNetwork(toy_graph(xy, edges))
    lat = -6.2 - 150 / 111_195  # doors 150 m from the street
    lon = [107.0005, 107.00065, 107.0035]  # next door (walked), then 317 m on (ridden)
    legs = net.path_geometry(lon, [lat] * 3)
    assert list(legs[0].coords) == [(lon[0], lat), (lon[1], lat)]
    assert any(y == pytest.approx(-6.2) for _, y in legs[1].coords)  # out to the street and along it
