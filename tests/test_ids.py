"""Identities: one text form each, built in one place."""

from __future__ import annotations

from ektp_routes.ids import RouteId, StopId


def test_route_id_text_counts_couriers_and_days_from_one() -> None:
    assert str(RouteId("PO01", 0, 0)) == "PO01-K01-H01"
    assert str(RouteId("PH-321623", 11, 19)) == "PH-321623-K12-H20"


def test_route_ids_are_values_ordered_by_office_courier_day() -> None:
    ids = [RouteId("B", 0, 0), RouteId("A", 1, 0), RouteId("A", 0, 1)]
    assert sorted(ids) == [RouteId("A", 0, 1), RouteId("A", 1, 0), RouteId("B", 0, 0)]
    assert RouteId("A", 0, 1) == RouteId("A", 0, 1) and len({RouteId("A", 0, 1), RouteId("A", 0, 1)}) == 1


def test_stop_id_is_stable_for_its_key() -> None:
    a = StopId.from_key("32.16.10.2005|107.1|-6.1|KP PULO#0")
    assert a == StopId.from_key("32.16.10.2005|107.1|-6.1|KP PULO#0")
    assert str(a).startswith("S") and len(str(a)) == 11 and str(a)[1:].isdigit()
    assert a != StopId.from_key("32.16.10.2005|107.1|-6.1|KP PULO#1")
