"""Written desa and kecamatan names resolved as people write them (ektp_routes.regions.names)."""

from __future__ import annotations

import pytest

from ektp_routes import Gazetteer, RegionError
from ektp_routes.regions import Kecamatan, NameIndex


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


def test_a_name_index_resolves_without_a_gazetteer() -> None:
    # Numbered regions: 0 and 1 share a name, 2 has an alias.
    regions = (
        Kecamatan("01", "Sukamaju"),
        Kecamatan("02", "Sukamaju"),
        Kecamatan("03", "Cibarusah"),
    )
    idx = NameIndex.build([k.nama for k in regions], {"Pasar Lama": 2}, None)
    assert idx.named("SUKA MAJU") == [0, 1]
    assert idx.named("PASARLAMA") == [2]
    both = idx.resolve("Sukamaju", regions, preferred=None, min_score=85.0)
    assert both.status == "ambiguous" and [k.kode for k in both.candidates] == ["01", "02"]  # type: ignore[union-attr]
    one = idx.resolve("Sukamaju", regions, preferred={1}, min_score=85.0)
    assert (one.kecamatan.kode, one.status, one.passed_over) == ("02", "exact", (regions[0],))
    alias = idx.resolve("Pasar Lama", regions, preferred=None, min_score=85.0)
    assert (alias.status, alias.matched, alias.kecamatan.nama) == ("alias", "Pasar Lama", "Cibarusah")
    assert idx.resolve("  ", regions, preferred=None, min_score=85.0).status == "empty"
