"""What one client may cost the server: body size, time and number of connections."""
from __future__ import annotations

from dataclasses import dataclass

MAX_BODY_BYTES = 16 * 1024 * 1024
"""Bodies above this get a bare 413 and the connection is closed: at least the largest
valid Kinesis request (10 MiB of records, base64-encoded in JSON) and v3io's 10 MB."""


@dataclass(frozen=True)
class Limits:
    """The server's defences against slow, idle and greedy clients.

    :param read_timeout: seconds a client has to send a whole request (headers and body)
        once its request line is in; a TLS handshake has as long.
    :param idle_timeout: seconds a keep-alive connection may wait for its next request
        line (or, over HTTP/2, with no request open) before the server closes it.
    :param max_connections: open connections at most; one more gets a ``503`` and is
        closed at once.
    :param max_body_bytes: the largest request body accepted (``413`` above).
    """

    read_timeout: float = 30.0
    idle_timeout: float = 120.0
    max_connections: int = 512
    max_body_bytes: int = MAX_BODY_BYTES

    def __post_init__(self) -> None:
        for name in ("read_timeout", "idle_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be a positive number of seconds, got {getattr(self, name)}")
        if self.max_connections < 1:
            raise ValueError(f"max_connections must be at least 1, got {self.max_connections}")
        if self.max_body_bytes < 1:
            raise ValueError(f"max_body_bytes must be at least 1, got {self.max_body_bytes}")
