"""smfake.strategies: every strategy draws only values the fake accepts, through boto3, and the
values stay within the limits AWS documents."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis.errors import NoSuchExample

from smfake import mock_secretsmanager, strategies
from smfake._domain.schedule import parse_rules
from smfake.errors import UsageError
from smfake.strategies import Crash, FaultSchedule

CLIENT = boto3.client("secretsmanager", region_name="us-east-1")
ARN_LIKE_TAIL = re.compile(r"-[A-Za-z0-9]{6}\Z")
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
# botocore's model: ScheduleExpressionType.
SCHEDULE_PATTERN = re.compile(r"[0-9A-Za-z\(\)#\?\*\-\/, ]+")
START = datetime(2030, 1, 1, tzinfo=timezone.utc)
# Each example activates its own fake; a few dozen are plenty for the shapes drawn here.
FEW = settings(max_examples=40, deadline=None)
DRAW = settings(max_examples=300, database=None, phases=[Phase.generate])


def first(strategy: Any, condition: Any) -> Any:
    """The first value drawn that satisfies ``condition`` (no shrinking: faster)."""
    return find(strategy, condition, settings=DRAW)


def never(strategy: Any, condition: Any) -> None:
    """A few hundred draws never satisfy ``condition``."""
    with pytest.raises(NoSuchExample):
        find(strategy, condition, settings=DRAW)


def value_kwargs(value: str | bytes) -> dict[str, Any]:
    return {"SecretBinary": value} if isinstance(value, bytes) else {"SecretString": value}


def noop_handler(event: dict[str, str], context: Any) -> None:
    pass


# -- names --


@FEW
@given(name=strategies.secret_names())
def test_secret_names_are_accepted_and_found_by_partial_arn(name):
    assert 1 <= len(name) <= 512
    assert ARN_LIKE_TAIL.search(name) is None
    with mock_secretsmanager():
        arn = CLIENT.create_secret(Name=name, SecretString="v")["ARN"]
        assert CLIENT.describe_secret(SecretId=name)["Name"] == name
        assert CLIENT.get_secret_value(SecretId=arn[:-7])["ARN"] == arn


@FEW
@given(name=strategies.secret_names(allow_arn_suffix=True))
def test_secret_names_with_arn_suffix_are_accepted(name):
    with mock_secretsmanager():
        arn = CLIENT.create_secret(Name=name, SecretString="v")["ARN"]
        assert CLIENT.get_secret_value(SecretId=name)["ARN"] == arn


def test_secret_names_with_arn_suffix_are_drawn_on_purpose():
    found = first(strategies.secret_names(allow_arn_suffix=True), ARN_LIKE_TAIL.search)
    assert ARN_LIKE_TAIL.search(found)


@FEW
@given(name=strategies.secret_names(min_size=512))
def test_secret_names_reach_the_longest_name(name):
    assert len(name) == 512
    with mock_secretsmanager():
        CLIENT.create_secret(Name=name, SecretString="v")


# -- values --


@FEW
@given(value=strategies.secret_values())
def test_secret_values_are_stored_and_read_back(value):
    assert 1 <= len(value) <= strategies.DEFAULT_VALUE_SIZE
    with mock_secretsmanager():
        CLIENT.create_secret(Name="s", **value_kwargs(value))
        got = CLIENT.get_secret_value(SecretId="s")
        assert got.get("SecretBinary", got.get("SecretString")) == value


@settings(max_examples=10, deadline=None)
@given(value=strategies.secret_values(min_size=1000, max_size=65536))
def test_secret_values_can_be_large(value):
    # Hypothesis itself draws at most a few thousand characters or bytes.
    assert len(value) >= 1000
    with mock_secretsmanager():
        CLIENT.create_secret(Name="s", **value_kwargs(value))


def test_secret_values_draw_both_kinds_or_one():
    assert isinstance(first(strategies.secret_values(), lambda v: isinstance(v, str)), str)
    assert isinstance(first(strategies.secret_values(), lambda v: isinstance(v, bytes)), bytes)
    never(strategies.secret_values(binaries=False), lambda v: isinstance(v, bytes))


# -- tags --


@FEW
@given(tag_list=strategies.tags())
def test_tags_are_accepted_by_create_and_tag_resource(tag_list):
    keys = [tag["Key"] for tag in tag_list]
    assert len(keys) == len(set(keys))
    assert not any(key.lower().startswith("aws:") for key in keys)
    with mock_secretsmanager():
        kwargs = {"Tags": tag_list} if tag_list else {}
        CLIENT.create_secret(Name="created", SecretString="v", **kwargs)
        CLIENT.create_secret(Name="tagged", SecretString="v")
        CLIENT.tag_resource(SecretId="tagged", Tags=tag_list)
        expected = {tag["Key"]: tag["Value"] for tag in tag_list}
        for name in ("created", "tagged"):
            described = CLIENT.describe_secret(SecretId=name).get("Tags", [])
            assert {tag["Key"]: tag["Value"] for tag in described} == expected


@settings(max_examples=5, deadline=None)
@given(tag_list=strategies.tags(min_size=50, max_size=50))
def test_tags_reach_the_quota(tag_list):
    with mock_secretsmanager():
        CLIENT.create_secret(Name="s", SecretString="v", Tags=tag_list)


def test_tags_never_take_the_reserved_prefix_in_any_case():
    never(
        strategies.tags(min_size=1),
        lambda tags: any(t["Key"][:4].casefold() == "aws:" for t in tags),
    )


# -- schedules and rotation rules --


@settings(max_examples=300, deadline=None)
@given(expression=strategies.schedule_expressions())
def test_schedule_expressions_are_valid_and_fire(expression):
    assert len(expression) <= 256
    assert SCHEDULE_PATTERN.fullmatch(expression)
    rules = parse_rules(
        automatically_after_days=None, schedule_expression=expression, duration=None
    )
    start, end = rules.next_window(START)
    assert START < start < end


@settings(max_examples=300, deadline=None)
@given(rules=strategies.rotation_rules())
def test_rotation_rules_parse(rules):
    assert ("AutomaticallyAfterDays" in rules) != ("ScheduleExpression" in rules)
    if "AutomaticallyAfterDays" in rules:
        assert 1 <= rules["AutomaticallyAfterDays"] <= 1000
    if "Duration" in rules:
        assert re.fullmatch(r"[1-9][0-9]?h", rules["Duration"])
    parse_rules(
        automatically_after_days=rules.get("AutomaticallyAfterDays"),
        schedule_expression=rules.get("ScheduleExpression"),
        duration=rules.get("Duration"),
    )


@FEW
@given(rules=strategies.rotation_rules())
def test_rotation_rules_are_accepted_by_rotate_secret(rules):
    with mock_secretsmanager() as fake:
        function = fake.register_rotation_function("noop", noop_handler)
        CLIENT.create_secret(Name="s", SecretString="v")
        CLIENT.rotate_secret(
            SecretId="s", RotationLambdaARN=function, RotationRules=rules, RotateImmediately=False
        )
        described = CLIENT.describe_secret(SecretId="s")
        assert described["RotationEnabled"] is True
        assert "NextRotationDate" in described
        for key in ("ScheduleExpression", "Duration"):
            assert described["RotationRules"].get(key) == rules.get(key)


def test_rotation_rules_draw_every_form():
    def has(*keys: str) -> Any:
        return lambda rules: set(keys) <= set(rules)

    for keys in (
        ("AutomaticallyAfterDays",),
        ("AutomaticallyAfterDays", "Duration"),
        ("ScheduleExpression",),
        ("ScheduleExpression", "Duration"),
    ):
        first(strategies.rotation_rules(), has(*keys))
    never(strategies.rotation_rules(durations=False), has("Duration"))
    for prefix in ("rate(", "cron("):
        first(strategies.schedule_expressions(), lambda e, p=prefix: e.startswith(p))


# -- fault schedules --


@settings(max_examples=200, deadline=None)
@given(faults=strategies.fault_schedules())
def test_fault_schedules_name_each_invocation_once_in_step_order(faults):
    assert len(faults.crashes) <= 3
    seen = [(c.step, c.attempt) for c in faults.crashes]
    assert len(seen) == len(set(seen))
    assert seen == sorted(seen, key=lambda s: (STEPS.index(s[0]), s[1]))
    for crash in faults.crashes:
        assert crash.step in STEPS
        assert 1 <= crash.attempt <= 3
        assert crash.when in ("before", "after")
        assert faults.crash_for(crash.step, crash.attempt) is crash
    assert bool(faults) == bool(faults.crashes)


def test_fault_schedules_shrink_to_no_crash():
    assert find(strategies.fault_schedules(), lambda f: True) == FaultSchedule(())
    one = find(strategies.fault_schedules(), bool)
    assert one == FaultSchedule((Crash("createSecret", 1, "before"),))


def test_fault_schedules_keep_to_the_steps_and_attempts_asked_for():
    only = strategies.fault_schedules(steps=["setSecret"], max_attempt=1, max_crashes=1)
    never(only, lambda f: any(c.step != "setSecret" or c.attempt != 1 for c in f.crashes))
    assert FaultSchedule().crash_for("setSecret", 1) is None


# -- argument checks --


@pytest.mark.parametrize(
    "make",
    [
        lambda: strategies.secret_names(min_size=0),
        lambda: strategies.secret_names(max_size=513),
        lambda: strategies.secret_names(min_size=5, max_size=4),
        lambda: strategies.secret_values(max_size=65537),
        lambda: strategies.secret_values(strings=False, binaries=False),
        lambda: strategies.secret_values(max_size=True),
        lambda: strategies.tags(max_size=51),
        lambda: strategies.fault_schedules(steps=["rotateSecret"]),
        lambda: strategies.fault_schedules(steps=[]),
        lambda: strategies.fault_schedules(max_attempt=4),
        lambda: strategies.fault_schedules(max_crashes=-1),
    ],
)
def test_bad_arguments_are_usage_errors(make):
    with pytest.raises(UsageError):
        make()
