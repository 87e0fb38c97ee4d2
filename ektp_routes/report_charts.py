"""The report's charts, drawn with matplotlib (Figure objects: no pyplot, no display): workload per
day per office, cards per desa, and the distribution of day lengths against the shift.

Each chart is a function from the plan's tables to a :class:`matplotlib.figure.Figure`; labels come
from the message catalogue and every text taken from the data is escaped for matplotlib (a ``$`` in an
office name would otherwise start a formula).
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ektp_routes.i18n import Messages
from ektp_routes.layers import PlanLayers
from ektp_routes.webmap import COURIER_PALETTE

MAX_DESA = 30


def plain(text: object) -> str:
    """Text that matplotlib shows as it is (no mathtext)."""
    return str(text).replace("\\", "\\\\").replace("$", r"\$")


def _figure(width: float = 8.0, height: float = 3.6) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    return fig, fig.add_subplot()


def workload_chart(layers: PlanLayers, t: Messages) -> Figure:
    """Cards delivered per planning day, stacked by office."""
    fig, ax = _figure()
    r = layers.routes
    if len(r):
        table = r.pivot_table(index="day", columns="office_id", values="cards", aggfunc="sum", fill_value=0)
        bottom = pd.Series(0, index=table.index)
        for k, office in enumerate(table.columns):
            colour = COURIER_PALETTE[k % len(COURIER_PALETTE)]
            ax.bar(table.index, table[office], bottom=bottom, label=plain(office), color=colour)
            bottom = bottom + table[office]
        ax.set_xticks(list(table.index))
        if len(table.columns) <= 12:
            ax.legend(
                title=plain(t("report.office_id")),
                fontsize=7,
                title_fontsize=8,
                loc="upper left",
                bbox_to_anchor=(1.0, 1.0),
            )
    ax.set_title(plain(t("report.chart_workload")))
    ax.set_xlabel(plain(t("map.day")))
    ax.set_ylabel(plain(t("map.cards")))
    return fig


def desa_chart(layers: PlanLayers, t: Messages) -> Figure:
    """Planned and unserved cards of the desa with most cards."""
    d = layers.desa[layers.desa["cards"] > 0].nlargest(MAX_DESA, "cards").iloc[::-1]
    fig, ax = _figure(8.0, max(2.5, 0.22 * len(d) + 1.2))
    labels = [plain(n) for n in d["desa"]]
    ax.barh(labels, d["planned"], color="#4363d8", label=plain(t("map.planned")))
    ax.barh(labels, d["unserved"], left=d["planned"], color="#d7191c", label=plain(t("map.unserved")))
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(fontsize=8, loc="lower right")
    title = t("report.chart_desa") + (f" ({t('report.top', n=MAX_DESA)})" if len(d) == MAX_DESA else "")
    ax.set_title(plain(title))
    ax.set_xlabel(plain(t("map.cards")))
    return fig


def day_length_chart(layers: PlanLayers, t: Messages, shift_h: list[float]) -> Figure:
    """Histogram of courier-day lengths (hours), with the shift length marked."""
    fig, ax = _figure()
    hours = layers.routes["duration_s"] / 3600
    if len(hours):
        ax.hist(hours, bins=min(30, max(5, len(hours) // 3)), color="#3cb44b", edgecolor="#222222")
    for h in sorted(set(shift_h)):
        ax.axvline(h, color="#d7191c", linestyle="--", label=plain(t("report.shift_line", hours=f"{h:g}")))
    if shift_h:
        ax.legend(fontsize=8)
    ax.set_title(plain(t("report.chart_day_length")))
    ax.set_xlabel(plain(t("map.hours")))
    ax.set_ylabel(plain(t("report.courier_days")))
    return fig


def charts(layers: PlanLayers, t: Messages, shift_h: list[float]) -> dict[str, Figure]:
    """file stem -> figure, in report order."""
    makers: dict[str, Callable[[], Figure]] = {
        "chart_workload": lambda: workload_chart(layers, t),
        "chart_desa": lambda: desa_chart(layers, t),
        "chart_day_length": lambda: day_length_chart(layers, t, shift_h),
    }
    return {name: make() for name, make in makers.items()}


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
