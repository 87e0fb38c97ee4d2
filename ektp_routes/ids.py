"""Identities of what a plan makes: a route (office, courier, day) and a delivery stop; and of what the
delivery operation dispatches: a courier's route on a calendar date and the stops on it.

Each identity is a small frozen value with one ``__str__``: the only place its text form is built.
Tables and files carry that text; code passes the values and never parses the text back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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
    """A delivery stop: its desa and its number within the desa (unique by construction, never cut
    from a hash). ``S3216102005-00042`` is stop 42 of desa 32.16.10.2005."""

    desa_kode: str
    number: int

    def __str__(self) -> str:
        return f"S{self.desa_kode.replace('.', '')}-{self.number:05d}"


@dataclass(frozen=True, order=True)
class DispatchRouteId:
    """One courier-day of the delivery operation: office, calendar date and courier, counted from 1 as
    the ledger counts them: ``PO1-20260901-K03`` is courier 3 of PO1 on 1 September 2026."""

    office_id: str
    day: date
    courier: int

    def __str__(self) -> str:
        return f"{self.office_id}-{self.day:%Y%m%d}-K{self.courier:02d}"

    def stop(self, sequence: int) -> str:
        """The id of the stop visited ``sequence``-th on this route (unique by construction):
        ``PO1-20260901-K03-007``."""
        return f"{self}-{sequence:03d}"
