"""Whether moto mocks AWS in this process (then boto3 calls to S3 stay in it, and
what the mock writes to S3 on its own, unasked, can go there without leaving the
process)."""
from __future__ import annotations

import sys


def moto_mocks_s3() -> bool:
    """True while a moto mock is active in this process (moto not even imported: False)."""
    models = sys.modules.get("moto.core.models")
    mock_class = getattr(models, "MockAWS", None)
    return bool(getattr(mock_class, "_nested_count", 0))
