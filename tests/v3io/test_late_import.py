"""Clients imported for the first time while a mock is already active are intercepted
(the import hook installs the interception once the library has finished loading)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest


def _run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True,
                          timeout=120)


def test_requests_imported_after_activation() -> None:
    result = _run(
        """
        import sys
        from mock_putrecord import mock_putrecord
        assert "requests" not in sys.modules
        with mock_putrecord() as mock:
            import requests  # first import, mid-activation
            mock.v3io.create_stream("bigdata", "s", shard_count=1, endpoint="http://v3io-webapi:8081")
            response = requests.post(
                "http://v3io-webapi:8081/bigdata/s/",
                headers={"X-v3io-function": "PutRecords", "X-v3io-session-key": "k"},
                json={"Records": [{"Data": "eA=="}]},
            )
            print(response.status_code, response.json()["FailedRecordCount"])
        """
    )
    assert result.stdout.split() == ["200", "0"], result.stderr


def test_v3io_sdk_imported_after_activation() -> None:
    pytest.importorskip("v3io")
    result = _run(
        """
        import sys
        from mock_putrecord import mock_putrecord
        with mock_putrecord() as mock:
            import v3io.dataplane  # first import, mid-activation
            mock.v3io.create_stream("bigdata", "s", shard_count=1, endpoint="http://v3io-webapi:8081")
            client = v3io.dataplane.Client(endpoint="http://v3io-webapi:8081", access_key="k")
            response = client.stream.put_records(container="bigdata", stream_path="/s/",
                                                 records=[{"data": "hello"}])
            print(response.output.failed_record_count)
        """
    )
    assert result.stdout.split()[-1:] == ["0"], result.stderr
