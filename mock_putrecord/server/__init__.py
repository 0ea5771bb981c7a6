"""Server mode: the same in-memory services over HTTP, for other processes and languages.

    from mock_putrecord.server import MockServer

    with MockServer() as server:       # or server = MockServer().start(); ...; server.stop()
        ...                            # point any client at server.url
        server.mock.kinesis.records("my-stream")

``python -m mock_putrecord serve`` runs the same server from the command line.
"""
from .mock_server import MockServer

__all__ = ["MockServer"]
