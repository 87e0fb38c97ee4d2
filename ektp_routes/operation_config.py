"""The delivery operation's options (:class:`OperationConfig`: the planning tables and ``[operation]``
of plan.toml, as stored in the ledger at start) and the one rule they give for a failed card: when,
and in which window, it is due again (:func:`retry_due`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from ektp_routes._errors import ConfigError
from ektp_routes.config import PlanConfig, check_types, toml_error
from ektp_routes.i18n import error
from ektp_routes.ledger import Ledger, Outcome, Rules
from ektp_routes.workcalendar import WorkCalendar, calendar_from_table

RetryWindow = Literal["any", "late", "weekend"]
_OPERATION_KEYS = {
    "attempt_limit",
    "family_handover",
    "final_outcomes",
    "retry_after_days",
    "not_home_window",
    "late_window_h",
    "route_time_limit_s",
    "working_days",
    "closures",
    "leave",
    "public_holidays",
}


@dataclass(frozen=True)
class OperationConfig:
    """Options of the delivery operation (the planning tables and ``[operation]`` of plan.toml).

    Parameters
    ----------
    plan
        Fleet, bag, shift, service times and solver options shared with ``plan``.
    rules
        Attempt limit, family handover, final outcomes.
    calendar
        Working days, holidays, closures, courier leave.
    retry_after_days
        Days after a failed attempt before the card is due again.
    not_home_window
        Where a "not home" re-delivery goes: "late" (the late window of the shift), "weekend" (the
        next working Saturday/Sunday) or "any".
    late_window_h
        The late window, hours from the start of the shift.
    route_time_limit_s
        Solver time per courier-day.
    """

    plan: PlanConfig = field(default_factory=PlanConfig)
    rules: Rules = field(default_factory=Rules)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    retry_after_days: int = 1
    not_home_window: RetryWindow = "late"
    late_window_h: tuple[float, float] = (4.0, 7.0)
    route_time_limit_s: float = 1.0

    def __post_init__(self) -> None:
        if self.not_home_window not in ("any", "late", "weekend"):
            raise error(ConfigError, "error.op_not_home_window", value=repr(self.not_home_window))
        lo, hi = self.late_window_h
        if not 0 <= lo < hi <= self.plan.fleet.shift_s / 3600:
            raise error(ConfigError, "error.op_late_window", value=list(self.late_window_h))
        if not 0 <= self.retry_after_days <= 30 or not 0 < self.route_time_limit_s <= 600:
            raise error(ConfigError, "error.op_limits")

    @classmethod
    def from_toml_text(cls, text: str, *, source: str = "plan.toml") -> OperationConfig:
        """Parse plan.toml text (an empty text gives the defaults); errors name the file ``source``."""
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise toml_error(source, exc) from None
        plan_t, op = doc.get("plan", {}), doc.get("operation", {})
        if not isinstance(plan_t, dict) or not isinstance(op, dict):
            raise error(ConfigError, "error.op_not_tables")
        unknown = set(op) - _OPERATION_KEYS
        if unknown:
            raise error(
                ConfigError, "error.op_unknown_keys", keys=sorted(unknown), known=sorted(_OPERATION_KEYS)
            )
        check_types(op, _OPERATION_TYPES, section="operation", choices=list(Outcome))
        try:
            plan = PlanConfig.from_document(doc, source=source, other_tables=("operation",))
            rules = Rules(
                attempt_limit=op.get("attempt_limit", 3),
                family_handover=op.get("family_handover", True),
                final_outcomes=frozenset(
                    Outcome(o) for o in op.get("final_outcomes", Rules().final_outcomes)
                ),
            )
            return cls(
                plan=plan,
                rules=rules,
                calendar=calendar_from_table(op),
                retry_after_days=op.get("retry_after_days", 1),
                not_home_window=op.get("not_home_window", "late"),
                late_window_h=tuple(op.get("late_window_h", (4.0, 7.0))),  # type: ignore[arg-type]
                route_time_limit_s=float(op.get("route_time_limit_s", 1.0)),
            )
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ConfigError):
                raise
            raise error(ConfigError, "error.op_value", why=exc) from None


#: The type of each [operation] value read here (the calendar's are checked by calendar_from_table).
_OPERATION_TYPES = {
    "attempt_limit": "int", "retry_after_days": "int", "family_handover": "bool",
    "route_time_limit_s": "number", "late_window_h": "pair", "final_outcomes": "list",
}  # fmt: skip


def load_config(ledger: Ledger) -> OperationConfig:
    """The operation's configuration as stored in the ledger at start."""
    return OperationConfig.from_toml_text(ledger.meta("config_toml") or "")


def retry_due(config: OperationConfig, outcome: Outcome, day: date) -> tuple[date, RetryWindow]:
    """When (and in which window) a card that failed on ``day`` with ``outcome`` is due again."""
    nxt = config.calendar.next_working_day(day + timedelta(days=max(1, config.retry_after_days)))
    if outcome is Outcome.TIDAK_DI_RUMAH and config.not_home_window == "weekend":
        return config.calendar.next_weekend_day(nxt), "weekend"
    if outcome is Outcome.TIDAK_DI_RUMAH and config.not_home_window == "late":
        return nxt, "late"
    return nxt, "any"
