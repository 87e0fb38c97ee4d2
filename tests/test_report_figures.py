from __future__ import annotations

from dataclasses import replace

from _plans import small_plan

from ektp_routes.report import summary_table
from ektp_routes.report_figures import report_figures


def test_report_totals_read_as_the_summary_and_its_offices() -> None:
    """Each office 1.04 h and 1.04 km: the offices read 1.0 and 1.0, summary.csv and the command line
    2.0; the report's totals say 2.0 too (they said 2.1, rounded from the raw sum)."""
    res = small_plan()
    per_office = res.routes.groupby("office_id")["route_id"].transform("size")
    routes = res.routes.assign(duration_s=1.04 * 3600 / per_office, distance_m=1040.0 / per_office)
    plan = replace(res, routes=routes, summary=summary_table(routes, res.stops, res.offices))
    fig = report_figures(plan, plan.assignments)
    assert fig.offices["hours"].tolist() == [1.0, 1.0] and fig.offices["km"].tolist() == [1.0, 1.0]
    total = plan.summary.iloc[-1]
    assert (total["hours"], total["km"]) == (2.0, 2.0)
    assert (fig.totals["hours"], fig.totals["km"]) == (2.0, 2.0)
