"""Install the dormant dispatcher into botocore as soon as botocore is imported, cheaply.

Clients created before a fake is activated (module-level clients of the code under test)
must reach it, so the dispatcher has to be among botocore's built-in handlers before their
session exists. Importing botocore costs ~180 ms, more than a pytest plugin may add to every
run, so when botocore is not loaded yet this module waits for it with an import hook instead
of importing it. Nothing here imports botocore, nor importlib.abc (~20 ms on Python 3.11):
the finder and the loader below are what the import system calls, by their methods.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.abc import Loader
    from importlib.machinery import ModuleSpec
    from types import ModuleType

_TARGET = "botocore.handlers"
_lock = threading.Lock()


def install_when_botocore_loads() -> None:
    """Install now if botocore's handlers are loaded, else as soon as they are."""
    if _TARGET in sys.modules:
        _install()
        return
    with _lock:
        if not any(isinstance(f, _AfterImport) for f in sys.meta_path):
            sys.meta_path.insert(0, _AfterImport())


def _install() -> None:
    hook = sys.modules.get("smfake._wire.hook")
    if hook is not None and not hasattr(hook, "install"):
        # botocore is being imported by hook.py itself, which installs when its body ends.
        return
    from smfake._wire.hook import install

    install()


class _AfterImport:
    """A meta path finder (importlib.abc.MetaPathFinder's protocol)."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if fullname != _TARGET:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    # A Loader by its methods, not by inheritance (see the module's docstring).
                    spec.loader = _ThenInstall(spec.loader, self)  # type: ignore[assignment]
                return spec
        return None


class _ThenInstall:
    """A loader (importlib.abc.Loader's protocol): botocore.handlers' own, then install."""

    def __init__(self, loader: Loader, finder: _AfterImport) -> None:
        self._loader = loader
        self._finder = finder

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        if self._finder in sys.meta_path:
            sys.meta_path.remove(self._finder)
        _install()
