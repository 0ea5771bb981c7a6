"""A sample of v3io-py's own integration tests (``tests/test_client.py`` at
v3io/v3io-py@1967f8c: TestContainer, TestStream incl. the consumer-group delete,
TestObject, TestKv), run unchanged in spirit against the mock through v3io-py's default
``http.client`` transport."""
from __future__ import annotations

import asyncio
import os
from typing import Any, Iterator

import pytest

from mock_putrecord import mock_putrecord

v3io_dataplane = pytest.importorskip("v3io.dataplane", reason="v3io-py (test extra) is not installed")
from v3io.dataplane.response import HttpResponseError  # noqa: E402

NEVER = v3io_dataplane.RaiseForStatus.never
C = "bigdata"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("V3IO_API", "http://v3io-webapi:8081")
    monkeypatch.setenv("V3IO_ACCESS_KEY", "key")
    with mock_putrecord():
        client = v3io_dataplane.Client(transport_kind="httpclient")
        yield client
        client.close()


def _stream_exists(client: Any, path: str) -> bool:
    return int(client.stream.describe(container=C, stream_path=path, raise_for_status=NEVER).status_code) == 200


# ---------------------------------------------------------------- containers
def test_get_container_contents_invalid_path(client: Any) -> None:
    response = client.container.list(container=C, path="/no-such-path", raise_for_status=NEVER)
    assert response.status_code == 404
    assert "No such file" in str(response.body)


def test_get_container_contents_valid(client: Any) -> None:
    path = "v3io-py-test-container"
    for index in range(5):
        client.object.put(container=C, path=os.path.join(path, f"object-{index}.txt"), body="small things")
    for index in range(4):
        client.object.put(container=C, path=os.path.join(path, f"dir-{index}/"))
    response = client.container.list(container=C, path=path, get_all_attributes=True, directories_only=True)
    assert (len(response.output.contents), len(response.output.common_prefixes)) == (0, 4)
    response = client.container.list(container=C, path=path, get_all_attributes=True)
    assert [content.key for content in response.output.contents] == [f"{path}/object-{i}.txt" for i in range(5)]
    assert [content.size for content in response.output.contents] == [12] * 5
    assert [prefix.prefix for prefix in response.output.common_prefixes] == [f"{path}/dir-{i}/" for i in range(4)]


def test_listing_pages_with_max_keys_and_marker(client: Any) -> None:
    for index in range(5):
        client.object.put(container=C, path=f"paged/o{index}", body="x")
    first = client.container.list(container=C, path="paged", limit=2)
    assert [c.key for c in first.output.contents] == ["paged/o0", "paged/o1"]
    assert (first.output.is_truncated, first.output.next_marker) == ("true", "paged/o1")
    rest = client.container.list(container=C, path="paged", marker=first.output.next_marker)
    assert [c.key for c in rest.output.contents] == ["paged/o2", "paged/o3", "paged/o4"]
    assert rest.output.is_truncated == "false"


def test_missing_container_error_for_object_functions(client: Any) -> None:
    # v3io-py tests/test_client_errors.py test_raise_http_response_error
    for function in (client.object.get, client.object.put, client.object.delete):
        with pytest.raises(HttpResponseError, match="Container not found") as error:
            function("not-exists", "path/to/object")
        assert error.value.status_code == 404


# ---------------------------------------------------------------- streams
def test_delete_stream_with_cg(client: Any) -> None:
    path = "v3io-py-test-stream"
    assert not _stream_exists(client, path)
    client.stream.create(container=C, stream_path=path, shard_count=8)
    for shard_id in range(8):
        client.stream.put_records(container=C, stream_path=path, records=[{"shard_id": shard_id, "data": f"d{shard_id}"}])
    for cg_id in range(3):
        client.object.put(container=C, path=os.path.join(path, f"cg{cg_id}-state.json"))
    assert _stream_exists(client, path)
    listing = client.container.list(container=C, path=path + "/")
    keys = [content.key for content in listing.output.contents]
    assert keys == [f"{path}/{i}" for i in range(8)] + [f"{path}/cg{i}-state.json" for i in range(3)]
    client.stream.delete(container=C, stream_path=path)
    assert not _stream_exists(client, path)
    assert client.container.list(container=C, path=path, raise_for_status=NEVER).status_code == 404


def test_deleting_a_stream_directory_removes_its_consumer_group_files(client: Any) -> None:
    client.stream.create(container=C, stream_path="s", shard_count=2)
    client.object.put(container=C, path="s/cg-state.json", body='{"x": 1}')
    assert client.object.delete(container=C, path="s/").status_code == 204
    assert client.object.get(container=C, path="s/cg-state.json", raise_for_status=NEVER).status_code == 404
    client.stream.create(container=C, stream_path="s", shard_count=1)  # the path is free again


def test_stream(client: Any) -> None:
    path = "v3io-py-test-stream"
    client.stream.create(container=C, stream_path=path, shard_count=8)
    records = [
        {"shard_id": 1, "data": "first shard record #1"},
        {"shard_id": 1, "data": "first shard record #2", "client_info": bytearray(b"some info")},
        {"shard_id": 10, "data": "invalid shard record #1"},
        {"shard_id": 2, "data": "second shard record #1"},
        {"data": "some shard record #1"},
    ]
    response = client.stream.put_records(container=C, stream_path=path, records=records)
    assert response.output.failed_record_count == 1
    assert [record.error_code is None for record in response.output.records] == [True, True, False, True, True]
    location = client.stream.seek(container=C, stream_path=path, shard_id=1, seek_type="EARLIEST").output.location
    response = client.stream.get_records(container=C, stream_path=path, shard_id=1, location=location)
    assert [record.data for record in response.output.records] == [b"first shard record #1", b"first shard record #2"]
    assert response.output.records[1].client_info == b"some info"
    client.stream.update(container=C, stream_path=path, shard_count=16)
    response = client.stream.put_records(container=C, stream_path=path, records=[{"shard_id": 10, "data": "now valid"}])
    assert response.output.failed_record_count == 0
    client.stream.delete(container=C, stream_path=path)


# ---------------------------------------------------------------- objects
def test_object(client: Any) -> None:
    directory, path = "v3io-py-test-object", "v3io-py-test-object/obj ect.txt"
    contents = "vegans are better than everyone"
    assert client.object.get(container=C, path=path, raise_for_status=NEVER).status_code == 404
    client.object.put(container=C, path=path, body=contents)
    assert client.object.get(container=C, path=path).body == contents.encode()
    assert client.object.get(container=C, path=path, offset=0, num_bytes=10).body == contents[:10].encode()
    assert ("Content-Length", str(len(contents))) in client.object.head(container=C, path=path).headers.items()
    assert ("Content-Length", "0") in client.object.head(container=C, path=directory).headers.items()
    client.object.delete(container=C, path=path)
    assert client.object.get(container=C, path=path, raise_for_status=NEVER).status_code == 404


def test_append(client: Any) -> None:
    for part in ("First part", "Second part", "Third part"):
        client.object.put(container=C, path="o/appended", body=part, append=True)
    assert client.object.get(container=C, path="o/appended").body == b"First partSecond partThird part"


def test_get_offset(client: Any) -> None:
    client.object.put(container=C, path="o/digits", body="1234567890")
    assert client.object.get(container=C, path="o/digits", offset=4).body == b"567890"
    response = client.object.get(container=C, path="o/digits", offset=4, num_bytes=3)
    assert (response.status_code, response.body) == (206, b"567")


def test_batch_objects(client: Any) -> None:
    for index in range(16):
        client.batch.object.put(C, f"batch/object{index}", body=f"object-{index}")
    assert [response.status_code for response in client.batch.wait()] == [200] * 16
    for index in range(16):
        client.batch.object.get(C, f"batch/object{index}")
    assert [response.body.decode() for response in client.batch.wait()] == [f"object-{i}" for i in range(16)]


# ---------------------------------------------------------------- KV
ITEMS = {
    "bob": {"age": 42, "feature": "mustache"},
    "linda": {"age": 41, "feature": "singing"},
    "louise": {"age": 9, "feature": "bunny ears"},
    "tina": {"age": 14, "feature": "butts"},
}
TABLE = "some_dir/v3io-py-test-emd"


def test_kv(client: Any) -> None:
    for key, attributes in ITEMS.items():
        client.kv.put(container=C, table_path=TABLE, key=key, attributes=attributes)
    assert len(client.kv.new_cursor(container=C, table_path=TABLE, attribute_names=["*"]).all()) == 4
    client.kv.update(container=C, table_path=TABLE, key="louise", attributes={"height": 130, "quip": "i can smell fear"})
    item = client.kv.get(container=C, table_path=TABLE, key="louise", attribute_names=["__size", "age", "quip", "height"])
    assert item.output.item == {"__size": 0, "age": 9, "quip": "i can smell fear", "height": 130}
    response = client.kv.scan(container=C, table_path=TABLE, filter_expression="feature == 'singing'")
    assert response.output.items == [{"__name": "linda", "age": 41, "feature": "singing"}]
    segments = [client.kv.new_cursor(container=C, table_path=TABLE, segment=s, total_segments=4).all() for s in range(4)]
    assert sorted(item["__name"] for segment in segments for item in segment) == sorted(ITEMS)
    older = client.kv.new_cursor(
        container=C, table_path=TABLE, attribute_names=["age", "feature"], filter_expression="age > 15"
    ).all()
    assert sorted(item["age"] for item in older) == [41, 42]
    by_name = client.kv.new_cursor(
        container=C, table_path="", table_name=TABLE, attribute_names=["age"], filter_expression="age > 15"
    ).all()
    assert len(by_name) == 2
    client.kv.update(container=C, table_path=TABLE, key="louise", expression="age = age + 1")
    assert client.kv.get(container=C, table_path=TABLE, key="louise", attribute_names=["age"]).output.item == {"age": 10}
    for key in ITEMS:
        client.kv.delete(container=C, table_path=TABLE, key=key)
    assert client.object.delete(container=C, path=TABLE).status_code == 204


def test_kv_values(client: Any) -> None:
    item = {"age": 42, "pi": 3.14, "feature_str": "mustache", "male": True, "happy": False, "blob": b"+AFymWFzAL/L"}
    client.kv.put(container=C, table_path=TABLE, key="bob", attributes=item)
    assert client.kv.get(container=C, table_path=TABLE, key="bob").output.item == item


def test_kv_values_with_arrays(client: Any) -> None:
    """test_kv_values' lists and ``array.array`` values: v3io-py writes them as array blobs
    and decodes them back into lists."""
    import array

    item = {"list_with_ints": [1, 2, 3], "list_with_floats": [10.5, 20.5, 30.5],
            "array_with_ints": array.array("l", range(10)), "array_with_floats": array.array("d", range(10))}
    client.kv.put(container=C, table_path=TABLE, key="bob", attributes=item)
    got = client.kv.get(container=C, table_path=TABLE, key="bob").output.item
    assert got == {key: list(value) for key, value in item.items()}
    assert [type(v) for v in got["array_with_floats"]] == [float] * 10


def test_kv_array(client: Any) -> None:
    item = {"list_with_ints": [1, 2, 3], "list_with_floats": [10.25, 20.25, 30.25]}
    client.kv.put(container=C, table_path=TABLE, key="item_with_arrays", attributes=item)
    for attribute_name in item:
        client.kv.update(container=C, table_path=TABLE, key="item_with_arrays",
                         expression=f"{attribute_name}[1]={attribute_name}[1]*2")
    response = client.kv.get(container=C, table_path=TABLE, key="item_with_arrays")
    for attribute_name in item:
        assert response.output.item[attribute_name][1] == item[attribute_name][1] * 2
    assert response.output.item == {"list_with_ints": [1, 4, 3], "list_with_floats": [10.25, 40.5, 30.25]}


def test_limit(client: Any) -> None:
    for index in range(100):
        client.kv.put(container=C, table_path=TABLE, key=f"key-{index}", attributes={"attr": index})
    assert len(client.kv.new_cursor(container=C, table_path=TABLE, limit=30).all()) == 30


def test_get_item_of_a_missing_item_is_404(client: Any) -> None:
    response = client.kv.get(container=C, table_path=TABLE, key="nobody", raise_for_status=NEVER)
    assert response.status_code == 404
    assert response.body == b'{"ErrorCode": -2, "ErrorMessage": "No such file or directory"}'


# ---------------------------------------------------------------- the aio client
def test_aio_client_objects_kv_and_cg_delete(monkeypatch: pytest.MonkeyPatch) -> None:
    """v3io-py ``tests/test_client_aio.py`` in brief, through the aiohttp transport
    (storey's client)."""
    aio = pytest.importorskip("v3io.aio.dataplane")
    monkeypatch.setenv("V3IO_API", "http://v3io-webapi:8081")
    monkeypatch.setenv("V3IO_ACCESS_KEY", "key")

    async def run() -> None:
        client = aio.Client()
        try:
            missing = await client.container.list(container=C, path="/no-such-path", raise_for_status=aio.RaiseForStatus.never)
            assert missing.status_code == 404 and "No such file" in str(missing.body)
            await client.object.put(container=C, path="aio/o", body="hello")
            assert (await client.object.get(container=C, path="aio/o")).body == b"hello"
            await client.kv.put(container=C, table_path="aio/t", key="k", attributes={"a": 1})
            await client.kv.update(container=C, table_path="aio/t", key="k", expression="a = a + 1")
            assert (await client.kv.get(container=C, table_path="aio/t", key="k")).output.item == {"a": 2}
            await client.stream.create(container=C, stream_path="aio/s", shard_count=2)
            await client.object.put(container=C, path="aio/s/cg-state.json", body="{}")
            await client.stream.delete(container=C, stream_path="aio/s")
            described = await client.stream.describe(container=C, stream_path="aio/s", raise_for_status=aio.RaiseForStatus.never)
            assert described.status_code == 404
        finally:
            await client.close()

    with mock_putrecord():
        asyncio.run(run())
