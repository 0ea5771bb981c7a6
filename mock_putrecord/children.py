"""Child processes share the live mock.

While an activation is live, a child process reaches the parent's in-memory state:

* **Forked children** (``os.fork``, ``multiprocessing``'s fork context, a Linux
  ``ProcessPoolExecutor``, pathos pools such as the SageMaker SDK's ``ingest()``): just
  before a fork, a loopback :class:`~mock_putrecord.server.MockServer` is started on the
  live state (once per activation). In the child, the dispatcher forwards every request
  the mock answers to that server, instead of answering it from the child's copy of the
  state, which no one would ever read.
* **Spawned children** (``subprocess``, asyncio's subprocesses, ``multiprocessing``'s spawn
  context): the child gets the service endpoint variables (:data:`ENDPOINT_VARIABLES`)
  pointing at that server, so any AWS SDK, the AWS CLI or v3io-py in it writes there.
  The parent's own ``os.environ`` is never changed.
* **Forkserver children** (``multiprocessing``'s forkserver context, Linux's default from
  Python 3.14): each child sets the same variables first thing, since the one forkserver
  process outlives activations and its environment would be stale.

Activation stays O(1): it only applies two wrappers. The server starts on the first fork
or spawn, and the outermost ``stop()`` stops it.

This module sits above ``core`` and ``server`` (it imports ``server`` lazily, on the
first fork or spawn, so that ``import mock_putrecord`` stays cheap).
"""
from __future__ import annotations

import http.client
import logging
import os
import sys
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, MutableMapping
from urllib.parse import urlsplit

from .core import dispatch, patches
from .core.activation import register_activation_hooks
from .core.patches import Patch
from .core.errors import MockConfigurationError, UnmockedRequestError
from .core.faults import faults
from .core.settings import settings
from .core.streaming import StreamingWireResponse
from .core.wire import WireRequest, WireResponse

if TYPE_CHECKING:
    from .server.mock_server import MockServer

ENDPOINT_VARIABLES = (
    "AWS_ENDPOINT_URL_KINESIS",
    "AWS_ENDPOINT_URL_SAGEMAKER_FEATURESTORE_RUNTIME",
    "AWS_ENDPOINT_URL_SAGEMAKER",
    "V3IO_API",
)
"""What a spawned child gets, each set to the loopback server's URL."""

FORWARD_TIMEOUT = 120.0
"""Seconds a forked child waits for the parent's answer to one request."""

_HOP_BY_HOP = frozenset({"host", "content-length", "transfer-encoding", "connection", "keep-alive", "expect"})
_log = logging.getLogger("mock_putrecord.children")


class _Sharing:
    """This process's side of the sharing (one per process; a forked child resets it)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.live = False
        """Between the outermost activation's start and stop hooks."""
        self.server: MockServer | None = None
        """The loopback server on this process's live state, once a child needed it."""
        self.parent_url: str | None = None
        """In a forked child: the parent's server, which this process forwards to."""
        self.fork_url: str | None = None
        """The URL handed to the child of the fork in progress."""


_state = _Sharing()


def child_url() -> str | None:
    """The URL a child process should send its requests to, or ``None`` when no
    activation is live. Starts the loopback server on first use (thread-safe); in a
    forked child, the parent's server (grandchildren share the same state)."""
    if not _state.live:
        return None
    if _state.parent_url is not None:
        return _state.parent_url
    server = _state.server
    if server is None:
        with _state.lock:
            if not _state.live:
                return None
            if _state.server is None:
                _state.server = _start_server()
            server = _state.server
    return server.url


def child_environment() -> dict[str, str]:
    """The endpoint variables that give a child process this process's live mock (empty
    when no activation is live). ``subprocess`` and ``multiprocessing`` children get them
    without asking; use this for children started otherwise (``os.system``,
    ``os.posix_spawn``, a JVM launched by a library that bypasses ``subprocess``)."""
    url = child_url()
    return {} if url is None else {name: url for name in ENDPOINT_VARIABLES}


def refuse_in_forked_child(what: str) -> None:
    """Raise if this process forwards to a parent's mock: its own state is a stale copy.

    :raises MockConfigurationError: in a process forked from a live activation.
    """
    url = _state.parent_url
    if url is not None:
        raise MockConfigurationError(
            f"{what} is not available in a process forked while a mock was active: this "
            f"process sends its requests to the parent's mock (at {url}) and cannot see its "
            "state. Inspect the state in the parent, or use boto3 in the child."
        )


# ---------------------------------------------------------------- the parent's server
def _start_server() -> MockServer:
    from .mock import MockPutRecord
    from .server.mock_server import MockServer

    class _LiveActivation(MockPutRecord):
        """The live activation as the server sees it: the server borrows it rather than
        nesting one of its own, which would outlive the user's outermost ``stop()``."""

        def start(self) -> _LiveActivation:
            return self

        def stop(self) -> None:
            return None

    live = _LiveActivation(region=settings.default_region, account_id=settings.account_id)
    server = MockServer("127.0.0.1", 0, mock=live, v3io_endpoint=_v3io_endpoint())
    server.start()
    _log.debug("child processes share the mock through %s", server.url)
    return server


def _v3io_endpoint() -> str | None:
    """The endpoint under which this process keeps v3io state by default, so that
    children's v3io writes land where ``mock.v3io`` reads."""
    try:
        from .v3io.models import DEFAULT_ENDPOINT, normalize_endpoint

        return normalize_endpoint(os.environ.get("V3IO_API") or DEFAULT_ENDPOINT)
    except (ImportError, ValueError):
        return None


# ---------------------------------------------------------------- forked children
def _before_fork() -> None:
    _state.fork_url = None
    if not _state.live:
        return
    try:
        _state.fork_url = child_url()
    except Exception:  # never break the user's fork: the child then keeps its own copy
        _log.exception("mock_putrecord: could not start the server for a forked child")


_LOCKS_A_CHILD_TAKES = (
    ("mock_putrecord.core.activation", "_lock", threading.RLock),
    ("mock_putrecord.core.dispatch", "_load_lock", threading.Lock),
    ("mock_putrecord.core.interception", "_install_lock", threading.Lock),
    ("mock_putrecord.v3io.transport", "_lock", threading.RLock),
)
"""Module locks a forked child may take (start, stop, first use of an adapter, an import
during the activation) while no request of its own reaches the backends' locks."""


def _reinitialise_locks() -> None:
    """Another thread may have held these at the fork; the child has no such thread."""
    _state.lock = threading.Lock()
    for module_name, attribute, factory in _LOCKS_A_CHILD_TAKES:
        module = sys.modules.get(module_name)
        if module is not None and hasattr(module, attribute):
            setattr(module, attribute, factory())
    faults._lock = threading.Lock()  # the log of calls: a local unknown operation writes it


def _after_fork_in_child() -> None:
    _reinitialise_locks()
    server, _state.server = _state.server, None
    if server is not None:
        _close_inherited_listener(server)
    url = _state.fork_url
    if _state.live and url is not None:
        _state.parent_url = url
        dispatch.forward_to(_forward)


def _close_inherited_listener(server: MockServer) -> None:
    """Close this process's copy of the parent's listening socket: otherwise, once the
    parent stops its server, connections to its port would be accepted by the kernel
    for a socket no one serves and hang instead of being refused."""
    listener = getattr(getattr(server, "_httpd", None), "socket", None)
    if listener is not None:
        try:
            listener.close()
        except OSError:
            pass


def _forward(request: WireRequest) -> WireResponse:
    """Send ``request`` to the parent's server and return its answer (forked children)."""
    url = _state.parent_url
    assert url is not None, "forwarding is only switched on with a parent URL"
    split = urlsplit(url)
    connection = http.client.HTTPConnection(split.hostname or "127.0.0.1", split.port, timeout=FORWARD_TIMEOUT)
    target = (request.path or "/") + (f"?{request.query}" if request.query else "")
    streaming: StreamingWireResponse | None = None
    try:
        connection.putrequest(request.method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in _forwarded_headers(request).items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(request.body)))
        connection.endheaders(request.body)
        reply = connection.getresponse()
        if reply.getheader("Content-Type") == EVENT_STREAM and reply.status == 200:
            # SubscribeToShard: hand the chunks on as they come, not when the stream ends.
            headers = {name: value for name, value in reply.getheaders() if name.lower() not in _HOP_BY_HOP}
            streaming = StreamingWireResponse(reply.status, b"", headers, _RemoteChunks(connection, reply))
            return streaming
        body = reply.read()
    except (OSError, http.client.HTTPException) as error:
        raise UnmockedRequestError(
            f"mock_putrecord: this process was forked from one whose mock answers its "
            f"requests, but the parent's server at {url} did not answer "
            f"{request.method} {request.url} ({type(error).__name__}: {error}). Has the "
            "parent's activation ended before this process finished?"
        ) from error
    finally:
        if streaming is None:  # an event stream keeps its connection until it ends
            connection.close()
    headers = {name: value for name, value in reply.getheaders() if name.lower() not in _HOP_BY_HOP}
    headers["Content-Length"] = str(len(body))
    return WireResponse(reply.status, body, headers)


EVENT_STREAM = "application/vnd.amazon.eventstream"


class _RemoteChunks:
    """An event stream read from the parent's server as its chunks arrive."""

    def __init__(self, connection: http.client.HTTPConnection, reply: http.client.HTTPResponse) -> None:
        self._connection = connection
        self._reply = reply

    def __iter__(self) -> Iterator[bytes]:
        try:
            while True:
                chunk = self._reply.read1(65536)
                if not chunk:
                    return
                yield chunk
        except (OSError, http.client.HTTPException):
            return  # the parent ended the stream (or went away): so does the child's
        finally:
            self.close()

    def close(self) -> None:
        self._connection.close()


def _forwarded_headers(request: WireRequest) -> dict[str, Any]:
    headers: dict[str, Any] = {
        name: value for name, value in request.headers.items() if name.lower() not in _HOP_BY_HOP
    }
    headers["Host"] = urlsplit(request.url).netloc or "localhost"
    headers["Connection"] = "close"  # one request per connection: the server's thread ends with it
    if request.region:
        # The server takes the region from the SigV4 scope; in process it is the client's
        # region, which an unsigned or re-signed request might not carry. Say it outright.
        for name in [name for name in headers if name.lower() in ("authorization", "x-amz-date")]:
            del headers[name]
        headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential=FORWARDED/19700101/{request.region}/{request.service}/aws4_request, "
            "SignedHeaders=host, Signature=0"
        )
        headers["X-Amz-Date"] = "19700101T000000Z"
    return headers


# ---------------------------------------------------------------- spawned children
def _endpoint_environment(env: Mapping[Any, Any] | None) -> Mapping[Any, Any] | None:
    """``env`` for a new child, with the endpoint variables pointing at the live mock.

    A variable the caller set to something else than this process's own value is
    theirs and is kept; the inherited value is replaced (the child must reach the mock).
    """
    try:
        variables = child_environment()
    except Exception:  # never break the user's subprocess: the child then runs without
        _log.exception("mock_putrecord: could not start the server for a child process")
        return env
    if not variables:
        return env
    if env is None:
        merged: MutableMapping[Any, Any] = dict(os.environ)
    else:
        merged = dict(env)
    as_bytes = any(isinstance(key, bytes) for key in merged)
    for name, value in variables.items():
        key: Any = os.fsencode(name) if as_bytes else name
        inherited: Any = os.environ.get(name)
        if as_bytes and inherited is not None:
            inherited = os.fsencode(inherited)
        chosen = merged.get(key)
        if chosen is None or chosen == inherited:
            merged[key] = os.fsencode(value) if as_bytes else value
    return merged


_POPEN_ENV_INDEX = 10
"""``env``'s position in ``Popen.__init__``'s arguments (after ``self``)."""


def _popen_init(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if _state.live:
        if len(args) > _POPEN_ENV_INDEX:
            env = _endpoint_environment(args[_POPEN_ENV_INDEX])
            args = (*args[:_POPEN_ENV_INDEX], env, *args[_POPEN_ENV_INDEX + 1 :])
        else:
            kwargs["env"] = _endpoint_environment(kwargs.get("env"))
    return wrapped(*args, **kwargs)


def _spawn_command_line(
    wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """``multiprocessing.spawn.get_command_line``: the child sets the endpoint variables
    itself, first thing (its launcher inherits ``os.environ``, which stays untouched)."""
    line = wrapped(*args, **kwargs)
    if not _state.live or "-c" not in line:
        return line
    variables = _endpoint_environment({})
    if not variables:
        return line
    line = list(line)
    code = line.index("-c") + 1
    line[code] = f"import os; os.environ.update({variables!r}); {line[code]}"
    return line


class _RunWithEndpoints:
    """A forkserver child's ``run``: set the endpoint variables, then run as the process
    class would. Pickled with the process object, so every child gets the variables of
    the activation live when it was started."""

    def __init__(self, process: Any, variables: Mapping[str, str]) -> None:
        self.process = process
        self.variables = dict(variables)

    def __call__(self) -> Any:
        os.environ.update(self.variables)
        del self.process.__dict__["run"]
        return type(self.process).run(self.process)


def _forkserver_launch(
    wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """``multiprocessing.popen_forkserver.Popen._launch``: the process object sent to
    the forkserver carries the endpoint variables (the forkserver itself was started
    once, with whatever environment the first use had)."""
    process: Any = args[0] if args else kwargs.get("process_obj")
    variables = _endpoint_environment({}) if _state.live and process is not None else None
    if not variables or "run" in vars(process):
        return wrapped(*args, **kwargs)
    process.run = _RunWithEndpoints(process, variables)
    try:
        return wrapped(*args, **kwargs)
    finally:
        del process.__dict__["run"]


for _patch in (
    Patch("subprocess", "Popen", "__init__", _popen_init),
    Patch("multiprocessing.spawn", "", "get_command_line", _spawn_command_line),
    Patch("multiprocessing.popen_forkserver", "Popen", "_launch", _forkserver_launch),
):
    patches.register(_patch)


# ---------------------------------------------------------------- activation hooks
def _on_start() -> None:
    _state.live = True


def _on_stop() -> None:
    with _state.lock:
        _state.live = False
        server, _state.server = _state.server, None
    if _state.parent_url is not None:
        _state.parent_url = None
        dispatch.forward_to(None)
    if server is not None:
        server.stop()


register_activation_hooks(_on_start, _on_stop)
if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)
