"""Exception hierarchy: every error the library raises on purpose derives from EktpRoutesError."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


class EktpRoutesError(Exception):
    """Base class of the errors ektp_routes raises on purpose.

    An error worded from the message catalogue (:func:`ektp_routes.i18n.error`) keeps its message id in
    ``key`` and the placeholder values in ``values``: its text (``str(exc)``) is English, as every
    exception of the library, and the command line words it again in the user's language.
    """

    key: str = ""
    values: Mapping[str, object] = MappingProxyType({})


class InputFileError(EktpRoutesError, ValueError):
    """A file cannot be read as what it claims to be (format, encoding, truncated, hostile)."""


class MissingColumnError(InputFileError):
    """A required column is absent from a card list; the message says which and how to map it."""


class RegionError(EktpRoutesError, LookupError):
    """A region (desa/kelurahan, kecamatan, kode pos) could not be resolved."""


class NetworkError(EktpRoutesError, RuntimeError):
    """A road network could not be built, loaded or downloaded."""


class GeocodingError(EktpRoutesError, RuntimeError):
    """A geocoder failed in a way the caller must know about (offline, refused, misconfigured)."""


class SolverError(EktpRoutesError, RuntimeError):
    """The routing problem is malformed or the solver failed."""


class ConfigError(EktpRoutesError, ValueError):
    """A configuration value is invalid; the message names the field and the accepted values."""


class OutputError(EktpRoutesError, OSError):
    """Outputs cannot be written (read-only directory, disk full, unsafe file name)."""


class LedgerError(EktpRoutesError, RuntimeError):
    """The delivery ledger cannot be opened, read or changed (the message never holds a password)."""
