"""Reading the JSON objects of a snapshot, each with its place in the file, so that an error
says where it is and what was expected."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any, TypeVar

from smfake.errors import UsageError

_T = TypeVar("_T")


class Fields:
    """One JSON object of the snapshot, read with its place in the file for error messages."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise bad(where, "an object", data)
        self._data: dict[str, Any] = data
        self.where = where

    def _get(self, name: str, check: Callable[[object], bool], kind: str, optional: bool) -> Any:
        if name not in self._data:
            raise UsageError(f"snapshot {place(self.where, name)}: missing")
        value = self._data[name]
        if (value is None and optional) or check(value):
            return value
        raise bad(place(self.where, name), kind, value)

    def has(self, name: str) -> bool:
        return name in self._data

    def text(self, name: str) -> str:
        value: str = self._get(name, _is(str), "a string", False)
        return value

    def opt_text(self, name: str) -> str | None:
        value: str | None = self._get(name, _is(str), "a string or null", True)
        return value

    def flag(self, name: str) -> bool:
        value: bool = self._get(name, _is(bool), "true or false", False)
        return value

    def opt_flag(self, name: str) -> bool | None:
        value: bool | None = self._get(name, _is(bool), "true, false or null", True)
        return value

    def opt_int(self, name: str) -> int | None:
        value: int | None = self._get(name, is_int, "an integer or null", True)
        return value

    def time(self, name: str) -> datetime:
        return _parse(place(self.where, name), self.text(name), _aware)

    def opt_time(self, name: str) -> datetime | None:
        text = self.opt_text(name)
        return None if text is None else _parse(place(self.where, name), text, _aware)

    def opt_date(self, name: str) -> date | None:
        text = self.opt_text(name)
        return None if text is None else _parse(place(self.where, name), text, date.fromisoformat)

    def strings(self, name: str) -> list[str]:
        value: list[str] = self._get(name, _list_of(str), "a list of strings", False)
        return list(value)

    def str_map(self, name: str) -> dict[str, str]:
        value: dict[str, str] = self._get(name, _str_map, "an object of strings", False)
        return dict(value)

    def opt_str_map(self, name: str) -> dict[str, str] | None:
        value: dict[str, str] | None = self._get(name, _str_map, "an object of strings", True)
        return None if value is None else dict(value)

    def opt_obj(self, name: str) -> Fields | None:
        value = self._get(name, _is(dict), "an object or null", True)
        return None if value is None else Fields(value, place(self.where, name))

    def obj(self, name: str) -> Fields:
        return Fields(self._get(name, _is(dict), "an object", False), place(self.where, name))

    def objs(self, name: str) -> list[Fields]:
        items = self._get(name, _is(list), "a list", False)
        return [Fields(item, f"{place(self.where, name)}[{i}]") for i, item in enumerate(items)]

    def raw(self, name: str) -> object:
        return self._get(name, lambda _: True, "", True)


def _aware(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise ValueError("no time zone")
    return when.astimezone(timezone.utc)


def _parse(where: str, text: str, parse: Callable[[str], _T]) -> _T:
    try:
        return parse(text)
    except ValueError:
        raise bad(where, "an ISO 8601 date (with a time zone for a time)", text) from None


def place(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def bad(where: str, kind: str, value: object) -> UsageError:
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    return UsageError(f"snapshot {where or 'top level'}: expected {kind}, got {shown}")


def _is(kind: type) -> Callable[[object], bool]:
    return lambda value: isinstance(value, kind)


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _list_of(kind: type) -> Callable[[object], bool]:
    return lambda value: isinstance(value, list) and all(_is(kind)(v) for v in value)


def _str_map(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
