"""check_qgis.py runs under the system python3 with PyQGIS, never inside pytest."""

collect_ignore = ["check_qgis.py"]
