"""Grouping cards into delivery stops."""

from __future__ import annotations

import pandas as pd
import pytest

from ektp_routes.stops import STOP_COLUMNS, make_stops


def _cards() -> pd.DataFrame:
    rows = [
        # desa, rw, rt, lon, lat, alamat
        ("D1", "001", "001", 107.0, -6.2, "Kp. Pulo No 1"),
        ("D1", "001", "001", 107.0, -6.2, "KP PULO NO. 1"),  # same household, written differently
        ("D1", "001", "002", 107.001, -6.2, "Kp. Pulo No 2"),
        ("D1", "002", "001", 107.002, -6.2, "Kp. Gabus 3"),
        ("D2", "001", "001", 107.1, -6.3, "Jl. Mawar 1"),
    ]
    df = pd.DataFrame(rows, columns=["desa_kode", "rw", "rt", "lon", "lat", "alamat"])
    df["desa"] = df["desa_kode"]
    df["precision"] = "input"
    return df


@pytest.mark.parametrize(("level", "n"), [("household", 4), ("rt", 4), ("rw", 3), ("desa", 2)])
def test_consolidation_levels(level: str, n: int) -> None:
    stops, of_card = make_stops(_cards(), level)  # type: ignore[arg-type]
    assert len(stops) == n and list(stops.columns) == list(STOP_COLUMNS)
    assert stops["cards"].sum() == 5 and len(of_card) == 5
    assert stops["stop_id"].is_unique


def test_household_groups_one_address_however_written() -> None:
    stops, of_card = make_stops(_cards(), "household")
    assert of_card[0] == of_card[1] and stops.loc[of_card[0], "cards"] == 2


def test_a_stop_never_holds_more_than_the_smallest_bag() -> None:
    cards = pd.concat([_cards()] * 5, ignore_index=True)
    stops, of_card = make_stops(cards, "desa", max_cards=4)
    assert stops["cards"].max() <= 4 and stops["cards"].sum() == len(cards)
    assert stops["stop_id"].is_unique
    assert (stops.iloc[of_card]["desa_kode"].to_numpy() == cards["desa_kode"].to_numpy()).all()


def test_no_cards_no_stops() -> None:
    stops, of_card = make_stops(_cards().head(0), "household")
    assert len(stops) == 0 and len(of_card) == 0 and list(stops.columns) == list(STOP_COLUMNS)


def test_auto_gives_houses_their_own_stop_and_groups_the_rest_into_blocks() -> None:
    c = _cards()
    c.loc[[3, 4], "precision"] = "desa"  # known only to the desa: grouped by block
    c.loc[3, ["lon", "lat"]] = [107.05, -6.25]
    more = c.loc[[3]].assign(alamat="KP. GABUS 3")  # the same block written in capitals
    block_pin = c.loc[[3]].assign(precision="block", lon=107.06, lat=-6.26, alamat="Kp. Gabus 9")
    cards = pd.concat([c, more, block_pin], ignore_index=True)
    stops, of_card = make_stops(cards, "auto")
    houses = stops[stops.precision == "input"]
    assert len(houses) == 2 and set(houses.doors) == {1.0} and set(houses.settlement) == {""}
    gabus = stops[(stops.desa_kode == "D1") & (stops.precision == "desa")]
    assert len(gabus) == 1 and gabus.cards.iloc[0] == 2 and gabus.settlement.iloc[0] == "kampung Gabus 3"
    assert gabus.rt_number.iloc[0] == 1.0
    pinned = stops[stops.precision == "block"]
    assert len(pinned) == 1 and (pinned.lon.iloc[0], pinned.lat.iloc[0]) == (107.06, -6.26)
    assert of_card[5] == of_card[3] and stops["cards"].sum() == len(cards)


def test_a_point_recorded_at_the_door_is_a_house_as_the_outputs_call_it() -> None:
    # precision "field": a courier's handheld recorded the handover at the door (ektp_routes.outcomes).
    from ektp_routes.schema import LocationKind, location_kind

    c = _cards().iloc[[0, 2]].assign(precision="field")  # one block (RW 001), two numbered houses
    stops, _ = make_stops(c, "auto")
    assert len(stops) == 2 and set(stops.doors) == {1.0} and set(stops.settlement) == {""}
    assert {location_kind(p) for p in stops.precision} == {LocationKind.HOUSE}


def test_identities_unique_on_a_kabupaten_sized_list() -> None:
    """191,000 cards, ~100,000 stops: a 10-digit hash would collide with probability ~40% here."""
    from ektp_routes.pseudonyms import pseudonym
    from ektp_routes.synthetic import synthetic_cards

    df = synthetic_cards(191_000, seed=7)
    cards = pd.DataFrame(
        {
            "desa_kode": df["true_desa_kode"],
            "desa": df["KEL/DESA"],
            "alamat": df["ALAMAT"],
            "rt": df["RT"].astype(str),
            "rw": df["RW"].astype(str),
            "lon": df["true_lon"],
            "lat": df["true_lat"],
            "precision": "input",
        }
    )
    stops, of_card = make_stops(cards, "household", max_cards=150)
    assert len(stops) > 50_000 and stops["stop_id"].is_unique
    assert stops["cards"].sum() == len(df) and len(of_card) == len(df)
    refs = {pseudonym(b"0123456789abcdef0123", n) for n in df["NIK"].unique()}
    assert len(refs) == df["NIK"].nunique()
