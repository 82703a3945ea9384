"""HTTP request headers, looked up case-insensitively as HTTP defines them: SDKs differ in how
they spell ``X-Amz-Target``. The one header map of every HTTP front (``fake.http``, the
server, the Lambda extension endpoint)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping


class Headers(Mapping[str, str]):
    """Iteration keeps the names as sent; a repeated header's values are joined with commas
    (RFC 9110 5.3); bytes values are read as Latin-1, as HTTP/1.1 carries them."""

    __slots__ = ("_items",)

    def __init__(
        self, headers: Mapping[str, str | bytes] | Iterable[tuple[str, str]] | None = None
    ) -> None:
        if isinstance(headers, Headers):
            self._items: dict[str, tuple[str, str]] = dict(headers._items)
            return
        self._items = {}
        pairs = headers.items() if isinstance(headers, Mapping) else headers or ()
        for name, value in pairs:
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            key = name.lower()
            if key in self._items:
                text = f"{self._items[key][1]}, {text}"
            self._items[key] = (name, text)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        # Names only: the Authorization header and tokens stay out of reprs.
        return f"Headers({sorted(self)!r})"
