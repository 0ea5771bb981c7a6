"""``serve --state FILE``: state survives a restart; saves are atomic; nothing acknowledged
before a SIGTERM is lost."""
from __future__ import annotations

import base64
import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mock_putrecord.server import MockServer
from mock_putrecord.server.persistence import StateFile, StateFileError, write_atomically

from .conftest import kinesis_call, raw_request
from .test_cli import start_cli


@dataclass
class Remote:
    """A server in another process, shaped like ``MockServer`` for the request helpers."""

    url: str

    @property
    def host(self) -> str:
        return self.url.rsplit(":", 1)[0].removeprefix("http://")

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


def stop(proc: subprocess.Popen[str], sig: int = signal.SIGTERM) -> int:
    proc.send_signal(sig)
    try:
        return proc.wait(timeout=30)
    finally:
        proc.communicate(timeout=10)


def all_data(remote: Remote, stream: str) -> list[bytes]:
    """Every record of ``stream``, read back with GetRecords."""
    shards = kinesis_call(remote, "ListShards", {"StreamName": stream}).json()["Shards"]
    found = []
    for shard in shards:
        iterator = kinesis_call(remote, "GetShardIterator", {
            "StreamName": stream, "ShardId": shard["ShardId"], "ShardIteratorType": "TRIM_HORIZON"}).json()["ShardIterator"]
        while iterator:
            page = kinesis_call(remote, "GetRecords", {"ShardIterator": iterator, "Limit": 10000}).json()
            found += [base64.b64decode(r["Data"]) for r in page["Records"]]
            if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
                break
            iterator = page.get("NextShardIterator")
    return found


def admin_state(remote: Remote) -> Any:
    return raw_request(remote, "GET", "/_mock_putrecord/state").json()  # type: ignore[arg-type]


def test_nothing_acknowledged_before_sigterm_is_lost(tmp_path: Path) -> None:
    state = tmp_path / "mock.state"
    proc, url = start_cli("--state", str(state), "--save-interval", "60")  # only the exit saves
    remote = Remote(url)
    assert kinesis_call(remote, "CreateStream", {"StreamName": "s", "ShardCount": 3}).status == 200
    raw_request(remote, "PUT", "/bigdata/clicks/", {"X-v3io-function": "CreateStream", "X-v3io-session-key": "k",
                                                     "Content-Type": "application/json"},
                b'{"ShardCount": 1, "RetentionPeriodHours": 1}')  # type: ignore[arg-type]

    acknowledged: list[bytes] = []
    sent: list[bytes] = []
    lock = threading.Lock()

    def producer(worker: int) -> None:
        conn = http.client.HTTPConnection(remote.host, remote.port, timeout=10)
        for i in range(100_000):
            data = b"w%d-%d" % (worker, i)
            with lock:
                sent.append(data)
            try:
                reply = kinesis_call(remote, "PutRecord", {"StreamName": "s", "Data": base64.b64encode(data).decode(),
                                                           "PartitionKey": str(i)}, connection=conn)
            except (OSError, http.client.HTTPException):
                return  # the server is going away
            if reply.status != 200:
                return
            with lock:
                acknowledged.append(data)
            if reply.headers.get("connection") == "close":
                return

    threads = [threading.Thread(target=producer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while len(acknowledged) < 200 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert stop(proc) == 0  # SIGTERM while the producers are still sending
    for thread in threads:
        thread.join(30)
    assert len(acknowledged) >= 200

    proc, url = start_cli("--state", str(state))
    try:
        restored = all_data(Remote(url), "s")
        assert set(acknowledged) <= set(restored) <= set(sent)  # nothing acked lost, nothing invented
        assert len(restored) == len(set(restored))  # nothing twice
        assert [s["path"] for s in admin_state(Remote(url))["v3io"]] == ["clicks"]
    finally:
        assert stop(proc, signal.SIGINT) == 0


def test_periodic_saves_survive_a_kill(tmp_path: Path) -> None:
    state = tmp_path / "mock.state"
    proc, url = start_cli("--state", str(state), "--save-interval", "0.2")
    remote = Remote(url)
    kinesis_call(remote, "CreateStream", {"StreamName": "s", "ShardCount": 1})
    for i in range(10):
        assert kinesis_call(remote, "PutRecord", {"StreamName": "s", "Data": "QUFB", "PartitionKey": str(i)}).status == 200
    time.sleep(1.0)  # several save intervals
    assert stop(proc, signal.SIGKILL) == -signal.SIGKILL  # no chance to save on exit (maybe mid-save)

    proc, url = start_cli("--state", str(state))
    try:
        assert all_data(Remote(url), "s") == [b"AAA"] * 10
        assert [p.name for p in tmp_path.iterdir()] == ["mock.state"]  # a save cut short is cleaned up
    finally:
        stop(proc)


def test_a_damaged_state_file_is_a_one_line_error(tmp_path: Path) -> None:
    state = tmp_path / "mock.state"
    state.write_bytes(b"not a pickle")
    done = subprocess.run([sys.executable, "-m", "mock_putrecord", "serve", "--state", str(state)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith(f"mock_putrecord serve: cannot restore {state}: not a mock_putrecord state file")
    assert done.stderr.count("\n") == 1
    assert state.read_bytes() == b"not a pickle"  # left alone


def test_temporary_files_of_a_crashed_save_are_removed_at_restore(tmp_path: Path) -> None:
    target = tmp_path / "mock.state"
    write_atomically(str(target), b"junk")
    (tmp_path / ".mock.state.saving-abc123").write_bytes(b"half a save")
    (tmp_path / ".other.state.saving-abc123").write_bytes(b"not ours")
    with pytest.raises(StateFileError):
        StateFile(str(target)).restore()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.state.saving-abc123", "mock.state"]


def test_a_failed_save_leaves_the_previous_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "mock.state"
    write_atomically(str(target), b"first")

    def crash(*args: object) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk on fire"):
        write_atomically(str(target), b"second, never seen")
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["mock.state"]  # no temporary file left


def test_mock_server_keeps_every_service_and_the_clock(tmp_path: Path) -> None:
    state = str(tmp_path / "mock.state")
    with MockServer(state_file=state) as server:
        assert server.state_file == state
        server.mock.kinesis.create_stream("orders", 2)
        server.mock.kinesis.put("orders", [(b"a", "k1"), (b"b", "k2")])
        server.mock.featurestore.create_feature_group(
            "customers", record_identifier="id", event_time="t", features={"id": "String", "t": "String"})
        server.mock.featurestore.put_record("customers", {"id": "c1", "t": "2024-01-01T00:00:00Z"})
        server.mock.v3io.create_stream("bigdata", "clicks", shard_count=2)
        server.mock.v3io.put_records("bigdata", "clicks", [b"x", b"y"], shard_id=1)
        now = server.advance(100)
        before = server.state()
        records = server.mock.kinesis.records("orders")
    with MockServer() as server:  # state is cleared when the outermost activation stops
        assert server.mock.kinesis.stream_names() == []
    with MockServer(state_file=state) as server:
        assert server.state() == before
        assert server.mock.kinesis.records("orders") == records
        assert server.mock.featurestore.online_record("customers", "c1") == {"id": "c1", "t": "2024-01-01T00:00:00Z"}
        assert [r.data for r in server.mock.v3io.records("bigdata", "clicks")] == [b"x", b"y"]
        assert server.health()["clock"] == {"now": now, "virtual": True}
        server.mock.v3io.create_stream("bigdata", "other", shard_count=1)  # new ids do not collide
        assert len(server.state()["v3io"]) == 2
        assert kinesis_call(server, "PutRecord", {"StreamName": "orders", "Data": "Yw==", "PartitionKey": "k3"}).status == 200
    with MockServer(state_file=state) as server:
        assert sorted(server.mock.kinesis.data("orders")) == [b"a", b"b", b"c"]


def test_save_interval_is_validated() -> None:
    with pytest.raises(ValueError, match="^the save interval must be a positive number of seconds, got 0$"):
        StateFile("x", 0)
    assert issubclass(StateFileError, Exception)
