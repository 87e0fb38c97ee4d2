"""The delivery operation's calendar: which dates are working days, and which couriers work on them.

A working day is a configured weekday (Monday-Saturday by default) that is neither an Indonesian
public holiday (the maintained ``holidays`` package, country ``ID``, names in Bahasa Indonesia) nor a
local closure from the configuration. Couriers per office come from the office's fleet; leave and
absences are exceptions for given couriers and dates. (Named ``workcalendar`` so that it never
shadows the standard library's :mod:`calendar`.)

Example
-------
>>> from datetime import date
>>> from ektp_routes.i18n import messages
>>> cal = WorkCalendar()
>>> closed = cal.why_closed(date(2026, 12, 25))
>>> closed.reason, closed.holiday
(<ClosedReason.PUBLIC_HOLIDAY: 'public_holiday'>, 'Hari Raya Natal')
>>> cal.why_closed(date(2026, 12, 27)).words(t=messages("id"))
'Minggu bukan hari kerja'
>>> cal.why_closed(date(2026, 12, 27)).words()
'Sunday is not a working weekday'
>>> cal.next_working_day(date(2026, 12, 25))
datetime.date(2026, 12, 26)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from ektp_routes._errors import ConfigError
from ektp_routes.i18n import Messages, error, messages

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@lru_cache(maxsize=32)
def _public_holidays(year: int) -> dict[date, str]:
    import holidays  # maintained tables incl. the moving Islamic, Chinese and Christian feasts

    return dict(holidays.country_holidays("ID", years=year, language="id").items())


class ClosedReason(StrEnum):
    """Why a date is not a working day."""

    PUBLIC_HOLIDAY = "public_holiday"
    LOCAL_CLOSURE = "local_closure"
    WEEKDAY_OFF = "weekday_off"


@dataclass(frozen=True)
class Closed:
    """A date that is not a working day, and why; ``holiday`` is the public holiday's Indonesian
    proper name ("" for the other reasons)."""

    reason: ClosedReason
    day: date
    holiday: str = ""

    def words(self, *, t: Messages | None = None) -> str:
        """The reason as a phrase in the language of ``t`` (English when None)."""
        t = t or messages("en")
        weekday = t(f"weekday.{DAY_NAMES[self.day.weekday()]}")
        return t(f"closed.{self.reason}", holiday=self.holiday, weekday=weekday)


@dataclass(frozen=True)
class Leave:
    """Courier ``courier`` (1-based) of office ``office_id`` does not work from ``first`` to ``last``."""

    office_id: str
    courier: int
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.courier < 1 or self.last < self.first:
            raise error(
                ConfigError, "error.cal_leave_days", courier=self.courier, office=self.office_id,
                first=self.first, last=self.last,
            )  # fmt: skip

    def covers(self, office_id: str, day: date) -> bool:
        return office_id == self.office_id and self.first <= day <= self.last


@dataclass(frozen=True)
class WorkCalendar:
    """Working days, public holidays, local closures and courier leave.

    Parameters
    ----------
    weekdays
        Working weekdays, 0 = Monday ... 6 = Sunday (default Monday-Saturday).
    closures
        Extra local closure dates (e.g. a kabupaten holiday).
    leave
        Courier leave and absences.
    public_holidays
        Whether national public holidays are closed (True in any real operation).
    """

    weekdays: frozenset[int] = frozenset(range(6))
    closures: frozenset[date] = frozenset()
    leave: tuple[Leave, ...] = ()
    public_holidays: bool = True

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise error(ConfigError, "error.cal_no_working_day", days=", ".join(DAY_NAMES))

    def why_closed(self, day: date) -> Closed | None:
        """Why ``day`` is not a working day (:meth:`Closed.words` says it in a language), or None when
        it is one."""
        if self.public_holidays and day in _public_holidays(day.year):
            return Closed(ClosedReason.PUBLIC_HOLIDAY, day, _public_holidays(day.year)[day])
        if day in self.closures:
            return Closed(ClosedReason.LOCAL_CLOSURE, day)
        if day.weekday() not in self.weekdays:
            return Closed(ClosedReason.WEEKDAY_OFF, day)
        return None

    def is_working_day(self, day: date) -> bool:
        return self.why_closed(day) is None

    def next_working_day(self, day: date) -> date:
        """The first working day on or after ``day``."""
        for k in range(400):
            d = day + timedelta(days=k)
            if self.is_working_day(d):
                return d
        raise error(ConfigError, "error.cal_no_day_ahead")

    def working_days(self, start: date) -> Iterator[date]:
        """Working days from ``start`` on, without end."""
        d = self.next_working_day(start)
        while True:
            yield d
            d = self.next_working_day(d + timedelta(days=1))

    def count_working_days(self, first: date, last: date) -> int:
        """Working days from ``first`` to ``last``, both included."""
        n, d = 0, first
        while d <= last:
            n += self.is_working_day(d)
            d += timedelta(days=1)
        return n

    def next_weekend_day(self, day: date) -> date:
        """The first working Saturday or Sunday on or after ``day`` (for 'not home' re-deliveries)."""
        d = self.next_working_day(day)
        for _ in range(60):
            if d.weekday() >= 5:
                return d
            d = self.next_working_day(d + timedelta(days=1))
        return self.next_working_day(day)

    def couriers_on(self, office_id: str, day: date, couriers: int) -> tuple[int, ...]:
        """The couriers (1-based) of an office with ``couriers`` couriers who work on ``day``."""
        if not self.is_working_day(day):
            return ()
        away = {lv.courier for lv in self.leave if lv.covers(office_id, day)}
        return tuple(c for c in range(1, couriers + 1) if c not in away)


def day_dates(start: date, days: int, *, calendar: WorkCalendar | None = None) -> dict[int, date]:
    """Planning day number (1-based) -> date: the working days from ``start`` on.

    >>> day_dates(date(2026, 12, 24), 3)  # 25 December and Sunday 27 are not working days
    {1: datetime.date(2026, 12, 24), 2: datetime.date(2026, 12, 26), 3: datetime.date(2026, 12, 28)}
    """
    cal = calendar or WorkCalendar()
    return dict(zip(range(1, days + 1), cal.working_days(start), strict=False))


def _as_date(value: Any, key: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise error(ConfigError, "error.cal_not_date", key=key, value=repr(value)) from None


def calendar_from_table(table: Mapping[str, Any]) -> WorkCalendar:
    """A :class:`WorkCalendar` from the ``[operation]`` table of a plan TOML file.

    Keys: ``working_days`` (list of mon..sun), ``closures`` (dates), ``public_holidays`` (bool) and
    ``leave`` (list of tables with ``office``, ``courier``, ``from``, ``to``).
    """
    days = table.get("working_days", list(DAY_NAMES[:6]))
    if not isinstance(days, list) or any(str(d).lower()[:3] not in DAY_NAMES for d in days):
        raise error(ConfigError, "error.cal_working_days", days=", ".join(DAY_NAMES), value=repr(days))
    leave = tuple(_leave(entry) for entry in _list(table.get("leave", []), "leave"))
    hol = table.get("public_holidays", True)
    if not isinstance(hol, bool):
        raise error(ConfigError, "error.cal_public_holidays", value=repr(hol))
    return WorkCalendar(
        weekdays=frozenset(DAY_NAMES.index(str(d).lower()[:3]) for d in days),
        closures=frozenset(_as_date(d, "closures") for d in _list(table.get("closures", []), "closures")),
        leave=leave,
        public_holidays=hol,
    )


def _list(value: Any, key: str) -> Iterable[Any]:
    if not isinstance(value, list):
        raise error(ConfigError, "error.cal_not_list", key=key, value=repr(value))
    return value


def _leave(entry: Any) -> Leave:
    if not isinstance(entry, dict) or not {"office", "courier", "from"} <= set(entry):
        raise error(ConfigError, "error.cal_leave_entry")
    courier = entry["courier"]
    if not isinstance(courier, int) or isinstance(courier, bool):
        raise error(ConfigError, "error.cal_leave_courier", value=repr(courier))
    first = _as_date(entry["from"], "leave.from")
    return Leave(str(entry["office"]), courier, first, _as_date(entry.get("to", first), "leave.to"))
