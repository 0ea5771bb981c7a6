"""``python -m mock_putrecord serve``: run the server until SIGINT or SIGTERM."""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType
from typing import Sequence

from ..core.settings import DEFAULT_ACCOUNT_ID
from ..core.faults import CALL_LOG_SIZE
from ..mock import MockPutRecord
from .httpd import HTTP2_MISSING, http2_available
from .limits import Limits
from .mock_server import MockServer
from .persistence import StateFileError

DESCRIPTION = "serve the in-memory Kinesis, Feature Store and v3io APIs over HTTP"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``serve`` options to ``parser``."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="TCP port; 0 picks a free one (default: 0)")
    parser.add_argument("--region", default=None, help="region for requests that name none")
    parser.add_argument("--account-id", default=DEFAULT_ACCOUNT_ID, help="the 12-digit account of every request")
    parser.add_argument(
        "--v3io-endpoint", default=None, help="host:port under which v3io state is kept (default: the server's)"
    )
    parser.add_argument("--log-requests", action="store_true", help="log one line per request to stderr")
    parser.add_argument("--tls", action="store_true",
                        help="serve HTTPS (HTTP/2 by ALPN, and HTTP/1.1) with a self-signed certificate")
    parser.add_argument("--certfile", default=None, help="PEM certificate to serve HTTPS with (implies --tls)")
    parser.add_argument("--keyfile", default=None, help="PEM private key of --certfile, if not in it")
    parser.add_argument("--state", default=None, metavar="FILE",
                        help="keep the state in FILE: restored at start, saved periodically and on exit")
    parser.add_argument("--save-interval", type=float, default=5.0,
                        help="seconds between saves of --state (default: 5)")
    defaults = Limits()
    parser.add_argument("--read-timeout", type=float, default=defaults.read_timeout,
                        help=f"seconds to send a whole request once begun (default: {defaults.read_timeout:g})")
    parser.add_argument("--idle-timeout", type=float, default=defaults.idle_timeout,
                        help=f"seconds a keep-alive connection may idle (default: {defaults.idle_timeout:g})")
    parser.add_argument("--max-connections", type=int, default=defaults.max_connections,
                        help=f"open connections at most (default: {defaults.max_connections})")
    parser.add_argument("--call-log-size", type=int, default=CALL_LOG_SIZE,
                        help=f"calls kept in mock.faults.calls (default: {CALL_LOG_SIZE})")


def serve(args: argparse.Namespace) -> int:
    """Run the server in the foreground; returns the exit status (0 after a signal)."""
    if args.log_requests:
        import logging

        logging.basicConfig(level=logging.INFO, format="%(message)s")
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            limits = Limits(read_timeout=args.read_timeout, idle_timeout=args.idle_timeout,
                            max_connections=args.max_connections)
            mock = MockPutRecord(region=args.region, account_id=args.account_id)
            server = MockServer(args.host, args.port, mock=mock, v3io_endpoint=args.v3io_endpoint,
                                log_requests=args.log_requests, limits=limits,
                                call_log_size=args.call_log_size, tls=args.tls,
                                certfile=args.certfile, keyfile=args.keyfile, state_file=args.state,
                                save_interval=args.save_interval).start()
        except (ValueError, OSError, OverflowError, RuntimeError, StateFileError) as error:
            print(f"mock_putrecord serve: {error}", file=sys.stderr)
            return 2
        try:
            print(f"mock_putrecord server listening on {server.url}", flush=True)
            if server.certificate is not None and args.certfile is None:
                print(f"mock_putrecord server certificate: {server.certificate}", flush=True)
            if not http2_available():
                print(f"mock_putrecord server: HTTP/1.1 only; {HTTP2_MISSING}", file=sys.stderr, flush=True)
            while not stop.wait(0.2):
                pass
            print("mock_putrecord server shutting down", flush=True)
        finally:
            server.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry point (``python -m mock_putrecord.server.cli``)."""
    parser = argparse.ArgumentParser(prog="python -m mock_putrecord serve", description=DESCRIPTION)
    add_arguments(parser)
    return serve(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
