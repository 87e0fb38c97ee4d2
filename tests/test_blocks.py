from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ektp_routes import synthetic_cards
from ektp_routes.blocks import assign_blocks, doors_per_group, same_name, settlement_of
from ektp_routes.cards import read_cards


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("Kp. Babakan Kaler", ("kampung", "Babakan Kaler")),
        ("KP. BABAKAN KALER RT 003/RW 005", ("kampung", "Babakan Kaler")),
        ("kampung babakan kaler 003/005", ("kampung", "Babakan Kaler")),
        ("Kmp Babakan Kaler RT.3 RW.5", ("kampung", "Babakan Kaler")),
        ("Kampong Babakan Kaler, Ds. Karang Bahagia", ("kampung", "Babakan Kaler")),
        ("Perum. Griya Asri Blok B3 No. 45", ("perumahan", "Griya Asri")),
        ("PERUMAHAN GRIYA ASRI BLOK B3 NO.45 RT 001/RW 002", ("perumahan", "Griya Asri")),
        ("Komp. Griya Asri Blok C No 1", ("perumahan", "Griya Asri")),
        ("Komplek Griya Asri", ("perumahan", "Griya Asri")),
        ("Jl. Masjid Melati No. 12", ("jalan", "Masjid Melati")),
        ("JLN MASJID MELATI NO 12", ("jalan", "Masjid Melati")),
        ("Gg. Mawar 3 No. 5", ("gang", "Mawar 3")),
        ("Gang Mawar 3", ("gang", "Mawar 3")),
        ("Dsn. Krajan RT 01 RW 02", ("dusun", "Krajan")),
        ("Blok C7 No. 3", ("blok", "C7")),
        ("Kp. Pulo Gg. Mawar 2 No. 4", ("kampung", "Pulo")),
        ("Pulo Gabus RT 2 RW 3", ("tempat", "Pulo Gabus")),
        ("", ("", "")),
        ("No. 12", ("", "")),
        # RT/RW written as a bare N/M is never part of the settlement's name
        ("Kp.Babakan Kaler 3/5", ("kampung", "Babakan Kaler")),
        ("Kp. Babakan Kaler 03/05", ("kampung", "Babakan Kaler")),
        ("Kp. Babakan Kaler 3 / 5, Ds. Karang Bahagia", ("kampung", "Babakan Kaler")),
        ("Griya Asri 2 001 002", ("tempat", "Griya Asri 2")),
        ("Perum Graha 01 02", ("perumahan", "Graha")),
        ("Perumahan Bumi 3 001 002", ("perumahan", "Bumi 3")),
        ("Kp. Pulo 003-005, Ds. Karang Bahagia", ("kampung", "Pulo")),
        ("Perum Graha 01 02 Blok C", ("perumahan", "Graha 01 02")),  # not ending the address: left as is
        ("Kp. Pulo 3 5", ("kampung", "Pulo")),  # unpadded RT/RW ending a kampung's address: RT 3, RW 5
        ("Blok C2/15", ("blok", "C2/15")),
        ("Jl. Masjid Melati No. 12/3", ("jalan", "Masjid Melati")),
        # stacked markers give the settlement, not the blok
        ("Kompleks Perumahan Griya Asri Blok C No 3", ("perumahan", "Griya Asri")),
        ("Komp. Perum. Griya Asri Blok C No 3", ("perumahan", "Griya Asri")),
        ("KOMPLEK PERUMAHAN GRIYA ASRI", ("perumahan", "Griya Asri")),
        # RT/RW glued to the name or to each other, written with dashes, dots, colons, or alone
        ("Kp. Pulo RT003RW005", ("kampung", "Pulo")),
        ("KP. PULORT003RW005", ("kampung", "Pulo")),
        ("Kp. Pulo RT-003 RW-005", ("kampung", "Pulo")),
        ("Kp. Pulo R.T 003 R.W 005", ("kampung", "Pulo")),
        ("Kp. Pulo RT:3 RW:5", ("kampung", "Pulo")),
        ("Kp. Ciketing Udik RW 5", ("kampung", "Ciketing Udik")),
        ("Kp. Kobak RT 1", ("kampung", "Kobak")),
        # misspelt markers are markers; names one slip from a marker stay names
        ("Perumahn Griya Asri Blok C No 3", ("perumahan", "Griya Asri")),
        ("Jl. Kampang Raya No 5", ("jalan", "Kampang Raya")),  # a name one slip from a marker
        ("Kp. Kampang RT 1/2", ("kampung", "Kampang")),
        ("Peruamahan Griya Asri", ("perumahan", "Griya Asri")),
        ("Kampng Pulo", ("kampung", "Pulo")),
        ("Kmpung Pulo RT 1 RW 2", ("kampung", "Pulo")),
        ("Komplex Griya Asri", ("perumahan", "Griya Asri")),
        ("Jl. Kampus Raya No. 5", ("jalan", "Kampus Raya")),
        ("Kp. Lampung", ("kampung", "Lampung")),
        ("Perum. Perumnas 3 Blok A No 1", ("perumahan", "Perumnas 3")),
        # a distance along a road is no part of a street's name (as in parse_address)
        ("JL RAYA SUKATANI KM 5 NO 12", ("jalan", "Raya Sukatani")),
        ("Jl. Raya Serang Km.24,5", ("jalan", "Raya Serang")),
        # dukuh is a hamlet like dusun; as the first word of a perumahan's name it stays in the name
        ("Dukuh Krajan RT 01 RW 02", ("dusun", "Krajan")),
        ("Dk. Krajan", ("dusun", "Krajan")),
        ("Perum. Dukuh Zamrud Blok A No 1", ("perumahan", "Dukuh Zamrud")),
        ("Gg. Melati II No. 4", ("gang", "Melati II")),
    ],
)
def test_settlement_read_as_exports_write_it(address: str, expected: tuple[str, str]) -> None:
    assert settlement_of(address) == expected


def _cards(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["desa_kode", "alamat", "rt", "rw"])


def test_block_keys_merge_case_and_typos_within_a_desa_only() -> None:
    c = _cards(
        [
            ("D1", "Kp. Babakan Kaler", "001", "002"),
            ("D1", "KP. BABAKAN KALER", "001", "002"),
            ("D1", "Kp. Babakan Kaler", "001", "002"),
            ("D1", "Kp. Babakan Kalre", "001", "002"),  # a typo: same block
            ("D2", "Kp. Babakan Kalre", "001", "002"),  # another desa: its own block
            ("D1", "Kp. Babakan Kaler", "002", "002"),  # another RT
            ("D1", "No. 5", "003", "004"),  # no settlement: the RW stands in
        ]
    )
    b = assign_blocks(c)
    keys = b["block_key"].tolist()
    assert keys[0] == keys[1] == keys[2] == keys[3] == "D1|kampung Babakan Kaler|002|001"
    assert keys[4].startswith("D2|") and keys[5] != keys[0]
    assert keys[6] == "D1|rw 004|004|003"
    assert len(b) == len(c)


def test_a_card_holders_name_typed_as_the_address_is_no_settlement() -> None:
    c = _cards(
        [
            ("D1", "Lina Mulyani", "001", "002"),  # the holder's own name as the address
            ("D1", "Kp. Wahyu Sopandi RT 01/02", "001", "002"),  # a housemate's name (same RT), marked
            ("D1", "Rumah Wahyu Sopandi", "001", "002"),  # a housemate's name inside the text
            ("D1", "Rumah Ujang", "001", "002"),  # an unmarked address pointing at a person
            ("D1", "Ade", "001", "002"),  # a short name, the holder's own
            ("D1", "Kp. Babakan Kaler", "001", "002"),  # a place: kept
            ("D1", "Kp. Sari Mukti", "001", "002"),  # a place holding a housemate's one-word name: kept
        ]
    ).assign(nama=["Lina Mulyani", "Wahyu Sopandi", "Imas Safitri", "Yeni", "Ade", "Sari", "Yeni"])
    b = assign_blocks(c)
    assert b["settlement"].tolist() == ["", "", "", "", "", "Babakan Kaler", "Sari Mukti"]
    assert b["block_key"].tolist()[:5] == ["D1|rw 002|002|001"] * 5
    assert not b["block_key"].str.contains("Lina|Wahyu|Ujang|Ade", regex=True).any()


def test_part_of_a_card_holders_name_typed_as_the_address_is_no_settlement() -> None:
    # Outside review: a name cell holding more than the address repeats (a title, a second name, a
    # stray mark) let the address's name through to the GIS layers and the map as a settlement.
    c = _cards(
        [
            ("D1", "Kp. Lina Mulyani", "001", "002"),  # the holder's own name without its title
            ("D1", "Gg. Wahyu Sopandi No. 5", "001", "002"),  # a housemate's first two names
            ("D1", "Jl. Imas Safitri No. 3", "003", "002"),  # a street: the holder's own name, shorter
            ("D1", "Jl. Imas Safitri No. 4", "004", "002"),  # the same street, another holder: kept
            ("D1", "Kp. Sari Mukti", "001", "002"),  # one word of a name is not a name: kept
        ]
    ).assign(nama=["Hj. Lina Mulyani", "Wahyu Sopandi Putra", "Imas Safitri Dewi", "Budi", "Sari Dewi"])
    b = assign_blocks(c)
    assert b["settlement"].tolist() == ["", "", "", "Imas Safitri", "Sari Mukti"]
    assert not b["block_key"].str.contains("Lina|Wahyu", regex=True).any()


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("Kp. Pulo 3216-1727-0172-3067", ("kampung", "Pulo")),  # a NIK written in groups
        ("Kp. Pulo 0812 - 3456 - 7890", ("kampung", "Pulo")),  # a phone number
        ("Jl. Melati +62 812-3456-7890 No. 4", ("jalan", "Melati")),
        ("Kp. 0812.3456.7890", ("", "")),  # nothing but the number
        ("Gg. Bougenville 1 No. 42", ("gang", "Bougenville 1")),  # short numbers stay in a name
        ("Perum. Griya Asri 2 Blok C", ("perumahan", "Griya Asri 2")),
        ("Kp. Pulo 3216172701723067", ("kampung", "Pulo")),  # a NIK in one piece
        # A settlement's own number before an unlabelled RT/RW is no NIK: "Pulo 2" stays apart from "Pulo"
        # (and the RT/RW after it is no part of its name).
        ("Perum Griya Asri 2 001 002", ("perumahan", "Griya Asri 2")),
        ("Kp. Pulo 21 003 004", ("kampung", "Pulo 21")),
    ],
)
def test_a_nik_or_phone_number_in_the_address_is_no_part_of_a_settlement(
    address: str, expected: tuple[str, str]
) -> None:
    # Outside review: 'Kp. Pulo 3216-1727-0172-3067' put a full NIK (and phone numbers) into the
    # settlement of the GIS layers, the map and blocks.csv.
    assert settlement_of(address) == expected


def test_a_landmark_by_a_third_persons_name_is_no_part_of_a_settlement() -> None:
    # Outside review: "Kp. Gabus rumah Pak Hendra Wijaya" (the house of a landlord or neighbour, not a
    # card holder of the list) put "Gabus Rumah Pak Hendra Wijaya" into the settlement of the blocks
    # file, stops.geojson, plan.gpkg and the map; so did "(samping rumah H. Sulaiman)" and an unmarked
    # "Kontrakan Bu Haji Romlah".
    assert settlement_of("Kp. Gabus rumah Pak Hendra Wijaya") == ("kampung", "Gabus")
    assert settlement_of("Kp. Gabus (samping rumah H. Sulaiman)") == ("kampung", "Gabus")
    assert settlement_of("Jl. Melati depan Masjid No. 3") == ("jalan", "Melati")
    assert settlement_of("Perum. Griya Asri c/o Bpk Dodi Blok A") == ("perumahan", "Griya Asri")
    assert settlement_of("Kp. Rumah Tinggi") == ("kampung", "Rumah Tinggi")  # a name's own first word
    assert settlement_of("Gg. H. Sulaiman") == ("gang", "H. Sulaiman")  # streets are named after people
    c = _cards(
        [
            ("D1", "Kontrakan Bu Haji Romlah RT 02/03", "002", "003"),
            ("D1", "Kp. Gabus rumah Pak Hendra Wijaya", "002", "003"),
        ]
    ).assign(nama=["Yeni", "Ade"])
    b = assign_blocks(c)
    assert b["settlement"].tolist() == ["", "Gabus"]
    assert not b["block_key"].str.contains("Romlah|Hendra|Wijaya", case=False, regex=True).any()
    # A sector or blok letter before a number is no one's title (review of the landmark cut).
    places = ["Taman Aster H 12", "Pondok Ungu Permai Sektor H 5", "Villa Indah Bu 3"]
    kept = assign_blocks(
        _cards([("D1", a, "001", "002") for a in places]).assign(nama=["Yeni", "Ade", "Budi"])
    )
    assert kept["settlement"].ne("").all()


def test_an_unlabelled_rt_rw_ending_the_address_gives_the_block_its_rt_rw_not_a_settlement() -> None:
    # "Griya Asri 2 001 002" and "Griya Asri 2 001 003" were two settlements, their RT/RW lost where
    # the RT/RW columns were blank; the columns still win where they say otherwise.
    rows = [
        ("3216101201900001", "Griya Asri 2 001 002", "", ""),
        ("3216101201900002", "Griya Asri 2 001 003", "", ""),
        ("3216101201900003", "GRIYA ASRI 2 001 002", "001", "002"),  # the columns agree
        ("3216101201900004", "Griya Asri 2 001 002", "004", "002"),  # they do not: the columns win
        ("3216101201900005", "Griya Asri 2 001 002", "", "005"),  # the RW column is another: no RT
        ("3216101201900006", "Perum Graha 01 02", "", ""),
        ("3216101201900007", "Jl. Mawar No. 12 01 02", "", ""),  # after a house number: left as is
    ]
    frame = pd.DataFrame(rows, columns=["NIK", "ALAMAT", "RT", "RW"]).assign(
        NAMA="Siti Rahayu", **{"KEL/DESA": "Karang Bahagia"}
    )
    b = assign_blocks(read_cards(frame).cards)
    assert b["settlement"].tolist() == ["Griya Asri 2"] * 5 + ["Graha", "Mawar"]
    assert list(zip(b["rt"], b["rw"], strict=True)) == [
        ("001", "002"),
        ("001", "003"),
        ("001", "002"),
        ("004", "002"),
        ("", "005"),
        ("001", "002"),
        ("", ""),
    ]
    assert b["block_key"].nunique() == 6  # rows 1 and 3 are one block


def test_places_named_like_people_elsewhere_stay_places() -> None:
    # Streets are named after people, and so are the people living on them; a kampung may bear the
    # name of someone in another RT. Neither depends on who else is in the list.
    rows = [
        ("D1", "Jl. Ahmad Yani No. 5", "001", "002", "Budi Santoso"),
        ("D1", "Jl. Kartini No. 2", "001", "002", "Kartini"),  # the holder's own name: still a street
        ("D1", "Kp. Melati", "003", "002", "Siti Aminah"),
        ("D1", "Kp. Sawah", "004", "002", "Ahmad Yani"),  # another RT: its name does not count above
        ("D1", "Kp. Sawah", "005", "002", "Melati"),  # another RT than the Kp. Melati card
        ("D1", "Jl. Lina Mulyani No. 1", "006", "002", "Lina Mulyani"),  # the holder's own full name
    ]
    c = pd.DataFrame(rows, columns=["desa_kode", "alamat", "rt", "rw", "nama"])
    b = assign_blocks(c)
    assert b["settlement"].tolist() == ["Ahmad Yani", "Kartini", "Melati", "Sawah", "Sawah", ""]
    alone = assign_blocks(c.iloc[:3])  # the same cards in a smaller batch: the same blocks
    assert alone["block_key"].tolist() == b["block_key"].tolist()[:3]


def test_stacked_markers_and_marker_typos_give_the_same_block() -> None:
    rows = [
        "Perum Griya Asri Blok A No 1",
        "Kompleks Perumahan Griya Asri Blok C No 3",
        "Perumahn Griya Asri Blok B No 7",
        "Komplex Griya Asri Blok D No 2",
    ]
    b = assign_blocks(_cards([("D1", a, "001", "002") for a in rows]))
    assert set(b["block_key"]) == {"D1|perumahan Griya Asri|002|001"}


def test_an_unmarked_name_joins_the_marked_settlement_of_its_desa() -> None:
    c = _cards(
        [
            ("D1", "Kp. Babakan Kaler", "003", "005"),
            ("D1", "Kp. Babakan Kaler", "003", "005"),
            ("D1", "Babakan Kaler RT 003 RW 005", "003", "005"),  # no marker
            ("D1", "Babakan Kalre", "003", "005"),  # no marker and a typo
            ("D2", "Babakan Kaler", "003", "005"),  # another desa: no kampung of that name there
            ("D1", "Pulo Gabus", "003", "005"),  # a name no marked settlement bears
            ("D1", "Kp. Pulo", "003", "005"),
            ("D1", "Perum. Pulo", "003", "005"),
            ("D1", "Pulo", "003", "005"),  # could be either: joins neither
        ]
    )
    b = assign_blocks(c)
    assert b["block_key"].tolist()[:4] == ["D1|kampung Babakan Kaler|005|003"] * 4
    assert b["settlement_kind"].tolist()[4:] == ["tempat", "tempat", "kampung", "perumahan", "tempat"]
    assert b["settlement"].tolist()[4:] == ["Babakan Kaler", "Pulo Gabus", "Pulo", "Pulo", "Pulo"]


def test_roman_and_arabic_numerals_are_one_name_and_numbers_are_never_merged() -> None:
    c = _cards(
        [
            ("D1", "Gg. Melati II No. 4", "001", "001"),
            ("D1", "Gg. Melati II No. 9", "001", "001"),
            ("D1", "Gang Melati 2 No. 12", "001", "001"),
            ("D1", "Gg. Melati 3 No. 4", "001", "001"),
            ("D1", "Perum Griya Asri Indah 2 Blok A No 1", "001", "001"),
            ("D1", "Perum Griya Asri Indah 3 Blok A No 1", "001", "001"),
            ("D1", "Perum Griya Asri Indah 3 Blok A No 2", "001", "001"),
        ]
    )
    b = assign_blocks(c)
    assert (
        b["settlement"].tolist()
        == ["Melati II"] * 3 + ["Melati 3"] + ["Griya Asri Indah 2"] + ["Griya Asri Indah 3"] * 2
    )
    # house numbers still tell the doors apart: three doors in Gang Melati II
    codes, _ = pd.factorize(b["block_key"])
    assert doors_per_group(b["alamat"], codes)[0] == 3.0


def test_doors_count_numbered_addresses_and_estimate_the_rest() -> None:
    alamat = pd.Series(["Jl. A No. 1", "Jl. A No. 1", "Jl. A No. 2", "Kp. B", "Kp. B", "Kp. B", "Kp. B"])
    group = np.array([0, 0, 0, 1, 1, 1, 1])
    doors = doors_per_group(alamat, group)
    assert doors[0] == 2.0
    assert doors[1] == pytest.approx(4 / 1.8)


def test_synthetic_blocks_are_compact_and_doors_near_the_truth() -> None:
    truth = synthetic_cards(191_000, seed=11, kecamatan=["Bojongmangu"])
    cards = read_cards(truth.drop(columns=["true_lon", "true_lat"])).cards
    b = assign_blocks(cards)
    t = truth.iloc[b["row"].to_numpy() - 1]
    spread = (
        pd.DataFrame({"k": b["block_key"].to_numpy(), "x": t.true_lon.to_numpy(), "y": t.true_lat.to_numpy()})
        .groupby("k")
        .std()
        .fillna(0)
    )
    desa_spread = t.groupby("true_desa_kode")[["true_lon", "true_lat"]].std().median()
    # A block's households lie close together: its spread is a fraction of its desa's.
    assert float(spread.x.median()) < 0.5 * float(desa_spread.true_lon)
    codes, _ = pd.factorize(b["block_key"])
    doors = doors_per_group(b["alamat"], codes).sum()
    assert doors == pytest.approx(truth.household_id.nunique(), rel=0.1)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("pondok lamma", "pondok lama", True),  # a typo in a longer name
        ("pondok lama", "pondok lama", True),
        ("pulo", "pula", False),  # short names must be equal
        ("pondok baru", "pondok lama", False),
        ("melati ii", "melati 2", True),  # numerals read one way
        ("griya asri indah 2", "griya asri indah 3", False),  # close, but other numbers
    ],
)
def test_same_name_forgives_a_typo_in_a_longer_name_only(a: str, b: str, same: bool) -> None:
    assert same_name(a, b) is same
