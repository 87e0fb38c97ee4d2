from __future__ import annotations

import pytest

from ektp_routes.address import parse_address, street_key


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
