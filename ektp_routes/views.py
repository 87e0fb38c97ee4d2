"""The views of a plan a person opens: ``plan.gpkg``, ``plan.qgz``, ``map.html`` and the report.

One call builds the GIS layers once (:mod:`ektp_routes.layers`) and writes every view from them, so the
GeoPackage, the QGIS project, the web map and the report show the same figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ektp_routes.gpkg import write_gpkg
from ektp_routes.i18n import DEFAULT_LANG, messages
from ektp_routes.layers import PlanLayers, PlanTables, plan_layers
from ektp_routes.qgis_project import write_qgz
from ektp_routes.regions import Gazetteer
from ektp_routes.report_figures import report_figures
from ektp_routes.report_page import write_report
from ektp_routes.webmap import write_map


def write_views(
    tables: PlanTables,
    assignments: pd.DataFrame,
    out_dir: str | Path,
    *,
    lang: str = DEFAULT_LANG,
    start_hour: float = 8.0,
    dates: Mapping[int, dt.date] | None = None,
    gazetteer: Gazetteer | None = None,
    with_map: bool = True,
    layers: PlanLayers | None = None,
) -> dict[str, Path]:
    """Write plan.gpkg, plan.qgz, map.html (with Leaflet's licence), report.html/.pdf and the chart PNGs.

    Parameters
    ----------
    tables
        The plan's result tables (a ``PlanResult``).
    assignments
        One row per input row, with ``status`` and the reason code (``reason_code`` or ``reason``).
    out_dir
        The output folder.
    lang
        'id' (Bahasa Indonesia) or 'en'.
    start_hour
        Clock hour at which courier-days start.
    dates
        Planning day -> calendar date (:func:`ektp_routes.workcalendar.day_dates`); without it no dates.
    gazetteer
        Source of the desa polygons (default: the embedded Kabupaten Bekasi data).
    with_map
        Write map.html.
    layers
        The plan's layers when the caller has built them already (then ``start_hour``, ``dates`` and
        ``gazetteer`` are not used).
    """
    messages(lang)  # an unknown language is refused before anything is written
    out = Path(out_dir)
    layers = layers or plan_layers(tables, gazetteer=gazetteer, start_hour=start_hour, dates=dates)
    written = {"gpkg": write_gpkg(layers, out / "plan.gpkg", lang=lang)}
    written["qgz"] = write_qgz(layers, out / "plan.qgz", lang=lang)
    if with_map:
        written["map"] = write_map(layers, out / "map.html", lang=lang)
    shifts = sorted(
        {
            round(o.fleet.shift_s / 3600, 2)
            for o in tables.offices
            if o.office_id in set(layers.routes["office_id"])
        }
    )
    figures = report_figures(tables, assignments)
    written.update(write_report(figures, layers, out, shift_h=shifts, lang=lang))
    return written
