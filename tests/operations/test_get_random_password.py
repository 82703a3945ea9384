"""GetRandomPassword (§12) through a real boto3 client.

Several tests look at one 4096-character password and expect every allowed character to
appear. Each is safe: at least 4092 of the characters are drawn uniformly from an alphabet of
at most 95, so a given character is missing with probability at most (94/95)**4092 < 2e-19,
and some character is missing with probability below 95 * 2e-19 < 2e-17.
"""

from __future__ import annotations

import logging
import string
from collections import Counter

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from tests.conftest import assert_shape, error_of

UPPER = set(string.ascii_uppercase)
LOWER = set(string.ascii_lowercase)
DIGITS = set(string.digits)
PUNCTUATION = set(string.punctuation)
DEFAULT_ALPHABET = UPPER | LOWER | DIGITS | PUNCTUATION
CLASSES = {"upper": UPPER, "lower": LOWER, "digit": DIGITS, "punctuation": PUNCTUATION}
FLAG_OF = {
    "upper": "ExcludeUppercase",
    "lower": "ExcludeLowercase",
    "digit": "ExcludeNumbers",
    "punctuation": "ExcludePunctuation",
}

TOO_SHORT = (
    "InvalidParameterException",
    "Password length is too short based on the required types.",
    400,
)
# §20.7: what AWS answers when nothing is left to draw from is unknown.
NOTHING_TO_DRAW = (
    "InvalidParameterException",
    "Password can't be generated because every character is excluded.",
    400,
)


def classes_in(password: str) -> set[str]:
    return {name for name, chars in CLASSES.items() if chars & set(password)}


def test_get_random_password_defaults(client):
    response = client.get_random_password()

    assert_shape(client, "GetRandomPassword", response)
    password = response["RandomPassword"]
    assert len(password) == 32
    assert set(password) <= DEFAULT_ALPHABET
    assert classes_in(password) == set(CLASSES)


def test_get_random_password_default_alphabet_is_exactly_the_94_characters(client):
    assert len(DEFAULT_ALPHABET) == 94
    assert string.punctuation == "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

    password = client.get_random_password(PasswordLength=4096)["RandomPassword"]

    assert len(password) == 4096
    assert set(password) == DEFAULT_ALPHABET


def test_get_random_password_every_call_differs(client):
    # 32 characters from 94: a repeat has probability below 94**-28.
    passwords = {client.get_random_password()["RandomPassword"] for _ in range(20)}

    assert len(passwords) == 20


@pytest.mark.parametrize("excluded", list(CLASSES))
def test_get_random_password_exclusion_flag(client, excluded):
    response = client.get_random_password(PasswordLength=4096, **{FLAG_OF[excluded]: True})

    assert_shape(client, "GetRandomPassword", response)
    password = response["RandomPassword"]
    assert len(password) == 4096
    assert set(password) == DEFAULT_ALPHABET - CLASSES[excluded]


def test_get_random_password_letters_only(client):
    password = client.get_random_password(
        PasswordLength=64, ExcludeNumbers=True, ExcludePunctuation=True
    )["RandomPassword"]

    assert len(password) == 64
    assert set(password) <= UPPER | LOWER
    assert classes_in(password) == {"upper", "lower"}


def test_get_random_password_exclude_characters_keeps_the_length(client):
    # Recorded on AWS (§12): the length is exact even with exclusions; localstack#2779 and
    # moto#3213 once returned shorter passwords.
    excluded = "xyzDje@?!."

    password = client.get_random_password(PasswordLength=120, ExcludeCharacters=excluded)[
        "RandomPassword"
    ]

    assert len(password) == 120
    assert not set(password) & set(excluded)


def test_get_random_password_exclude_characters_removes_exactly_those(client):
    excluded = "aeiouAEIOU01'\"\\`"

    password = client.get_random_password(PasswordLength=4096, ExcludeCharacters=excluded)[
        "RandomPassword"
    ]

    assert set(password) == DEFAULT_ALPHABET - set(excluded)


def test_get_random_password_exclude_characters_ignores_unknown_and_repeated(client):
    password = client.get_random_password(PasswordLength=4096, ExcludeCharacters="é€\tzzzz")[
        "RandomPassword"
    ]

    assert set(password) == DEFAULT_ALPHABET - {"z"}


@pytest.mark.unverified("not yet checked against AWS")
@pytest.mark.parametrize("emptied", list(CLASSES))
def test_get_random_password_class_emptied_by_exclude_characters_is_not_required(client, emptied):
    # §20.7: a type whose every character is excluded is dropped from the required types, so
    # three characters suffice for the other three types.
    excluded = "".join(sorted(CLASSES[emptied]))

    password = client.get_random_password(PasswordLength=3, ExcludeCharacters=excluded)[
        "RandomPassword"
    ]

    assert len(password) == 3
    assert classes_in(password) == set(CLASSES) - {emptied}


def test_get_random_password_include_space(client):
    password = client.get_random_password(PasswordLength=4096, IncludeSpace=True)["RandomPassword"]

    assert set(password) == DEFAULT_ALPHABET | {" "}


def test_get_random_password_no_space_by_default(client):
    password = client.get_random_password(PasswordLength=4096)["RandomPassword"]

    assert " " not in password


def test_get_random_password_exclude_characters_beats_include_space(client):
    password = client.get_random_password(
        PasswordLength=4096, IncludeSpace=True, ExcludeCharacters=" "
    )["RandomPassword"]

    assert set(password) == DEFAULT_ALPHABET


@pytest.mark.unverified("not yet checked against AWS")
def test_get_random_password_space_is_not_a_required_type(client):
    # The model names the required types as upper, lower, number and punctuation; four
    # characters therefore suffice with IncludeSpace, and hold exactly one of each.
    for _ in range(50):
        password = client.get_random_password(PasswordLength=4, IncludeSpace=True)["RandomPassword"]

        assert len(password) == 4
        assert classes_in(password) == set(CLASSES)
        assert " " not in password


@pytest.mark.unverified("not yet checked against AWS")
def test_get_random_password_only_space_left(client):
    password = client.get_random_password(
        PasswordLength=5,
        IncludeSpace=True,
        ExcludeNumbers=True,
        ExcludePunctuation=True,
        ExcludeUppercase=True,
        ExcludeLowercase=True,
    )["RandomPassword"]

    assert password == "     "


def test_get_random_password_require_each_included_type_false_allows_one_character(client):
    response = client.get_random_password(PasswordLength=1, RequireEachIncludedType=False)

    assert_shape(client, "GetRandomPassword", response)
    assert len(response["RandomPassword"]) == 1
    assert set(response["RandomPassword"]) <= DEFAULT_ALPHABET


def test_get_random_password_require_each_included_type_false_does_not_force_types(client):
    # With the guarantee off, a 4-character password holds all four types with probability
    # 4! * 26*26*10*32 / 94**4 < 0.07; 200 of them all doing so has probability < 1e-230.
    passwords = [
        client.get_random_password(PasswordLength=4, RequireEachIncludedType=False)[
            "RandomPassword"
        ]
        for _ in range(200)
    ]

    assert any(classes_in(p) != set(CLASSES) for p in passwords)
    assert all(len(p) == 4 and set(p) <= DEFAULT_ALPHABET for p in passwords)


def test_get_random_password_require_each_included_type_true_is_the_default(client):
    for _ in range(200):
        password = client.get_random_password(PasswordLength=4)["RandomPassword"]

        assert classes_in(password) == set(CLASSES)


def test_get_random_password_require_each_included_type_true_explicitly(client):
    password = client.get_random_password(PasswordLength=4, RequireEachIncludedType=True)[
        "RandomPassword"
    ]

    assert classes_in(password) == set(CLASSES)


@pytest.mark.parametrize("length", [1, 2, 3])
def test_get_random_password_too_short_for_the_required_types(client, length):
    with pytest.raises(ClientError) as excinfo:
        client.get_random_password(PasswordLength=length)

    assert error_of(excinfo) == TOO_SHORT


@pytest.mark.unverified("not yet checked against AWS")
@pytest.mark.parametrize(
    ("flags", "required"),
    [
        ({"ExcludeNumbers": True}, 3),
        ({"ExcludeNumbers": True, "ExcludePunctuation": True}, 2),
        ({"ExcludeNumbers": True, "ExcludePunctuation": True, "ExcludeUppercase": True}, 1),
    ],
)
def test_get_random_password_minimum_length_counts_the_included_types(client, flags, required):
    # moto refuses every length below 4; smfake requires one character per included type,
    # which is what the message ("based on the required types") says.
    password = client.get_random_password(PasswordLength=required, **flags)["RandomPassword"]
    assert len(password) == required
    assert len(classes_in(password)) == required

    if required > 1:
        with pytest.raises(ClientError) as excinfo:
            client.get_random_password(PasswordLength=required - 1, **flags)
        assert error_of(excinfo) == TOO_SHORT


@pytest.mark.unverified("not yet checked against AWS")
def test_get_random_password_every_type_excluded(client):
    with pytest.raises(ClientError) as excinfo:
        client.get_random_password(
            ExcludeNumbers=True,
            ExcludePunctuation=True,
            ExcludeUppercase=True,
            ExcludeLowercase=True,
        )

    assert error_of(excinfo) == NOTHING_TO_DRAW


@pytest.mark.unverified("not yet checked against AWS")
@pytest.mark.parametrize("require", [True, False])
def test_get_random_password_every_character_excluded(client, require):
    everything = "".join(sorted(DEFAULT_ALPHABET)) + " "

    with pytest.raises(ClientError) as excinfo:
        client.get_random_password(
            ExcludeCharacters=everything, IncludeSpace=True, RequireEachIncludedType=require
        )

    assert error_of(excinfo) == NOTHING_TO_DRAW


def test_get_random_password_length_4096(client):
    response = client.get_random_password(PasswordLength=4096)

    assert_shape(client, "GetRandomPassword", response)
    assert len(response["RandomPassword"]) == 4096


def test_get_random_password_length_4097(client):
    with pytest.raises(ClientError) as excinfo:
        client.get_random_password(PasswordLength=4097)

    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '4097' at 'passwordLength' failed to satisfy "
        "constraint: Member must have value less than or equal to 4096",
        400,
    )


def test_get_random_password_length_0_is_refused_by_botocore(client):
    # botocore checks the model's min client-side (§1).
    with pytest.raises(ParamValidationError):
        client.get_random_password(PasswordLength=0)


def test_get_random_password_length_0_from_a_raw_caller(unvalidated_client):
    with pytest.raises(ClientError) as excinfo:
        unvalidated_client.get_random_password(PasswordLength=0)

    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '0' at 'passwordLength' failed to satisfy "
        "constraint: Member must have value greater than or equal to 1",
        400,
    )


def test_get_random_password_exclude_characters_too_long(client):
    excluded = "x" * 4097

    with pytest.raises(ClientError) as excinfo:
        client.get_random_password(ExcludeCharacters=excluded)

    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: Value '{excluded}' at 'excludeCharacters' failed to "
        "satisfy constraint: Member must have length less than or equal to 4096",
        400,
    )


def test_get_random_password_model_constraints_come_before_the_password_rules(client):
    # AWS validates the model before the operation runs (§1), so an over-long length is
    # reported even when no character is left to draw from.
    with pytest.raises(ClientError) as excinfo:
        client.get_random_password(
            PasswordLength=4097,
            ExcludeNumbers=True,
            ExcludePunctuation=True,
            ExcludeUppercase=True,
            ExcludeLowercase=True,
        )

    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1 validation error detected: Value '4097' at 'passwordLength'")


def test_get_random_password_has_no_positional_bias(client):
    # With length 4 and four required types each password holds exactly one character of each
    # type, so, without positional bias, the type at any position is uniform: each count below
    # is Binomial(2000, 1/4), mean 500. By Hoeffding's inequality a count leaves 300..700
    # (15%..35%) with probability at most 2 * exp(-2 * 2000 * 0.1**2) = 2 * e**-40 < 1e-17,
    # so all 16 (type, position) counts stay inside except with probability < 2e-16.
    # A generator that puts the required characters at fixed places scores 0% or 100%.
    runs = 2000
    counts: Counter[tuple[str, int]] = Counter()
    for _ in range(runs):
        password = client.get_random_password(PasswordLength=4)["RandomPassword"]
        for position, char in enumerate(password):
            (kind,) = [name for name, chars in CLASSES.items() if char in chars]
            counts[kind, position] += 1

    for kind in CLASSES:
        for position in range(4):
            assert 0.15 * runs <= counts[kind, position] <= 0.35 * runs, (kind, position)


def test_get_random_password_is_not_logged_by_smfake(client, caplog):
    caplog.set_level(logging.DEBUG)

    password = client.get_random_password()["RandomPassword"]

    smfake_records = [r for r in caplog.records if r.name.startswith("smfake")]
    assert not [r for r in smfake_records if password in r.getMessage()]
