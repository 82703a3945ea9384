"""Model constraints that botocore leaves to the server (max, pattern, enum; and min/required
for raw HTTP callers), reported in AWS's generic ValidationException form (§1)."""

from __future__ import annotations

import functools
import re
import sys
from typing import Any

from smfake._domain import messages
from smfake._domain.errors import SerializationException, ValidationException
from smfake._wire.model import service_model

# AWS treats an empty value as "no value given" (§18 PutSecretValue): the operation reports
# its own error rather than a length violation.
_EMPTY_MEANS_ABSENT = frozenset({"SecretString", "SecretBinary"})


def check(operation: str, params: dict[str, Any]) -> None:
    # Most calls repeat the same few shapes of flat request (GetSecretValue of an id,
    # PutSecretValue of a new value with a new token): remember the shapes that passed, so
    # that each is walked against the model once. Only requests whose values are all
    # strings, bytes, ints or bools are remembered; anything else is walked each time.
    key = _flat_key(operation, params)
    if key is not None and key in _passed:
        return
    _walk(operation, params)
    if key is not None:
        if len(_passed) >= _PASSED_LIMIT:
            _passed.clear()
        _passed.add(key)


_PASSED_LIMIT = 4096
_passed: set[tuple[object, ...]] = set()


def _flat_key(operation: str, params: dict[str, Any]) -> tuple[object, ...] | None:
    """What decides whether a flat request passes: per member, its type, and its value
    where a pattern or an enum checks it, else only that its size is within bounds. None
    when the request must be walked."""
    rules = _member_rules(operation)
    items: list[object] = [operation]
    for name, value in params.items():
        kind = type(value)
        if kind not in (str, bytes, int, bool):
            return None
        rule = rules.get(name)
        if rule is None:  # not a member, or a value that must be seen: keyed by itself
            if kind is bytes or name in _sensitive_members(operation):
                return None  # a secret value must not outlive its call in a module-level set
            items += (name, kind, value)
            continue
        low, high = rule
        size = value if kind is int else len(value) if kind is not bool else 0
        if not (low <= size <= high or (name in _EMPTY_MEANS_ABSENT and not value)):
            return None  # out of bounds: walked, to report it
        # The type is part of the key: True and 1 are equal but validate differently.
        items += (name, kind, None)
    return tuple(items)


@functools.cache
def _sensitive_members(operation: str) -> frozenset[str]:
    shape = service_model().operation_model(operation).input_shape
    return frozenset(
        name for name, member in shape.members.items() if member.metadata.get("sensitive")
    )


@functools.cache
def _member_rules(operation: str) -> dict[str, tuple[int, int]]:
    """The input's scalar members checked by nothing but bounds (length, or value for
    numbers): their (min, max). Members with a pattern or an enum are left out."""
    shape = service_model().operation_model(operation).input_shape
    found: dict[str, tuple[int, int]] = {}
    for name, member in shape.members.items():
        meta = member.metadata
        if member.type_name not in ("string", "blob", "integer", "long", "boolean"):
            continue
        if meta.get("pattern") or getattr(member, "enum", None):
            continue
        found[name] = (meta.get("min", -sys.maxsize), meta.get("max", sys.maxsize))
    return found


def _walk(operation: str, params: dict[str, Any]) -> None:
    shape = service_model().operation_model(operation).input_shape
    problems: list[str] = []
    _structure(shape, params, "", problems)
    if problems:
        count = len(problems)
        prefix = messages.VALIDATION_PREFIX.format(count=count, plural="" if count == 1 else "s")
        raise ValidationException(prefix + "; ".join(problems))


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _structure(shape: Any, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, dict):
        raise SerializationException(messages.SERIALIZATION)
    for name in shape.required_members:
        if value.get(name) is None:
            problems.append(messages.VALIDATION_ITEM_NULL.format(path=path + _camel(name)))
    for name, member in shape.members.items():
        if name in value and value[name] is not None:
            _member(member, value[name], path + _camel(name), problems, top=name)


_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "blob": (bytes,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "list": (list,),
    "structure": (dict,),
    "map": (dict,),
    "timestamp": (int, float),
}


def defined(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """What of ``params`` the operation's input model defines: the members it names, at every
    depth, holding values of the types it gives them. AWS ignores or refuses anything else, so
    that is all a record, a log line or a message may show of a request. ``params`` itself when
    nothing is left out."""
    kinds = _top_level_kinds(operation)
    for name, value in params.items():
        if type(value) not in kinds.get(name, ()):
            shape = service_model().operation_model(operation).input_shape
            return _defined_structure(shape, params)
    return params


@functools.cache
def _top_level_kinds(operation: str) -> dict[str, tuple[type, ...]]:
    # The scalar members, by the exact types JSON gives their values: a request made of these
    # alone is kept as it is (the usual case), anything else is rebuilt.
    shape = service_model().operation_model(operation).input_shape
    exact = {"string": (str,), "blob": (bytes,), "integer": (int,), "long": (int,)}
    exact["boolean"] = (bool,)
    return {
        name: exact[member.type_name]
        for name, member in shape.members.items()
        if member.type_name in exact
    }


_LEFT_OUT = object()


def _defined_structure(shape: Any, value: dict[str, Any]) -> dict[str, Any]:
    members = shape.members
    out = {}
    for name, item in value.items():
        member = members.get(name)
        if member is not None:
            kept = _defined_value(member, item)
            if kept is not _LEFT_OUT:
                out[name] = kept
    return out


def _defined_value(shape: Any, value: Any) -> Any:
    # Walks the model, not the value: a value nested deeper than the model is left out whole.
    if value is None or not conforms(shape, value):
        return _LEFT_OUT
    kind = shape.type_name
    if kind == "structure":
        return _defined_structure(shape, value)
    if kind == "list":
        items = (_defined_value(shape.member, item) for item in value)
        return [item for item in items if item is not _LEFT_OUT]
    if kind == "map":
        pairs = (
            (_defined_value(shape.key, k), _defined_value(shape.value, v)) for k, v in value.items()
        )
        return {k: v for k, v in pairs if k is not _LEFT_OUT and v is not _LEFT_OUT}
    return value


def conforms(shape: Any, value: Any) -> bool:
    """Whether ``value`` has the Python type that JSON gives a value of ``shape``'s type (its
    items and members are not looked at)."""
    expected = _PYTHON_TYPES.get(shape.type_name)
    return expected is None or (
        isinstance(value, expected) and (bool in expected or not isinstance(value, bool))
    )


def _expect(shape: Any, value: Any) -> None:
    if not conforms(shape, value):
        # Only raw HTTP callers can send these: botocore checks types client-side.
        raise SerializationException(messages.SERIALIZATION)


def _member(shape: Any, value: Any, path: str, problems: list[str], top: str = "") -> None:
    kind = shape.type_name
    _expect(shape, value)
    rules: list[str] = []
    if kind == "structure":
        _structure(shape, value, path + ".", problems)
        return
    if kind == "list" and isinstance(value, list):
        rules += _length_rules(shape, len(value))
        member = shape.member
        if member.type_name == "structure":
            for index, item in enumerate(value, start=1):
                _structure(member, item, f"{path}.{index}.member.", problems)
        else:
            for item in value:
                _expect(member, item)
            inner = [r for item in value for r in _scalar_rules(member, item)]
            if inner:
                unique = list(dict.fromkeys(inner))
                rules.append(f"Member must satisfy constraint: [{', '.join(unique)}]")
    elif kind in ("string", "blob", "integer", "long"):
        if top in _EMPTY_MEANS_ABSENT and len(value) == 0:
            return
        rules += _scalar_rules(shape, value)
    for rule in rules:
        if shape.metadata.get("sensitive"):
            problems.append(messages.VALIDATION_ITEM_SENSITIVE.format(path=path, rule=rule))
        else:
            problems.append(
                messages.VALIDATION_ITEM.format(value=_render(value), path=path, rule=rule)
            )


def _scalar_rules(shape: Any, value: Any) -> list[str]:
    kind = shape.type_name
    meta = shape.metadata
    if kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            return []
        rules = []
        if "max" in meta and value > meta["max"]:
            rules.append(messages.RULE_MAX_VALUE.format(limit=meta["max"]))
        if "min" in meta and value < meta["min"]:
            rules.append(messages.RULE_MIN_VALUE.format(limit=meta["min"]))
        return rules
    if not isinstance(value, (str, bytes)):
        return []
    rules = _length_rules(shape, len(value))
    if isinstance(value, str):
        pattern = meta.get("pattern")
        if pattern and not _compiled(pattern).search(value):
            rules.append(messages.RULE_PATTERN.format(pattern=pattern))
        if shape.enum and value not in shape.enum:
            rules.append(messages.RULE_ENUM.format(values=", ".join(shape.enum)))
    return rules


def _length_rules(shape: Any, length: int) -> list[str]:
    meta = shape.metadata
    rules = []
    if "max" in meta and length > meta["max"]:
        rules.append(messages.RULE_MAX_LENGTH.format(limit=meta["max"]))
    if "min" in meta and length < meta["min"]:
        rules.append(messages.RULE_MIN_LENGTH.format(limit=meta["min"]))
    return rules


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _render(value: Any) -> str:
    # Java's toString, which AWS's messages use: lists as [a, b], booleans lower-case.
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_render(v)}" for k, v in value.items()) + "}"
    return str(value)
