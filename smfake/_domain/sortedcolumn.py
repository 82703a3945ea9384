"""A sorted column of unique keys, each with a value, kept in chunks.

One flat sorted list made every insert move the whole tail of the list: at 100,000 secrets a
CreateSecret moved about a megabyte per listing order. In chunks of at most 2 x _LOAD items an
insert or a removal moves at most one chunk, and finding a key is two bisections.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

V = TypeVar("V")
Key = tuple[Any, ...]
_LOAD = 500


class SortedColumn(Generic[V]):
    def __init__(self) -> None:
        self._keys: list[list[Key]] = []
        self._values: list[list[V]] = []
        self._maxes: list[Key] = []  # the last key of each chunk
        self._len = 0

    def __len__(self) -> int:
        return self._len

    def insert(self, key: Key, value: V) -> None:
        self._len += 1
        if not self._maxes:
            self._keys.append([key])
            self._values.append([value])
            self._maxes.append(key)
            return
        pos = bisect_right(self._maxes, key)
        if pos == len(self._maxes):
            pos -= 1  # the new largest key ends the last chunk
            self._keys[pos].append(key)
            self._values[pos].append(value)
            self._maxes[pos] = key
        else:
            keys = self._keys[pos]
            at = bisect_right(keys, key)
            keys.insert(at, key)
            self._values[pos].insert(at, value)
        if len(self._keys[pos]) > 2 * _LOAD:
            self._split(pos)

    def remove(self, key: Key) -> None:
        """Remove ``key``, which must be present."""
        pos = bisect_left(self._maxes, key)
        if pos == len(self._maxes):
            raise KeyError(key)
        keys = self._keys[pos]
        at = bisect_left(keys, key)
        if keys[at] != key:
            raise KeyError(key)
        del keys[at]
        del self._values[pos][at]
        self._len -= 1
        if keys:
            self._maxes[pos] = keys[-1]
        else:
            del self._keys[pos], self._values[pos], self._maxes[pos]

    def walk(self, *, after: Key | None, descending: bool) -> Iterator[tuple[Key, V]]:
        """Items in order (or in reverse), starting past ``after`` when given."""
        if not self._maxes:
            return
        if descending:
            yield from self._walk_down(after)
        else:
            yield from self._walk_up(after)

    def _walk_up(self, after: Key | None) -> Iterator[tuple[Key, V]]:
        pos, at = 0, 0
        if after is not None:
            pos = bisect_right(self._maxes, after)
            if pos == len(self._maxes):
                return
            at = bisect_right(self._keys[pos], after)
        while pos < len(self._keys):
            keys, values = self._keys[pos], self._values[pos]
            while at < len(keys):
                yield keys[at], values[at]
                at += 1
            pos, at = pos + 1, 0

    def _walk_down(self, after: Key | None) -> Iterator[tuple[Key, V]]:
        pos = len(self._keys) - 1
        at = len(self._keys[pos]) - 1
        if after is not None:
            found = bisect_left(self._maxes, after)
            if found < len(self._maxes):
                pos = found
                at = bisect_left(self._keys[pos], after) - 1
        while pos >= 0:
            keys, values = self._keys[pos], self._values[pos]
            while at >= 0:
                yield keys[at], values[at]
                at -= 1
            pos -= 1
            if pos >= 0:
                at = len(self._keys[pos]) - 1

    def _split(self, pos: int) -> None:
        keys, values = self._keys[pos], self._values[pos]
        half = len(keys) // 2
        self._keys[pos : pos + 1] = [keys[:half], keys[half:]]
        self._values[pos : pos + 1] = [values[:half], values[half:]]
        self._maxes[pos : pos + 1] = [keys[half - 1], keys[-1]]
