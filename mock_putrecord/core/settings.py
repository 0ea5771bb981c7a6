"""The options of the innermost active mock, read on every request (plain attributes,
so reading them costs nothing)."""
from __future__ import annotations


class ActiveSettings:
    """What request handling needs to know about the innermost active mock."""

    active = False
    account_id = "123456789012"
    default_region = "us-east-1"
    passthrough = False
    shard_throughput = False
    """Enforce Kinesis's per-shard write limits (1 MiB/s and 1,000 records/s)."""
    v3io_containers: tuple[str, ...] = ("bigdata", "users", "projects")
    """The containers every v3io web-API endpoint has when first used."""
    v3io_platform = "3.6"
    """The Iguazio platform version whose behaviour v3io requests get."""


settings = ActiveSettings()
