"""The GIS layers of a plan (ektp_routes.layers): what the lines and points of every view are built from."""

from __future__ import annotations

import itertools

from _plans import registry_plan, small_plan

from ektp_routes.layers import plan_layers, route_line


def _rounded(coords: object) -> list[tuple[float, float]]:
    return [(round(x, 6), round(y, 6)) for x, y in coords]  # type: ignore[attr-defined]


def test_a_places_only_route_joins_each_place_once_in_order() -> None:
    # Registry columns only: the blocks of a desa all sit at its point. The line goes office -> place ->
    # next place -> office, with no zero-length spoke per block; the stops layer keeps every block.
    plan = registry_plan()
    layers = plan_layers(plan)
    assert len(layers.routes) == len(plan.routes) and layers.routes["places_only"].all()
    repeats = 0
    for rid, line in zip(layers.routes["route_id"], layers.routes.geometry, strict=True):
        raw = _rounded(plan.geometries[rid])
        repeats += sum(a == b for a, b in itertools.pairwise(raw))
        drawn = _rounded(line.coords)
        assert all(a != b for a, b in itertools.pairwise(drawn)), rid
        stops = plan.stops[plan.stops["route_id"] == rid].sort_values("sequence")
        places = [p for p, _ in itertools.groupby(_rounded(zip(stops["lon"], stops["lat"], strict=True)))]
        assert drawn == [raw[0], *places, raw[-1]], rid
    assert repeats > 0  # the plan has blocks sharing a point, so there was something to collapse
    assert (layers.stops["route_id"] != "").sum() == plan.routes["stops"].sum()


def test_lines_of_house_routes_are_left_as_planned() -> None:
    plan = small_plan()
    layers = plan_layers(plan)
    assert not layers.routes["places_only"].any()
    for rid, line in zip(layers.routes["route_id"], layers.routes.geometry, strict=True):
        assert list(line.coords) == [tuple(map(float, p)) for p in plan.geometries[rid]]


def test_a_route_to_one_place_at_its_office_keeps_a_line() -> None:
    same = [(107.1, -6.2), (107.1, -6.2), (107.1, -6.2)]
    assert route_line(same, places_only=True) == [(107.1, -6.2), (107.1, -6.2)]
    assert route_line(same, places_only=False) == same


def test_stops_name_their_settlement_as_the_manifests_do() -> None:
    from ektp_routes.export import manifest_sheets

    plan = registry_plan()
    layer = plan_layers(plan).stops.set_index("stop_id")
    checked = 0
    for _, sheet in manifest_sheets(plan):
        named = sheet["Kampung/Perumahan"].ne("")
        shown = layer.loc[sheet.loc[named, "Titik"], "settlement"].to_numpy()
        assert (shown == sheet.loc[named, "Kampung/Perumahan"].to_numpy()).all()
        checked += int(named.sum())
    assert checked > 0  # the plan's manifests name settlements: the comparison above ran
    blocks = layer[layer["precision"].eq("desa") & layer["status"].eq("planned")]
    assert (
        len(blocks) and blocks["settlement"].str.match(r"^[A-Z]").all()
    )  # "Kampung Pulo", "RW 005": never "rw 005"
