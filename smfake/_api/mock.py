"""mock_secretsmanager: context manager, decorator (functions, coroutines, classes), start/stop.

``smfake.mock_secretsmanager`` loads only this module, so it stays light: options are checked
when mock_secretsmanager() is called, while the fake itself (domain, wire, API) and botocore's
hook are imported by the first activation (start(), ``__enter__``, a decorated call), once per
process.
"""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, overload

from smfake._api.options import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, Options
from smfake.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Callable, Coroutine, Generator, Mapping
    from types import TracebackType

    from smfake._api.handle import SecretsManagerFake
    from smfake._api.options import SeedValue

_F = TypeVar("_F", bound="Callable[..., Any]")
_T = TypeVar("_T")


class _Activation(NamedTuple):
    """What an activation pushes on the hook's stack beside its responder: current_fake()
    reads the fake from it."""

    mock: MockSecretsManager
    fake: SecretsManagerFake


class MockSecretsManager:
    """One activation of a fake. Reusable: every start() begins a new activation."""

    def __init__(
        self,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = DEFAULT_REGION,
        seed: int | None = None,
        secrets: Mapping[str, SeedValue] | None = None,
        fake: SecretsManagerFake | None = None,
        verify_signatures: bool = False,
        enforce_access: bool = False,
        fast_path: bool = True,
    ) -> None:
        if fake is not None:
            from smfake._api.handle import SecretsManagerFake  # loaded if fake is one

            if not isinstance(fake, SecretsManagerFake):
                raise UsageError(f"fake= takes a SecretsManagerFake, got {type(fake).__name__}")
        # Refuses bad options now rather than at the first start().
        self._options = Options(
            account_id=account_id,
            region=region,
            seed=seed,
            secrets=secrets,
            fake=fake,
            verify_signatures=verify_signatures,
            enforce_access=enforce_access,
            fast_path=fast_path,
        )
        self._shared = fake
        self._secrets = dict(secrets or {})
        self._fake: SecretsManagerFake | None = None
        self._activation: _Activation | None = None
        self._started = False
        self._holds_credentials = False
        if fake is not None:
            if verify_signatures:
                fake.verify_signatures = True
            if enforce_access:
                fake.enforce_access = True
            if not fast_path:
                fake.fast_path = False

    # -- start / stop -----------------------------------------------------------------------

    def start(self) -> SecretsManagerFake:
        """Activate; returns the fake. Every Secrets Manager client in the process hits it."""
        if self._fake is not None:
            raise UsageError(
                "this mock_secretsmanager() is already active; stop() it first or create "
                "another one (see docs/activation.md#what-is-intercepted)"
            )
        # The first activation loads the fake and botocore's hook; later ones find them loaded.
        from smfake._api import credentials
        from smfake._api.handle import SecretsManagerFake
        from smfake._wire import hook

        hook.install()
        fake = self._shared or SecretsManagerFake._from_options(self._options)
        # A shared fake keeps what it has: seeding creates only the secrets it lacks.
        fake._seed_secrets(self._secrets)
        self._holds_credentials = credentials.acquire()
        self._activation = _Activation(self, fake)
        hook.push(fake._responder, self._activation)
        self._fake = fake
        self._started = True
        return fake

    def stop(self) -> None:
        """Deactivate and restore the environment. Once started, stopping again does nothing
        (cleanup code may stop twice); stopping one that was never started raises UsageError,
        since it usually means another object than the active one was stopped."""
        fake, self._fake = self._fake, None
        if fake is None:
            if not self._started:
                raise UsageError(
                    "this mock_secretsmanager() was never started, so stop() has nothing to "
                    "stop: stop the object whose start() activated the fake (see "
                    "docs/activation.md#three-ways-to-activate-it)"
                )
            return
        from smfake._api import credentials
        from smfake._wire import hook

        hook.pop(self._activation)
        self._activation = None
        if self._holds_credentials:
            self._holds_credentials = False
            credentials.release()

    @property
    def fake(self) -> SecretsManagerFake | None:
        """The fake of the current activation, or None when not active."""
        return self._fake

    # -- context manager --------------------------------------------------------------------

    def __enter__(self) -> SecretsManagerFake:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> SecretsManagerFake:
        """``async with mock_secretsmanager() as fake:``, the same activation as ``with``
        (activating never waits, so nothing is awaited)."""
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- decorator --------------------------------------------------------------------------

    @overload
    def __call__(self, target: type[_T]) -> type[_T]: ...

    @overload
    def __call__(self, target: _F) -> _F: ...

    def __call__(self, target: Any) -> Any:
        if isinstance(target, type):
            return self._decorate_class(target)
        if callable(target):
            return self._decorate_callable(target, mark=False)
        raise UsageError(
            f"mock_secretsmanager decorates functions, coroutines and classes, got {target!r}"
        )

    def _copy(self) -> MockSecretsManager:
        clone = MockSecretsManager.__new__(MockSecretsManager)
        clone._options = self._options
        clone._shared = self._shared
        clone._secrets = self._secrets
        clone._fake = None
        clone._activation = None
        clone._started = False
        clone._holds_credentials = False
        return clone

    def _decorate_function(self, func: Callable[..., _T]) -> Callable[..., _T]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> _T:
            with self._copy():
                return func(*args, **kwargs)

        return wrapper

    def _decorate_generator(
        self, func: Callable[..., Generator[Any, Any, _T]]
    ) -> Callable[..., Generator[Any, Any, _T]]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, _T]:
            with self._copy():
                return (yield from func(*args, **kwargs))

        return wrapper

    def _decorate_async_generator(
        self, func: Callable[..., AsyncGenerator[Any, Any]]
    ) -> Callable[..., AsyncGenerator[Any, Any]]:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
            with self._copy():
                inner = func(*args, **kwargs)
                try:
                    value = await inner.__anext__()
                    while True:
                        try:
                            sent = yield value
                        except GeneratorExit:
                            await inner.aclose()
                            raise
                        except BaseException as error:  # thrown in: the inner one decides
                            value = await inner.athrow(error)
                        else:
                            value = await inner.asend(sent)
                except StopAsyncIteration:
                    return

        return wrapper

    def _decorate_coroutine(
        self, func: Callable[..., Coroutine[Any, Any, _T]]
    ) -> Callable[..., Coroutine[Any, Any, _T]]:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> _T:
            with self._copy():
                return await func(*args, **kwargs)

        return wrapper

    def _decorate_class(self, cls: type[_T]) -> type[_T]:
        # A TestCase class exists only if unittest was imported: not importing it saves time.
        unittest = sys.modules.get("unittest")
        if unittest is not None and issubclass(cls, unittest.TestCase):
            # One activation spans setUp, the test and tearDown; cleanups stop it even when
            # setUp fails.
            original_setup = getattr(cls, "setUp")  # noqa: B009 - cls is typed as a plain type
            activation = self

            @functools.wraps(original_setup)
            def setUp(test: Any) -> None:
                mock = activation._copy()
                mock.start()
                test.addCleanup(mock.stop)
                original_setup(test)

            setattr(cls, "setUp", setUp)  # noqa: B010
            return cls
        for name in dir(cls):
            if not name.startswith("test"):
                continue
            raw = next(vars(klass)[name] for klass in cls.__mro__ if name in vars(klass))
            if isinstance(raw, (staticmethod, classmethod)):
                if not _is_wrapped(raw.__func__):
                    setattr(cls, name, type(raw)(self._decorate_callable(raw.__func__, mark=True)))
            elif callable(raw) and not _is_wrapped(raw):
                setattr(cls, name, self._decorate_callable(raw, mark=True))
        return cls

    def _decorate_callable(self, func: Callable[..., Any], *, mark: bool) -> Callable[..., Any]:
        import inspect  # ~10 ms to import, and only decorating needs it

        # A generator's body runs after the call returns, while it is iterated (a yield
        # fixture, a streaming reader): the activation must span its life, not the call's.
        wrapper: Callable[..., Any]
        if inspect.iscoroutinefunction(func):
            wrapper = self._decorate_coroutine(func)
        elif inspect.isasyncgenfunction(func):
            wrapper = self._decorate_async_generator(func)
        elif inspect.isgeneratorfunction(func):
            wrapper = self._decorate_generator(func)
        else:
            wrapper = self._decorate_function(func)
        if mark:
            wrapper.__smfake_wrapped__ = True  # type: ignore[union-attr]
        return wrapper


def _is_wrapped(func: object) -> bool:
    # A class decorated twice (or a subclass of a decorated class) keeps one activation.
    return bool(getattr(func, "__smfake_wrapped__", False))


def current_fake() -> SecretsManagerFake:
    """The fake of the innermost active activation, for code under a decorator."""
    activation = None
    hook = sys.modules.get("smfake._wire.hook")  # no activation ever happened without it
    if hook is not None:
        activation = hook.active_token()
    if not isinstance(activation, _Activation):
        raise UsageError(
            "no smfake fake is active; use mock_secretsmanager() or the smfake fixture"
        )
    return activation.fake


@overload
def mock_secretsmanager(
    target: None = None,
    *,
    account_id: str = ...,
    region: str = ...,
    seed: int | None = ...,
    secrets: Mapping[str, SeedValue] | None = ...,
    fake: SecretsManagerFake | None = ...,
    verify_signatures: bool = ...,
    enforce_access: bool = ...,
    fast_path: bool = ...,
) -> MockSecretsManager: ...


@overload
def mock_secretsmanager(target: type[_T]) -> type[_T]: ...


@overload
def mock_secretsmanager(target: _F) -> _F: ...


def mock_secretsmanager(
    target: Any = None,
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
    seed: int | None = None,
    secrets: Mapping[str, SeedValue] | None = None,
    fake: SecretsManagerFake | None = None,
    verify_signatures: bool = False,
    enforce_access: bool = False,
    fast_path: bool = True,
) -> Any:
    """Activate an in-memory Secrets Manager.

    Use it as ``with mock_secretsmanager() as fake:``, as ``@mock_secretsmanager`` (or with
    options, ``@mock_secretsmanager(seed=1)``) on functions, coroutines and classes, or as
    ``m = mock_secretsmanager(); fake = m.start(); ...; m.stop()``.

    Options: ``account_id`` (default 123456789012), ``region`` (where ``secrets`` and
    ``fake.add_secret`` put secrets; clients keep their own region), ``seed`` (ARN suffixes
    and ids), ``secrets`` (name -> value, created at every activation) and ``fake`` (share an
    existing fake's state instead of starting empty), ``verify_signatures`` (strict mode:
    every request must be SigV4-signed by a key registered in ``fake.principals``),
    ``enforce_access`` (every call is authorized against the caller's policies),
    ``fast_path`` (False: every call goes botocore's whole way, signing and parsing).
    """
    mock = MockSecretsManager(
        account_id=account_id,
        region=region,
        seed=seed,
        secrets=secrets,
        fake=fake,
        verify_signatures=verify_signatures,
        enforce_access=enforce_access,
        fast_path=fast_path,
    )
    if target is None:
        return mock
    return mock(target)
