"""Who delivers: the couriers of one post office (:class:`Fleet`), each courier on each day of the
horizon a :class:`CourierDay`, the unit a route is planned for.

Example
-------
>>> [(v.courier, v.day) for v in Fleet(couriers=2, days=2).vehicles()]
[(0, 0), (1, 0), (0, 1), (1, 1)]
"""

from __future__ import annotations

from dataclasses import dataclass

from ektp_routes._errors import ConfigError
from ektp_routes._validate import require_int


@dataclass(frozen=True, slots=True)
class CourierOverride:
    """Per-courier exceptions to the fleet defaults (index from 0)."""

    courier: int
    capacity: int | None = None
    shift_s: int | None = None


@dataclass(frozen=True, slots=True)
class CourierDay:
    """One courier on one day: the unit a route is planned for (one vehicle to the engines)."""

    courier: int
    day: int
    capacity: int
    shift_s: int


#: Longest shift accepted, seconds (a whole day).
MAX_SHIFT_S = 24 * 3600


@dataclass(frozen=True)
class Fleet:
    """The couriers of one post office.

    Parameters
    ----------
    couriers
        Number of couriers.
    capacity
        Cards a courier's bag holds per day.
    shift_s
        Working time per courier-day (travel + service), seconds.
    days
        Days in the planning horizon.
    overrides
        Per-courier capacity or shift exceptions.
    """

    couriers: int = 1
    capacity: int = 150
    shift_s: int = 7 * 3600
    days: int = 1
    overrides: tuple[CourierOverride, ...] = ()

    def __post_init__(self) -> None:
        require_int("fleet couriers", self.couriers, 1)
        require_int("fleet days", self.days, 1)
        require_int("fleet capacity", self.capacity, 1)
        require_int("fleet shift_s", self.shift_s, 60, MAX_SHIFT_S)
        for o in self.overrides:
            if not 0 <= o.courier < self.couriers:
                raise ConfigError(f"override for courier {o.courier}, but the fleet has {self.couriers}")
            if o.capacity is not None:
                require_int(f"capacity of courier {o.courier}", o.capacity, 1)
            if o.shift_s is not None:
                require_int(f"shift_s of courier {o.courier}", o.shift_s, 60, MAX_SHIFT_S)

    def vehicles(self, *, per_kind: int | None = None) -> list[CourierDay]:
        """Every courier-day of the horizon, day-major (day 0's couriers first); with ``per_kind``, only
        the first ``per_kind`` of each bag and shift (a plan of n stops uses at most n courier-days)."""
        over = {o.courier: o for o in self.overrides}
        out = []
        kept: dict[tuple[int, int], int] = {}
        for day in range(self.days):
            for c in range(self.couriers):
                o = over.get(c)
                cap = o.capacity if o and o.capacity is not None else self.capacity
                shift = o.shift_s if o and o.shift_s is not None else self.shift_s
                kept[cap, shift] = kept.get((cap, shift), 0) + 1
                if per_kind is None or kept[cap, shift] <= per_kind:
                    out.append(CourierDay(c, day, cap, shift))
            if per_kind is not None and min(kept.values()) >= per_kind:
                break  # every day has the same kinds: the later days add none that is wanted
        return out
