"""ListResourcePolicies (botocore 1.44; AWS_SPEC_1_44.md §A7): the names of a secret's attached
policies, ``default`` first, paged; never their text."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import assert_shape, error_of
from tests.operation_examples import POLICY
from tests.operations.conftest import (
    IDENTIFIER_KINDS,
    MARKED_FOR_DELETION,
    NOT_FOUND,
    identifier,
)

INVALID_TOKEN = (
    "InvalidNextTokenException",
    "The NextToken value is invalid.",
    400,
)


@pytest.fixture(autouse=True)
def _needs_the_operation(client):
    if "ListResourcePolicies" not in client.meta.service_model.operation_names:
        pytest.skip("this botocore's model has no ListResourcePolicies")


def test_list_resource_policies_without_a_policy_is_an_empty_list(client):
    client.create_secret(Name="plain", SecretString="v")
    response = client.list_resource_policies(SecretId="plain")
    assert_shape(client, "ListResourcePolicies", response)
    assert response["ResourcePolicies"] == []
    assert "NextToken" not in response


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_list_resource_policies_names_the_default_policy_only(client, kind):
    created = client.create_secret(Name="held", SecretString="v")
    client.put_resource_policy(SecretId="held", ResourcePolicy=POLICY)
    response = client.list_resource_policies(SecretId=identifier(kind, created))
    assert_shape(client, "ListResourcePolicies", response)
    assert response["ResourcePolicies"] == [{"PolicyName": "default"}]


def test_list_resource_policies_after_the_policy_is_deleted(client):
    client.create_secret(Name="held", SecretString="v")
    client.put_resource_policy(SecretId="held", ResourcePolicy=POLICY)
    client.delete_resource_policy(SecretId="held")
    assert client.list_resource_policies(SecretId="held")["ResourcePolicies"] == []


def test_list_resource_policies_pages_with_max_results_and_the_paginator(client):
    client.create_secret(Name="held", SecretString="v")
    client.put_resource_policy(SecretId="held", ResourcePolicy=POLICY)
    first = client.list_resource_policies(SecretId="held", MaxResults=1)
    assert first["ResourcePolicies"] == [{"PolicyName": "default"}]
    assert "NextToken" not in first  # nothing more to list
    pages = client.get_paginator("list_resource_policies").paginate(
        SecretId="held", PaginationConfig={"PageSize": 1}
    )
    assert [p["ResourcePolicies"] for p in pages] == [[{"PolicyName": "default"}]]


@pytest.mark.parametrize("token", ["not-a-token", "smfake1", "A" * 40])
def test_list_resource_policies_invalid_next_token(client, token):
    client.create_secret(Name="held", SecretString="v")
    with pytest.raises(ClientError) as caught:
        client.list_resource_policies(SecretId="held", NextToken=token)
    assert error_of(caught) == INVALID_TOKEN


def test_list_resource_policies_token_of_another_secret_is_invalid(client, fake):
    # A token names a position in one secret's list: another secret's is refused. (With one
    # name per secret no real token exists; one is made as the service would make it.)
    from smfake._domain import paging

    first = client.create_secret(Name="first", SecretString="v")
    client.create_secret(Name="second", SecretString="v")
    token = paging.encode(f"{first['ARN']}\0policies", "default")
    with pytest.raises(ClientError) as caught:
        client.list_resource_policies(SecretId="second", NextToken=token)
    assert error_of(caught) == INVALID_TOKEN


def test_list_resource_policies_missing_secret(client):
    with pytest.raises(ClientError) as caught:
        client.list_resource_policies(SecretId="nope")
    assert error_of(caught) == NOT_FOUND


@pytest.mark.unverified("AWS declares InvalidRequestException; the text is the one its kin use")
def test_list_resource_policies_secret_marked_for_deletion(client):
    client.create_secret(Name="gone", SecretString="v")
    client.delete_secret(SecretId="gone", RecoveryWindowInDays=7)
    with pytest.raises(ClientError) as caught:
        client.list_resource_policies(SecretId="gone")
    assert error_of(caught) == MARKED_FOR_DELETION


def test_list_resource_policies_max_results_out_of_range(client):
    client.create_secret(Name="held", SecretString="v")
    with pytest.raises(ClientError) as caught:
        client.list_resource_policies(SecretId="held", MaxResults=101)
    code, message, status = error_of(caught)
    assert (code, status) == ("ValidationException", 400)
    assert "maxResults" in message and "less than or equal to 100" in message
