"""Rebuild ``ektp_routes/data/bekasi_desa.parquet`` from the source files.

Maintainers run this once when the upstream facts change; the package itself only reads the
GeoParquet it produces. Usage::

    python scripts/build_embedded_data.py PATH/TO/shared/data/bekasi

Inputs (see ektp_routes/data/NOTICE.md for sources and licences):
``bekasi_3216_desa_kelurahan.geojson``, ``bekasi_3216_desa_points.csv``,
``bekasi_3216_penduduk_2024s1.csv``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely


def build(src: Path, out: Path) -> None:
    polys = gpd.read_file(src / "bekasi_3216_desa_kelurahan.geojson")
    points = pd.read_csv(src / "bekasi_3216_desa_points.csv", dtype={"kodepos": str})
    people = pd.read_csv(src / "bekasi_3216_penduduk_2024s1.csv", dtype={"kode_bps": str})
    df = polys[["kode", "nama", "jenis", "kode_kec", "nama_kec", "kodepos", "geometry"]].merge(
        points[["kode", "rep_lon", "rep_lat"]], on="kode", how="left", validate="1:1"
    )
    df = df.merge(
        people[["kode", "kode_bps", "penduduk_2024s1", "kk_2024s1", "laki_2024s1", "perempuan_2024s1"]],
        on="kode",
        how="left",
        validate="1:1",
    ).rename(
        columns={
            "penduduk_2024s1": "penduduk",
            "kk_2024s1": "kk",
            "laki_2024s1": "laki",
            "perempuan_2024s1": "perempuan",
        }
    )
    if df[["rep_lon", "penduduk"]].isna().any().any():
        raise SystemExit("a desa is missing its representative point or population")
    # 6 decimals of a degree is ~0.1 m: far below the precision of the simplified source polygons.
    df["geometry"] = shapely.set_precision(df.geometry.values, 1e-6)
    gdf = gpd.GeoDataFrame(df, geometry="geometry", crs="EPSG:4326").sort_values("kode")
    if not gdf.is_valid.all():
        gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    gdf.to_parquet(out, compression="zstd", index=False)
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB, {len(gdf)} desa/kelurahan)")


if __name__ == "__main__":
    build(
        Path(sys.argv[1]),
        Path(__file__).resolve().parents[1] / "ektp_routes" / "data" / "bekasi_desa.parquet",
    )
