"""``serve --state FILE``: the services' state survives a restart.

The state is the backends of the three services and the mock's clock, pickled (locks are
pickled as fresh locks). A snapshot is taken while no request is being answered (the
server's :class:`Gate`), so it never holds half a request; it is written to a temporary
file beside the target, flushed to disk and renamed over it, so a crash in the middle of a
save leaves the previous file whole.

A state file is for the same mock_putrecord version that wrote it: it is a picture of the
mock's internal objects, not an exchange format.
"""
from __future__ import annotations

import glob
import io
import logging
import os
import pickle
import tempfile
import threading
from contextlib import contextmanager
from typing import Any, Iterator

from ..core.clock import clock
from ..version import __version__

FORMAT = "mock_putrecord-state/1"
_LOCK = type(threading.Lock())
_RLOCK = type(threading.RLock())
_log = logging.getLogger("mock_putrecord.server")


class StateFileError(Exception):
    """The state file cannot be read back (not ours, another version, damaged)."""


class Gate:
    """Many requests at once, or one snapshot alone: a small readers-writer lock."""

    def __init__(self) -> None:
        self._condition = threading.Condition(threading.Lock())
        self._active = 0
        self._closed = False

    @contextmanager
    def request(self) -> Iterator[None]:
        """Held while one request is answered."""
        with self._condition:
            while self._closed:
                self._condition.wait()
            self._active += 1
        try:
            yield
        finally:
            with self._condition:
                self._active -= 1
                if self._active == 0:
                    self._condition.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Held while no request is being answered (new ones wait)."""
        with self._condition:
            while self._closed:
                self._condition.wait()
            self._closed = True
            while self._active:
                self._condition.wait()
        try:
            yield
        finally:
            with self._condition:
                self._closed = False
                self._condition.notify_all()


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        # a lock pickles as a new, released lock (none is held while a snapshot is taken)
        if isinstance(obj, _RLOCK):
            return (threading.RLock, ())
        if isinstance(obj, _LOCK):
            return (threading.Lock, ())
        return NotImplemented


def _holders() -> dict[str, Any]:
    """The process-wide state objects of the services that are part of this build."""
    holders: dict[str, Any] = {}
    try:
        from ..kinesis.models import kinesis_backends

        holders["kinesis"] = kinesis_backends
    except ImportError:
        pass
    try:
        from ..featurestore.models import featurestore_backends

        holders["featurestore"] = featurestore_backends
    except ImportError:
        pass
    try:
        from ..v3io.container import v3io_backend

        holders["v3io"] = v3io_backend
    except ImportError:
        pass
    return holders


def dumps() -> bytes:
    """The current state as bytes (call while no request runs)."""
    buffer = io.BytesIO()
    state = {"format": FORMAT, "version": __version__, "clock": clock.now() if clock.is_virtual else None,
             "services": _holders()}
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
    return buffer.getvalue()


def loads(data: bytes) -> None:
    """Replace the current state with ``data`` (from :func:`dumps`).

    :raises StateFileError: if ``data`` is not a state this version wrote.
    """
    try:
        state = pickle.loads(data)
    except Exception as error:  # unpickling damaged data raises almost anything
        raise StateFileError(f"not a mock_putrecord state file ({type(error).__name__}: {error})") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise StateFileError("not a mock_putrecord state file")
    if state.get("version") != __version__:
        raise StateFileError(f"written by mock_putrecord {state.get('version')}, this is {__version__}")
    live = _holders()
    for name, saved in state["services"].items():
        holder = live.get(name)
        if holder is not None and type(holder) is type(saved):
            # in place: the live objects are the ones the services and resets refer to
            holder.__dict__.update(saved.__dict__)
    if state.get("clock") is not None:
        clock.freeze(state["clock"])
    _advance_v3io_uids()


def _advance_v3io_uids() -> None:
    """New v3io streams must not reuse the ids of restored ones."""
    try:
        from itertools import count

        from ..v3io import models
        from ..v3io.container import v3io_backend
    except ImportError:
        return
    uids = [stream.uid for container in v3io_backend.containers() for stream in container.streams.values()]
    if uids and hasattr(models, "_stream_uids"):
        models._stream_uids = count(max(uids) + 1)


class StateFile:
    """Restores the state from ``path`` and saves it there: every ``interval`` seconds
    (while running) and on :meth:`stop`."""

    def __init__(self, path: str, interval: float = 5.0) -> None:
        if not interval > 0:
            raise ValueError(f"the save interval must be a positive number of seconds, got {interval}")
        self.path = os.path.abspath(path)
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._gate: Gate | None = None
        self._write_lock = threading.Lock()

    def restore(self) -> bool:
        """Load the file if it exists; ``False`` if there is none yet. Temporary files that
        a crash in the middle of a save left beside it are removed.

        :raises StateFileError: if it cannot be read back.
        """
        directory, name = os.path.split(self.path)
        for stale in glob.glob(os.path.join(glob.escape(directory), glob.escape(temporary_prefix(name)) + "*")):
            try:
                os.unlink(stale)
            except OSError:
                pass
        try:
            with open(self.path, "rb") as source:
                data = source.read()
        except FileNotFoundError:
            return False
        except OSError as error:
            raise StateFileError(f"cannot read {self.path}: {error}") from None
        try:
            loads(data)
        except StateFileError as error:
            raise StateFileError(f"cannot restore {self.path}: {error}") from None
        return True

    def start(self, gate: Gate) -> None:
        """Save every :attr:`interval` seconds, snapshotting under ``gate``."""
        self._gate = gate
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="mock_putrecord-state-saver", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop saving periodically, then save once more (under the gate)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.save()

    def save(self) -> None:
        """Snapshot (while no request runs) and write atomically."""
        gate = self._gate
        if gate is None:
            data = dumps()
        else:
            with gate.exclusive():
                data = dumps()
        with self._write_lock:
            write_atomically(self.path, data)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.save()
            except Exception:  # a full disk must not stop the server; the next save retries
                _log.exception("mock_putrecord server: saving the state to %s failed", self.path)


def temporary_prefix(name: str) -> str:
    """How the temporary files of a save of ``name`` begin (hidden, beside it)."""
    return f".{name}.saving-"


def write_atomically(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader (or a crash) sees the old file or the new
    one, never a part: a temporary file in the same directory, fsync, rename, fsync."""
    directory, name = os.path.split(path)
    descriptor, temporary = tempfile.mkstemp(prefix=temporary_prefix(name), dir=directory or ".")
    try:
        with os.fdopen(descriptor, "wb") as target:
            target.write(data)
            target.flush()
            os.fsync(target.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable
        directory_fd = os.open(directory or ".", os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory_fd)
        finally:
            os.close(directory_fd)
