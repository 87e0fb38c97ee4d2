"""Safe handling of XML inputs (OSM files, GraphML) (private)."""

from __future__ import annotations

from pathlib import Path

from ektp_routes._errors import InputFileError
from ektp_routes.i18n import error


def refuse_xml_tricks(path: Path) -> None:
    """Refuse XML files that declare a DOCTYPE or entities (entity expansion, external entities)."""
    import bz2

    opener = bz2.open if path.suffix == ".bz2" else open
    try:
        with opener(path, "rb") as fh:  # type: ignore[operator]
            head = fh.read(65536)
    except OSError as exc:
        raise error(InputFileError, "error.xml_unreadable", name=path.name, why=exc) from exc
    if b"OSMHeader" in head[:64]:  # the first blob of every .osm.pbf file
        raise error(InputFileError, "error.xml_is_pbf", name=path.name)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        # refused to rule out entity-expansion and external-entity attacks
        raise error(InputFileError, "error.xml_doctype", name=path.name)
