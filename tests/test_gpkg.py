from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from _plans import cards, one_place_plan, registry_plan, small_plan

from ektp_routes.gpkg import write_gpkg
from ektp_routes.layers import PlanLayers, plan_layers


@pytest.fixture(scope="module")
def layers() -> PlanLayers:
    return plan_layers(small_plan())


@pytest.fixture(scope="module")
def gpkg(layers: PlanLayers, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_gpkg(layers, tmp_path_factory.mktemp("gpkg") / "plan.gpkg")


def test_layers_and_fields_a_gis_user_expects(gpkg: Path, layers: PlanLayers) -> None:
    names = {name for name, _ in pyogrio.list_layers(gpkg)}
    assert {"routes", "stops", "offices", "desa"} <= names
    stops = gpd.read_file(gpkg, layer="stops")
    assert stops.crs.to_epsg() == 4326 and len(stops) == len(small_plan().stops)
    for field in (
        "office_id",
        "courier",
        "day",
        "date",
        "sequence",
        "rt",
        "rw",
        "desa",
        "precision",
        "arrival",
        "arrival_min",
        "arrival_s",
        "status",
    ):
        assert field in stops.columns, field
    planned = stops[stops["status"] == "planned"]
    assert planned["courier"].notna().all() and planned["sequence"].min() == 1
    assert planned["arrival"].str.match(r"^\d\d:\d\d$").all()
    routes = gpd.read_file(gpkg, layer="routes")
    assert {"duration_min", "duration_s", "start_time", "end_time", "km"} <= set(routes.columns)
    assert (routes["duration_min"] - routes["duration_s"] / 60).abs().max() < 0.06
    desa = gpd.read_file(gpkg, layer="desa")
    assert desa["cards"].sum() == small_plan().stops["cards"].sum()
    assert (desa["cards"] == desa["planned"] + desa["unserved"]).all()
    assert desa["unserved"].sum() > 0  # the tight fleet leaves cards unserved, and the layer says where
    prec = [c for c in desa.columns if c.startswith("prec_")]
    assert (desa[prec].sum(axis=1) == desa["cards"]).all()
    offices = gpd.read_file(gpkg, layer="offices")
    assert dict(zip(offices["office_id"], offices["cards"], strict=True))["KP-TRJ"] == 0


def test_no_personal_data_in_any_layer(gpkg: Path) -> None:
    c = cards()
    secrets = {v for v in set(c["NAMA"]) | set(c["NIK"].astype(str)) if len(v.strip()) >= 4} | {
        a for a in c["ALAMAT"] if len(a) > 12
    }
    for name, _ in pyogrio.list_layers(gpkg):
        frame = pyogrio.read_dataframe(gpkg, layer=name, read_geometry=False)
        text = set(frame.astype(str).to_numpy().ravel())
        assert not text & secrets, name


def test_styles_stored_as_qgis_defaults(gpkg: Path) -> None:
    con = sqlite3.connect(gpkg)
    rows = con.execute(
        "SELECT f_table_name, f_geometry_column, styleQML, useAsDefault FROM layer_styles"
    ).fetchall()
    con.close()
    styles = {r[0]: r for r in rows}
    assert set(styles) == {"routes", "stops", "offices", "desa"}
    renderers = {}
    for name, (_, geom_col, qml, default) in styles.items():
        assert default == 1 and geom_col == "geom"
        root = ET.fromstring(qml.split("\n", 1)[1])
        renderers[name] = (root.find("renderer-v2").get("type"), root.find("renderer-v2").get("attr"))
    assert renderers["routes"] == ("categorizedSymbol", "courier")
    assert renderers["desa"] == ("graduatedSymbol", "cards")
    assert renderers["stops"][0] == "RuleRenderer"
    offices_qml = ET.fromstring(styles["offices"][2].split("\n", 1)[1])
    assert offices_qml.get("labelsEnabled") == "1"
    assert offices_qml.find("labeling/settings/text-style").get("fieldName") == "name"
    # GDAL still reads the file as a plain GeoPackage.
    assert pyogrio.read_info(gpkg, layer="routes")["features"] > 0


def test_delivery_blocks_layer_from_a_registry_plan(tmp_path: Path) -> None:
    layers = plan_layers(registry_plan())
    assert layers.blocks is not None and len(layers.blocks) > 0
    path = write_gpkg(layers, tmp_path / "plan.gpkg")
    blocks = gpd.read_file(path, layer="blocks")
    fields = {"settlement", "rw", "rt", "households", "visit", "arrival", "until", "courier", "day"}
    assert fields | {"off_network"} <= set(blocks.columns)
    assert not blocks["off_network"].astype(bool).any()  # a straight-line plan has no road to be off
    planned = blocks[blocks["status"] == "planned"]
    assert planned["settlement"].str.len().gt(0).all() and planned["until"].str.match(r"^\d\d:\d\d$").all()
    assert (blocks["precision"] == "desa").all()  # no coordinates, no pins: known to the desa only
    con = sqlite3.connect(path)
    qml = con.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = 'blocks'").fetchone()[0]
    con.close()
    renderer = ET.fromstring(qml.split("\n", 1)[1]).find("renderer-v2")
    assert (renderer.get("type"), renderer.get("attr")) == ("categorizedSymbol", "precision")


def test_routes_say_whether_their_line_is_a_street_path_or_the_order_of_places(tmp_path: Path) -> None:
    # Registry columns only: the cards are known to their desa, so a route's line joins desa/block
    # points in visiting order, not the streets to a house; the layer and routes.geojson say so.
    from ektp_routes.export import write_plan

    for plan, places_only in ((registry_plan(), True), (small_plan(), False)):
        path = write_gpkg(plan_layers(plan), tmp_path / f"{places_only}.gpkg")
        routes = gpd.read_file(path, layer="routes")
        assert len(routes) and routes["places_only"].tolist() == [places_only] * len(routes)
        files = write_plan(plan, tmp_path / f"out{places_only}", with_map=False)
        features = json.loads(files["routes"].read_text())["features"]
        assert [f["properties"]["places_only"] for f in features] == [places_only] * len(features)


def test_every_geometry_is_valid_and_a_route_that_never_leaves_its_office_has_none(tmp_path: Path) -> None:
    # A courier-day whose blocks all sit at its office's desa point has no line: a line of zero length is
    # invalid (QGIS's processing tools stop on it), so the route keeps its row with no geometry.
    import shapely

    plan = one_place_plan()
    assert len(plan.routes) > 0
    for name, path in (
        ("one", write_gpkg(plan_layers(plan), tmp_path / "one.gpkg")),
        ("registry", write_gpkg(plan_layers(registry_plan()), tmp_path / "registry.gpkg")),
    ):
        for layer, _ in pyogrio.list_layers(path):
            frame = gpd.read_file(path, layer=layer)
            if isinstance(frame, gpd.GeoDataFrame):
                drawn = frame.geometry.dropna()
                assert shapely.is_valid(drawn.values).all(), (name, layer)
    routes = gpd.read_file(tmp_path / "one.gpkg", layer="routes")
    assert routes["route_id"].tolist() == plan.routes["route_id"].astype(str).tolist()
    assert routes.geometry.isna().all() and (routes["cards"] > 0).all()
