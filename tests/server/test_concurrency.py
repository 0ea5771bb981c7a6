"""Many clients at once: nothing lost, nothing duplicated, per-shard order kept."""
from __future__ import annotations

import base64
import http.client
import threading
from concurrent.futures import ThreadPoolExecutor

from mock_putrecord.server import MockServer

from .conftest import kinesis_call

THREADS = 8
BATCHES = 25
RECORDS = 10


def test_concurrent_keep_alive_clients_lose_nothing(server: MockServer) -> None:
    server.mock.kinesis.create_stream("busy", 4)
    barrier = threading.Barrier(THREADS, timeout=30)

    def produce(worker: int) -> list[str]:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
        sequence_numbers = []
        try:
            barrier.wait()  # all clients hit the server at the same moment
            for batch in range(BATCHES):
                records = [
                    {"Data": base64.b64encode(f"{worker}:{batch}:{i}".encode()).decode(), "PartitionKey": f"{worker}-{i}"}
                    for i in range(RECORDS)
                ]
                reply = kinesis_call(server, "PutRecords", {"StreamName": "busy", "Records": records}, connection=conn)
                assert reply.status == 200, reply.body
                result = reply.json()
                assert result["FailedRecordCount"] == 0
                sequence_numbers += [r["SequenceNumber"] for r in result["Records"]]
        finally:
            conn.close()
        return sequence_numbers

    with ThreadPoolExecutor(THREADS) as pool:
        answered = [seq for seqs in pool.map(produce, range(THREADS)) for seq in seqs]

    stored = server.mock.kinesis.records("busy")
    expected = {f"{w}:{b}:{i}".encode() for w in range(THREADS) for b in range(BATCHES) for i in range(RECORDS)}
    assert len(stored) == len(expected) == THREADS * BATCHES * RECORDS
    assert {r.data for r in stored} == expected
    assert sorted(str(r.sequence_number) for r in stored) == sorted(answered)
    assert len(set(answered)) == len(answered)
    for shard_records in server.mock.kinesis.records_by_shard("busy").values():
        sequence = [r.sequence_number for r in shard_records]
        assert sequence == sorted(sequence)
        for worker in range(THREADS):  # one client's records in a shard keep their send order
            mine = [tuple(map(int, r.data.decode().split(":"))) for r in shard_records
                    if r.data.startswith(f"{worker}:".encode())]
            assert mine == sorted(mine)


def test_more_simultaneous_connections_than_one_thread_could_serve(server: MockServer) -> None:
    """Idle keep-alive connections do not block others: each has its own thread."""
    idle = [http.client.HTTPConnection(server.host, server.port, timeout=10) for _ in range(20)]
    try:
        for conn in idle:
            assert kinesis_call(server, "ListStreams", {}, connection=conn).status == 200
        # every connection is open and idle; a new client is still served at once
        assert kinesis_call(server, "ListStreams", {}).status == 200
    finally:
        for conn in idle:
            conn.close()
