"""QGIS styles (QML) of the plan's layers, so QGIS opens the GeoPackage and the project styled.

- routes: categorized by courier (the map's colours), day a plain field to filter on;
- stops: rules by status and, for planned stops, by precision (exact / settlement / desa-level);
- offices: categorized by placeholder, labelled with the office name;
- desa: graduated choropleth of cards (the map's classes), outlined, labelled with the desa name;
- blocks (when the plan has delivery blocks): categorized by how their point is known.

The QML is the document QGIS itself writes for "Save style"; :func:`layer_style` returns it as text and
:func:`style_elements` the ``renderer-v2``/``labeling`` elements a project's ``maplayer`` embeds.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

import pandas as pd

from ektp_routes.i18n import Messages
from ektp_routes.layers import PlanLayers
from ektp_routes.webmap import COURIER_PALETTE, DESA_COLOURS, class_breaks, class_labels

QGIS_VERSION = "3.22.0"
EXACT = ("input", "address", "street", "field")
SETTLEMENT = ("settlement", "block")


def _rgba(hex_colour: str, alpha: int = 255) -> str:
    return ",".join(str(int(hex_colour[i : i + 2], 16)) for i in (1, 3, 5)) + f",{alpha}"


def _symbol(parent: ET.Element, name: str, kind: str, layer_class: str, props: dict[str, str]) -> None:
    sym = ET.SubElement(
        parent, "symbol", {"type": kind, "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"}
    )
    lay = ET.SubElement(sym, "layer", {"class": layer_class, "enabled": "1", "locked": "0", "pass": "0"})
    for k, v in props.items():
        ET.SubElement(lay, "prop", {"k": k, "v": v})


def _line(colour: str, width: str = "0.7") -> tuple[str, str, dict[str, str]]:
    props = {"line_color": _rgba(colour), "line_width": width, "line_width_unit": "MM", "capstyle": "round"}
    return "line", "SimpleLine", {**props, "joinstyle": "round", "line_style": "solid"}


def _marker(
    fill: str, size: str, shape: str = "circle", outline: str = "#222222"
) -> tuple[str, str, dict[str, str]]:
    props = {"name": shape, "color": _rgba(fill), "outline_color": _rgba(outline), "size": size}
    return (
        "marker",
        "SimpleMarker",
        {**props, "size_unit": "MM", "outline_width": "0.2", "outline_style": "solid"},
    )


def _fill(colour: str) -> tuple[str, str, dict[str, str]]:
    props = {"color": _rgba(colour, 190), "outline_color": "80,80,80,255", "outline_width": "0.3"}
    return (
        "fill",
        "SimpleFill",
        {**props, "outline_width_unit": "MM", "style": "solid", "outline_style": "solid"},
    )


def _categorized(attr: str, cats: Sequence[tuple[str, str, tuple[str, str, dict[str, str]]]]) -> ET.Element:
    r = ET.Element(
        "renderer-v2",
        {
            "type": "categorizedSymbol",
            "attr": attr,
            "forceraster": "0",
            "symbollevels": "0",
            "enableorderby": "0",
        },
    )
    cat_el, sym_el = ET.SubElement(r, "categories"), ET.SubElement(r, "symbols")
    for k, (value, label, (kind, cls, props)) in enumerate(cats):
        ET.SubElement(
            cat_el, "category", {"render": "true", "symbol": str(k), "value": value, "label": label}
        )
        _symbol(sym_el, str(k), kind, cls, props)
    return r


def _rules(rules: Sequence[tuple[str, str, tuple[str, str, dict[str, str]]]]) -> ET.Element:
    r = ET.Element(
        "renderer-v2", {"type": "RuleRenderer", "forceraster": "0", "symbollevels": "0", "enableorderby": "0"}
    )
    root, sym_el = ET.SubElement(r, "rules", {"key": "root"}), ET.SubElement(r, "symbols")
    for k, (expr, label, (kind, cls, props)) in enumerate(rules):
        ET.SubElement(root, "rule", {"key": f"rule{k}", "filter": expr, "symbol": str(k), "label": label})
        _symbol(sym_el, str(k), kind, cls, props)
    return r


def _graduated(attr: str, breaks: list[int], labels: list[str]) -> ET.Element:
    r = ET.Element(
        "renderer-v2",
        {
            "type": "graduatedSymbol",
            "attr": attr,
            "graduatedMethod": "GraduatedColor",
            "forceraster": "0",
            "symbollevels": "0",
            "enableorderby": "0",
        },
    )
    ranges, sym_el = ET.SubElement(r, "ranges"), ET.SubElement(r, "symbols")
    lower = 0.0
    for k, (upper, label) in enumerate(zip(breaks, labels, strict=True)):
        ET.SubElement(
            ranges,
            "range",
            {
                "render": "true",
                "symbol": str(k),
                "lower": f"{lower:.1f}",
                "upper": f"{float(upper):.1f}",
                "label": label,
            },
        )
        _symbol(sym_el, str(k), *_fill(DESA_COLOURS[k % len(DESA_COLOURS)]))
        lower = float(upper)
    ET.SubElement(r, "mode", {"name": "quantile"})
    return r


def _labeling(field: str, size: str = "9", placement: str = "0") -> ET.Element:
    lab = ET.Element("labeling", {"type": "simple"})
    settings = ET.SubElement(lab, "settings", {"calloutType": "simple"})
    style = ET.SubElement(
        settings,
        "text-style",
        {
            "fieldName": field,
            "isExpression": "0",
            "fontSize": size,
            "fontSizeUnit": "Point",
            "textColor": "0,0,0,255",
            "fontFamily": "DejaVu Sans",
            "textOpacity": "1",
        },
    )
    ET.SubElement(
        style,
        "text-buffer",
        {
            "bufferDraw": "1",
            "bufferSize": "0.8",
            "bufferSizeUnits": "MM",
            "bufferColor": "255,255,255,255",
            "bufferOpacity": "1",
        },
    )
    ET.SubElement(settings, "placement", {"placement": placement, "dist": "1.5", "distUnits": "MM"})
    ET.SubElement(settings, "rendering", {"drawLabels": "1", "obstacle": "1", "displayAll": "1"})
    return lab


def _courier_values(routes: pd.DataFrame) -> list[int]:
    top = int(routes["courier"].max()) if len(routes) else 1
    return list(range(1, max(top, 1) + 1))


def style_elements(name: str, layers: PlanLayers, t: Messages) -> list[ET.Element]:
    """The renderer (and labeling) elements of layer ``name`` ('routes', 'stops', 'offices', 'desa')."""
    if name == "routes":
        cats = [
            (str(c), f"{t('map.courier')} {c}", _line(COURIER_PALETTE[(c - 1) % len(COURIER_PALETTE)]))
            for c in _courier_values(layers.routes)
        ]
        return [_categorized("courier", cats)]
    if name == "stops":
        exact, settle = ("', '".join(v) for v in (EXACT, SETTLEMENT))
        planned = "\"status\" = 'planned'"
        return [
            _rules(
                [
                    ("\"status\" = 'unserved'", t("status.unserved"), _marker("#d7191c", "2.4", "triangle")),
                    (
                        "\"status\" = 'unroutable'",
                        t("status.unroutable"),
                        _marker("#000000", "2.4", "cross2"),
                    ),
                    (
                        f"{planned} AND \"precision\" IN ('{exact}')",
                        t("style.stop_exact"),
                        _marker("#1a9641", "1.6"),
                    ),
                    (
                        f"{planned} AND \"precision\" IN ('{settle}')",
                        t("style.stop_settlement"),
                        _marker("#fdae61", "1.8"),
                    ),
                    (
                        f"{planned} AND \"precision\" NOT IN ('{exact}', '{settle}')",
                        t("style.stop_desa"),
                        _marker("#7b3294", "2.0", "diamond"),
                    ),
                ]
            )
        ]
    if name == "offices":
        cats = [
            ("false", t("map.office"), _marker("#111111", "4", "square", "#ffffff")),
            ("true", t("map.placeholder"), _marker("#bbbbbb", "4", "square", "#111111")),
        ]
        return [_categorized("placeholder", cats), _labeling("name", "10", "0")]
    if name == "blocks":
        cats = [
            ("block", t("precision.block"), _marker("#e66101", "3.2", "square")),
            ("street", t("precision.street"), _marker("#fdb863", "3.0", "square")),
            ("settlement", t("precision.settlement"), _marker("#b2abd2", "3.0", "square")),
            ("desa", t("precision.desa"), _marker("#5e3c99", "3.0", "square")),
        ]
        return [_categorized("precision", cats)]
    if name == "desa":
        breaks = class_breaks(layers.desa["cards"])
        return [_graduated("cards", breaks, class_labels(breaks)), _labeling("desa", "8", "1")]
    raise ValueError(f"no style for layer {name!r}")


def layer_style(name: str, layers: PlanLayers, t: Messages) -> str:
    """The QML document of layer ``name``, as QGIS's "Save style" writes it."""
    root = ET.Element(
        "qgis",
        {
            "version": QGIS_VERSION,
            "styleCategories": "Symbology|Labeling",
            "labelsEnabled": "1" if name in ("offices", "desa") else "0",
        },
    )
    root.extend(style_elements(name, layers, t))
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode"
    )
