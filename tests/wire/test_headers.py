"""The one case-insensitive header map of the HTTP fronts."""

from __future__ import annotations

from smfake._wire.headers import Headers


def test_lookup_ignores_case_and_iteration_keeps_the_names_sent():
    headers = Headers({"X-Amz-Target": "secretsmanager.ListSecrets", "content-type": b"a/b"})
    assert headers["x-amz-target"] == headers["X-AMZ-TARGET"] == "secretsmanager.ListSecrets"
    assert headers["Content-Type"] == "a/b"
    assert list(headers) == ["X-Amz-Target", "content-type"]


def test_repeated_headers_are_joined_with_commas():
    headers = Headers([("Accept", "a"), ("accept", "b")])
    assert dict(headers) == {"accept": "a, b"}


def test_wrapping_a_header_map_copies_it():
    first = Headers({"A": "1"})
    second = Headers(first)
    assert second == first and second is not first
    assert len(Headers(None)) == 0
