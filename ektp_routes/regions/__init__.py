"""Administrative geography: desa/kelurahan, kecamatan and kode pos, with tolerant name resolution.

The embedded gazetteer covers Kabupaten Bekasi (Kemendagri 32.16): 187 desa/kelurahan in 23 kecamatan
with 32 kode pos, their real boundaries and their 2024 population. In code, *desa* stands for
"desa/kelurahan" (a kelurahan is the urban form of the same level); ``Desa.jenis`` tells which.

The rooms, each with one job, in the order they build on each other: ``units`` (:class:`Desa`,
:class:`Kecamatan` as frozen values), ``names`` (written names to regions: :class:`Resolution`),
``checks`` (does a card's kecamatan, kode pos and NIK agree with its desa: :class:`Inconsistency`),
``gazetteer`` (:class:`Gazetteer`: the table, lookups by code, name and point, the embedded data).
Every public name is importable from ``ektp_routes.regions``.

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

from ektp_routes.geodesy import METRES_PER_DEGREE
from ektp_routes.regions.checks import Inconsistency
from ektp_routes.regions.gazetteer import Gazetteer, PointLocation
from ektp_routes.regions.names import HINT_SLACK, NameIndex, Resolution, ResolutionStatus
from ektp_routes.regions.units import Desa, Kecamatan

__all__ = [
    "HINT_SLACK",
    "METRES_PER_DEGREE",
    "Desa",
    "Gazetteer",
    "Inconsistency",
    "Kecamatan",
    "NameIndex",
    "PointLocation",
    "Resolution",
    "ResolutionStatus",
]
