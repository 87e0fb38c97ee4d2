"""Exception hierarchy: every error the library raises on purpose derives from EktpRoutesError."""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any


class EktpRoutesError(Exception):
    """Base class of the errors ektp_routes raises on purpose.

    An error worded from the message catalogue (:func:`ektp_routes.i18n.error`) keeps its message id in
    ``key`` and the placeholder values in ``values``: its text (``str(exc)``) is English, as every
    exception of the library, and the command line words it again in the user's language.
    """

    key: str = ""
    values: Mapping[str, object] = MappingProxyType({})

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable (process pools, Dask): the English message is ``args``, as for any exception; the
        # read-only ``values`` travel as a plain dict, each as its text unless it is text, a number or
        # a part worded later (i18n.phrase, a bound method of a frozen value). Should a part still
        # not pickle, the error crosses with its English message only.
        state = dict(self.__dict__)
        if "values" in state:
            values = {k: v if v is None or isinstance(v, _KEPT) or callable(v) else str(v)
                      for k, v in state["values"].items()}  # fmt: skip
            try:
                pickle.dumps(values)
                state["values"] = values
            except Exception:  # whatever a third party's object raises
                del state["values"]
                state.pop("key", None)
        return (type(self), self.args, state)

    def __setstate__(self, state: dict[str, Any] | None) -> None:
        self.__dict__.update(state or {})
        if "values" in self.__dict__:
            self.values = MappingProxyType(dict(self.__dict__["values"]))


_KEPT = (str, int, float, bool)


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
