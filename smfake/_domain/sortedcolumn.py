"""A column of values sorted by a key computed from each value, kept in chunks.

One flat sorted list made every insert move the whole tail of the list: at 100,000 secrets a
CreateSecret moved about a megabyte per listing order. In chunks of at most 2 x _LOAD items an
insert or a removal moves at most one chunk, and finding a key is two bisections.

Keys are not stored but computed when bisecting: a stored key cost each secret a tuple and its
numbers in every listing order (over 100 bytes each). Only the last key of each chunk is kept.
So a value's key must not change while the column holds it: take it out, change it, put it back.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

V = TypeVar("V")
Key = tuple[Any, ...]
_LOAD = 500


class SortedColumn(Generic[V]):
    def __init__(self, key: Callable[[V], Key]) -> None:
        self.key = key  # no two values the column holds may have the same key
        self._chunks: list[list[V]] = []
        self._maxes: list[Key] = []  # the key of each chunk's last value
        self._len = 0

    def __len__(self) -> int:
        return self._len

    def insert(self, value: V) -> None:
        key = self.key(value)
        self._len += 1
        if not self._maxes:
            self._chunks.append([value])
            self._maxes.append(key)
            return
        pos = bisect_right(self._maxes, key)
        if pos == len(self._maxes):
            pos -= 1  # the new largest key ends the last chunk
            chunk = self._chunks[pos]
            chunk.append(value)
            self._maxes[pos] = key
        else:
            chunk = self._chunks[pos]
            chunk.insert(bisect_right(chunk, key, key=self.key), value)
        if len(chunk) > 2 * _LOAD:
            self._split(pos)

    def remove(self, value: V) -> bool:
        """Remove ``value``, found by its key; False when the column does not hold it."""
        key = self.key(value)
        pos = bisect_left(self._maxes, key)
        if pos == len(self._maxes):
            return False
        chunk = self._chunks[pos]
        at = bisect_left(chunk, key, key=self.key)
        if chunk[at] is not value:
            return False
        del chunk[at]
        self._len -= 1
        if chunk:
            self._maxes[pos] = self.key(chunk[-1])
        else:
            del self._chunks[pos], self._maxes[pos]
        return True

    def walk(self, *, after: Key | None, descending: bool) -> Iterator[V]:
        """Values in order (or in reverse), starting past the key ``after`` when given."""
        if not self._maxes:
            return
        if descending:
            yield from self._walk_down(after)
        else:
            yield from self._walk_up(after)

    def _walk_up(self, after: Key | None) -> Iterator[V]:
        pos, at = 0, 0
        if after is not None:
            pos = bisect_right(self._maxes, after)
            if pos == len(self._maxes):
                return
            at = bisect_right(self._chunks[pos], after, key=self.key)
        while pos < len(self._chunks):
            chunk = self._chunks[pos]
            while at < len(chunk):
                yield chunk[at]
                at += 1
            pos, at = pos + 1, 0

    def _walk_down(self, after: Key | None) -> Iterator[V]:
        pos = len(self._chunks) - 1
        at = len(self._chunks[pos]) - 1
        if after is not None:
            found = bisect_left(self._maxes, after)
            if found < len(self._maxes):
                pos = found
                at = bisect_left(self._chunks[pos], after, key=self.key) - 1
        while pos >= 0:
            chunk = self._chunks[pos]
            while at >= 0:
                yield chunk[at]
                at -= 1
            pos -= 1
            if pos >= 0:
                at = len(self._chunks[pos]) - 1

    def _split(self, pos: int) -> None:
        chunk = self._chunks[pos]
        half = len(chunk) // 2
        self._chunks[pos : pos + 1] = [chunk[:half], chunk[half:]]
        self._maxes[pos : pos + 1] = [self.key(chunk[half - 1]), self._maxes[pos]]
