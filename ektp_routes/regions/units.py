"""The administrative units as frozen values: a desa/kelurahan and a kecamatan.

In code, *desa* stands for "desa/kelurahan" (a kelurahan is the urban form of the same level);
``Desa.jenis`` tells which. Codes are Kemendagri's, dotted ("32.16.10.2005").
"""

from __future__ import annotations

from dataclasses import dataclass


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


def label(r: Desa | Kecamatan) -> str:
    """How a message names a region: "Karangbahagia (Karang Bahagia, 32.16.10.2005)"."""
    if isinstance(r, Desa):
        return f"{r.nama} ({r.kecamatan}, {r.kode})"
    return f"{r.nama} ({r.kode})"
