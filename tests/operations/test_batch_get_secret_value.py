"""BatchGetSecretValue (§9): values by id list or by filters, with per-secret errors."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from tests.conftest import assert_shape, error_of
from tests.operations.conftest import (
    ARN_PREFIX,
    IDENTIFIER_KINDS,
    MARKED_FOR_DELETION,
    NOT_FOUND,
    body,
    identifier,
)

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
INVALID_NEXT_TOKEN = ("InvalidNextTokenException", "The NextToken value is invalid.", 400)
EITHER = (
    "InvalidParameterException",
    "Either 'SecretIdList' or 'Filters' must be provided, but not both.",
    400,
)
MAX_RESULTS_WITHOUT_FILTERS = (
    "InvalidParameterException",
    "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.",
    400,
)
DECRYPTION_FAILURE = (
    "DecryptionFailure",
    "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
)
NO_CURRENT_VALUE = (
    "ResourceNotFoundException",
    "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
)


def failure(call, **params):
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def value_entry(client, secret_id):
    """What GetSecretValue returns for the secret, which is what a SecretValues entry holds."""
    return body(client.get_secret_value(SecretId=secret_id))


def error_entry(secret_id, code_and_message):
    code, message = code_and_message[:2]
    return {"SecretId": secret_id, "ErrorCode": code, "Message": message}


def filters(*pairs):
    return [{"Key": key, "Values": list(values)} for key, values in pairs]


@pytest.fixture
def three(client, t0):
    """Three secrets with values: text, binary, and text with two versions."""
    client.create_secret(Name="text", SecretString="t")
    client.create_secret(Name="binary", SecretBinary=b"\x00\xff")
    client.create_secret(Name="versions", SecretString="old")
    client.put_secret_value(SecretId="versions", SecretString="new")


# -- by id list -------------------------------------------------------------------------------


def test_batch_get_secret_value_by_names(client, three):
    response = client.batch_get_secret_value(SecretIdList=["versions", "text", "binary"])

    assert_shape(client, "BatchGetSecretValue", response)
    assert body(response) == {
        "SecretValues": [value_entry(client, n) for n in ["versions", "text", "binary"]],
        "Errors": [],
    }
    assert response["SecretValues"][0]["SecretString"] == "new"
    assert response["SecretValues"][2]["SecretBinary"] == b"\x00\xff"


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_batch_get_secret_value_every_kind_of_identifier(client, kind):
    created = client.create_secret(Name="s", SecretString="v")

    response = client.batch_get_secret_value(SecretIdList=[identifier(kind, created)])

    assert_shape(client, "BatchGetSecretValue", response)
    assert response["SecretValues"] == [value_entry(client, "s")]


def test_batch_get_secret_value_mix_of_good_and_bad_ids(client, fake, three):
    client.create_secret(Name="empty")
    client.create_secret(Name="deleted", SecretString="v")
    client.delete_secret(SecretId="deleted")
    client.create_secret(Name="locked", SecretString="v", KmsKeyId=KEY_ARN)
    fake.kms.disable(KEY_ARN)
    missing_arn = ARN_PREFIX + "missing-AbC123"
    ids = ["text", "missing", "deleted", "binary", "empty", "locked", missing_arn]

    response = client.batch_get_secret_value(SecretIdList=ids)

    assert_shape(client, "BatchGetSecretValue", response)
    assert [entry["Name"] for entry in response["SecretValues"]] == ["text", "binary"]
    assert response["Errors"] == [
        error_entry("missing", NOT_FOUND),
        error_entry("deleted", MARKED_FOR_DELETION),
        error_entry("empty", NO_CURRENT_VALUE),
        error_entry("locked", DECRYPTION_FAILURE),
        error_entry(missing_arn, NOT_FOUND),
    ]


def test_batch_get_secret_value_every_id_missing_still_succeeds(client):
    response = client.batch_get_secret_value(SecretIdList=["a", "b"])

    assert_shape(client, "BatchGetSecretValue", response)
    assert body(response) == {
        "SecretValues": [],
        "Errors": [error_entry("a", NOT_FOUND), error_entry("b", NOT_FOUND)],
    }


@pytest.mark.unverified("not yet checked against AWS")
def test_batch_get_secret_value_invalid_name_is_an_error_entry(client, three):
    # GetSecretValue refuses such a name with ValidationException (§2.2); in a batch it
    # becomes that secret's error rather than the call's.
    response = client.batch_get_secret_value(SecretIdList=["Inv Name", "text"])

    assert_shape(client, "BatchGetSecretValue", response)
    assert [entry["Name"] for entry in response["SecretValues"]] == ["text"]
    assert response["Errors"] == [
        {
            "SecretId": "Inv Name",
            "ErrorCode": "ValidationException",
            "Message": "Invalid name. Must be a valid name containing alphanumeric characters, "
            "or any of the following: -/_+=.@!",
        }
    ]


@pytest.mark.unverified("not yet checked against AWS")
def test_batch_get_secret_value_repeated_id_is_read_twice(client, three):
    response = client.batch_get_secret_value(SecretIdList=["text", "text"])

    assert [entry["Name"] for entry in response["SecretValues"]] == ["text", "text"]


def test_batch_get_secret_value_updates_last_accessed_date_of_what_it_read(client, fake):
    client.create_secret(Name="read", SecretString="v")
    client.create_secret(Name="locked", SecretString="v", KmsKeyId=KEY_ARN)
    fake.kms.disable(KEY_ARN)
    fake.clock.set(datetime(2024, 6, 1, 13, 0, tzinfo=timezone.utc))

    client.batch_get_secret_value(SecretIdList=["read", "locked"])

    midnight = datetime(2024, 6, 1, tzinfo=timezone.utc)
    assert client.describe_secret(SecretId="read")["LastAccessedDate"] == midnight
    assert "LastAccessedDate" not in client.describe_secret(SecretId="locked")
    [version] = client.list_secret_version_ids(SecretId="read")["Versions"]
    assert version["LastAccessedDate"] == midnight


# -- by filters -------------------------------------------------------------------------------


def test_batch_get_secret_value_by_filters(client, fake, three):
    client.create_secret(Name="other", SecretString="o", Tags=[{"Key": "team", "Value": "x"}])
    client.create_secret(Name="text-doomed", SecretString="d")
    client.delete_secret(SecretId="text-doomed")

    response = client.batch_get_secret_value(Filters=filters(("name", ["text", "binary"])))

    assert_shape(client, "BatchGetSecretValue", response)
    assert body(response) == {
        "SecretValues": [value_entry(client, "text"), value_entry(client, "binary")],
        "Errors": [],
    }


def test_batch_get_secret_value_filters_follow_list_secrets_rules(client, fake, t0):
    client.create_secret(Name="prod/AppBeta", SecretString="1", Description="one two")
    client.create_secret(Name="prod/other", SecretString="2", Tags=[{"Key": "Beta", "Value": "v"}])
    client.create_secret(Name="dev/AppBeta", SecretString="3")

    def read(*pairs):
        response = client.batch_get_secret_value(Filters=filters(*pairs))
        assert_shape(client, "BatchGetSecretValue", response)
        return [entry["Name"] for entry in response["SecretValues"]]

    assert read(("all", ["beta"])) == ["prod/AppBeta", "prod/other", "dev/AppBeta"]
    assert read(("all", ["beta"]), ("name", ["prod"])) == ["prod/AppBeta", "prod/other"]
    assert read(("name", ["!prod"])) == ["dev/AppBeta"]
    assert read(("description", ["t"])) == ["prod/AppBeta"]


@pytest.mark.unverified("not yet checked against AWS")
def test_batch_get_secret_value_filters_report_unreadable_secrets_by_arn(client, fake):
    client.create_secret(Name="app-good", SecretString="v")
    empty = client.create_secret(Name="app-empty")
    locked = client.create_secret(Name="app-locked", SecretString="v", KmsKeyId=KEY_ARN)
    fake.kms.disable(KEY_ARN)

    response = client.batch_get_secret_value(Filters=filters(("name", ["app-"])))

    assert_shape(client, "BatchGetSecretValue", response)
    assert [entry["Name"] for entry in response["SecretValues"]] == ["app-good"]
    assert response["Errors"] == [
        error_entry(empty["ARN"], NO_CURRENT_VALUE),
        error_entry(locked["ARN"], DECRYPTION_FAILURE),
    ]


def test_batch_get_secret_value_filters_pages(client, fake):
    for index in range(25):
        fake.add_secret(f"s{index:02}", f"v{index}")
    fake.add_secret("other", "x")

    def walk(**params):
        pages = []
        while True:
            page = client.batch_get_secret_value(Filters=filters(("name", ["s"])), **params)
            assert_shape(client, "BatchGetSecretValue", page)
            pages.append([entry["Name"] for entry in page["SecretValues"]])
            if "NextToken" not in page:
                return pages
            params["NextToken"] = page["NextToken"]

    small = walk(MaxResults=10)

    assert [len(page) for page in small] == [10, 10, 5]
    assert [name for page in small for name in page] == [f"s{i:02}" for i in range(25)]


@pytest.mark.unverified("not yet checked against AWS")
def test_batch_get_secret_value_filters_default_page_is_20(client, fake):
    for index in range(21):
        fake.add_secret(f"s{index:02}", "v")

    first = client.batch_get_secret_value(Filters=filters(("name", ["s"])))
    second = client.batch_get_secret_value(
        Filters=filters(("name", ["s"])), NextToken=first["NextToken"]
    )

    assert len(first["SecretValues"]) == 20
    assert [entry["Name"] for entry in second["SecretValues"]] == ["s20"]
    assert "NextToken" not in second


@pytest.mark.unverified("not yet checked against AWS")
def test_batch_get_secret_value_lists_are_present_even_when_empty(client, fake):
    fake.add_secret("s", "v")

    assert body(client.batch_get_secret_value(SecretIdList=["s"]))["Errors"] == []
    assert body(client.batch_get_secret_value(SecretIdList=["missing"]))["SecretValues"] == []


def test_batch_get_secret_value_filtered_page_can_be_followed_by_an_empty_page(client, fake):
    for name in ["m1", "m2", "other"]:
        fake.add_secret(name, "v")

    first = client.batch_get_secret_value(Filters=filters(("name", ["m"])), MaxResults=2)
    second = client.batch_get_secret_value(
        Filters=filters(("name", ["m"])), MaxResults=2, NextToken=first["NextToken"]
    )

    assert_shape(client, "BatchGetSecretValue", second)
    assert [entry["Name"] for entry in first["SecretValues"]] == ["m1", "m2"]
    assert body(second) == {"SecretValues": [], "Errors": []}


@pytest.mark.parametrize("next_token", ["garbage", "c21mYWtlMQB4AHk="], ids=["garbage", "forged"])
def test_batch_get_secret_value_invalid_next_token(client, fake, next_token):
    fake.add_secret("s", "v")

    assert (
        failure(
            client.batch_get_secret_value,
            Filters=filters(("name", ["s"])),
            NextToken=next_token,
        )
        == INVALID_NEXT_TOKEN
    )


@pytest.mark.unverified("not yet checked against AWS")
def test_batch_get_secret_value_refuses_a_list_secrets_token(client, fake):
    for name in ["s1", "s2"]:
        fake.add_secret(name, "v")
    listed = client.list_secrets(Filters=filters(("name", ["s"])), MaxResults=1)

    assert (
        failure(
            client.batch_get_secret_value,
            Filters=filters(("name", ["s"])),
            NextToken=listed["NextToken"],
        )
        == INVALID_NEXT_TOKEN
    )


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ([{"Values": ["x"]}], ("InvalidParameterException", "Invalid filter key", 400)),
        (
            [{"Key": "tag-key"}],
            ("InvalidParameterException", "Invalid filter values for key: tag-key", 400),
        ),
    ],
    ids=["no-key", "no-values"],
)
def test_batch_get_secret_value_filter_validation(client, flt, expected):
    assert failure(client.batch_get_secret_value, Filters=flt) == expected


# -- parameter rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"SecretIdList": ["a"], "Filters": filters(("name", ["a"]))}, EITHER),
        ({}, EITHER),
        ({"MaxResults": 5}, EITHER),
        ({"SecretIdList": ["a"], "MaxResults": 5}, MAX_RESULTS_WITHOUT_FILTERS),
    ],
    ids=["both", "neither", "neither-with-max-results", "max-results-with-id-list"],
)
def test_batch_get_secret_value_parameter_combinations(client, params, expected):
    assert failure(client.batch_get_secret_value, **params) == expected


@pytest.mark.unverified("not yet checked against AWS")
def test_batch_get_secret_value_empty_filters_count_as_none(client):
    assert failure(client.batch_get_secret_value, Filters=[]) == EITHER


@pytest.mark.unverified("not yet checked against AWS")
def test_batch_get_secret_value_next_token_with_id_list(client, fake):
    # A token only continues a filtered selection.
    fake.add_secret("a", "v")

    assert (
        failure(client.batch_get_secret_value, SecretIdList=["a"], NextToken="anything")
        == INVALID_NEXT_TOKEN
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"SecretIdList": ["a"] * 21},
            "1 validation error detected: Value '[" + ", ".join(["a"] * 21) + "]' at "
            "'secretIdList' failed to satisfy constraint: Member must have length less than "
            "or equal to 20",
        ),
        (
            {"Filters": filters(("name", ["a"])), "MaxResults": 21},
            "1 validation error detected: Value '21' at 'maxResults' failed to satisfy "
            "constraint: Member must have value less than or equal to 20",
        ),
        (
            {"Filters": [{"Key": "bogus", "Values": ["a"]}]},
            "1 validation error detected: Value 'bogus' at 'filters.1.member.key' failed to "
            "satisfy constraint: Member must satisfy enum value set: [description, name, "
            "tag-key, tag-value, primary-region, owning-service, all]",
        ),
    ],
    ids=["twenty-one-ids", "max-results-21", "filter-key"],
)
def test_batch_get_secret_value_constraint_violation(client, params, message):
    assert failure(client.batch_get_secret_value, **params) == (
        "ValidationException",
        message,
        400,
    )


@pytest.mark.parametrize(
    "params",
    [
        {"SecretIdList": []},
        {"SecretIdList": [""]},
        {"Filters": filters(("name", ["a"])), "MaxResults": 0},
    ],
    ids=["empty-list", "empty-id", "max-results-0"],
)
def test_batch_get_secret_value_minimums_are_checked_by_botocore(client, params):
    with pytest.raises(ParamValidationError):
        client.batch_get_secret_value(**params)
