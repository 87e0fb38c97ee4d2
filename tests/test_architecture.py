"""The house rules a newcomer relies on, read from the source: data flows one way, rooms stay small.

Every module of ``ektp_routes`` has a place in :data:`FLOW` (README, "Architecture") and imports only
modules before it, lazy imports inside functions included; inside the sub-packages the same holds for
their own order. A new module must be given its place here. The package's ``__init__`` is the public
front door and may import anything.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ektp_routes"

#: The one-way flow, foundation first; a module imports only from modules before it.
FLOW: tuple[tuple[str, str], ...] = (
    (
        "foundation",
        "_errors _text _markers _validate _cpus _memory nik schema ids i18n pseudonyms _safexml _files "
        "geodesy",
    ),
    ("regions", "regions"),
    ("cards", "headers reader address card_rows cards"),
    (
        "plan settings and values, synthetic card lists",
        "couriers solve_params route_plan problem config workcalendar synthetic_names synthetic",
    ),
    ("blocks, geocoding, pins", "blocks geocode geocode_online pins_read pins_write pins adjacency"),
    ("stops", "stops"),
    ("offices", "offices"),
    ("network", "network"),
    ("solve", "estimate engines solve runner"),
    ("report", "report plan evaluate"),
    (
        "views, export",
        "layers webmap qgis_styles qgis_project gpkg report_figures report_charts report_page views "
        "export outdir fieldform",
    ),
    ("operation", "ledger operation_config courier_territories operation outcomes opsreport fleet"),
    ("cli", "cli_help cli_blocks cli_network cli_ops cli"),
)

#: The order inside each sub-package (``__init__`` first where the package itself is the base the
#: rooms build on, last where it only gathers their public names).
SUB_FLOW: dict[str, str] = {
    "regions": "units names checks gazetteer __init__",
    "network": (
        "profiles travel access osm pbf loaders graph _heap snapping search contraction hierarchy choice "
        "straight matrix paths store road record __init__"
    ),
    "engines": "__init__ start ortools pyvrp",
}

MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 600


def _order(words: list[str]) -> dict[str, int]:
    return {w: i for i, w in enumerate(words)}


TOP = _order([m for _, names in FLOW for m in names.split()])
SUB = {pkg: _order(names.split()) for pkg, names in SUB_FLOW.items()}


@dataclass(frozen=True)
class Import:
    """One import of a library module by another, where it stands."""

    where: str
    line: int
    source: tuple[str, ...]  # ("cards",), ("network", "road"), ("regions", "__init__")
    target: tuple[str, ...]


def _unit(path: Path) -> tuple[str, ...]:
    rel = path.relative_to(PACKAGE).with_suffix("")
    return tuple(rel.parts)


def _targets(node: ast.Import | ast.ImportFrom, known: set[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The library modules one import statement names: (module,), (package, module) or ("__init__",)."""
    if isinstance(node, ast.Import):
        dotted = [a.name for a in node.names]
    elif node.module and node.level == 0:
        dotted = [f"{node.module}.{a.name}" for a in node.names]
    else:
        return []
    out = []
    for name in dotted:
        parts = tuple(name.split("."))
        if parts[0] != "ektp_routes":
            continue
        parts = parts[1:]
        # "from ektp_routes.network import road" names a module; "... import RoadNetwork" the package.
        while parts and parts not in known and (*parts, "__init__") not in known:
            parts = parts[:-1]
        out.append(parts if parts in known else (*parts, "__init__"))
    return out


def library_imports(sources: dict[tuple[str, ...], str]) -> list[Import]:
    """Every import of a library module in ``sources`` (module -> its text), lazy ones included."""
    known = set(sources)
    found = []
    for unit, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _targets(node, known):
                    found.append(Import("/".join(unit) + ".py", node.lineno, unit, target))
    return found


def against_flow(imp: Import) -> str | None:
    """Why an import runs against the flow, or None when it runs with it."""
    src, dst = imp.source, imp.target
    if src == ("__init__",) or src == dst:
        return None
    if dst == ("__init__",):
        return f"{'/'.join(src)} imports the package's front door (ektp_routes), which imports the solver"
    if len(src) == 2 and len(dst) == 2 and src[0] == dst[0]:
        order = SUB[src[0]]
        if order[dst[1]] < order[src[1]]:
            return None
        return f"{src[0]}/{src[1]} imports {dst[1]}, which comes after it in {src[0]}/"
    if src[0] == dst[0]:
        return f"{'/'.join(src)} imports {'/'.join(dst)}"
    if TOP[dst[0]] < TOP[src[0]]:
        return None
    return f"{src[0]} imports {dst[0]}, which comes after it in the flow"


def _sources() -> dict[tuple[str, ...], str]:
    return {_unit(p): p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_has_its_place_in_the_flow() -> None:
    units = set(_sources())
    tops = {u[0] for u in units if u != ("__init__",)}
    assert tops - set(TOP) == set(), "give each new module its place in FLOW (and in the README)"
    assert set(TOP) - tops == set(), "FLOW names modules that no longer exist"
    for pkg, order in SUB.items():
        assert {u[1] for u in units if u[0] == pkg and len(u) == 2} == set(order), pkg


def test_no_import_runs_against_the_flow() -> None:
    imports = library_imports(_sources())
    assert len(imports) > 300  # the walk saw the library's imports, lazy ones included
    wrong = [f"{i.where}:{i.line}: {why}" for i in imports if (why := against_flow(i))]
    assert wrong == []


@pytest.mark.parametrize(
    ("unit", "text", "reason"),
    [
        (("offices",), "from ektp_routes.network import haversine_m\n", "offices imports network"),
        (("cards",), "def f():\n    from ektp_routes import plan\n", "cards imports plan"),
        (("network", "graph"), "from ektp_routes.network import road\n", "imports road, which comes after"),
        (("regions", "units"), "import ektp_routes.regions.gazetteer\n", "imports gazetteer"),
        (("nik",), "from ektp_routes import ConfigError\n", "front door"),
    ],
)
def test_an_import_against_the_flow_is_caught(unit: tuple[str, ...], text: str, reason: str) -> None:
    sources = _sources()
    sources[unit] = text
    found = [why for i in library_imports(sources) if i.source == unit and (why := against_flow(i))]
    assert len(found) == 1 and reason in found[0]


def test_modules_and_functions_stay_readable() -> None:
    too_long = []
    for unit, text in _sources().items():
        where = "/".join(unit) + ".py"
        if len(text.splitlines()) > MAX_MODULE_LINES:
            too_long.append(f"{where}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    too_long.append(f"{where}:{node.lineno} {node.name}: {n} lines")
    assert too_long == []
