"""Identities of what a plan makes: a route (office, courier, day) and a delivery stop.

Each identity is a small frozen value with one ``__str__``: the only place its text form is built.
Tables and files carry that text; code passes the values and never parses the text back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class RouteId:
    """One courier-day of one post office. ``courier`` and ``day`` count from 0 (as the solver does);
    the text form counts from 1, as couriers do: ``PO01-K02-H03`` is courier 2 on day 3."""

    office_id: str
    courier: int
    day: int

    def __str__(self) -> str:
        return f"{self.office_id}-K{self.courier + 1:02d}-H{self.day + 1:02d}"


@dataclass(frozen=True, order=True)
class StopId:
    """A delivery stop, identified by the grouping key of its cards (desa, place, address, part)."""

    number: int

    @classmethod
    def from_key(cls, key: str) -> StopId:
        """The stop whose cards share ``key`` (stable across runs and processes)."""
        return cls(int(hashlib.sha1(key.encode()).hexdigest()[:12], 16) % 10**10)

    def __str__(self) -> str:
        return f"S{self.number:010d}"
