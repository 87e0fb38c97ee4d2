from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ektp_routes import Gazetteer, schema, synthetic_cards
from ektp_routes._errors import InputFileError
from ektp_routes.cards import read_cards
from ektp_routes.evaluate import PlannedDays, read_truth, replay, status_quo_days
from ektp_routes.export import write_plan
from ektp_routes.i18n import ConsoleFormatter, messages
from ektp_routes.network import RoadNetwork, StraightLineNetwork
from ektp_routes.network.store import save_network
from ektp_routes.offices import PostOffice, assign_offices, placeholder_offices
from ektp_routes.plan import PlanConfig, PlanResult, plan_file
from tests.network_helpers import points_in

TRUTH_ONLY = ["household_id", "true_lon", "true_lat", "true_desa_kode", "defect"]


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    return synthetic_cards(191_000, seed=5, kecamatan=["Bojongmangu"]).head(120).reset_index(drop=True)


def _days(visits: list[tuple[str, int, float, int]], shift_s: float = 7 * 3600) -> PlannedDays:
    v = pd.DataFrame(visits, columns=["route_id", "stop_seq", "within", "row"]).assign(office_id="O")
    routes = pd.DataFrame(
        {
            "route_id": sorted(set(v.route_id)),
            "office_id": "O",
            "expected_travel_s": 100.0,
            "expected_duration_s": 1.0,
        }
    )
    return PlannedDays(
        v[["route_id", "office_id", "stop_seq", "within", "row"]],
        routes,
        {"O": (107.0, -6.2)},
        {"O": shift_s},
    )


def _line_truth() -> pd.DataFrame:
    # Three households due east of the post office at 1, 2 and 3 km (row 4 shares row 3's house).
    east = np.array([1000.0, 2000.0, 3000.0, 3000.0]) / (111_195.0 * np.cos(np.radians(6.2)))
    return pd.DataFrame({"true_lon": 107.0 + east, "true_lat": -6.2, "household_id": ["a", "b", "c", "c"]})


def test_replay_drives_the_given_order_and_counts_each_household_once() -> None:
    net = StraightLineNetwork()
    per_km = float(
        net.matrix([107.0, 107.0 + 1 / 111.195 / np.cos(np.radians(6.2))], [-6.2, -6.2]).time_s[0, 1]
    )
    truth = _line_truth()
    # Plan order c, a, b (each its own stop): 3 + 2 + 1 + 2 back = 8 km; in order a, b, c: 6 km.
    zigzag = replay(
        _days([("R", 1, np.nan, 3), ("R", 2, np.nan, 1), ("R", 3, np.nan, 2), ("R", 4, np.nan, 4)]), truth
    )
    straight = replay(
        _days([("R", 1, np.nan, 1), ("R", 2, np.nan, 2), ("R", 3, np.nan, 3), ("R", 3, np.nan, 4)]), truth
    )
    assert zigzag.total.realised_travel_s == pytest.approx(8 * per_km, rel=1e-3)
    assert straight.total.realised_travel_s == pytest.approx(6 * per_km, rel=1e-3)
    assert straight.total.households == 3 and straight.total.cards == 4
    # Service: 3 household visits x 60 s + 4 cards x 45 s.
    assert straight.total.realised_duration_s == pytest.approx(6 * per_km + 3 * 60 + 4 * 45, rel=1e-3)


def test_travel_splits_into_depot_legs_inside_visits_and_between_visits() -> None:
    net = StraightLineNetwork()
    per_km = float(
        net.matrix([107.0, 107.0 + 1 / 111.195 / np.cos(np.radians(6.2))], [-6.2, -6.2]).time_s[0, 1]
    )
    # Visit 1 is house a (1 km out); visit 2 holds b and c: a -> b between visits, b -> c inside one.
    r = replay(_days([("R", 1, np.nan, 1), ("R", 2, np.nan, 2), ("R", 2, np.nan, 3)]), _line_truth())
    t = r.total
    assert t.realised_depot_s == pytest.approx(4 * per_km, rel=1e-3)  # 1 km out, 3 km back
    assert t.realised_inside_s == pytest.approx(per_km, rel=1e-3)
    assert t.realised_travel_s - t.realised_depot_s - t.realised_inside_s == pytest.approx(per_km, rel=1e-3)
    assert r.routes.realised_depot_s.iloc[0] == pytest.approx(t.realised_depot_s)


def test_nearest_first_inside_a_stop_unless_the_plan_orders_it() -> None:
    truth = _line_truth()
    free = replay(_days([("R", 1, np.nan, 3), ("R", 1, np.nan, 2), ("R", 1, np.nan, 1)]), truth)
    ordered = replay(_days([("R", 1, 0, 3), ("R", 1, 1, 1), ("R", 1, 2, 2)]), truth)
    assert free.total.realised_travel_s < ordered.total.realised_travel_s


def test_days_over_shift_are_counted_with_their_overrun() -> None:
    r = replay(_days([("R", 1, np.nan, 3)], shift_s=600.0), _line_truth())
    assert r.total.days_over_shift == 1
    assert r.total.max_over_shift_s == pytest.approx(r.routes.realised_duration_s.iloc[0] - 600.0)


#: Planned with 10 s a household and 120 s a card (the defaults: 60 s and 45 s).
SLOW_HANDOVER = PlanConfig(workers=1).with_options(time_limit_s=1, service_base_s=10, service_per_card_s=120)


def _oracle_plan(truth: pd.DataFrame, config: PlanConfig, **options: Any) -> PlanResult:
    oracle_in = truth.drop(columns=TRUTH_ONLY).assign(lon=truth.true_lon, lat=truth.true_lat)
    return plan_file(oracle_in, config=config, **options)


def test_oracle_plan_replays_to_its_own_estimate(truth: pd.DataFrame, tmp_path: Path) -> None:
    """Planned on the true household points, the replay must find exactly what the plan expected."""
    res = _oracle_plan(truth, PlanConfig(workers=1).with_options(time_limit_s=2))
    r = replay(res, truth)
    assert r.total.cards == 120 and r.unplanned_cards == 0
    assert r.total.realised_travel_s == pytest.approx(r.total.expected_travel_s, rel=0.01)
    write_plan(res, tmp_path / "out", with_map=False)
    from_files = replay(tmp_path / "out", truth)
    assert from_files.total == r.total


def _forget_what_the_plan_was_made_with(out: Path) -> None:
    """Make ``out`` look written before plans recorded their service times and travel network."""
    path = out / "offices.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    old = set(schema.OFFICE_FEATURE[: schema.OFFICE_FEATURE.index("placeholder") + 1])
    for f in doc["features"]:
        f["properties"] = {k: v for k, v in f["properties"].items() if k in old}
    path.write_text(json.dumps(doc), encoding="utf-8")


def test_replay_uses_the_plans_own_service_times(truth: pd.DataFrame, tmp_path: Path) -> None:
    """Planned with 10 s a household and 120 s a card: replayed with those, from the result and from
    its folder, without being told; an older folder that does not record them uses the defaults."""
    res = _oracle_plan(truth, SLOW_HANDOVER)
    told = replay(res, truth, service_base_s=10, service_per_card_s=120)
    t = told.total
    assert t.realised_duration_s == pytest.approx(t.realised_travel_s + 10 * t.households + 120 * t.cards)
    assert replay(res, truth).total == t
    write_plan(res, tmp_path / "out", with_map=False)
    offices = json.loads((tmp_path / "out" / "offices.geojson").read_text(encoding="utf-8"))["features"]
    assert {(f["properties"]["service_base_s"], f["properties"]["service_per_card_s"]) for f in offices} == {
        (10, 120)
    }
    from_folder = replay(tmp_path / "out", truth)
    assert from_folder.total == t
    pd.testing.assert_series_equal(from_folder.routes.realised_duration_s, told.routes.realised_duration_s)
    # Explicit arguments win over the recorded ones.
    assert replay(tmp_path / "out", truth, service_per_card_s=45).total.realised_duration_s == pytest.approx(
        t.realised_duration_s - 75 * t.cards
    )


def test_an_older_plan_folder_replays_with_the_defaults_and_one_warning(
    truth: pd.DataFrame, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    res = _oracle_plan(truth, SLOW_HANDOVER)
    write_plan(res, tmp_path / "out", with_map=False)
    _forget_what_the_plan_was_made_with(tmp_path / "out")
    with caplog.at_level(logging.WARNING, logger="ektp_routes.evaluate"):
        old = replay(tmp_path / "out", truth)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "\n" not in warnings[0].getMessage()
    assert "straight lines" in warnings[0].getMessage()
    said = ConsoleFormatter(messages("id")).format(warnings[0])  # as a command line prints it
    assert "garis lurus" in said and "60 detik per rumah tangga" in said and "straight" not in said
    assert old.total == replay(res, truth, service_base_s=60, service_per_card_s=45).total
    assert old.total.realised_duration_s < replay(res, truth).total.realised_duration_s


def test_road_plan_replays_on_its_recorded_network_folder_and_refuses_when_it_is_gone(
    truth: pd.DataFrame, kg: RoadNetwork, kg_walk: RoadNetwork, tmp_path: Path
) -> None:
    """A plan made on a prepared road network is judged on that network, loaded again from the folder
    it records; once the folder is gone (or replaced), replay says to pass network=, never falling
    back to straight lines."""
    save_network(kg.graph, tmp_path / "net")
    net = RoadNetwork.from_file(tmp_path / "net")
    small = truth.head(30)
    office = PostOffice("KG", "KPC Kelapa Gading", 106.905, -6.160)
    res = _oracle_plan(
        small, PlanConfig(workers=1).with_options(time_limit_s=1), network=net, offices=[office]
    )
    write_plan(res, tmp_path / "out", with_map=False)
    props = json.loads((tmp_path / "out" / "offices.geojson").read_text(encoding="utf-8"))["features"][0]
    assert props["properties"]["network"] == "road"
    assert props["properties"]["network_source"] == str((tmp_path / "net").resolve())
    # Households on the Kelapa Gading roads: road travel differs from straight lines.
    lon, lat = points_in("kelapa_gading", len(small), seed=3)
    on_roads = small.assign(true_lon=lon, true_lat=lat)
    by_road = replay(res, on_roads, network=net).total
    assert by_road != replay(res, on_roads, network=StraightLineNetwork()).total
    assert replay(res, on_roads).total == by_road
    assert replay(tmp_path / "out", on_roads).total == by_road
    shutil.rmtree(tmp_path / "net")
    for plan in (res, tmp_path / "out"):
        with pytest.raises(InputFileError, match="no longer exists: pass network=") as info:
            replay(plan, on_roads)
        assert "\n" not in str(info.value)
    assert replay(tmp_path / "out", on_roads, network=net).total == by_road
    save_network(kg_walk.graph, tmp_path / "net")  # another network in its place
    with pytest.raises(InputFileError, match="changed since the plan: pass network="):
        replay(tmp_path / "out", on_roads)
    _forget_what_the_plan_was_made_with(tmp_path / "out")  # an older folder of a road plan
    with pytest.raises(InputFileError, match="pass network="):
        replay(tmp_path / "out", on_roads)


def test_status_quo_takes_cards_in_address_order_150_a_day(truth: pd.DataFrame, gaz: Gazetteer) -> None:
    cards = read_cards(truth.drop(columns=TRUTH_ONLY)).cards
    offices = placeholder_offices(gaz, PlanConfig().fleet, ["32.16.15"], {})
    sq = status_quo_days(
        cards, offices, assign_offices(gaz, sorted(cards.desa_kode.unique()), offices), bag=50
    )
    assert sorted(sq.visits.row) == sorted(cards.row)
    assert sq.visits.groupby("route_id").size().tolist() == [50, 50, 20]
    first_day = cards.set_index("row").loc[sq.visits.row[:50], "desa_kode"]
    assert first_day.is_monotonic_increasing
    r = replay(sq, truth)
    assert r.total.courier_days == 3 and np.isnan(r.total.expected_travel_s)


def test_bad_truth_and_plan_folders_fail_with_one_clear_error(truth: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="true_lon"):
        read_truth(truth.drop(columns=["true_lon"]))
    with pytest.raises(InputFileError, match="not a plan's output folder"):
        replay(tmp_path, truth)
    with pytest.raises(InputFileError, match="not in the truth table"):
        replay(_days([("R", 1, np.nan, 999)]), _line_truth())
    with pytest.raises(InputFileError, match="does not exist"):
        read_truth(tmp_path / "missing.csv")


def test_a_truth_table_of_another_list_is_refused_without_showing_niks(
    truth: pd.DataFrame, tmp_path: Path
) -> None:
    """Another card list of the same length has every planned row, but not the plan's NIKs: replay
    refuses it in one line that shows no NIK, from the result and from the folder; the right list,
    with its NIKs written with spaces, replays."""
    res = _oracle_plan(truth, PlanConfig(workers=1).with_options(time_limit_s=1))
    other = synthetic_cards(191_000, seed=6, kecamatan=["Bojongmangu"]).head(len(truth))
    write_plan(res, tmp_path / "out", with_map=False)
    for plan in (res, tmp_path / "out"):
        with pytest.raises(InputFileError, match="not the plan's card list") as err:
            replay(plan, other)
        assert not any(n in str(err.value) for n in other["NIK"].astype(str))
        assert "\n" not in str(err.value)
    spaced = truth.assign(NIK=truth["NIK"].astype(str).str.replace(r"(\d{4})", r"\1 ", regex=True))
    assert replay(res, spaced).total.cards == len(truth)
    as_float = truth.assign(NIK=pd.to_numeric(truth["NIK"], errors="coerce").astype(float))
    assert replay(res, as_float).total.cards == len(truth)  # a NIK column pandas read as floats
    shuffled = truth.assign(NIK=truth["NIK"].sample(frac=1.0, random_state=1).to_numpy())
    with pytest.raises(InputFileError, match="rows reordered"):
        replay(res, shuffled)


def test_office_figures_add_up(truth: pd.DataFrame) -> None:
    o = PostOffice("O", "o", 107.0, -6.2)
    days = _days([("R1", 1, np.nan, 1), ("R2", 1, np.nan, 2)])
    r = replay(PlannedDays(days.visits, days.routes, {"O": (o.lon, o.lat)}, {"O": 3600.0}), _line_truth())
    assert r.offices["O"].courier_days == 2
    assert r.offices["O"].realised_travel_s == pytest.approx(r.total.realised_travel_s)


def test_a_registry_only_plan_walks_blocks_and_knows_its_own_travel(gaz: Gazetteer) -> None:
    """No coordinates on the cards: the default plan groups blocks and its estimate holds on the ground."""
    truth = synthetic_cards(191_000, seed=9, kecamatan=["Bojongmangu"]).head(900).reset_index(drop=True)
    registry = truth.drop(columns=TRUTH_ONLY)
    res = plan_file(registry, config=PlanConfig(workers=1).with_options(time_limit_s=4))
    assert (res.stops["precision"] == "desa").all() and (res.stops["doors"] > 1).mean() > 0.8
    r = replay(res, truth)
    assert r.total.cards == 900
    assert 0.75 < r.total.expected_travel_s / r.total.realised_travel_s < 1.33
    assert r.total.max_over_shift_s == 0.0
    cards = read_cards(registry).cards
    sq = replay(
        status_quo_days(
            cards, res.offices, assign_offices(gaz, sorted(cards.desa_kode.unique()), res.offices)
        ),
        truth,
    )
    assert r.total.realised_travel_s < 0.8 * sq.total.realised_travel_s
    household = plan_file(
        registry, config=PlanConfig(workers=1).with_options(time_limit_s=4, consolidation="household")
    )
    assert r.total.realised_travel_s < 0.5 * replay(household, truth).total.realised_travel_s


def test_a_plan_with_no_courier_day_replays_to_zero(truth: pd.DataFrame, tmp_path: Path) -> None:
    """Every card refused (here: no address): the plan has no route; its replay, from the result and
    from its folder, has no courier-day, no travel and no planned card, and raises nothing."""
    refused = truth.drop(columns=TRUTH_ONLY).assign(ALAMAT="")
    res = plan_file(refused, config=PlanConfig(workers=1).with_options(time_limit_s=1))
    assert len(res.routes) == 0 and (res.assignments["status"] == "rejected").all()
    write_plan(res, tmp_path / "out", with_map=False)
    for plan in (res, tmp_path / "out"):
        r = replay(plan, truth)
        assert (r.total.courier_days, r.total.cards, r.total.households) == (0, 0, 0)
        assert r.total.realised_travel_s == 0.0 and r.total.days_over_shift == 0
        assert len(r.routes) == 0 and r.offices == {}
