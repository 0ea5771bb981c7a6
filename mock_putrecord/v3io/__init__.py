"""Iguazio v3io streams in memory. Importing this package registers the hooks that route
v3io traffic (``requests``, v3io-py) to the mock while one is active; nothing heavy is
imported until then."""
from .transport import register as _register

_register()
