"""ektp_routes: plan door-to-door delivery of printed e-KTP cards by post-office couriers."""

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
from ektp_routes.cards import REASONS, CardList, ValidationRules, read_cards
from ektp_routes.regions import Desa, Gazetteer, Kecamatan, Resolution
from ektp_routes.solve import Fleet, RoutePlan, RoutingProblem, SolveParams, solve
from ektp_routes.synthetic import synthetic_cards, write_cards

__version__ = "0.1.0"

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
