from __future__ import annotations

import pytest

from ektp_routes.address import find_desa, parse_address, street_key
from ektp_routes.regions import Gazetteer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jl. Melati No. 12", {"street": "Jalan Melati", "number": "12"}),
        ("JLN. MELATI NO.12", {"street": "Jalan Melati", "number": "12"}),
        ("jalan melati nomor 12A", {"street": "Jalan Melati", "number": "12A"}),
        ("Gg. Mawar 2 No. 36", {"gang": "Gang Mawar 2", "number": "36"}),
        ("Gang Haji Warsim", {"gang": "Gang Haji Warsim"}),
        ("Kp. Babakan Kaler RT 003/RW 005", {"kampung": "Babakan Kaler", "rt": "003", "rw": "005"}),
        ("KAMPUNG PULO RT.3 RW.5", {"kampung": "Pulo", "rt": "003", "rw": "005"}),
        ("Kmp. Rawa 003/005", {"kampung": "Rawa", "rt": "003", "rw": "005"}),
        ("Perum. Griya Asri Blok C2 No. 15", {"perumahan": "Griya Asri", "blok": "C2", "number": "15"}),
        ("Perumahan Bumi Mas Blok G10 No. 113", {"perumahan": "Bumi Mas", "blok": "G10", "number": "113"}),
        ("Komp. Taman Sari Blok A-3/12", {"perumahan": "Taman Sari", "blok": "A-3/12"}),
        (
            "Jl. Raya Setu Rt 01 Rw 02 Ds. Cibening Kec. Setu 17320",
            {
                "street": "Jalan Raya Setu",
                "rt": "001",
                "rw": "002",
                "desa": "Cibening",
                "kecamatan": "Setu",
                "kodepos": "17320",
            },
        ),
        ("Kel. Setia Asih, Kecamatan Tarumajaya", {"desa": "Setia Asih", "kecamatan": "Tarumajaya"}),
        # A distance along a road is not part of a name; a blok code is not a gang; "No" with no number
        # before the street does not swallow the real house number.
        ("Jl. Raya Serang KM.24 Ds. Sukaresmi KM.24", {"street": "Jalan Raya Serang", "desa": "Sukaresmi"}),
        (
            "Ds. Sukaresmi Km 24,5 Kec. Cikarang Selatan",
            {"desa": "Sukaresmi", "kecamatan": "Cikarang Selatan"},
        ),
        ("Perum Graha Asri Blok GG/5M-5N", {"perumahan": "Graha Asri", "blok": "GG/5M-5N", "gang": ""}),
        ("No Jl. Kenanga No.43", {"street": "Jalan Kenanga", "number": "43"}),
        ("Jl. Mawar No. 7 Blok gg-2", {"street": "Jalan Mawar", "number": "7", "blok": "GG-2", "gang": ""}),
        ("Kp.Babakan Kaler 3/5", {"kampung": "Babakan Kaler", "rt": "003", "rw": "005"}),
        ("Kp. Babakan Kaler 03/05", {"kampung": "Babakan Kaler", "rt": "003", "rw": "005"}),
        ("Kp. Pulo 3 5", {"kampung": "Pulo", "rt": "003", "rw": "005"}),
        ("Perum Griya 2 Blok C 5", {"perumahan": "Griya 2", "blok": "C", "rt": "", "rw": ""}),
        ("Jl. Mawar No. 12/3", {"street": "Jalan Mawar", "number": "12/3", "rt": "", "rw": ""}),
        ("Perum Griya Asri Blok C2/15", {"perumahan": "Griya Asri", "blok": "C2/15", "rt": "", "rw": ""}),
        # stacked and misspelt markers, a hamlet, RT/RW glued or alone, a distance along the road
        (
            "Kompleks Perumahan Griya Asri Blok C No 3",
            {"perumahan": "Griya Asri", "blok": "C", "number": "3"},
        ),
        ("Perumahn Griya Asri Blok C2 No. 15", {"perumahan": "Griya Asri", "blok": "C2"}),
        ("Kampng Pulo RT003RW005", {"kampung": "Pulo", "rt": "003", "rw": "005"}),
        ("Dukuh Krajan RT 1", {"kampung": "Krajan", "rt": "001", "rw": ""}),
        ("Kp. Ciketing Udik R.W 5", {"kampung": "Ciketing Udik", "rt": "", "rw": "005"}),
        ("JL RAYA SUKATANI KM 5 NO 12", {"street": "Jalan Raya Sukatani", "number": "12"}),
    ],
)
def test_parse_variants(text: str, expected: dict[str, str]) -> None:
    a = parse_address(text)
    for k, v in expected.items():
        assert getattr(a, k) == v, (k, a)


def test_street_query_and_keys() -> None:
    assert parse_address("Kp. Pulo RT 1/RW 2").street_query() == "Pulo"
    assert parse_address("Jl. Melati Gg. Mawar").street_query() == "Jalan Melati"
    assert street_key("Jl. Raya Bekasi") == street_key("JALAN RAYA BEKASI") == "raya bekasi"
    assert street_key("Gg. Damai II") == "damai ii"
    assert parse_address("").street_query() == ""


# Real-world shapes of addresses as exports write them, desa and kecamatan without markers:
# (address text, kecamatan column, kode pos column, expected desa or None when it must refuse).
UNMARKED = [
    ("Kp. Rawa Bogo RT 02/05, Jatireja, Cikarang Timur", None, None, "Jatireja"),
    ("Telaga Asih, Cikarang Barat", None, None, "Telaga Asih"),
    ("Jl. Niaga Raya Kav. 3, Pasirsari, Cikarang Selatan, Bekasi 17532", None, None, "Pasirsari"),
    ("KP. PULO RT 001 RW 002 KARANGBAHAGIA KARANG BAHAGIA", None, None, "Karangbahagia"),
    ("Perum Graha Asri Blok GG/5M-5N, Jatireja, Cikarang Timur", None, None, "Jatireja"),
    ("Jl. Raya Setu KM.24 Cibening Setu", None, None, "Cibening"),
    ("Kampung Babakan Sukaresmi Cikarang Selatan", None, None, "Sukaresmi"),
    ("Gg. Mawar No. 5, Mekarsari, Tambun Selatan", None, None, "Mekarsari"),
    ("Sukadami Cikarang Selatan 17532", None, None, "Sukadami"),
    ("Perumahan Grand Wisata Blok AA 12 No. 5, Lambangsari, Tambun Selatan", None, None, "Lambangsari"),
    ("Jl. Industri Selatan 5 Blok PP No. 1 Kawasan Jababeka II, Pasirsari, Cikarang Selatan", None, None,
     "Pasirsari"),
    ("Kp. Cibuntu RT 3/4 Cibitung", None, None, "Cibuntu"),
    ("Sumberjaya, Tambun Sel.", None, None, "Sumberjaya"),
    ("Jl. Raya Cikarang-Cibarusah KM 5, Sukaresmi, Cikarang Selatan", None, None, "Sukaresmi"),
    ("TELAGAASIH CIKARANG BARAT", None, None, "Telaga Asih"),
    ("Tjikarang Kota, Tjikarang Oetara", None, None, "Cikarangkota"),
    ("Kp. Kandang, Karangsambung 17540", None, None, "Karangsambung"),
    ("Kp. Pulo RT 01/02, Jatireja", "Cikarang Timur", None, "Jatireja"),
    ("Kp. Pulo RT 01/02, Jatirejaa", "Cikarang Timur", "17533", "Jatireja"),  # misspelt, inside the kecamatan
    ("Jl. Kenanga No.43, Karang Sentosa", "Kec. Karang Bahagia", None, "Karangsentosa"),
    ("Jl. Jababeka Raya Blok F 12, Pasirgombong, Cikarang Utara 17530", None, None, "Pasirgombong"),
    ("Sirnajaya, Cibarusah", None, None, "Sirnajati"),  # the kecamatan named in the text is a hint too
    # Refusals: no desa named, two desa named, or a desa outside the stated kecamatan.
    ("Kp. Pulo RT 01/02, Cikarang Timur", None, None, None),
    ("Kp. Pulo RT 01/02", "Karang Bahagia", None, None),
    ("Jatireja, Jatibaru, Cikarang Timur", None, None, None),
    ("Kp. Pulo, Jatireja", "Setu", None, None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "kecamatan", "kodepos", "expected"), UNMARKED)
def test_desa_found_in_unmarked_address_text(
    gaz: Gazetteer, text: str, kecamatan: str | None, kodepos: str | None, expected: str | None
) -> None:
    r = find_desa(text, gaz, kecamatan=kecamatan, kodepos=kodepos)
    if expected is None:
        assert not r.ok, r.describe()
        return
    assert r.ok, r.describe()
    assert r.desa.nama == expected and r.status == "address"
    assert 0.5 <= r.confidence < 1.0
    assert text not in r.describe()  # the address itself is personal data: only place names are quoted


def test_confidence_says_how_the_desa_was_found(gaz: Gazetteer) -> None:
    both = find_desa("Kp. Pulo, Jatireja, Cikarang Timur", gaz).confidence
    alone = find_desa("Kp. Pulo, Jatireja", gaz).confidence
    in_kampung = find_desa("Kp. Rawa Jatireja", gaz, kecamatan="Cikarang Timur").confidence
    marked = find_desa("Kp. Pulo Ds. Jatireja", gaz).confidence
    assert marked > both > alone > in_kampung
    two = find_desa("Jatireja, Jatibaru, Cikarang Timur", gaz)
    assert two.status == "ambiguous" and {d.nama for d in two.candidates} == {"Jatireja", "Jatibaru"}
