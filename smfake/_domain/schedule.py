"""Rotation schedules (§7.1): RotationRules validated as RotateSecret validates them, and the
rotation windows they open (§7.2 NextRotationDate). All times are UTC."""

from __future__ import annotations

import calendar
import itertools
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Literal

from smfake._domain import messages
from smfake._domain.errors import InvalidParameterException

_ONE_HOUR = timedelta(hours=1)
_END_OF_DAY = time(23, 59, 59)
# Any schedule that fires repeats every 400 years (the Gregorian cycle), so a search of one cycle
# plus the month it starts in either finds the next start or proves there is none.
_HORIZON_MONTHS = 400 * 12 + 1
_REFERENCE = datetime(2000, 1, 1, tzinfo=timezone.utc)
# [D] "You can rotate a secret as often as every four hours."
_MIN_HOURS_APART = 4

_MONTH_NAMES = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
        start=1,
    )
}
# Cron numbers the days of the week from 1 = SUN to 7 = SAT.
_WEEKDAY_NAMES = {
    name: number
    for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)
}
_NUMBER = re.compile(r"[0-9]+")
# [U] The units are accepted in either number: the docs list hour, hours, day and days without
# tying them to the value, unlike EventBridge.
_RATE = re.compile(r"rate\(\s*([0-9]+)\s+(hours?|days?)\s*\)")
_CRON = re.compile(r"cron\((.*)\)")
_DURATION = re.compile(r"([0-9]+)h")


@dataclass(frozen=True, slots=True)
class RotationRules:
    automatically_after_days: int | None
    schedule_expression: str | None
    duration: str | None

    def next_window(self, after: datetime) -> tuple[datetime, datetime]:
        """The next rotation window (start, end) for a secret last rotated (or configured) at
        ``after``. Rotation happens at ``start``; NextRotationDate reports ``end``."""
        if after.tzinfo is None or after.utcoffset() is None:
            raise ValueError(f"next_window() takes an aware datetime, got {after!r}")
        return _plan(self).window(after.astimezone(timezone.utc))


def parse_rules(
    *, automatically_after_days: int | None, schedule_expression: str | None, duration: str | None
) -> RotationRules:
    """Validate RotationRules as AWS does; raise InvalidParameterException with AWS's message."""
    rules = RotationRules(automatically_after_days, schedule_expression, duration)
    _plan(rules)
    return rules


_DayKind = Literal["dates", "last", "weekdays", "nth", "last_weekday"]


@dataclass(frozen=True, slots=True)
class _Days:
    """Which days of a month a cron expression selects."""

    kind: _DayKind
    values: frozenset[int] = frozenset()
    weekday: int = 0
    nth: int = 0

    def in_month(self, year: int, month: int) -> list[int]:
        first, length = calendar.monthrange(year, month)
        if self.kind == "dates":
            return [day for day in sorted(self.values) if day <= length]
        if self.kind == "last":
            return [length]
        # Python's Monday = 0 numbering shifted to cron's Sunday = 1.
        weekdays = {day: (first + day) % 7 + 1 for day in range(1, length + 1)}
        if self.kind == "weekdays":
            return [day for day, weekday in weekdays.items() if weekday in self.values]
        matching = [day for day, weekday in weekdays.items() if weekday == self.weekday]
        if self.kind == "last_weekday":
            return matching[-1:]
        return matching[self.nth - 1 : self.nth]


_EVERY_DAY = _Days("dates", frozenset(range(1, 32)))
_EVERY_MONTH = frozenset(range(1, 13))


@dataclass(frozen=True, slots=True)
class _Cron:
    expression: str
    hours: tuple[int, ...]
    months: frozenset[int]
    days: _Days

    def next_start(self, after: datetime) -> datetime:
        year, month = after.year, after.month
        for _ in range(_HORIZON_MONTHS):
            if month in self.months:
                for day in self.days.in_month(year, month):
                    for hour in self.hours:
                        start = datetime(year, month, day, hour, tzinfo=timezone.utc)
                        if start > after:
                            return start
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        raise InvalidParameterException(messages.CRON_NEVER_MATCHES, expression=self.expression)


@dataclass(frozen=True, slots=True)
class _Plan:
    every_days: int
    cron: _Cron | None
    duration: timedelta | None

    def window(self, after: datetime) -> tuple[datetime, datetime]:
        if self.cron is None:
            day = after.date() + timedelta(days=self.every_days)
            start = datetime.combine(day, time(), timezone.utc)
            daily = True
        else:
            start = self.cron.next_start(after)
            daily = len(self.cron.hours) == 1
        if self.duration is not None:
            return start, start + self.duration
        if daily:
            # AWS reports NextRotationDate of a schedule in days at 23:59:59 of the day.
            return start, datetime.combine(start.date(), _END_OF_DAY, timezone.utc)
        return start, start + _ONE_HOUR


def _plan(rules: RotationRules) -> _Plan:
    days, expression = rules.automatically_after_days, rules.schedule_expression
    if days is not None and expression is not None:
        raise InvalidParameterException(messages.ROTATION_DAYS_AND_SCHEDULE)
    if expression is not None:
        every_days, cron = _parse_expression(expression)
    elif days is not None:
        if not 1 <= days <= 1000:
            raise InvalidParameterException(messages.ROTATION_DAYS_RANGE)
        every_days, cron = days, None
    else:
        # [U] A RotationRules holding only a Duration (or nothing) schedules nothing.
        raise InvalidParameterException(messages.ROTATION_RULES_EMPTY)
    if rules.duration is None:
        return _Plan(every_days, cron, None)
    hours = _parse_duration(rules.duration)
    if cron is not None:
        _check_fits(cron.hours, hours, rules.duration)
    # Windows in days open at midnight, so any duration of at most 24h ends by the next day.
    return _Plan(every_days, cron, timedelta(hours=hours))


def _parse_expression(expression: str) -> tuple[int, _Cron | None]:
    rate = _RATE.fullmatch(expression)
    if rate is not None:
        value = int(rate[1])
        if value == 0:
            raise InvalidParameterException(messages.RATE_INVALID, expression=expression)
        if rate[2].startswith("hour"):
            if value < _MIN_HOURS_APART:
                raise InvalidParameterException(
                    messages.SCHEDULE_TOO_FREQUENT, expression=expression
                )
            if value > 23:
                # [U] Rate windows in hours restart at each midnight [D], which leaves no
                # meaning to 24 hours or more; AWS's answer is unknown.
                raise InvalidParameterException(messages.RATE_HOURS_RANGE, expression=expression)
            hours = tuple(range(0, 24, value))
            return 0, _Cron(expression, hours, _EVERY_MONTH, _EVERY_DAY)
        if value > 999:
            # [D] "The maximum rotation period is 999 days."
            raise InvalidParameterException(messages.RATE_DAYS_RANGE, expression=expression)
        return value, None
    if expression.startswith("rate("):
        raise InvalidParameterException(messages.RATE_INVALID, expression=expression)
    cron = _CRON.fullmatch(expression)
    if cron is None:
        raise InvalidParameterException(messages.SCHEDULE_INVALID, expression=expression)
    return 0, _parse_cron(expression, cron[1].split())


def _parse_cron(expression: str, fields: list[str]) -> _Cron:
    if len(fields) != 6:
        raise InvalidParameterException(messages.CRON_FIELD_COUNT, expression=expression)
    # [U] Names and L are accepted in any letter case, as EventBridge accepts them.
    minutes, hours_text, dom, month_text, dow, year = (field.upper() for field in fields)
    if _int(minutes) != 0:
        raise InvalidParameterException(messages.CRON_MINUTES, expression=expression)
    if year != "*":
        raise InvalidParameterException(messages.CRON_YEAR, expression=expression)
    if (dom == "?") == (dow == "?"):
        raise InvalidParameterException(messages.CRON_DAY_FIELDS, expression=expression)

    def invalid(field: str, value: str) -> InvalidParameterException:
        return InvalidParameterException(
            messages.CRON_FIELD_INVALID, expression=expression, field=field, value=value
        )

    hours = _values(hours_text, 0, 23, {})
    if hours is None:
        raise invalid("Hours", fields[1])
    months = _values(month_text, 1, 12, _MONTH_NAMES)
    if months is None:
        raise invalid("Month", fields[3])
    days = _day_of_week(dow) if dom == "?" else _day_of_month(dom)
    if days is None:
        if dom == "?":
            raise invalid("Day-of-week", fields[4])
        raise invalid("Day-of-month", fields[2])
    ordered = tuple(sorted(hours))
    # [U] The four-hour minimum [D] is checked within a day only: increments restart at each
    # midnight [D] (cron(0 0/7 * * ? *) fires at 21:00 and again at 00:00), as rate() does.
    if any(b - a < _MIN_HOURS_APART for a, b in itertools.pairwise(ordered)):
        raise InvalidParameterException(messages.SCHEDULE_TOO_FREQUENT, expression=expression)
    cron = _Cron(expression, ordered, months, days)
    # [U] A cron that never matches (cron(0 0 30 2 ? *)) is refused rather than never rotating.
    cron.next_start(_REFERENCE)
    return cron


def _day_of_month(text: str) -> _Days | None:
    if text == "L":
        return _Days("last")
    if text.endswith("L"):
        # [D] "In Day-of-month, you can also specify the last named day of the month, for
        # example SUNL means the last Sunday of the month." W and L-n are not documented.
        weekday = _weekday(text[:-1])
        return None if weekday is None else _Days("last_weekday", weekday=weekday)
    dates = _values(text, 1, 31, {})
    return None if dates is None else _Days("dates", dates)


def _day_of_week(text: str) -> _Days | None:
    if text == "L":
        # The last day of the week, as in Quartz, whose syntax AWS's follows.
        return _Days("weekdays", frozenset({7}))
    if "#" in text:
        day_text, _, nth_text = text.partition("#")
        weekday, nth = _weekday(day_text), _int(nth_text)
        if weekday is None or nth is None or not 1 <= nth <= 5:
            return None
        return _Days("nth", weekday=weekday, nth=nth)
    if text.endswith("L"):
        weekday = _weekday(text[:-1])
        return None if weekday is None else _Days("last_weekday", weekday=weekday)
    weekdays = _values(text, 1, 7, _WEEKDAY_NAMES)
    return None if weekdays is None else _Days("weekdays", weekdays)


def _values(text: str, low: int, high: int, names: dict[str, int]) -> frozenset[int] | None:
    """The values of a list of `*`, `a`, `a-b`, each optionally `/step`; None when invalid."""
    found: set[int] = set()
    for part in text.split(","):
        base, slash, step_text = part.partition("/")
        step = _int(step_text) if slash else 1
        if step is None or step == 0:
            return None
        if base == "*":
            first: int | None = low
            last: int | None = high
        else:
            first_text, dash, last_text = base.partition("-")
            first = _token(first_text, names)
            # `a/step` runs to the end of the field, as in `4/12` for hours.
            last = _token(last_text, names) if dash else (high if slash else first)
        # [U] Ranges that wrap around (22-2) are refused.
        if first is None or last is None or not low <= first <= last <= high:
            return None
        found.update(range(first, last + 1, step))
    return frozenset(found)


def _weekday(text: str) -> int | None:
    weekday = _token(text, _WEEKDAY_NAMES)
    return weekday if weekday is not None and 1 <= weekday <= 7 else None


def _token(text: str, names: dict[str, int]) -> int | None:
    number = _int(text)
    return number if number is not None else names.get(text)


def _int(text: str) -> int | None:
    # int() alone would also take "+1", " 1", "1_0" and non-ASCII digits.
    return int(text) if _NUMBER.fullmatch(text) else None


def _parse_duration(duration: str) -> int:
    match = _DURATION.fullmatch(duration)
    if match is None or not 1 <= int(match[1]) <= 24:
        raise InvalidParameterException(messages.DURATION_INVALID, duration=duration)
    return int(match[1])


def _check_fits(starts: tuple[int, ...], hours: int, duration: str) -> None:
    if any(b - a < hours for a, b in itertools.pairwise(starts)):
        raise InvalidParameterException(messages.DURATION_INTO_NEXT_WINDOW, duration=duration)
    if starts[-1] + hours > 24:
        raise InvalidParameterException(messages.DURATION_INTO_NEXT_DAY, duration=duration)
