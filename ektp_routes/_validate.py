"""Checks of configuration values at the boundary: one line naming the option, its problem and the
allowed range (never a traceback from deep inside the solver)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection

from ektp_routes._errors import ConfigError


def require_int(name: str, value: object, low: int, high: int | None = None) -> None:
    """Refuse anything but a whole number in [low, high] (booleans and 2.5 included)."""
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or value < low or (high is not None and value > high):  # type: ignore[operator]
        allowed = f">= {low}" if high is None else f"from {low} to {high}"
        raise ConfigError(f"{name} must be a whole number {allowed}, not {value!r}")


def require_number(name: str, value: object, low: float, high: float, *, low_open: bool = False) -> None:
    """Refuse anything but a finite number in [low, high] (or (low, high] with ``low_open``)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)  # type: ignore[arg-type]
    if ok:
        v = float(value)  # type: ignore[arg-type]
        ok = (v > low if low_open else v >= low) and v <= high
    if not ok:
        allowed = f"above {low:g}, up to {high:g}" if low_open else f"from {low:g} to {high:g}"
        raise ConfigError(f"{name} must be a finite number {allowed}, not {value!r}")


def require_choice(name: str, value: object, allowed: Collection[str]) -> None:
    """Refuse anything but one of ``allowed``."""
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


def require_bool(name: str, value: object) -> None:
    """Refuse anything but true or false (a TOML string "no" is not false)."""
    if not isinstance(value, bool):
        raise ConfigError(f"{name} must be true or false, not {value!r}")
