"""``ektp-routes network build``: prepare a road network once, for every later ``plan --network DIR``.

Reads an extract (``--pbf``, clipped to the kabupaten outline plus a margin while it is read;
``--osm``, an OSM XML file used whole) or downloads the roads of the outline (``--download``),
builds the courier profile's graph and its contraction hierarchy (for fast matrices) and writes both
with :func:`ektp_routes.network.store.save_network`.
"""

from __future__ import annotations

import argparse
import hashlib
import shlex
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ektp_routes._files import require_folder
from ektp_routes.cli_help import add_command
from ektp_routes.i18n import Messages, cli_messages, error


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _outline(kecamatan: list[str] | None, area_file: str | None) -> Any:
    """The polygons of ``area_file``, else the kabupaten outline from the embedded desa polygons (or
    the chosen kecamatan's)."""
    if area_file:
        import geopandas as gpd

        from ektp_routes._errors import InputFileError

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # GDAL's note on files of several layers: the first is read
                shapes = gpd.read_file(area_file)
        except Exception as exc:
            raise error(InputFileError, "error.area_unreadable", name=Path(area_file).name) from exc
        if not isinstance(shapes, gpd.GeoDataFrame):  # a table without geometry (a CSV, a sheet)
            raise error(InputFileError, "error.area_no_polygon", name=Path(area_file).name)
        shapes = shapes[shapes.geom_type.isin(["Polygon", "MultiPolygon"])]
        if shapes.empty:
            raise error(InputFileError, "error.area_no_polygon", name=Path(area_file).name)
        return (shapes.to_crs(4326) if shapes.crs else shapes).union_all()
    from ektp_routes.config import kecamatan_codes
    from ektp_routes.regions import Gazetteer

    gaz = Gazetteer.bekasi()
    if not kecamatan:
        return gaz.outline()
    outlines = gaz.kecamatan_outlines()
    codes = kecamatan_codes(gaz, kecamatan)
    return outlines[outlines["kode"].isin(codes)].union_all()


def _metres(lo: float, hi: float, t: Messages) -> Callable[[str], float]:
    """An option in metres: a finite number from ``lo`` to ``hi``; its error worded by ``t``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(t("cli.opt_not_metres", text=text)) from None
        if not lo <= value <= hi:  # also refuses nan and inf
            raise argparse.ArgumentTypeError(t("cli.opt_metres_range", text=text, lo=f"{lo:g}", hi=f"{hi:g}"))
        return value

    return parse


def _cmd_network_build(args: argparse.Namespace) -> int:
    from ektp_routes.network import NetworkOptions, RoadNetwork
    from ektp_routes.network.pbf import planning_area
    from ektp_routes.network.store import save_network

    require_folder(args.out, "--out")
    start = time.perf_counter()
    area = planning_area(_outline(args.kecamatan, args.area), margin_m=args.margin_m)
    source: dict[str, Any] = {
        "margin_m": args.margin_m,
        "kecamatan": sorted(args.kecamatan or []),
        "area_file": Path(args.area).name if args.area else None,
    }
    opts: NetworkOptions = {"max_snap_m": args.max_snap_m, "matrix_engine": "hierarchy"}
    if args.pbf:
        path = Path(args.pbf)
        net = RoadNetwork.from_pbf(path, profile=args.profile, area=area, **opts)
        source.update(kind="pbf", file=path.name, sha256=_sha256(path))
    elif args.osm:
        path = Path(args.osm)
        net = RoadNetwork.from_osm_xml(path, profile=args.profile, **opts)
        source.update(kind="osm", file=path.name, sha256=_sha256(path), margin_m=None)
    else:
        net = RoadNetwork.download(
            area, profile=args.profile, cache_dir=Path(args.out) / "cache", buffer_m=0.0, **opts
        )
        source.update(kind="download")
    h, gave_up = net.hierarchy, net.contraction_gave_up
    save_network(
        net.graph, args.out, max_snap_m=args.max_snap_m, source=source, hierarchy=h,
        contraction_gave_up=gave_up,
    )  # fmt: skip
    # One tiny matrix compiles the matrix code now (numba caches it on disk), so that the first plan
    # does not (about 6 CPU-s and 140 MB more on a kabupaten network).
    net.matrix(net.graph.node_lon[:2], net.graph.node_lat[:2])
    # The cost chooser may answer that tiny matrix by the box search: compile the hierarchy's too.
    hierarchy_search = getattr(net.engine, "hierarchy_search", None)
    if hierarchy_search is not None:
        hierarchy_search.matrix(np.arange(2), np.arange(2))
    t = cli_messages(args)
    shortcuts = t("cli.network_hierarchy", edges=f"{h.n_edges:,}") if h is not None else ""
    if gave_up:
        shortcuts = t("cli.network_no_hierarchy")
    out = shlex.quote(str(args.out))  # the command printed is pasted as it is
    built = dict(profile=net.profile.name, out=out, nodes=f"{net.n_nodes:,}", edges=f"{net.n_edges:,}")
    print(t("cli.network_built", **built, hierarchy=shortcuts, s=f"{time.perf_counter() - start:.1f}"))
    return 0


def add_network_parser(sub: Any, t: Messages) -> None:
    """Register ``network build`` on the CLI's subparsers, its help worded by ``t``."""
    nw = add_command(sub, "network", t)
    nsub = nw.add_subparsers(dest="network_command", required=True)
    b = add_command(nsub, "network.build", t)
    src = b.add_mutually_exclusive_group(required=True)
    src.add_argument("--pbf", help=t("help.network.pbf"))
    src.add_argument("--osm", help=t("help.network.osm"))
    src.add_argument("--download", action="store_true", help=t("help.network.download"))
    b.add_argument("--out", required=True, help=t("help.network.out"))
    b.add_argument("--profile", default="motorbike", help=t("help.network.profile"))
    where = b.add_mutually_exclusive_group()
    where.add_argument("--kecamatan", action="append", help=t("help.network.kecamatan"))
    where.add_argument("--area", help=t("help.network.area"))
    b.add_argument(
        "--margin-m", type=_metres(0.0, 50_000.0, t), default=2_000.0, help=t("help.network.margin_m")
    )
    b.add_argument(
        "--max-snap-m", type=_metres(1.0, 5_000.0, t), default=300.0, help=t("help.network.max_snap_m")
    )
    b.set_defaults(func=_cmd_network_build)
