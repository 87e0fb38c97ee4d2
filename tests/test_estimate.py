from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from ektp_routes import Gazetteer
from ektp_routes._errors import ConfigError
from ektp_routes.estimate import (
    PlaceEstimates,
    PlaceNodes,
    TravelModel,
    desa_samples,
    desa_spacing_m,
    estimated_matrices,
)
from ektp_routes.network import StraightLineNetwork

D1, D2 = "32.16.10.2005", "32.16.10.2001"


def _nodes(rows: list[dict[str, object]]) -> PlaceNodes:
    base = {"lon": np.nan, "lat": np.nan, "settlement": "", "rt": -1, "doors": 1.0, "spacing_m": 50.0}
    return PlaceNodes(pd.DataFrame([{**base, **r} for r in rows]))


def test_model_rejects_impossible_constants() -> None:
    with pytest.raises(ConfigError):
        TravelModel(tour_k=5.0)
    with pytest.raises(ConfigError):
        TravelModel(settled_density_km2=0.0)


def test_desa_samples_lie_in_the_desa_and_repeat(gaz: Gazetteer) -> None:
    x, y = desa_samples(gaz, D1)
    assert len(x) == 24 and shapely.contains_xy(gaz.polygon(D1), x, y).all()
    x2, _ = desa_samples(gaz, D1)
    assert np.array_equal(x, x2)


def test_spacing_shrinks_with_more_households(gaz: Gazetteer) -> None:
    m = TravelModel()
    few = desa_spacing_m(gaz, {D1: 100.0}, m)[D1]
    many = desa_spacing_m(gaz, {D1: 400.0}, m)[D1]
    assert few == pytest.approx(2 * many)
    sparse = desa_spacing_m(gaz, {D1: 100.0}, TravelModel(settled_density_km2=8000.0))[D1]
    denser = desa_spacing_m(gaz, {D1: 100.0}, TravelModel(settled_density_km2=32000.0))[D1]
    assert denser == pytest.approx(sparse / 2, rel=0.01)


def test_estimated_matrix_keeps_settlements_together_in_rt_order(gaz: Gazetteer) -> None:
    lon, lat = gaz.get(D1).rep_lon, gaz.get(D1).rep_lat
    samples = {d: desa_samples(gaz, d) for d in (D1, D2)}
    nodes = _nodes(
        [
            {"lon": lon, "lat": lat, "desa_kode": ""},  # the post office
            {"desa_kode": D1, "settlement": "kampung A", "rt": 1, "doors": 30.0},
            {"desa_kode": D1, "settlement": "kampung A", "rt": 2, "doors": 30.0},
            {"desa_kode": D1, "settlement": "kampung A", "rt": 4, "doors": 30.0},
            {"desa_kode": D1, "settlement": "perumahan B", "rt": 1, "doors": 30.0},
            {"desa_kode": D2, "settlement": "kampung A", "rt": 1, "doors": 30.0},
        ]
    )
    m = TravelModel()
    t, d = estimated_matrices(nodes, StraightLineNetwork(), samples, m)
    step = m.step_m(spacing_m=50.0)
    inner = 29 * step
    assert d[1, 2] == pytest.approx(inner + step)  # neighbouring RT: one step after the walk
    assert d[1, 3] == pytest.approx(inner + 3 * step)
    assert d[1, 4] > d[1, 3]  # another settlement of the desa lies further away
    assert d[1, 5] > d[1, 4]  # another desa further still
    assert d[0, 1] == pytest.approx(d[0, 2])  # from the office, blocks of one desa are alike
    assert np.all(np.diag(d) == 0) and np.all(t >= 0)
    assert t[1, 2] == pytest.approx(d[1, 2] / (m.speed_kmh / 3.6))


def test_points_keep_the_network_distances(gaz: Gazetteer) -> None:
    net = StraightLineNetwork()
    x = [107.10, 107.11, 107.12]
    y = [-6.20, -6.21, -6.20]
    nodes = _nodes([{"lon": a, "lat": b, "desa_kode": D1} for a, b in zip(x, y, strict=True)])
    t, d = estimated_matrices(nodes, net, {}, TravelModel())
    ref = net.matrix(x, y)
    assert np.allclose(d, ref.dist_m) and np.allclose(t, ref.time_s)


def test_same_named_settlements_in_two_rws_are_not_neighbours(gaz: Gazetteer) -> None:
    stops = pd.DataFrame(
        {
            "precision": "desa",
            "lon": np.nan,
            "lat": np.nan,
            "desa_kode": D1,
            "settlement": ["kampung Pulo", "kampung Pulo", "kampung Pulo"],
            "rw": ["002", "002", "007"],
            "rt_number": [1.0, 2.0, 1.0],
            "doors": 10.0,
            "spacing_m": 50.0,
        }
    )
    est = PlaceEstimates.for_desa(gaz, [D1], TravelModel())
    _, d = est.matrices(stops, (gaz.get(D1).rep_lon, gaz.get(D1).rep_lat), StraightLineNetwork())
    step = TravelModel().step_m(spacing_m=50.0)
    assert d[1, 2] == pytest.approx(9 * step + step)  # neighbouring RTs of one settlement
    assert d[1, 3] > d[1, 2] + 10 * step  # the namesake in another RW lies anywhere in the desa
