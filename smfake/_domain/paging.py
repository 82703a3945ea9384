"""Opaque, validated NextToken values for list operations."""

from __future__ import annotations

import base64
import binascii
import hashlib

from smfake._domain.errors import InvalidNextTokenException

_PREFIX = "smfake1"


def encode(scope: str, position: str) -> str:
    """A token for resuming a listing of ``scope`` after ``position``."""
    digest = hashlib.sha256(f"{scope}\0{position}".encode()).hexdigest()[:16]
    raw = f"{_PREFIX}\0{position}\0{digest}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode(scope: str, token: str) -> str:
    """The position inside ``scope`` that ``token`` names; InvalidNextTokenException otherwise."""
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii")).decode()
        prefix, position, digest = raw.split("\0")
    except (ValueError, UnicodeError, binascii.Error):
        raise InvalidNextTokenException() from None
    expected = hashlib.sha256(f"{scope}\0{position}".encode()).hexdigest()[:16]
    if prefix != _PREFIX or digest != expected:
        raise InvalidNextTokenException()
    return position
