"""Hypothesis strategies for what Secrets Manager accepts: names, values, tags, rotation rules
and schedules, and fault schedules for rotation tests (``smfake.testing``).

Every strategy draws only values that both AWS and smfake accept, so that a test built on
them fails on the code under test, never on its inputs. Sizes are small by default (they keep
examples fast and readable) and each bound below says why it was chosen.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypedDict

from hypothesis import strategies as st

from smfake._domain.errors import ServiceError
from smfake._domain.ids import ARN_SUFFIX_ALPHABET, ARN_SUFFIX_LENGTH
from smfake._domain.rotation import STEPS
from smfake._domain.schedule import parse_rules
from smfake._domain.tags import MAX_TAGS, RESERVED_PREFIX
from smfake.errors import UsageError

__all__ = [
    "Crash",
    "FaultSchedule",
    "RotationRulesParam",
    "fault_schedules",
    "rotation_rules",
    "schedule_expressions",
    "secret_names",
    "secret_values",
    "tags",
]

# The documented name characters (AWS_SPEC §2.3). AWS's error message also lists `!`, but the
# docs do not, so names never use it.
NAME_CHARACTERS = string.ascii_letters + string.digits + "/_+=.@-"
MAX_NAME_LENGTH = 512  # NameType on input; responses type Name as 1-256, a model inconsistency
# A name ending like an ARN suffix makes partial-ARN lookups fail (§2.2); AWS advises against it.
_ARN_SUFFIX_TAIL = re.compile(rf"-[A-Za-z0-9]{{{ARN_SUFFIX_LENGTH}}}\Z")

MAX_VALUE_SIZE = 65536  # SecretString characters / SecretBinary bytes; the quota says bytes
DEFAULT_VALUE_SIZE = 64

MAX_TAG_KEY_LENGTH = 128
MAX_TAG_VALUE_LENGTH = 256
DEFAULT_TAG_COUNT = 5
# AWS's general tagging rules: letters, numbers and spaces in UTF-8, plus `_ . : / = + - @`.
# Characters outside the BMP are left out: AWS counts lengths in UTF-16 units, where they
# count twice, so a 128-character key of them could be refused.
_TAG_CHARACTERS = st.characters(
    categories=("L", "N", "Zs"), include_characters="_.:/=+-@", max_codepoint=0xFFFF
)

MAX_ROTATION_DAYS = 1000  # AutomaticallyAfterDays
MAX_RATE_DAYS = 999  # [D] "The maximum rotation period is 999 days."
# [D] "You can rotate a secret as often as every four hours."
MIN_HOURS_APART = 4
MAX_WINDOW_HOURS = 24  # Duration: a window never runs into the next UTC day
MAX_ATTEMPTS = 3  # one invocation plus Lambda's two retries of an asynchronous call

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


# -- names and values ---------------------------------------------------------------------------


def secret_names(
    *, min_size: int = 1, max_size: int = MAX_NAME_LENGTH, allow_arn_suffix: bool = False
) -> st.SearchStrategy[str]:
    """Secret names that CreateSecret accepts: ASCII letters, digits and ``/_+=.@-``, 1 to 512
    characters.

    Names ending in ``-`` and six letters or digits are left out unless ``allow_arn_suffix``:
    such a name makes a partial-ARN lookup fail on AWS (AWS_SPEC §2.2), which is rarely what a
    test is about. With ``allow_arn_suffix=True`` they are drawn on purpose, often.
    """
    _check_sizes("secret_names", min_size, max_size, 1, MAX_NAME_LENGTH)
    names = st.text(NAME_CHARACTERS, min_size=min_size, max_size=max_size)
    if not allow_arn_suffix:
        return names.filter(lambda name: _ARN_SUFFIX_TAIL.search(name) is None)
    tail = len("-") + ARN_SUFFIX_LENGTH
    if max_size <= tail:
        return names
    suffixed = st.builds(
        lambda head, suffix: f"{head}-{suffix}",
        st.text(NAME_CHARACTERS, min_size=max(1, min_size - tail), max_size=max_size - tail),
        st.text(ARN_SUFFIX_ALPHABET, min_size=ARN_SUFFIX_LENGTH, max_size=ARN_SUFFIX_LENGTH),
    )
    return st.one_of(names, suffixed)


def secret_values(
    *,
    min_size: int = 1,
    max_size: int = DEFAULT_VALUE_SIZE,
    strings: bool = True,
    binaries: bool = True,
) -> st.SearchStrategy[str | bytes]:
    """Secret values: ``str`` (for SecretString) and ``bytes`` (for SecretBinary), 1 to
    ``max_size`` long (64 by default; up to 65536, the service's limit).

    Strings hold any Unicode character except lone surrogates, which cannot be sent as UTF-8;
    a long string is kept within 65536 bytes of UTF-8, the quota the service documents.
    Hypothesis itself draws at most a few thousand elements, and refuses a ``min_size``
    beyond that.
    """
    _check_sizes("secret_values", min_size, max_size, 1, MAX_VALUE_SIZE)
    if not (strings or binaries):
        raise UsageError("secret_values() needs strings=True or binaries=True")
    kinds: list[st.SearchStrategy[str | bytes]] = []
    if strings:
        text = st.text(
            st.characters(exclude_categories=["Cs"]), min_size=min_size, max_size=max_size
        )
        if max_size * 4 > MAX_VALUE_SIZE:  # a character is at most 4 bytes of UTF-8
            text = text.filter(lambda value: len(value.encode("utf-8")) <= MAX_VALUE_SIZE)
        kinds.append(text)
    if binaries:
        kinds.append(st.binary(min_size=min_size, max_size=max_size))
    return st.one_of(kinds)


# -- tags ---------------------------------------------------------------------------------------


def tags(
    *, min_size: int = 0, max_size: int = DEFAULT_TAG_COUNT
) -> st.SearchStrategy[list[dict[str, str]]]:
    """Tag lists as CreateSecret and TagResource take them: ``[{"Key": ..., "Value": ...}]``.

    Keys are 1-128 characters, unique (case-sensitive, as AWS compares them) and never start
    with the reserved ``aws:`` prefix in any letter case; values are 0-256 characters. At most
    ``max_size`` tags (5 by default; up to 50, the per-secret quota).
    """
    _check_sizes("tags", min_size, max_size, 0, MAX_TAGS)
    keys = st.text(_TAG_CHARACTERS, min_size=1, max_size=MAX_TAG_KEY_LENGTH).filter(_not_reserved)
    values = st.text(_TAG_CHARACTERS, max_size=MAX_TAG_VALUE_LENGTH)
    tag = st.fixed_dictionaries({"Key": keys, "Value": values})
    return st.lists(tag, min_size=min_size, max_size=max_size, unique_by=lambda t: t["Key"])


def _not_reserved(key: str) -> bool:
    # upper() too: Java's case-insensitive comparison matches `ſ` (long s) with `S`.
    head = key[: len(RESERVED_PREFIX)]
    return head.casefold() != RESERVED_PREFIX and head.upper() != RESERVED_PREFIX.upper()


# -- schedules and rotation rules ---------------------------------------------------------------


class RotationRulesParam(TypedDict, total=False):
    """RotateSecret's ``RotationRules`` parameter."""

    AutomaticallyAfterDays: int
    ScheduleExpression: str
    Duration: str


def schedule_expressions() -> st.SearchStrategy[str]:
    """ScheduleExpression values Secrets Manager accepts: ``rate(N hours)``, ``rate(N days)``
    and ``cron(0 H D M W *)``.

    Rotations never come closer than four hours, counted across midnight too (AWS's handling
    of the gap across midnight is not documented, so it is never tested); cron expressions
    use the documented field syntax and always match some date.
    """
    return st.one_of(_rates(), _crons()).filter(_accepted_expression)


def rotation_rules(*, durations: bool = True) -> st.SearchStrategy[RotationRulesParam]:
    """RotationRules that RotateSecret accepts: ``AutomaticallyAfterDays`` (1-1000) or a
    ``ScheduleExpression`` from :func:`schedule_expressions`, and, when ``durations``, often a
    ``Duration`` that fits the schedule's windows (it never runs into the next window or the
    next UTC day)."""
    days = st.integers(1, MAX_ROTATION_DAYS).map(
        lambda n: RotationRulesParam(AutomaticallyAfterDays=n)
    )
    scheduled = schedule_expressions().map(lambda e: RotationRulesParam(ScheduleExpression=e))
    rules = st.one_of(days, scheduled)
    if not durations:
        return rules
    return rules.flatmap(_with_duration)


def _with_duration(rules: RotationRulesParam) -> st.SearchStrategy[RotationRulesParam]:
    # The longest window parse_rules accepts for this schedule; every shorter one fits too.
    longest = next(
        (h for h in range(MAX_WINDOW_HOURS, 0, -1) if _accepted({**rules, "Duration": f"{h}h"})),
        0,
    )
    if longest == 0:
        return st.just(rules)
    sized = st.integers(1, longest).map(lambda h: RotationRulesParam(**rules, Duration=f"{h}h"))
    return st.one_of(st.just(rules), sized)


def _accepted(rules: RotationRulesParam) -> bool:
    try:
        parse_rules(
            automatically_after_days=rules.get("AutomaticallyAfterDays"),
            schedule_expression=rules.get("ScheduleExpression"),
            duration=rules.get("Duration"),
        )
    except ServiceError:
        return False
    return True


def _accepted_expression(expression: str) -> bool:
    return _accepted(RotationRulesParam(ScheduleExpression=expression))


def _rates() -> st.SearchStrategy[str]:
    # Units in the number of the value, as EventBridge requires: valid whatever AWS checks.
    hours = st.sampled_from([n for n in range(MIN_HOURS_APART, 24) if _apart(range(0, 24, n))])
    days = st.integers(1, MAX_RATE_DAYS)
    return st.one_of(
        hours.map(lambda n: f"rate({n} hours)"),
        days.map(lambda n: "rate(1 day)" if n == 1 else f"rate({n} days)"),
    )


def _apart(hours: Sequence[int]) -> bool:
    ordered = sorted(hours)
    gaps = [b - a for a, b in itertools.pairwise(ordered)]
    gaps.append(24 - ordered[-1] + ordered[0])  # to the first rotation of the next day
    return min(gaps) >= MIN_HOURS_APART


def _crons() -> st.SearchStrategy[str]:
    by_date = st.tuples(_days_of_month(), st.just("?"))
    by_weekday = st.tuples(st.just("?"), _days_of_week())
    return st.builds(
        lambda hours, days, month: f"cron(0 {hours} {days[0]} {month} {days[1]} *)",
        _cron_hours(),
        st.one_of(by_date, by_weekday),
        _months(),
    )


def _cron_hours() -> st.SearchStrategy[str]:
    single = st.integers(0, 23).map(str)
    listed = (
        st.lists(st.integers(0, 23), min_size=2, max_size=6, unique=True)
        .filter(_apart)
        .map(lambda hours: ",".join(map(str, sorted(hours))))
    )
    # `start/step` fires at start, start + step, ... up to 23 (`4/12` is 04:00 and 16:00).
    stepped = st.tuples(st.integers(0, 23), st.integers(MIN_HOURS_APART, 23)).filter(
        lambda s: _apart(range(s[0], 24, s[1]))
    )
    return st.one_of(single, listed, stepped.map(lambda s: f"{s[0]}/{s[1]}"))


def _days_of_month() -> st.SearchStrategy[str]:
    # Day 29-31 is drawn too; with a month that lacks it, the expression is filtered out.
    day = st.integers(1, 31)
    return st.one_of(
        st.just("*"),
        st.just("L"),
        day.map(str),
        st.lists(day, min_size=2, max_size=4, unique=True).map(
            lambda days: ",".join(map(str, sorted(days)))
        ),
        st.tuples(day, day).map(lambda r: f"{min(r)}-{max(r)}"),
        st.tuples(st.integers(1, 28), st.integers(2, 15)).map(lambda s: f"{s[0]}/{s[1]}"),
    )


def _days_of_week() -> st.SearchStrategy[str]:
    number = st.integers(1, 7)
    name = st.sampled_from(_WEEKDAYS)
    either = st.one_of(number.map(str), name)
    return st.one_of(
        st.just("*"),
        st.just("L"),
        either,
        st.tuples(number, number).map(lambda r: f"{min(r)}-{max(r)}"),
        st.just("MON-FRI"),
        st.lists(name, min_size=2, max_size=3, unique=True).map(",".join),
        st.tuples(either, st.integers(1, 5)).map(lambda n: f"{n[0]}#{n[1]}"),  # nth weekday
        either.map(lambda day: f"{day}L"),  # last such weekday of the month
    )


def _months() -> st.SearchStrategy[str]:
    number = st.integers(1, 12)
    return st.one_of(
        st.just("*"),
        number.map(str),
        st.sampled_from(_MONTHS),
        st.tuples(number, number).map(lambda r: f"{min(r)}-{max(r)}"),
        st.lists(number, min_size=2, max_size=4, unique=True).map(
            lambda months: ",".join(map(str, sorted(months)))
        ),
        st.integers(2, 6).map(lambda step: f"*/{step}"),
    )


# -- faults for rotation tests ------------------------------------------------------------------

When = Literal["before", "after"]


@dataclass(frozen=True, slots=True)
class Crash:
    """The rotation function crashes at one invocation of one step: ``before`` it does
    anything, or ``after`` it did its work (as a timeout after a committed change would)."""

    step: str
    attempt: int = 1  # 1 for the first invocation, 2 and 3 for Lambda's retries
    when: When = "before"


@dataclass(frozen=True, slots=True)
class FaultSchedule:
    """Which invocations of one rotation crash; empty means none."""

    crashes: tuple[Crash, ...] = ()

    def crash_for(self, step: str, attempt: int) -> Crash | None:
        """The crash planned for this invocation of ``step``, if any."""
        return next((c for c in self.crashes if (c.step, c.attempt) == (step, attempt)), None)

    def __bool__(self) -> bool:
        return bool(self.crashes)


def fault_schedules(
    *,
    max_crashes: int = MAX_ATTEMPTS,
    steps: Sequence[str] = STEPS,
    max_attempt: int = MAX_ATTEMPTS,
) -> st.SearchStrategy[FaultSchedule]:
    """Fault schedules for one rotation: up to ``max_crashes`` crashes (3 by default, enough to
    exhaust every invocation of one step), each at an attempt from 1 to ``max_attempt`` (3: the
    first invocation and Lambda's two retries) of one of ``steps``. Shrinks towards no crash.
    """
    _check_sizes("fault_schedules", 0, max_crashes, 0, len(STEPS) * MAX_ATTEMPTS)
    unknown = [step for step in steps if step not in STEPS]
    if unknown or not steps:
        raise UsageError(f"fault_schedules() takes steps among {STEPS}, got {tuple(steps)!r}")
    if not 1 <= max_attempt <= MAX_ATTEMPTS:
        raise UsageError(f"fault_schedules() takes max_attempt from 1 to 3, got {max_attempt!r}")
    crash = st.builds(
        Crash,
        st.sampled_from(tuple(steps)),
        st.integers(1, max_attempt),
        st.sampled_from(("before", "after")),
    )
    crashes = st.lists(crash, max_size=max_crashes, unique_by=lambda c: (c.step, c.attempt))
    order = {step: index for index, step in enumerate(STEPS)}
    return crashes.map(
        lambda found: FaultSchedule(tuple(sorted(found, key=lambda c: (order[c.step], c.attempt))))
    )


def _check_sizes(name: str, min_size: int, max_size: int, low: int, high: int) -> None:
    for value in (min_size, max_size):
        if not isinstance(value, int) or isinstance(value, bool):
            raise UsageError(f"{name}() takes integer sizes, got {value!r}")
    if not low <= min_size <= max_size <= high:
        raise UsageError(
            f"{name}() takes {low} <= min_size <= max_size <= {high}, "
            f"got min_size={min_size}, max_size={max_size}"
        )
