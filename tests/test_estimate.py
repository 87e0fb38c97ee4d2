from __future__ import annotations

from dataclasses import replace

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
    estimated_travel,
    named_settlements,
    plan_estimates,
)
from ektp_routes.evaluate import PlannedDays, replay
from ektp_routes.network import WALK_CIRCUITY, WALK_MPS, StraightLineNetwork, TravelMatrix

D1, D2 = "32.16.10.2005", "32.16.10.2001"


def _nodes(rows: list[dict[str, object]]) -> PlaceNodes:
    base = {"lon": np.nan, "lat": np.nan, "settlement": "", "rt": -1, "doors": 1.0, "spacing_m": 50.0}
    return PlaceNodes(pd.DataFrame([{**base, **r} for r in rows]))


def test_model_rejects_impossible_constants() -> None:
    with pytest.raises(ConfigError):
        TravelModel(tour_k=5.0)
    with pytest.raises(ConfigError):
        TravelModel(settled_density_km2=0.0)
    with pytest.raises(ConfigError):
        TravelModel(settlement_km2=0.0)


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


def test_a_list_naming_few_settlements_covers_less_land(gaz: Gazetteer) -> None:
    m = TravelModel(settlement_km2=0.2)
    free = desa_spacing_m(gaz, {D1: 100.0}, m)[D1]
    one = desa_spacing_m(gaz, {D1: 100.0}, m, settlements_per_desa={D1: 1})[D1]
    assert one == pytest.approx(np.sqrt(0.2e6 / 100.0)) and one < free
    # Many settlements named: the desa's settled land binds again, as with no count at all.
    assert desa_spacing_m(gaz, {D1: 100.0}, m, settlements_per_desa={D1: 1000})[D1] == pytest.approx(free)
    unlimited = desa_spacing_m(
        gaz, {D1: 100.0}, TravelModel(settlement_km2=None), settlements_per_desa={D1: 1}
    )
    assert unlimited[D1] == pytest.approx(free)


def test_named_settlements_counts_names_and_rws_per_desa() -> None:
    stops = pd.DataFrame(
        {
            "desa_kode": [D1, D1, D1, D1, D2, D2],
            "settlement": ["kampung Pulo"] * 3 + ["perumahan Asri", "", "kampung Duri"],
            "rw": ["001", "001", "007", "002", "", "003"],
            "doors": [30.0, 30.0, 20.0, 25.0, 10.0, 10.0],
        }
    )
    # D1: Pulo in RW 001 and in RW 007 are two settlements, Asri a third. D2: half its doors name none.
    assert named_settlements(stops) == {D1: 3}
    few_unnamed = stops.assign(doors=[30.0, 30.0, 20.0, 25.0, 1.0, 40.0])
    assert named_settlements(few_unnamed) == {D1: 3, D2: 2}


def test_plan_estimates_limit_a_small_lists_land(gaz: Gazetteer) -> None:
    stops = pd.DataFrame(
        {
            "desa_kode": [D1, D1],
            "settlement": ["kampung Pulo", "kampung Pulo"],
            "rw": ["001", "001"],
            "rt_number": [1.0, 2.0],
            "doors": [20.0, 20.0],
            "precision": ["desa", "desa"],
        }
    )
    capped, _ = plan_estimates(gaz, stops, TravelModel(settlement_km2=0.1))
    free, _ = plan_estimates(gaz, stops, TravelModel(settlement_km2=None))
    assert capped["spacing_m"].iloc[0] == pytest.approx(np.sqrt(0.1e6 / 40.0))
    assert free["spacing_m"].iloc[0] > capped["spacing_m"].iloc[0]


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


class _RoadsAside(StraightLineNetwork):
    """Straight lines, but each point lies ``snap`` metres from its road and every leg from or to it
    walks that distance at walking pace, as a road network charges it (points flagged ``off`` are
    beyond the snap limit: straight legs, no walk). ``snap`` and ``off`` repeat over the points."""

    def __init__(self, snap: float | list[float], off: tuple[bool, ...] = (False,)) -> None:
        super().__init__()
        self.snap = np.atleast_1d(np.asarray(snap, dtype=float))
        self.off = np.asarray(off, dtype=bool)

    def matrix(self, lon: object, lat: object) -> TravelMatrix:  # type: ignore[override]
        m = super().matrix(lon, lat)
        n = len(m.snap_m)
        snap, off = np.resize(self.snap, n), np.resize(self.off, n)
        walk = np.where(off, 0.0, snap)
        t = m.time_s + (walk[:, None] + walk[None, :]) / WALK_MPS
        d = m.dist_m + walk[:, None] + walk[None, :]
        np.fill_diagonal(t, 0.0)
        np.fill_diagonal(d, 0.0)
        return replace(m, time_s=t, dist_m=d, snap_m=snap, off_network=off)


def _two_blocks() -> PlaceNodes:
    return _nodes(
        [
            {"desa_kode": D1, "settlement": "kampung A", "rt": 1, "doors": 30.0},
            {"desa_kode": D1, "settlement": "kampung A", "rt": 2, "doors": 30.0},
        ]
    )


def test_on_a_road_network_each_door_is_walked_to_from_its_road(gaz: Gazetteer) -> None:
    samples = {D1: desa_samples(gaz, D1)}
    m = TravelModel()
    t0, d0 = estimated_matrices(_two_blocks(), _RoadsAside(0.0), samples, m)
    t1, d1 = estimated_matrices(_two_blocks(), _RoadsAside(20.0), samples, m)
    # 29 steps inside the block and one to the next block, each 20 m out to the road and 20 m in
    assert d1[0, 1] - d0[0, 1] == pytest.approx(30 * 40.0)
    assert t1[0, 1] - t0[0, 1] == pytest.approx(30 * 40.0 / WALK_MPS)
    # the straight-line model has no roads to walk from: its estimates are exactly as before
    t_sl, d_sl = estimated_matrices(_two_blocks(), StraightLineNetwork(), samples, m)
    assert np.array_equal(d0, d_sl) and np.array_equal(t0, t_sl)


def test_doors_too_far_apart_for_a_walk_are_ridden(gaz: Gazetteer) -> None:
    """Sparse households (300 m of land each) 150 m from the road: each step is a ride, not a walk."""
    m = TravelModel()
    block = [{"desa_kode": D1, "settlement": "kampung A", "rt": 1, "doors": 30.0, "spacing_m": 300.0}]
    nodes = _nodes([{"lon": 107.0, "lat": -6.2, "desa_kode": ""}, {**block[0], "lon": 107.01, "lat": -6.2}])
    t0, _ = estimated_matrices(nodes, _RoadsAside(0.0), {}, m)
    t1, _ = estimated_matrices(nodes, _RoadsAside([0.0, 150.0]), {}, m)
    assert t1[1, 0] - t0[1, 0] == pytest.approx((150.0 + 29 * 2 * 150.0) / WALK_MPS)


def test_a_desa_block_walks_the_mean_of_its_samples_and_nothing_off_the_roads(gaz: Gazetteer) -> None:
    samples = {D1: desa_samples(gaz, D1)}
    m = TravelModel()
    sparse = PlaceNodes(_two_blocks().table.assign(spacing_m=300.0))  # doors too far apart to walk
    _, d0 = estimated_matrices(sparse, _RoadsAside(0.0), samples, m)
    # one sample in four lies 80 m from its road (median 0 m, mean 20 m) ...
    _, d1 = estimated_matrices(sparse, _RoadsAside([0.0, 0.0, 0.0, 80.0]), samples, m)
    assert d1[0, 1] - d0[0, 1] == pytest.approx(30 * 2 * 20.0)
    # ... and every other one of those is beyond the snap limit: straight legs, no walk (mean 10 m)
    off = (False,) * 7 + (True,)
    _, d2 = estimated_matrices(sparse, _RoadsAside([0.0, 0.0, 0.0, 80.0], off), samples, m)
    assert d2[0, 1] - d0[0, 1] == pytest.approx(30 * 2 * 10.0)


def test_a_desa_block_is_off_the_network_only_when_its_whole_desa_is(gaz: Gazetteer) -> None:
    """A block known only to its desa travels among its desa's samples: it is flagged off_network (its
    legs straight) when every sample lies beyond the snap limit, not when some do; a point block by
    its own point."""
    samples = {D1: desa_samples(gaz, D1)}
    m = TravelModel()
    pinned = {"desa_kode": D1, "settlement": "kampung B", "rt": 3, "lon": 107.0, "lat": -6.2}
    nodes = _nodes([*_two_blocks().table.to_dict("records"), pinned])
    # matrix points: the pinned block first, then the desa's 24 samples
    every = estimated_travel(nodes, _RoadsAside(0.0, (False, True)), samples, m).off_network
    assert every.tolist() == [False, False, False]  # half the samples on the roads
    every = estimated_travel(nodes, _RoadsAside(0.0, (False, *(True,) * 24)), samples, m).off_network
    assert every.tolist() == [True, True, False]
    pin_off = estimated_travel(nodes, _RoadsAside(0.0, (True, *(False,) * 24)), samples, m).off_network
    assert pin_off.tolist() == [False, False, True]


def test_a_desa_block_rides_near_the_road_and_walks_door_to_door_far_from_it(gaz: Gazetteer) -> None:
    """Doors 50 m apart: a block at a sample on the road rides each step, one 80 m off it walks next door;
    the step is the mean of the two (not the cheaper of the means, a ride with 2 x 20 m walks)."""
    samples = {D1: desa_samples(gaz, D1)}
    m = TravelModel()
    t0, _ = estimated_matrices(_two_blocks(), _RoadsAside(0.0), samples, m)
    t1, _ = estimated_matrices(_two_blocks(), _RoadsAside([0.0, 0.0, 0.0, 80.0]), samples, m)
    step = m.step_m(spacing_m=50.0)
    ridden, walked = step / (m.speed_kmh / 3.6), step / m.circuity * WALK_CIRCUITY / WALK_MPS
    assert walked < ridden + 160.0 / WALK_MPS  # far from the road, walking next door is faster
    inside = 29 * 0.25 * (walked - ridden)  # the block's 29 steps, a quarter of them walked
    hop = 40.0 / WALK_MPS  # to the next block: a ride with the mean walks (faster than walking)
    assert t1[0, 1] - t0[0, 1] == pytest.approx(inside + hop)


def test_a_pinned_block_walks_its_own_distance_from_the_road(gaz: Gazetteer) -> None:
    """A pin (a settlement placed by a GIS analyst) shows how far its doors lie from the road."""
    lon, lat = gaz.get(D1).rep_lon, gaz.get(D1).rep_lat
    nodes = _nodes(
        [
            {"lon": lon, "lat": lat, "desa_kode": ""},  # the post office, on its road
            {
                "lon": lon + 0.01,
                "lat": lat,
                "desa_kode": D1,
                "settlement": "kampung A",
                "rt": 1,
                "doors": 30.0,
            },
        ]
    )
    m = TravelModel()
    t0, _ = estimated_matrices(nodes, _RoadsAside(0.0), {}, m)
    t1, _ = estimated_matrices(nodes, _RoadsAside([0.0, 150.0]), {}, m)
    # in to the first door and out from the last (in the legs); the 29 steps between doors are walked
    # door to door (67 m on foot), faster than 150 m out to the road and 150 m in again with a ride
    step = m.step_m(spacing_m=50.0)
    walked = step / m.circuity * WALK_CIRCUITY / WALK_MPS
    ridden = step / (m.speed_kmh / 3.6)
    assert t1[1, 0] - t0[1, 0] == pytest.approx(150.0 / WALK_MPS + 29 * (walked - ridden))
    assert t1[0, 1] - t0[0, 1] == pytest.approx(150.0 / WALK_MPS)


def test_the_estimate_charges_the_walks_the_replay_charges(gaz: Gazetteer) -> None:
    """A day through one block of 30 households: the walks the estimate adds are those the replay adds."""
    depot = (gaz.get(D1).rep_lon, gaz.get(D1).rep_lat)
    stops = pd.DataFrame(
        {"precision": "desa", "lon": np.nan, "lat": np.nan, "desa_kode": D1, "settlement": ["kampung A"]}
        | {"rw": "001", "rt_number": [1.0], "doors": 30.0, "spacing_m": 50.0}
    )
    est = PlaceEstimates.for_desa(gaz, [D1], TravelModel())
    x, y = desa_samples(gaz, D1, 54)
    truth = pd.DataFrame(
        {"true_lon": x[24:], "true_lat": y[24:], "household_id": [f"h{i}" for i in range(30)]}
    )
    visits = pd.DataFrame(
        {"route_id": "R", "office_id": "O", "stop_seq": 1, "within": np.nan, "row": range(1, 31)}
    )
    routes = pd.DataFrame(
        {"route_id": ["R"], "office_id": "O", "expected_travel_s": 0.0, "expected_duration_s": 0.0}
    )
    days = PlannedDays(visits, routes, {"O": depot}, {"O": 7 * 3600.0})
    extra = {}
    for name, snap in (("flat", 0.0), ("walked", 20.0)):
        t, _ = est.matrices(stops, depot, _RoadsAside(snap))
        realised = replay(days, truth, network=_RoadsAside(snap)).total.realised_travel_s
        extra[name] = (t[0, 1] + t[1, 0], realised)
    # 30 households and the post office, each walked to and from its road: 2 x 31 x 20 m
    want = 2 * 31 * 20.0 / WALK_MPS
    assert extra["walked"][0] - extra["flat"][0] == pytest.approx(want)
    assert extra["walked"][1] - extra["flat"][1] == pytest.approx(want)


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
