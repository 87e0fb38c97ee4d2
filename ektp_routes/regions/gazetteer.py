"""The gazetteer: the desa/kelurahan of one kabupaten as a value, looked up by code, name or point.

:class:`Gazetteer` holds the table (codes, names, kode pos, representative points, polygons, 2024
population), answers lookups by code, by written name (through ``names``) and by point, and checks
that a card's kecamatan, kode pos and NIK agree with its desa (through ``checks``).
:meth:`Gazetteer.bekasi` loads the embedded one, once per process.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from ektp_routes._errors import RegionError
from ektp_routes._text import KECAMATAN_PREFIXES
from ektp_routes.geodesy import METRES_PER_DEGREE
from ektp_routes.i18n import Messages, messages
from ektp_routes.regions.checks import Inconsistency, kecamatan_issue, kodepos_issue, nik_region_issue
from ektp_routes.regions.names import NameIndex, Resolution
from ektp_routes.regions.units import Desa, Kecamatan

logger = logging.getLogger(__name__)

_DESA_COLUMNS = ("kode", "nama", "jenis", "kode_kec", "nama_kec", "kodepos", "rep_lon", "rep_lat", "geometry")


@dataclass(frozen=True, slots=True)
class PointLocation:
    """Which desa each point lies in (vectorised result of :meth:`Gazetteer.locate`).

    ``inside`` is False where the point lies in no polygon and the nearest desa was taken;
    ``distance_m`` is then the distance to it (0 inside).
    """

    kode: npt.NDArray[np.object_]
    inside: npt.NDArray[np.bool_]
    distance_m: npt.NDArray[np.float64]


class Gazetteer:
    """Desa/kelurahan polygons and names of one kabupaten, with name and point lookup.

    Parameters
    ----------
    desa
        One row per desa/kelurahan with columns kode, nama, jenis, kode_kec, nama_kec, kodepos,
        rep_lon, rep_lat, geometry (WGS84) and optionally penduduk, kk.
    name_aliases
        Alternative written names mapped to desa codes.
    code_aliases
        Old codes mapped to current codes.
    """

    def __init__(
        self,
        desa: gpd.GeoDataFrame,
        *,
        name_aliases: dict[str, str] | None = None,
        code_aliases: dict[str, str] | None = None,
    ) -> None:
        missing = [c for c in _DESA_COLUMNS if c not in desa.columns]
        if missing:
            raise RegionError(f"gazetteer table lacks columns {missing}; it has {list(desa.columns)}")
        if desa.crs is not None and not desa.crs.equals("EPSG:4326"):
            desa = desa.to_crs("EPSG:4326")
        table = desa.sort_values("kode").reset_index(drop=True).copy()
        for col in ("penduduk", "kk"):
            if col not in table.columns:
                table[col] = 0
        self._table = table
        self._desa = tuple(
            Desa(
                kode=str(r.kode),
                nama=str(r.nama),
                jenis=str(r.jenis),
                kecamatan_kode=str(r.kode_kec),
                kecamatan=str(r.nama_kec),
                kodepos=str(r.kodepos),
                rep_lon=float(r.rep_lon),
                rep_lat=float(r.rep_lat),
                penduduk=int(r.penduduk),
                kk=int(r.kk),
            )
            for r in table.itertuples(index=False)
        )
        self._by_code = {d.kode: i for i, d in enumerate(self._desa)}
        for old, new in (code_aliases or {}).items():
            if new in self._by_code:
                self._by_code.setdefault(old, self._by_code[new])
        kec = table[["kode_kec", "nama_kec"]].drop_duplicates().sort_values("kode_kec")
        self._kecamatan = tuple(Kecamatan(str(k), str(n)) for k, n in kec.itertuples(index=False))
        self._kec_by_code = {k.kode: k for k in self._kecamatan}
        self._desa_of_kec: dict[str, set[int]] = {}
        for i, d in enumerate(self._desa):
            self._desa_of_kec.setdefault(d.kecamatan_kode, set()).add(i)
        self._kodepos_to_desa: dict[str, list[int]] = {}
        for i, d in enumerate(self._desa):
            self._kodepos_to_desa.setdefault(d.kodepos, []).append(i)
        aliases = {a: self._by_code[c] for a, c in (name_aliases or {}).items() if c in self._by_code}
        self._desa_index = NameIndex.build([d.nama for d in self._desa], aliases, None)
        self._kec_index = NameIndex.build([k.nama for k in self._kecamatan], {}, KECAMATAN_PREFIXES)
        self._geoms = np.asarray(table.geometry.values)
        self._tree = shapely.STRtree(self._geoms)
        self._region_prefix = _common_prefix([d.kode for d in self._desa])

    # ------------------------------------------------------------------ constructors
    @classmethod
    def bekasi(cls) -> Gazetteer:
        """The embedded gazetteer of Kabupaten Bekasi (loaded once per process)."""
        return _bekasi()

    # ------------------------------------------------------------------ tables
    @property
    def region_code(self) -> str:
        """Kemendagri code shared by every desa (e.g. "32.16" for Kabupaten Bekasi)."""
        return self._region_prefix

    @property
    def desa_table(self) -> gpd.GeoDataFrame:
        """All desa/kelurahan as a GeoDataFrame (a copy)."""
        return self._table.copy()

    @property
    def kecamatan_table(self) -> pd.DataFrame:
        """Kecamatan codes and names with their desa count, kode pos and population."""
        t = self._table
        g = t.groupby(["kode_kec", "nama_kec"], sort=True)
        out = g.agg(
            n_desa=("kode", "size"),
            kodepos=("kodepos", lambda s: ",".join(sorted(set(s)))),
            penduduk=("penduduk", "sum"),
            kk=("kk", "sum"),
        ).reset_index()
        return out.rename(columns={"kode_kec": "kode", "nama_kec": "nama"})

    @property
    def kodepos_table(self) -> pd.DataFrame:
        """Each kode pos with its kecamatan and the desa it covers."""
        t = self._table
        out = (
            t.groupby("kodepos", sort=True)
            .agg(
                kode_kec=("kode_kec", "first"),
                nama_kec=("nama_kec", "first"),
                n_desa=("kode", "size"),
                desa=("nama", lambda s: ", ".join(s)),
            )
            .reset_index()
        )
        return out

    def kecamatan_outlines(self) -> gpd.GeoDataFrame:
        """Kecamatan polygons, dissolved from their desa polygons."""
        t = self._table[["kode_kec", "nama_kec", "penduduk", "kk", "geometry"]]
        out = t.dissolve(by=["kode_kec", "nama_kec"], aggfunc="sum").reset_index()
        return out.rename(columns={"kode_kec": "kode", "nama_kec": "nama"})

    def outline(self) -> shapely.Geometry:
        """The outline of the whole kabupaten."""
        return shapely.union_all(self._geoms)

    @property
    def all_desa(self) -> tuple[Desa, ...]:
        """Every desa/kelurahan, in code order."""
        return self._desa

    @property
    def all_kecamatan(self) -> tuple[Kecamatan, ...]:
        """Every kecamatan, in code order."""
        return self._kecamatan

    def get(self, kode: str) -> Desa:
        """The desa with this code (old codes listed as aliases are accepted)."""
        try:
            return self._desa[self._by_code[kode.strip()]]
        except KeyError:
            raise RegionError(f"no desa/kelurahan with code {kode!r} in {self.region_code}") from None

    def polygon(self, kode: str) -> shapely.Geometry:
        """The boundary of the desa with this code (WGS84)."""
        return self._geoms[self._by_code[self.get(kode).kode]]

    def desa_in(self, kecamatan_kode: str) -> tuple[Desa, ...]:
        """The desa of one kecamatan, by its code (empty for an unknown code)."""
        return tuple(d for d in self._desa if d.kecamatan_kode == kecamatan_kode)

    def desa_with_kodepos(self, kodepos: str) -> tuple[Desa, ...]:
        """The desa a kode pos covers (empty for a kode pos not used here)."""
        return tuple(self._desa[i] for i in self._kodepos_to_desa.get(kodepos.strip(), []))

    def kecamatan(self, kode: str) -> Kecamatan:
        """The kecamatan with this code; RegionError for an unknown one."""
        try:
            return self._kec_by_code[kode]
        except KeyError:
            raise RegionError(f"no kecamatan with code {kode!r} in {self.region_code}") from None

    # ------------------------------------------------------------------ names
    def resolve_kecamatan(self, name: str | None, *, min_score: float = 85.0) -> Resolution:
        """Resolve a written kecamatan name ("Kec. Tambun Sel.", "TAMBUN SELATAN", "Cikarang Utr")."""
        return self._kec_index.resolve(name, self._kecamatan, preferred=None, min_score=min_score)

    def resolve_desa(
        self,
        name: str | None,
        *,
        kecamatan: str | None = None,
        kodepos: str | None = None,
        min_score: float = 85.0,
    ) -> Resolution:
        """Resolve a desa/kelurahan name as people write it.

        Case, extra spaces, prefixes (Ds., Desa, Kel., Kelurahan), joined or split words, pre-1972
        spellings and small typos are tolerated. ``kecamatan`` (a name or code) and ``kodepos``
        narrow the choice: a candidate where they point wins, even over an exact name elsewhere,
        when its name is within ``min_score - HINT_SLACK`` (``passed_over`` then names the other).
        A name that fits several desa equally well is refused as "ambiguous" with its candidates
        rather than guessed.
        """
        preferred: set[int] | None = None
        if kecamatan:
            kec_code = kecamatan.strip() if kecamatan.strip() in self._kec_by_code else None
            if kec_code is None:
                kr = self.resolve_kecamatan(kecamatan)
                kec_code = kr.kecamatan.kode if kr.ok else None
            if kec_code:
                preferred = self._desa_of_kec[kec_code]
        if kodepos and kodepos.strip() in self._kodepos_to_desa:
            by_zip = set(self._kodepos_to_desa[kodepos.strip()])
            # Kecamatan and kode pos that disagree both stay candidates: neither hint outranks the other.
            preferred = by_zip if preferred is None else (preferred & by_zip) or (preferred | by_zip)
        return self._desa_index.resolve(name, self._desa, preferred=preferred, min_score=min_score)

    def desa_named(self, name: str) -> tuple[Desa, ...]:
        """The desa whose name or a known alias is exactly ``name`` (normalised; no fuzzy matching)."""
        return tuple(self._desa[i] for i in self._desa_index.named(name))

    def kecamatan_named(self, name: str) -> tuple[Kecamatan, ...]:
        """The kecamatan whose name is exactly ``name`` (normalised, "Kec." prefixes dropped)."""
        return tuple(self._kecamatan[i] for i in self._kec_index.named(name))

    # ------------------------------------------------------------------ points
    def locate(self, lon: npt.ArrayLike, lat: npt.ArrayLike, *, max_gap_m: float = 250.0) -> PointLocation:
        """The desa containing each (lon, lat); the nearest one for points in the gaps between polygons.

        Points farther than ``max_gap_m`` from every polygon get an empty code ("").
        """
        x = np.asarray(lon, dtype=float).ravel()
        y = np.asarray(lat, dtype=float).ravel()
        n = len(x)
        codes = np.full(n, "", dtype=object)
        inside = np.zeros(n, dtype=bool)
        dist = np.full(n, np.inf)
        finite = np.isfinite(x) & np.isfinite(y)
        pts = shapely.points(np.where(finite, x, 0.0), np.where(finite, y, 0.0))
        pi, ti = self._tree.query(pts, predicate="within")
        ok = finite[pi]
        pi, ti = pi[ok], ti[ok]
        # A point in an overlap between neighbours: the first (lowest code) polygon wins, stable.
        order = np.lexsort((ti, pi))
        pi, ti = pi[order], ti[order]
        first = np.unique(pi, return_index=True)[1]
        pi, ti = pi[first], ti[first]
        kode_arr = np.array([d.kode for d in self._desa], dtype=object)
        codes[pi] = kode_arr[ti]
        inside[pi] = True
        dist[pi] = 0.0
        rest = np.flatnonzero(finite & ~inside)
        if len(rest):
            ri, rt = self._tree.query_nearest(pts[rest], return_distance=False, all_matches=False)
            d_deg = shapely.distance(pts[rest][ri], self._geoms[rt])
            d_m = d_deg * METRES_PER_DEGREE
            near = d_m <= max_gap_m
            codes[rest[ri[near]]] = kode_arr[rt[near]]
            dist[rest[ri]] = d_m
        return PointLocation(codes, inside, dist)

    def locate_point(self, lon: float, lat: float, *, max_gap_m: float = 250.0) -> Desa | None:
        """The desa containing one point (nearest within ``max_gap_m`` for gaps), or None."""
        loc = self.locate([lon], [lat], max_gap_m=max_gap_m)
        return self.get(str(loc.kode[0])) if loc.kode[0] else None

    # ------------------------------------------------------------------ consistency
    def check(
        self,
        *,
        desa: str | Desa,
        kecamatan: str | None = None,
        kodepos: str | None = None,
        nik: str | None = None,
        t: Messages | None = None,
    ) -> list[Inconsistency]:
        """Which parts of (desa, kecamatan, kode pos, NIK region code) disagree, if any.

        ``desa`` is a resolved :class:`Desa` or its code; ``kecamatan`` a name or code; ``t`` the
        language of the messages (English when None).
        """
        d = desa if isinstance(desa, Desa) else self.get(desa)
        z = (kodepos or "").strip()
        t = t or messages("en")
        rc = self.region_code
        found = (
            kecamatan_issue(d, self._stated_kecamatan(kecamatan), t=t),
            kodepos_issue(d, z, in_use=z in self._kodepos_to_desa, region_code=rc, t=t),
            nik_region_issue(d, nik, region_code=rc, t=t),
        )
        return [i for i in found if i is not None]

    def _stated_kecamatan(self, kecamatan: str | None) -> Kecamatan | Resolution | None:
        """The kecamatan a card names by code or name; its Resolution when the name matches none."""
        k = (kecamatan or "").strip()
        if not k:
            return None
        if k in self._kec_by_code:
            return self._kec_by_code[k]
        kr = self.resolve_kecamatan(k)
        return kr.kecamatan if kr.ok else kr


def _common_prefix(codes: Sequence[str]) -> str:
    parts = [c.split(".") for c in codes]
    out: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        out.append(level[0])
    return ".".join(out)


@cache
def _bekasi() -> Gazetteer:
    data = resources.files("ektp_routes") / "data"
    with resources.as_file(data / "bekasi_desa.parquet") as path:
        table = gpd.read_parquet(path)
    with resources.as_file(data / "desa_aliases.csv") as path:
        aliases = pd.read_csv(path, dtype=str)
    names = dict(aliases.loc[aliases.kind == "name", ["alias", "kode"]].itertuples(index=False, name=None))
    codes = dict(aliases.loc[aliases.kind == "code", ["alias", "kode"]].itertuples(index=False, name=None))
    return Gazetteer(table, name_aliases=names, code_aliases=codes)
