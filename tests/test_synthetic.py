from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from ektp_routes import ConfigError, Gazetteer, read_cards
from ektp_routes.synthetic import allocate, synthetic_cards, write_cards


@pytest.fixture(scope="module")
def cards() -> pd.DataFrame:
    return synthetic_cards(20_000, seed=3)


def test_reproducible_and_seed_dependent() -> None:
    a = synthetic_cards(500, seed=7)
    b = synthetic_cards(500, seed=7)
    c = synthetic_cards(500, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_kecamatan_subset_equals_its_part_of_the_whole(cards: pd.DataFrame) -> None:
    part = synthetic_cards(20_000, seed=3, kecamatan=["Karang Bahagia"])
    whole_part = cards[cards.true_desa_kode.str.startswith("32.16.10.")]
    assert len(part) == len(whole_part) > 0
    assert set(part.household_id) == set(whole_part.household_id)


def test_allocate_sums_exactly() -> None:
    assert allocate([1, 1, 1], 10).tolist() in ([4, 3, 3], [3, 4, 3], [3, 3, 4])
    assert allocate([5, 0, 5], 7).sum() == 7
    with pytest.raises(ConfigError):
        allocate([0, 0], 3)


def test_distribution_follows_population(gaz: Gazetteer, cards: pd.DataFrame) -> None:
    t = gaz.desa_table.set_index("kode")
    share = cards.true_desa_kode.value_counts().reindex(t.index, fill_value=0) / len(cards)
    expected = t.penduduk / t.penduduk.sum()
    # Largest-remainder allocation: every desa within one card of its exact share.
    assert (np.abs(share * len(cards) - expected * len(cards)) <= 1.0).all()


def test_every_card_inside_its_desa_polygon(gaz: Gazetteer, cards: pd.DataFrame) -> None:
    polys = gaz.desa_table.set_index("kode").geometry
    inside = shapely.contains_xy(polys.reindex(cards.true_desa_kode).values, cards.true_lon, cards.true_lat)
    assert inside.all()


def test_households_share_address_and_location(cards: pd.DataFrame) -> None:
    g = cards.groupby("household_id")
    assert (g.true_lon.nunique() == 1).all() and (g.ALAMAT.nunique() == 1).all()
    sizes = g.size()
    assert sizes.min() >= 1 and 1.5 < sizes.mean() < 2.2
    assert cards.NIK.is_unique


def test_locations_are_clustered_not_uniform(gaz: Gazetteer, cards: pd.DataFrame) -> None:
    # Nearest-neighbour distance between households is far below what a uniform spread would give.
    d = cards[cards.true_desa_kode == cards.true_desa_kode.value_counts().index[0]].drop_duplicates(
        "household_id"
    )
    pts = np.c_[d.true_lon.to_numpy(), d.true_lat.to_numpy()]
    from scipy.spatial import cKDTree

    nn = cKDTree(pts).query(pts, k=2)[0][:, 1].mean()
    area = gaz.polygon(d.true_desa_kode.iloc[0]).area
    uniform_nn = 0.5 * np.sqrt(area / len(pts))
    assert nn < 0.6 * uniform_nn


def test_clean_list_is_fully_accepted_and_defects_rejected_with_their_reason() -> None:
    df = synthetic_cards(6_000, seed=11, defect_rate=0.05)
    res = read_cards(df)
    planted = df.assign(row=np.arange(1, len(df) + 1)).query("defect != ''").set_index("row").defect
    assert len(planted) > 200
    got = res.rejects.set_index("row").reason
    assert set(got.index) == set(planted.index)  # no clean row rejected, no defect accepted
    assert (got.reindex(planted.index) == planted).all()
    # Variations really occur and are understood.
    acc = res.cards
    assert (acc.desa_match == "fuzzy").any() and (acc.desa_input != acc.desa).mean() > 0.3
    assert (acc.rt != "").all() and (acc.rw != "").all()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_write_and_read_back(tmp_path: Path, suffix: str) -> None:
    df = synthetic_cards(300, seed=2)
    path = write_cards(df, tmp_path / f"cards{suffix}")
    res = read_cards(path)
    assert len(res.cards) == 300
    assert res.cards.nik.tolist() == df.NIK.tolist()


def test_about_a_tenth_hold_niks_from_elsewhere_and_nothing_else_changes(
    cards: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ektp_routes.synthetic as synthetic

    elsewhere = ~cards.NIK.str.startswith("3216")
    assert 0.08 < elsewhere.mean() < 0.12
    assert cards[elsewhere].groupby("household_id").NIK.apply(lambda s: s.str[:4].nunique()).eq(1).all()
    assert {"3275", "3175", "3215"} <= set(
        cards.NIK[elsewhere].str[:4]
    )  # Kota Bekasi, Jakarta Timur, Karawang
    monkeypatch.setattr(synthetic, "MOVED_IN_SHARE", 0.0)
    stay = synthetic_cards(20_000, seed=3)
    pd.testing.assert_frame_equal(cards.drop(columns="NIK"), stay.drop(columns="NIK"))
    assert (cards.NIK.str[6:12] == stay.NIK.str[6:12]).all()  # only where the NIK was issued differs
    assert (cards.NIK[~elsewhere] == stay.NIK[~elsewhere]).mean() > 0.999
    # The reader accepts them all, each with one out-of-region warning.
    res = read_cards(cards.drop(columns=["true_lon", "true_lat"]))
    assert len(res.cards) == len(cards)
    assert res.warning_counts()["nik_out_of_region"] == elsewhere.sum()
