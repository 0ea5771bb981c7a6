"""python -m mock_putrecord: run the demo, or serve the mock to other processes."""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

# Each service contributes a demo part; missing ones are skipped.
_DEMO_PARTS = (
    ("Kinesis Data Streams", "mock_putrecord.kinesis.demo"),
    ("SageMaker Feature Store", "mock_putrecord.featurestore.demo"),
    ("Iguazio v3io streams", "mock_putrecord.v3io.demo"),
)


def demo() -> int:
    """Run every service's demo against one in-memory activation."""
    from . import mock_putrecord

    with mock_putrecord(region="us-east-1"):
        for title, module_name in _DEMO_PARTS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as missing:
                if missing.name and module_name.startswith(missing.name):
                    continue  # that service is not part of this build
                raise
            print(f"== {title} " + "=" * (60 - len(title)))
            module.run(print)
            print()
    print("All of the above ran through unchanged client code against the in-memory mock.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mock_putrecord", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run a producer and consumer against the in-memory mock")
    from .server import cli as server_cli

    server_cli.add_arguments(commands.add_parser("serve", help=server_cli.DESCRIPTION))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        return demo()
    if args.command == "serve":
        from .server.cli import serve

        return serve(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
