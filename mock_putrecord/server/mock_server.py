"""``MockServer``: the in-memory services over HTTP, on a background thread."""
from __future__ import annotations

import ssl
import threading
from typing import TYPE_CHECKING, Any, Sequence

from ..core.faults import faults
from ..core.lifecycle import StartStop
from ..mock import MockPutRecord
from . import tls
from .admin import Admin
from .httpd import MockHTTPServer, http2_available
from .limits import Limits
from .persistence import Gate, StateFile
from .routing import RoutingDefaults, cbor_available

if TYPE_CHECKING:
    from typing_extensions import Self

STOP_GRACE_SECONDS = 5.0
"""How long ``stop()`` lets requests in flight finish before it closes their connections."""


class MockServer(StartStop):
    """Serve the mocked Kinesis, Feature Store and v3io APIs over HTTP from this process.

    While running, the server holds an activation of ``mock`` (a
    :class:`~mock_putrecord.MockPutRecord`; a new ``mock_putrecord()`` if none is given).
    Activations are reference-counted, so the server shares its state with every other
    activation in the process: a test can produce from a subprocess through :attr:`url`
    and read the records back through ``server.mock.kinesis`` (or through its own
    ``with mock_putrecord() as mock:`` around the server). If the server's activation is
    the outermost one, ``start()`` begins with empty state and ``stop()`` clears it.

    Usable as a context manager (``with``/``async with``) or through ``start()``/``stop()``::

        with MockServer() as server:
            subprocess.run([...], env={..., "ENDPOINT": server.url})
            server.mock.kinesis.records("my-stream")

    Requests are attributed to the mock's ``account_id`` and to the region of their SigV4
    credential scope (else the mock's default region). Inside the serving process, boto3
    clients never reach the socket while a mock is active: they are answered in-process
    by the same backends, so they see the same state either way.

    :param host: the address to bind; keep the default loopback address unless other
        machines must reach the server.
    :param port: the TCP port; ``0`` lets the system pick a free one (see :attr:`port`).
    :param mock: the activation whose options (account, default region) the server uses.
    :param v3io_endpoint: ``host:port`` under which v3io state is kept, e.g.
        ``"v3io-webapi:8081"`` to share it with in-process v3io clients of that endpoint;
        by default the server's own address (:attr:`v3io_endpoint`), whatever host name
        clients use to reach it.
    :param log_requests: log one line per request on the ``mock_putrecord.server`` logger.
    :param limits: timeouts, the connection bound and the body cap (:class:`Limits`).
    :param call_log_size: if given, how many calls ``mock.faults.calls`` keeps from now on.
    :param tls: serve HTTPS (HTTP/2 by ALPN, and HTTP/1.1) instead of plain HTTP; with a
        certificate made at start unless ``certfile``/``keyfile`` are given.
    :param certfile: PEM certificate chain to serve with ``tls`` (implies it).
    :param keyfile: its PEM private key (if not in ``certfile``).
    :param state_file: keep the services' state in this file: restored by ``start()``,
        saved every ``save_interval`` seconds and by ``stop()``, atomically.
    :param save_interval: seconds between periodic saves of ``state_file``.
    :raises ValueError: for a port outside 0-65535.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        mock: MockPutRecord | None = None,
        v3io_endpoint: str | None = None,
        log_requests: bool = False,
        limits: Limits | None = None,
        call_log_size: int | None = None,
        tls: bool = False,
        certfile: str | None = None,
        keyfile: str | None = None,
        state_file: str | None = None,
        save_interval: float = 5.0,
    ) -> None:
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {port}")
        if call_log_size is not None:
            faults.call_log_size = call_log_size
        self._limits = limits if limits is not None else Limits()
        self._tls = tls or certfile is not None
        self._certfile = certfile
        self._keyfile = keyfile
        self._host = host
        self._requested_port = port
        self._mock = mock if mock is not None else MockPutRecord()
        self._v3io_endpoint = v3io_endpoint
        self._log_requests = log_requests
        self._state = StateFile(state_file, save_interval) if state_file is not None else None
        self._admin = Admin(self._mock, self._server_info)
        self._httpd: MockHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------ properties
    @property
    def mock(self) -> MockPutRecord:
        """The activation handle: ``server.mock.kinesis``, ``.featurestore``, ``.v3io``."""
        return self._mock

    @property
    def is_running(self) -> bool:
        """True between ``start()`` and ``stop()``."""
        return self._httpd is not None

    @property
    def host(self) -> str:
        """The bound address (as given: ``127.0.0.1``, ``::1``, ...)."""
        return self._running().server_address[0]  # type: ignore[return-value]

    @property
    def port(self) -> int:
        """The bound TCP port (the one the system picked when ``port=0``)."""
        return int(self._running().server_address[1])

    @property
    def url(self) -> str:
        """The endpoint URL to give clients, e.g. ``http://127.0.0.1:49152``."""
        return f"{'https' if self._tls else 'http'}://{self._running().authority}"

    @property
    def state_file(self) -> str | None:
        """The file the state is kept in, if any."""
        return self._state.path if self._state is not None else None

    @property
    def certificate(self) -> str | None:
        """With TLS, the PEM file of the certificate served (to trust in clients), else ``None``."""
        return self._certfile if self._tls else None

    @property
    def v3io_endpoint(self) -> str:
        """The ``host:port`` key of the v3io state written through this server."""
        return self._running().defaults.v3io_endpoint or self._running().authority

    @property
    def limits(self) -> Limits:
        """The timeouts, connection bound and body cap in force."""
        return self._limits

    @property
    def open_connections(self) -> int:
        """How many client connections are open now."""
        return self._running().open_connections

    # ------------------------------------------------------------ admin (also over HTTP)
    def reset(self, service: str | None = None) -> None:
        """Forget all state, or one service's: ``kinesis``, ``featurestore``, ``v3io`` or
        ``faults`` (``POST /_mock_putrecord/reset``)."""
        self._admin.reset(service)

    def advance(self, seconds: float) -> float:
        """Move the mock's virtual clock forward; the new time in epoch seconds
        (``POST /_mock_putrecord/advance``)."""
        return self._admin.advance(seconds)

    def health(self) -> dict[str, Any]:
        """Liveness, version, clock and connections (``GET /_mock_putrecord/health``)."""
        return self._admin.health()

    def state(self) -> dict[str, Any]:
        """Streams, shards, record counts, feature groups, v3io streams
        (``GET /_mock_putrecord/state``)."""
        return self._admin.state()

    def fail_next(self, service: str, operation: str, code: str, *, message: str = "", status: int = 400,
                  count: int = 1) -> None:
        """Answer the next ``count`` calls of ``operation`` with an error
        (``POST /_mock_putrecord/faults/fail_next``; see ``mock.faults.fail_next``)."""
        self._mock.faults.fail_next(service, operation, code, message=message, status=status, count=count)

    def fail_records(self, service: str, rate: float, *, errors: Sequence[str], seed: int = 0,
                     operations: Sequence[str] | None = None) -> None:
        """Fail each record of batch puts with probability ``rate``
        (``POST /_mock_putrecord/faults/fail_records``; see ``mock.faults.fail_records``)."""
        self._mock.faults.fail_records(service, rate, errors=errors, seed=seed, operations=operations)

    def _server_info(self) -> dict[str, Any]:
        httpd = self._httpd
        return {
            "url": self.url if httpd is not None else None,
            "open_connections": httpd.open_connections if httpd is not None else 0,
            "http2": http2_available(),
            "cbor": cbor_available(),
            "tls": self._tls,
        }

    def _running(self) -> MockHTTPServer:
        httpd = self._httpd
        if httpd is None:
            raise RuntimeError("the mock_putrecord server is not running; call start() first")
        return httpd

    # ------------------------------------------------------------ start / stop
    def start(self) -> Self:
        """Activate the mock, bind the socket and serve on a background thread.

        :returns: ``self``, so ``server = MockServer().start()`` works.
        :raises RuntimeError: if the server is already running.
        :raises OSError: if the address cannot be bound (the activation is undone).
        :raises RuntimeError: with ``tls`` and no certificate files, if the ``cryptography``
            package is missing.
        :raises StateFileError: if ``state_file`` exists but cannot be restored.
        """
        with self._lock:
            if self._httpd is not None:
                raise RuntimeError("the mock_putrecord server is already running")
            context = self._ssl_context()
            self._mock.start()
            gate = None
            try:
                if self._state is not None:
                    self._state.restore()
                    gate = Gate()
                defaults = RoutingDefaults(
                    account_id=self._mock.account_id,
                    default_region=self._mock.default_region,
                    v3io_endpoint=self._v3io_endpoint,
                    admin=self._admin.handle,
                )
                httpd = MockHTTPServer((self._host, self._requested_port), defaults,
                                       log_requests=self._log_requests, limits=self._limits,
                                       ssl_context=context, gate=gate)
            except BaseException:
                self._mock.stop()
                raise
            if defaults.v3io_endpoint is None:
                defaults.v3io_endpoint = httpd.authority
            thread = threading.Thread(
                target=httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"mock_putrecord-server-{httpd.authority}",
                daemon=True,
            )
            thread.start()
            if self._state is not None and gate is not None:
                self._state.start(gate)
            self._httpd, self._thread = httpd, thread
        return self

    def _ssl_context(self) -> ssl.SSLContext | None:
        if not self._tls:
            return None
        if self._certfile is None:
            self._certfile, self._keyfile = tls.self_signed([self._host])
        return tls.server_context(self._certfile, self._keyfile, http2=http2_available())

    def stop(self) -> None:
        """Stop accepting, let requests in flight finish (up to a few seconds), close every
        connection, then end the server's activation.

        :raises RuntimeError: if the server is not running.
        """
        with self._lock:
            httpd, thread = self._httpd, self._thread
            if httpd is None or thread is None:
                raise RuntimeError("mock_putrecord server: stop() called before start()")
            try:
                httpd.shutdown()
                httpd.close_connections(STOP_GRACE_SECONDS)
                httpd.server_close()
                thread.join(STOP_GRACE_SECONDS)
                if self._state is not None:
                    self._state.stop()  # after the last answer, before the state is cleared
            finally:
                self._httpd = self._thread = None
                self._mock.stop()

    def __repr__(self) -> str:
        state = self.url if self._httpd is not None else "stopped"
        return f"<MockServer {state}>"
