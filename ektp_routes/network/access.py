"""Who may use a road or pass a barrier: OSM access tags read for couriers delivering to residents.

The rule, decided for couriers (and why it differs from a routing engine's car profile):

- A way's most specific access key for the courier's mode decides (motorbike: ``motorcycle``, then
  ``motor_vehicle``, ``vehicle``, ``access``; bicycle: ``bicycle``, ``vehicle``, ``access``; walking:
  ``foot``, ``access``; car: ``motorcar``, ``motor_vehicle``, ``vehicle``, ``access``). So
  ``access=no`` + ``motorcycle=yes`` is open to motorbikes, and ``motorcycle=no`` closes a street
  to them only.
- ``private``, ``destination``, ``delivery``, ``customers`` and ``permissive`` are OPEN: a courier
  bringing a resident's e-KTP is exactly the destination traffic these tags admit (a gated perumahan
  tagged ``motor_vehicle=private`` is where the cards go). OSRM's car profile closes ``private`` ways,
  which made it disagree with us on the real Jatinegara extract; for deliveries that would be wrong.
- ``no`` and the values that reserve a road for others (``agricultural``, ``forestry``, ``emergency``,
  ``psv``, ``bus``, ``military``) are CLOSED.
- A barrier node (``barrier=*``) is decided by its own access tags the same way; without them, gates,
  lift gates and height restrictors are passable (a guard lets the courier through), while barriers that
  physically stop the mode (a wall, a concrete block; bollards and chains for cars) are not. A closed
  barrier is not removed with its roads: each road up to it still reaches it, only passing through is
  impossible (see :func:`ektp_routes.network.graph.build_graph`).

Example
-------
>>> may_use("motorbike", {"highway": "residential", "motor_vehicle": "private"})
True
>>> may_use("motorbike", {"access": "no", "motorcycle": "yes"}), may_use("walking", {"motorcycle": "no"})
(True, True)
>>> blocks("motorbike", {"barrier": "gate", "access": "no"}), blocks("motorbike", {"barrier": "lift_gate"})
(True, False)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: Access keys per profile, most specific first: the first one a way carries decides.
ACCESS_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "motorbike": ("motorcycle", "motor_vehicle", "vehicle", "access"),
        "bicycle": ("bicycle", "vehicle", "access"),
        "walking": ("foot", "access"),
        "car": ("motorcar", "motor_vehicle", "vehicle", "access"),
    }
)

#: Access values that close a road or barrier to a courier (any other value, private included, is open).
CLOSED_VALUES = frozenset({"no", "agricultural", "forestry", "emergency", "psv", "bus", "military"})

_STOPS_EVERYONE = frozenset({"wall", "fence", "full-height_turnstile"})
_STOPS_WHEELS = _STOPS_EVERYONE | frozenset(
    {"block", "jersey_barrier", "turnstile", "stile", "kissing_gate", "log", "planter", "debris"}
)
#: Barrier types (without access tags of their own) that the mode cannot pass.
CLOSED_BARRIERS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "motorbike": _STOPS_WHEELS,
        "bicycle": _STOPS_WHEELS,
        "walking": _STOPS_EVERYONE,
        "car": _STOPS_WHEELS
        | frozenset({"bollard", "chain", "cycle_barrier", "motorcycle_barrier", "bus_trap", "sump_buster"}),
    }
)

#: Every OSM tag the readers must keep for these rules (ways and nodes).
WAY_TAGS = tuple(sorted({k for keys in ACCESS_KEYS.values() for k in keys}))
NODE_TAGS = ("barrier", *WAY_TAGS)


def _closed(value: object) -> bool:
    """Whether a tag value (or any of a merged list of values) closes the way."""
    values = value if isinstance(value, list) else [value]
    return any(str(v).strip().lower() in CLOSED_VALUES for v in values)


def _decision(profile: str, tags: Mapping[str, object]) -> bool | None:
    """True/False from the most specific access key present, None when the tags say nothing."""
    for key in ACCESS_KEYS.get(profile, ("access",)):
        value = tags.get(key)
        if value is not None and str(value).strip() != "":
            return not _closed(value)
    return None


def may_use(profile: str, tags: Mapping[str, object]) -> bool:
    """Whether a courier of ``profile`` may ride (or walk) a way with these OSM tags."""
    return _decision(profile, tags) is not False


def blocks(profile: str, tags: Mapping[str, object]) -> bool:
    """Whether a node with these OSM tags stops a courier of ``profile`` from passing through it."""
    barrier = tags.get("barrier")
    if barrier is None:
        return False
    decided = _decision(profile, tags)
    if decided is not None:
        return not decided
    kinds = barrier if isinstance(barrier, list) else [barrier]
    return any(str(k) in CLOSED_BARRIERS.get(profile, _STOPS_EVERYONE) for k in kinds)
