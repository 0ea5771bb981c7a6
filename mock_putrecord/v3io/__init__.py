"""Iguazio v3io in memory. Importing this package registers the hooks that route v3io
traffic (``requests``, v3io-py, aiohttp, httpx, urllib3, http.client) to the mock while
one is active; nothing heavy is imported until then."""
from .clients import register as _register_clients
from .transport import register as _register

_register()
_register_clients()
