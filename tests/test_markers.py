"""The address vocabulary every reader of addresses shares (ektp_routes._markers)."""

from __future__ import annotations

import pytest

from ektp_routes._markers import (
    fix_marker_typos,
    fold_numerals,
    marked_numeral,
    numerals,
    roman_value,
    settlement_key,
    strip_km,
)
from ektp_routes.address import parse_address
from ektp_routes.blocks import settlement_of


@pytest.mark.parametrize(
    ("written", "fixed"),
    [
        ("Perumahn Griya Asri", "perumahan Griya Asri"),
        ("PERUAMAHAN GRIYA ASRI", "perumahan GRIYA ASRI"),
        ("Kampng Pulo", "kampung Pulo"),
        ("Kmpung Pulo", "kampung Pulo"),
        ("Kampugn Pulo", "kampung Pulo"),  # two letters swapped
        ("Komplke Griya", "komplek Griya"),
        # exact markers, and names one slip from a marker but with another first letter, stay
        ("Kampung Pulo", "Kampung Pulo"),
        ("Kp. Lampung", "Kp. Lampung"),
        ("Jl. Kampus", "Jl. Kampus"),
        ("Perum. Perumnas", "Perum. Perumnas"),
        # where a part of the address begins: after a comma or a number, and Perumahan after Kompleks
        ("No 5, Kmpung Baru", "No 5, kampung Baru"),
        ("RT 3/5 Peruamahan Indah", "RT 3/5 perumahan Indah"),
        ("Kompleks Perumahn Griya", "Kompleks perumahan Griya"),
        # inside a name (after another marker) a word one slip from a marker is a name
        ("Jl. Kampang Raya No 5", "Jl. Kampang Raya No 5"),
        ("Kp. Kampang RT 1/2", "Kp. Kampang RT 1/2"),
        ("Gg. Kamping 3", "Gg. Kamping 3"),
    ],
)
def test_marker_typos_are_fixed_and_nothing_else(written: str, fixed: str) -> None:
    assert fix_marker_typos(written) == fixed


def test_a_lone_numeral_after_a_gang_or_jalan_marker_is_its_number() -> None:
    assert [marked_numeral(k) for k in ("gg v", "gang xii", "jalan ii", "jl iv")] == [
        "gg 5",
        "gang 12",
        "jalan 2",
        "jl 4",
    ]
    # A blok's letter, a numeral inside a name, a name that only looks like one: unchanged.
    for key in ("blok x", "blok c", "gg melati v", "gg vila", "gg c", "v"):
        assert marked_numeral(key) == key


def test_numerals_fold_one_way_after_the_first_word() -> None:
    assert [roman_value(t) for t in ("i", "ii", "iv", "ix", "xiv", "xx", "mawar", "iiii")] == [
        1,
        2,
        4,
        9,
        14,
        20,
        None,
        None,
    ]
    assert fold_numerals("melati ii") == fold_numerals("melati 02") == "melati 2"
    assert fold_numerals("x raya") == "x raya"  # a one-letter name keeps its letter
    assert numerals("griya asri xii blok 3") == ("12", "3")


@pytest.mark.parametrize(
    ("osm_name", "address"),
    [
        ("Kampung Pangkalan Girang", "Kp. Pangkalan Girang RT 1 RW 2"),
        ("Pangkalan Girang", "Kampung Pangkalan Girang"),
        ("Perumahan Graha Sentosa", "Perum. Graha Sentosa Blok A2 No. 19"),
        ("Komplek Perumahan Graha Sentosa", "Graha Sentosa"),
        ("Dusun Krajan", "Dk. Krajan"),
        ("Gang Melati 2", "Gg. Melati II"),
    ],
)
def test_settlement_key_folds_markers_as_osm_and_addresses_write_them(osm_name: str, address: str) -> None:
    assert settlement_key(osm_name) == settlement_key(settlement_of(address)[1])


def test_a_distance_along_a_road_is_cut_alike_in_blocks_and_addresses() -> None:
    assert strip_km("Jl. Raya Serang KM.24 No. 3", "|") == "Jl. Raya Serang | No. 3"
    for text in ("JL RAYA SUKATANI KM 5 NO 12", "Jl. Raya Sukatani Km. 5,2"):
        assert parse_address(text).street == "Jalan " + settlement_of(text)[1] == "Jalan Raya Sukatani"
