from __future__ import annotations

import numpy as np
import pytest
import shapely

from ektp_routes import Gazetteer, RegionError


def test_counts(gaz: Gazetteer) -> None:
    assert len(gaz.desa_table) == 187
    assert len(gaz.kecamatan_table) == 23
    assert len(gaz.kodepos_table) == 32
    assert gaz.region_code == "32.16"
    assert int(gaz.desa_table.penduduk.sum()) == 3_289_743
    assert int(gaz.desa_table.kk.sum()) == 1_040_143
    assert set(gaz.desa_table.jenis) == {"desa", "kelurahan"}
    assert (gaz.desa_table.jenis == "kelurahan").sum() == 8


def test_kodepos_never_spans_two_kecamatan(gaz: Gazetteer) -> None:
    t = gaz.desa_table
    assert (t.groupby("kodepos").kode_kec.nunique() == 1).all()


def test_representative_points_inside_their_polygon(gaz: Gazetteer) -> None:
    t = gaz.desa_table
    assert shapely.contains_xy(t.geometry.values, t.rep_lon.values, t.rep_lat.values).all()


def test_kecamatan_outlines_dissolve(gaz: Gazetteer) -> None:
    out = gaz.kecamatan_outlines()
    assert len(out) == 23
    assert out.is_valid.all()
    # Dissolving loses no area beyond the tiny neighbour overlaps.
    assert out.to_crs(32748).area.sum() == pytest.approx(gaz.desa_table.to_crs(32748).area.sum(), rel=0.01)


def test_old_code_alias(gaz: Gazetteer) -> None:
    assert gaz.get("32.16.01.2007").nama == "Setia Asih"
    with pytest.raises(RegionError):
        gaz.get("32.16.99.9999")


def test_locate_points(gaz: Gazetteer) -> None:
    t = gaz.desa_table
    loc = gaz.locate(t.rep_lon.values, t.rep_lat.values)
    assert list(loc.kode) == list(t.kode)
    assert loc.inside.all()
    # Far outside: no desa. NaN: no desa.
    loc2 = gaz.locate([106.0, np.nan], [-6.0, -6.2])
    assert list(loc2.kode) == ["", ""]


def test_locate_gap_falls_back_to_nearest(gaz: Gazetteer) -> None:
    # A point just outside the kabupaten edge (in no polygon) within 250 m goes to the nearest desa.
    poly = gaz.polygon("32.16.01.2001")
    minx = poly.bounds[0]
    y = shapely.get_coordinates(poly)[np.argmin(shapely.get_coordinates(poly)[:, 0])][1]
    d = gaz.locate_point(minx - 0.0005, y)
    assert d is not None
    loc = gaz.locate([minx - 0.0005], [y])
    assert not loc.inside[0] and 0 < loc.distance_m[0] < 250
    assert gaz.locate_point(minx - 0.05, y) is None
