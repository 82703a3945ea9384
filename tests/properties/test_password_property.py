"""Properties of GetRandomPassword (§12) against a small reference model written here.

For any parameter combination:

* a valid one gives a password of exactly PasswordLength characters, every one of them
  allowed (its type included, not in ExcludeCharacters), with at least one character of each
  required type (every included type that ExcludeCharacters leaves non-empty, unless
  RequireEachIncludedType is false; the space is never required);
* an invalid one gives the documented error: ValidationException above 4096, the "too short"
  InvalidParameterException below one character per required type, and smfake's unverified
  InvalidParameterException when no character is left at all.

The first test goes through boto3; the second drives the domain generator with a
Hypothesis-controlled random source, so that a failure replays and shrinks.
"""

from __future__ import annotations

import string
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from smfake._domain.errors import ServiceError
from smfake._domain.passwords import PasswordPolicy, generate_password
from tests.conftest import error_of

CLASSES = {
    "upper": frozenset(string.ascii_uppercase),
    "lower": frozenset(string.ascii_lowercase),
    "digit": frozenset(string.digits),
    "punctuation": frozenset(string.punctuation),
}
FLAG_OF = {
    "upper": "ExcludeUppercase",
    "lower": "ExcludeLowercase",
    "digit": "ExcludeNumbers",
    "punctuation": "ExcludePunctuation",
}
TOO_SHORT = (
    "InvalidParameterException",
    "Password length is too short based on the required types.",
)
NOTHING_TO_DRAW = (
    "InvalidParameterException",
    "Password can't be generated because every character is excluded.",
)

# Whole types (and the space) are excluded often, so that emptied types and empty alphabets
# are explored; the loose characters include some that belong to no type.
GROUPS = {**{k: "".join(sorted(v)) for k, v in CLASSES.items()}, "space": " "}
exclude_characters = st.builds(
    lambda groups, loose: "".join(GROUPS[g] for g in groups) + loose,
    st.lists(st.sampled_from(sorted(GROUPS)), unique=True),
    st.text(alphabet=string.printable + "é€", max_size=12),
)
# Mostly short lengths, where the "too short" boundary lies; the full range; and beyond it.
lengths = st.one_of(st.integers(1, 6), st.integers(1, 4096), st.integers(4097, 2**40))
requests = st.fixed_dictionaries(
    {},
    optional={
        "PasswordLength": lengths,
        "ExcludeCharacters": exclude_characters,
        **{flag: st.booleans() for flag in FLAG_OF.values()},
        "IncludeSpace": st.booleans(),
        "RequireEachIncludedType": st.booleans(),
    },
)


def reference(
    params: dict[str, Any],
) -> tuple[str, str] | tuple[int, frozenset[str], list[frozenset[str]]]:
    """The expected (code, message), or (length, allowed characters, required types)."""
    length = params.get("PasswordLength", 32)
    if length > 4096:
        return (
            "ValidationException",
            f"1 validation error detected: Value '{length}' at 'passwordLength' failed to "
            "satisfy constraint: Member must have value less than or equal to 4096",
        )
    excluded = frozenset(params.get("ExcludeCharacters", ""))
    types = [chars - excluded for name, chars in CLASSES.items() if not params.get(FLAG_OF[name])]
    types = [chars for chars in types if chars]
    allowed = frozenset().union(*types)
    if params.get("IncludeSpace"):
        allowed |= frozenset(" ") - excluded
    required = types if params.get("RequireEachIncludedType", True) else []
    if not allowed:
        return NOTHING_TO_DRAW
    if length < len(required):
        return TOO_SHORT
    return length, allowed, required


def check_password(
    password: str, expected: tuple[int, frozenset[str], list[frozenset[str]]]
) -> None:
    length, allowed, required = expected
    assert len(password) == length
    assert set(password) <= allowed
    for chars in required:
        assert chars & set(password)


@settings(
    max_examples=300,
    deadline=None,
    # GetRandomPassword keeps no state, so one client serves every example.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(params=requests)
def test_get_random_password_matches_the_reference(client, params):
    expected = reference(params)

    if isinstance(expected[0], str):
        with pytest.raises(ClientError) as excinfo:
            client.get_random_password(**params)
        assert error_of(excinfo) == (*expected, 400)
    else:
        check_password(client.get_random_password(**params)["RandomPassword"], expected)


def policy_of(params: dict[str, Any]) -> PasswordPolicy:
    return PasswordPolicy(
        length=params.get("PasswordLength", 32),
        exclude_characters=params.get("ExcludeCharacters", ""),
        exclude_numbers=params.get("ExcludeNumbers", False),
        exclude_punctuation=params.get("ExcludePunctuation", False),
        exclude_uppercase=params.get("ExcludeUppercase", False),
        exclude_lowercase=params.get("ExcludeLowercase", False),
        include_space=params.get("IncludeSpace", False),
        require_each_included_type=params.get("RequireEachIncludedType", True),
    )


@settings(max_examples=500, deadline=None)
@given(params=requests, rng=st.randoms(use_true_random=False))
def test_generate_password_matches_the_reference(params, rng):
    expected = reference(params)
    # Lengths above 4096 are the wire's model check; the generator never sees them.
    assume(expected[0] != "ValidationException")

    if isinstance(expected[0], str):
        with pytest.raises(ServiceError) as excinfo:
            generate_password(policy_of(params), rng=rng)
        assert (excinfo.value.code, excinfo.value.message) == expected
    else:
        check_password(generate_password(policy_of(params), rng=rng), expected)
