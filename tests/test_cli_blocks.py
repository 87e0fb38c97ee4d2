from __future__ import annotations

import re
import shlex
from pathlib import Path

import osmium
import pandas as pd
import pytest

from ektp_routes import Gazetteer, synthetic_cards
from ektp_routes.cli import main
from ektp_routes.synthetic import TRUTH_COLUMNS, write_cards


@pytest.fixture(scope="module")
def card_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    truth = synthetic_cards(191_000, seed=4, kecamatan=["Bojongmangu"]).head(300)
    return write_cards(truth.drop(columns=TRUTH_COLUMNS), tmp_path_factory.mktemp("c") / "cards.csv")


def test_blocks_pins_and_plan_from_the_command_line(
    card_file: Path, tmp_path: Path, gaz: Gazetteer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--lang", "en", "blocks", str(card_file), "--out", str(tmp_path / "blocks.csv")]) == 0
    out = capsys.readouterr().out
    assert "blocks in" in out and "written to" in out
    blocks = pd.read_csv(tmp_path / "blocks.csv", dtype=str, keep_default_na=False)
    # The analyst pins the first block 100 m east of its desa point and drags another to Jakarta.
    d = gaz.get(blocks.desa_kode[0])
    blocks.loc[0, ["lon", "lat"]] = [str(d.rep_lon + 0.0009), str(d.rep_lat)]
    blocks.loc[1, ["lon", "lat"]] = ["106.8", "-6.2"]
    blocks.to_csv(tmp_path / "edited.csv", index=False)
    args = ["--blocks", str(tmp_path / "edited.csv")]
    assert main(["--lang", "en", "geocode", str(card_file), "--out", str(tmp_path / "geo.csv"), *args]) == 0
    out = capsys.readouterr().out
    assert "1 refused" in out and "pin_outside_desa" in out and "block (pinned):" in out
    # The refused row is named as a block, with how far outside its desa the pin was dragged.
    b = blocks.iloc[1]
    place = f"desa {b.desa_kode} RW {b.rw} RT {b.rt}"  # a row is named by its codes, not by its free text
    assert re.search(
        rf"row 2 below the header \({re.escape(place)}\): pin_outside_desa: the pin lies [\d,]+ m outside",
        out,
    )
    geo = pd.read_csv(tmp_path / "geo.csv")
    # The moved block and its sibling RTs (same desa, settlement and RW) are pinned.
    same = ["desa_kode", "settlement_kind", "settlement", "rw"]
    pinned = int(blocks.cards[(blocks[same] == blocks.loc[0, same]).all(axis=1)].astype(int).sum())
    assert (geo.precision == "block").sum() == pinned
    plan = [
        "--lang",
        "en",
        "plan",
        str(card_file),
        "--out",
        str(tmp_path / "plan"),
        "--time-limit",
        "2",
        "--workers",
        "1",
    ]
    assert main([*plan, *args]) == 0
    out = capsys.readouterr().out
    assert "WARNING" in out and "known only to their desa" in out
    summary = pd.read_csv(tmp_path / "plan" / "summary.csv")
    total = summary.iloc[-1]
    assert total.cards_block == pinned and total.cards_block + total.cards_desa == total.cards
    assert 0 < total.day_h_expected <= total.day_h_p90 <= 7
    # Block visits say when, as a range: their households are unseen, their minutes estimated.
    manifests = list((tmp_path / "plan" / "manifests").glob("*.csv"))
    arrival = pd.concat(pd.read_csv(m, dtype=str)["Expected arrival"] for m in manifests)
    assert len(manifests) and arrival.str.fullmatch(r"\d\d:\d\d-\d\d:\d\d").mean() > 0.9


def test_refused_pins_of_an_earlier_run_go_once_the_pins_are_mended(
    card_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Outside review: edited_refused.csv of a run with a pin dragged out of its desa stayed beside the
    # mended blocks file after a run that refused nothing, still listing the refusal.
    assert main(["--lang", "en", "blocks", str(card_file), "--out", str(tmp_path / "blocks.csv")]) == 0
    blocks = pd.read_csv(tmp_path / "blocks.csv", dtype=str, keep_default_na=False)
    edited, refused = tmp_path / "edited.csv", tmp_path / "edited_refused.csv"
    blocks.assign(lon=["106.8", *blocks.lon[1:]], lat=["-6.2", *blocks.lat[1:]]).to_csv(edited, index=False)
    geocode = ["--lang", "en", "geocode", str(card_file), "--out", str(tmp_path / "geo.csv"), "--blocks"]
    assert main([*geocode, str(edited)]) == 0 and refused.is_file()
    blocks.to_csv(edited, index=False)  # the pin put back in its desa
    capsys.readouterr()
    assert main([*geocode, str(edited)]) == 0
    assert not refused.exists()
    assert f"  no pin refused: the refused pins an earlier run listed in {refused} are removed\n" in (
        capsys.readouterr().out
    )


def test_blocks_says_how_many_cards_are_in_no_block_and_why(
    card_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cards = pd.read_csv(card_file, dtype=str, keep_default_na=False)
    cards.loc[[3, 7], "NIK"] = "12345"  # cut short
    cards.loc[11, "ALAMAT"] = ""
    cards.to_csv(tmp_path / "bad.csv", index=False)
    assert main(["--lang", "en", "blocks", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "b.csv")]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "in no block" in x)
    assert line.startswith(f"3 of {len(cards)} cards are in no block: refused by validation (")
    assert "2 nik_format" in line and "1 alamat_empty" in line
    assert f"ektp-routes validate {tmp_path / 'bad.csv'} --rejects" in line
    assert int(pd.read_csv(tmp_path / "b.csv").cards.sum()) == len(cards) - 3
    assert "12345" not in out and cards.NAMA[3] not in out


def test_blocks_refuses_a_bad_output_name(
    card_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--lang", "en", "blocks", str(card_file), "--out", str(tmp_path / "blocks.xlsx")]) == 2
    assert "use a .gpkg or .csv" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".csv", ".gpkg"])
def test_blocks_never_writes_over_a_pinned_blocks_file(
    card_file: Path, tmp_path: Path, gaz: Gazetteer, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    # An analyst pinned the file in QGIS; `blocks` run again to the same name must not undo that work.
    out = tmp_path / f"blocks{suffix}"
    run = ["--lang", "en", "blocks", str(card_file), "--out", str(out)]
    assert main(run) == 0 and main(run) == 0  # an unedited blocks file is simply written again
    from ektp_routes.pins import read_pins, write_blocks

    table = pd.read_csv(out, dtype=str, keep_default_na=False) if suffix == ".csv" else None
    if table is None:
        import geopandas as gpd

        table = pd.DataFrame(gpd.read_file(out, layer="blocks").drop(columns="geometry"))
    d = gaz.get(str(table.desa_kode[0]))
    table = table.astype({"lon": float, "lat": float})
    table.loc[0, ["lon", "lat"]] = [d.rep_lon + 0.0009, d.rep_lat]
    write_blocks(table, out)
    pinned = out.read_bytes()
    assert len(read_pins(out, gaz).pins) == 1
    capsys.readouterr()
    assert main(run) == 2
    err = capsys.readouterr().err
    assert "1 moved pin" in err and len(err.strip().splitlines()) == 1
    assert out.read_bytes() == pinned


@pytest.mark.parametrize("layers", [("blocks", "blocks_edited"), ("pins_a", "pins_b")])
def test_blocks_never_writes_over_pins_in_any_layer_of_a_geopackage(
    card_file: Path,
    tmp_path: Path,
    gaz: Gazetteer,
    capsys: pytest.CaptureFixture[str],
    layers: tuple[str, str],
) -> None:
    # QGIS "Save Features As" into the same GeoPackage: the moved points sit beside the original
    # layer ("blocks_edited"), or the pins were split in two layers. Writing the file again would
    # lose them: it is refused, counting the moved pins of every layer.
    import geopandas as gpd

    out = tmp_path / "blocks.gpkg"
    run = ["--lang", "en", "blocks", str(card_file), "--out", str(out)]
    assert main(run) == 0
    layer = gpd.read_file(out, layer="blocks")
    d = gaz.get(str(layer.desa_kode[0]))
    points = gpd.points_from_xy([d.rep_lon + 0.0009] * 2, [d.rep_lat] * 2, crs=4326)
    moved = layer.head(2).set_geometry(points)
    if layers[0] != "blocks":
        out.unlink()
        layer.to_file(out, layer=layers[0])
    moved.to_file(out, layer=layers[1], mode="a")
    pinned = out.read_bytes()
    capsys.readouterr()
    assert main(run) == 2
    err = capsys.readouterr().err
    assert "holds 2 moved pins" in err and len(err.strip().splitlines()) == 1
    assert out.read_bytes() == pinned


def test_blocks_never_writes_over_a_geopackage_holding_other_layers(
    card_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The analyst's project GeoPackage (roads, post offices) given as --out: the blocks file is
    # written whole, so its layers would be lost. A style QGIS saved in a blocks file is no layer.
    import geopandas as gpd
    import shapely

    project = tmp_path / "proyek.gpkg"
    roads = gpd.GeoDataFrame(
        {"nama": ["Jl. Raya"]}, geometry=[shapely.LineString([(107, -6.3), (107.1, -6.3)])]
    )
    roads.set_crs(4326).to_file(project, layer="jalan")
    before = project.read_bytes()
    assert main(["--lang", "en", "blocks", str(card_file), "--out", str(project)]) == 2
    err = capsys.readouterr().err
    assert "holding other layers ('jalan')" in err and len(err.strip().splitlines()) == 1
    assert project.read_bytes() == before
    import pyogrio

    blocks = tmp_path / "blocks.gpkg"
    assert main(["--lang", "en", "blocks", str(card_file), "--out", str(blocks)]) == 0
    style = pd.DataFrame({"f_table_name": ["blocks"], "styleName": ["blocks"], "styleQML": ["<qgis/>"]})
    pyogrio.write_dataframe(style, blocks, layer="layer_styles", driver="GPKG", append=True)
    assert main(["--lang", "en", "blocks", str(card_file), "--out", str(blocks)]) == 0


def _hamlet_pbf(path: Path, gaz: Gazetteer) -> Path:
    """An .osm.pbf with one residential road in Sukamukti and a hamlet "Jati" 0.001 deg north-east of
    the desa's point."""
    d = gaz.get("32.16.23.2005")
    w = osmium.SimpleWriter(str(path))
    w.add_node(osmium.osm.mutable.Node(id=1, location=(d.rep_lon, d.rep_lat)))
    w.add_node(osmium.osm.mutable.Node(id=2, location=(d.rep_lon + 0.002, d.rep_lat)))
    hamlet = {"place": "hamlet", "name": "Jati"}
    w.add_node(osmium.osm.mutable.Node(id=3, location=(d.rep_lon + 0.001, d.rep_lat + 0.001), tags=hamlet))
    w.add_way(osmium.osm.mutable.Way(id=10, nodes=[1, 2], tags={"highway": "residential"}))
    w.close()
    return path


def test_blocks_osm_reads_a_pbf_clipped_to_bekasi(
    card_file: Path, tmp_path: Path, gaz: Gazetteer, capsys: pytest.CaptureFixture[str]
) -> None:
    # A Jakarta extract holds no road of Bekasi: one line that says so, and no output.
    pbf = Path(__file__).parent / "data" / "kelapa_gading.osm.pbf"
    rc = main(["--lang", "en", "blocks", str(card_file), "--out", str(tmp_path / "b.csv"), "--osm", str(pbf)])
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "no road lies in the planning area" in err
    assert not (tmp_path / "b.csv").exists()
    # An extract with a hamlet "Jati" in Sukamukti: the Kp. Jati blocks there get its point.
    d = gaz.get("32.16.23.2005")
    args = ["--lang", "en", "blocks", str(card_file), "--out", str(tmp_path / "b.csv")]
    assert main([*args, "--osm", str(_hamlet_pbf(tmp_path / "sukamukti.osm.pbf", gaz))]) == 0
    blocks = pd.read_csv(tmp_path / "b.csv", dtype={"desa_kode": str})
    jati = blocks[(blocks.desa_kode == d.kode) & (blocks.settlement == "Jati")]
    assert len(jati) > 0 and set(jati.precision) == {"settlement"}
    assert jati.lon.to_numpy() == pytest.approx(d.rep_lon + 0.001)
    assert jati.lat.to_numpy() == pytest.approx(d.rep_lat + 0.001)
    assert set(blocks.precision[blocks.settlement != "Jati"]) == {"desa"}


def test_plan_checks_the_blocks_file_before_it_claims_the_output_folder(
    card_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan"
    rc = main(
        ["--lang", "en", "plan", str(card_file), "--out", str(out), "--blocks", str(tmp_path / "nope.csv")]
    )
    err = capsys.readouterr().err
    assert rc == 2 and "blocks file" in err and "does not exist" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()  # nothing created, no network loaded, for a mistyped pins file


def test_plan_on_an_osm_pbf_network_matches_its_place_names(
    card_file: Path, tmp_path: Path, gaz: Gazetteer
) -> None:
    """``plan --network FILE.osm.pbf`` matches streets and places of the file, as .osm/.osm.bz2 do."""
    import argparse

    from ektp_routes.cli import _geocoder_chain
    from ektp_routes.geocode import StreetGeocoder

    pbf = _hamlet_pbf(tmp_path / "sukamukti.osm.pbf", gaz)
    chain = _geocoder_chain(argparse.Namespace(network=str(pbf)), gaz)
    assert any(isinstance(g, StreetGeocoder) for g in chain.geocoders)  # type: ignore[attr-defined]
    folder = _geocoder_chain(argparse.Namespace(network=str(tmp_path)), gaz)
    assert not any(isinstance(g, StreetGeocoder) for g in folder.geocoders)  # type: ignore[attr-defined]


def test_more_refused_pins_than_listed_are_counted_by_reason(
    card_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A whole file of pins in metres (UTM 48S) and two with no point: 20 are listed, the rest counted.
    assert main(["--lang", "en", "blocks", str(card_file), "--out", str(tmp_path / "blocks.csv")]) == 0
    blocks = pd.read_csv(tmp_path / "blocks.csv", dtype=str, keep_default_na=False)
    assert len(blocks) > 25
    blocks = blocks.assign(lon="712345.6", lat="9312345.6")
    blocks.loc[len(blocks) - 2 :, "lon"] = ""
    blocks.to_csv(tmp_path / "metres.csv", index=False)
    capsys.readouterr()
    args = [
        "geocode",
        str(card_file),
        "--out",
        str(tmp_path / "geo.csv"),
        "--blocks",
        str(tmp_path / "metres.csv"),
    ]
    assert main(["--lang", "en", *args]) == 0
    out = capsys.readouterr().out
    assert len(re.findall(r"^  row \d+ below the header \(desa ", out, flags=re.M)) == 20
    assert "\n  row 1 below the header (desa " in out  # the first data row, as the rejects' ``line``
    more = len(blocks) - 20
    assert f"  and {more} more refused: pin_not_degrees {more - 2}, pin_missing 2\n" in out
    # Every refusal, not only the 20 listed, is in a file beside the blocks file.
    saved = pd.read_csv(tmp_path / "metres_refused.csv", dtype=str, keep_default_na=False)
    assert len(saved) == len(blocks) and saved["line"].astype(int).tolist() == list(range(1, len(blocks) + 1))
    assert saved["reason"].value_counts().to_dict() == {"pin_not_degrees": len(blocks) - 2, "pin_missing": 2}
    assert (
        f"  all {len(blocks)} refused pins, with row and reason: {tmp_path / 'metres_refused.csv'}\n" in out
    )
    # Where that file cannot be written, the run goes on and says so in one line.
    (tmp_path / "metres_refused.csv").unlink()
    (tmp_path / "metres_refused.csv").mkdir()
    assert main(["--lang", "en", *args]) == 0
    out = capsys.readouterr().out
    assert f"  the refused pins could not be written to {tmp_path / 'metres_refused.csv'}: " in out
    assert "Traceback" not in out
    # In Indonesian, the reasons too.
    assert main(["--lang", "id", *args]) == 0
    out = capsys.readouterr().out
    assert "): pin_not_degrees: lon/lat bukan derajat (meter dari CRS lain" in out
    assert "titik yang ditolak tidak dapat ditulis ke" in out


def test_blocks_file_errors_speak_indonesian_by_default_and_english_on_request(
    card_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad_out = ["blocks", str(card_file), "--out", str(tmp_path / "blocks.xlsx")]
    assert main(bad_out) == 2
    err = capsys.readouterr().err
    assert "gunakan nama berkas .gpkg atau .csv" in err and "use a .gpkg" not in err
    plan = ["plan", str(card_file), "--out", str(tmp_path / "plan"), "--blocks", str(tmp_path / "nope.csv")]
    assert main(plan) == 2
    assert f"berkas blok {tmp_path / 'nope.csv'} tidak ada" in capsys.readouterr().err
    assert main(["--lang", "en", *plan]) == 2
    assert f"blocks file {tmp_path / 'nope.csv'} does not exist" in capsys.readouterr().err
    (tmp_path / "pins.geojson").write_text("{}")
    geocode = [
        "geocode",
        str(card_file),
        "--out",
        str(tmp_path / "g.csv"),
        "--blocks",
        str(tmp_path / "pins.geojson"),
    ]
    assert main(geocode) == 2
    err = capsys.readouterr().err
    assert (
        "pins.geojson: berkas blok adalah berkas .gpkg atau .csv" in err
        and len(err.strip().splitlines()) == 1
    )


def test_commands_it_prints_can_be_pasted_for_paths_with_spaces(
    card_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Windows and office folders have spaces ("Data Kartu/Desa A.csv"): the commands printed for the
    # next step must be pasted as they are, each path one argument.
    folder = tmp_path / "Data Kartu (Nov)"
    folder.mkdir()
    cards = folder / "kartu desa.csv"
    cards.write_bytes(card_file.read_bytes().replace(b"\n3216", b"\n12345", 3))  # 3 rows refused
    out = folder / "blok ku.csv"
    assert main(["--lang", "en", "blocks", str(cards), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    validate = re.search(r"the reason of each row: (.*)$", printed, re.M)
    plan = re.search(r"then: (.*)$", printed, re.M)
    assert validate and plan
    pasted = shlex.split(validate.group(1))
    assert pasted == ["ektp-routes", "validate", str(cards), "--rejects", "rejects.csv"]
    assert shlex.split(plan.group(1)) == ["ektp-routes", "plan", "CARDS", "--blocks", str(out)]
