"""ListSecrets and the secret selection of BatchGetSecretValue: filters, order and pages (§8, §9).

The store keeps its secrets in a SecretIndex, sorted by created date and by name, so that a page
starts with a bisect and costs O(page size + log n) however many secrets there are (DESIGN.md,
Scale). A NextToken names the sort key of the last secret looked at, so it stays valid while
secrets come and go between pages.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Protocol

from smfake._domain import messages, paging
from smfake._domain.errors import InvalidNextTokenException, InvalidParameterException
from smfake._domain.secret import Secret
from smfake._domain.sortedcolumn import SortedColumn


class Listed(Protocol):
    """What listing reads of a store (SecretStore is one): its ARN prefix, its index."""

    @property
    def arn_prefix(self) -> str: ...

    @property
    def index(self) -> SecretIndex: ...


CREATED_DATE = "created-date"
LAST_ACCESSED_DATE = "last-accessed-date"
LAST_CHANGED_DATE = "last-changed-date"
NAME = "name"

# Page sizes without MaxResults: the most MaxResults allows (AWS's defaults are undocumented).
DEFAULT_PAGE = 100
DEFAULT_BATCH_PAGE = 20
# AWS may answer a filtered view of a long list with fewer results than asked for, even none,
# plus a NextToken [M NextToken doc]. How far it looks per call is unknown; smfake looks at
# this many secrets, so a filter over a store of up to this size always completes in one call.
SCAN_LIMIT = 1000

# §8: a name-like value breaks into words at these characters, unless it mixes two of them.
_SEPARATORS = frozenset("/_+=.@-")

Key = tuple[int | str | datetime, ...]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def _micros(when: datetime) -> int:
    return (when - _EPOCH) // _MICROSECOND


# -- words (§8: the `description` and `all` filters) ----------------------------------------


def words(text: str) -> list[str]:
    """The words AWS searches in ``text``: split at white space, then at the one separator a
    chunk uses, then at case changes (`MyTest` → My, Test; `COMPANYthings` → COMPAN, Ythings)
    and letter/digit changes. A chunk that mixes two separators stays whole (§8)."""
    found: list[str] = []
    for chunk in text.split():
        used = [separator for separator in _SEPARATORS if separator in chunk]
        if len(used) > 1:
            found.append(chunk)
            continue
        for piece in chunk.split(used[0]) if used else [chunk]:
            found += _case_words(piece)
    return found


def _case_words(piece: str) -> list[str]:
    found: list[str] = []
    current = ""
    for char in piece:
        if not char.isalnum():
            if current:
                found.append(current)
            current = ""
            continue
        if current:
            last = current[-1]
            if char.isdigit() != last.isdigit() or (last.islower() and char.isupper()):
                found.append(current)
                current = ""
            elif last.isupper() and char.islower() and len(current) > 1 and current[-2].isupper():
                found.append(current[:-1])
                current = last
        current += char
    if current:
        found.append(current)
    return found


def _has_words(wanted: tuple[str, ...], text: str) -> bool:
    present = [word.casefold() for word in words(text)]
    return all(any(word.startswith(prefix) for word in present) for prefix in wanted)


# -- filters ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    """One value of a filter: a prefix (or words, for `description`/`all`), maybe negated."""

    text: str
    negated: bool
    words: tuple[str, ...]


def _prefix_of(attribute: Callable[[Secret], Iterable[str]]) -> Callable[[Term, Secret], bool]:
    return lambda term, secret: any(value.startswith(term.text) for value in attribute(secret))


def _description(term: Term, secret: Secret) -> bool:
    # A value without words (`+`, an empty one) finds nothing (§8).
    return bool(term.words and secret.description and _has_words(term.words, secret.description))


def _all(term: Term, secret: Secret) -> bool:
    # Every word of the value must be found in the same attribute, as for `description`
    # (unverified across attributes).
    if not term.words:
        return False
    texts = [secret.name, secret.description or ""]
    if secret.tags:
        texts += [*secret.tags.keys(), *secret.tags.values()]
    return any(_has_words(term.words, text) for text in texts)


def _owning_service(secret: Secret) -> list[str]:
    # Only secrets that other AWS services create have an owning service; smfake makes none.
    return []


_MATCHERS: dict[str, Callable[[Term, Secret], bool]] = {
    "name": _prefix_of(lambda secret: [secret.name]),
    "description": _description,
    "tag-key": _prefix_of(lambda secret: secret.tags or {}),
    "tag-value": _prefix_of(lambda secret: (secret.tags or {}).values()),
    "primary-region": _prefix_of(
        lambda secret: [] if secret.primary_region is None else [secret.primary_region]
    ),
    "owning-service": _prefix_of(_owning_service),
    "all": _all,
}
FILTER_KEYS = frozenset(_MATCHERS)


@dataclass(frozen=True, slots=True)
class Filter:
    key: str
    terms: tuple[Term, ...]

    def admits(self, secret: Secret) -> bool:
        """Values are OR-ed; `!v` holds where `v` does not (§8)."""
        match = _MATCHERS[self.key]
        return any(match(term, secret) != term.negated for term in self.terms)


def make_filter(key: str | None, values: Sequence[str] | None) -> Filter:
    if key is None or key not in FILTER_KEYS:
        raise InvalidParameterException(messages.INVALID_FILTER_KEY)
    if not values:
        raise InvalidParameterException(messages.INVALID_FILTER_VALUES, key=key)
    terms = []
    for value in values:
        negated = value.startswith("!")
        text = value[1:] if negated else value
        folded = tuple(word.casefold() for word in words(text))
        terms.append(Term(text, negated, folded))
    return Filter(key, tuple(terms))


@dataclass(frozen=True, slots=True)
class Query:
    filters: tuple[Filter, ...] = ()
    sort_by: str = CREATED_DATE
    descending: bool = False
    include_planned_deletion: bool = False

    def admits(self, secret: Secret) -> bool:
        """Separate filters are AND-ed, even with the same key (§8)."""
        if secret.scheduled_for_deletion and not self.include_planned_deletion:
            return False
        return all(f.admits(secret) for f in self.filters)

    def scope(self, store: Listed, operation: str) -> str:
        # A token only resumes the listing it came from (unverified: AWS may accept it for
        # other parameters).
        filters = "\0".join(
            f"{f.key}\x1f" + "\x1e".join(("!" if t.negated else "") + t.text for t in f.terms)
            for f in self.filters
        )
        return "\0".join(
            (
                store.arn_prefix,
                operation,
                self.sort_by,
                str(self.descending),
                str(self.include_planned_deletion),
                filters,
            )
        )


# -- the index ------------------------------------------------------------------------------


class SecretIndex:
    """The registered secrets of a store in each listing order, so that a page is a bisect
    and a slice. Keys end with the secret's seq, which numbers registrations: secrets that tie
    (created in the same instant, changed or read the same day) keep the order they were
    created in. A secret's keys are computed from its fields (sortedcolumn.py), so its change
    and access dates only change through set_last_changed and set_last_accessed."""

    def __init__(self) -> None:
        self._seq = itertools.count()
        self._columns = {
            CREATED_DATE: SortedColumn[Secret](_created_key),
            NAME: SortedColumn[Secret](_name_key),
            LAST_CHANGED_DATE: SortedColumn[Secret](_changed_key),
            LAST_ACCESSED_DATE: SortedColumn[Secret](_accessed_key),
        }

    def add(self, secret: Secret) -> None:
        secret.seq = next(self._seq)
        for column in self._columns.values():
            column.insert(secret)

    def discard(self, secret: Secret) -> None:
        for column in self._columns.values():
            column.remove(secret)

    def set_last_changed(self, secret: Secret, when: datetime) -> None:
        self._resort(LAST_CHANGED_DATE, secret, "last_changed", when)

    def set_last_accessed(self, secret: Secret, day: date) -> None:
        self._resort(LAST_ACCESSED_DATE, secret, "last_accessed", day)

    def _resort(self, order: str, secret: Secret, field: str, value: object) -> None:
        # The column derives its keys from the secret: take it out before the field it sorts
        # by changes, put it back after (if it was held: a deleted secret is not).
        column = self._columns[order]
        held = column.remove(secret)
        setattr(secret, field, value)
        if held:
            column.insert(secret)

    def column(self, sort_by: str) -> SortedColumn[Secret]:
        # Name order is ordinal: upper case before lower case (unverified, AWS_SPEC §20.6).
        return self._columns[sort_by]


def _created_key(secret: Secret) -> Key:
    return (secret.created, secret.seq)


def _name_key(secret: Secret) -> Key:
    return (secret.name, secret.seq)


def _changed_key(secret: Secret) -> Key:
    return (secret.last_changed, secret.seq)


def _accessed_key(secret: Secret) -> Key:
    # Never-read secrets count as the least recently read (unverified).
    accessed = -1 if secret.last_accessed is None else secret.last_accessed.toordinal()
    return (accessed, secret.seq)


def _moment(micros: str) -> datetime:
    return _EPOCH + int(micros) * _MICROSECOND


# How each part of a key reads back from a token.
_LAYOUTS: dict[str, tuple[Callable[[str], int | str | datetime], ...]] = {
    CREATED_DATE: (_moment, int),
    NAME: (str, int),
    LAST_CHANGED_DATE: (_moment, int),
    LAST_ACCESSED_DATE: (int, int),
}


def _encode(key: Key) -> str:
    # Names never contain "|" (§2.3). Instants are written as microseconds since the epoch.
    return "|".join(str(_micros(part) if isinstance(part, datetime) else part) for part in key)


def _decode(position: str, sort_by: str) -> Key:
    # Only a token forged with a valid digest gets here malformed.
    layout = _LAYOUTS[sort_by]
    try:
        return tuple(kind(part) for kind, part in zip(layout, position.split("|"), strict=True))
    except (ValueError, OverflowError):
        raise InvalidNextTokenException() from None


# -- pages ----------------------------------------------------------------------------------


def list_secrets(
    store: Listed,
    query: Query,
    *,
    max_results: int | None,
    next_token: str | None,
    operation: str = "ListSecrets",
) -> tuple[list[Secret], str | None]:
    """One page of the secrets ``query`` admits, and the token of the next page, if any."""
    limit = max_results or DEFAULT_PAGE
    scope = query.scope(store, operation)
    column = store.index.column(query.sort_by)
    after = None
    if next_token is not None:
        after = _decode(paging.decode(scope, next_token), query.sort_by)
    page: list[Secret] = []
    last: Secret | None = None
    walk = column.walk(after=after, descending=query.descending)
    for scanned, secret in enumerate(walk):
        if len(page) == limit or scanned == SCAN_LIMIT:
            # More secrets follow; the next page may still turn out empty under a filter.
            return page, paging.encode(scope, _encode(column.key(secret if last is None else last)))
        if query.admits(secret):
            page.append(secret)
        last = secret
    return page, None


def batch_targets(
    store: Listed,
    *,
    secret_ids: Sequence[str] | None,
    filters: Sequence[Filter] | None,
    max_results: int | None,
    next_token: str | None,
) -> tuple[list[str], str | None]:
    """The secret ids BatchGetSecretValue reads, and the token of the next page (§9)."""
    if bool(secret_ids) == bool(filters):
        raise InvalidParameterException(messages.ID_LIST_OR_FILTERS)
    if not filters:
        if max_results is not None:
            raise InvalidParameterException(messages.MAX_RESULTS_WITHOUT_FILTERS)
        if next_token is not None:
            # A token only continues a filtered selection (unverified).
            raise InvalidNextTokenException()
        return list(secret_ids or ()), None
    secrets, token = list_secrets(
        store,
        Query(filters=tuple(filters)),
        max_results=max_results or DEFAULT_BATCH_PAGE,
        next_token=next_token,
        operation="BatchGetSecretValue",
    )
    # Secrets chosen by filters are read, and reported in Errors, by ARN (unverified).
    return [secret.arn for secret in secrets], token
