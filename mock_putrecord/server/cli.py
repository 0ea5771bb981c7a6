"""``python -m mock_putrecord serve``: run the server until SIGINT or SIGTERM."""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType
from typing import Sequence

from ..core.settings import DEFAULT_ACCOUNT_ID
from ..mock import MockPutRecord
from .mock_server import MockServer

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
            mock = MockPutRecord(region=args.region, account_id=args.account_id)
            server = MockServer(args.host, args.port, mock=mock, v3io_endpoint=args.v3io_endpoint,
                                log_requests=args.log_requests).start()
        except (ValueError, OSError) as error:
            print(f"mock_putrecord serve: {error}", file=sys.stderr)
            return 2
        try:
            print(f"mock_putrecord server listening on {server.url}", flush=True)
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
