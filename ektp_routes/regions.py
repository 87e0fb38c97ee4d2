"""Administrative geography: desa/kelurahan, kecamatan and kode pos, with tolerant name resolution.

The embedded gazetteer covers Kabupaten Bekasi (Kemendagri 32.16): 187 desa/kelurahan in 23 kecamatan
with 32 kode pos, their real boundaries and their 2024 population. In code, *desa* stands for
"desa/kelurahan" (a kelurahan is the urban form of the same level); ``Desa.jenis`` tells which.

Example
-------
>>> from ektp_routes import Gazetteer
>>> gaz = Gazetteer.bekasi()
>>> len(gaz.desa_table), len(gaz.kecamatan_table), len(gaz.kodepos_table)
(187, 23, 32)
>>> r = gaz.resolve_desa("DS. KARANG BAHAGIA", kecamatan="Kec. Karang Bahagia")
>>> (r.desa.nama, r.desa.kode, r.status)
('Karangbahagia', '32.16.10.2005', 'exact')
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from rapidfuzz import fuzz, process

from ektp_routes._errors import RegionError
from ektp_routes._text import KECAMATAN_PREFIXES, compact, name_key, name_variants
from ektp_routes.schema import CardWarning, RejectReason

logger = logging.getLogger(__name__)

#: Metres per degree of latitude (and of longitude at the equator); Bekasi lies at 6 deg S.
METRES_PER_DEGREE = 111_320.0

ResolutionStatus = Literal["exact", "alias", "fuzzy", "address", "ambiguous", "unknown", "empty"]

#: How much closer than ``min_score`` a name may be when the candidate lies where the kecamatan or
#: kode pos of the card says (a stated kecamatan is strong evidence; "Sirnajaya" in Cibarusah is
#: Sirnajati, 78% alike, not the Sirnajaya of Serang Baru).
HINT_SLACK = 10.0

_DESA_COLUMNS = ("kode", "nama", "jenis", "kode_kec", "nama_kec", "kodepos", "rep_lon", "rep_lat", "geometry")


@dataclass(frozen=True, slots=True)
class Desa:
    """One desa or kelurahan."""

    kode: str
    nama: str
    jenis: str
    kecamatan_kode: str
    kecamatan: str
    kodepos: str
    rep_lon: float
    rep_lat: float
    penduduk: int = 0
    kk: int = 0


@dataclass(frozen=True, slots=True)
class Kecamatan:
    """One kecamatan (district)."""

    kode: str
    nama: str


@dataclass(frozen=True, slots=True)
class Resolution:
    """Result of resolving a written name to a region.

    ``status`` is "exact" (the normalised name matched), "alias" (a known alternative name),
    "fuzzy" (a close spelling, ``confidence`` < 1), "address" (found in address text,
    ``confidence`` < 1), "ambiguous" (several regions fit equally well: ``candidates`` lists them and
    ``region`` is None), "unknown" or "empty". ``matched`` is the name or alias the query matched;
    ``passed_over`` the regions bearing the query's exact name that lie outside the stated
    kecamatan/kode pos, which a candidate inside them beat.
    """

    query: str
    status: ResolutionStatus
    confidence: float
    region: Desa | Kecamatan | None = None
    candidates: tuple[Desa | Kecamatan, ...] = ()
    scores: tuple[float, ...] = ()
    matched: str = ""
    passed_over: tuple[Desa | Kecamatan, ...] = ()

    @property
    def ok(self) -> bool:
        return self.region is not None

    @property
    def desa(self) -> Desa:
        if not isinstance(self.region, Desa):
            raise RegionError(f"{self.query!r} did not resolve to a desa/kelurahan ({self.status})")
        return self.region

    @property
    def kecamatan(self) -> Kecamatan:
        if not isinstance(self.region, Kecamatan):
            raise RegionError(f"{self.query!r} did not resolve to a kecamatan ({self.status})")
        return self.region

    def describe(self) -> str:
        """A one-line human explanation (used in reject messages)."""
        if self.status == "empty":
            return "no name given"
        if self.status == "unknown":
            near = ", ".join(
                f"{_label(c)} ({s:.0f}%)" for c, s in zip(self.candidates, self.scores, strict=False)
            )
            return f"{self.query!r} matches no known name" + (f"; closest: {near}" if near else "")
        if self.status == "ambiguous":
            opts = ", ".join(_label(c) for c in self.candidates)
            return f"{self.query!r} is ambiguous between {opts}; give the kecamatan or kode pos"
        assert self.region is not None
        via = f" via {self.matched!r}" if self.matched and self.status in ("alias", "fuzzy") else ""
        out = (
            f"{self.query!r} -> {_label(self.region)} ({self.status}{via}, confidence {self.confidence:.2f})"
        )
        if self.passed_over:
            out += "; chosen as the kecamatan/kode pos says over " + ", ".join(map(_label, self.passed_over))
        return out


def _label(r: Desa | Kecamatan) -> str:
    if isinstance(r, Desa):
        return f"{r.nama} ({r.kecamatan}, {r.kode})"
    return f"{r.nama} ({r.kode})"


@dataclass(frozen=True, slots=True)
class Inconsistency:
    """One disagreement between the parts of an address (desa, kecamatan, kode pos, NIK).

    ``reason`` is the code a card list rejects (or warns) with; ``message`` says what disagrees.
    """

    field: str
    reason: RejectReason | CardWarning
    message: str


@dataclass(frozen=True, slots=True)
class PointLocation:
    """Which desa each point lies in (vectorised result of :meth:`Gazetteer.locate`).

    ``inside`` is False where the point lies in no polygon and the nearest desa was taken;
    ``distance_m`` is then the distance to it (0 inside).
    """

    kode: npt.NDArray[np.object_]
    inside: npt.NDArray[np.bool_]
    distance_m: npt.NDArray[np.float64]


@dataclass(frozen=True)
class _NameIndex:
    keys: list[str]
    owners: list[int]
    exact: dict[str, list[int]] = field(default_factory=dict)
    alias: dict[str, list[int]] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)  # compact key -> the name or alias as written


@dataclass(frozen=True)
class _Lookup:
    """One written name looked up in a name index: exact, then alias, then fuzzy (private)."""

    query: str
    variants: list[str]
    index: _NameIndex
    regions: Sequence[Desa] | Sequence[Kecamatan]

    def exact_hits(self) -> list[int]:
        return list(dict.fromkeys(h for v in self.variants for h in self.index.exact.get(v, [])))

    def match(self, allowed: set[int] | None, min_score: float) -> Resolution:
        """The best region among ``allowed`` (all when None) scoring at least ``min_score``."""
        for table, status in ((self.index.exact, "exact"), (self.index.alias, "alias")):
            found = [
                (v, h) for v in self.variants for h in table.get(v, []) if allowed is None or h in allowed
            ]
            hits = list(dict.fromkeys(h for _, h in found))
            if len(hits) == 1:
                written = self.index.written.get(found[0][0], "")
                return Resolution(self.query, status, 1.0, self.regions[hits[0]], matched=written)  # type: ignore[arg-type]
            if len(hits) > 1:
                return self._ambiguous([(h, 100.0) for h in hits])
        return self._fuzzy(allowed, min_score)

    def _fuzzy(self, allowed: set[int] | None, min_score: float) -> Resolution:
        best: dict[int, tuple[float, str]] = {}
        for v in self.variants:
            for key, score, pos in process.extract(v, self.index.keys, scorer=fuzz.ratio, limit=8):
                owner = self.index.owners[pos]
                if (allowed is None or owner in allowed) and score > best.get(owner, (-1.0, ""))[0]:
                    best[owner] = (float(score), key)
        ranked = sorted(((i, sc) for i, (sc, _) in best.items()), key=lambda kv: -kv[1])
        top = ranked[:5]
        need = min_score + (5.0 if min(len(v) for v in self.variants) <= 6 else 0.0)
        if not top or top[0][1] < need:
            near = tuple(self.regions[i] for i, _ in top[:3])
            return Resolution(self.query, "unknown", 0.0, None, near, tuple(s for _, s in top[:3]))
        if len(top) > 1 and top[0][1] - top[1][1] < 4.0:
            return self._ambiguous([kv for kv in top if top[0][1] - kv[1] < 4.0])
        i, score = top[0]
        written = self.index.written.get(best[i][1], best[i][1])
        return Resolution(self.query, "fuzzy", round(score / 100.0, 3), self.regions[i], matched=written)  # type: ignore[arg-type]

    def _ambiguous(self, scored: list[tuple[int, float]]) -> Resolution:
        cands = tuple(self.regions[i] for i, _ in scored)
        return Resolution(self.query, "ambiguous", 0.0, None, cands, tuple(s for _, s in scored))


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
        self._desa_index = self._build_index([d.nama for d in self._desa], name_aliases or {}, None)
        self._kec_index = self._build_index([k.nama for k in self._kecamatan], {}, KECAMATAN_PREFIXES)
        self._geoms = np.asarray(table.geometry.values)
        self._tree = shapely.STRtree(self._geoms)
        self._region_prefix = _common_prefix([d.kode for d in self._desa])

    def _build_index(
        self, names: Sequence[str], aliases: dict[str, str], prefixes: tuple[str, ...] | None
    ) -> _NameIndex:
        idx = _NameIndex(keys=[], owners=[])
        for i, name in enumerate(names):
            for v in name_variants(name):
                ck = compact(self._key(v, prefixes))
                idx.exact.setdefault(ck, [])
                idx.written.setdefault(ck, v)
                if i not in idx.exact[ck]:
                    idx.exact[ck].append(i)
                    idx.keys.append(ck)
                    idx.owners.append(i)
        for alias, code in aliases.items():
            if code in self._by_code:
                ck = compact(self._key(alias, prefixes))
                idx.alias.setdefault(ck, []).append(self._by_code[code])
                idx.written.setdefault(ck, alias)
        return idx

    @staticmethod
    def _key(text: str, prefixes: tuple[str, ...] | None) -> str:
        return name_key(text) if prefixes is None else name_key(text, prefixes)

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
        return self._desa

    @property
    def all_kecamatan(self) -> tuple[Kecamatan, ...]:
        return self._kecamatan

    def get(self, kode: str) -> Desa:
        """The desa with this code (old codes listed as aliases are accepted)."""
        try:
            return self._desa[self._by_code[kode.strip()]]
        except KeyError:
            raise RegionError(f"no desa/kelurahan with code {kode!r} in {self.region_code}") from None

    def polygon(self, kode: str) -> shapely.Geometry:
        return self._geoms[self._by_code[self.get(kode).kode]]

    def desa_in(self, kecamatan_kode: str) -> tuple[Desa, ...]:
        return tuple(d for d in self._desa if d.kecamatan_kode == kecamatan_kode)

    def desa_with_kodepos(self, kodepos: str) -> tuple[Desa, ...]:
        return tuple(self._desa[i] for i in self._kodepos_to_desa.get(kodepos.strip(), []))

    def kecamatan(self, kode: str) -> Kecamatan:
        try:
            return self._kec_by_code[kode]
        except KeyError:
            raise RegionError(f"no kecamatan with code {kode!r} in {self.region_code}") from None

    # ------------------------------------------------------------------ names
    def resolve_kecamatan(self, name: str | None, *, min_score: float = 85.0) -> Resolution:
        """Resolve a written kecamatan name ("Kec. Tambun Sel.", "TAMBUN SELATAN", "Cikarang Utr")."""
        return self._resolve(
            name,
            self._kec_index,
            self._kecamatan,
            prefixes=KECAMATAN_PREFIXES,
            preferred=None,
            min_score=min_score,
        )

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
        return self._resolve(
            name, self._desa_index, self._desa, prefixes=None, preferred=preferred, min_score=min_score
        )

    def desa_named(self, name: str) -> tuple[Desa, ...]:
        """The desa whose name or a known alias is exactly ``name`` (normalised; no fuzzy matching)."""
        key = compact(self._key(name, None))
        hits = self._desa_index.exact.get(key, []) + self._desa_index.alias.get(key, [])
        return tuple(self._desa[i] for i in dict.fromkeys(hits))

    def kecamatan_named(self, name: str) -> tuple[Kecamatan, ...]:
        """The kecamatan whose name is exactly ``name`` (normalised, "Kec." prefixes dropped)."""
        key = compact(self._key(name, KECAMATAN_PREFIXES))
        return tuple(self._kecamatan[i] for i in self._kec_index.exact.get(key, []))

    def _resolve(
        self,
        name: str | None,
        index: _NameIndex,
        regions: Sequence[Desa] | Sequence[Kecamatan],
        *,
        prefixes: tuple[str, ...] | None,
        preferred: set[int] | None,
        min_score: float,
    ) -> Resolution:
        query = "" if name is None else str(name)
        variants = [compact(self._key(v, prefixes)) for v in name_variants(query)]
        variants = [v for v in variants if v]
        if not variants:
            return Resolution(query, "empty", 0.0)
        lookup = _Lookup(query, variants, index, regions)
        if preferred is not None:
            inside = lookup.match(preferred, min_score - HINT_SLACK)
            if inside.ok:
                outside = [i for i in lookup.exact_hits() if i not in preferred]
                return replace(inside, passed_over=tuple(regions[i] for i in outside))
            if inside.status == "ambiguous" and not lookup.exact_hits():
                return inside
        return lookup.match(None, min_score)

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
    ) -> list[Inconsistency]:
        """Which parts of (desa, kecamatan, kode pos, NIK region code) disagree, if any.

        ``desa`` is a resolved :class:`Desa` or its code; ``kecamatan`` a name or code.
        """
        d = desa if isinstance(desa, Desa) else self.get(desa)
        found = (
            self._check_kecamatan(d, kecamatan),
            self._check_kodepos(d, kodepos),
            self._check_nik_region(d, nik),
        )
        return [i for i in found if i is not None]

    def _check_kecamatan(self, d: Desa, kecamatan: str | None) -> Inconsistency | None:
        k = (kecamatan or "").strip()
        if not k:
            return None
        kode = k if k in self._kec_by_code else None
        if kode is None:
            kr = self.resolve_kecamatan(k)
            if not kr.ok:
                return Inconsistency("kecamatan", CardWarning.KECAMATAN_UNKNOWN, kr.describe())
            kode = kr.kecamatan.kode
        if kode == d.kecamatan_kode:
            return None
        return Inconsistency(
            "kecamatan",
            RejectReason.KECAMATAN_MISMATCH,
            f"desa {d.nama} lies in kecamatan {d.kecamatan}, not {self.kecamatan(kode).nama}",
        )

    def _check_kodepos(self, d: Desa, kodepos: str | None) -> Inconsistency | None:
        z = (kodepos or "").strip()
        if not z or z == d.kodepos:
            return None
        if z not in self._kodepos_to_desa:
            return Inconsistency(
                "kodepos", RejectReason.KODEPOS_INVALID, f"kode pos {z} is not used in {self.region_code}"
            )
        return Inconsistency(
            "kodepos", RejectReason.KODEPOS_MISMATCH, f"desa {d.nama} has kode pos {d.kodepos}, not {z}"
        )

    def _check_nik_region(self, d: Desa, nik: str | None) -> Inconsistency | None:
        digits = (nik or "").strip()[:6]
        want = d.kecamatan_kode.replace(".", "")
        if len(digits) < 6 or not (digits.isascii() and digits.isdigit()) or digits == want:
            return None
        if digits[:4] != want[:4]:
            return Inconsistency(
                "nik", RejectReason.NIK_REGION, f"NIK region {digits[:4]} is not {self.region_code}"
            )
        return Inconsistency(
            "nik",
            RejectReason.NIK_KECAMATAN_MISMATCH,
            f"NIK kecamatan code {digits[4:6]} is not that of {d.kecamatan} ({want[4:6]})",
        )


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
