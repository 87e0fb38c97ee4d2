from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from _plans import HOSTILE, cards, small_plan

from ektp_routes.layers import plan_layers
from ektp_routes.report_figures import report_figures
from ektp_routes.report_page import write_report


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    res = small_plan()
    figures = report_figures(res, res.assignments)
    return write_report(figures, plan_layers(res), tmp_path_factory.mktemp("report"), shift_h=[5.0])


def test_report_files_and_charts_as_png(report: dict[str, Path]) -> None:
    from PIL import Image

    for name in ("chart_workload", "chart_desa", "chart_day_length"):
        img = np.asarray(Image.open(report[name]).convert("RGB"))
        assert img.shape[0] > 200 and img.shape[1] > 400
        assert (img.min(axis=2) < 200).mean() > 0.02, name  # something is drawn
    assert report["report_pdf"].read_bytes().startswith(b"%PDF")
    html = report["report_html"].read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 3


def test_report_says_what_binds_and_why_cards_are_left(report: dict[str, Path]) -> None:
    html = report["report_html"].read_text(encoding="utf-8")
    assert "Laporan rencana pengantaran e-KTP" in html and 'lang="id"' in html
    # Both offices use every courier-day of the 2-day horizon: the days bind, and Cibarusah leaves
    # cards for lack of a courier-day.
    assert html.count('<td class="binds">hari</td>') == 2
    res = small_plan()
    left = int((res.assignments["status"] == "unserved").sum())
    assert re.search(rf"hari-kurir habis</td><td class=\"n\">{left}</td>", html)
    assert "NIK ganda" in html  # reject reasons in Bahasa Indonesia
    assert "koordinat kartu" in html and "100%" in html  # precision mix
    assert "Kantor pos tanpa desa (tidak mendapat kartu): Kantor Pos Tarumajaya (KP-TRJ)" in html


def test_report_escapes_text_and_holds_no_personal_data(report: dict[str, Path]) -> None:
    html = report["report_html"].read_text(encoding="utf-8")
    assert HOSTILE not in html and "<script" not in html
    assert "KP ${alert(1)}`&lt;/script&gt;" in html  # shown, as text
    c = cards()
    for value in [*c["NAMA"].head(100), *c["NIK"].astype(str).head(100)]:
        assert len(value.strip()) < 4 or value not in html  # (defective rows hold blank names)


def test_report_pdf_pages_render(report: dict[str, Path], tmp_path: Path) -> None:
    pdf = report["report_pdf"].read_bytes()
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 4  # tables, then the three charts
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(report["report_pdf"]), str(tmp_path / "p")], check=True
    )
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == 4  # tables, then the three charts
