"""Made-up people and places for synthetic card lists: names, NIKs and address lines.

Names are drawn from common Indonesian given names, NIKs are structurally valid for the desa's
kecamatan (about :data:`MOVED_IN_SHARE` of households hold NIKs issued elsewhere, drawn from a hash
of the household so every other field stays as it was), and addresses follow their settlement's kind
(kampung, perumahan, street). None of them belongs to anyone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ektp_routes.nik import RegionCodes
from ektp_routes.regions import Desa

# Word lists for made-up names and addresses (compact: one list per paragraph).
# fmt: off
_MALE = [
    "Agus", "Ahmad", "Andi", "Arif", "Asep", "Bambang", "Budi", "Dadang", "Dedi", "Deden", "Dimas", "Eko",
    "Fajar", "Hadi", "Hendra", "Heri", "Iwan", "Joko", "Kurniawan", "Nanang", "Rizky", "Rudi", "Saepul",
    "Slamet", "Sutrisno", "Taufik", "Ujang", "Wahyu", "Yanto", "Yusuf", "Ade", "Aldi", "Bayu", "Cecep",
    "Dani", "Endang", "Firman", "Gilang", "Irfan", "Jaka", "Lukman", "Maman", "Nandang", "Opik", "Rahmat",
    "Ridwan", "Sigit", "Tatang", "Udin", "Wawan"
]
_FEMALE = [
    "Siti", "Nur", "Sri", "Dewi", "Rina", "Yuni", "Ani", "Lilis", "Eneng", "Euis", "Fitri", "Ika", "Indah",
    "Lina", "Maya", "Neneng", "Nining", "Putri", "Ratna", "Rini", "Rosita", "Sari", "Tuti", "Wati", "Yanti",
    "Aisyah", "Ayu", "Cucu", "Dian", "Elis", "Entin", "Hana", "Iis", "Imas", "Kartika", "Lestari", "Mega",
    "Nia", "Novi", "Nurul", "Popon", "Rahma", "Santi", "Tini", "Umi", "Wulan", "Yati", "Yeni", "Zahra"
]
_SECOND = [
    "Hidayat", "Saputra", "Setiawan", "Pratama", "Nugraha", "Kusuma", "Rahayu", "Wulandari", "Permata",
    "Hasanah", "Maulana", "Ramadhan", "Sulaeman", "Suryana", "Gunawan", "Hermawan", "Santoso", "Lestari",
    "Handayani", "Purnama", "Firmansyah", "Kurniasih", "Rohmah", "Sopandi", "Sudrajat", "Mulyani", "Fauzi",
    "Hakim", "Anggraeni", "Safitri"
]
_FLOWERS = [
    "Melati", "Mawar", "Kenanga", "Anggrek", "Flamboyan", "Cempaka", "Dahlia", "Teratai", "Kamboja",
    "Seroja", "Bougenville"
]
_KAMPUNG = [
    "Babakan", "Pulo", "Gabus", "Rawa", "Bojong", "Pangkalan", "Tegal", "Kebon", "Sawah", "Pondok", "Kali",
    "Kedung", "Cibuntu", "Tanjung", "Leuwi", "Cijambe", "Sempu", "Pabuaran", "Ceger", "Gardu", "Jati",
    "Bulak", "Cabang", "Kandang", "Pasir"
]
_KAMPUNG_SUFFIX = [
    "Kaler", "Kidul", "Tengah", "Baru", "Lama", "Girang", "Hilir", "Jaya", "Sari", "Indah"
]
_PERUM_A = [
    "Griya", "Bumi", "Taman", "Villa", "Puri", "Graha", "Pesona", "Citra", "Grand", "Mutiara"
]
_PERUM_B = [
    "Asri", "Indah", "Permai", "Lestari", "Mas", "Harapan", "Kencana", "Sentosa", "Residence", "Regency"
]
_STREET_A = [
    "Raya", "Masjid", "Pendidikan", "Pemuda", "Merdeka", "Veteran", "Sukarela", "Inpres", "Kampung", "H."
]
# fmt: on

#: Share of households whose NIKs were issued elsewhere, and where (kabupaten/kota code, weight).
#: The weights are an assumption of this generator (neighbours first), not a measured distribution.
MOVED_IN_SHARE = 0.10
_MOVED_FROM = (
    ("3275", 30),  # Kota Bekasi
    ("3175", 15),  # Jakarta Timur
    ("3172", 8),  # Jakarta Utara
    ("3171", 4),  # Jakarta Pusat
    ("3173", 4),  # Jakarta Barat
    ("3174", 4),  # Jakarta Selatan
    ("3215", 10),  # Karawang
    ("3201", 5),  # Kabupaten Bogor
    ("3271", 2),  # Kota Bogor
    ("3276", 3),  # Depok
    ("3273", 2),  # Kota Bandung
    ("3209", 2),  # Kabupaten Cirebon
    ("3212", 2),  # Indramayu
    ("3329", 3),  # Brebes
    ("3301", 2),  # Cilacap
    ("3578", 1),  # Surabaya
    ("3603", 1),  # Kabupaten Tangerang
    ("1871", 1),  # Bandar Lampung
    ("1271", 1),  # Medan
)


def addresses(kind: np.ndarray, names: list[str], which: np.ndarray, rng: np.random.Generator) -> list[str]:
    """One address line per household, shaped by its settlement's kind."""
    n_hh = len(which)
    house_no = rng.integers(1, 120, n_hh)
    blok = rng.choice(list("ABCDEFGH"), n_hh)
    alamat = []
    for h in range(n_hh):
        s = which[h]
        if kind[s] == "kampung":
            a = f"Kp. {names[s]}"
        elif kind[s] == "perum":
            a = f"Perum. {names[s]} Blok {blok[h]}{rng.integers(1, 12)} No. {house_no[h]}"
        else:
            a = f"{names[s]} No. {house_no[h]}"
        alamat.append(a)
    return alamat


def settlement_name(kind: str, rng: np.random.Generator) -> str:
    """A made-up name of a settlement of ``kind``: kampung, perum, or else a street or gang."""
    if kind == "kampung":
        return (
            f"{rng.choice(_KAMPUNG)} {rng.choice(_KAMPUNG_SUFFIX)}"
            if rng.random() < 0.6
            else str(rng.choice(_KAMPUNG))
        )
    if kind == "perum":
        return f"{rng.choice(_PERUM_A)} {rng.choice(_PERUM_B)}"
    if rng.random() < 0.5:
        return f"Jl. {rng.choice(_STREET_A)} {rng.choice(_FLOWERS)}"
    return f"Gg. {rng.choice(_FLOWERS)} {rng.integers(1, 9)}"


def person_names(sex_f: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Made-up names: a female given name where ``sex_f``, else a male one, most with a second name."""
    n = len(sex_f)
    first = np.where(sex_f, rng.choice(_FEMALE, n), rng.choice(_MALE, n))
    second = rng.choice(_SECOND, n)
    two = rng.random(n) < 0.7
    return [f"{a} {b}" if t else str(a) for a, b, t in zip(first, second, two, strict=True)]


def person_niks(d: Desa, sex_f: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """NIKs of adults of the desa's kecamatan: region code, birth date (day + 40 for a woman) and a
    random serial; two may coincide (:func:`unique_niks` makes them unique)."""
    n = len(sex_f)
    prefix = d.kecamatan_kode.replace(".", "")
    # Adults: born between 1946 and 2008.
    days = rng.integers(0, (pd.Timestamp("2008-12-31") - pd.Timestamp("1946-01-01")).days, n)
    born = pd.Timestamp("1946-01-01") + pd.to_timedelta(days, unit="D")
    dd = born.day.to_numpy() + np.where(sex_f, 40, 0)
    serial = rng.integers(1, 10_000, n)
    return np.array(
        [
            f"{prefix}{a:02d}{m:02d}{y % 100:02d}{s:04d}"
            for a, m, y, s in zip(dd, born.month.to_numpy(), born.year.to_numpy(), serial, strict=True)
        ],
        dtype=object,
    )


def unique_niks(nik: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``nik`` with each later duplicate given a new random serial, until every NIK is unique."""
    nik = nik.copy()
    s = pd.Series(nik)
    dup = s.duplicated()
    while dup.any():
        for i in np.flatnonzero(dup.to_numpy()):
            nik[i] = nik[i][:12] + f"{rng.integers(1, 10_000):04d}"
        s = pd.Series(nik)
        dup = s.duplicated()
    return nik


def _mix(values: np.ndarray, salt: int) -> np.ndarray:
    """A fixed pseudo-random 64-bit number per value (splitmix64), independent of list order."""
    z = values.astype(np.uint64) + np.uint64((salt * 0x9E3779B97F4A7C15) % 2**64)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def moved_in(nik: np.ndarray, household: np.ndarray, seed: int) -> np.ndarray:
    """Give about :data:`MOVED_IN_SHARE` of households NIKs issued in another kabupaten/kota.

    Drawn per household from a hash of (seed, household), not from the list's random stream: the
    other fields, and the defects planted after, stay as they were; a household keeps its choice
    whether its kecamatan is generated alone or with the whole list.
    """
    codes = RegionCodes.national()
    h = _mix(household, 2 * seed + 1)
    moved = (h >> np.uint64(11)).astype(np.float64) / float(2**53) < MOVED_IN_SHARE
    if not moved.any():
        return nik
    regions = [r for r, _ in _MOVED_FROM]
    weights = np.cumsum([w for _, w in _MOVED_FROM], dtype=float)
    districts = {r: sorted(d for d in codes.districts if d.startswith(r)) for r in regions}
    h2 = _mix(household[moved], 2 * seed + 2)
    pick = np.searchsorted(
        weights, (h2 % np.uint64(10_000)).astype(float) / 10_000 * weights[-1], side="right"
    )
    out = nik.copy()
    for k, i in enumerate(np.flatnonzero(moved)):
        choices = districts[regions[pick[k]]]
        out[i] = choices[int(h2[k] >> np.uint64(32)) % len(choices)] + out[i][6:]
    return _unique_by_serial(out)


def _unique_by_serial(nik: np.ndarray) -> np.ndarray:
    """Make NIKs unique by raising the serial of later duplicates (deterministic, no random draw)."""
    seen: set[str] = set()
    out = nik.copy()
    for i, v in enumerate(out):
        serial = int(v[12:])
        while v in seen:
            serial = serial % 9999 + 1
            v = f"{v[:12]}{serial:04d}"
        seen.add(v)
        out[i] = v
    return out
