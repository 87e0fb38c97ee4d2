from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ektp_routes import Gazetteer, synthetic_cards
from ektp_routes._errors import InputFileError, OutputError
from ektp_routes.cards import read_cards
from ektp_routes.geocode import GazetteerGeocoder, GeocoderChain, InputCoordinates, geocode_cards
from ektp_routes.pins import BLOCK_FILE_COLUMNS, PinGeocoder, block_table, read_pins, write_blocks


@pytest.fixture(scope="module")
def geocoded(gaz: Gazetteer) -> pd.DataFrame:
    truth = synthetic_cards(191_000, seed=2, kecamatan=["Bojongmangu"]).head(400)
    cards = read_cards(truth.drop(columns=["true_lon", "true_lat"])).cards
    return geocode_cards(cards, gaz)


def test_block_table_lists_each_block_once_without_personal_data(geocoded: pd.DataFrame) -> None:
    t = block_table(geocoded)
    assert tuple(t.columns) == BLOCK_FILE_COLUMNS
    assert int(t["cards"].sum()) == len(geocoded)
    assert not t.duplicated(["desa_kode", "settlement_kind", "settlement", "rw", "rt"]).any()
    assert set(t["precision"]) == {"desa"}
    text = t.to_csv()
    assert not any(n in text for n in geocoded["nama"]) and not any(k in text for k in geocoded["nik"])


@pytest.mark.parametrize("suffix", [".csv", ".gpkg"])
def test_moved_pins_come_back_as_block_precision(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path, suffix: str
) -> None:
    t = block_table(geocoded)
    # The analyst moves the first block's pin a little inside its desa and one pin far away.
    d = gaz.get(t.desa_kode[0])
    t.loc[0, ["lon", "lat"]] = [d.rep_lon + 0.001, d.rep_lat]
    t.loc[1, ["lon", "lat"]] = [106.80, -6.20]  # Jakarta
    path = write_blocks(t, tmp_path / f"blocks{suffix}")
    pins = read_pins(path, gaz)
    assert len(pins.pins) == 1 and pins.unmoved == len(t) - 2  # suggestions nobody moved are no pins
    assert pins.rejects.to_dict("records") == [
        {"line": 2, "reason": "pin_outside_desa", "message": "the pin lies more than 150 m outside its desa"}
    ]
    chain = GeocoderChain([InputCoordinates(gaz), PinGeocoder(pins), GazetteerGeocoder(gaz)])
    registry = geocoded.drop(columns=["precision", "geocoder", "geocode_flag"]).assign(
        lon=float("nan"), lat=float("nan")
    )
    again = geocode_cards(registry, gaz, geocoder=chain)
    first_block = block_table(again).iloc[0]
    assert first_block.precision == "block" and first_block.lon == pytest.approx(d.rep_lon + 0.001)
    assert (again["precision"] == "block").sum() == int(t.cards[0])


def test_a_settlement_pin_covers_all_its_rts(geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path) -> None:
    t = block_table(geocoded)
    s = t.iloc[0]
    one = pd.DataFrame([{**s.to_dict(), "rw": "", "rt": "", "lon": s.lon + 0.001}])
    pins = read_pins(write_blocks(one, tmp_path / "one.csv"), gaz)
    n = int(t[(t.desa_kode == s.desa_kode) & (t.settlement == s.settlement)].cards.sum())
    res = PinGeocoder(pins).geocode(geocoded)
    assert sum(r is not None for r in res) == n


def test_bad_blocks_files_fail_with_one_clear_line(gaz: Gazetteer, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        read_pins(tmp_path / "nope.csv", gaz)
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InputFileError, match="missing"):
        read_pins(tmp_path / "x.csv", gaz)
    (tmp_path / "y.gpkg").write_bytes(b"not a geopackage")
    with pytest.raises(InputFileError, match="cannot be read"):
        read_pins(tmp_path / "y.gpkg", gaz)
    (tmp_path / "z.csv").write_text(
        "desa_kode,settlement,lon,lat\n99.99,Kp. A,107.1,-6.2\n32.16.10.2005,Kp. A,,\n"
    )
    assert read_pins(tmp_path / "z.csv", gaz).rejects.reason.tolist() == ["desa_unknown", "pin_missing"]
    with pytest.raises(OutputError):
        write_blocks(pd.DataFrame(columns=list(BLOCK_FILE_COLUMNS)), tmp_path / "b.xlsx")


def test_a_pin_with_rt_left_empty_covers_its_settlement_in_that_rw_only(gaz: Gazetteer) -> None:
    # Two settlements of one desa bear one name; the RW tells them apart, and a block pin beats both.
    d = gaz.get("32.16.23.2001")
    cards = pd.DataFrame(
        {
            "desa_kode": d.kode,
            "alamat": ["Kp. Pulo", "Kp. Pulo", "Kp. Pulo", "Kp. Pulo"],
            "rw": ["002", "002", "007", "007"],
            "rt": ["001", "003", "001", "002"],
        }
    )
    pins = pd.DataFrame(
        {
            "desa_kode": d.kode,
            "settlement_kind": "kampung",
            "settlement": "Pulo",
            "rw": ["002", "007", "007"],
            "rt": ["", "", "002"],
            "lon": [d.rep_lon + 0.001, d.rep_lon + 0.002, d.rep_lon + 0.003],
            "lat": d.rep_lat,
        }
    )
    from ektp_routes.pins import Pins

    res = PinGeocoder(Pins(pins, pd.DataFrame(columns=["line", "reason", "message"]))).geocode(cards)
    lons = [round(r.lon - d.rep_lon, 4) for r in res if r is not None]
    assert lons == [0.001, 0.001, 0.002, 0.003]


def test_a_csv_without_lon_lat_columns_is_refused_in_one_line(gaz: Gazetteer, tmp_path: Path) -> None:
    # The analyst kept only the names in a spreadsheet: no point to read back.
    (tmp_path / "names.csv").write_text("desa_kode,settlement,rw,rt\n32.16.10.2005,Pulo,001,002\n")
    with pytest.raises(InputFileError, match=r"\['lat', 'lon'\] missing"):
        read_pins(tmp_path / "names.csv", gaz)


def test_pins_saved_in_a_projected_crs_are_read_in_degrees(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path
) -> None:
    # QGIS saved the edited layer in the project's CRS (UTM zone 48S) instead of WGS 84.
    import geopandas as gpd

    t = block_table(geocoded)
    d = gaz.get(t.desa_kode[0])
    t.loc[0, ["lon", "lat"]] = [d.rep_lon + 0.001, d.rep_lat]
    points = gpd.points_from_xy(t.lon, t.lat, crs="EPSG:4326")
    layer = gpd.GeoDataFrame(t.drop(columns=["lon", "lat"]), geometry=points).to_crs("EPSG:32748")
    layer.to_file(tmp_path / "utm.gpkg", layer="blocks", driver="GPKG")
    pins = read_pins(tmp_path / "utm.gpkg", gaz)
    assert len(pins.rejects) == 0 and pins.unmoved == len(t) - 1
    assert pins.pins.lon.tolist() == pytest.approx([d.rep_lon + 0.001])
