"""Tag rules: at most 50 user tags, keys unique and case-sensitive, `aws:` reserved (§14)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from smfake._domain import messages
from smfake._domain.errors import InvalidParameterException, LimitExceededException, ServiceError

MAX_TAGS = 50
RESERVED_PREFIX = "aws:"


def merged(
    current: Mapping[str, str] | None,
    added: Iterable[tuple[str, str]],
    *,
    too_many: type[ServiceError] = LimitExceededException,
) -> dict[str, str]:
    """Tags after adding/overwriting ``added``; raises without changing anything.

    Which error a 51st tag gets is unverified (AWS_SPEC §14, §20): CreateSecret's model lists
    LimitExceededException, TagResource's lists no quota error, only InvalidParameterException,
    so the caller names the one its operation declares."""
    result = dict(current or {})
    for key, value in added:
        if key.lower().startswith(RESERVED_PREFIX):
            raise InvalidParameterException(messages.TAG_RESERVED_PREFIX, key=key)
        result[key] = value
    if len(result) > MAX_TAGS:
        raise too_many(messages.TAG_QUOTA, limit=MAX_TAGS)
    return result


def without(current: Mapping[str, str] | None, keys: Iterable[str]) -> dict[str, str]:
    """Tags after removing ``keys``; unknown keys are ignored, as AWS does."""
    doomed = set(keys)
    return {k: v for k, v in (current or {}).items() if k not in doomed}
