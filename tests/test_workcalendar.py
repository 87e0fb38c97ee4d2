from __future__ import annotations

from datetime import date

import pytest

from ektp_routes._errors import ConfigError
from ektp_routes.i18n import messages
from ektp_routes.workcalendar import ClosedReason, Leave, WorkCalendar, calendar_from_table


def test_public_holiday_and_sunday_are_skipped() -> None:
    cal = WorkCalendar()
    # 2026-08-17 (Monday) is Independence Day; 2026-08-16 is a Sunday.
    assert not cal.is_working_day(date(2026, 8, 17))
    holiday, sunday = cal.why_closed(date(2026, 8, 17)), cal.why_closed(date(2026, 8, 16))
    assert holiday is not None and holiday.reason is ClosedReason.PUBLIC_HOLIDAY
    assert "Kemerdekaan" in holiday.holiday  # the holiday's Indonesian proper name
    assert holiday.words(t=messages("id")) == f"hari libur nasional: {holiday.holiday}"
    assert holiday.words(t=messages("en")) == f"national public holiday: {holiday.holiday}"
    assert sunday is not None and sunday.reason is ClosedReason.WEEKDAY_OFF
    assert sunday.words(t=messages("id")) == "Minggu bukan hari kerja"
    assert sunday.words() == "Sunday is not a working weekday"  # English unless a language is given
    days = [d for d, _ in zip(cal.working_days(date(2026, 8, 14)), range(3), strict=False)]
    assert days == [date(2026, 8, 14), date(2026, 8, 15), date(2026, 8, 18)]
    assert cal.count_working_days(date(2026, 8, 14), date(2026, 8, 18)) == 3


def test_moving_feast_from_the_holidays_package() -> None:
    # Idul Fitri 2026 falls on 20-21 March (a date no fixed table would know); at least one is closed.
    cal = WorkCalendar()
    assert any(
        not cal.is_working_day(date(2026, 3, d)) and date(2026, 3, d).weekday() < 6 for d in (19, 20, 21)
    )


def test_config_working_days_closures_and_leave() -> None:
    cal = calendar_from_table(
        {
            "working_days": ["mon", "tue", "wed", "thu", "fri"],
            "closures": ["2026-09-01"],
            "leave": [{"office": "PO1", "courier": 2, "from": "2026-09-02", "to": "2026-09-03"}],
        }
    )
    assert not cal.is_working_day(date(2026, 9, 5))  # a Saturday, not configured
    closure = cal.why_closed(date(2026, 9, 1))
    assert closure is not None and closure.reason is ClosedReason.LOCAL_CLOSURE
    assert closure.words(t=messages("id")) == "penutupan lokal (konfigurasi)"
    assert closure.words(t=messages("en")) == "local closure (configuration)"
    assert cal.couriers_on("PO1", date(2026, 9, 2), 3) == (1, 3)
    assert cal.couriers_on("PO2", date(2026, 9, 2), 3) == (1, 2, 3)
    assert cal.couriers_on("PO1", date(2026, 9, 4), 3) == (1, 2, 3)
    assert cal.couriers_on("PO1", date(2026, 9, 1), 3) == ()


@pytest.mark.parametrize(
    "table",
    [
        {"working_days": ["funday"]},
        {"working_days": "mon"},
        {"closures": ["tomorrow"]},
        {"leave": [{"office": "PO1", "courier": "two", "from": "2026-09-02"}]},
        {"public_holidays": "yes"},
    ],
)
def test_bad_config_is_one_clear_error(table: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        calendar_from_table(table)


def test_leave_must_be_ordered() -> None:
    with pytest.raises(ConfigError, match="not before"):
        Leave("PO1", 1, date(2026, 9, 3), date(2026, 9, 2))


def test_next_weekend_day() -> None:
    cal = WorkCalendar()
    assert cal.next_weekend_day(date(2026, 9, 2)) == date(2026, 9, 5)
