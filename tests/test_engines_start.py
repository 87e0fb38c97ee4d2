"""The engines' first plan: every stop once, bags and shifts kept, blocks packed to the fewest days."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ektp_routes.engines import Search
from ektp_routes.engines.pyvrp import PyVrpEngine
from ektp_routes.engines.start import first_routes
from ektp_routes.network import StraightLineNetwork
from ektp_routes.problem import (
    CourierOverride,
    DenseMatrices,
    Fleet,
    RoutingProblem,
    SolveParams,
    integer_model,
    schedule,
)


def _blocks(n: int, seed: int, fleet: Fleet, windows: list | None = None) -> RoutingProblem:
    """Delivery blocks as the registry path makes them: tens of cards each, two to a bag."""
    rng = np.random.default_rng(seed)
    lon = np.r_[107.0, 107.0 + rng.uniform(-0.03, 0.03, n)]
    lat = np.r_[-6.2, -6.2 + rng.uniform(-0.03, 0.03, n)]
    m = StraightLineNetwork().matrix(lon, lat)
    cards = np.r_[0, rng.integers(30, 91, n)]
    return RoutingProblem(
        DenseMatrices(m.time_s, m.dist_m),
        cards,
        fleet,
        windows=windows,
        service_base_s=60,
        service_per_card_s=30,
    )


FLEET = Fleet(couriers=10, days=10, capacity=150, shift_s=7 * 3600)


def test_first_routes_serve_every_stop_once_within_bags_and_shifts() -> None:
    p = _blocks(60, seed=1, fleet=FLEET)
    model = integer_model(p, range(1, 61), p.fleet.vehicles(), SolveParams())
    routes = first_routes(model)
    assert routes is not None
    assert sorted(k for r in routes for k in r) == list(range(1, 61))
    for r in routes:
        stops = [int(model.idx[k]) for k in r]
        assert sum(int(p.cards[s]) for s in stops) <= 150
        assert schedule(p, stops).end_s <= 7 * 3600


def test_first_routes_pack_blocks_close_to_the_fewest_bags() -> None:
    p = _blocks(80, seed=2, fleet=FLEET)
    model = integer_model(p, range(1, 81), p.fleet.vehicles(), SolveParams())
    routes = first_routes(model)
    assert routes is not None
    fewest = math.ceil(int(p.cards.sum()) / 150)
    assert len(routes) <= fewest + 2  # best-fit packing: within two bags of the cards' lower bound


@pytest.mark.parametrize(
    "case",
    ["windows", "mixed bags", "too few courier-days", "houses"],
)
def test_first_routes_step_aside_where_they_do_not_apply(case: str) -> None:
    fleet = FLEET
    windows = None
    if case == "windows":
        windows = [None] + [(0.0, 7 * 3600.0)] * 20
    elif case == "mixed bags":
        fleet = Fleet(
            couriers=10,
            days=10,
            capacity=150,
            shift_s=7 * 3600,
            overrides=(CourierOverride(1, capacity=100),),
        )
    elif case == "too few courier-days":
        fleet = Fleet(couriers=1, days=2, capacity=150, shift_s=7 * 3600)
    p = _blocks(20, seed=3, fleet=fleet, windows=windows)
    if case == "houses":  # one to three cards a stop: the engine's own start does better
        p = RoutingProblem(p.matrices, np.r_[0, np.arange(20) % 3 + 1], fleet)
    model = integer_model(p, range(1, 21), p.fleet.vehicles(), SolveParams())
    assert first_routes(model) is None


def test_pyvrp_from_the_first_plan_never_ends_with_more_courier_days() -> None:
    p = _blocks(80, seed=4, fleet=FLEET)
    model = integer_model(p, range(1, 81), p.fleet.vehicles(), SolveParams())
    start = first_routes(model)
    assert start is not None
    got = PyVrpEngine().solve(model, Search(time_limit_s=0.2, deterministic=True))
    assert got is not None
    assert len(got) <= len(start)
    assert sorted(s for r in got for s in r.stops) == list(range(1, 81))
