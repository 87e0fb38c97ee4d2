"""plan.gpkg and plan.qgz opened in real QGIS (Debian's python3-qgis, offscreen)."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _plans import small_plan

from ektp_routes.gpkg import write_gpkg
from ektp_routes.layers import plan_layers
from ektp_routes.qgis_project import write_qgz

SYSTEM_PYTHON = "/usr/bin/python3"
CHECK = Path(__file__).parent / "qgis" / "check_qgis.py"


def _has_qgis() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.fixture(scope="module")
def qgis_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    if not _has_qgis():
        pytest.skip("QGIS's Python bindings are not installed (.ci/run installs Debian's python3-qgis)")
    out = tmp_path_factory.mktemp("qgis")
    layers = plan_layers(small_plan())
    write_gpkg(layers, out / "plan.gpkg")
    write_qgz(layers, out / "plan.qgz")
    # Open the project from another folder: its path to the GeoPackage must be relative.
    moved = tmp_path_factory.mktemp("moved")
    for name in ("plan.gpkg", "plan.qgz"):
        (moved / name).write_bytes((out / name).read_bytes())
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(out)}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [SYSTEM_PYTHON, str(CHECK), str(moved / "plan.gpkg"), str(moved / "plan.qgz"), str(moved)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), moved


def _inked_png(path: Path) -> int:
    from PIL import Image

    img = np.asarray(Image.open(path).convert("RGB"))
    return int((img.min(axis=2) < 250).sum())


def test_geopackage_layers_open_styled_in_qgis(qgis_run: tuple[dict[str, Any], Path]) -> None:
    result, folder = qgis_run
    expect = {
        "routes": "categorizedSymbol",
        "stops": "RuleRenderer",
        "offices": "categorizedSymbol",
        "desa": "graduatedSymbol",
    }
    for name, renderer in expect.items():
        info = result["gpkg"][name]
        assert info["valid"] and info["features"] > 0, name
        assert info["renderer"] == renderer, name  # the stored default style, not QGIS's single symbol
        assert info["inked"] > 50 and _inked_png(folder / f"gpkg_{name}.png") > 200, name
    assert result["gpkg"]["offices"]["labels"] and result["gpkg"]["desa"]["labels"]
    assert "day" in result["gpkg"]["routes"]["fields"] and "courier" in result["gpkg"]["stops"]["fields"]


def test_project_opens_all_layers_styled_with_osm(qgis_run: tuple[dict[str, Any], Path]) -> None:
    result, folder = qgis_run
    assert result["project_read"] is True and result["project_crs"] == "EPSG:3857"
    layers = result["project"]
    assert len(layers) == 5 and all(v["valid"] for v in layers.values())
    vectors = {v["name"]: v["renderer"] for v in layers.values() if "renderer" in v}
    assert len(vectors) == 4 and "singleSymbol" not in vectors.values()
    assert [v["provider"] for v in layers.values() if "provider" in v] == ["wms"]  # the OSM tiles
    assert result["project_inked"] > 1000 and _inked_png(folder / "project.png") > 4000
    with zipfile.ZipFile(folder / "plan.qgz") as z:
        qgs = z.read("plan.qgs").decode()
    assert "./plan.gpkg|layername=routes" in qgs and "tile.openstreetmap.org" in qgs


def test_blocks_layer_opens_styled_in_qgis(tmp_path: Path) -> None:
    if not _has_qgis():
        pytest.skip("QGIS's Python bindings are not installed (.ci/run installs Debian's python3-qgis)")
    from _plans import registry_plan

    layers = plan_layers(registry_plan())
    write_gpkg(layers, tmp_path / "plan.gpkg")
    write_qgz(layers, tmp_path / "plan.qgz")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    env.pop("PYTHONPATH", None)
    args = [str(tmp_path / "plan.gpkg"), str(tmp_path / "plan.qgz"), str(tmp_path), "blocks,stops"]
    proc = subprocess.run(
        [SYSTEM_PYTHON, str(CHECK), *args], capture_output=True, text=True, timeout=300, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    blocks = result["gpkg"]["blocks"]
    assert blocks["valid"] and blocks["renderer"] == "categorizedSymbol" and blocks["inked"] > 20
    assert len(result["project"]) == 6 and all(v["valid"] for v in result["project"].values())
