"""Synthetic card lists shaped like the real task, with no real person in them.

Cards are spread over the desa/kelurahan in proportion to their 2024 population, grouped into
households that sit in settlements (kampung, perumahan, streets) inside the real desa polygon, and
written the way real registry exports are written: mixed case, prefixes, several RT/RW spellings,
joined or split desa names, small typos. Names are made up from common Indonesian given names and NIKs
are structurally valid for the kecamatan, but none belongs to anyone.

About 10% of households hold NIKs issued elsewhere (DKI Jakarta, Kota Bekasi, Karawang, Bogor, ...):
a NIK keeps the region code of where it was first issued, and many residents moved in. These are
drawn from their own deterministic stream, so every other field is the same as without them. The
made-up people and places (names, NIKs, address lines) come from :mod:`ektp_routes.synthetic_names`;
this module places them on the desa geography and writes them as exports do.

An optional ``defect_rate`` plants defective rows (bad NIK, unknown desa, duplicates, missing fields,
wrong kode pos ...); the ``defect`` column records the reason code the reader must reject each with,
and the ground-truth columns (``household_id``, ``true_lon``, ``true_lat``, ``true_desa_kode``) let tests
and benchmarks measure geocoding and routing against the truth.

Example
-------
>>> from ektp_routes import synthetic_cards
>>> df = synthetic_cards(200, seed=1, kecamatan=["Karang Bahagia"])
>>> sorted(df.columns[:8])
['ALAMAT', 'KECAMATAN', 'KEL/DESA', 'KODE POS', 'NAMA', 'NIK', 'RT', 'RW']
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from ektp_routes._errors import ConfigError, InputFileError
from ektp_routes._files import write_atomic
from ektp_routes._text import compact, name_key, name_variants
from ektp_routes.config import kecamatan_codes
from ektp_routes.geodesy import METRES_PER_DEGREE
from ektp_routes.i18n import error
from ektp_routes.regions import Desa, Gazetteer, Resolution
from ektp_routes.synthetic_names import (
    MOVED_IN_SHARE,
    addresses,
    moved_in,
    person_names,
    person_niks,
    settlement_name,
    unique_niks,
)

__all__ = [
    "BEKASI_CARDS",
    "DEFECT_KINDS",
    "EXPORT_COLUMNS",
    "MOVED_IN_SHARE",
    "TRUTH_COLUMNS",
    "allocate",
    "synthetic_cards",
    "write_cards",
]

logger = logging.getLogger(__name__)

#: Number of e-KTP cards Kabupaten Bekasi printed for door-to-door delivery.
BEKASI_CARDS = 191_000

_UNKNOWN_DESA = (
    "Antah Berantah",
    "Kotabaru Permai",
    "Wonosobo Lor",
    "Xyz",
    "Mekarwangi Utara Timur",
    "Desa 12",
)
_HOUSEHOLD_SIZES = np.array([1, 2, 3, 4, 5])
_HOUSEHOLD_P = np.array([0.45, 0.35, 0.13, 0.05, 0.02])

DEFECT_KINDS = (
    "nik_format",
    "nik_region",
    "nik_date",
    "nik_duplicate",
    "desa_unknown",
    "alamat_empty",
    "nama_empty",
    "kodepos_invalid",
    "kecamatan_mismatch",
)

EXPORT_COLUMNS = ["NIK", "NAMA", "ALAMAT", "RT", "RW", "KEL/DESA", "KECAMATAN", "KODE POS"]
TRUTH_COLUMNS = ["household_id", "true_lon", "true_lat", "true_desa_kode", "defect"]


def allocate(weights: Sequence[float], n: int) -> np.ndarray:
    """Split ``n`` into integers proportional to ``weights`` (largest remainder; sums to n exactly)."""
    w = np.asarray(weights, dtype=float)
    if n < 0 or (w < 0).any() or w.sum() <= 0:
        raise ConfigError("allocate needs n >= 0 and non-negative weights with a positive sum")
    exact = w / w.sum() * n
    base = np.floor(exact).astype(int)
    rest = n - base.sum()
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:rest]] += 1
    return base


def synthetic_cards(
    n: int = BEKASI_CARDS,
    *,
    seed: int = 0,
    kecamatan: Sequence[str] | None = None,
    defect_rate: float = 0.0,
    variations: bool = True,
    gazetteer: Gazetteer | None = None,
) -> pd.DataFrame:
    """Generate a synthetic card list.

    Parameters
    ----------
    n
        Cards in the whole kabupaten (default 191,000), spread over desa by population.
    seed
        Same seed, same list. Each desa has its own random stream, so the cards of a kecamatan are
        the same whether it is generated alone (``kecamatan=``) or as part of the whole list.
    kecamatan
        Only generate the cards of these kecamatan (names or codes); their share of ``n`` is kept.
    defect_rate
        Fraction of rows made defective (0 to 0.5); the ``defect`` column says how.
    variations
        Write names, RT/RW and prefixes with the variety real exports have (else canonical forms).
    """
    if not 0 <= defect_rate <= 0.5:
        raise ConfigError(f"defect_rate must be between 0 and 0.5, not {defect_rate}")
    if n < 0:
        raise ConfigError(f"n must be >= 0, not {n}")
    gaz = gazetteer or Gazetteer.bekasi()
    all_desa = gaz.all_desa
    counts = allocate([d.penduduk or 1 for d in all_desa], n)
    wanted = _select_kecamatan(gaz, kecamatan)
    frames = []
    hh_offset = 0
    for i, d in enumerate(all_desa):
        if wanted is not None and d.kecamatan_kode not in wanted:
            hh_offset += 1_000_000
            continue
        if counts[i] == 0:
            continue
        rng = np.random.default_rng([seed, i])
        frames.append(_desa_cards(gaz, d, int(counts[i]), rng, hh_offset, variations))
        hh_offset += 1_000_000
    if not frames:
        return pd.DataFrame(columns=EXPORT_COLUMNS + TRUTH_COLUMNS)
    df = pd.concat(frames, ignore_index=True)
    rng = np.random.default_rng([seed, 10_000])
    df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)  # exports are not sorted by place
    df["NIK"] = unique_niks(df["NIK"].to_numpy(), rng)
    df["NIK"] = moved_in(df["NIK"].to_numpy(), df["household_id"].to_numpy(), seed)
    df["defect"] = ""
    if defect_rate > 0:
        _plant_defects(df, defect_rate, rng, gaz)
    return df[EXPORT_COLUMNS + TRUTH_COLUMNS]


def _select_kecamatan(gaz: Gazetteer, names: Sequence[str] | None) -> set[str] | None:
    if names is None:
        return None
    return set(kecamatan_codes(gaz, [names] if isinstance(names, str) else names))


def _sample_in_polygon(
    poly: shapely.Geometry, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    minx, miny, maxx, maxy = poly.bounds
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    got = 0
    shapely.prepare(poly)
    while got < n:
        m = max(64, 3 * (n - got))
        x = rng.uniform(minx, maxx, m)
        y = rng.uniform(miny, maxy, m)
        ok = shapely.contains_xy(poly, x, y)
        xs.append(x[ok])
        ys.append(y[ok])
        got += int(ok.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _desa_cards(
    gaz: Gazetteer, d: Desa, n: int, rng: np.random.Generator, hh_offset: int, variations: bool
) -> pd.DataFrame:
    poly = gaz.polygon(d.kode)
    sizes = rng.choice(_HOUSEHOLD_SIZES, size=n, p=_HOUSEHOLD_P)
    cum = np.cumsum(sizes)
    n_hh = int(np.searchsorted(cum, n) + 1)
    sizes = sizes[:n_hh].copy()
    sizes[-1] -= int(cum[n_hh - 1] - n)
    # Settlements: ~150 households each, centres inside the polygon; households scattered around them.
    n_set = max(1, min(n_hh, round(n_hh / 150) + 1))
    cx, cy = _sample_in_polygon(poly, n_set, rng)
    spread_m = rng.uniform(60.0, 220.0, n_set)
    kind = rng.choice(["kampung", "perum", "jalan"], size=n_set, p=[0.5, 0.25, 0.25])
    names = [settlement_name(k, rng) for k in kind]
    which = rng.integers(0, n_set, n_hh)
    hx, hy = _place_households(poly, d, cx, cy, spread_m, which, rng)
    # RW per settlement, RT by position along the settlement (about 40 households per RT).
    rw = (np.arange(n_set) % 15) + 1
    hh_rw = rw[which]
    hh_rt = np.ones(n_hh, dtype=int)
    for k in range(n_set):
        idx = np.flatnonzero(which == k)
        if len(idx):
            order = idx[np.argsort(hx[idx])]
            hh_rt[order] = 1 + np.arange(len(order)) // 40
    alamat = addresses(kind, names, which, rng)
    card_hh = np.repeat(np.arange(n_hh), sizes)
    sex_f = rng.random(n) < 0.5
    nama = person_names(sex_f, rng)
    nik = person_niks(d, sex_f, rng)
    out = pd.DataFrame(
        {
            "NIK": nik,
            "NAMA": nama,
            "ALAMAT": np.asarray(alamat, dtype=object)[card_hh],
            "RT": hh_rt[card_hh],
            "RW": hh_rw[card_hh],
            "household_id": hh_offset + card_hh,
            "true_lon": np.round(hx[card_hh], 6),
            "true_lat": np.round(hy[card_hh], 6),
            "true_desa_kode": d.kode,
        }
    )
    _write_region_fields(out, gaz, d, rng, variations)
    return out


def _place_households(
    poly: shapely.Geometry,
    d: Desa,
    cx: np.ndarray,
    cy: np.ndarray,
    spread_m: np.ndarray,
    which: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Households scattered around their settlement's centre, redrawn until inside the desa."""
    n_hh = len(which)
    hx = np.empty(n_hh)
    hy = np.empty(n_hh)
    todo = np.arange(n_hh)
    shapely.prepare(poly)
    lat_scale = METRES_PER_DEGREE * np.cos(np.radians(d.rep_lat))
    for _ in range(30):
        s = which[todo]
        hx[todo] = cx[s] + rng.normal(0, 1, len(todo)) * spread_m[s] / lat_scale
        hy[todo] = cy[s] + rng.normal(0, 1, len(todo)) * spread_m[s] / METRES_PER_DEGREE
        todo = todo[~shapely.contains_xy(poly, hx[todo], hy[todo])]
        if len(todo) == 0:
            break
    if len(todo):  # settlements hugging the border: place the last few anywhere in the desa
        hx[todo], hy[todo] = _sample_in_polygon(poly, len(todo), rng)
    return hx, hy


def _write_region_fields(
    out: pd.DataFrame, gaz: Gazetteer, d: Desa, rng: np.random.Generator, variations: bool
) -> None:
    if not variations:
        out["KEL/DESA"] = d.nama
        out["KECAMATAN"] = d.kecamatan
        out["KODE POS"] = d.kodepos
        out["RT"] = out["RT"].map(lambda v: f"{v:03d}")
        out["RW"] = out["RW"].map(lambda v: f"{v:03d}")
        return
    # Variations are drawn per household: its members share one Kartu Keluarga, so one spelling.
    hh, n_hh = pd.factorize(out["household_id"])[0], out["household_id"].nunique()
    forms = _desa_forms(gaz, d, rng)
    out["KEL/DESA"] = rng.choice(np.asarray(forms, dtype=object), n_hh, p=_form_weights(len(forms)))[hh]
    kec_forms = np.asarray(
        [d.kecamatan, d.kecamatan.upper(), f"Kec. {d.kecamatan}", f"KEC. {d.kecamatan.upper()}"], dtype=object
    )
    out["KECAMATAN"] = rng.choice(kec_forms, n_hh, p=[0.4, 0.3, 0.2, 0.1])[hh]
    out["KODE POS"] = np.where(rng.random(n_hh) < 0.08, "", d.kodepos)[hh]
    # RT/RW spellings; sometimes only inside the address text.
    style = rng.choice(4, n_hh, p=[0.45, 0.2, 0.15, 0.2])[hh]
    rt = out["RT"].to_numpy()
    rw = out["RW"].to_numpy()
    rt_col = np.where(style == 0, [f"{v:03d}" for v in rt], np.where(style == 1, rt.astype(str), ""))
    rw_col = np.where(style == 0, [f"{v:03d}" for v in rw], np.where(style == 1, rw.astype(str), ""))
    in_addr = np.where(
        style == 2,
        [f" RT {a:03d}/RW {b:03d}" for a, b in zip(rt, rw, strict=True)],
        np.where(style == 3, [f" RT.{a} RW.{b}" for a, b in zip(rt, rw, strict=True)], ""),
    )
    alamat = out["ALAMAT"].to_numpy().astype(str)
    upper = (rng.random(n_hh) < 0.2)[hh]
    alamat = np.where(upper, np.char.upper(alamat), alamat)
    out["ALAMAT"] = np.char.add(alamat, in_addr.astype(str))
    out["RT"] = rt_col
    out["RW"] = rw_col


def _form_weights(k: int) -> np.ndarray:
    w = np.array([6.0, 3.0] + [1.0] * (k - 2))[:k]
    return w / w.sum()


def _desa_forms(gaz: Gazetteer, d: Desa, rng: np.random.Generator) -> list[str]:
    """Ways this desa's name is written; each verified to resolve back to it within its kecamatan."""
    name = d.nama
    prefix = "Kel." if d.jenis == "kelurahan" else "Ds."
    cands = [
        name,
        name.upper(),
        f"{prefix} {name}",
        f"{'Kelurahan' if d.jenis == 'kelurahan' else 'Desa'} {name}",
    ]
    if " " in name:
        cands.append(name.replace(" ", ""))
    else:
        for stem in (
            "Karang",
            "Suka",
            "Sumber",
            "Jaya",
            "Pantai",
            "Sindang",
            "Mekar",
            "Setia",
            "Kerta",
            "Telaga",
        ):
            if name.startswith(stem) and len(name) > len(stem) + 2:
                cands.append(f"{stem} {name[len(stem) :].capitalize()}")
                break
    # One plausible typo: two neighbouring letters swapped, or one letter dropped.
    if len(name) > 6:
        j = int(rng.integers(2, len(name) - 2))
        typo = (
            name[:j] + name[j + 1] + name[j] + name[j + 2 :]
            if rng.random() < 0.5
            else name[:j] + name[j + 1 :]
        )
        cands.append(typo)
    out = []
    for c in cands:
        r = gaz.resolve_desa(c, kecamatan=d.kecamatan_kode)
        if r.ok and r.desa.kode == d.kode and _plain_match(r, c) and c not in out:
            out.append(c)
    return out or [name]


def _plain_match(r: Resolution, written: str) -> bool:
    """A form that resolves on its own merit: not only because the kecamatan hint lowered the bar
    (keeps the written forms, and so the random stream, what they were before hints could do that)."""
    if r.passed_over:
        return False
    if r.status != "fuzzy":
        return True
    short = min(len(compact(name_key(v))) for v in name_variants(written)) <= 6
    return r.confidence * 100 >= 85.0 + (5.0 if short else 0.0)


def _plant_defects(df: pd.DataFrame, rate: float, rng: np.random.Generator, gaz: Gazetteer) -> None:
    n = len(df)
    k = round(n * rate)
    if k == 0:
        return
    rows = np.sort(rng.choice(n, size=k, replace=False))
    kinds = rng.choice(DEFECT_KINDS, size=k)
    kec = gaz.all_kecamatan
    kodepos_all = sorted({d.kodepos for d in gaz.all_desa})
    unknown = [u for u in _UNKNOWN_DESA if not gaz.resolve_desa(u).ok]
    defective = set(rows.tolist())
    for r, kind in zip(rows, kinds, strict=True):
        nik = df.at[r, "NIK"]
        true = gaz.get(df.at[r, "true_desa_kode"])
        if kind == "nik_format":
            nik = nik[:-1] if rng.random() < 0.5 else nik[:5] + "O" + nik[6:]
        elif kind == "nik_region":
            nik = "99" + nik[2:]  # a province code that exists nowhere
        elif kind == "nik_date":
            nik = nik[:8] + "13" + nik[10:]
        elif kind == "nik_duplicate":
            # Copy the NIK of an earlier clean row, so that the later row is the duplicate.
            earlier = [e for e in range(r - 1, max(-1, r - 200), -1) if e not in defective]
            if not earlier:
                continue
            nik = df.at[int(rng.choice(earlier)), "NIK"]
        elif kind == "desa_unknown":
            df.at[r, "KEL/DESA"] = str(rng.choice(unknown))
        elif kind == "alamat_empty":
            df.at[r, "ALAMAT"] = ""
        elif kind == "nama_empty":
            df.at[r, "NAMA"] = " "
        elif kind == "kodepos_invalid":
            # Another desa's kode pos (drawn as before) moved to the 13xxx range: not a Bekasi kode pos.
            df.at[r, "KEL/DESA"] = true.nama
            df.at[r, "KODE POS"] = "13" + str(rng.choice([z for z in kodepos_all if z != true.kodepos]))[2:]
        elif kind == "kecamatan_mismatch":
            # The official desa name and its kode pos point at the true desa whatever kecamatan is
            # written (without the kode pos, a similar name in the written kecamatan may rightly win).
            df.at[r, "KEL/DESA"] = true.nama
            df.at[r, "KODE POS"] = true.kodepos
            others = [c.nama for c in kec if c.kode != true.kecamatan_kode]
            df.at[r, "KECAMATAN"] = str(rng.choice(others))
        df.at[r, "NIK"] = nik
        df.at[r, "defect"] = str(kind)


def write_cards(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a card list as CSV (UTF-8, comma), XLSX (NIK kept as text) or Parquet, by file suffix."""
    p = Path(path)
    suffix = p.suffix.lower()
    writers: dict[str, Callable[[Path], object]] = {
        ".csv": lambda tmp: df.to_csv(tmp, index=False, encoding="utf-8"),
        ".xlsx": lambda tmp: df.to_excel(tmp, index=False, engine="openpyxl"),
        ".parquet": lambda tmp: df.to_parquet(tmp, index=False),
        ".pq": lambda tmp: df.to_parquet(tmp, index=False),
    }
    if suffix not in writers:
        raise error(InputFileError, "error.demo_cards_suffix", name=p.name)
    return write_atomic(p, writers[suffix])
