"""SortedColumn: a sorted key -> value column in chunks, checked against a plain sorted list."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smfake._domain import sortedcolumn
from smfake._domain.sortedcolumn import SortedColumn

OPS = st.lists(st.tuples(st.booleans(), st.integers(0, 60)), max_size=300)


@settings(max_examples=200, deadline=None)
@given(OPS, st.integers(-1, 61), st.booleans())
def test_sortedcolumn_matches_a_sorted_list(ops, after, descending):
    # Small chunks, so that splits and emptied chunks happen within a few operations.
    original, sortedcolumn._LOAD = sortedcolumn._LOAD, 2
    try:
        _check(ops, after, descending)
    finally:
        sortedcolumn._LOAD = original


def _check(ops, after, descending):
    column: SortedColumn[str] = SortedColumn()
    model: dict[tuple[int], str] = {}
    for add, n in ops:
        key = (n,)
        if add and key not in model:
            column.insert(key, f"v{n}")
            model[key] = f"v{n}"
        elif not add and key in model:
            column.remove(key)
            del model[key]
    assert len(column) == len(model)
    expected = sorted(model.items(), reverse=descending)
    assert list(column.walk(after=None, descending=descending)) == expected
    start = (after,)
    tail = [kv for kv in expected if (kv[0] < start if descending else kv[0] > start)]
    assert list(column.walk(after=start, descending=descending)) == tail


def test_sortedcolumn_remove_of_a_missing_key_raises():
    column: SortedColumn[str] = SortedColumn()
    column.insert((1,), "a")
    column.insert((3,), "c")
    for missing in ((2,), (4,)):
        with pytest.raises(KeyError):
            column.remove(missing)
    assert len(column) == 2
