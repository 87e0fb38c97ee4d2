"""Make the .osm.pbf test fixtures from the shipped OSM XML extracts (every object copied unchanged).

Run once from the repository root: ``python scripts/make_pbf_fixtures.py``. The fixtures let
``tests/test_pbf.py`` check that reading a ``.osm.pbf`` gives the same road graph as reading the
``.osm`` it was made from. Same data, same licence (ODbL, see tests/data/NOTICE.md).
"""

from __future__ import annotations

from pathlib import Path

import osmium

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def convert(src: Path, dst: Path) -> None:
    """Copy every node, way and relation of ``src`` into ``dst`` (format from the suffix)."""
    with osmium.SimpleWriter(str(dst), overwrite=True) as out:
        for obj in osmium.FileProcessor(str(src)):
            out.add(obj)


if __name__ == "__main__":
    for name in ("jatinegara_cakung", "kelapa_gading"):
        convert(DATA / f"{name}.osm.bz2", DATA / f"{name}.osm.pbf")
        print(name, (DATA / f"{name}.osm.pbf").stat().st_size, "bytes")
