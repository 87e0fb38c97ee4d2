"""Geocode an address list offline: street names from a real OSM extract, desa points otherwise.

    python examples/geocode_addresses.py

Addresses written the way registry exports write them are parsed (Jl./Gg./Kp./Perum., RT/RW, No.) and
matched against the named streets of Jatinegara (Cakung); each point carries its precision. A street
the extract does not hold falls back to its desa's point, which the gazetteer knows for Kabupaten Bekasi
only: "Jl. Tak Dikenal 9" in Jatinegara (a Jakarta kelurahan, code JTN here) stays unplaced (precision
none), while the Bekasi address in Cibening gets its desa point.
Data © OpenStreetMap contributors (ODbL).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ektp_routes import Gazetteer
from ektp_routes.geocode import (
    GazetteerGeocoder,
    GeocoderChain,
    InputCoordinates,
    StreetGeocoder,
    geocode_cards,
)

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def main() -> None:
    gaz = Gazetteer.bekasi()
    area = gpd.read_file(DATA / "jatinegara_cakung_boundary.geojson")
    area["kode"] = "JTN"
    streets = StreetGeocoder.from_osm_xml(DATA / "jatinegara_cakung.osm.bz2", areas=area)
    chain = GeocoderChain([InputCoordinates(gaz), streets, GazetteerGeocoder(gaz)])
    cards = pd.DataFrame(
        {
            "desa_kode": ["JTN", "JTN", "JTN", "32.16.18.2005"],
            "alamat": [
                "JL. PENGARENGAN NO. 7 RT 003/RW 005",
                "Gg. Haji Warsim RT.1 RW.2",
                "Jl. Tak Dikenal 9",
                "Kp. Cibening RT 002/RW 001",
            ],
            "lon": np.nan,
            "lat": np.nan,
        }
    )
    out = geocode_cards(cards, gaz, geocoder=chain)
    print(out[["alamat", "lon", "lat", "precision", "geocoder"]].to_string(index=False))


if __name__ == "__main__":
    main()
