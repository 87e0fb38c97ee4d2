from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from ektp_routes import Gazetteer, InputFileError
from ektp_routes.geocode import (
    GazetteerGeocoder,
    GeocoderChain,
    InputCoordinates,
    StreetGeocoder,
    geocode_cards,
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def streets() -> StreetGeocoder:
    b = gpd.read_file(DATA / "jatinegara_cakung_boundary.geojson")
    b["kode"] = "JTN"
    return StreetGeocoder.from_osm_xml(DATA / "jatinegara_cakung.osm.bz2", areas=b)


def test_desa_point_never_claims_more_precision(gaz: Gazetteer) -> None:
    cards = pd.DataFrame(
        {"desa_kode": ["32.16.18.2005"], "alamat": ["Jl. Tidak Ada"], "lon": [np.nan], "lat": [np.nan]}
    )
    out = geocode_cards(cards, gaz)
    assert out.precision.tolist() == ["desa"]
    d = gaz.get("32.16.18.2005")
    assert (out.lon[0], out.lat[0]) == (d.rep_lon, d.rep_lat)


def test_input_coordinates_checked_against_desa(gaz: Gazetteer) -> None:
    inside = gaz.get("32.16.18.2005")
    other = gaz.get("32.16.10.2005")
    cards = pd.DataFrame(
        {
            "desa_kode": [inside.kode, inside.kode],
            "alamat": ["a", "b"],
            "lon": [inside.rep_lon, other.rep_lon],
            "lat": [inside.rep_lat, other.rep_lat],
        }
    )
    out = geocode_cards(cards, gaz)
    # A point kilometres from its stated desa is not trusted: the desa's point, flagged (issue 12).
    assert out.precision.tolist() == ["input", "desa"]
    assert out.geocode_flag[0] == ""
    assert out.geocode_flag[1].startswith("outside_desa") and other.kode in out.geocode_flag[1]
    assert "placed at the desa point" in out.geocode_flag[1]
    assert (out.lon[1], out.lat[1]) == (inside.rep_lon, inside.rep_lat)


def test_a_point_just_outside_its_desa_is_kept_with_the_flag(gaz: Gazetteer) -> None:
    import shapely

    d = gaz.get("32.16.18.2005")
    poly = gaz.polygon(d.kode)
    # 600 m east of the desa's easternmost point: outside it, but near.
    maxx = poly.bounds[2]
    east = next(p for p in shapely.get_coordinates(poly.boundary) if p[0] == maxx)
    lon, lat = float(east[0]) + 600 / 111_320, float(east[1])
    out = geocode_cards(
        pd.DataFrame({"desa_kode": [d.kode], "alamat": ["a"], "lon": [lon], "lat": [lat]}), gaz
    )
    assert out.precision.tolist() == ["input"] and out.geocode_flag[0].startswith("outside_desa")


def test_street_matches_land_on_the_named_street(streets: StreetGeocoder) -> None:
    names = [n for n in sorted(set(streets._street_name)) if n.startswith(("Jalan ", "Gang "))]
    si, _, _ = streets._areas["JTN"]
    in_area = sorted({streets._street_name[i] for i in si} & set(names))
    rng = np.random.default_rng(0)
    chosen = list(rng.choice(in_area, size=40, replace=False))
    written = [
        n.replace("Jalan ", "Jl. ").replace("Gang ", "Gg. ").upper() + " NO. 5 RT 001/RW 002" for n in chosen
    ]
    res = streets.geocode(pd.DataFrame({"desa_kode": "JTN", "alamat": written}))
    hits = 0
    for name, r in zip(chosen, res, strict=True):
        if r is None:
            continue
        hits += 1
        assert r.precision == "street"
        segs = streets._street_geom[streets._street_name == name]
        d_m = shapely.distance(shapely.Point(r.lon, r.lat), shapely.union_all(segs)) * 111_320
        assert d_m < 5.0, name  # on the named street
    assert hits >= 36  # a few names are ambiguous with a sibling street and refused


def test_street_typo_and_numeral_rules(streets: StreetGeocoder) -> None:
    res = streets.geocode(
        pd.DataFrame(
            {
                "desa_kode": "JTN",
                "alamat": [
                    "Jl. Pengarengn No. 3",  # typo: matched
                    "Jl. Melati VIII",  # numerals must agree: Melati VII is not Melati VIII
                    "Jl. Antah Berantah Raya",  # not in the area
                ],
            }
        )
    )
    assert res[0] is not None and res[0].precision == "street" and res[0].confidence < 1
    assert res[1] is None
    assert res[2] is None


def test_a_gang_named_by_a_roman_numeral_finds_its_number_in_osm() -> None:
    lines = [shapely.LineString([(107.16 + i / 100, -6.43), (107.165 + i / 100, -6.43)]) for i in range(3)]
    streets = gpd.GeoDataFrame({"name": ["Gang 5", "Gang 6", "Jalan 2"]}, geometry=lines)
    alamat = ["Gg. V No. 3 RT 001/RW 002", "GG VI NO 12", "Jl. II No. 1", "Gg. VII", "Blok X No. 3"]
    res = StreetGeocoder(streets).geocode(pd.DataFrame({"desa_kode": "D", "alamat": alamat}))
    found = [(round(r.lon, 4), r.confidence) if r else None for r in res]
    assert found == [(107.1625, 1.0), (107.1725, 1.0), (107.1825, 1.0), None, None]


def test_osm_place_names_with_their_marker_match_settlements_written_any_way() -> None:
    streets = gpd.GeoDataFrame(
        {"name": ["Jalan H. Dahlia"]}, geometry=[shapely.LineString([(107.16, -6.43), (107.17, -6.43)])]
    )
    places = gpd.GeoDataFrame(
        {
            "name": ["Kampung Pangkalan Girang", "Perumahan Graha Sentosa", "Dusun Krajan", "Gang Melati 2"],
            "place": ["hamlet", "neighbourhood", "hamlet", "neighbourhood"],
        },
        geometry=shapely.points([(107.18, -6.44), (107.20, -6.41), (107.19, -6.42), (107.21, -6.43)]),
    )
    geocoder = StreetGeocoder(streets, places)
    alamat = [
        "Kp. Pangkalan Girang RT 1 RW 2",
        "KAMPNG PANGKALAN GIRANG",  # a misspelt marker
        "Kompleks Perumahan Graha Sentosa Blok A2 No. 19",
        "Dk. Krajan",
        "Kp. Pangkalan Jauh",  # no such place
    ]
    res = geocoder.geocode(pd.DataFrame({"desa_kode": "D", "alamat": alamat}))
    found = [(r.lon, r.lat, r.precision) if r else None for r in res]
    assert found == [
        (107.18, -6.44, "settlement"),
        (107.18, -6.44, "settlement"),
        (107.20, -6.41, "settlement"),
        (107.19, -6.42, "settlement"),
        None,
    ]


def test_chain_prefers_precise_answers(gaz: Gazetteer, streets: StreetGeocoder) -> None:
    chain = GeocoderChain([InputCoordinates(gaz), streets, GazetteerGeocoder(gaz)])
    cards = pd.DataFrame(
        {
            "desa_kode": ["JTN", "32.16.18.2005"],
            "alamat": ["Jl. Pengarengan", "Kp. X"],
            "lon": [np.nan, np.nan],
            "lat": [np.nan, np.nan],
        }
    )
    res = chain.geocode(cards)
    assert res[0] is not None and res[0].geocoder == "osm_streets"
    assert res[1] is not None and res[1].precision == "desa"


def test_a_pbf_named_like_xml_is_refused_with_what_reads_it(tmp_path: Path) -> None:
    disguised = tmp_path / "roads.osm"
    disguised.write_bytes((DATA / "kelapa_gading.osm.pbf").read_bytes())
    with pytest.raises(InputFileError, match=r"not OSM XML.*name it FILE\.osm\.pbf"):
        StreetGeocoder.from_osm_xml(disguised)
