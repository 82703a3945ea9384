"""SortedColumn: values sorted by a computed key, in chunks, checked against a plain sorted list."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from smfake._domain import sortedcolumn
from smfake._domain.sortedcolumn import SortedColumn

OPS = st.lists(st.tuples(st.booleans(), st.integers(0, 60)), max_size=300)


@dataclass(eq=False)
class Item:
    n: int


def key(item: Item) -> tuple[int]:
    return (item.n,)


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
    column: SortedColumn[Item] = SortedColumn(key)
    model: dict[int, Item] = {}
    for add, n in ops:
        if add and n not in model:
            model[n] = Item(n)
            column.insert(model[n])
        elif not add and n in model:
            assert column.remove(model.pop(n))
    assert len(column) == len(model)
    expected = [model[n] for n in sorted(model, reverse=descending)]
    assert list(column.walk(after=None, descending=descending)) == expected
    tail = [item for item in expected if (item.n < after if descending else item.n > after)]
    assert list(column.walk(after=(after,), descending=descending)) == tail


def test_sortedcolumn_remove_of_a_value_it_does_not_hold_is_false():
    column: SortedColumn[Item] = SortedColumn(key)
    one, three = Item(1), Item(3)
    column.insert(one)
    column.insert(three)
    # Absent keys, and a different value under a key the column holds.
    for missing in (Item(2), Item(4), Item(1)):
        assert not column.remove(missing)
    assert len(column) == 2
    assert column.remove(one)
    assert not column.remove(one)
    assert list(column.walk(after=None, descending=False)) == [three]
