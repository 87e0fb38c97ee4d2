"""Safe handling of XML inputs (OSM files, GraphML) (private)."""

from __future__ import annotations

from pathlib import Path

from ektp_routes._errors import InputFileError


def refuse_xml_tricks(path: Path) -> None:
    """Refuse XML files that declare a DOCTYPE or entities (entity expansion, external entities)."""
    import bz2

    opener = bz2.open if path.suffix == ".bz2" else open
    try:
        with opener(path, "rb") as fh:  # type: ignore[operator]
            head = fh.read(65536)
    except OSError as exc:
        raise InputFileError(f"{path.name} cannot be read: {exc}") from exc
    if b"OSMHeader" in head[:64]:  # the first blob of every .osm.pbf file
        raise InputFileError(
            f"{path.name} is an .osm.pbf (binary) file, not OSM XML (.osm/.osm.bz2): name it FILE.osm.pbf "
            "for `network build --pbf`, `plan --network`, `geocode --osm` and `blocks --osm` to read it"
        )
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise InputFileError(
            f"{path.name} declares a DOCTYPE/ENTITY; OSM road files never need one and it is refused "
            "to rule out entity-expansion and external-entity attacks"
        )
