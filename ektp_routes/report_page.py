"""``report.html`` and ``report.pdf``: the page a planner reads first, with its charts as PNGs.

Totals, one row per post office (cards, courier-days used of those available, the use of bag, shift and
days, and which of them binds), unserved cards by reason, the precision mix, and three charts
(:mod:`ektp_routes.report_charts`). The HTML embeds its charts, so the one file can be mailed; every text
from the data is HTML-escaped. The PDF is drawn with matplotlib as well (tables and charts on A4 pages):
no browser, no system library beyond what matplotlib already needs.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from ektp_routes._files import write_atomic
from ektp_routes.i18n import DEFAULT_LANG, Messages, messages
from ektp_routes.layers import PlanLayers
from ektp_routes.report_charts import charts, plain, png_bytes
from ektp_routes.report_figures import ReportFigures, reason_label

_CSS = """
body { font: 14px/1.4 "DejaVu Sans", system-ui, sans-serif; margin: 24px auto; max-width: 1060px; }
body { padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 26px; }
table { border-collapse: collapse; margin: 6px 0; } th, td { border: 1px solid #bbb; padding: 3px 7px; }
th { background: #eee; text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.warn { background: #fff3cd; border: 1px solid #e0c060; padding: 6px 10px; margin: 8px 0; }
.binds { font-weight: bold; color: #a00; } img { max-width: 100%; border: 1px solid #ddd; margin: 6px 0; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } img { break-inside: avoid; } }
"""


_NUMERIC = re.compile(r"^[\d.,%/ ]+$")


def _pct(v: float) -> str:
    return f"{100 * v:.0f}%"


def _num(v: object) -> str:
    if isinstance(v, float):
        return f"{v:,.1f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def office_rows(fig: ReportFigures, t: Messages) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the per-office table, as display text."""
    head = [
        t(f"report.col_{c}")
        for c in (
            "office",
            "cards",
            "planned",
            "unserved",
            "courier_days",
            "km",
            "hours",
            "bag_use",
            "shift_use",
            "days_use",
            "binding",
        )
    ]
    rows = []
    for r in fig.offices.to_dict("records"):
        rows.append(
            [
                f"{r['office']} ({r['office_id']})",
                _num(r["cards"]),
                _num(r["planned"]),
                _num(r["unserved"]),
                f"{r['courier_days']} / {r['courier_days_available']}",
                _num(r["km"]),
                _num(r["hours"]),
                _pct(r["bag_use"]),
                _pct(r["shift_use"]),
                _pct(r["days_use"]),
                t(f"limit.{r['binding']}"),
            ]
        )
    return head, rows


def total_rows(fig: ReportFigures, t: Messages) -> list[list[str]]:
    """(label, value) rows of the totals."""
    return [[t(f"report.total_{k}"), _num(v)] for k, v in fig.totals.items()]


def unserved_rows(fig: ReportFigures, t: Messages) -> list[list[str]]:
    """(status, reason, cards) rows."""
    return [
        [t(f"status.{r['status']}"), reason_label(r["status"], r["reason_code"], t), _num(int(r["cards"]))]
        for r in fig.unserved.to_dict("records")
    ]


def precision_rows(fig: ReportFigures, t: Messages) -> list[list[str]]:
    """(precision, cards, share) rows."""
    return [
        [t(f"precision.{r['precision']}"), _num(int(r["cards"])), _pct(r["share"])]
        for r in fig.precision.to_dict("records")
    ]


def notes(fig: ReportFigures, t: Messages) -> list[str]:
    """Warnings the reader must see before the figures."""
    out = [t("map.note_placeholder")] if fig.placeholder else []
    out += [t("map.note_straight")] if fig.straight_line else []
    return out + ([t("report.idle_offices", offices="; ".join(fig.idle_offices))] if fig.idle_offices else [])


def _html_table(head: Sequence[str], rows: Sequence[Sequence[str]], *, bold_last: bool = False) -> str:
    e = html.escape
    out = ["<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>"]
    for row in rows:
        cells = [f'<td class="{"n" if _NUMERIC.match(c) else ""}">{e(c)}</td>' for c in row]
        if bold_last:
            cells[-1] = f'<td class="binds">{e(row[-1])}</td>'
        out.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join([*out, "</table>"])


def render_html(fig: ReportFigures, images: dict[str, bytes], t: Messages) -> str:
    """The HTML text of the report, charts embedded as PNG data."""
    e = html.escape
    parts = [f"<h1>{e(t('report.title'))}</h1>"]
    parts += [f'<div class="warn">{e(n)}</div>' for n in notes(fig, t)]
    parts += [
        f"<h2>{e(t('report.h_totals'))}</h2>",
        _html_table([t("report.what"), t("report.value")], total_rows(fig, t)),
    ]
    head, rows = office_rows(fig, t)
    parts += [f"<h2>{e(t('report.h_offices'))}</h2>", f"<p>{e(t('report.binding_help'))}</p>"]
    parts.append(_html_table(head, rows, bold_last=True))
    parts += [f"<h2>{e(t('report.h_unserved'))}</h2>"]
    parts.append(
        _html_table([t("map.status"), t("map.reason"), t("map.cards")], unserved_rows(fig, t))
        if len(fig.unserved)
        else f"<p>{e(t('report.none_unserved'))}</p>"
    )
    parts += [f"<h2>{e(t('report.h_precision'))}</h2>"]
    parts.append(_html_table([t("map.precision"), t("map.cards"), t("report.share")], precision_rows(fig, t)))
    parts.append(f"<h2>{e(t('report.h_charts'))}</h2>")
    for name, png in images.items():
        data = base64.b64encode(png).decode("ascii")
        parts.append(f'<img alt="{e(t("report." + name))}" src="data:image/png;base64,{data}">')
    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html>\n<html lang="{e(t.lang)}">\n<head><meta charset="utf-8">'
        f"<title>{e(t('report.title'))}</title><style>{_CSS}</style></head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _pdf_table(
    fig: Figure, rect: tuple[float, float, float, float], head: Sequence[str], rows: Sequence[Sequence[str]]
) -> None:
    ax = fig.add_axes(rect)
    ax.axis("off")
    if not rows:
        return
    tab = ax.table(
        cellText=[[plain(c) for c in r] for r in rows],
        colLabels=[plain(h) for h in head],
        loc="upper left",
        cellLoc="left",
    )
    tab.auto_set_font_size(False)
    tab.set_fontsize(6.5)
    tab.auto_set_column_width(list(range(len(head))))


def _pdf_first_page(fig_data: ReportFigures, t: Messages) -> Figure:
    page = Figure(figsize=(8.27, 11.69))  # A4 portrait
    page.text(0.05, 0.965, plain(t("report.title")), fontsize=15, weight="bold")
    y = 0.94
    for n in notes(fig_data, t):
        page.text(0.05, y, plain(n), fontsize=8, color="#a00000")
        y -= 0.018
    head, rows = office_rows(fig_data, t)
    rows = [[_short(r[0]), *r[1:]] for r in rows]
    blocks: list[tuple[str, Sequence[str], Sequence[Sequence[str]]]] = [
        (t("report.h_totals"), [t("report.what"), t("report.value")], total_rows(fig_data, t)),
        (t("report.h_offices"), head, rows),
        (
            t("report.h_unserved"),
            [t("map.status"), t("map.reason"), t("map.cards")],
            unserved_rows(fig_data, t),
        ),
        (
            t("report.h_precision"),
            [t("map.precision"), t("map.cards"), t("report.share")],
            precision_rows(fig_data, t),
        ),
    ]
    for title, block_head, block_rows in blocks:
        height = 0.0125 * (len(block_rows) + 1)
        page.text(0.05, y - 0.01, plain(title), fontsize=10, weight="bold")
        _pdf_table(page, (0.05, y - 0.02 - height, 0.9, height), block_head, block_rows)
        y -= height + 0.045
    return page


def _short(text: str, n: int = 38) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _bytes_writer(data: bytes) -> Callable[[Path], object]:
    return lambda tmp: tmp.write_bytes(data)


def write_report(
    fig_data: ReportFigures,
    layers: PlanLayers,
    out_dir: str | Path,
    *,
    shift_h: list[float],
    lang: str = DEFAULT_LANG,
) -> dict[str, Path]:
    """Write report.html, report.pdf and the charts as PNGs into ``out_dir``; returns name -> path."""
    t = messages(lang)
    out = Path(out_dir)
    figures = charts(layers, t, shift_h)
    images = {name: png_bytes(f) for name, f in figures.items()}
    written = {name: write_atomic(out / f"{name}.png", _bytes_writer(png)) for name, png in images.items()}
    page = render_html(fig_data, images, t)
    written["report_html"] = write_atomic(
        out / "report.html", lambda tmp: tmp.write_text(page, encoding="utf-8")
    )

    def pdf(tmp: Path) -> None:
        with PdfPages(tmp, metadata={"Title": t("report.title"), "CreationDate": None}) as doc:
            doc.savefig(_pdf_first_page(fig_data, t))
            for f in figures.values():
                doc.savefig(f)

    written["report_pdf"] = write_atomic(out / "report.pdf", pdf)
    return written
