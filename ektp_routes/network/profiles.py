"""Courier profiles: speed per OSM highway class, one-way rules and the roads each courier may use."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ektp_routes._errors import ConfigError
from ektp_routes.i18n import error

#: Walking pace (m/s) for the access leg between a stop and its road, and for pushing a bike a few
#: metres against a one-way street.
WALK_MPS = 4.5 / 3.6


@dataclass(frozen=True)
class CourierProfile:
    """How a courier moves: speed per OSM highway class, one-way rules, the roads it may use.

    Parameters
    ----------
    name
        Profile name.
    speeds_kmh
        Typical moving speed per ``highway`` value, in km/h. Classes absent here use ``default_kmh``;
        classes in ``forbidden`` are removed.
    default_kmh
        Speed of highway classes not listed.
    straight_kmh
        Average door-to-door speed used by the straight-line network.
    respects_oneway
        Whether one-way streets may only be ridden in their direction.
    forbidden
        Highway classes this courier may not use.
    """

    name: str
    speeds_kmh: Mapping[str, float]
    default_kmh: float
    straight_kmh: float
    respects_oneway: bool = True
    forbidden: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        bad = {k: v for k, v in self.speeds_kmh.items() if not (0 < v < 200)}
        if bad or not (0 < self.default_kmh < 200) or not (0 < self.straight_kmh < 200):
            raise ConfigError(f"profile {self.name!r}: speeds must be between 0 and 200 km/h ({bad})")

    def speed_for(self, highway: object, maxspeed: object = None) -> float | None:
        """Speed (km/h) on an edge, or None when the courier may not use it.

        ``highway`` may be a list (osmnx merges ways); the fastest allowed class is used. A parseable
        ``maxspeed`` caps the speed.
        """
        classes = highway if isinstance(highway, list) else [highway]
        speeds = [
            self.speeds_kmh.get(str(h), self.default_kmh) for h in classes if str(h) not in self.forbidden
        ]
        if not speeds:
            return None
        v = max(speeds)
        cap = _parse_maxspeed(maxspeed)
        return min(v, cap) if cap else v

    def canonical(self) -> dict[str, Any]:
        """The profile as plain JSON-ready values in a fixed order (for fingerprints).

        Example
        -------
        >>> get_profile("walking").canonical()["forbidden"][:2]
        ['construction', 'motorway']
        """
        return {
            "name": self.name,
            "speeds_kmh": {k: float(self.speeds_kmh[k]) for k in sorted(self.speeds_kmh)},
            "default_kmh": float(self.default_kmh),
            "straight_kmh": float(self.straight_kmh),
            "respects_oneway": bool(self.respects_oneway),
            "forbidden": sorted(self.forbidden),
        }


def _parse_maxspeed(value: object) -> float | None:
    if value is None:
        return None
    vals = value if isinstance(value, list) else [value]
    out = []
    for v in vals:
        m = re.match(r"\s*(\d+(?:\.\d+)?)\s*(mph)?", str(v))
        if m:
            out.append(float(m.group(1)) * (1.609 if m.group(2) else 1.0))
    return min(out) if out else None


# Speeds for Indonesian roads. Motorbikes may not use toll roads (motorway) in Indonesia; urban traffic
# keeps arterial speeds low; gang (alleys, often footway/path in OSM) are ridden slowly. Sources: typical
# urban motorbike speeds in Jabodetabek of 20-35 km/h; these are planning values, not legal limits.
PROFILES: Mapping[str, CourierProfile] = MappingProxyType(
    {
        "motorbike": CourierProfile(
            "motorbike",
            {
                "trunk": 40,
                "trunk_link": 30,
                "primary": 35,
                "primary_link": 25,
                "secondary": 30,
                "secondary_link": 25,
                "tertiary": 25,
                "tertiary_link": 20,
                "unclassified": 20,
                "residential": 20,
                "living_street": 12,
                "service": 12,
                "track": 10,
                "road": 20,
                "path": 8,
                "footway": 6,
                "pedestrian": 6,
                "cycleway": 10,
                "bridleway": 6,
            },
            default_kmh=15,
            straight_kmh=20,
            respects_oneway=True,
            forbidden=frozenset({"motorway", "motorway_link", "steps", "construction", "proposed"}),
        ),
        "bicycle": CourierProfile(
            "bicycle",
            {
                "trunk": 14,
                "primary": 14,
                "secondary": 14,
                "tertiary": 14,
                "residential": 12,
                "living_street": 10,
                "service": 10,
                "track": 8,
                "path": 8,
                "footway": 5,
                "cycleway": 14,
            },
            default_kmh=11,
            straight_kmh=10,
            respects_oneway=True,
            forbidden=frozenset(
                {"motorway", "motorway_link", "trunk_link", "steps", "construction", "proposed"}
            ),
        ),
        "walking": CourierProfile(
            "walking",
            {},
            default_kmh=4.5,
            straight_kmh=4.0,
            respects_oneway=False,
            forbidden=frozenset(
                {"motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed"}
            ),
        ),
        "car": CourierProfile(
            "car",
            {
                "motorway": 60,
                "motorway_link": 40,
                "trunk": 40,
                "trunk_link": 30,
                "primary": 30,
                "primary_link": 25,
                "secondary": 25,
                "secondary_link": 20,
                "tertiary": 20,
                "tertiary_link": 18,
                "unclassified": 18,
                "residential": 15,
                "living_street": 8,
                "service": 10,
                "track": 8,
                "road": 15,
            },
            default_kmh=12,
            straight_kmh=18,
            respects_oneway=True,
            forbidden=frozenset(
                {
                    "path",
                    "footway",
                    "pedestrian",
                    "cycleway",
                    "steps",
                    "bridleway",
                    "construction",
                    "proposed",
                    "corridor",
                }
            ),
        ),
    }
)


def get_profile(profile: str | CourierProfile) -> CourierProfile:
    """A profile by name ("motorbike", "bicycle", "walking", "car") or the profile itself."""
    if isinstance(profile, CourierProfile):
        return profile
    try:
        return PROFILES[profile]
    except KeyError:
        raise error(
            ConfigError, "error.unknown_profile", profile=repr(profile), known=sorted(PROFILES)
        ) from None
