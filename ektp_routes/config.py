"""What a planning run is told: the fleet, the solver parameters, service times and the scope.

:class:`PlanConfig` composes the library's own value types (:class:`~ektp_routes.solve.Fleet` and
:class:`~ektp_routes.solve.SolveParams` are used as they are, never re-declared) with two small ones,
:class:`ServiceTimes` and :class:`Scope`. Every option has one entry in :data:`OPTIONS` (its type and
allowed range): the TOML loader, :meth:`PlanConfig.with_options` and the command line all validate
through it, so a bad value gives the same one-line message wherever it comes from.

A ``plan.toml`` has up to five tables, each optional::

    [run]
    workers = 2
    [fleet]
    couriers = 6
    capacity = 150
    shift_s = 25200
    days = 20
    [solve]
    time_limit_s = 30
    seed = 0
    deterministic = true
    engine = "auto"
    objective = "courier_days"
    [service]
    base_s = 60
    per_card_s = 45
    [scope]
    kecamatan = ["Karang Bahagia"]
    consolidation = "auto"

Example
-------
>>> cfg = PlanConfig().with_options(time_limit_s=5, couriers=3)
>>> cfg.solve.time_limit_s, cfg.fleet.couriers, cfg.fleet.days
(5.0, 3, 20)
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Literal

from ektp_routes._cpus import usable_cpus
from ektp_routes._errors import ConfigError
from ektp_routes.couriers import Fleet
from ektp_routes.i18n import Messages, error, phrase
from ektp_routes.regions import Gazetteer
from ektp_routes.solve_params import SolveParams

Consolidation = Literal["auto", "household", "rt", "rw", "desa"]
CONSOLIDATIONS: tuple[str, ...] = ("auto", "household", "rt", "rw", "desa")


@dataclass(frozen=True)
class ServiceTimes:
    """Time spent at a stop: ``base_s`` per stop plus ``per_card_s`` per card handed over."""

    base_s: float = 60.0
    per_card_s: float = 45.0

    def __post_init__(self) -> None:
        OPTIONS["service_base_s"].check("service base_s", self.base_s)
        OPTIONS["service_per_card_s"].check("service per_card_s", self.per_card_s)


@dataclass(frozen=True)
class Scope:
    """Which cards a run plans and how they are grouped into stops.

    Parameters
    ----------
    kecamatan
        Only cards of these kecamatan (names as people write them, or codes); empty: all.
    consolidation
        "auto" (default): one stop per household where the card's point is the house (coordinates
        on the card, an address match), one per delivery block (desa, settlement, RW, RT) where it is
        not (see :mod:`~ektp_routes.blocks`); or one stop per household, per RT, per RW, or one at the
        desa office whatever the precision.
    """

    kecamatan: tuple[str, ...] = ()
    consolidation: Consolidation = "auto"

    def __post_init__(self) -> None:
        OPTIONS["consolidation"].check("consolidation", self.consolidation)

    def kecamatan_codes(self, gazetteer: Gazetteer) -> tuple[str, ...]:
        """The selected kecamatan as sorted codes (empty: no selection)."""
        return kecamatan_codes(gazetteer, self.kecamatan)


def kecamatan_codes(gazetteer: Gazetteer, names: Iterable[str]) -> tuple[str, ...]:
    """Kecamatan codes for names as people write them (or codes); sorted, unique.

    One entry may list several kecamatan separated by commas (``"Setu, Cibarusah"``), as people type
    them after ``--kecamatan``; no kecamatan name has a comma.

    Raises
    ------
    ConfigError
        A name that resolves to no kecamatan, or to several; the message gives the closest names and
        every known kecamatan.
    """
    known = {k.kode for k in gazetteer.all_kecamatan}
    out = set()
    for name in (name for entry in names for name in _listed(str(entry))):
        if name in known:
            out.add(name)
            continue
        r = gazetteer.resolve_kecamatan(name)
        if not r.ok:
            names_known = ", ".join(sorted(k.nama for k in gazetteer.all_kecamatan))
            raise error(
                ConfigError, "error.config_kecamatan", name=repr(name), why=r.refusal, known=names_known
            )
        out.add(r.kecamatan.kode)
    return tuple(sorted(out))


def _listed(entry: str) -> list[str]:
    """The names in one comma-separated entry; an entry naming nothing stays as written (and is refused)."""
    return [part.strip() for part in entry.split(",") if part.strip()] or [entry]


DEFAULT_FLEET = Fleet(couriers=6, capacity=150, shift_s=7 * 3600, days=20)
DEFAULT_SOLVE = SolveParams(time_limit_s=30.0, seed=0, deterministic=True)


def _default_workers() -> int:
    return usable_cpus()


@dataclass(frozen=True)
class PlanConfig:
    """A planning run's configuration, composed of typed parts.

    Parameters
    ----------
    fleet
        Couriers of each post office that does not bring its own (placeholders, offices-file defaults).
    solve
        Solver parameters; every field reaches the solver.
    service
        Time at each stop.
    scope
        Kecamatan selection and stop grouping.
    workers
        Post offices solved side by side in local processes.
    """

    fleet: Fleet = DEFAULT_FLEET
    solve: SolveParams = DEFAULT_SOLVE
    service: ServiceTimes = field(default_factory=ServiceTimes)
    scope: Scope = field(default_factory=Scope)
    workers: int = field(default_factory=_default_workers)

    def __post_init__(self) -> None:
        OPTIONS["workers"].check("workers", self.workers)

    def with_options(self, *, label: Callable[[str], str] | None = None, **options: Any) -> PlanConfig:
        """A copy with options changed by their flat names (see :data:`OPTIONS`), each validated.

        ``label`` names an option in error messages (the CLI passes its ``--flag`` names).
        """
        parts: dict[str, dict[str, Any]] = {}
        for name, value in options.items():
            opt = OPTIONS.get(name)
            if opt is None:
                known = ", ".join(sorted(OPTIONS))
                raise error(ConfigError, "error.config_unknown_option", name=repr(name), known=known)
            shown = label(name) if label else name
            parts.setdefault(opt.section, {})[opt.field] = opt.check(shown, value)
        return self._replaced(parts)

    def _replaced(self, parts: Mapping[str, Mapping[str, Any]]) -> PlanConfig:
        cfg = self
        try:
            for section, values in parts.items():
                if section == "run":
                    cfg = replace(cfg, **values)
                else:
                    cfg = replace(cfg, **{section: replace(getattr(cfg, section), **values)})
        except (TypeError, ValueError) as exc:  # a combination the parts refuse (their own message)
            raise ConfigError(str(exc)) from exc
        return cfg

    @classmethod
    def from_toml(
        cls, path: str | Path, *, base: PlanConfig | None = None, other_tables: Collection[str] = ()
    ) -> PlanConfig:
        """Read a ``plan.toml`` (tables ``[run] [fleet] [solve] [service] [scope]``, or ``[plan]``
        with the flat option names). ``other_tables`` are tables another reader handles.

        Unknown tables or keys, wrong types and values out of range are errors naming the key.
        """
        doc = _read_toml(Path(path))
        return cls.from_document(doc, source=Path(path).name, base=base, other_tables=other_tables)

    @classmethod
    def from_document(
        cls,
        doc: Mapping[str, Any],
        *,
        source: str = "plan.toml",
        base: PlanConfig | None = None,
        other_tables: Collection[str] = (),
    ) -> PlanConfig:
        """The configuration of a parsed TOML document (see :meth:`from_toml`)."""
        parts: dict[str, dict[str, Any]] = {}
        for section, table in doc.items():
            if section in other_tables:
                continue
            if section not in (*SECTIONS, "plan"):
                allowed = ", ".join((*SECTIONS, "plan", *other_tables))
                raise error(
                    ConfigError, "error.config_unknown_table", source=source, section=section, allowed=allowed
                )
            if not isinstance(table, dict):
                raise error(ConfigError, "error.config_not_table", source=source, section=section)
            for key, value in table.items():
                opt = OPTIONS.get(key) if section == "plan" else _BY_SECTION.get((section, key))
                if opt is None:
                    names = (
                        OPTIONS
                        if section == "plan"
                        else [o.field for o in OPTIONS.values() if o.section == section]
                    )
                    raise error(
                        ConfigError, "error.config_unknown_key", source=source, section=section,
                        key=repr(key), known=", ".join(sorted(names)),
                    )  # fmt: skip
                parts.setdefault(opt.section, {})[opt.field] = opt.check(f"{source} [{section}] {key}", value)
        return (base or cls())._replaced(parts)


def read_toml_text(path: str | Path) -> str:
    """The text of a TOML file, refused in one line when it is missing, a folder or not UTF-8.

    A byte-order mark (Windows Notepad saves UTF-8 with one) is no part of the text.
    """
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(ConfigError, "error.config_missing", path=p) from None
    except IsADirectoryError:
        raise error(ConfigError, "error.config_is_folder", path=p) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(ConfigError, "error.config_unreadable", path=p, why=exc.__class__.__name__) from None


def _read_toml(path: Path) -> dict[str, Any]:
    text = read_toml_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(path.name, exc) from None


def toml_error(name: str, exc: tomllib.TOMLDecodeError) -> ConfigError:
    """The refusal of a TOML file that does not parse, naming the line and column where it stops."""
    at = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    if at is None:
        return error(ConfigError, "error.config_not_toml", name=name)
    return error(ConfigError, "error.config_not_toml_at", name=name, line=at.group(1), column=at.group(2))


# ---------------------------------------------------------------------------------------------- options
def shown(value: object) -> str:
    """``value`` as written in the TOML file, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_types(
    table: Mapping[str, Any], types: Mapping[str, str], *, section: str, choices: Sequence[str] = ()
) -> None:
    """Refuse a value of ``table`` of the wrong type, naming ``[section] key``, the value and the type
    wanted (``types``: key -> int, number, bool, pair (two numbers) or list (of ``choices``))."""
    for key, kind in types.items():
        v = table.get(key)
        if v is not None and not _is_of(v, kind, choices):
            expected = partial(_wanted, kind=kind, choices=", ".join(choices))
            raise error(
                ConfigError, "error.config_type", section=section, key=key, value=shown(v), expected=expected
            )


def _is_of(v: object, kind: str, choices: Sequence[str]) -> bool:
    if isinstance(v, bool):  # TOML's true/false are Python ints too
        return kind == "bool"
    if kind == "pair":
        return isinstance(v, list) and len(v) == 2 and all(_is_of(x, "number", ()) for x in v)
    if kind == "list":
        return isinstance(v, list) and all(str(x) in choices for x in v)
    if kind == "number":
        return isinstance(v, (int, float))
    return kind == "int" and isinstance(v, int)


def _wanted(t: Messages, *, kind: str, choices: str) -> str:
    """The type ``kind`` in the language of ``t``."""
    return t(f"type.{kind}", choices=choices) if kind == "list" else t(f"type.{kind}")


@dataclass(frozen=True)
class Option:
    """One configuration option: where it lives, its type and its allowed range.

    ``allowed`` names the wording of the range in the message catalogue (``allowed.<allowed>``,
    filled with ``lo``, ``hi`` and ``choices``), so that a refusal reads in the user's language.
    """

    name: str
    section: str
    field: str
    kind: type
    allowed: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()

    def check(self, label: str, value: object) -> Any:
        """``value`` converted to the option's type, or a ConfigError naming ``label`` and the range."""
        problem = self._problem(value)
        if problem:
            raise error(
                ConfigError, "error.config_value", label=label, value=shown(value),
                problem=phrase(f"config_problem.{problem}"), allowed=self.allowed_text,
            )  # fmt: skip
        if self.kind is float:
            return float(value)  # type: ignore[arg-type]
        if self.kind is tuple:
            return tuple(value)  # type: ignore[arg-type]
        return value

    def allowed_text(self, t: Messages) -> str:
        """The allowed range or choices in the language of ``t``."""
        return t(
            f"allowed.{self.allowed}",
            lo=_number(self.lo),
            hi=_number(self.hi),
            choices=", ".join(self.choices),
        )

    def _problem(self, value: object) -> str:
        """What is wrong with ``value`` (a ``config_problem.*`` message id suffix), or ''."""
        if self.kind is bool:
            return "" if isinstance(value, bool) else "bool"
        if self.kind is str:
            if not isinstance(value, str):
                return "text"
            return "" if value in self.choices else "choice"
        if self.kind is tuple:
            ok = isinstance(value, (list, tuple)) and all(
                isinstance(v, str) and v.strip() and len(v) <= 100 and v.isprintable() for v in value
            )
            return "" if ok else "names"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "number"
        if self.kind is int and not isinstance(value, int):
            return "whole"
        if not math.isfinite(value):
            return "finite"
        assert self.lo is not None and self.hi is not None
        return "" if self.lo <= value <= self.hi else "range"


def _number(v: float | None) -> str:
    """A bound as people write it: 3600, not 3600.0; 1000000, not 1e+06."""
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else str(v)


_MAX_SEED = 2**31 - 1
OPTIONS: dict[str, Option] = {
    o.name: o
    for o in (
        Option("workers", "run", "workers", int, "int", 1, 256),
        Option("couriers", "fleet", "couriers", int, "int", 1, 10_000),
        Option("capacity", "fleet", "capacity", int, "int_cards", 1, 100_000),
        Option("shift_s", "fleet", "shift_s", int, "int_s", 60, 86_400),
        Option("days", "fleet", "days", int, "int", 1, 366),
        Option("time_limit_s", "solve", "time_limit_s", float, "above_0", 1e-3, 86_400),
        Option("seed", "solve", "seed", int, "int", 0, _MAX_SEED),
        Option("deterministic", "solve", "deterministic", bool, "bool"),
        Option("engine", "solve", "engine", str, "choices", choices=("auto", "ortools", "pyvrp")),
        Option(
            "objective", "solve", "objective", str, "choices", choices=("courier_days", "time", "distance")
        ),
        Option("day_cost_s", "solve", "day_cost_s", float, "number_s", 0, 1e6),
        Option("balance", "solve", "balance", float, "number", 0, 1000),
        Option("max_stops_whole", "solve", "max_stops_whole", int, "int", 2, 100_000),
        Option("territory_stops", "solve", "territory_stops", int, "int", 2, 100_000),
        Option("solve_workers", "solve", "workers", int, "int", 1, 64),
        Option("service_base_s", "service", "base_s", float, "number_s", 0, 3600),
        Option("service_per_card_s", "service", "per_card_s", float, "number_s", 0, 3600),
        Option("kecamatan", "scope", "kecamatan", tuple, "names"),
        Option("consolidation", "scope", "consolidation", str, "choices", choices=CONSOLIDATIONS),
    )
}
"""Every option by its flat name (as :meth:`PlanConfig.with_options` takes it)."""

SECTIONS = ("run", "fleet", "solve", "service", "scope")
_BY_SECTION = {(o.section, o.field): o for o in OPTIONS.values()}
