"""The one registry of monkeypatches: every attribute of a third-party library the mock
replaces while active (botocore's and aiobotocore's ``_send``, ``requests``' session,
v3io-py's transports, moto's stubber) is a :class:`Patch` registered here.

A patch is a ``wrapt.FunctionWrapper`` around whatever the attribute held when the first
activation started (a third party's patch included), so it is transparent
(``__wrapped__``, signature, descriptor binding) and reversible:

* the first activation applies every patch whose module is loaded and watches imports for
  the others (an import during the activation applies its patch right after the module
  has loaded; nothing is imported here, so activation stays O(1));
* the last deactivation puts back the very object each patch replaced. If someone patched
  over ours meanwhile (their patch still active), ours is left in their chain, disabled:
  a pure pass-through, so removing it cannot remove theirs, and when they restore, ours is
  gone for good.

The process is therefore exactly as before once the last activation stops
(``tests/core/test_patches.py`` compares the identities).
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from types import ModuleType
from typing import Any, Callable, Sequence

import wrapt

Wrapper = Callable[[Callable[..., Any], Any, tuple[Any, ...], dict[str, Any]], Any]
"""wrapt's wrapper signature: ``(wrapped, instance, args, kwargs)``."""

_MISSING = object()


class Patch:
    """``module.owner.attribute`` wrapped by ``wrapper`` while a mock is active."""

    def __init__(self, module: str, owner: str, attribute: str, wrapper: Wrapper) -> None:
        self.module = module
        self.owner = owner
        self.attribute = attribute
        self.wrapper = wrapper
        self._target: Any = None
        self._original: Any = _MISSING  # what owner.__dict__ held (missing: inherited)
        self._installed: Any = None  # the FunctionWrapper we set

    def __repr__(self) -> str:
        state = "applied" if self.applied else "off"
        return f"Patch({self.module}.{self.owner}.{self.attribute}, {state})"

    @property
    def applied(self) -> bool:
        """True while our wrapper is installed (and enabled)."""
        return self._installed is not None

    def owner_in(self, module: ModuleType) -> Any:
        """The patched object in ``module`` (None while the module is still loading)."""
        target: Any = module
        for name in filter(None, self.owner.split(".")):  # owner "": a module-level function
            target = getattr(target, name, None)
            if target is None:
                return None
        return target

    def apply(self) -> bool:
        """Wrap the attribute if its module is loaded; True when the wrapper is on."""
        if self._installed is not None:
            return True
        module = sys.modules.get(self.module)
        target = self.owner_in(module) if module is not None else None
        if target is None:
            return False
        original = target.__dict__.get(self.attribute, _MISSING)
        current = getattr(target, self.attribute)
        installed: Any = None

        def enabled() -> bool:
            return self._installed is installed

        installed = wrapt.FunctionWrapper(current, self.wrapper, enabled=enabled)
        setattr(target, self.attribute, installed)
        self._target, self._original, self._installed = target, original, installed
        return True

    def remove(self) -> None:
        """Put back what :meth:`apply` replaced, unless someone patched over us."""
        installed, target = self._installed, self._target
        if installed is None:
            return
        self._installed = self._target = None  # disables the wrapper wherever it is
        if target.__dict__.get(self.attribute) is installed:
            if self._original is _MISSING:
                delattr(target, self.attribute)
            else:
                setattr(target, self.attribute, self._original)
        self._original = _MISSING


_lock = threading.RLock()
_patches: list[Patch] = []
_active = False
_modules_seen = -1
"""``len(sys.modules)`` at the last :func:`catch_up` that looked at the patches."""


def register(patch: Patch) -> Patch:
    """Add ``patch`` to the registry (applied now if a mock is active)."""
    with _lock:
        _patches.append(patch)
        if _active:
            _apply(patch)
    return patch


def registered() -> list[Patch]:
    """Every registered patch, in registration order."""
    return list(_patches)


def _apply(patch: Patch) -> None:
    if not patch.apply() and _watcher not in sys.meta_path:
        sys.meta_path.insert(0, _watcher)


def apply_all() -> None:
    """First activation: apply the patches whose module is loaded, watch for the rest."""
    global _active, _modules_seen
    with _lock:
        _active = True
        _modules_seen = -1
        for patch in _patches:
            _apply(patch)


def remove_all() -> None:
    """Last deactivation: remove every patch (newest first) and stop watching imports."""
    global _active, _modules_seen
    with _lock:
        _active = False
        _modules_seen = -1
        if _watcher in sys.meta_path:
            sys.meta_path.remove(_watcher)
        for patch in reversed(_patches):
            patch.remove()


def catch_up() -> None:
    """Apply patches whose module appeared in ``sys.modules`` without an import this
    registry could see (put back by hand, say). A no-op while inactive, and while
    ``sys.modules`` holds as many modules as last time: every request passes here, so
    the common call reads one length instead of every patch (cold in the cache by then)."""
    global _modules_seen
    if not _active:
        return
    seen = len(sys.modules)
    if seen == _modules_seen:
        return
    _modules_seen = seen
    for patch in _patches:  # the attribute, not the property: no call per patch
        if patch._installed is None and patch.module in sys.modules:
            with _lock:
                if _active:
                    patch.apply()


class _LoaderProxy(importlib.abc.Loader):
    """Runs the real loader, then applies the patches for the module just loaded."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        with _lock:
            if _active:
                for patch in _patches:
                    if patch.module == module.__name__:
                        patch.apply()


class _ImportWatcher(importlib.abc.MetaPathFinder):
    """Notices, during an activation, the import of a module a pending patch is for."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not any(patch.module == fullname and not patch.applied for patch in _patches):
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            find = getattr(finder, "find_spec", None)
            spec: importlib.machinery.ModuleSpec | None = find(fullname, path, target) if find else None
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _LoaderProxy(spec.loader)
                return spec
        return None


_watcher = _ImportWatcher()
