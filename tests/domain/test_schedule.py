"""Rotation schedules (§7.1, §7.2): RotationRules validation and rotation windows."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from smfake._domain import messages
from smfake._domain.errors import InvalidParameterException
from smfake._domain.schedule import RotationRules, parse_rules

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def rules(days=None, expression=None, duration=None):
    return parse_rules(
        automatically_after_days=days, schedule_expression=expression, duration=duration
    )


# -- windows -----------------------------------------------------------------------------------

WINDOWS = [
    # AutomaticallyAfterDays: the UTC day `after + N`, 00:00 to 23:59:59.
    ({"days": 1}, utc(2024, 3, 10, 15, 30), utc(2024, 3, 11), utc(2024, 3, 11, 23, 59, 59)),
    ({"days": 1}, utc(2024, 2, 28, 10), utc(2024, 2, 29), utc(2024, 2, 29, 23, 59, 59)),
    (
        {"days": 30},
        datetime(2024, 1, 31, 23, 59, 59, 999999, tzinfo=timezone.utc),
        utc(2024, 3, 1),
        utc(2024, 3, 1, 23, 59, 59),
    ),
    ({"days": 1000}, utc(2020, 1, 1), utc(2022, 9, 27), utc(2022, 9, 27, 23, 59, 59)),
    ({"days": 7}, utc(2001, 5, 5, 8), utc(2001, 5, 12), utc(2001, 5, 12, 23, 59, 59)),
    ({"days": 1, "duration": "3h"}, utc(2024, 3, 10), utc(2024, 3, 11), utc(2024, 3, 11, 3)),
    ({"days": 2, "duration": "24h"}, utc(2024, 3, 10), utc(2024, 3, 12), utc(2024, 3, 13)),
    # rate() in days behaves as AutomaticallyAfterDays.
    (
        {"expression": "rate(1 day)"},
        utc(2023, 12, 31, 12),
        utc(2024, 1, 1),
        utc(2024, 1, 1, 23, 59, 59),
    ),
    (
        {"expression": "rate(10 days)"},
        utc(2023, 2, 25),
        utc(2023, 3, 7),
        utc(2023, 3, 7, 23, 59, 59),
    ),
    (
        {"expression": "rate(999 days)"},
        utc(2024, 1, 1),
        utc(2026, 9, 26),
        utc(2026, 9, 26, 23, 59, 59),
    ),
    (
        {"expression": "rate(2 days)", "duration": "6h"},
        utc(2024, 12, 31, 18),
        utc(2025, 1, 2),
        utc(2025, 1, 2, 6),
    ),
    # rate() in hours: windows every N hours from each midnight, 1h long by default.
    ({"expression": "rate(4 hours)"}, utc(2024, 5, 1), utc(2024, 5, 1, 4), utc(2024, 5, 1, 5)),
    (
        {"expression": "rate(4 hours)"},
        datetime(2024, 5, 1, 3, 59, 59, 999999, tzinfo=timezone.utc),
        utc(2024, 5, 1, 4),
        utc(2024, 5, 1, 5),
    ),
    ({"expression": "rate(4 hours)"}, utc(2024, 5, 1, 20), utc(2024, 5, 2), utc(2024, 5, 2, 1)),
    ({"expression": "rate(5 hours)"}, utc(2024, 5, 1, 20, 30), utc(2024, 5, 2), utc(2024, 5, 2, 1)),
    ({"expression": "rate(7 hours)"}, utc(2024, 5, 1, 21), utc(2024, 5, 2), utc(2024, 5, 2, 1)),
    (
        {"expression": "rate(12 hours)", "duration": "12h"},
        utc(2024, 5, 1, 13),
        utc(2024, 5, 2),
        utc(2024, 5, 2, 12),
    ),
    ({"expression": "rate(23 hours)"}, utc(2024, 5, 1, 1), utc(2024, 5, 1, 23), utc(2024, 5, 2)),
    (
        {"expression": "rate(6 hours)"},
        utc(1999, 12, 31, 23),
        utc(2000, 1, 1),
        utc(2000, 1, 1, 1),
    ),
    # cron(): the user guide's examples.
    (
        {"expression": "cron(0 10 * * ? *)"},
        utc(2024, 5, 1, 10),
        utc(2024, 5, 2, 10),
        utc(2024, 5, 2, 23, 59, 59),
    ),
    (
        {"expression": "cron(0 18 ? * SAT *)"},
        utc(2024, 5, 1),
        utc(2024, 5, 4, 18),
        utc(2024, 5, 4, 23, 59, 59),
    ),
    (
        {"expression": "cron(0 8 1 * ? *)"},
        utc(2024, 5, 1, 8),
        utc(2024, 6, 1, 8),
        utc(2024, 6, 1, 23, 59, 59),
    ),
    (
        {"expression": "cron(0 17 L * ? *)"},
        utc(2024, 2, 1),
        utc(2024, 2, 29, 17),
        utc(2024, 2, 29, 23, 59, 59),
    ),
    (
        {"expression": "cron(0 17 L * ? *)"},
        utc(2023, 2, 1),
        utc(2023, 2, 28, 17),
        utc(2023, 2, 28, 23, 59, 59),
    ),
    (
        {"expression": "cron(0 17 L * ? *)"},
        utc(2024, 4, 30, 17),
        utc(2024, 5, 31, 17),
        utc(2024, 5, 31, 23, 59, 59),
    ),
    (
        {"expression": "cron(0 8 ? * MON-FRI *)"},
        utc(2024, 5, 3, 8),
        utc(2024, 5, 6, 8),
        utc(2024, 5, 6, 23, 59, 59),
    ),
    (
        {"expression": "cron(0 16 1,15 * ? *)"},
        utc(2024, 5, 1, 16),
        utc(2024, 5, 15, 16),
        utc(2024, 5, 15, 23, 59, 59),
    ),
    (
        {"expression": "cron(0 0 ? * SUN#1 *)"},
        utc(2024, 5, 1),
        utc(2024, 5, 5),
        utc(2024, 5, 5, 23, 59, 59),
    ),
    # Hour increments restart each day; several windows a day default to one hour.
    (
        {"expression": "cron(0 4/12 * * ? *)"},
        utc(2024, 5, 1, 4),
        utc(2024, 5, 1, 16),
        utc(2024, 5, 1, 17),
    ),
    (
        {"expression": "cron(0 4/12 * * ? *)"},
        utc(2024, 5, 1, 16),
        utc(2024, 5, 2, 4),
        utc(2024, 5, 2, 5),
    ),
    (
        {"expression": "cron(0 0,6,12,18 * * ? *)", "duration": "6h"},
        utc(2024, 5, 1, 18),
        utc(2024, 5, 2),
        utc(2024, 5, 2, 6),
    ),
    (
        {"expression": "cron(0 20 * * ? *)", "duration": "4h"},
        utc(2024, 5, 1),
        utc(2024, 5, 1, 20),
        utc(2024, 5, 2),
    ),
    # Nth and last weekdays, month names and steps.
    (
        {"expression": "cron(0 10 ? FEB,MAY,AUG,NOV TUE#2 *)"},
        utc(2024, 12, 1),
        utc(2025, 2, 11, 10),
        utc(2025, 2, 11, 23, 59, 59),
    ),
    (
        {"expression": "cron(0 0 ? * 6L *)"},
        utc(2024, 5, 1),
        utc(2024, 5, 31),
        utc(2024, 5, 31, 23, 59, 59),
    ),
    (
        {"expression": "cron(0 0 ? * FRIL *)"},
        utc(2024, 5, 31),
        utc(2024, 6, 28),
        utc(2024, 6, 28, 23, 59, 59),
    ),
    (
        {"expression": "cron(0 0 ? * SUN#5 *)"},
        utc(2024, 5, 1),
        utc(2024, 6, 30),
        utc(2024, 6, 30, 23, 59, 59),
    ),
    (
        {"expression": "cron(0 0 1 1/4 ? *)"},
        utc(2024, 1, 1),
        utc(2024, 5, 1),
        utc(2024, 5, 1, 23, 59, 59),
    ),
    (
        {"expression": "cron(0 0 ? * 1/2 *)"},
        utc(2024, 5, 5),
        utc(2024, 5, 7),
        utc(2024, 5, 7, 23, 59, 59),
    ),
    # Leap days and long gaps.
    (
        {"expression": "cron(0 12 29 2 ? *)"},
        utc(2024, 3, 1),
        utc(2028, 2, 29, 12),
        utc(2028, 2, 29, 23, 59, 59),
    ),
    (
        {"expression": "cron(0 12 29 FEB ? *)"},
        utc(2096, 3, 1),
        utc(2104, 2, 29, 12),
        utc(2104, 2, 29, 23, 59, 59),
    ),
    (
        {"expression": "cron(0 0 ? 2 SUN#5 *)"},
        utc(2004, 3, 1),
        utc(2032, 2, 29),
        utc(2032, 2, 29, 23, 59, 59),
    ),
    (
        {"expression": "cron(0 10 * * ? *)"},
        utc(1990, 6, 15, 10),
        utc(1990, 6, 16, 10),
        utc(1990, 6, 16, 23, 59, 59),
    ),
]


@pytest.mark.parametrize(("given", "after", "start", "end"), WINDOWS)
def test_next_window(given, after, start, end):
    assert rules(**given).next_window(after) == (start, end)


def test_next_window_converts_after_to_utc():
    daily = rules(days=1)
    # 23:30 at UTC-5 is already the next UTC day.
    after = datetime(2024, 3, 10, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    start, end = daily.next_window(after)
    assert (start, end) == (utc(2024, 3, 12), utc(2024, 3, 12, 23, 59, 59))
    assert start.tzinfo == end.tzinfo == timezone.utc


def test_next_window_refuses_naive_datetime():
    with pytest.raises(ValueError, match="aware datetime"):
        rules(days=1).next_window(datetime(2024, 1, 1))


def test_next_window_without_schedule_is_refused():
    with pytest.raises(InvalidParameterException) as caught:
        RotationRules(None, None, None).next_window(utc(2024, 1, 1))
    assert caught.value.message == messages.ROTATION_RULES_EMPTY


def test_parse_rules_keeps_values_as_given():
    assert rules(expression="cron(0 4/12 * * ? *)", duration="03h") == RotationRules(
        None, "cron(0 4/12 * * ? *)", "03h"
    )
    assert rules(days=30) == RotationRules(30, None, None)


# -- choices where AWS is silent ----------------------------------------------------------------


@pytest.mark.unverified("not yet checked against AWS")
@pytest.mark.parametrize("expression", ["rate(1 days)", "rate(2 day)", "rate(5 hour)"])
def test_rate_unit_in_either_number(expression):
    assert rules(expression=expression).schedule_expression == expression


@pytest.mark.unverified("not yet checked against AWS")
def test_rate_in_hours_above_23_is_refused():
    with pytest.raises(InvalidParameterException) as caught:
        rules(expression="rate(24 hours)")
    assert caught.value.message == (
        "Invalid rate expression rate(24 hours). A rate in hours must be between 4 and 23 hours; "
        "use a rate in days for longer periods."
    )


@pytest.mark.unverified("not yet checked against AWS")
def test_rules_with_only_a_duration_are_refused():
    with pytest.raises(InvalidParameterException) as caught:
        rules(duration="2h")
    assert caught.value.message == (
        "You must specify either AutomaticallyAfterDays or ScheduleExpression in RotationRules."
    )


@pytest.mark.unverified("not yet checked against AWS")
def test_cron_names_in_any_case():
    assert rules(expression="cron(0 6 1 jan-mar ? *)").next_window(utc(2024, 3, 1, 6)) == (
        utc(2025, 1, 1, 6),
        utc(2025, 1, 1, 23, 59, 59),
    )
    assert rules(expression="cron(0 6 ? * mon#1 *)").next_window(utc(2024, 5, 1))[0] == utc(
        2024, 5, 6, 6
    )


@pytest.mark.unverified("not yet checked against AWS")
def test_cron_last_named_day_in_day_of_month():
    # The user guide's "SUNL" in Day-of-month: the last Sunday of the month.
    assert rules(expression="cron(0 0 SUNL * ? *)").next_window(utc(2024, 5, 1))[0] == utc(
        2024, 5, 26
    )


@pytest.mark.unverified("not yet checked against AWS")
def test_cron_l_alone_in_day_of_week_is_saturday():
    assert rules(expression="cron(0 0 ? * L *)").next_window(utc(2024, 5, 1))[0] == utc(2024, 5, 4)


@pytest.mark.unverified("not yet checked against AWS")
def test_cron_without_question_mark_is_refused_even_in_the_guides_example():
    # The user guide lists cron(0 1 * 1/3 SUN *) among its examples, against its own rule.
    with pytest.raises(InvalidParameterException) as caught:
        rules(expression="cron(0 1 * 1/3 SUN *)")
    assert caught.value.message == (
        "Invalid cron expression cron(0 1 * 1/3 SUN *). Use ? in exactly one of the Day-of-month "
        "and Day-of-week fields."
    )


@pytest.mark.unverified("not yet checked against AWS")
def test_cron_four_hour_minimum_is_checked_within_a_day():
    # 21:00 then 00:00 is three hours apart, as rate(7 hours) is.
    assert rules(expression="cron(0 0/7 * * ? *)").next_window(utc(2024, 5, 1, 21))[0] == utc(
        2024, 5, 2
    )
    with pytest.raises(InvalidParameterException) as caught:
        rules(expression="cron(0 0,3 * * ? *)")
    assert caught.value.message == (
        "Invalid ScheduleExpression cron(0 0,3 * * ? *). You can rotate a secret as often as "
        "every four hours."
    )


@pytest.mark.unverified("not yet checked against AWS")
def test_cron_that_never_matches_is_refused():
    with pytest.raises(InvalidParameterException) as caught:
        rules(expression="cron(0 0 30 2 ? *)")
    assert caught.value.message == (
        "Invalid cron expression cron(0 0 30 2 ? *). The expression never matches a date."
    )


@pytest.mark.unverified("not yet checked against AWS")
def test_duration_cannot_run_past_midnight_in_hours():
    # rate(5 hours) opens its last window of the day at 20:00.
    with pytest.raises(InvalidParameterException) as caught:
        rules(expression="rate(5 hours)", duration="5h")
    assert caught.value.message == (
        "Invalid Duration 5h. The rotation window must not extend into the next UTC day."
    )


# -- refusals -----------------------------------------------------------------------------------

REFUSALS = [
    ({"days": 30, "expression": "rate(10 days)"}, messages.ROTATION_DAYS_AND_SCHEDULE, {}),
    (
        {"days": 30, "expression": "not even valid", "duration": "99h"},
        messages.ROTATION_DAYS_AND_SCHEDULE,
        {},
    ),
    ({}, messages.ROTATION_RULES_EMPTY, {}),
    ({"days": 0}, messages.ROTATION_DAYS_RANGE, {}),
    ({"days": 1001}, messages.ROTATION_DAYS_RANGE, {}),
    ({"days": -1}, messages.ROTATION_DAYS_RANGE, {}),
    *(
        ({"expression": text}, messages.RATE_INVALID, {"expression": text})
        for text in (
            "rate(0 days)",
            "rate(0 hours)",
            "rate(10days)",
            "rate(-1 days)",
            "rate(1.5 days)",
            "rate(10 minutes)",
            "rate(1 week)",
            "rate(days)",
            "rate(10 Days)",
        )
    ),
    *(
        ({"expression": text}, messages.SCHEDULE_TOO_FREQUENT, {"expression": text})
        for text in (
            "rate(1 hour)",
            "rate(3 hours)",
            "cron(0 * * * ? *)",
            "cron(0 0/2 * * ? *)",
            "cron(0 1,3 * * ? *)",
            "cron(0 8-10 * * ? *)",
        )
    ),
    ({"expression": "rate(24 hours)"}, messages.RATE_HOURS_RANGE, {"expression": "rate(24 hours)"}),
    (
        {"expression": "rate(1000 days)"},
        messages.RATE_DAYS_RANGE,
        {"expression": "rate(1000 days)"},
    ),
    *(
        ({"expression": text}, messages.SCHEDULE_INVALID, {"expression": text})
        for text in ("", "every day", "cron 0 10 * * ? *", "Cron(0 10 * * ? *)", "RATE(1 day)")
    ),
    *(
        ({"expression": text}, messages.CRON_FIELD_COUNT, {"expression": text})
        for text in ("cron(0 10 * * ?)", "cron(0 0 10 * * ? *)", "cron()")
    ),
    *(
        ({"expression": text}, messages.CRON_MINUTES, {"expression": text})
        for text in ("cron(30 10 * * ? *)", "cron(* 10 * * ? *)", "cron(0/30 10 * * ? *)")
    ),
    *(
        ({"expression": text}, messages.CRON_YEAR, {"expression": text})
        for text in ("cron(0 10 * * ? 2025)", "cron(0 10 * * ? 2025-2030)")
    ),
    *(
        ({"expression": text}, messages.CRON_DAY_FIELDS, {"expression": text})
        for text in ("cron(0 10 * * * *)", "cron(0 10 ? * ? *)", "cron(0 10 1 * MON *)")
    ),
    *(
        (
            {"expression": f"cron(0 {hours} * * ? *)"},
            messages.CRON_FIELD_INVALID,
            {"expression": f"cron(0 {hours} * * ? *)", "field": "Hours", "value": hours},
        )
        for hours in ("24", "22-2", "4/0", "L", "?", "4,", "-1", "4/x", "+4")
    ),
    *(
        (
            {"expression": f"cron(0 10 1 {month} ? *)"},
            messages.CRON_FIELD_INVALID,
            {"expression": f"cron(0 10 1 {month} ? *)", "field": "Month", "value": month},
        )
        for month in ("0", "13", "JANUARY", "DEC-JAN", "L", "1#2")
    ),
    *(
        (
            {"expression": f"cron(0 10 {dom} * ? *)"},
            messages.CRON_FIELD_INVALID,
            {"expression": f"cron(0 10 {dom} * ? *)", "field": "Day-of-month", "value": dom},
        )
        for dom in ("0", "32", "15W", "W", "LW", "L-3", "1,,2", "8L", "FUNL", "1#2", "MON")
    ),
    *(
        (
            {"expression": f"cron(0 10 ? * {dow} *)"},
            messages.CRON_FIELD_INVALID,
            {"expression": f"cron(0 10 ? * {dow} *)", "field": "Day-of-week", "value": dow},
        )
        for dow in ("0", "8", "FUN", "SUN#0", "SUN#6", "SUN#", "#2", "8L", "MON,FRI#2", "SAT-SUN")
    ),
    *(
        ({"expression": text}, messages.CRON_NEVER_MATCHES, {"expression": text})
        for text in (
            "cron(0 0 30 2 ? *)",
            "cron(0 0 31 APR,JUN,SEP,NOV ? *)",
            "cron(0 0 30-31 2 ? *)",
        )
    ),
    *(
        ({"days": 1, "duration": text}, messages.DURATION_INVALID, {"duration": text})
        for text in ("0h", "25h", "100h", "3", "h", "3H", "1.5h", "", "h3", "+3h", "3hh")
    ),
    (
        {"expression": "rate(4 hours)", "duration": "5h"},
        messages.DURATION_INTO_NEXT_WINDOW,
        {"duration": "5h"},
    ),
    (
        {"expression": "cron(0 4/12 * * ? *)", "duration": "13h"},
        messages.DURATION_INTO_NEXT_WINDOW,
        {"duration": "13h"},
    ),
    (
        {"expression": "cron(0 20 * * ? *)", "duration": "5h"},
        messages.DURATION_INTO_NEXT_DAY,
        {"duration": "5h"},
    ),
    (
        {"expression": "cron(0 1 ? * MON *)", "duration": "24h"},
        messages.DURATION_INTO_NEXT_DAY,
        {"duration": "24h"},
    ),
]


@pytest.mark.parametrize(("given", "template", "fields"), REFUSALS)
def test_parse_rules_refuses(given, template, fields):
    with pytest.raises(InvalidParameterException) as caught:
        rules(**given)
    assert caught.value.code == "InvalidParameterException"
    assert caught.value.message == template.format(**fields)


def test_both_frequency_and_expression_message_is_awss():
    # [I] hashicorp/terraform-provider-aws#33329, quoted from AWS.
    with pytest.raises(InvalidParameterException) as caught:
        rules(days=1, expression="rate(10 hours)")
    assert caught.value.message == (
        "You cannot specify both rotation frequency and schedule expression together."
    )


@pytest.mark.parametrize(
    ("template", "fields", "text"),
    [
        (
            messages.ROTATION_DAYS_RANGE,
            {},
            "RotationRules.AutomaticallyAfterDays must be within 1-1000.",
        ),
        (
            messages.SCHEDULE_INVALID,
            {"expression": "x"},
            "Invalid ScheduleExpression x. Use a rate() or cron() expression.",
        ),
        (
            messages.RATE_INVALID,
            {"expression": "rate(0 days)"},
            "Invalid rate expression rate(0 days). Use rate(Value Unit), where Value is a positive "
            "integer and Unit is hour, hours, day or days.",
        ),
        (
            messages.RATE_DAYS_RANGE,
            {"expression": "rate(1000 days)"},
            "Invalid rate expression rate(1000 days). The maximum rotation period is 999 days.",
        ),
        (
            messages.CRON_FIELD_COUNT,
            {"expression": "cron()"},
            "Invalid cron expression cron(). Use cron(Minutes Hours Day-of-month Month "
            "Day-of-week Year).",
        ),
        (
            messages.CRON_MINUTES,
            {"expression": "c"},
            "Invalid cron expression c. The Minutes field must be 0.",
        ),
        (
            messages.CRON_YEAR,
            {"expression": "c"},
            "Invalid cron expression c. The Year field must be *.",
        ),
        (
            messages.CRON_FIELD_INVALID,
            {"expression": "c", "field": "Hours", "value": "24"},
            "Invalid cron expression c. The Hours field 24 is not valid.",
        ),
        (
            messages.DURATION_INVALID,
            {"duration": "0h"},
            "Invalid Duration 0h. The rotation window must be between 1h and 24h.",
        ),
        (
            messages.DURATION_INTO_NEXT_WINDOW,
            {"duration": "5h"},
            "Invalid Duration 5h. The rotation window must not extend into the next rotation "
            "window.",
        ),
    ],
)
@pytest.mark.unverified("not yet checked against AWS")
def test_messages(template, fields, text):
    assert template.format(**fields) == text


# -- properties ---------------------------------------------------------------------------------

AFTER = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2300, 1, 1),
    timezones=st.just(timezone.utc),
)


def _spaced(hours: list[int]) -> bool:
    ordered = sorted(hours)
    return all(b - a >= 4 for a, b in zip(ordered, ordered[1:], strict=False))


HOURS = st.one_of(
    st.integers(0, 23).map(lambda h: (str(h), {h})),
    st.tuples(st.integers(0, 23), st.integers(4, 24)).map(
        lambda p: (f"{p[0]}/{p[1]}", set(range(p[0], 24, p[1])))
    ),
    st.lists(st.integers(0, 23), min_size=2, max_size=4, unique=True)
    .filter(_spaced)
    .map(lambda hs: (",".join(map(str, hs)), set(hs))),
)


def _last_day(d: date) -> int:
    return calendar.monthrange(d.year, d.month)[1]


# Each field comes with an independent reading of it, written with Python's weekday()
# (Monday = 0), to check the module's cron numbering (Sunday = 1).
DAYS_OF_MONTH = [
    ("*", lambda d: True),
    ("L", lambda d: d.day == _last_day(d)),
    ("SUNL", lambda d: d.weekday() == 6 and d.day + 7 > _last_day(d)),
    ("1,15", lambda d: d.day in (1, 15)),
    ("10-20", lambda d: 10 <= d.day <= 20),
    ("1/10", lambda d: d.day % 10 == 1),
    ("29", lambda d: d.day == 29),
    ("31", lambda d: d.day == 31),
]
DAYS_OF_WEEK = [
    ("*", lambda d: True),
    ("L", lambda d: d.weekday() == 5),
    ("MON-FRI", lambda d: d.weekday() < 5),
    ("SUN", lambda d: d.weekday() == 6),
    ("1/2", lambda d: d.weekday() in (6, 1, 3, 5)),
    ("2,4,6", lambda d: d.weekday() in (0, 2, 4)),
    ("TUE#2", lambda d: d.weekday() == 1 and 8 <= d.day <= 14),
    ("SUN#5", lambda d: d.weekday() == 6 and d.day >= 29),
    ("6L", lambda d: d.weekday() == 4 and d.day + 7 > _last_day(d)),
]
MONTHS = [
    ("*", lambda m: True),
    ("JAN,APR,JUL,OCT", lambda m: m in (1, 4, 7, 10)),
    ("1/3", lambda m: m in (1, 4, 7, 10)),
    ("FEB-MAR", lambda m: m in (2, 3)),
    ("DEC", lambda m: m == 12),
]


@st.composite
def crons(draw):
    hours_text, hours = draw(HOURS)
    month_text, month_ok = draw(st.sampled_from(MONTHS))
    if draw(st.booleans()):
        dom, day_ok = draw(st.sampled_from(DAYS_OF_MONTH))
        dow = "?"
    else:
        dow, day_ok = draw(st.sampled_from(DAYS_OF_WEEK))
        dom = "?"
    expression = f"cron(0 {hours_text} {dom} {month_text} {dow} *)"

    def matches(moment: datetime) -> bool:
        d = moment.date()
        return moment.hour in hours and month_ok(d.month) and day_ok(d)

    return expression, matches


DURATIONS = st.one_of(st.none(), st.integers(1, 24).map(lambda n: f"{n}h"))
RULES = st.one_of(
    st.builds(lambda n, d: {"days": n, "duration": d}, st.integers(1, 1000), DURATIONS),
    st.builds(
        lambda n, d: {"expression": f"rate({n} days)", "duration": d},
        st.integers(1, 999),
        DURATIONS,
    ),
    st.builds(
        lambda n, d: {"expression": f"rate({n} hours)", "duration": d},
        st.integers(4, 23),
        DURATIONS,
    ),
    st.builds(lambda c, d: {"expression": c[0], "duration": d}, crons(), DURATIONS),
)


def _accepted(given):
    try:
        return rules(**given)
    except InvalidParameterException:
        assume(False)
        raise


@PROPERTY
@given(given=RULES, after=AFTER)
def test_windows_open_on_the_hour_after_the_last_rotation_and_stay_in_their_day(given, after):
    accepted = _accepted(given)
    start, end = accepted.next_window(after)
    assert start > after
    assert (start.minute, start.second, start.microsecond) == (0, 0, 0)
    midnight = datetime.combine(start.date() + timedelta(days=1), time(), timezone.utc)
    assert start < end <= midnight
    # Rotating at the start opens the next window no earlier than this one closes.
    following, _ = accepted.next_window(start)
    assert following >= end


@PROPERTY
@given(cron=crons(), after=AFTER)
def test_cron_next_start_is_the_first_matching_hour(cron, after):
    expression, matches = cron
    try:
        accepted = rules(expression=expression)
    except InvalidParameterException as error:
        # Only Day-of-month 29/31 restricted to months too short for it can never match.
        assert error.message == messages.CRON_NEVER_MATCHES.format(expression=expression)
        return
    start, _ = accepted.next_window(after)
    moment = after.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    horizon = after + timedelta(days=3 * 366)
    while moment <= horizon and not matches(moment):
        moment += timedelta(hours=1)
    if moment <= horizon:
        assert start == moment
    else:
        assert start > horizon


TEXT = st.text(alphabet="0123456789ahdsrtecnLW()#?*-/, ", max_size=40)


@PROPERTY
@given(
    expression=st.one_of(
        TEXT,
        TEXT.map(lambda s: f"cron({s})"),
        TEXT.map(lambda s: f"rate({s})"),
        st.lists(
            st.sampled_from(["0", "*", "?", "L", "1-5", "4/6", "SUN#2", "5L", "JAN", "MON,FRI"]),
            min_size=6,
            max_size=6,
        ).map(lambda fields: f"cron({' '.join(fields)})"),
    ),
    duration=st.one_of(st.none(), st.text(alphabet="0123456789h", max_size=3)),
    after=AFTER,
)
def test_anything_is_either_refused_as_aws_does_or_schedules(expression, duration, after):
    try:
        accepted = rules(expression=expression, duration=duration)
    except InvalidParameterException:
        return
    start, end = accepted.next_window(after)
    assert after < start < end
