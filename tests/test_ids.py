"""Identities: one text form each, built in one place."""

from __future__ import annotations

from datetime import date

from ektp_routes.ids import DispatchRouteId, RouteId, StopId
from ektp_routes.operation import route_id, stop_id


def test_route_id_text_counts_couriers_and_days_from_one() -> None:
    assert str(RouteId("PO01", 0, 0)) == "PO01-K01-H01"
    assert str(RouteId("PH-321623", 11, 19)) == "PH-321623-K12-H20"


def test_route_ids_are_values_ordered_by_office_courier_day() -> None:
    ids = [RouteId("B", 0, 0), RouteId("A", 1, 0), RouteId("A", 0, 1)]
    assert sorted(ids) == [RouteId("A", 0, 1), RouteId("A", 1, 0), RouteId("B", 0, 0)]
    assert RouteId("A", 0, 1) == RouteId("A", 0, 1) and len({RouteId("A", 0, 1), RouteId("A", 0, 1)}) == 1


def test_stop_id_text_is_unique_for_desa_and_number() -> None:
    assert str(StopId("32.16.10.2005", 42)) == "S3216102005-00042"
    assert str(StopId("32.16.10.2005", 123456)) == "S3216102005-123456"
    texts = {str(StopId(d, n)) for d in ("32.16.10.2005", "32.16.10.2006") for n in range(1, 2000)}
    assert len(texts) == 2 * 1999


def test_a_dispatched_route_and_its_stops_are_named_by_office_date_courier_and_visit() -> None:
    rid = DispatchRouteId("PO1", date(2026, 9, 1), 3)
    assert str(rid) == "PO1-20260901-K03" == route_id("PO1", date(2026, 9, 1), 3)
    assert rid.stop(7) == "PO1-20260901-K03-007" == stop_id("PO1", date(2026, 9, 1), 3, 7)
    assert DispatchRouteId("PO1", date(2026, 9, 1), 3) < DispatchRouteId("PO1", date(2026, 9, 2), 1)
