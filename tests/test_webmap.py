from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from _chromium import Browser, chromium_path, colour_pixels
from _plans import HOSTILE, cards, registry_plan, small_plan

from ektp_routes.layers import PlanLayers, plan_layers
from ektp_routes.webmap import COURIER_PALETTE, map_data, render_map, script_json, write_map


@pytest.fixture(scope="module")
def layers() -> PlanLayers:
    return plan_layers(small_plan())


@pytest.fixture(scope="module")
def page(layers: PlanLayers, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_map(layers, tmp_path_factory.mktemp("map") / "map.html")


def _data_block(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="plan-data">(.*?)</script>', html, re.S)
    assert m is not None
    return dict(json.loads(m.group(1)))


def test_page_is_self_contained_with_leaflet_licence(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    # No script or stylesheet from elsewhere: the page works offline.
    assert not re.search(r"<script[^>]+src=|<link[^>]+stylesheet", html)
    assert "L.map(" in html and "leaflet-container" in html
    licence = (page.parent / "leaflet-LICENSE.txt").read_text()
    assert "BSD 2-Clause" in licence and "Agafonkin" in licence


def test_user_text_enters_only_as_escaped_json(page: Path, layers: PlanLayers) -> None:
    html = page.read_text(encoding="utf-8")
    assert HOSTILE not in html and "window.pwned=1</script>" not in html
    # Exactly the page's own three script blocks; the hostile name opened none.
    assert len(re.findall(r"<script", html)) == 3
    data = _data_block(html)
    assert HOSTILE in [o["name"] for o in data["offices"]]  # the name arrives intact, as data
    assert script_json({"x": "</script><!--"}).count("<") == 0


def test_map_shows_every_stop_and_hides_offices_without_cards(layers: PlanLayers) -> None:
    data = map_data(layers)
    assert len(data["stops"]["id"]) == len(layers.stops) == len(small_plan().stops)  # never cut
    assert {o["id"] for o in data["offices"]} == {"KP-BJM", "KP-CBR"}  # KP-TRJ received no desa
    assert len(data["routes"]) == len(layers.routes) > 0
    statuses = {data["statusNames"][k] for k in data["stops"]["status"]}
    assert statuses == {"terencana", "tidak terlayani"}
    assert data["desa"]["features"] and sum(
        f["properties"]["cards"] for f in data["desa"]["features"]
    ) == sum(data["stops"]["cards"])


def test_no_personal_data_in_the_page(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    c = cards()
    for nama in c["NAMA"].head(50):
        assert len(nama.strip()) < 4 or nama not in html  # (defective rows hold blank names)
    for nik in c["NIK"].head(200):
        assert str(nik) not in html
    for alamat in c["ALAMAT"].drop_duplicates().head(50):
        if len(alamat) > 12:
            assert alamat not in html


def test_english_page(layers: PlanLayers) -> None:
    html = render_map(layers, lang="en")
    assert _data_block(html)["labels"]["filter"] == "Show" and 'lang="en"' in html


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Any:
    exe = chromium_path()
    if exe is None:
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)")
    b = Browser(exe, tmp_path_factory.mktemp("profile"))
    b.offline()
    yield b
    b.close()


def _choose(b: Browser, select_id: str, value: str) -> None:
    b.evaluate(
        f"var s = document.getElementById({json.dumps(select_id)}); s.value = {json.dumps(value)};"
        "s.dispatchEvent(new Event('change', {bubbles: true}));"
    )


def test_map_offline_draws_routes_and_filters(browser: Browser, page: Path, layers: PlanLayers) -> None:
    browser.open(page.resolve().as_uri())
    assert browser.evaluate("navigator.onLine") is False
    shot = browser.screenshot()
    n_routes = len(layers.routes)
    assert browser.evaluate("document.body.dataset.routesShown") == str(n_routes)
    couriers = sorted(set(layers.routes["courier"]))
    assert len(couriers) >= 2
    first, second = (COURIER_PALETTE[c - 1] for c in couriers[:2])
    assert colour_pixels(shot, first) > 300 and colour_pixels(shot, second) > 300  # routes drawn
    # The filter: courier 1 only. Its colour stays, the other courier's routes go.
    _choose(browser, "f-courier", str(couriers[0]))
    only = browser.screenshot()
    shown = int(browser.evaluate("document.body.dataset.routesShown"))
    assert shown == int((layers.routes["courier"] == couriers[0]).sum()) < n_routes
    assert colour_pixels(only, first) > 300
    assert colour_pixels(only, second) < colour_pixels(shot, second) / 10
    # One office and one day.
    _choose(browser, "f-courier", "")
    _choose(browser, "f-office", "KP-CBR")
    _choose(browser, "f-day", "2")
    expect = ((layers.routes["office_id"] == "KP-CBR") & (layers.routes["day"] == 2)).sum()
    assert int(browser.evaluate("document.body.dataset.routesShown")) == expect
    assert browser.errors() == []


def test_hostile_office_name_runs_no_script(browser: Browser, page: Path) -> None:
    browser.open(page.resolve().as_uri())
    assert browser.evaluate("typeof window.pwned") == "undefined"
    labels = browser.evaluate(
        "Array.from(document.querySelectorAll('.leaflet-tooltip'))"
        ".map(function (e) { return e.textContent; })"
    )
    assert HOSTILE in labels  # shown as text on the map
    assert browser.errors() == []


def test_routes_known_only_to_blocks_are_marked_as_such() -> None:
    # From registry columns only, the stops are blocks at desa points: the map says the line is the
    # order of places visited, not a street path to houses.
    data = map_data(plan_layers(registry_plan()))
    assert data["routes"] and all(r["approx"] for r in data["routes"])
    assert any("Garis putus-putus" in n for n in data["notes"])
    exact = map_data(plan_layers(small_plan()))
    assert not any(r["approx"] for r in exact["routes"]) and not any("putus" in n for n in exact["notes"])


def test_stops_are_drawn_by_what_their_point_is(layers: PlanLayers) -> None:
    import dataclasses

    from ektp_routes.schema import LocationKind

    kinds = [k.value for k in LocationKind]
    # The exact plan: every stop a house. Relabelled, each precision gets its own marker kind.
    data = map_data(layers)
    assert set(data["stops"]["kind"]) == {kinds.index("house")} and len(data["kindNames"]) == 4
    assert not any("Lingkaran" in n for n in data["notes"])
    n = len(layers.stops)
    mixed = layers.stops.assign(precision=(["address", "street", "settlement", "block", "desa"] * n)[:n])
    data = map_data(dataclasses.replace(layers, stops=mixed), lang="en")
    assert data["stops"]["kind"][:5] == [0, 1, 2, 2, 3]
    assert data["kindNames"] == [
        "house (coordinates/address)",
        "on its street",
        "block/settlement pin",
        "desa only (houses unknown)",
    ]
    # From registry columns only: every stop is known only to its desa, and the legend says what that means.
    registry = map_data(plan_layers(registry_plan()))
    assert set(registry["stops"]["kind"]) == {kinds.index("desa")}
    assert any("Lingkaran kosong putus-putus" in n for n in registry["notes"])


@pytest.fixture(scope="module")
def registry_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PlanLayers]:
    layers = plan_layers(registry_plan())
    return write_map(layers, tmp_path_factory.mktemp("registry") / "map.html"), layers


def _desa_counts(b: Browser) -> list[int]:
    # (a label whose circle the filter removed fades out for 200 ms before it leaves the page)
    shown = b.evaluate(
        "Array.from(document.querySelectorAll('.leaflet-tooltip.desa-count'))"
        ".filter(function (e) { return e.style.opacity !== '0'; })"
        ".map(function (e) { return e.textContent; })"
    )
    return [int(x) for x in shown]


def test_desa_only_stops_are_one_counted_circle_per_desa_point(
    browser: Browser, registry_page: tuple[Path, PlanLayers]
) -> None:
    # 30-odd blocks on a handful of desa points: one hollow circle per point, labelled with the number
    # of stops there, never a dot per block as if it were a house; the filter updates the counts.
    page, layers = registry_page
    browser.open(page.resolve().as_uri())
    stops = layers.stops
    points = {(round(x, 6), round(y, 6)) for x, y in zip(stops.geometry.x, stops.geometry.y, strict=True)}
    assert len(points) < len(stops)
    assert int(browser.evaluate("document.body.dataset.desaPointsShown")) == len(points)
    assert int(browser.evaluate("document.body.dataset.stopsShown")) == len(stops)
    counts = _desa_counts(browser)
    assert len(counts) == len(points) and sum(counts) == len(stops)
    # A click on a circle (just left of its label) lists its stops in the popup.
    box = json.loads(
        browser.evaluate(
            "JSON.stringify(document.querySelector('.leaflet-tooltip.desa-count').getBoundingClientRect())"
        )
    )
    x, y = box["left"] - 16, box["top"] + box["height"] / 2
    for kind in ("mousePressed", "mouseReleased"):
        event = {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}
        browser.call("Input.dispatchMouseEvent", event, session=True)
    popup = browser.evaluate("document.querySelector('.leaflet-popup-content .desa-group').textContent")
    assert f"{counts[0]} titik antar di titik desa ini" in popup
    assert sum(sid in popup for sid in stops["stop_id"]) == counts[0]
    courier = int(layers.routes["courier"].min())
    _choose(browser, "f-courier", str(courier))
    on_courier = stops["route_id"].isin(layers.routes.loc[layers.routes["courier"] == courier, "route_id"])
    assert sum(_desa_counts(browser)) == int(on_courier.sum()) < len(stops)
    legend = browser.evaluate("document.querySelector('.legend').textContent")
    assert "hanya desanya (rumah belum diketahui)" in legend and "rumah (koordinat/alamat)" not in legend
    assert browser.errors() == []


def test_a_day_that_never_leaves_its_office_is_listed_without_a_line(
    browser: Browser, tmp_path: Path
) -> None:
    # Its blocks all at its office's desa point: the GIS layers give such a route no geometry, and so does
    # the map (no zero-length line), while the day stays in the filter and the legend says why.
    from _plans import one_place_plan

    layers = plan_layers(one_place_plan())
    data = map_data(layers, lang="en")
    assert len(data["routes"]) == len(layers.routes) > 0
    assert all(r["coords"] == [] and r["cards"] > 0 for r in data["routes"])
    assert f"{len(layers.routes)} courier-day(s) never leave their office's point" in " ".join(data["notes"])
    drawn = map_data(plan_layers(small_plan()))
    assert all(len({tuple(c) for c in r["coords"]}) >= 2 for r in drawn["routes"])
    assert not any("tidak pernah meninggalkan" in n for n in drawn["notes"])
    browser.open(write_map(layers, tmp_path / "map.html").resolve().as_uri())
    assert browser.evaluate("document.body.dataset.routesShown") == str(len(layers.routes))
    day = str(int(layers.routes["day"].iloc[0]))
    _choose(browser, "f-day", day)
    assert browser.evaluate("document.body.dataset.routesShown") == str(
        int((layers.routes["day"] == int(day)).sum())
    )
    assert int(browser.evaluate("document.body.dataset.stopsShown")) > 0  # its stops are still there
    assert browser.errors() == []
