"""Data copied into the repository keeps its sources and licences, and the package ships them."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _shipped(package_data: list[str], relative: str) -> bool:
    return any(fnmatch.fnmatch(relative, pattern) for pattern in package_data)


def test_every_embedded_data_file_is_named_in_the_notice_and_shipped_with_it() -> None:
    notice = (ROOT / "ektp_routes" / "data" / "NOTICE.md").read_text(encoding="utf-8")
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["ektp_routes"]
    data = sorted(p for p in (ROOT / "ektp_routes" / "data").iterdir() if p.is_file())
    assert data
    for path in data:
        assert path.suffix == ".md" or path.name in notice, f"{path.name} has no source or licence"
        assert _shipped(package_data, f"data/{path.name}"), f"{path.name} is not in the wheel"
    assert "Permission is hereby granted" in notice and "WITHOUT WARRANTY" in notice  # MIT text kept whole
    assert (ROOT / "ektp_routes/web/LEAFLET-LICENSE").is_file()
    assert _shipped(package_data, "web/LEAFLET-LICENSE")


def test_every_test_data_file_is_covered_by_its_notice() -> None:
    notice = (ROOT / "tests" / "data" / "NOTICE.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", notice, re.M)
    covered = [g for heading in headings for g in re.findall(r"[\w*./-]+", heading)]
    files = [p.relative_to(ROOT / "tests" / "data").as_posix() for p in (ROOT / "tests" / "data").rglob("*")]
    for name in files:
        if name == "NOTICE.md" or (ROOT / "tests" / "data" / name).is_dir():
            continue
        assert any(fnmatch.fnmatch(name, g) for g in covered), f"tests/data/{name} is in no NOTICE.md section"
    assert "ODbL" in notice and "OpenStreetMap contributors" in notice


def test_benchmark_instances_have_their_provenance() -> None:
    folder = ROOT / "benchmarks" / "data" / "cvrplib"
    provenance = (folder / "PROVENANCE.md").read_text(encoding="utf-8")
    for path in folder.iterdir():
        if path.suffix in (".vrp", ".sol"):
            assert path.name in provenance, path.name


def test_the_project_licence_is_in_the_repository() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
