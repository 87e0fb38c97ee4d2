from __future__ import annotations

import numpy as np
import pytest
from network_helpers import points_in

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
