from __future__ import annotations

import base64

import pytest

from smfake._domain import paging
from smfake._domain.errors import InvalidNextTokenException


def test_paging_round_trip():
    token = paging.encode("scope", "v-123")
    assert paging.decode("scope", token) == "v-123"


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "",
        "!!!!",
        base64.urlsafe_b64encode(b"smfake1\0pos\0deadbeefdeadbeef").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_paging_rejects_garbage(token):
    with pytest.raises(InvalidNextTokenException) as excinfo:
        paging.decode("scope", token)
    assert excinfo.value.message == "The NextToken value is invalid."


def test_paging_token_is_bound_to_its_scope():
    token = paging.encode("secret-a", "v-1")
    with pytest.raises(InvalidNextTokenException):
        paging.decode("secret-b", token)
