"""``ektp-routes network build``: a prepared network from a .osm.pbf, reused by ``plan --network DIR``."""

from __future__ import annotations

import json
from pathlib import Path

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
    assert "prepared the bicycle network" in capsys.readouterr().out
    manifest = json.loads((out / "network.json").read_text())
    assert manifest["source"]["kind"] == "pbf" and len(manifest["source"]["sha256"]) == 64
    net = RoadNetwork.from_file(out)
    whole = RoadNetwork.from_file(DATA / "kelapa_gading.osm.pbf", profile="bicycle")
    assert net.profile.name == "bicycle"
    assert 0 < net.n_nodes <= whole.n_nodes


def test_network_build_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The shipped extract lies in Jakarta, outside the default planning area (Kabupaten Bekasi).
    pbf = str(DATA / "kelapa_gading.osm.pbf")
    rc = main(["network", "build", "--pbf", pbf, "--out", str(tmp_path / "n")])
    err = capsys.readouterr().err
    assert rc == 2 and "no road lies in the planning area" in err and "Traceback" not in err
    rc = main(["network", "build", "--osm", str(DATA / "kelapa_gading.osm.bz2"), "--profile", "boat",
               "--out", str(tmp_path / "n")])  # fmt: skip
    assert rc == 2 and "unknown courier profile" in capsys.readouterr().err
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
    assert rc == 2 and "holds no polygon" in err and len(err.strip().splitlines()) == 1
