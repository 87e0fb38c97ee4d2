"""What comes out of solving: a :class:`Route` per courier-day and the :class:`RoutePlan` of an office,
with the stops left out and the reason of each (:data:`UNSERVED_REASONS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ektp_routes.schema import UnservedReason

UNSERVED_REASONS: Mapping[UnservedReason, str] = {
    UnservedReason.TOO_MANY_CARDS: "the stop has more cards than a courier's bag holds",
    UnservedReason.BEYOND_SHIFT: "a round trip from the post office to this stop does not fit in one shift",
    UnservedReason.OUTSIDE_TIME_WINDOW: "the stop's time window cannot be met within a shift",
    UnservedReason.UNREACHABLE: "no road path between the post office and this stop",
    UnservedReason.NO_CAPACITY: "not enough courier-days in the horizon to serve every stop",
}


def describe_unserved(reason: str) -> str:
    """A planner's sentence for an unserved reason code (the code itself when unknown)."""
    return UNSERVED_REASONS.get(reason, reason)  # type: ignore[call-overload]


@dataclass(frozen=True, slots=True)
class Route:
    """One courier-day: stops in visiting order (problem indices), arrival times from shift start."""

    courier: int
    day: int
    stops: tuple[int, ...]
    arrivals_s: tuple[float, ...]
    cards: int
    distance_m: float
    duration_s: float
    travel_s: float


@dataclass(frozen=True)
class RoutePlan:
    """Routes per courier-day and the stops left out, each with its reason code."""

    routes: tuple[Route, ...]
    unserved: Mapping[int, str]
    n_stops: int
    solve_s: float
    territories: int = 1

    @property
    def courier_days(self) -> int:
        return len(self.routes)

    @property
    def travel_s(self) -> float:
        return float(sum(r.travel_s for r in self.routes))

    @property
    def distance_m(self) -> float:
        return float(sum(r.distance_m for r in self.routes))

    def served(self) -> set[int]:
        return {s for r in self.routes for s in r.stops}
