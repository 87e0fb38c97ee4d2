from __future__ import annotations

import numpy as np
import pytest

from ektp_routes import ConfigError
from ektp_routes.network import PROFILES, StraightLineNetwork, haversine_m


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


def test_fingerprint_follows_profile_and_circuity() -> None:
    a = StraightLineNetwork()
    assert a.fingerprint() == StraightLineNetwork().fingerprint()
    assert StraightLineNetwork(circuity=1.5).fingerprint() != a.fingerprint()
    assert StraightLineNetwork(profile="bicycle").fingerprint() != a.fingerprint()
    assert len(a.fingerprint()) == 64
