"""Routing engines behind one protocol over the integer model.

An engine reads an :class:`~ektp_routes.problem.IntegerModel` (integers, depot first, one vehicle per
courier-day) and a :class:`Search` (how long and how to search) and returns the routes it found as
:class:`EngineRoute` values in problem indices. It knows nothing of territories, portfolios or
reasons: :mod:`ektp_routes.solve` does that, and turns engine routes into timed
:class:`~ektp_routes.problem.Route` values with the one shared schedule.

- :mod:`ektp_routes.engines.ortools`: OR-Tools' routing library (guided local search);
- :mod:`ektp_routes.engines.pyvrp`: PyVRP's iterated local search, started from
  :mod:`ektp_routes.engines.start` (a first plan that packs delivery blocks into bags).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ektp_routes.couriers import CourierDay
from ektp_routes.problem import IntegerModel
from ektp_routes.solve_params import SolveParams


@dataclass(frozen=True)
class Search:
    """How long and how an engine searches.

    Parameters
    ----------
    time_limit_s
        Wall-clock seconds the engine may spend.
    seed
        Seed of randomised searches.
    deterministic
        Stop on a work budget sized from ``time_limit_s`` (and on convergence), never on the clock.
    first_solution, metaheuristic
        OR-Tools' strategies (other engines ignore them).
    """

    time_limit_s: float
    seed: int = 0
    deterministic: bool = False
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"

    @classmethod
    def from_params(cls, params: SolveParams, time_limit_s: float) -> Search:
        """The search settings of ``params`` with its own time limit."""
        return cls(
            time_limit_s=time_limit_s,
            seed=params.seed,
            deterministic=params.deterministic,
            first_solution=params.first_solution,
            metaheuristic=params.metaheuristic,
        )


@dataclass(frozen=True)
class EngineRoute:
    """One route an engine found.

    ``stops`` are problem indices in visiting order; ``planned_s`` is the engine's arrival at each
    stop where it chose to wait for a time window, 0.0 (as early as possible) elsewhere.
    """

    vehicle: CourierDay
    stops: tuple[int, ...]
    planned_s: tuple[float, ...]


class Engine(Protocol):
    """A routing engine: integer model in, routes out (None when it found no feasible plan)."""

    name: str

    def solve(self, model: IntegerModel, search: Search) -> list[EngineRoute] | None:
        """The routes found for ``model`` within ``search``'s budget; None when none is feasible."""
        ...
