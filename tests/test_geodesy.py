from __future__ import annotations

import numpy as np
import pytest

from ektp_routes.network import LocalProjection, haversine_m


def test_haversine_known_distances_and_broadcasting() -> None:
    # One degree of latitude is about 111.2 km; one of longitude at 6.2 S about 110.5 km.
    assert haversine_m(107.0, -6.0, 107.0, -7.0) == pytest.approx(111_195, rel=1e-4)
    assert haversine_m(107.0, -6.2, 108.0, -6.2) == pytest.approx(110_548, rel=1e-3)
    d = haversine_m(np.array([107.0, 107.1])[:, None], -6.2, np.array([107.0, 107.1])[None, :], -6.2)
    assert d.shape == (2, 2) and d[0, 0] == 0 and d[0, 1] == pytest.approx(d[1, 0])


def test_local_projection_is_metric_near_its_latitude() -> None:
    p = LocalProjection(-6.2)
    x, y = p.xy(np.array([107.0, 107.01]), np.array([-6.2, -6.2]))
    assert float(x[1] - x[0]) == pytest.approx(float(haversine_m(107.0, -6.2, 107.01, -6.2)), rel=1e-3)
    lon, lat = p.lonlat(x, y)
    assert np.allclose(lon, [107.0, 107.01]) and np.allclose(lat, -6.2)
