"""``ektp-routes network build``: a prepared network from a .osm.pbf, reused by ``plan --network DIR``."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from ektp_routes.cli import main
from ektp_routes.network import RoadNetwork

DATA = Path(__file__).parent / "data"


def test_network_build_from_pbf_clipped_to_an_area(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "net"
    rc = main([
        "network", "build", "--pbf", str(DATA / "kelapa_gading.osm.pbf"),
        "--area", str(DATA / "kelapa_gading_boundary.geojson"), "--margin-m", "300",
        "--profile", "bicycle", "--out", str(out),
    ])  # fmt: skip
    assert rc == 0
    said = capsys.readouterr().out
    assert said.startswith(f"jaringan bicycle disiapkan di {out}: ") and "contraction hierarchy" in said, said
    assert said.rstrip().endswith(f"rencanakan dengan `ektp-routes plan KARTU --network {out}`"), said
    manifest = json.loads((out / "network.json").read_text())
    assert manifest["source"]["kind"] == "pbf" and len(manifest["source"]["sha256"]) == 64
    net = RoadNetwork.from_file(out)
    whole = RoadNetwork.from_file(DATA / "kelapa_gading.osm.pbf", profile="bicycle")
    assert net.profile.name == "bicycle"
    assert 0 < net.n_nodes <= whole.n_nodes


def test_network_build_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The shipped extract lies in Jakarta, outside the default planning area (Kabupaten Bekasi).
    pbf = str(DATA / "kelapa_gading.osm.pbf")
    for lang, said in (
        (
            "id",
            "galat: kelapa_gading.osm.pbf: tidak ada jalan di wilayah perencanaan (1471 ruas jalan dibaca); ",
        ),
        ("en", "error: kelapa_gading.osm.pbf: no road lies in the planning area (1471 road ways read); "),
    ):
        rc = main(["network", "build", "--pbf", pbf, "--out", str(tmp_path / "n"), "--lang", lang])
        err = capsys.readouterr().err
        assert rc == 2 and err.startswith(said) and err.count("\n") == 1 and "Traceback" not in err, err
    rc = main(["network", "build", "--osm", str(DATA / "kelapa_gading.osm.bz2"), "--profile", "boat",
               "--out", str(tmp_path / "n")])  # fmt: skip
    assert (
        rc == 2
        and "galat: profil kurir 'boat' tidak dikenal; pilih salah satu dari [" in capsys.readouterr().err
    )
    assert not (tmp_path / "n").exists()


def test_network_build_unknown_kecamatan_is_refused_with_the_closest_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pbf = str(DATA / "kelapa_gading.osm.pbf")
    out = str(tmp_path / "n")
    rc = main(["network", "build", "--pbf", pbf, "--kecamatan", "Setu,Atlantis", "--out", out])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1, err
    assert err.startswith("galat: kecamatan 'Atlantis': ") and "yang paling mirip: " in err, err
    assert not (tmp_path / "n").exists()


@pytest.mark.parametrize(
    ("option", "value"),
    [("--margin-m", "nan"), ("--margin-m", "-5"), ("--margin-m", "inf"), ("--max-snap-m", "inf"),
     ("--max-snap-m", "0"), ("--max-snap-m", "abc")],
)  # fmt: skip
def test_network_build_metres_are_finite_and_in_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["network", "build", "--osm", str(DATA / "kelapa_gading.osm.bz2"), option, value,
              "--out", str(tmp_path / "n")])  # fmt: skip
    err = capsys.readouterr().err
    assert info.value.code == 2 and option in err and "Traceback" not in err
    assert not (tmp_path / "n").exists()


@pytest.mark.parametrize("out", ["nope/n", "file"])
def test_network_build_out_must_be_a_folder_in_an_existing_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str
) -> None:
    (tmp_path / "file").write_text("x")
    rc = main(
        ["network", "build", "--osm", str(DATA / "kelapa_gading.osm.bz2"), "--out", str(tmp_path / out)]
    )
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "nope").exists() and (tmp_path / "file").read_text() == "x"


def test_network_build_area_without_polygons_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    area = tmp_path / "points.geojson"
    area.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
        '"geometry": {"type": "Point", "coordinates": [106.9, -6.15]}}]}'
    )
    rc = main(["network", "build", "--pbf", str(DATA / "kelapa_gading.osm.pbf"), "--area", str(area),
               "--out", str(tmp_path / "n")])  # fmt: skip
    err = capsys.readouterr().err
    assert rc == 2 and "tidak berisi poligon" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("table", ["cards.csv", "cards.xlsx"])
def test_network_build_area_that_is_a_table_without_geometry_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str
) -> None:
    # A user passes the card list (or any table) where the planning area's polygons were expected.
    area = tmp_path / table
    frame = pd.DataFrame({"NIK": ["3216101405466603"], "ALAMAT": ["Kp. Pulo"]})
    frame.to_csv(area, index=False) if table.endswith(".csv") else frame.to_excel(area, index=False)
    rc = main(["network", "build", "--pbf", str(DATA / "kelapa_gading.osm.pbf"), "--area", str(area),
               "--out", str(tmp_path / "n")])  # fmt: skip
    err = capsys.readouterr().err
    assert rc == 2 and "tidak berisi poligon" in err and len(err.strip().splitlines()) == 1
    assert "3216101405466603" not in err and not (tmp_path / "n").exists()


def test_network_build_osm_given_a_pbf_names_the_option_that_reads_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pbf = str(DATA / "kelapa_gading.osm.pbf")
    rc = main(["network", "build", "--osm", pbf, "--out", str(tmp_path / "n")])
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert ".osm.pbf" in err and "--pbf" in err and "codec" not in err


def _grid_osm(path: Path, bounds: tuple[float, float, float, float], side: int = 24) -> Path:
    """An OSM XML street grid over ``bounds`` (two-way residential streets, every fourth one one-way)."""
    x0, y0, x1, y1 = bounds
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6">']
    for i in range(side):
        for j in range(side):
            lon, lat = x0 + (x1 - x0) * i / (side - 1), y0 + (y1 - y0) * j / (side - 1)
            lines.append(f'<node id="{1 + i * side + j}" lat="{lat:.7f}" lon="{lon:.7f}"/>')
    way = 0
    for k in range(side):
        for along_x in (True, False):
            way += 1
            refs = [1 + (i * side + k if along_x else k * side + i) for i in range(side)]
            tags = '<tag k="highway" v="residential"/>' + ('<tag k="oneway" v="yes"/>' if k % 4 == 1 else "")
            lines.append(f'<way id="{way}">' + "".join(f'<nd ref="{r}"/>' for r in refs) + tags + "</way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_plan_on_a_prepared_network_uses_its_hierarchy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ektp_routes.network.hierarchy import HierarchySearch
    from ektp_routes.regions import Gazetteer

    outlines = Gazetteer.bekasi().kecamatan_outlines()
    bounds = tuple(outlines[outlines["nama"].str.lower() == "bojongmangu"].total_bounds)
    osm = _grid_osm(tmp_path / "grid.osm", bounds)  # type: ignore[arg-type]
    assert main(["network", "build", "--osm", str(osm), "--out", str(tmp_path / "net")]) == 0
    assert re.search(r", contraction hierarchy [\d,]+ sisi naik", capsys.readouterr().out)
    assert (tmp_path / "net" / "hierarchy.npz").is_file()
    cards = tmp_path / "cards.csv"
    assert main(["demo-cards", "--n", "3000", "--kecamatan", "Bojongmangu", "--out", str(cards)]) == 0
    offices = tmp_path / "offices.csv"
    offices.write_text("office_id,name,lon,lat\nKP-BJM,Kantor Pos Bojongmangu,107.2042,-6.4087\n")
    tables: list[tuple[int, int]] = []
    original = HierarchySearch.matrix

    def spy(self: HierarchySearch, sources: np.ndarray, targets: np.ndarray) -> tuple:
        tables.append((len(sources), len(targets)))
        return original(self, sources, targets)

    monkeypatch.setattr(HierarchySearch, "matrix", spy)
    out = tmp_path / "out"
    config = tmp_path / "plan.toml"
    config.write_text("[service]\nbase_s = 20\nper_card_s = 30\n")
    rc = main(["plan", str(cards), "--network", str(tmp_path / "net"), "--offices", str(offices), "--out",
               str(out), "--time-limit", "1", "--workers", "1", "--start-date", "2026-12-01",
               "--config", str(config)])  # fmt: skip
    assert rc == 0, capsys.readouterr().err
    assert tables and max(s for s, _ in tables) > 10  # the office's matrix came from the hierarchy
    assert "from every road" not in capsys.readouterr().out  # the network covers the cards
    # The plan records what a replay needs: the network folder and the service times it was made with.
    office = json.loads((out / "offices.geojson").read_text())["features"][0]["properties"]
    assert (office["network"], office["network_source"]) == ("road", str((tmp_path / "net").resolve()))
    assert office["network_fingerprint"] == RoadNetwork.from_file(tmp_path / "net").fingerprint()
    assert (office["service_base_s"], office["service_per_card_s"]) == (20, 30)


def test_plan_on_a_network_of_another_area_says_its_stops_are_off_the_roads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The network was built for Bojongmangu; the cards are in Karang Bahagia, 40 km away. Their legs
    # fall back to straight lines, and the planner is told so instead of trusting "road" figures.
    from ektp_routes.regions import Gazetteer

    outlines = Gazetteer.bekasi().kecamatan_outlines()
    bounds = tuple(outlines[outlines["nama"].str.lower() == "bojongmangu"].total_bounds)
    osm = _grid_osm(tmp_path / "grid.osm", bounds, side=8)  # type: ignore[arg-type]
    assert main(["network", "build", "--osm", str(osm), "--out", str(tmp_path / "net")]) == 0
    cards = tmp_path / "cards.csv"
    assert main(["demo-cards", "--n", "3000", "--kecamatan", "Karang Bahagia", "--out", str(cards)]) == 0
    capsys.readouterr()
    rc = main(["--lang", "en", "plan", str(cards), "--network", str(tmp_path / "net"), "--out",
               str(tmp_path / "out"), "--time-limit", "1", "--workers", "1"])  # fmt: skip
    out = capsys.readouterr().out
    # One line, one count: the stops the plan flagged off_network (a desa block: its whole desa is off).
    said = [line for line in out.splitlines() if "from every road" in line]
    assert rc == 0 and len(said) == 1 and said[0].startswith("WARNING: "), out
    stops = gpd.read_file(tmp_path / "out" / "plan.gpkg", layer="stops")
    assert f"{len(stops)} of {len(stops)} stops ({stops['cards'].sum()} cards: 100% of the cards)" in said[0]
    assert "lie more than 300 m" in said[0] and stops["off_network"].astype(bool).all()
    blocks = gpd.read_file(tmp_path / "out" / "plan.gpkg", layer="blocks")
    assert len(blocks) and blocks["off_network"].astype(bool).all()


def test_network_build_without_a_hierarchy_when_contraction_gives_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Contraction out of budget: the build still ends and writes a usable network, says it has no
    hierarchy, and a plan's matrices on it come from Dijkstra without contracting again."""
    from ektp_routes.network import contraction

    monkeypatch.setattr(contraction, "DEFAULT_BUDGET", contraction.ContractionBudget(work_per_edge=2.0))
    osm = _grid_osm(tmp_path / "grid.osm", (107.15, -6.45, 107.19, -6.41))
    net = tmp_path / "jaringan ku"  # a folder with a space: the plan command printed is pasted as it is
    argv = ["network", "build", "--osm", str(osm), "--out", str(net), "--lang", "en"]
    assert main(argv) == 0
    said = capsys.readouterr().out
    assert said.startswith("prepared the motorbike network") and "NO contraction hierarchy" in said, said
    plan = re.search(r"plan with `(.*)`", said)
    assert plan and shlex.split(plan.group(1)) == ["ektp-routes", "plan", "CARDS", "--network", str(net)]
    assert not (net / "hierarchy.npz").exists()
    assert "gave up" in json.loads((net / "network.json").read_text())["contraction_gave_up"]

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("contracted again")

    monkeypatch.setattr(contraction, "contract_graph", never)
    loaded = RoadNetwork.from_prepared(net)
    assert loaded.hierarchy is None and loaded.contraction_gave_up is not None
    rng = np.random.default_rng(5)
    lon, lat = rng.uniform(107.15, 107.19, 40), rng.uniform(-6.45, -6.41, 40)
    ref = RoadNetwork.from_road_graph(loaded.graph, matrix_engine="dijkstra", search_margin_m=None)
    np.testing.assert_allclose(loaded.matrix(lon, lat).time_s, ref.matrix(lon, lat).time_s, rtol=1e-12)
