from __future__ import annotations

import numpy as np
import pytest
import shapely

from ektp_routes import Gazetteer, RegionError


def test_counts(gaz: Gazetteer) -> None:
    assert len(gaz.desa_table) == 187
    assert len(gaz.kecamatan_table) == 23
    assert len(gaz.kodepos_table) == 32
    assert gaz.region_code == "32.16"
    assert int(gaz.desa_table.penduduk.sum()) == 3_289_743
    assert int(gaz.desa_table.kk.sum()) == 1_040_143
    assert set(gaz.desa_table.jenis) == {"desa", "kelurahan"}
    assert (gaz.desa_table.jenis == "kelurahan").sum() == 8


def test_kodepos_never_spans_two_kecamatan(gaz: Gazetteer) -> None:
    t = gaz.desa_table
    assert (t.groupby("kodepos").kode_kec.nunique() == 1).all()


def test_representative_points_inside_their_polygon(gaz: Gazetteer) -> None:
    t = gaz.desa_table
    assert shapely.contains_xy(t.geometry.values, t.rep_lon.values, t.rep_lat.values).all()


def test_kecamatan_outlines_dissolve(gaz: Gazetteer) -> None:
    out = gaz.kecamatan_outlines()
    assert len(out) == 23
    assert out.is_valid.all()
    # Dissolving loses no area beyond the tiny neighbour overlaps.
    assert out.to_crs(32748).area.sum() == pytest.approx(gaz.desa_table.to_crs(32748).area.sum(), rel=0.01)


@pytest.mark.parametrize(
    ("written", "kecamatan", "expected"),
    [
        ("DS. KARANG BAHAGIA", None, "Karangbahagia"),
        ("  karang   bahagia ", None, "Karangbahagia"),
        ("Karangbahagia", None, "Karangbahagia"),
        ("Desa Karang Bahagia", "Kec. Karang Bahagia", "Karangbahagia"),
        ("Kel. Setia Asih", None, "Setia Asih"),
        ("Kelurahan SETIAASIH", None, "Setia Asih"),
        ("Jalenjaya", None, "Jejalenjaya"),
        ("Tjikarang Kota", None, "Cikarangkota"),
        ("Soekadjaja", "Cibitung", "Sukajaya"),
        ("Kr. Bahagia", None, "Karangbahagia"),
        ("Pantai Harapan Jaya", None, "Pantai Harapanjaya"),
        ("Sirnajaya (Sirnajati)", "Serang Baru", "Sirnajaya"),
        ("Sirnajaya (Sirnajati)", "Cibarusah", "Sirnajati"),
    ],
)
def test_resolve_written_forms(gaz: Gazetteer, written: str, kecamatan: str | None, expected: str) -> None:
    r = gaz.resolve_desa(written, kecamatan=kecamatan)
    assert r.ok, r.describe()
    assert r.desa.nama == expected
    assert r.confidence == 1.0


@pytest.mark.parametrize(
    ("typo", "kecamatan", "expected"),
    [
        ("Wanasri", None, "Wanasari"),
        ("Jatimulia", None, "Jatimulya"),
        ("Cibntu", "Cibitung", "Cibuntu"),
        ("Lambangsri", "Tambun Utara", "Lambangsari"),
    ],
)
def test_small_typos_resolve_with_lower_confidence(
    gaz: Gazetteer, typo: str, kecamatan: str | None, expected: str
) -> None:
    r = gaz.resolve_desa(typo, kecamatan=kecamatan)
    assert r.status == "fuzzy"
    assert r.desa.nama == expected
    assert 0.85 <= r.confidence < 1.0


def test_ambiguous_name_is_refused_with_candidates(gaz: Gazetteer) -> None:
    r = gaz.resolve_desa("Sirnajaya (Sirnajati)")
    assert r.status == "ambiguous" and not r.ok
    assert {c.nama for c in r.candidates} == {"Sirnajaya", "Sirnajati"}
    assert "kecamatan" in r.describe()
    with pytest.raises(RegionError):
        _ = r.desa


def test_unknown_name_lists_closest(gaz: Gazetteer) -> None:
    r = gaz.resolve_desa("Antah Berantah")
    assert r.status == "unknown"
    assert len(r.candidates) == 3
    assert gaz.resolve_desa("").status == "empty"
    assert gaz.resolve_desa("Desa").status == "empty"


def test_kodepos_narrows_a_typo(gaz: Gazetteer) -> None:
    # "Sukamuk" is close to several Suka- desa; the kode pos picks the one in its zone.
    z = gaz.get("32.16.23.2005").kodepos  # Sukamukti, Bojongmangu
    r = gaz.resolve_desa("Sukamukty", kodepos=z)
    assert r.ok and r.desa.kode == "32.16.23.2005"


def test_resolve_kecamatan(gaz: Gazetteer) -> None:
    assert gaz.resolve_kecamatan("Kec. Tambun Sel.").kecamatan.nama == "Tambun Selatan"
    assert gaz.resolve_kecamatan("CIKARANG UTR").kecamatan.kode == "32.16.09"
    assert gaz.resolve_kecamatan("Kedungwaringin").kecamatan.nama == "Kedung Waringin"
    assert not gaz.resolve_kecamatan("Cikarang").ok  # four Cikarang kecamatan: refuse to guess


def test_old_code_alias(gaz: Gazetteer) -> None:
    assert gaz.get("32.16.01.2007").nama == "Setia Asih"
    with pytest.raises(RegionError):
        gaz.get("32.16.99.9999")


def test_locate_points(gaz: Gazetteer) -> None:
    t = gaz.desa_table
    loc = gaz.locate(t.rep_lon.values, t.rep_lat.values)
    assert list(loc.kode) == list(t.kode)
    assert loc.inside.all()
    # Far outside: no desa. NaN: no desa.
    loc2 = gaz.locate([106.0, np.nan], [-6.0, -6.2])
    assert list(loc2.kode) == ["", ""]


def test_locate_gap_falls_back_to_nearest(gaz: Gazetteer) -> None:
    # A point just outside the kabupaten edge (in no polygon) within 250 m goes to the nearest desa.
    poly = gaz.polygon("32.16.01.2001")
    minx = poly.bounds[0]
    y = shapely.get_coordinates(poly)[np.argmin(shapely.get_coordinates(poly)[:, 0])][1]
    d = gaz.locate_point(minx - 0.0005, y)
    assert d is not None
    loc = gaz.locate([minx - 0.0005], [y])
    assert not loc.inside[0] and 0 < loc.distance_m[0] < 250
    assert gaz.locate_point(minx - 0.05, y) is None


def test_check_consistency(gaz: Gazetteer) -> None:
    d = gaz.get("32.16.10.2005")  # Karangbahagia, kode pos 17535
    assert gaz.check(desa=d, kecamatan="Karang Bahagia", kodepos="17535", nik="3216101201900001") == []
    issues = {
        i.reason: i.field
        for i in gaz.check(desa=d, kecamatan="Tambun Selatan", kodepos="17510", nik="3216061201900001")
    }
    assert issues == {
        "kecamatan_mismatch": "kecamatan",
        "kodepos_mismatch": "kodepos",
        "nik_kecamatan_mismatch": "nik",
    }
    assert gaz.check(desa=d, kodepos="99999")[0].reason == "kodepos_invalid"
    assert gaz.check(desa=d, nik="3275101201900001")[0].reason == "nik_region"
    assert gaz.check(desa=d, kecamatan="Kec. Antah")[0].reason == "kecamatan_unknown"


def test_a_candidate_inside_the_stated_kecamatan_wins_and_says_what_it_passed_over(gaz: Gazetteer) -> None:
    # "Sirnajaya" is exactly a desa of Serang Baru; written with kecamatan Cibarusah it is Sirnajati.
    r = gaz.resolve_desa("Sirnajaya", kecamatan="Cibarusah")
    assert (r.desa.nama, r.status, r.matched) == ("Sirnajati", "fuzzy", "Sirnajati")
    assert [d.nama for d in r.passed_over] == ["Sirnajaya"]  # type: ignore[union-attr]
    assert "Sirnajaya (Serang Baru" in r.describe()
    # The kode pos of Cibarusah says the same; without any hint the exact name wins.
    assert gaz.resolve_desa("Sirnajaya", kodepos="17340").desa.nama == "Sirnajati"
    plain = gaz.resolve_desa("Sirnajaya")
    assert (plain.desa.nama, plain.status, plain.passed_over) == ("Sirnajaya", "exact", ())
    # Kecamatan and kode pos that disagree: neither outranks the other, the exact name stands.
    assert gaz.resolve_desa("Sirnajaya", kecamatan="Cibarusah", kodepos="17330").desa.nama == "Sirnajaya"
    # A name far from every desa of the stated kecamatan is not forced into it.
    far = gaz.resolve_desa("Karangbahagia", kecamatan="Setu")
    assert far.desa.nama == "Karangbahagia" and not far.passed_over


def test_alias_used_is_reported(gaz: Gazetteer) -> None:
    r = gaz.resolve_desa("Jalenjaya")
    assert (r.status, r.matched, r.desa.nama) == ("alias", "Jalenjaya", "Jejalenjaya")
    assert "via 'Jalenjaya'" in r.describe()


def test_exact_lookups_by_name(gaz: Gazetteer) -> None:
    assert [d.nama for d in gaz.desa_named("TELAGA ASIH")] == ["Telaga Asih"]
    assert [d.nama for d in gaz.desa_named("Jalenjaya")] == ["Jejalenjaya"]  # aliases count
    assert gaz.desa_named("Cikarang Timur") == ()
    assert [k.nama for k in gaz.kecamatan_named("Kec. Cikarang Timur")] == ["Cikarang Timur"]
