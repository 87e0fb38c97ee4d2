from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from ektp_routes import Gazetteer, synthetic_cards
from ektp_routes._errors import InputFileError, OutputError
from ektp_routes.blocks import assign_blocks, doors_per_group
from ektp_routes.cards import read_cards
from ektp_routes.geocode import GazetteerGeocoder, GeocoderChain, InputCoordinates, geocode_cards
from ektp_routes.pins import (
    BLOCK_FILE_COLUMNS,
    PinGeocoder,
    Pins,
    block_label,
    block_table,
    read_pins,
    refuse_overwriting_pins,
    write_blocks,
)
from ektp_routes.regions import METRES_PER_DEGREE, Desa


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


def test_block_households_are_whole_numbers_rounded_half_up(geocoded: pd.DataFrame) -> None:
    # Kampung addresses without house numbers: households estimated at 1.8 cards each (fractional).
    t = block_table(geocoded)
    b = assign_blocks(geocoded)
    codes, uniq = pd.factorize(b["block_key"])
    doors = pd.Series(doors_per_group(b["alamat"], codes), index=uniq)
    key = t.desa_kode + "|" + t.settlement_kind + " " + t.settlement + "|" + t.rw + "|" + t.rt
    estimate = doors[key].to_numpy()
    assert (estimate != np.round(estimate)).any()  # the internal estimate stays fractional
    assert t["households"].dtype.kind == "i" and (t["households"] >= 1).all()
    assert t["households"].tolist() == np.maximum(np.floor(estimate + 0.5), 1).astype(int).tolist()
    assert ",9.4," not in t.to_csv() and "households" in t.to_csv()


def _first_pin_moved(geocoded: pd.DataFrame, gaz: Gazetteer) -> tuple[pd.DataFrame, float]:
    """The blocks table with its first pin moved 0.001° east inside its desa, and that pin's lon."""
    t = block_table(geocoded)
    d = gaz.get(t.desa_kode[0])
    t.loc[0, ["lon", "lat"]] = [d.rep_lon + 0.001, d.rep_lat]
    return t, d.rep_lon + 0.001


@pytest.mark.parametrize("suffix", [".csv", ".gpkg"])
def test_moved_pins_come_back_as_block_precision(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path, suffix: str
) -> None:
    # The analyst moves the first block's pin a little inside its desa and one pin far away.
    t, moved_lon = _first_pin_moved(geocoded, gaz)
    t.loc[1, ["lon", "lat"]] = [106.80, -6.20]  # Jakarta
    path = write_blocks(t, tmp_path / f"blocks{suffix}")
    pins = read_pins(path, gaz)
    assert len(pins.pins) == 1 and pins.unmoved == len(t) - 2  # suggestions nobody moved are no pins
    # The refusal names the block (a place, no person) and how far outside its desa the pin lies.
    (refused,) = pins.rejects.to_dict("records")
    gap_m = shapely.distance(shapely.Point(106.80, -6.20), gaz.polygon(t.desa_kode[1])) * METRES_PER_DEGREE
    assert {k: refused[k] for k in ("line", "desa_kode", "rw", "rt", "reason")} == {
        "line": 2,
        "desa_kode": t.desa_kode[1],
        "rw": t.rw[1],
        "rt": t.rt[1],
        "reason": "pin_outside_desa",
    }
    assert refused["settlement"] == f"{t.settlement_kind[1]} {t.settlement[1]}".strip()
    assert refused["outside_m"] == pytest.approx(gap_m, abs=1) and refused["outside_m"] > 10_000
    assert refused["message"] == f"the pin lies {gap_m:,.0f} m outside its desa (at most 150 m allowed)"
    chain = GeocoderChain([InputCoordinates(gaz), PinGeocoder(pins), GazetteerGeocoder(gaz)])
    registry = geocoded.drop(columns=["precision", "geocoder", "geocode_flag"]).assign(
        lon=float("nan"), lat=float("nan")
    )
    again = geocode_cards(registry, gaz, geocoder=chain)
    first_block = block_table(again).iloc[0]
    assert first_block.precision == "block" and first_block.lon == pytest.approx(moved_lon)
    # Its sibling RTs (same desa, settlement and RW), their rows left unmoved, follow the moved one.
    same = ["desa_kode", "settlement_kind", "settlement", "rw"]
    siblings = (t[same] == t.loc[0, same]).all(axis=1)
    assert siblings.sum() > 1 and (again["precision"] == "block").sum() == int(t.cards[siblings].sum())


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

    t, moved_lon = _first_pin_moved(geocoded, gaz)
    points = gpd.points_from_xy(t.lon, t.lat, crs="EPSG:4326")
    layer = gpd.GeoDataFrame(t.drop(columns=["lon", "lat"]), geometry=points).to_crs("EPSG:32748")
    layer.to_file(tmp_path / "utm.gpkg", layer="blocks", driver="GPKG")
    pins = read_pins(tmp_path / "utm.gpkg", gaz)
    assert len(pins.rejects) == 0 and pins.unmoved == len(t) - 1
    assert pins.pins.lon.tolist() == pytest.approx([moved_lon])


def test_pins_saved_as_a_new_geopackage_are_read_whatever_its_layer_is_called(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path
) -> None:
    # QGIS's "Save Features As" names the layer after the new file ("pins_moved"), not "blocks".
    import geopandas as gpd

    t, moved_lon = _first_pin_moved(geocoded, gaz)
    layer = gpd.GeoDataFrame(t, geometry=gpd.points_from_xy(t.lon, t.lat, crs="EPSG:4326"))
    layer.to_file(tmp_path / "pins_moved.gpkg", layer="pins_moved", driver="GPKG")
    pins = read_pins(tmp_path / "pins_moved.gpkg", gaz)
    assert len(pins.rejects) == 0 and pins.pins.lon.tolist() == pytest.approx([moved_lon])
    # Two point layers and none called "blocks": which one holds the pins is not guessed.
    layer.to_file(tmp_path / "pins_moved.gpkg", layer="other", driver="GPKG")
    with pytest.raises(InputFileError, match="'other', 'pins_moved'") as err:
        read_pins(tmp_path / "pins_moved.gpkg", gaz)
    assert "\n" not in str(err.value)


def test_a_geopackage_with_the_blocks_saved_again_as_another_layer_is_not_guessed(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path
) -> None:
    # QGIS "Save Features As" into the same GeoPackage: the moved points in "blocks_edited" beside
    # the untouched "blocks". Reading "blocks" would plan every card at its desa point.
    import geopandas as gpd

    t, moved_lon = _first_pin_moved(geocoded, gaz)
    path = write_blocks(block_table(geocoded), tmp_path / "blocks.gpkg")
    edited = gpd.GeoDataFrame(t, geometry=gpd.points_from_xy(t.lon, t.lat), crs="EPSG:4326")
    edited.to_file(path, layer="blocks_edited", mode="a")
    with pytest.raises(InputFileError, match="'blocks', 'blocks_edited'") as err:
        read_pins(path, gaz)
    assert "\n" not in str(err.value)
    # A point layer of something else (the post offices) beside the blocks is no pin layer.
    path = write_blocks(t, tmp_path / "with_offices.gpkg")
    offices = gpd.GeoDataFrame({"name": ["KPC"]}, geometry=gpd.points_from_xy([107.1], [-6.3]), crs=4326)
    offices.to_file(path, layer="kantor_pos", mode="a")
    assert read_pins(path, gaz).pins.lon.tolist() == pytest.approx([moved_lon])


def _pins(d: object, rows: list[tuple[str, str, str, str, float]]) -> Pins:
    """Pins of one desa: (kind, settlement, rw, rt, metres east of the desa point)."""
    frame = pd.DataFrame(rows, columns=["settlement_kind", "settlement", "rw", "rt", "east_m"])
    frame = frame.assign(
        desa_kode=d.kode,  # type: ignore[attr-defined]
        lon=d.rep_lon + frame.pop("east_m") / METRES_PER_DEGREE,  # type: ignore[attr-defined]
        lat=d.rep_lat,  # type: ignore[attr-defined]
    )
    return Pins(
        frame.assign(line=range(1, len(frame) + 1)), pd.DataFrame(columns=["line", "reason", "message"])
    )


def _east_m(d: object, results: list) -> list[float | None]:  # type: ignore[type-arg]
    return [None if r is None else round((r.lon - d.rep_lon) * METRES_PER_DEGREE) for r in results]  # type: ignore[attr-defined]


def test_pins_find_their_cards_however_the_settlement_is_written(gaz: Gazetteer) -> None:
    # A later list drops the marker, misspells the name, writes it in capitals or in full.
    d = gaz.get("32.16.23.2001")
    pins = _pins(
        d, [("kampung", "Pondok Lama", "002", "001", 100), ("kampung", "Pondok Lama", "002", "002", 200)]
    )
    written = ["Pondok Lama", "Kp. Pondok Lamma", "KP. PONDOK LAMA", "Kampung Pondok Lama", "kp pondok lama"]
    cards = pd.DataFrame({"desa_kode": d.kode, "alamat": written, "rw": "002", "rt": "001"})
    assert _east_m(d, PinGeocoder(pins).geocode(cards)) == [100] * 5
    # Another desa, or another name, is not this settlement.
    other = pd.DataFrame(
        {
            "desa_kode": [d.kode, "32.16.23.2002"],
            "alamat": ["Kp. Pondok Baru", "Kp. Pondok Lama"],
            "rw": "002",
            "rt": "001",
        }
    )
    assert PinGeocoder(pins).geocode(other) == [None, None]


def test_a_name_of_two_pinned_kinds_needs_its_kind(gaz: Gazetteer) -> None:
    d = gaz.get("32.16.23.2001")
    pins = _pins(d, [("kampung", "Pulo", "001", "", 100), ("perumahan", "Pulo", "001", "", 200)])
    cards = pd.DataFrame(
        {"desa_kode": d.kode, "alamat": ["Kp. Pulo", "Perum. Pulo", "Pulo"], "rw": "001", "rt": "001"}
    )
    # "Pulo" alone could be either: no pin rather than the wrong one.
    assert _east_m(d, PinGeocoder(pins).geocode(cards)) == [100, 200, None]


def _card(d: object, alamat: str) -> pd.DataFrame:
    """One card of RW 001, RT 001 (a list of one: no other spelling in it to merge with)."""
    return pd.DataFrame({"desa_kode": [d.kode], "alamat": [alamat], "rw": "001", "rt": "001"})  # type: ignore[attr-defined]


def test_the_exact_name_comes_before_a_typo_and_another_kind_only_when_it_is_the_one(gaz: Gazetteer) -> None:
    d = gaz.get("32.16.23.2001")
    pins = _pins(
        d, [("perumahan", "Pondok Lama", "001", "", 200), ("kampung", "Pondok Lamb", "001", "", 100)]
    )
    # The perumahan of that exact name, not the kampung a typo away; the kampung by its own name.
    for alamat, east in (("Kp. Pondok Lama", 200), ("Kp. Pondok Lamb", 100)):
        assert _east_m(d, PinGeocoder(pins).geocode(_card(d, alamat))) == [east], alamat
    # An unmarked "Pondok Lamma" is a typo of two settlements of other kinds: neither, however close
    # one is; written "Kp." it is the kampung a typo away.
    two = _pins(
        d, [("kampung", "Pondok Lama", "001", "", 100), ("perumahan", "Pondok Lamba", "001", "", 200)]
    )
    for alamat, east in (("Pondok Lamma", None), ("Kp. Pondok Lamma", 100)):
        assert _east_m(d, PinGeocoder(two).geocode(_card(d, alamat))) == [east], alamat


def test_an_rt_without_a_pin_takes_the_nearest_moved_rt_of_its_settlement_and_rw(gaz: Gazetteer) -> None:
    d = gaz.get("32.16.23.2001")
    rows = [
        ("kampung", "Pondok Lama", "002", "001", 100),
        ("kampung", "Pondok Lama", "002", "003", 300),
        ("kampung", "Pondok Lama", "002", "006", 600),
        ("kampung", "Pondok Lama", "", "", 900),  # the whole settlement
        ("kampung", "Babakan", "003", "", 50),  # another settlement's RW
    ]
    cards = pd.DataFrame(
        {
            "desa_kode": d.kode,
            "alamat": ["Kp. Pondok Lama"] * 7 + ["Kp. Babakan"] * 2,
            "rw": ["002", "002", "002", "002", "002", "007", "002", "003", "004"],
            "rt": ["003", "002", "004", "005", "009", "001", "", "001", "001"],
        }
    )
    got = _east_m(d, PinGeocoder(_pins(d, rows)).geocode(cards))
    # own RT; RT 2 between 1 and 3 (tie: the lower); RT 4 nearest 3; RT 5 nearest 6; RT 9 nearest 6;
    # another RW and an RT left empty: the whole settlement; an RW pin; no pin for Babakan RW 4.
    assert got == [300, 100, 300, 600, 600, 900, 900, 50, None]
    # A pin of the RW (RT left empty) is more specific than a sibling RT.
    with_rw = _pins(d, [*rows, ("kampung", "Pondok Lama", "002", "", 250)])
    assert _east_m(d, PinGeocoder(with_rw).geocode(cards.iloc[:2]))[:2] == [300, 250]


def test_pins_no_card_fell_under_are_counted_in_one_line(
    gaz: Gazetteer, caplog: pytest.LogCaptureFixture
) -> None:
    d = gaz.get("32.16.23.2001")
    pins = _pins(
        d,
        [
            ("kampung", "Pondok Lama", "002", "001", 100),
            ("kampung", "Sawah Besar", "001", "002", 200),  # nobody of this list lives there
            ("kampung", "Sawah Besar", "001", "003", 300),
            ("kampung", "Pondok Lama", "002", "001", 150),  # the same block again: the later row wins
        ],
    )
    cards = pd.DataFrame(
        {"desa_kode": d.kode, "alamat": ["Kp. Pondok Lama"], "rw": "002", "rt": "001", "nama": "Siti Aminah"}
    )
    g = PinGeocoder(pins)
    with caplog.at_level("WARNING", logger="ektp_routes.pins"):
        assert _east_m(d, g.geocode(cards)) == [150]
    assert (g.unmatched.n, g.unmatched.total) == (2, 4)
    (line,) = [r.getMessage() for r in caplog.records if "matched no card" in r.getMessage()]
    assert (
        line
        == "2 of 4 pins matched no card (first: row 2 below the header: desa 32.16.23.2001 RW 001 RT 002)"
    )
    caplog.clear()
    with caplog.at_level("WARNING", logger="ektp_routes.pins"):
        sawah = [cards.assign(alamat="SAWAH BESAR", rw="001", rt=rt) for rt in ("002", "003")]
        PinGeocoder(pins).geocode(pd.concat([cards, *sawah]))
    assert not any("matched no card" in r.getMessage() for r in caplog.records)


def test_a_blocks_csv_saved_by_a_spreadsheet_is_read_as_it_comes(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path
) -> None:
    # Excel in an Indonesian locale: semicolons, decimal commas, and a header typed in capitals.
    t = block_table(geocoded)
    d = gaz.get(t.desa_kode[0])
    t.loc[0, ["lon", "lat"]] = [d.rep_lon + 0.001, d.rep_lat + 0.0005]
    plain = read_pins(write_blocks(t, tmp_path / "plain.csv"), gaz)
    text = t.astype(str).rename(columns=str.upper)
    for c in ("LON", "LAT", "HOUSEHOLDS"):
        text[c] = text[c].str.replace(".", ",", regex=False)
    text.to_csv(tmp_path / "excel.csv", sep=";", index=False)
    excel = read_pins(tmp_path / "excel.csv", gaz)
    assert len(excel.pins) == 1 and excel.unmoved == plain.unmoved == len(t) - 1 and excel.rejects.empty
    pd.testing.assert_frame_equal(excel.pins, plain.pins)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_blank_rows_of_a_spreadsheet_are_no_pins_and_keep_the_line_numbers(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path, suffix: str
) -> None:
    # Excel keeps empty rows between the blocks (and ";;;;" rows of empty cells): they are neither
    # pins nor refusals, and a refused row is still named by its line in the file.
    t, _ = _three_moved(geocoded, gaz)
    t.loc[2, "lon"] = 106.80  # Jakarta: refused, on line 5 of the file (2 blank rows above it)
    blank = pd.DataFrame([[None] * len(t.columns)] * 2, columns=t.columns)
    rows = pd.concat([t.iloc[:2], blank, t.iloc[2:]], ignore_index=True)
    if suffix == ".csv":
        rows.to_csv(tmp_path / "pins.csv", sep=";", decimal=",", index=False)
    else:
        rows.to_excel(tmp_path / "pins.xlsx", index=False)
    pins = read_pins(tmp_path / f"pins{suffix}", gaz)
    assert pins.pins.line.tolist() == [1, 2] and pins.unmoved == 0
    assert pins.rejects.line.tolist() == [5] and pins.rejects.reason.tolist() == ["pin_outside_desa"]


def test_a_blocks_file_with_columns_really_missing_says_what_it_has(gaz: Gazetteer, tmp_path: Path) -> None:
    (tmp_path / "q.csv").write_text("Kode;Kampung;X;Y\n32.16.23.2001;Pulo;107,1;-6,4\n")
    with pytest.raises(
        InputFileError,
        match=r"\['desa_kode', 'settlement'\] missing \(found 'kode', 'kampung', 'x', 'y'\)",  # X/Y: a point
    ):
        read_pins(tmp_path / "q.csv", gaz)
    # A file without a header row: its first row is data, and is not repeated in the message.
    (tmp_path / "h.csv").write_text("3216230101900001,Siti,Kp. Pulo\n")
    with pytest.raises(InputFileError, match="first row looks like data") as err:
        read_pins(tmp_path / "h.csv", gaz)
    assert "Siti" not in str(err.value) and "3216230101900001" not in str(err.value)


def test_a_blocks_file_with_one_column_twice_in_two_cases_is_refused_in_one_line(
    gaz: Gazetteer, tmp_path: Path
) -> None:
    (tmp_path / "d.csv").write_text(
        "desa_kode,settlement,LON,lon,lat\n32.16.23.2001,Pulo,107.1,107.2,-6.4\n", encoding="utf-8"
    )
    with pytest.raises(InputFileError, match=r"\['lon'\] appear twice") as err:
        read_pins(tmp_path / "d.csv", gaz)
    assert "\n" not in str(err.value)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_pins_in_metres_or_swapped_are_refused_as_such_not_as_far_away(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path
) -> None:
    # A spreadsheet of pins in UTM 48S metres, a GeoPackage in metres with no CRS recorded, an absurd
    # latitude and lon/lat typed the wrong way round: none is read as degrees "far outside" the desa.
    import warnings

    import geopandas as gpd

    t, d = _three_moved(geocoded, gaz)
    utm = gpd.GeoSeries(gpd.points_from_xy(t.lon, t.lat), crs="EPSG:4326").to_crs("EPSG:32748")
    write_blocks(t.assign(lon=utm.x, lat=utm.y), tmp_path / "utm.csv")
    layer = gpd.GeoDataFrame(t.drop(columns=["lon", "lat"]), geometry=list(utm.values), crs=None)
    layer.to_file(tmp_path / "nocrs.gpkg", layer="blocks", driver="GPKG")
    for name in ("utm.csv", "nocrs.gpkg"):
        refused = read_pins(tmp_path / name, gaz).rejects
        assert refused.reason.tolist() == ["pin_not_degrees"] * 3
        assert refused.outside_m.isna().all() and "EPSG:4326" in refused.message[0]
    t.loc[1, "lat"], t.loc[2, ["lon", "lat"]] = 1e308, [d.rep_lat, d.rep_lon]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        refused = read_pins(write_blocks(t, tmp_path / "odd.csv"), gaz).rejects
    assert refused.reason.tolist() == ["pin_not_degrees", "pin_lonlat_swapped"]
    assert refused.line.tolist() == [2, 3] and "swapped" in refused.message[1]


@pytest.mark.filterwarnings("ignore:Geometry is in a geographic CRS")
def test_a_geopackage_of_a_table_multipoints_or_polygons_is_read_or_refused_in_one_line(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path
) -> None:
    # A table without geometry keeps lon/lat; a one-point multipoint is its point; polygons are no pins.
    import geopandas as gpd
    import pyogrio

    t, d = _three_moved(geocoded, gaz)
    layer = gpd.GeoDataFrame(t, geometry=gpd.points_from_xy(t.lon, t.lat), crs="EPSG:4326")
    multi = layer.set_geometry([shapely.MultiPoint([q]) for q in layer.geometry], crs="EPSG:4326")
    multi.to_file(tmp_path / "multi.gpkg", layer="blocks", driver="GPKG")
    assert read_pins(tmp_path / "multi.gpkg", gaz).pins.lon.tolist() == pytest.approx([d.rep_lon + 0.001] * 3)
    layer.iloc[:0].to_file(tmp_path / "none.gpkg", layer="blocks", driver="GPKG")
    assert len(read_pins(tmp_path / "none.gpkg", gaz).pins) == 0  # an empty layer: no pins, no error
    pyogrio.write_dataframe(pd.DataFrame(t), tmp_path / "table.gpkg", layer="blocks", driver="GPKG")
    assert len(read_pins(tmp_path / "table.gpkg", gaz).pins) == 3
    bare = t.drop(columns=["lon", "lat"])
    pyogrio.write_dataframe(bare, tmp_path / "bare.gpkg", layer="blocks", driver="GPKG")
    with pytest.raises(InputFileError, match="layer 'blocks' has no points and no lon/lat columns"):
        read_pins(tmp_path / "bare.gpkg", gaz)
    layer.set_geometry(layer.buffer(0.001)).to_file(tmp_path / "poly.gpkg", layer="blocks", driver="GPKG")
    with pytest.raises(InputFileError, match="layer 'blocks' holds Polygon, not one point per block"):
        read_pins(tmp_path / "poly.gpkg", gaz)
    (tmp_path / "folder.gpkg").mkdir()
    with pytest.raises(InputFileError, match=r"folder\.gpkg is a folder, not a file"):
        read_pins(tmp_path / "folder.gpkg", gaz)


def _three_moved(geocoded: pd.DataFrame, gaz: Gazetteer) -> tuple[pd.DataFrame, Desa]:
    """The first three blocks of a list (of one desa), each pinned 0.001 degrees east of its desa point."""
    t = block_table(geocoded).head(3)
    d = gaz.get(t.desa_kode[0])
    assert (t.desa_kode == d.kode).all()
    return t.assign(lon=d.rep_lon + 0.001, lat=d.rep_lat), d


def test_one_block_pinned_twice_at_different_points_is_refused_not_guessed(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path
) -> None:
    # A QGIS feature copied, and one copy moved: which of the two is right is not guessed.
    t, d = _three_moved(geocoded, gaz)
    again = t.iloc[[0, 1]].assign(lon=[d.rep_lon + 0.003, d.rep_lon + 0.001])  # row 2 repeated exactly
    pins = read_pins(write_blocks(pd.concat([t, again]), tmp_path / "twice.csv"), gaz)
    apart_m = round(0.002 * METRES_PER_DEGREE * np.cos(np.radians(d.rep_lat)))
    assert pins.rejects.line.tolist() == [1, 4] and set(pins.rejects.reason) == {"pin_conflict"}
    assert pins.rejects.message[0] == f"the block is pinned again up to {apart_m:,} m away: keep one row"
    assert pins.rejects.outside_m.isna().all()
    # The first block has no pin; the second, repeated at its own point (rows 2 and 5), keeps it.
    blocks = list(zip(pins.pins.settlement, pins.pins.rw, pins.pins.rt, strict=True))
    expected = list(zip(t.settlement, t.rw, t.rt, strict=True))
    assert blocks == [expected[1], expected[2], expected[1]]


@pytest.mark.parametrize("dropped", [["rt"], ["rw", "rt"]])
def test_rows_pinning_one_block_because_a_column_was_deleted_are_refused_for_that_reason(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path, dropped: list[str]
) -> None:
    # The analyst deleted the RT column (or RW and RT) the tool wrote: every row then pins its whole RW
    # (or settlement), at as many points as it had RTs. The cause named is the column, not a copied row.
    t = block_table(geocoded)
    first = t[(t.settlement == t.settlement[0]) & (t.rw == t.rw[0])].head(2)
    assert len(first) == 2  # two RTs of one RW
    d = gaz.get(first.desa_kode.iloc[0])
    moved = first.assign(lon=[d.rep_lon + 0.001, d.rep_lon + 0.002], lat=d.rep_lat).drop(columns=dropped)
    moved.to_csv(tmp_path / "no_rt.csv", index=False)
    pins = read_pins(tmp_path / "no_rt.csv", gaz)
    assert pins.pins.empty and pins.rejects.reason.tolist() == ["rw_rt_column_missing"] * 2
    assert pins.rejects.message[0].startswith("the file has no RW or RT column (deleted?)")
    assert pins.rejects.apart_m.notna().all()


def test_a_nik_typed_into_a_blocks_file_is_masked_in_refusals_and_never_in_warnings(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A NIK pasted into the desa code of one row and into the settlement of another (a pin no card has).
    t, _ = _three_moved(geocoded, gaz)
    t.loc[0, "desa_kode"] = "3216101234567890"
    t.loc[1, "settlement"] = "Gg. 3216101234567891"
    with caplog.at_level("WARNING", logger="ektp_routes.pins"):
        pins = read_pins(write_blocks(t, tmp_path / "nik.csv"), gaz)
        PinGeocoder(pins).geocode(geocoded.head(1))
    said = pins.rejects.to_csv() + "\n".join(r.getMessage() for r in caplog.records)
    assert pins.rejects.desa_kode.tolist() == ["321610******7890"]
    assert "row 2 below the header" in said  # the warning names the pin by its row, not its settlement text
    assert "1234567890" not in said and "1234567891" not in said


def test_a_name_typed_as_rw_rt_or_desa_code_is_masked_in_messages(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path
) -> None:
    # Messages name a refused row by its line and codes; a code that is a person's name is no code.
    t, _ = _three_moved(geocoded, gaz)
    t.loc[0, "desa_kode"] = "Agus Salim"
    t.loc[1, "rt"] = "Dewi Lestari"
    pins = read_pins(write_blocks(t, tmp_path / "names.csv"), gaz)
    said = [block_label(r.desa_kode, r.rw, r.rt) for r in pins.rejects.itertuples()]  # as the CLI prints
    assert len(said) == 2 and not any(n in s for s in said for n in ("Agus", "Salim", "Dewi", "Lestari"))
    assert said[0].startswith("desa **** *****") and said[1].endswith("RT **** *******")
    assert block_label("3216101234567890", "001", "RT 3") == "desa 321610******7890 RW 001 RT RT 3"


def test_an_unreadable_rw_or_rt_is_refused_not_read_as_another_block(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path
) -> None:
    # "abc" would have left the RW empty (a pin of the whole settlement), "1234" read as RT 234.
    t, _ = _three_moved(geocoded, gaz)
    t = pd.concat([t] * 2, ignore_index=True).assign(rw="001", rt=["1", "2.0", "RT 03", "abc", "1234", "3/5"])
    t.loc[3, ["rw", "rt"]] = ["abc", "004"]
    pins = read_pins(write_blocks(t, tmp_path / "rwrt.csv"), gaz)
    assert pins.pins.rt.tolist() == ["001", "002", "003"]
    assert pins.rejects.line.tolist() == [4, 5, 6] and set(pins.rejects.reason) == {"rw_rt_unreadable"}
    assert pins.rejects[["rw", "rt"]].values.tolist() == [["abc", "004"], ["001", "1234"], ["001", "3/5"]]


def test_a_csv_exported_by_qgis_with_its_geometry_as_x_y_takes_the_moved_point(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path
) -> None:
    # QGIS "Export > Save Features As" CSV with GEOMETRY=AS_XY: X and Y (the moved points) come first,
    # the lon/lat attributes still hold the suggestion, at the desa point.
    t = block_table(geocoded).head(3)
    d = gaz.get(t.desa_kode[0])
    moved = t.assign(X=d.rep_lon + 0.001, Y=d.rep_lat)[["X", "Y", *t.columns]]
    moved.to_csv(tmp_path / "qgis.csv", index=False)
    pins = read_pins(tmp_path / "qgis.csv", gaz)
    assert pins.unmoved == 0 and pins.pins.lon.tolist() == pytest.approx([d.rep_lon + 0.001] * 3)


@pytest.mark.parametrize("header", ["WKT", "wkt_geom"])
def test_a_csv_exported_by_qgis_with_its_geometry_as_wkt_takes_the_moved_point(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path, header: str
) -> None:
    # QGIS "Save Features As" CSV with GEOMETRY=AS_WKT ("WKT") or the attribute table copied
    # ("wkt_geom", "Point (x y)"): the geometry holds the moved points, lon/lat still the suggestion.
    t = block_table(geocoded).head(3)
    d = gaz.get(t.desa_kode[0])
    wkt = [f"Point ({d.rep_lon + 0.001} {d.rep_lat})", f"POINT Z ({d.rep_lon + 0.001} {d.rep_lat} 0)", ""]
    t.assign(**{header: wkt})[[header, *t.columns]].to_csv(tmp_path / "qgis.csv", index=False)
    pins = read_pins(tmp_path / "qgis.csv", gaz)
    assert pins.pins.lon.tolist() == pytest.approx([d.rep_lon + 0.001] * 2) and pins.unmoved == 0
    assert pins.rejects.line.tolist() == [3] and pins.rejects.reason.tolist() == ["pin_missing"]
    with pytest.raises(OutputError, match="holds 3 moved pins"):  # the moved points are never written over
        refuse_overwriting_pins(tmp_path / "qgis.csv", gaz)


def test_an_empty_or_other_wkt_geometry_is_a_missing_pin_not_a_crash(
    geocoded: pd.DataFrame, gaz: Gazetteer, tmp_path: Path
) -> None:
    # A point whose vertex was deleted in QGIS is written "Point EMPTY"; a line or polygon is no pin.
    t = block_table(geocoded).head(3)
    wkt = ["Point EMPTY", "LineString (107.1 -6.2, 107.2 -6.2)", "MultiPoint EMPTY"]
    t.assign(wkt_geom=wkt)[["wkt_geom", *t.columns]].to_csv(tmp_path / "qgis.csv", index=False)
    pins = read_pins(tmp_path / "qgis.csv", gaz)
    assert pins.pins.empty and pins.rejects.line.tolist() == [1, 2, 3]
    assert set(pins.rejects.reason) == {"pin_missing"}


def test_a_desa_code_written_without_its_dots_is_the_desa(gaz: Gazetteer, tmp_path: Path) -> None:
    # "3216102001" (dots dropped, or a spreadsheet's number "3216102001.0") is 32.16.10.2001.
    d = gaz.get("32.16.10.2001")
    (tmp_path / "k.csv").write_text(
        "desa_kode,settlement,lon,lat\n"
        f"3216102001,Kp. A,{d.rep_lon + 0.001},{d.rep_lat}\n"
        f"3216102001.0,Kp. B,{d.rep_lon + 0.001},{d.rep_lat}\n"
        f"321610200,Kp. C,{d.rep_lon + 0.001},{d.rep_lat}\n"
    )
    pins = read_pins(tmp_path / "k.csv", gaz)
    assert pins.pins.desa_kode.tolist() == ["32.16.10.2001"] * 2
    assert pins.rejects.reason.tolist() == ["desa_unknown"]


def _one_card_pinned(gaz: Gazetteer, alamat: str) -> tuple[Desa, pd.DataFrame, pd.DataFrame]:
    """One card of desa 32.16.23.2001 at ``alamat``: its desa, the card, and its block with the pin
    moved about 110 m east of the desa point (as an analyst moves it)."""
    d = gaz.get("32.16.23.2001")
    row = {"NIK": "3216231201900001", "NAMA": "Siti", "ALAMAT": alamat}
    cards = read_cards(pd.DataFrame([{**row, "KEL/DESA": d.nama, "KECAMATAN": d.kecamatan}])).cards
    t = block_table(geocode_cards(cards, gaz))
    t.loc[0, ["lon", "lat"]] = [d.rep_lon + 0.001, d.rep_lat]
    return d, cards, t


def test_a_settlement_written_like_a_formula_is_escaped_in_the_blocks_csv_and_its_pin_still_found(
    gaz: Gazetteer, tmp_path: Path
) -> None:
    d, cards, t = _one_card_pinned(gaz, "Kp. =cmd|' /C calc'!A0 RT 1 RW 1")
    assert t.settlement.str.startswith("=").tolist() == [True]
    path = write_blocks(t, tmp_path / "blocks.csv")
    text = path.read_text(encoding="utf-8-sig")
    assert ",'=cmd" in text and ",=cmd" not in text  # Excel shows it as text, never runs it
    pins = read_pins(path, gaz)
    assert len(pins.pins) == 1 and pins.rejects.empty
    (found,) = PinGeocoder(pins).geocode(cards)
    assert found is not None and found.lon == pytest.approx(d.rep_lon + 0.001)


def test_a_blocks_csv_tells_excel_it_is_utf8_and_reads_back_its_accented_settlements(
    gaz: Gazetteer, tmp_path: Path
) -> None:
    _, _, t = _one_card_pinned(gaz, "Perum. Résidence Ñusa RT 1 RW 1")
    path = write_blocks(t, tmp_path / "blocks.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel would read it as ANSI without the mark
    pins = read_pins(path, gaz)
    assert pins.rejects.empty and pins.pins.settlement.tolist() == t.settlement.tolist()
    assert "Résidence" in t.settlement[0]


def test_a_blocks_file_that_cannot_be_written_fails_in_the_users_language_and_leaves_nothing(
    geocoded: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The disk fills while the blocks file is moved into place: the catalogue's one line (which says
    # what to do), no half-written file and no temporary file left beside it.
    import errno
    import os

    from ektp_routes.i18n import error_text, messages

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    for name in ("blocks.csv", "blocks.gpkg"):
        with pytest.raises(OutputError) as err:
            write_blocks(block_table(geocoded), tmp_path / name)
        assert err.value.key == "error.disk_full" and "free some space" in str(err.value)
        assert error_text(err.value, messages("id")).startswith("disk penuh saat menulis")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OutputError) as err:
        write_blocks(block_table(geocoded), tmp_path / "no" / "blocks.csv")
    assert err.value.key == "error.no_parent" and "does not exist" in str(err.value)


def _unreadable_blocks_files(tmp_path: Path) -> dict[str, Path]:
    """Message id -> a blocks file read back that raises it."""
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "pins.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    (tmp_path / "bad.gpkg").write_bytes(b"not a geopackage")
    (tmp_path / "bad.xlsx").write_bytes(b"not a workbook")
    (tmp_path / "twice.csv").write_text("desa_kode,settlement,LON,lon,lat\n")
    (tmp_path / "names.csv").write_text("desa_kode,settlement,rw,rt\n32.16.10.2005,Pulo,001,002\n")
    (tmp_path / "data.csv").write_text("32.16.10.2005,Pulo,107.1,-6.2\n")
    return {
        "error.blocks_file_missing": tmp_path / "nope.csv",
        "error.blocks_file_folder": tmp_path / "folder.csv",
        "error.blocks_file_suffix": tmp_path / "pins.geojson",
        "error.blocks_file_unreadable": tmp_path / "bad.gpkg",
        "error.blocks_columns_twice": tmp_path / "twice.csv",
        "error.blocks_columns_missing": tmp_path / "names.csv",
        "error.blocks_columns_missing_data_row": tmp_path / "data.csv",
    }


def test_a_blocks_file_that_cannot_be_read_is_said_in_the_users_language(
    gaz: Gazetteer, tmp_path: Path
) -> None:
    # Each refusal of an edited blocks file is worded by the catalogue: English for the library, the
    # user's language (Indonesian by default) on the command line; one line either way.
    from ektp_routes.i18n import error_text, messages

    for key, path in _unreadable_blocks_files(tmp_path).items():
        with pytest.raises(InputFileError) as err:
            read_pins(path, gaz)
        assert err.value.key == key, path.name
        english, indonesian = str(err.value), error_text(err.value, messages("id"))
        assert english == messages("en")(key, **err.value.values) and path.name in english
        assert indonesian != english and path.name in indonesian and "\n" not in indonesian
    # A workbook that is no workbook says it is no blocks file, not that it is no card list.
    with pytest.raises(InputFileError, match="cannot be read as a blocks file") as err:
        read_pins(tmp_path / "bad.xlsx", gaz)
    assert "card list" not in str(err.value)
