"""Children of ``multiprocessing``'s forkserver context (Linux's default start method from
Python 3.14) reach the parent's state: each gets the live endpoint variables itself, since
the forkserver process is started once and outlives activations."""
from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import sys

import pytest

from mock_putrecord import mock_putrecord
from mock_putrecord.children import ENDPOINT_VARIABLES

from . import producers
from .conftest import loopback_servers

pytestmark = pytest.mark.skipif(
    "forkserver" not in multiprocessing.get_all_start_methods(), reason=f"no forkserver start method on {sys.platform}"
)
FORKSERVER = multiprocessing.get_context("forkserver") if not pytestmark.args[0] else None


def _customers(mock: object) -> None:
    mock.featurestore.create_feature_group(  # type: ignore[attr-defined]
        "customers", record_identifier="customer_id", event_time="event_time",
        features={"customer_id": "String", "event_time": "String"},
    )


def test_forkserver_pool_producers_write_every_record() -> None:
    before = {name: os.environ.get(name) for name in ENDPOINT_VARIABLES}
    with mock_putrecord(region="us-east-1") as mock:
        mock.kinesis.create_stream("orders", 2)
        jobs = [("orders", f"forkserver-{n}", 5) for n in range(3)]
        with FORKSERVER.Pool(2) as pool:
            results = pool.map(producers.kinesis_producer, jobs)
        url = f"http://{loopback_servers()[0]}"
        assert [result["endpoint"] for result in results] == [url] * 3
        assert {result["pid"] for result in results}.isdisjoint({os.getpid()})
        records = mock.kinesis.records("orders")
        assert len(records) == 30
        for _, key, _ in jobs:
            assert [r.data for r in records if r.partition_key == key] == [f"{key}:{i}".encode() for i in range(10)]
    assert {name: os.environ.get(name) for name in ENDPOINT_VARIABLES} == before  # the parent's stays as it was


def test_forkserver_children_of_a_later_activation_reach_its_server() -> None:
    """The forkserver started under the first activation serves the second one's children
    too; they must write into the second activation's server, not the stopped one."""
    urls = []
    for round_ in range(2):
        with mock_putrecord(region="us-east-1") as mock:
            _customers(mock)
            customers = [f"r{round_}-c{n}" for n in range(4)]
            with concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=FORKSERVER) as pool:
                results = list(pool.map(producers.featurestore_producer, [("customers", customers[:2]),
                                                                          ("customers", customers[2:])]))
            urls.append(loopback_servers()[0])
            assert [[item["ValueAsString"] for record in result["read"] for item in record] for result in results] == [
                customers[:2], customers[2:]]
            assert mock.featurestore.online_count("customers") == 4
            for customer in customers:
                assert mock.featurestore.online_record("customers", customer) == {
                    "customer_id": customer, "event_time": "2024-01-01T00:00:00Z"}
            host, port = urls[-1].rsplit(":", 1)
            for result in results:
                assert {tuple(address) for address in result["connections"]} == {(host, int(port))}
    assert urls[0] != urls[1]


def test_a_process_subclass_with_its_own_run_keeps_it() -> None:
    with mock_putrecord(region="us-east-1") as mock:
        mock.kinesis.create_stream("orders", 1)
        process = _Producer()
        process.start()
        process.join(60)
        assert process.exitcode == 0
        assert [r.data for r in mock.kinesis.records("orders")] == [b"own-run:0", b"own-run:1", b"own-run:2",
                                                                   b"own-run:3"]
        assert "run" not in vars(process)


class _Producer(FORKSERVER.Process if FORKSERVER is not None else object):  # type: ignore[misc]
    def run(self) -> None:
        producers.kinesis_producer(("orders", "own-run", 2))
