"""Open plan.gpkg and plan.qgz in real QGIS (run by the system python3 that has PyQGIS).

Usage: python3 check_qgis.py PLAN.gpkg PLAN.qgz OUTDIR [LAYER,LAYER...]
Prints one JSON object: for each GeoPackage layer and each project layer, whether it is valid, its
renderer type, its feature count, and how many non-background pixels a rendering of it has; PNGs of
the renderings are written to OUTDIR.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (
    QgsApplication,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def render(layers, extent, crs, path):
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(crs)
    settings.setExtent(extent)
    settings.setOutputSize(QSize(800, 700))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    img.save(path)
    inked = 0
    for y in range(0, img.height(), 2):
        for x in range(0, img.width(), 2):
            if img.pixel(x, y) & 0xFFFFFF != 0xFFFFFF:
                inked += 1
    return inked


def describe(layer):
    out = {"valid": layer.isValid(), "name": layer.name()}
    if isinstance(layer, QgsVectorLayer):
        out["features"] = layer.featureCount()
        out["renderer"] = layer.renderer().type() if layer.renderer() else None
        out["labels"] = bool(layer.labelsEnabled())
        out["fields"] = [f.name() for f in layer.fields()]
    else:
        out["provider"] = layer.providerType()
    return out


def main(gpkg, qgz, outdir):
    app = QgsApplication([], False)
    app.initQgis()
    result = {"gpkg": {}, "project": {}}
    for name in sys.argv[4].split(",") if len(sys.argv) > 4 else ("desa", "routes", "stops", "offices"):
        layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
        info = describe(layer)
        if layer.isValid():
            extent = layer.extent()
            extent.grow(max(extent.width(), extent.height()) * 0.05 or 0.01)  # a lone office has no extent
            info["inked"] = render([layer], extent, layer.crs(), os.path.join(outdir, f"gpkg_{name}.png"))
        result["gpkg"][name] = info
    project = QgsProject.instance()
    result["project_read"] = project.read(qgz)
    layers = [node.layer() for node in project.layerTreeRoot().findLayers()]
    result["project_layer_ids"] = sorted(project.mapLayers())
    result["project"] = {lay.id(): describe(lay) for lay in layers}
    vectors = [lay for lay in layers if isinstance(lay, QgsVectorLayer)]
    if vectors:
        extent = QgsRectangle()
        crs = project.crs()
        from qgis.core import QgsCoordinateTransform

        for lay in vectors:
            tr = QgsCoordinateTransform(lay.crs(), crs, project)
            extent.combineExtentWith(tr.transformBoundingBox(lay.extent()))
        result["project_inked"] = render(vectors, extent, crs, os.path.join(outdir, "project.png"))
        result["project_crs"] = crs.authid()
    print(json.dumps(result), flush=True)
    os._exit(0)  # exitQgis() can crash in offscreen scripts after everything is done


if __name__ == "__main__":
    main(*sys.argv[1:4])
