"""Post offices: reading the offices file, placeholders, and which office serves each desa."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from ektp_routes import ConfigError, Gazetteer, InputFileError
from ektp_routes.config import DEFAULT_FLEET
from ektp_routes.offices import PostOffice, assign_offices, placeholder_offices, read_offices
from ektp_routes.solve import CourierOverride, Fleet


def test_a_thousands_dot_in_a_whole_number_column_is_refused_not_read_as_one(tmp_path: Path) -> None:
    p = tmp_path / "offices.csv"  # Indonesian Excel: ';', decimal commas, and a dot between thousands
    p.write_text("office_id;name;lon;lat;couriers\nKP1;Kantor;107,16;-6,23;1.000\n")
    with pytest.raises(
        InputFileError, match="office row 1: column couriers: a dot between thousands is ambiguous"
    ):
        read_offices(p, Fleet())
    p.write_text("office_id;name;lon;lat;couriers\nKP1;Kantor;107,16;-6,23;12\n")
    assert read_offices(p, Fleet())[0].fleet.couriers == 12


def test_a_card_list_given_as_offices_file_quotes_no_name(tmp_path: Path) -> None:
    p = tmp_path / "cards.csv"  # a header-less card list saved by Indonesian Excel, given by mistake
    p.write_text("Siti Aminah;3216061201900001;Kp. Pulo RT 001/002\n")
    with pytest.raises(InputFileError) as e:
        read_offices(p, Fleet())
    assert "Siti" not in str(e.value) and "(not a column name)" in str(e.value)


def test_offices_file_and_bad_offices(tmp_path: Path) -> None:
    p = tmp_path / "offices.csv"
    p.write_text("name,lon,lat,couriers,kodepos\nKPC Serang,107.12,-6.40,3,17330\nKPC X,107.0,-6.3,,\n")
    offs = read_offices(p, DEFAULT_FLEET)
    assert offs[0].fleet.couriers == 3 and offs[0].serves_kodepos == ("17330",)
    assert offs[1].fleet == DEFAULT_FLEET and offs[1].office_id == "PO02"  # empty cells: the defaults
    bad = tmp_path / "bad.csv"
    bad.write_text("name,lon,lat\nKPC Salah,-6.3,107.1\n")  # lat/lon swapped: outside Indonesia
    with pytest.raises(InputFileError, match="outside Indonesia"):
        read_offices(bad, DEFAULT_FLEET)
    with pytest.raises(InputFileError, match="column 'lat' missing"):
        (tmp_path / "nolat.csv").write_text("name,lon\nA,107\n")
        read_offices(tmp_path / "nolat.csv", DEFAULT_FLEET)
    with pytest.raises(ConfigError):
        PostOffice("x", "x", 10.0, 50.0, Fleet())


def test_unknown_offices_column_names_the_closest(tmp_path: Path) -> None:
    p = tmp_path / "offices.csv"
    p.write_text("name,longitude,lat,kurir\nKPC A,107.1,-6.3,3\n")
    with pytest.raises(InputFileError, match=r"unknown column 'longitude' \(did you mean 'lon'\?\)"):
        read_offices(p, DEFAULT_FLEET)
    p.write_text("name,lon,lat,kurir\nKPC A,107.1,-6.3,3\n")
    with pytest.raises(InputFileError, match=r"unknown column 'kurir' \(did you mean 'couriers'\?\)"):
        read_offices(p, DEFAULT_FLEET)
    p.write_text("name,lon,lat,catatan\nKPC A,107.1,-6.3,x\n")
    with pytest.raises(InputFileError, match="unknown column 'catatan'; known columns: name, lon, lat"):
        read_offices(p, DEFAULT_FLEET)


def test_the_example_offices_file_reads() -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "offices.csv"
    offs = read_offices(example, DEFAULT_FLEET)
    assert [o.office_id for o in offs] == ["KP-KRB", "KP-CKU", "KP-BJM"]
    assert offs[2].fleet.shift_s == int(6.5 * 3600) and len(offs[2].serves_desa) == 6


def test_placeholders_one_per_kecamatan_sized_to_their_cards(gaz: Gazetteer) -> None:
    fleet = Fleet(couriers=2, capacity=100, days=5)
    kec = sorted({d.kecamatan_kode for d in gaz.all_desa})[:2]
    offs = placeholder_offices(gaz, fleet, kec, {kec[0]: 2000})
    assert [o.placeholder for o in offs] == [True, True] and len(offs) == 2
    assert offs[0].fleet.couriers == 5  # 2000 cards / (0.8 * 100 cards * 5 days)
    assert offs[1].fleet.couriers == 2
    assert set(offs[0].serves_desa) == {d.kode for d in gaz.all_desa if d.kecamatan_kode == kec[0]}
    # Its name is printed on every manifest and report: Bahasa Indonesia, as the CLI calls it (SEMENTARA).
    assert offs[0].name == f"Kantor Pos Sementara {gaz.kecamatan(kec[0]).nama}"


def test_assign_explicit_desa_then_kodepos_then_nearest(gaz: Gazetteer) -> None:
    d1, d2, d3 = gaz.all_desa[:3]
    far = PostOffice("FAR", "far", 106.5, -6.0)
    by_desa = PostOffice("DESA", "by desa", 106.6, -6.0, serves_desa=(d1.kode,))
    by_pos = PostOffice("POS", "by kodepos", 106.7, -6.0, serves_kodepos=(d2.kodepos,))
    near = PostOffice("NEAR", "near", d3.rep_lon, d3.rep_lat)
    got = assign_offices(gaz, [d1.kode, d2.kode, d3.kode], [far, by_desa, by_pos, near])
    assert got[d1.kode] == "DESA"
    assert d3.kodepos != d2.kodepos
    assert got[d2.kode] == "POS"
    assert got[d3.kode] == "NEAR"


def test_smallest_bag_counts_courier_overrides() -> None:
    fleet = Fleet(couriers=2, capacity=150, overrides=(CourierOverride(1, capacity=90),))
    assert PostOffice("A", "a", 107.0, -6.2, fleet).smallest_bag == 90
    assert PostOffice("A", "a", 107.0, -6.2, Fleet(capacity=40)).smallest_bag == 40


@pytest.mark.parametrize(
    ("office_id", "problem"),
    [
        ("../../etc/x", "office_id '../../etc/x'"),
        ("KP A", "office_id 'KP A'"),
        ("KP/A", "office_id 'KP/A'"),
        ("A" * 300, "office_id 'AAAA"),
        ("A\x00B", "office_id 'A\\x00B'"),
        ("-lead", "office_id '-lead'"),
        ("KP..1", "office_id 'KP..1'"),  # its manifests' file names could not be written
    ],
)
def test_unsafe_office_ids_are_refused_when_read(tmp_path: Path, office_id: str, problem: str) -> None:
    p = tmp_path / "o.csv"
    pd.DataFrame({"office_id": [office_id], "name": ["KPC"], "lon": [107.1], "lat": [-6.3]}).to_csv(
        p, index=False
    )
    with pytest.raises(InputFileError) as err:
        read_offices(p, DEFAULT_FLEET)
    assert problem in str(err.value) and "allowed 1 to 40 letters" in str(err.value)
    assert len(str(err.value)) < 300 and "\n" not in str(err.value)


def test_duplicate_office_ids_are_refused_ignoring_case(tmp_path: Path) -> None:
    p = tmp_path / "o.csv"
    p.write_text("office_id,name,lon,lat\nKP-1,A,107.1,-6.3\nkp-1,B,107.2,-6.3\n")
    with pytest.raises(InputFileError, match="row 2: office_id kp-1 is already used on row 1"):
        read_offices(p, DEFAULT_FLEET)


def test_desa_names_in_the_offices_file_resolve_like_card_desa_names(tmp_path: Path, gaz: Gazetteer) -> None:
    code = gaz.resolve_desa("Karang Bahagia", kecamatan="Karang Bahagia").desa.kode
    p = tmp_path / "o.csv"
    p.write_text(f"name,lon,lat,desa\nKPC,107.1,-6.3,Ds. Karangbahagia;{code}\n")
    assert read_offices(p, DEFAULT_FLEET)[0].serves_desa == (code, code)
    p.write_text("name,lon,lat,desa\nKPC,107.1,-6.3,Desa Antah Berantah\n")
    with pytest.raises(InputFileError, match=r"desa 'Desa Antah Berantah': .*matches no known name"):
        read_offices(p, DEFAULT_FLEET)
    p.write_text("name,lon,lat,desa\nKPC,107.1,-6.3,32.16.99.9999\n")
    with pytest.raises(InputFileError, match="no desa/kelurahan with this code"):
        read_offices(p, DEFAULT_FLEET)
    p.write_text("name,lon,lat,kodepos\nKPC,107.1,-6.3,１７５３０\n")
    with pytest.raises(InputFileError, match=r"kodepos .*allowed 5 digits"):
        read_offices(p, DEFAULT_FLEET)


@pytest.mark.parametrize(("encoding", "sep"), [("cp1252", ";"), ("utf-16", "\t"), ("utf-8-sig", ";")])
def test_an_offices_file_saved_by_excel_in_an_indonesian_locale_is_read(
    tmp_path: Path, encoding: str, sep: str
) -> None:
    # Excel in an Indonesian locale saves ';' and decimal commas, in cp1252 (or UTF-16 as "Unicode
    # Text"): before, "unknown column (not a column name)" or a UnicodeDecodeError refused the file.
    p = tmp_path / "kantor.csv"
    rows = [["office_id", "name", "lon", "lat"], ["KPC", "Pos Cikarang Ñ", "107,15", "-6,25"]]
    p.write_bytes("\r\n".join(sep.join(r) for r in rows).encode(encoding))
    (office,) = read_offices(p, DEFAULT_FLEET)
    assert (office.office_id, office.name, office.lon, office.lat) == ("KPC", "Pos Cikarang Ñ", 107.15, -6.25)


def test_a_folder_given_as_the_offices_file_is_called_a_folder(tmp_path: Path) -> None:
    # Before: "offices file ... does not exist", about a folder that does.
    with pytest.raises(InputFileError, match="is a folder, not a CSV or GeoJSON file"):
        read_offices(tmp_path, DEFAULT_FLEET)
    with pytest.raises(InputFileError, match="does not exist"):
        read_offices(tmp_path / "kantor.csv", DEFAULT_FLEET)


def test_a_desa_or_kode_pos_listed_by_two_offices_is_refused_naming_both(tmp_path: Path) -> None:
    # Before, the first row silently won: a planner who gave Karangbahagia to two offices never
    # learnt that one of them gets none of its cards.
    p = tmp_path / "o.csv"
    p.write_text(
        "office_id,name,lon,lat,desa\nA,Pos A,107.1,-6.3,Karangbahagia\n"
        "B,Pos B,107.2,-6.3,Ds. Karang Bahagia\n"
    )
    with pytest.raises(
        InputFileError, match=r"desa Karangbahagia \(32\.16\.10\.2005\) is listed by the offices A and B"
    ):
        read_offices(p, DEFAULT_FLEET)
    p.write_text("office_id,name,lon,lat,kodepos\nA,Pos A,107.1,-6.3,17535\nB,Pos B,107.2,-6.3,17530;17535\n")
    with pytest.raises(InputFileError, match="kode pos 17535 is listed by the offices A and B"):
        read_offices(p, DEFAULT_FLEET)
    p.write_text("office_id,name,lon,lat,kodepos\nA,Pos A,107.1,-6.3,17535\nB,Pos B,107.2,-6.3,17530\n")
    assert [o.serves_kodepos for o in read_offices(p, DEFAULT_FLEET)] == [("17535",), ("17530",)]


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("shift_h", "inf", "column shift_h: not a finite number"),
        ("shift_h", "1e300", "column shift_h = 1e+300: out of range"),
        ("days", "1e12", "column days = 1e+12: out of range; allowed 1 to 366"),
        ("couriers", "2.5", "column couriers: not a whole number"),
        ("capacity", "0", "column capacity = 0: out of range"),
        ("lon", "nan", "column lon: not a finite number"),
    ],
)
def test_office_fleet_values_are_bounded_like_the_config(
    tmp_path: Path, column: str, value: str, problem: str
) -> None:
    p = tmp_path / "o.csv"
    extra = "" if column == "lon" else f",{column}"
    lon = value if column == "lon" else "107.2"
    p.write_text(f"office_id,name,lon,lat{extra}\nA,A,{lon},-6.4{',' + value if extra else ''}\n")
    with pytest.raises(InputFileError) as err:
        read_offices(p, DEFAULT_FLEET)
    assert problem in str(err.value)


def test_an_office_far_from_every_desa_it_serves_is_warned_of(
    gaz: Gazetteer, caplog: pytest.LogCaptureFixture
) -> None:
    d = gaz.all_desa[0]
    moved = PostOffice("MOVED", "two degrees west", d.rep_lon - 2.0, d.rep_lat, serves_desa=(d.kode,))
    near = PostOffice("NEAR", "near", d.rep_lon + 0.01, d.rep_lat)
    with caplog.at_level("WARNING", logger="ektp_routes.offices"):
        assign_offices(gaz, [d.kode], [near])
    assert not caplog.records  # an office in its area: no word
    with caplog.at_level("WARNING", logger="ektp_routes.offices"):
        assign_offices(gaz, [d.kode], [moved, near])
    [rec] = caplog.records
    assert rec.i18n[0] == "log.office_far"  # type: ignore[attr-defined]
    km = re.match(
        r"post office MOVED lies (\d+) km from the nearest desa of the area, and serves 1 of",
        rec.getMessage(),
    )
    assert km is not None and int(km.group(1)) > 150


def test_a_central_office_serving_a_far_batch_is_not_warned_of(
    gaz: Gazetteer, caplog: pytest.LogCaptureFixture
) -> None:
    north = sorted(gaz.all_desa, key=lambda d: -d.rep_lat)[:5]  # about 30 km from Cikarang
    central = PostOffice("KCU", "Kantor Pos Cikarang", 107.15, -6.28)
    with caplog.at_level("WARNING", logger="ektp_routes.offices"):
        assign_offices(gaz, [d.kode for d in north], [central])
    assert not caplog.records
