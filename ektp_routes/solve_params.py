"""How to search: the solver's parameters (:class:`SolveParams`), each checked on creation, read from
a TOML file's ``[solve]`` table or given in code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal

from ektp_routes._errors import ConfigError
from ektp_routes._validate import require_bool, require_choice, require_int, require_number

Objective = Literal["courier_days", "time", "distance"]
#: OR-Tools strategies accepted by name (checked here, so a typo is one clear line, not an AttributeError).
FIRST_SOLUTIONS = ("PARALLEL_CHEAPEST_INSERTION", "SAVINGS", "PATH_CHEAPEST_ARC", "CHRISTOFIDES", "SWEEP",
                   "PATH_MOST_CONSTRAINED_ARC", "LOCAL_CHEAPEST_INSERTION", "AUTOMATIC")  # fmt: skip
METAHEURISTICS = ("GUIDED_LOCAL_SEARCH", "SIMULATED_ANNEALING", "TABU_SEARCH", "GENERIC_TABU_SEARCH",
                  "GREEDY_DESCENT", "AUTOMATIC")  # fmt: skip
#: Longest accepted time limit (one day); the search stops on it, so a typo must not run for ever.
MAX_TIME_LIMIT_S = 24 * 3600.0
MAX_SEED = 2**31 - 1
MAX_WORKERS = 64


@dataclass(frozen=True)
class SolveParams:
    """How to solve.

    Parameters
    ----------
    time_limit_s
        Wall-clock limit for the whole solve (honoured: the best plan found so far is returned).
    seed
        Seed of the randomised parts (decomposition tie-breaks, ruin-and-recreate).
    deterministic
        Same input and seed give the same plan, whatever the load on the machine: the search stops on
        a work budget (iterations for PyVRP, solutions for OR-Tools) sized from the time limit and the
        problem size to end within the limit on a quiet machine, or earlier when PyVRP has not found a
        better plan for a third of its budget; never on the clock (a loaded machine takes longer).
    objective
        "courier_days" (default: fewest courier-days, then least travel time), "time" or "distance".
    day_cost_s
        Cost of using one courier-day, in travel seconds (default: four shift lengths).
    balance
        Weight of the longest route's duration in the objective (0 = off); evens out workloads.
    max_stops_whole
        Problems with more stops than this are decomposed into territories.
    territory_stops
        Target stops per territory when decomposing.
    first_solution, metaheuristic
        OR-Tools' first-solution strategy and local-search metaheuristic.
    workers
        Processes solving side by side (a portfolio of strategies/seeds); the best plan is kept.
    engine
        "ortools", "pyvrp" (hybrid genetic search) or "auto": PyVRP when installed, with OR-Tools as
        fallback. Both read the same integer model and return routes checked by
        :func:`~ektp_routes.problem.check_plan`.
    """

    time_limit_s: float = 30.0
    seed: int = 0
    deterministic: bool = False
    objective: Objective = "courier_days"
    day_cost_s: float | None = None
    balance: float = 0.0
    max_stops_whole: int = 400
    territory_stops: int = 250
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    workers: int = 1
    engine: Literal["auto", "ortools", "pyvrp"] = "auto"

    def __post_init__(self) -> None:
        require_number("time_limit_s", self.time_limit_s, 0.0, MAX_TIME_LIMIT_S, low_open=True)
        require_int("seed", self.seed, 0, MAX_SEED)
        require_int("workers", self.workers, 1, MAX_WORKERS)
        require_int("max_stops_whole", self.max_stops_whole, 1)
        require_int("territory_stops", self.territory_stops, 1)
        require_number("balance", self.balance, 0.0, 1e6)
        if self.day_cost_s is not None:
            require_number("day_cost_s", self.day_cost_s, 0.0, 1e9)
        require_bool("deterministic", self.deterministic)
        require_choice("objective", self.objective, ("courier_days", "time", "distance"))
        require_choice("engine", self.engine, ("auto", "ortools", "pyvrp"))
        require_choice("first_solution", self.first_solution, FIRST_SOLUTIONS)
        require_choice("metaheuristic", self.metaheuristic, METAHEURISTICS)

    @classmethod
    def from_toml(cls, path: str | Path, *, section: str = "solve") -> SolveParams:
        """Read parameters from a TOML file's ``[solve]`` table; unknown keys are an error."""
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        table = data.get(section, {})
        known = {f.name for f in fields(cls)}
        unknown = set(table) - known
        if unknown:
            raise ConfigError(f"unknown [{section}] keys {sorted(unknown)} in {path}; known: {sorted(known)}")
        return cls(**table)
