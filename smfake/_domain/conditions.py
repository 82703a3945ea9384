"""IAM condition operators, policy variables and ARN patterns, evaluated against a request
context (the Condition and Resource halves of AWS's policy evaluation logic).

Sources, all in the IAM User Guide: "Condition operators" (reference_policies_elements_
condition_operators), "Conditions with multiple context keys or values" (reference_policies_
multi-value-conditions), "Multivalued context key examples", "Policy variables" (reference_
policies_variables) and "Resource" (reference_policies_elements_resource).

Context keys are matched case-insensitively (policy variables page: "Key names are
case-insensitive"); callers pass the context through ``normalize`` first.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TypeAlias

from smfake._domain.policy import Condition

ContextScalar: TypeAlias = str | bool | int | datetime | bytes
ContextValue: TypeAlias = str | bool | int | datetime | bytes | Sequence[str]
# A pattern after policy-variable expansion: runs of text, each flagged True when its ``*`` and
# ``?`` are wildcards (policy text) or False when literal (a substituted value, ``${*}``).
Pattern: TypeAlias = tuple[tuple[str, bool], ...]

# Negated operators: several policy values combine with NOR, not OR ("Evaluation logic for
# negated matching condition operators"), and a missing key makes them true (operators page).
NEGATED = frozenset(
    {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals"}
    | {"ArnNotLike", "NumericNotEquals", "DateNotEquals", "NotIpAddress"}
)
# Policy variables work in string and ARN operators (variables page) and in Bool (operators
# page); Numeric, Date, IP, Binary and Null take their values literally.
_WITH_VARIABLES = frozenset(
    {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"}
    | {"StringLike", "StringNotLike", "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike"}
    | {"Bool"}
)
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULTED = re.compile(r"\s*([^,]+?)\s*,\s*'(.*)'\s*")
# Only the special variables ${*}, ${?} and ${$} stand for a fixed character (variables page).
_SPECIAL = {"*": "*", "?": "?", "$": "$"}
_EPOCH = re.compile(r"-?\d+")
_EPOCH_START = datetime(1970, 1, 1, tzinfo=timezone.utc)
_YEAR_MONTH = re.compile(r"(\d{4})(?:-(\d{2}))?")


class UnresolvedVariable(Exception):
    """A policy variable names a key absent from the request and has no default: IAM then
    treats the statement as invalid ("not present ... causes the statement to be invalid")."""


def normalize(context: Mapping[str, ContextValue]) -> dict[str, ContextValue]:
    return {key.lower(): value for key, value in context.items()}


# -- policy variables and patterns -------------------------------------------------------------


def expand(text: str, context: Mapping[str, ContextValue], *, variables: bool) -> Pattern:
    """``text`` with each ``${key}`` / ``${key, 'default'}`` replaced by the request's value.
    Variables exist only in policy language 2012-10-17; older documents keep ``${...}``
    literally (variables page), which ``variables=False`` gives."""
    if not variables or "${" not in text:
        return ((text, True),)
    parts: list[tuple[str, bool]] = []
    position = 0
    for found in _VARIABLE.finditer(text):
        parts.append((text[position : found.start()], True))
        parts.append((_resolve(found.group(1), context), False))
        position = found.end()
    parts.append((text[position:], True))
    return tuple(part for part in parts if part[0])


def _resolve(body: str, context: Mapping[str, ContextValue]) -> str:
    if body in _SPECIAL:
        return _SPECIAL[body]
    defaulted = _DEFAULTED.fullmatch(body)
    name, default = defaulted.groups() if defaulted else (body.strip(), None)
    value = context.get(name.lower())
    if isinstance(value, (str, bool, int, datetime, bytes)):
        return as_text(value)
    # Multivalued keys cannot stand in a single string either.
    if default is not None:
        return default
    raise UnresolvedVariable(name)


def literal(pattern: Pattern) -> str:
    return "".join(text for text, _ in pattern)


@lru_cache(maxsize=4096)
def _regex(pattern: Pattern, resource: bool) -> re.Pattern[str]:
    out: list[str] = []
    for index, (text, wild) in enumerate(pattern):
        if not wild:
            out.append(re.escape(text))
            continue
        for position, char in enumerate(text):
            if char == "?":
                out.append("[^:]" if resource else ".")
            elif char != "*":
                out.append(re.escape(char))
            elif not resource or _segment_ends(pattern, index, position):
                # In a Resource ARN a ``*`` that ends its segment may run past colons; any
                # other ``*`` or ``?`` stays within its segment (Resource element page).
                out.append(".*")
            else:
                out.append("[^:]*")
    return re.compile("".join(out), re.DOTALL)


def _segment_ends(pattern: Pattern, index: int, position: int) -> bool:
    rest = pattern[index][0][position + 1 :] + "".join(text for text, _ in pattern[index + 1 :])
    return rest == "" or rest.startswith(":")


def like(pattern: Pattern, value: str) -> bool:
    """StringLike: ``*`` any run, ``?`` any one character, case-sensitive."""
    return _regex(pattern, False).fullmatch(value) is not None


def resource_matches(
    pattern: str, resource: str, context: Mapping[str, ContextValue], *, variables: bool
) -> bool:
    """One entry of a Resource/NotResource element against the requested resource."""
    if pattern == "*":
        return True
    if resource == "*":
        # Actions without resource-level permissions (ListSecrets, GetRandomPassword) are
        # requested on "*", which only a bare "*" covers.
        return False
    expanded = expand(_fold_prefix(pattern), context, variables=variables)
    return _regex(expanded, True).fullmatch(_fold_prefix(resource)) is not None


def _fold_prefix(arn: str) -> str:
    # smfake's choice [U]: partition and service are lower-case in every ARN, so compare them
    # without case; the rest of an ARN is case-sensitive (Resource element page).
    parts = arn.split(":", 3)
    if len(parts) < 4 or parts[0].lower() != "arn":
        return arn
    return ":".join([part.lower() for part in parts[:3]] + [parts[3]])


def arn_like(
    policy_value: str, value: str, context: Mapping[str, ContextValue], *, variables: bool
) -> bool:
    """ArnEquals/ArnLike: each of the six colon-separated parts matches on its own, so a
    wildcard never crosses into the next part (operators page)."""
    wanted = policy_value.split(":", 5)
    given = value.split(":", 5)
    if len(wanted) != 6 or len(given) != 6:
        return False
    return all(
        like(expand(part, context, variables=variables), actual)
        for part, actual in zip(wanted, given, strict=True)
    )


# -- request values --------------------------------------------------------------------------


def as_text(value: ContextScalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _utc(value).isoformat().replace("+00:00", "Z")
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def _members(raw: ContextValue) -> tuple[ContextScalar, ...]:
    if isinstance(raw, (str, bool, int, datetime, bytes)):
        return (raw,)
    return tuple(raw)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def parse_date(value: ContextScalar) -> datetime | None:
    """A W3C ISO 8601 date or an epoch second count, as Date operators take them (operators
    page). A bare run of digits is read as epoch seconds, not as a year."""
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, (bool, bytes)):
        return None
    if isinstance(value, int):
        return _EPOCH_START + timedelta(seconds=value)
    text = value.strip()
    if _EPOCH.fullmatch(text):
        return parse_date(int(text))
    short = _YEAR_MONTH.fullmatch(text)
    if short:
        return datetime(int(short[1]), int(short[2] or 1), 1, tzinfo=timezone.utc)
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None
    return _utc(moment)


def _number(value: ContextScalar | str) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _address(value: ContextScalar) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip()) if isinstance(value, str) else None
    except ValueError:
        return None


def _network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        # An address without a prefix is a /32 (or /128) network (operators page).
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def _bytes(value: ContextScalar | str) -> bytes | None:
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


# -- operators -------------------------------------------------------------------------------

Test: TypeAlias = Callable[[ContextScalar], bool]


def holds(condition: Condition, context: Mapping[str, ContextValue], *, variables: bool) -> bool:
    """Whether one key of one operator holds. Several policy values are ORed (NORed for
    negated operators); a statement's keys and operators are ANDed by the caller."""
    key = condition.key.lower()
    present = key in context
    values = _members(context[key]) if present else ()
    if condition.base == "Null":
        return _null(condition.values, empty=not values)
    if not present and condition.if_exists:
        # ...IfExists: "If the key is not present, evaluate the condition element as true."
        return True
    negated = condition.base in NEGATED
    if condition.qualifier is not None:
        # An empty set (no key, no values, or an empty string) makes ForAllValues true and
        # ForAnyValue false (multi-value conditions page).
        members = () if values in ((), ("",)) else values
        if condition.qualifier == "ForAllValues":
            if not members:
                return True
            test = _test(condition, context, variables=variables)
            return all(test(member) != negated for member in members)
        if not members:
            return False
        test = _test(condition, context, variables=variables)
        return any(test(member) != negated for member in members)
    if not values:
        # A missing key matches nothing: positive operators fail, negated ones hold.
        return negated
    # Unqualified operators on a multivalued key (AWS advises against it) [U]: the key
    # matches when any of its values does.
    test = _test(condition, context, variables=variables)
    return any(test(value) for value in values) != negated


def _null(policy_values: tuple[str, ...], *, empty: bool) -> bool:
    # "true": the key is absent (null); "false": it is present with a value.
    return any(value.lower() == ("true" if empty else "false") for value in policy_values)


def _test(condition: Condition, context: Mapping[str, ContextValue], *, variables: bool) -> Test:
    """A predicate: does a request value match at least one policy value (the positive form
    of the operator; the caller negates)."""
    base = condition.base
    use_variables = variables and base in _WITH_VARIABLES
    patterns = [expand(value, context, variables=use_variables) for value in condition.values]
    if base.startswith("String"):
        return _string_test(base, patterns)
    if base.startswith("Arn"):
        return lambda value: any(
            arn_like(value_text, as_text(value), context, variables=use_variables)
            for value_text in condition.values
        )
    if base == "Bool":
        wanted = {literal(p).lower() for p in patterns} & {"true", "false"}
        return lambda value: as_text(value).lower() in wanted
    if base.startswith("Numeric"):
        bounds = [_number(value) for value in condition.values]
        return _ordered(base.removeprefix("Numeric"), bounds, _number)
    if base.startswith("Date"):
        bounds = [_instant(value) for value in condition.values]
        return _ordered(base.removeprefix("Date"), bounds, _instant)
    if base in ("IpAddress", "NotIpAddress"):
        networks = [n for n in map(_network, condition.values) if n is not None]
        return lambda value: _in_networks(_address(value), networks)
    # BinaryEquals: byte for byte against the base64 text in the policy (operators page).
    blobs = [b for b in map(_bytes, condition.values) if b is not None]
    return lambda value: _bytes(value) in blobs


def _string_test(base: str, patterns: list[Pattern]) -> Test:
    if base in ("StringLike", "StringNotLike"):
        return lambda value: any(like(p, as_text(value)) for p in patterns)
    texts = [literal(p) for p in patterns]
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        folded = {text.lower() for text in texts}
        return lambda value: as_text(value).lower() in folded
    return lambda value: as_text(value) in texts


_COMPARISONS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "Equals": lambda actual, bound: actual == bound,
    "NotEquals": lambda actual, bound: actual == bound,  # negated by the caller
    "LessThan": lambda actual, bound: actual < bound,
    "LessThanEquals": lambda actual, bound: actual <= bound,
    "GreaterThan": lambda actual, bound: actual > bound,
    "GreaterThanEquals": lambda actual, bound: actual >= bound,
}


def _ordered(
    suffix: str, bounds: Sequence[Decimal | None], read: Callable[[ContextScalar], Decimal | None]
) -> Test:
    accept = _COMPARISONS[suffix]

    def test(value: ContextScalar) -> bool:
        actual = read(value)
        return actual is not None and any(
            bound is not None and accept(actual, bound) for bound in bounds
        )

    return test


def _instant(value: ContextScalar) -> Decimal | None:
    # Dates compare as exact seconds since the epoch, so both forms mix freely.
    moment = parse_date(value)
    if moment is None:
        return None
    elapsed = moment - _EPOCH_START
    return Decimal(elapsed.days * 86400 + elapsed.seconds) + Decimal(elapsed.microseconds) / 10**6


def _in_networks(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address | None,
    networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network],
) -> bool:
    return address is not None and any(
        address.version == network.version and address in network for network in networks
    )
