"""pytester runs inner sessions in this process and restores ``sys.modules`` after each.
A service module first imported inside one would be dropped and imported afresh in the
next, while the dispatcher keeps the adapter it loaded first: two backends for one
service. Importing them before any inner run keeps a single copy."""
from __future__ import annotations

import importlib
import importlib.util

for _name in ("kinesis", "featurestore", "v3io"):
    for _module in ("responses", "view"):
        _qualified = f"mock_putrecord.{_name}.{_module}"
        try:
            found = importlib.util.find_spec(_qualified) is not None
        except ImportError:
            found = False
        if found:
            importlib.import_module(_qualified)
