"""The fake answers a client only with members its botocore's model defines, at every depth: a
client whose botocore predates a member never receives it.

botocore's parser drops members it does not know, so a parsed response (what ``assert_shape``
sees) cannot show them: these tests read the raw JSON body of the full path, which is also what
HTTP callers and ``smfake serve`` send.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from smfake._wire.model import service_model
from tests import operation_examples as examples


def undefined_members(shape: Any, value: Any, path: str = "") -> list[str]:
    """The paths of the members of ``value`` (decoded JSON) that ``shape`` does not define,
    through structures, lists and map values."""
    if shape is None:
        return [f"{path}{name}" for name in value] if isinstance(value, dict) else []
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = {
            member.serialization.get("name", name): member for name, member in shape.members.items()
        }
        found = []
        for name, item in value.items():
            member = members.get(name)
            if member is None:
                found.append(f"{path}{name}")
            else:
                found += undefined_members(member, item, f"{path}{name}.")
        return found
    if kind == "list" and isinstance(value, list):
        return [
            found
            for index, item in enumerate(value)
            for found in undefined_members(shape.member, item, f"{path}[{index}].")
        ]
    if kind == "map" and isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            for found in undefined_members(shape.value, item, f"{path}[{key}].")
        ]
    return []


def keep_raw_bodies(client: Any) -> list[tuple[str, int, bytes]]:
    """(operation, status, raw body) of every call the client makes from now on."""
    bodies: list[tuple[str, int, bytes]] = []

    def keep(http_response: Any, model: Any, **_: Any) -> None:
        bodies.append((model.name, http_response.status_code, http_response.content))

    client.meta.events.register("after-call.secretsmanager", keep)
    return bodies


@pytest.mark.parametrize("operation", sorted(examples.CALLABLE))
def test_output_members_of_each_example_are_defined_by_the_installed_model(fake, client, operation):
    fake.fast_path = False  # the full path: botocore reads the body the wire encodes
    client, params = examples.prepare(fake, client, operation)
    bodies = keep_raw_bodies(client)
    try:
        examples.call(client, operation, params)
    except ClientError as error:
        pytest.fail(f"{operation}: {error}")

    [(name, status, raw)] = [body for body in bodies if body[0] == operation]
    assert status == 200
    shape = service_model().operation_model(name).output_shape
    extra = undefined_members(shape, json.loads(raw))
    assert not extra, (
        f"{operation} answered members that this botocore's model does not define: {extra}. "
        "Send a member newer than the oldest supported botocore only when the installed model "
        "has it (as smfake/_wire/handlers/policies.py does with PolicyName)."
    )


def test_output_members_walk_structures_lists_and_maps():
    shape = service_model().operation_model("DescribeSecret").output_shape
    body = {
        "Name": "s",
        "Extra": 1,
        "Tags": [{"Key": "k", "Value": "v"}, {"Key": "k", "Color": "red"}],
        "VersionIdsToStages": {"v1": ["AWSCURRENT"]},
        "ReplicationStatus": [{"Region": "eu-west-1", "Lag": 3}],
    }

    assert undefined_members(shape, body) == [
        "Extra",
        "Tags.[1].Color",
        "ReplicationStatus.[0].Lag",
    ]
    assert undefined_members(None, {"ARN": "a"}) == ["ARN"]
    assert undefined_members(None, {}) == []
