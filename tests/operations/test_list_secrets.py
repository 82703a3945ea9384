"""ListSecrets (§8): entries, every filter rule, orders and pages."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from smfake._domain import listing, paging
from smfake._domain.listing import SCAN_LIMIT
from tests.conftest import assert_shape, error_of, needs_member
from tests.operations.conftest import ARN_PREFIX, body

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# AWS's wording for a bad NextToken is unverified (AWS_SPEC §20).
INVALID_NEXT_TOKEN = ("InvalidNextTokenException", "The NextToken value is invalid.", 400)


def names(response):
    return [entry["Name"] for entry in response["SecretList"]]


def listed(client, filters=None, **params):
    """Every name that a full walk of the pages shows, checking each page's shape."""
    if filters is not None:
        params["Filters"] = [{"Key": key, "Values": list(values)} for key, values in filters]
    found = []
    while True:
        page = client.list_secrets(**params)
        assert_shape(client, "ListSecrets", page)
        found += names(page)
        if "NextToken" not in page:
            return found
        params["NextToken"] = page["NextToken"]


@pytest.fixture
def make(client, fake, t0):
    """Creates secrets one second apart, so that created-date order is creation order."""

    def create(name, **params):
        params.setdefault("SecretString", "v")
        created = client.create_secret(Name=name, **params)
        fake.clock.advance(seconds=1)
        return created

    return create


def failure(call, **params):
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


# -- entries ----------------------------------------------------------------------------------


def test_list_secrets_empty(client):
    response = client.list_secrets()

    assert_shape(client, "ListSecrets", response)
    assert body(response) == {"SecretList": []}


def test_list_secrets_entry_is_the_describe_view_with_secret_versions_to_stages(client, fake, make):
    make(
        "full",
        Description="a description",
        KmsKeyId=KEY_ARN,
        Tags=[{"Key": "team", "Value": "core"}],
    )
    client.get_secret_value(SecretId="full")
    client.put_secret_value(SecretId="full", SecretString="v2")
    client.delete_secret(SecretId="full")

    response = client.list_secrets(IncludePlannedDeletion=True)

    assert_shape(client, "ListSecrets", response)
    described = body(client.describe_secret(SecretId="full"))
    described["SecretVersionsToStages"] = described.pop("VersionIdsToStages")
    assert response["SecretList"] == [described]
    assert set(described) == {
        "ARN",
        "Name",
        "Description",
        "KmsKeyId",
        "LastChangedDate",
        "LastAccessedDate",
        "DeletedDate",
        "Tags",
        "SecretVersionsToStages",
        "CreatedDate",
    }


def test_list_secrets_entry_of_secret_without_value(client):
    created = client.create_secret(Name="empty")

    [entry] = client.list_secrets()["SecretList"]

    assert set(entry) == {"ARN", "Name", "LastChangedDate", "CreatedDate"}
    assert entry["ARN"] == created["ARN"]


def test_list_secrets_entry_of_replicated_secret_has_no_replication_status(client, make_client):
    client.create_secret(Name="r", SecretString="v", AddReplicaRegions=[{"Region": "eu-west-1"}])
    replica_client = make_client("eu-west-1")

    primary = client.list_secrets()
    replica = replica_client.list_secrets()

    assert_shape(client, "ListSecrets", primary)
    assert_shape(client, "ListSecrets", replica)
    assert "ReplicationStatus" in client.describe_secret(SecretId="r")
    [primary_entry] = primary["SecretList"]
    [replica_entry] = replica["SecretList"]
    assert "ReplicationStatus" not in primary_entry
    assert primary_entry["PrimaryRegion"] == replica_entry["PrimaryRegion"] == "us-east-1"
    assert ":eu-west-1:" in replica_entry["ARN"]


def test_list_secrets_is_region_scoped(client, fake, make_client):
    fake.add_secret("here", "v")
    fake.add_secret("there", "v", region="us-west-2")

    assert listed(client) == ["here"]
    assert listed(make_client("us-west-2")) == ["there"]


# -- filters: recorded examples ---------------------------------------------------------------


@pytest.fixture
def localstack_secrets(make):
    """LocalStack's AWS-validated test_list_secrets_filtering, suffix fixed."""
    make("testing1/one-1", Description="a secret")
    make("/testing2/two-1", Description="an secret")
    make("testing3/three-1", Description="asecret")
    make("/testing4/four-1", Description="thesecret")


ONE, TWO, THREE, FOUR = "testing1/one-1", "/testing2/two-1", "testing3/three-1", "/testing4/four-1"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([("name", ["/"])], [TWO, FOUR]),
        ([("name", ["!/"])], [ONE, THREE]),
        ([("name", ["testing1 one"])], []),
        ([("name", ["testing"])], [ONE, THREE]),
        ([("name", ["Testing"])], []),
        ([("description", ["a"])], [ONE, TWO, THREE]),
        ([("description", ["!a"])], [FOUR]),
        ([("description", ["a secret"])], [ONE, TWO]),
        ([("description", ["A SECRET"])], [ONE, TWO]),
        ([("description", ["!c"])], [ONE, TWO, THREE, FOUR]),
        ([("description", ["secret"])], [ONE, TWO]),
        ([("description", ["the"])], [FOUR]),
        ([("description", ["a"]), ("name", ["secret"])], []),
        ([("description", ["a"]), ("name", ["an"])], []),
    ],
    ids=str,
)
def test_list_secrets_filter_recorded_on_aws(client, localstack_secrets, filters, expected):
    assert listed(client, filters) == expected


@pytest.mark.parametrize("key", ["tag-key", "tag-value"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [("Prod", ["production", "prod1"]), ("prod", ["lower"]), ("!Prod", ["lower", "spaced"])],
)
def test_list_secrets_filter_tag_prefix_is_case_sensitive(client, make, key, value, expected):
    for name, tag in [
        ("production", "Production"),
        ("prod1", "Prod1"),
        ("lower", "prod"),
        ("spaced", "1 Prod"),
    ]:
        make(
            name,
            Tags=[{"Key": tag, "Value": "x"} if key == "tag-key" else {"Key": "x", "Value": tag}],
        )

    assert listed(client, [(key, [value])]) == expected


def test_list_secrets_filter_tag_matches_any_of_several_tags(client, make):
    make("both", Tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "core"}])
    make("one", Tags=[{"Key": "team", "Value": "web"}])

    assert listed(client, [("tag-key", ["env"])]) == ["both"]
    assert listed(client, [("tag-value", ["core"])]) == ["both"]
    assert listed(client, [("tag-key", ["team"])]) == ["both", "one"]


UNIQUE = "123456"
FIRST, SECOND, THIRD = f"SecretOne{UNIQUE}", f"SecretTwo{UNIQUE}", f"Thirdsecret{UNIQUE}"
TAG_KEY_SECRET, TAG_VALUE_SECRET = f"SecretFTag{UNIQUE}", f"SecretFValue{UNIQUE}"


@pytest.fixture
def moto_all_secrets(make):
    """moto's AWS-verified test_with_all_filter, with a fixed suffix."""
    make(FIRST)
    make(SECOND, Description="DescTwo")
    make(THIRD)
    make(TAG_KEY_SECRET, Tags=[{"Key": "1", "Value": "foo"}])
    make(TAG_VALUE_SECRET, Tags=[{"Key": "foo", "Value": "v"}])
    make(f"none{UNIQUE}")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("SecretOne", [FIRST]),
        ("foo", [TAG_KEY_SECRET, TAG_VALUE_SECRET]),
        ("Secret", [FIRST, SECOND, TAG_KEY_SECRET, TAG_VALUE_SECRET]),
        ("secret", [FIRST, SECOND, TAG_KEY_SECRET, TAG_VALUE_SECRET]),
        ("ret", []),
        ("sec", [FIRST, SECOND, TAG_KEY_SECRET, TAG_VALUE_SECRET]),
        ("SomeSecret", []),
        ("d", [SECOND]),
        ("d t", [SECOND]),
        ("t", [SECOND, THIRD, TAG_KEY_SECRET]),
    ],
)
def test_list_secrets_filter_all_words_recorded_on_aws(client, moto_all_secrets, value, expected):
    assert listed(client, [("all", [value])]) == expected


SEPARATED = [f"prod{sep}AppBeta{sep}{UNIQUE}" for sep in "/_+=.@-"]
FULL_UPPER, PARTIAL_UPPER = f"uat/COMPANY/{UNIQUE}", f"uat/COMPANYthings/{UNIQUE}"
MIXED = f"prod-AppBeta/{UNIQUE}"


@pytest.fixture
def moto_special_secrets(make):
    """moto's AWS-verified test_with_all_filter_special_characters, with a fixed suffix,
    plus the name that mixes two separators."""
    for name in [*SEPARATED, FULL_UPPER, PARTIAL_UPPER, MIXED]:
        make(name)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["AppBeta"], SEPARATED),
        (["Beta"], SEPARATED),
        (["+"], []),
        ([UNIQUE], [*SEPARATED, FULL_UPPER, PARTIAL_UPPER]),
        (["company"], [FULL_UPPER]),
        (["things"], []),
        (["Ythings"], [PARTIAL_UPPER]),
        (["N"], []),
        (["pany"], []),
    ],
    ids=str,
)
def test_list_secrets_filter_all_separators_and_case_recorded_on_aws(
    client, moto_special_secrets, values, expected
):
    assert listed(client, [("all", values)]) == expected


@pytest.mark.unverified("not yet checked against AWS")
def test_list_secrets_filter_all_mixed_separators_name_is_one_word(client, moto_special_secrets):
    # §8 says such a name is not split; so only a prefix of the whole name finds it. moto's
    # note says AWS never returned it, which listing lag may also explain.
    assert listed(client, [("all", ["AppBeta", "prod"])]) == [*SEPARATED, MIXED]
    assert listed(client, [("all", ["prod-AppBeta/1"])]) == [MIXED]


@pytest.mark.parametrize(
    ("name", "value", "found"),
    [
        ("test", "test", True),
        ("Mytest", "test", False),
        ("MyTest", "test", True),
        ("MyTestPhrase", "Phrase", True),
        ("MyTestPhrase", "my test phrase", True),
        ("myTest", "Test", True),
        ("my/test", "test", True),
        ("my_test", "test", True),
        ("my/test+value", "test", False),
        ("ABCdef", "Cdef", True),
        ("ABCdef", "B", False),
    ],
)
def test_list_secrets_filter_all_word_splitting(client, make, name, value, found):
    make(name)

    assert listed(client, [("all", [value])]) == ([name] if found else [])


@pytest.mark.parametrize(
    ("name", "value", "found"),
    [
        ("db2prod", "prod", True),
        ("db2prod", "2", True),
        ("v10", "10", True),
        ("abc123", "c1", False),
    ],
)
@pytest.mark.unverified("not yet checked against AWS")
def test_list_secrets_filter_all_splits_letters_from_digits(client, make, name, value, found):
    # §8 states the letter/digit rule; no recorded example isolates it (the recorded names
    # end in random hex).
    make(name)

    assert listed(client, [("all", [value])]) == ([name] if found else [])


@pytest.mark.unverified("not yet checked against AWS")
def test_list_secrets_filter_all_other_punctuation_breaks_words(client, make):
    # `:` may appear in filter values; how AWS treats it inside a word is not recorded.
    make("keyed", Tags=[{"Key": "kms", "Value": "arn:aws:kms"}])

    assert listed(client, [("all", ["aws"])]) == ["keyed"]
    assert listed(client, [("all", ["arn:aws"])]) == ["keyed"]
    assert listed(client, [("all", [":aws"])]) == ["keyed"]
    assert listed(client, [("tag-value", ["arn:aws"])]) == ["keyed"]


def test_list_secrets_filter_all_searches_name_description_and_tags(client, make):
    make("foo")
    make("bar", Description="foo")
    make("baz", Tags=[{"Key": "foo", "Value": "1"}])
    make("qux", Tags=[{"Key": "1", "Value": "foo"}])
    make("none")

    assert listed(client, [("all", ["FOO"])]) == ["foo", "bar", "baz", "qux"]
    assert listed(client, [("all", ["!foo"])]) == ["none"]


@pytest.mark.unverified("not yet checked against AWS")
def test_list_secrets_filter_all_needs_every_word_in_one_attribute(client, make):
    make("alpha", Description="beta")
    make("gamma", Description="alpha beta")

    assert listed(client, [("all", ["alpha beta"])]) == ["gamma"]


def test_list_secrets_filter_with_multiple_words_recorded_on_aws(client, make):
    make("foo", Description="one two")
    make("bar", Description="one and two")
    make("baz", Description="one")
    make("qux", Description="two")
    make("none", Description="unrelated")

    assert listed(client, [("description", ["one two"])]) == ["foo", "bar"]
    assert listed(client, [("description", ["o t"])]) == ["foo", "bar"]
    assert listed(client, [("description", ["t"])]) == ["foo", "bar", "qux"]
    # Values are OR-ed; `!two` holds for the secrets without a word starting "two".
    assert listed(client, [("description", ["one", "!two"])]) == ["foo", "bar", "baz", "none"]
    assert listed(client, [("description", ["!o"])]) == ["qux", "none"]


def test_list_secrets_filter_values_are_or_ed(client, make):
    for name in ["foo", "bar", "baz"]:
        make(name)

    assert listed(client, [("name", ["foo", "bar"])]) == ["foo", "bar"]


def test_list_secrets_filters_are_and_ed_even_with_the_same_key(client, make):
    make("foo", Description="one two")
    make("bar", Description="one")
    make("baz", Description="two")
    make("qux", Description="unrelated")

    assert listed(client, [("description", ["one"]), ("description", ["two"])]) == ["foo"]


def test_list_secrets_filters_of_different_keys_are_and_ed(client, make):
    for name, key, value in [
        ("foo", "right", "right"),
        ("bar", "right", "wrong"),
        ("baz", "wrong", "right"),
        ("qux", "wrong", "wrong"),
    ]:
        make(name, Tags=[{"Key": key, "Value": value}])

    assert listed(client, [("tag-key", ["right"]), ("tag-value", ["right"])]) == ["foo"]


@pytest.mark.unverified("not yet checked against AWS")
def test_list_secrets_filter_negation_holds_where_the_attribute_is_missing(client, make):
    make("tagged", Tags=[{"Key": "env", "Value": "prod"}], Description="about prod")
    make("bare")

    assert listed(client, [("tag-key", ["!env"])]) == ["bare"]
    assert listed(client, [("tag-value", ["!prod"])]) == ["bare"]
    assert listed(client, [("description", ["!about"])]) == ["bare"]
    assert listed(client, [("description", ["about"])]) == ["tagged"]


@pytest.mark.unverified("not yet checked against AWS")
def test_list_secrets_filter_value_without_words_finds_nothing(client, make):
    make("a-b", Description="x")

    assert listed(client, [("all", ["-"])]) == []
    assert listed(client, [("description", [""])]) == []
    assert listed(client, [("all", ["!-"])]) == ["a-b"]
    # A name prefix of "" is a prefix of every name.
    assert listed(client, [("name", [""])]) == ["a-b"]


def test_list_secrets_filter_primary_region(client, make, make_client):
    make("plain")
    make("replicated", AddReplicaRegions=[{"Region": "eu-west-1"}])
    replica_client = make_client("eu-west-1")

    assert listed(client, [("primary-region", ["us-east"])]) == ["replicated"]
    assert listed(client, [("primary-region", ["US-east"])]) == []
    assert listed(client, [("primary-region", ["eu-west"])]) == []
    assert listed(client, [("primary-region", ["!us"])]) == ["plain"]
    assert listed(replica_client, [("primary-region", ["us-east-1"])]) == ["replicated"]


def test_list_secrets_filter_owning_service_matches_no_secret_of_ours(client, make):
    make("mine")

    assert listed(client, [("owning-service", ["rds"])]) == []
    assert listed(client, [("owning-service", ["!rds"])]) == ["mine"]


# -- filters: validation ----------------------------------------------------------------------


def test_list_secrets_filter_without_key(client):
    assert failure(client.list_secrets, Filters=[{"Values": ["foo"]}]) == (
        "InvalidParameterException",
        "Invalid filter key",
        400,
    )


def test_list_secrets_filter_without_values(client):
    assert failure(client.list_secrets, Filters=[{"Key": "description"}]) == (
        "InvalidParameterException",
        "Invalid filter values for key: description",
        400,
    )


PATTERN = r"^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"Filters": [{"Key": "bogus", "Values": ["foo"]}]},
            "1 validation error detected: Value 'bogus' at 'filters.1.member.key' failed to "
            "satisfy constraint: Member must satisfy enum value set: [description, name, "
            "tag-key, tag-value, primary-region, owning-service, all]",
        ),
        (
            {"Filters": [{"Key": "name", "Values": ["a*b"]}]},
            "1 validation error detected: Value '[a*b]' at 'filters.1.member.values' failed to "
            "satisfy constraint: Member must satisfy constraint: [Member must satisfy regular "
            f"expression pattern: {PATTERN}]",
        ),
        (
            {"Filters": [{"Key": "name", "Values": ["x"] * 11}]},
            "1 validation error detected: Value '[x, x, x, x, x, x, x, x, x, x, x]' at "
            "'filters.1.member.values' failed to satisfy constraint: Member must have length "
            "less than or equal to 10",
        ),
        (
            {"Filters": [{"Key": "name", "Values": ["x"]}] * 11},
            "1 validation error detected: Value '["
            + ", ".join(["{Key=name, Values=[x]}"] * 11)
            + "]' at 'filters' failed to satisfy constraint: Member must have length less "
            "than or equal to 10",
        ),
        pytest.param(
            {"SortBy": "size"},
            "1 validation error detected: Value 'size' at 'sortBy' failed to satisfy "
            "constraint: Member must satisfy enum value set: [created-date, "
            "last-accessed-date, last-changed-date, name]",
            marks=needs_member("ListSecrets", "SortBy"),
        ),
        (
            {"SortOrder": "up"},
            "1 validation error detected: Value 'up' at 'sortOrder' failed to satisfy "
            "constraint: Member must satisfy enum value set: [asc, desc]",
        ),
        (
            {"MaxResults": 101},
            "1 validation error detected: Value '101' at 'maxResults' failed to satisfy "
            "constraint: Member must have value less than or equal to 100",
        ),
        (
            {"NextToken": "x" * 4097},
            f"1 validation error detected: Value '{'x' * 4097}' at 'nextToken' failed to "
            "satisfy constraint: Member must have length less than or equal to 4096",
        ),
    ],
    ids=[
        "filter-key",
        "filter-value-pattern",
        "eleven-values",
        "eleven-filters",
        "sort-by",
        "sort-order",
        "max-results-101",
        "next-token-4097",
    ],
)
def test_list_secrets_constraint_violation(client, params, message):
    assert failure(client.list_secrets, **params) == ("ValidationException", message, 400)


@pytest.mark.parametrize(
    "params", [{"MaxResults": 0}, {"Filters": [{"Key": "name", "Values": []}]}]
)
def test_list_secrets_minimums_are_checked_by_botocore(client, params):
    with pytest.raises(ParamValidationError):
        client.list_secrets(**params)


# -- orders -----------------------------------------------------------------------------------


@needs_member("ListSecrets", "SortBy")
def test_list_secrets_default_order_is_oldest_first(client, make):
    for name in ["b", "c", "a"]:
        make(name)

    assert listed(client) == ["b", "c", "a"]
    assert listed(client, SortBy="created-date", SortOrder="asc") == ["b", "c", "a"]
    assert listed(client, SortOrder="desc") == ["a", "c", "b"]


@pytest.mark.unverified("not yet checked against AWS")
def test_list_secrets_same_created_instant_keeps_creation_order(client, t0):
    for name in ["b", "c", "a"]:
        client.create_secret(Name=name)

    assert listed(client) == ["b", "c", "a"]
    assert listed(client, SortOrder="desc") == ["a", "c", "b"]


def test_list_secrets_created_order_does_not_follow_the_clock_backwards(client, fake, t0):
    client.create_secret(Name="later")
    fake.clock.set(t0 - timedelta(days=1))
    client.create_secret(Name="earlier")

    assert listed(client) == ["earlier", "later"]


@pytest.mark.unverified("not yet checked against AWS")
@needs_member("ListSecrets", "SortBy")
def test_list_secrets_sort_by_name_is_ordinal(client, make):
    for name in ["b", "B", "a", "A", "a1", "_x", "/y"]:
        make(name)

    expected = ["/y", "A", "B", "_x", "a", "a1", "b"]
    assert listed(client, SortBy="name") == expected
    assert listed(client, SortBy="name", SortOrder="desc") == expected[::-1]


@needs_member("ListSecrets", "SortBy")
def test_list_secrets_sort_by_last_changed_date(client, fake, make):
    for name in ["a", "b", "c"]:
        make(name)
    client.update_secret(SecretId="a", Description="changed")
    fake.clock.advance(seconds=1)
    client.tag_resource(SecretId="b", Tags=[{"Key": "k", "Value": "v"}])

    assert listed(client, SortBy="last-changed-date") == ["c", "a", "b"]
    assert listed(client, SortBy="last-changed-date", SortOrder="desc") == ["b", "a", "c"]


@pytest.mark.unverified("not yet checked against AWS")
@needs_member("ListSecrets", "SortBy")
def test_list_secrets_sort_by_last_accessed_date_never_read_first(client, fake, make):
    for name in ["a", "b", "c", "d"]:
        make(name)
    client.get_secret_value(SecretId="c")
    fake.clock.advance(days=1)
    client.get_secret_value(SecretId="a")

    assert listed(client, SortBy="last-accessed-date") == ["b", "d", "c", "a"]
    assert listed(client, SortBy="last-accessed-date", SortOrder="desc") == ["a", "c", "d", "b"]


# -- planned deletion -------------------------------------------------------------------------


def test_list_secrets_include_planned_deletion(client, fake, make):
    make("kept")
    make("doomed")
    client.delete_secret(SecretId="doomed", RecoveryWindowInDays=7)

    assert listed(client) == ["kept"]
    assert listed(client, IncludePlannedDeletion=False) == ["kept"]
    assert listed(client, IncludePlannedDeletion=True) == ["kept", "doomed"]
    assert listed(client, [("name", ["doomed"])], IncludePlannedDeletion=True) == ["doomed"]
    [entry] = client.list_secrets(
        Filters=[{"Key": "name", "Values": ["doomed"]}], IncludePlannedDeletion=True
    )["SecretList"]
    assert "DeletedDate" in entry

    client.restore_secret(SecretId="doomed")
    assert listed(client) == ["kept", "doomed"]

    client.delete_secret(SecretId="doomed", RecoveryWindowInDays=7)
    fake.clock.advance(days=7)
    assert listed(client, IncludePlannedDeletion=True) == ["kept"]


@needs_member("ListSecrets", "SortBy")
def test_list_secrets_forgets_force_deleted_secrets(client, make):
    make("gone")
    make("kept")
    client.delete_secret(SecretId="gone", ForceDeleteWithoutRecovery=True)
    make("gone")

    assert listed(client, IncludePlannedDeletion=True) == ["kept", "gone"]
    assert listed(client, SortBy="name") == ["gone", "kept"]


# -- pages ------------------------------------------------------------------------------------


def walk(client, **params):
    """(names, has NextToken) of every page."""
    pages = []
    while True:
        page = client.list_secrets(**params)
        assert_shape(client, "ListSecrets", page)
        pages.append((names(page), "NextToken" in page))
        if "NextToken" not in page:
            return pages
        params["NextToken"] = page["NextToken"]


@pytest.mark.parametrize(
    ("max_results", "sizes"),
    [(1, [1, 1, 1, 1, 1]), (2, [2, 2, 1]), (3, [3, 2]), (5, [5]), (100, [5])],
)
def test_list_secrets_pages(client, make, max_results, sizes):
    for index in range(5):
        make(f"s{index}")

    pages = walk(client, MaxResults=max_results)

    assert [len(found) for found, _ in pages] == sizes
    assert [name for found, _ in pages for name in found] == [f"s{i}" for i in range(5)]
    assert [more for _, more in pages] == [True] * (len(sizes) - 1) + [False]


def test_list_secrets_last_full_page_has_no_next_token(client, make):
    for index in range(4):
        make(f"s{index}")

    assert walk(client, MaxResults=2) == [(["s0", "s1"], True), (["s2", "s3"], False)]


@pytest.mark.unverified("not yet checked against AWS")
def test_list_secrets_default_page_is_100(client, fake):
    for index in range(101):
        fake.add_secret(f"s{index:03}", "v")

    first = client.list_secrets()
    second = client.list_secrets(NextToken=first["NextToken"])

    assert len(first["SecretList"]) == 100
    assert names(second) == ["s100"]
    assert "NextToken" not in second


def test_list_secrets_filtered_page_can_be_followed_by_an_empty_page(client, make):
    for name in ["m1", "m2", "other"]:
        make(name)

    pages = walk(client, Filters=[{"Key": "name", "Values": ["m"]}], MaxResults=2)

    assert pages == [(["m1", "m2"], True), ([], False)]


@pytest.mark.unverified("not yet checked against AWS")
def test_list_secrets_long_filtered_view_returns_empty_page_with_next_token(client, fake):
    # AWS documents NextToken "even when the response includes no values at all, such as
    # when you ask for a filtered view of a long list"; smfake looks at SCAN_LIMIT secrets
    # per call.
    for index in range(SCAN_LIMIT + 5):
        fake.add_secret(f"filler{index:05}")
    fake.add_secret("needle")

    pages = walk(client, Filters=[{"Key": "name", "Values": ["needle"]}])

    assert pages == [([], True), (["needle"], False)]
    paginator = client.get_paginator("list_secrets")
    found = paginator.paginate(Filters=[{"Key": "name", "Values": ["needle"]}]).build_full_result()
    assert names(found) == ["needle"]


@needs_member("ListSecrets", "SortBy")
@pytest.mark.parametrize(
    ("params", "order"),
    [
        ({}, ["s0", "s1", "s2", "s3", "s4"]),
        ({"SortOrder": "desc"}, ["s4", "s3", "s2", "s1", "s0"]),
        ({"SortBy": "name", "SortOrder": "desc"}, ["s4", "s3", "s2", "s1", "s0"]),
        ({"SortBy": "last-changed-date"}, ["s0", "s1", "s2", "s3", "s4"]),
        ({"SortBy": "last-accessed-date", "SortOrder": "desc"}, ["s4", "s3", "s2", "s1", "s0"]),
    ],
    ids=["created", "created-desc", "name-desc", "last-changed", "last-accessed-desc"],
)
def test_list_secrets_pages_in_every_order(client, make, params, order):
    for index in range(5):
        make(f"s{index}")

    pages = walk(client, MaxResults=2, **params)

    assert [name for found, _ in pages for name in found] == order


def test_list_secrets_next_token_can_be_reused(client, make):
    for index in range(5):
        make(f"s{index}")
    first = client.list_secrets(MaxResults=2)

    again = client.list_secrets(MaxResults=2, NextToken=first["NextToken"])
    twice = client.list_secrets(MaxResults=2, NextToken=first["NextToken"])

    assert names(again) == names(twice) == ["s2", "s3"]
    assert again["NextToken"] == twice["NextToken"]


def test_list_secrets_next_token_survives_changes_between_pages(client, make):
    for index in range(4):
        make(f"s{index}")
    first = client.list_secrets(MaxResults=2)
    client.delete_secret(SecretId="s1", ForceDeleteWithoutRecovery=True)
    client.delete_secret(SecretId="s0", ForceDeleteWithoutRecovery=True)
    make("s4")

    rest = walk(client, MaxResults=2, NextToken=first["NextToken"])

    assert rest == [(["s2", "s3"], True), (["s4"], False)]


def test_list_secrets_page_size_may_change_between_pages(client, make):
    for index in range(5):
        make(f"s{index}")
    first = client.list_secrets(MaxResults=1)

    assert names(client.list_secrets(MaxResults=10, NextToken=first["NextToken"])) == [
        "s1",
        "s2",
        "s3",
        "s4",
    ]


def test_list_secrets_paginator(client, fake):
    for index in range(7):
        fake.add_secret(f"s{index}")
    paginator = client.get_paginator("list_secrets")

    full = paginator.paginate(PaginationConfig={"PageSize": 3}).build_full_result()
    limited = paginator.paginate(
        PaginationConfig={"PageSize": 2, "MaxItems": 3}
    ).build_full_result()
    resumed = paginator.paginate(
        PaginationConfig={"PageSize": 2, "StartingToken": limited["NextToken"]}
    ).build_full_result()

    assert names(full) == [f"s{i}" for i in range(7)]
    assert names(limited) == ["s0", "s1", "s2"]
    assert names(resumed) == ["s3", "s4", "s5", "s6"]


@pytest.mark.parametrize(
    "next_token",
    ["garbage", "c21mYWtlMQB4AHk=", "x" * 4096],
    ids=["garbage", "forged", "longest"],
)
def test_list_secrets_invalid_next_token(client, make, next_token):
    make("s")

    assert failure(client.list_secrets, NextToken=next_token) == INVALID_NEXT_TOKEN


@needs_member("ListSecrets", "SortBy")
@pytest.mark.parametrize("sort_by", ["created-date", "name", "last-changed-date"])
def test_list_secrets_forged_token_with_valid_digest_is_refused(client, make, sort_by):
    # The digest is not keyed, so a caller can forge one around a malformed position.
    make("s")
    scope = listing.Query(sort_by=sort_by).scope(
        SimpleNamespace(arn_prefix=ARN_PREFIX), "ListSecrets"
    )

    for position in ["x|y", "1", "1|2|3|4"]:
        forged = paging.encode(scope, position)
        assert failure(client.list_secrets, SortBy=sort_by, NextToken=forged) == INVALID_NEXT_TOKEN


def test_list_secrets_next_token_of_list_secret_version_ids_is_refused(client):
    client.create_secret(Name="p", SecretString="0")
    client.put_secret_value(SecretId="p", SecretString="1")
    versions = client.list_secret_version_ids(SecretId="p", MaxResults=1)

    assert failure(client.list_secrets, NextToken=versions["NextToken"]) == INVALID_NEXT_TOKEN


@pytest.mark.parametrize(
    "changed",
    [
        {"SortOrder": "desc"},
        pytest.param({"SortBy": "name"}, marks=needs_member("ListSecrets", "SortBy")),
        {"IncludePlannedDeletion": True},
        {"Filters": [{"Key": "name", "Values": ["t"]}]},
    ],
    ids=["sort-order", "sort-by", "include-planned-deletion", "filters"],
)
@pytest.mark.unverified("not yet checked against AWS")
def test_list_secrets_next_token_only_continues_its_own_listing(client, make, changed):
    for index in range(3):
        make(f"s{index}")
    first = client.list_secrets(MaxResults=1)

    assert failure(client.list_secrets, NextToken=first["NextToken"], **changed) == (
        INVALID_NEXT_TOKEN
    )


@pytest.mark.unverified("not yet checked against AWS")
def test_list_secrets_next_token_of_another_region_is_refused(client, fake, make_client):
    for index in range(3):
        fake.add_secret(f"s{index}", region="us-west-2")
    west = make_client("us-west-2")
    first = west.list_secrets(MaxResults=1)

    assert failure(client.list_secrets, NextToken=first["NextToken"]) == INVALID_NEXT_TOKEN
