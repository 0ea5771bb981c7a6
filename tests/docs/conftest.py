"""pytester runs inner sessions in this process and restores ``sys.modules`` after each;
service modules are imported up front so the dispatcher and the views keep sharing one
copy of each backend (see tests/plugin/conftest.py)."""
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
