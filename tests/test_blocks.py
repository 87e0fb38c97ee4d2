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
        ("Blok C2/15", ("blok", "C2/15")),
        ("Jl. Masjid Melati No. 12/3", ("jalan", "Masjid Melati")),
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
    ],
)
def test_same_name_forgives_a_typo_in_a_longer_name_only(a: str, b: str, same: bool) -> None:
    assert same_name(a, b) is same
