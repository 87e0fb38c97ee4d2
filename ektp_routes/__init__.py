"""ektp_routes: plan door-to-door delivery of printed e-KTP cards by post-office couriers.

The card and region names below are imported on first use (PEP 562), so that importing one room
of the package (``ektp_routes.network`` for a matrix, say) does not load pandas and geopandas with
it. ``solve`` is imported at once (it is light: the solvers load when they are used), so the name
``ektp_routes.solve`` stays the function, as it always was, not the submodule.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ektp_routes._errors import (
    ConfigError,
    EktpRoutesError,
    GeocodingError,
    InputFileError,
    MissingColumnError,
    NetworkError,
    OutputError,
    RegionError,
    SolverError,
)
from ektp_routes.solve import Fleet, RoutePlan, RoutingProblem, SolveParams, solve

if TYPE_CHECKING:
    from ektp_routes.cards import REASONS, CardList, ValidationRules, read_cards
    from ektp_routes.regions import Desa, Gazetteer, Kecamatan, Resolution
    from ektp_routes.synthetic import synthetic_cards, write_cards

__version__ = "0.1.0"

#: Public name -> the module that defines it (imported when the name is first asked for).
_LAZY = {
    **dict.fromkeys(("REASONS", "CardList", "ValidationRules", "read_cards"), "ektp_routes.cards"),
    **dict.fromkeys(("Desa", "Gazetteer", "Kecamatan", "Resolution"), "ektp_routes.regions"),
    **dict.fromkeys(("synthetic_cards", "write_cards"), "ektp_routes.synthetic"),
}


def __getattr__(name: str) -> Any:
    """The lazily imported public names (see the module docstring)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ektp_routes' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "REASONS",
    "CardList",
    "ConfigError",
    "Desa",
    "EktpRoutesError",
    "Fleet",
    "Gazetteer",
    "GeocodingError",
    "InputFileError",
    "Kecamatan",
    "MissingColumnError",
    "NetworkError",
    "OutputError",
    "RegionError",
    "Resolution",
    "RoutePlan",
    "RoutingProblem",
    "SolveParams",
    "SolverError",
    "ValidationRules",
    "__version__",
    "read_cards",
    "solve",
    "synthetic_cards",
    "write_cards",
]
