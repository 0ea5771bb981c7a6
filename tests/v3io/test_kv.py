"""The NoSQL functions on the wire: PutItem, UpdateItem (update, condition and alternate
expressions), GetItem, GetItems (paging, attributes, filters, segments, range scans)."""
from __future__ import annotations

import pytest

from .conftest import Call, assert_error

T = "/bigdata/table/"


def put(call: Call, name: str, item: dict[str, dict[str, object]], **extra: object) -> int:
    return call("PutItem", f"{T}{name}", {"Item": item, **extra}, method="PUT").status_code


def get(call: Call, name: str, attributes: str = "*") -> dict[str, object]:
    response = call("GetItem", f"{T}{name}", {"AttributesToGet": attributes}, method="PUT")
    assert response.status_code == 200, response.text
    item: dict[str, object] = response.json()["Item"]
    return item


def test_put_then_get_keeps_the_typed_values_as_written(call: Call) -> None:
    item = {"n": {"N": "1.60"}, "s": {"S": "x"}, "b": {"BOOL": True}, "blob": {"B": "AAE="}}
    response = call("PutItem", f"{T}k", {"Item": item}, method="PUT")
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["X-v3io-transaction-verifier"].startswith("__mtime_secs==")
    assert get(call, "k") == item
    assert get(call, "k", "n,missing") == {"n": {"N": "1.60"}}
    assert set(get(call, "k", "**")) >= {"__name", "__size", "__mtime_secs", "__mtime_nsecs", "n"}


def test_put_item_replaces_and_create_or_replace_attributes_merges(call: Call) -> None:
    put(call, "k", {"a": {"N": "1"}, "b": {"N": "2"}})
    put(call, "k", {"a": {"N": "3"}})
    assert get(call, "k") == {"a": {"N": "3"}}
    put(call, "k", {"c": {"S": "z"}}, UpdateMode="CreateOrReplaceAttributes")
    assert get(call, "k") == {"a": {"N": "3"}, "c": {"S": "z"}}


def test_key_and_table_name_in_the_body(call: Call) -> None:
    body = {"TableName": "table", "Key": {"id": {"S": "k1"}}, "Item": {"a": {"N": "1"}}}
    assert call("PutItem", "/bigdata/", body, method="PUT").status_code == 200
    assert get(call, "k1") == {"a": {"N": "1"}, "id": {"S": "k1"}}


def test_update_expression_set_remove_and_arithmetic(call: Call) -> None:
    put(call, "k", {"age": {"N": "9"}, "old": {"S": "x"}})
    body = {"UpdateExpression": "SET age = age + 1; height = 130 * 2; REMOVE old; name = 'tina';"}
    assert call("UpdateItem", f"{T}k", body).status_code == 200
    assert get(call, "k") == {"age": {"N": "10"}, "height": {"N": "260"}, "name": {"S": "tina"}}
    call("UpdateItem", f"{T}k", {"UpdateExpression": "ratio = age / 4; seen = if_not_exists(seen, 0) + 1"})
    assert get(call, "k", "ratio,seen") == {"ratio": {"N": "2.5"}, "seen": {"N": "1"}}


def test_update_item_creates_a_missing_item(call: Call) -> None:
    assert call("UpdateItem", f"{T}new", {"UpdateExpression": "a = 1"}).status_code == 200
    assert get(call, "new") == {"a": {"N": "1"}}


def test_false_condition_is_storeys_false_condition_error(call: Call) -> None:
    put(call, "k", {"a": {"N": "1"}})
    response = call("UpdateItem", f"{T}k", {"UpdateExpression": "a = 2", "ConditionExpression": "a > 1"})
    assert_error(response, 400, "Condition evaluated to false", -16777244)
    assert "16777244" in response.text  # storey V3ioDriver._is_false_condition_error
    assert get(call, "k") == {"a": {"N": "1"}}


def test_alternate_update_expression_runs_when_the_condition_is_false(call: Call) -> None:
    put(call, "k", {"a": {"N": "1"}})
    body = {"UpdateExpression": "a = 10", "AlternateUpdateExpression": "a = 20", "ConditionExpression": "a == 5"}
    call("UpdateItem", f"{T}k", body)
    assert get(call, "k") == {"a": {"N": "20"}}


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ("a == 1 AND b == 'x'", True),
        ("a == 2 or b == 'x'", True),
        ("NOT (a == 1)", False),
        ("a != 1", False),
        ("a >= 1 AND a <= 1 AND a < 2 AND a > 0", True),
        ("exists(a) AND not_exists(z)", True),
        ("not(exists(state))", True),  # v3io-go's consumer-group state creation
        ("b > 1", False),  # a string and a number do not compare
        ("flag == true", True),
        ("a + 1 == 2", True),
    ],
)
def test_condition_operators(call: Call, condition: str, holds: bool) -> None:
    put(call, "k", {"a": {"N": "1"}, "b": {"S": "x"}, "flag": {"BOOL": True}})
    response = call("PutItem", f"{T}k", {"Item": {"a": {"N": "1"}}, "ConditionExpression": condition}, method="PUT")
    assert response.status_code == (200 if holds else 400), response.text


def test_mtime_condition_as_v3io_go_writes_it(call: Call) -> None:
    put(call, "state", {"s": {"S": "1"}})
    item = get(call, "state", "__mtime_secs,__mtime_nsecs")
    secs, nsecs = item["__mtime_secs"]["N"], item["__mtime_nsecs"]["N"]  # type: ignore[index]
    condition = f"(__mtime_nsecs == {nsecs}) AND (__mtime_secs == {secs})"
    body = {"UpdateExpression": "s = '2'", "ConditionExpression": condition}
    assert call("UpdateItem", f"{T}state", body).status_code == 200
    assert call("UpdateItem", f"{T}state", body).status_code == 400  # mtime moved on


@pytest.mark.parametrize(
    "expression",
    ["a IN (1, 2", "starts(b)", "a & 1", "a[1] == 2", "a ==", "min(a) == 1", "a == 1 extra"],
)
def test_unmodelled_expressions_are_invalid_argument(call: Call, expression: str) -> None:
    put(call, "k", {"a": {"N": "1"}})
    response = call("PutItem", f"{T}k", {"Item": {}, "ConditionExpression": expression}, method="PUT")
    assert_error(response, 400, "Invalid argument", -22)
    assert_error(call("GetItems", T, {"FilterExpression": expression}, method="PUT"), 400, "Invalid argument", -22)


@pytest.mark.parametrize(
    "item",
    [{"a": {"N": "x"}}, {"a": {"Q": "1"}}, {"a": {"S": 1}}, {"a": {"S": "1", "N": "1"}}, {"__name": {"S": "x"}}, []],
)
def test_malformed_items_are_invalid_argument(call: Call, item: object) -> None:
    assert_error(call("PutItem", f"{T}k", {"Item": item}, method="PUT"), 400, "Invalid argument", -22)


def test_get_item_missing_is_404(call: Call) -> None:
    response = call("GetItem", f"{T}nobody", {}, method="PUT")
    assert_error(response, 404, "No such file or directory", -2)


def _scan(call: Call, body: dict[str, object]) -> list[dict[str, object]]:
    pages = []
    marker = None
    while True:
        response = call("GetItems", T, {**body, **({"Marker": marker} if marker else {})}, method="PUT")
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["NumItems"] == len(page["Items"])
        pages.append(page)
        if "NextMarker" not in page:
            assert page["LastItemIncluded"] == "TRUE"
            break
        assert page["LastItemIncluded"] == "FALSE"
        marker = page["NextMarker"]
    return [item for page in pages for item in page["Items"]]


def test_get_items_pages_with_limit_and_marker(call: Call) -> None:
    for index in range(25):
        put(call, f"k{index:02d}", {"i": {"N": str(index)}})
    call("CreateStream", f"{T}sub/", {"ShardCount": 1, "RetentionPeriodHours": 1})  # a directory is no item
    items = _scan(call, {"Limit": 10})
    assert [item["__name"] for item in items] == [{"S": f"k{i:02d}"} for i in range(25)]
    assert items[0] == {"__name": {"S": "k00"}, "i": {"N": "0"}}  # "*" in GetItems adds __name
    assert _scan(call, {"AttributesToGet": "i", "FilterExpression": "i >= 20"}) == [{"i": {"N": str(i)}} for i in range(20, 25)]


def test_get_items_segments_partition_the_table(call: Call) -> None:
    for index in range(40):
        put(call, f"k{index}", {"i": {"N": str(index)}})
    seen = [_scan(call, {"Segment": s, "TotalSegment": 4, "AttributesToGet": "__name"}) for s in range(4)]
    names = sorted(item["__name"]["S"] for segment in seen for item in segment)  # type: ignore[index]
    assert names == sorted(f"k{i}" for i in range(40))
    assert all(segment for segment in seen)
    assert_error(call("GetItems", T, {"Segment": 4, "TotalSegment": 4}, method="PUT"), 400, "Invalid argument")
    assert_error(call("GetItems", T, {"Segment": 1}, method="PUT"), 400, "Invalid argument")


def test_get_items_range_scan(call: Call) -> None:
    for name in ("1.20180601", "1.20180602", "1.20180701", "24.20180601", "10.20180601"):
        put(call, name, {"x": {"N": "1"}})
    body = {"ShardingKey": "1", "SortKeyRangeStart": "20180602", "SortKeyRangeEnd": "20180701", "AttributesToGet": "__name"}
    assert _scan(call, body) == [{"__name": {"S": "1.20180602"}}]
    assert len(_scan(call, {"ShardingKey": "1"})) == 3


def test_get_items_on_a_missing_table_is_404(call: Call) -> None:
    assert_error(call("GetItems", "/bigdata/nothing/", {}, method="PUT"), 404, "No such file or directory", -2)


def test_get_items_page_cost_does_not_grow_with_the_table(call: Call, mock: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """O(returned): a 10-item page from the middle of 10,000 items looks at 11 entries
    (10 and the one that proves there are more), as it does in a 100-item table."""
    from mock_putrecord.v3io import kv
    from mock_putrecord.v3io.container import v3io_backend
    from mock_putrecord.v3io.models import normalize_endpoint

    container = v3io_backend.container(normalize_endpoint("v3io-webapi:8081"), "bigdata")
    for index in range(10_000):
        container.item_for_write(f"big/k{index:05d}").attributes["i"] = {"N": str(index)}
    for index in range(100):
        container.item_for_write(f"small/k{index:05d}").attributes["i"] = {"N": str(index)}
    looked_at = []
    entries = container.entries

    def counting(*args: object, **kwargs: object) -> object:
        for entry in entries(*args, **kwargs):  # type: ignore[arg-type]
            looked_at.append(entry.name)
            yield entry

    monkeypatch.setattr(container, "entries", counting)
    for path, marker in (("big", "k05000"), ("small", "k00050")):
        looked_at.clear()
        page = kv.get_items(container, path, {"Limit": 10, "Marker": kv._marker(marker)})
        assert [item["i"]["N"] for item in page.items] == [str(int(marker[1:]) + i) for i in range(1, 11)]
        assert len(looked_at) == 11


def test_consumer_group_attributes_on_shard_objects(call: Call, stream: str) -> None:
    """v3io-go's streamconsumergroup: the committed sequence number is an attribute of the
    shard object, written with UpdateItem conditioned on ``__obj_type == 3``."""
    attribute = "__mygroup_committed_sequence_number"
    assert get_shard(call, stream, attribute) == {}
    body = {"UpdateMode": "CreateOrReplaceAttributes", "Item": {attribute: {"N": "7"}},
            "ConditionExpression": "__obj_type == 3"}
    assert call("PutItem", f"{stream}1", body, method="PUT").status_code == 200
    assert get_shard(call, stream, f"{attribute},__obj_type") == {attribute: {"N": "7"}, "__obj_type": {"N": "3"}}
    # a "__" name is a user attribute unless it is a system one (read-only)
    assert_error(call("UpdateItem", f"{stream}1", {"UpdateExpression": "__size = 1"}), 400, "Invalid argument", -22)
    location = call("Seek", f"{stream}1", {"Type": "EARLIEST"}).json()["Location"]  # still a shard
    assert call("GetRecords", f"{stream}1", {"Location": location}).json()["Records"] == []
    assert_error(call("GetItem", f"{stream}9", {}, method="PUT"), 404, "No such file or directory", -2)
    items = call("GetItems", stream, {"AttributesToGet": f"__name,{attribute}"}, method="PUT").json()["Items"]
    assert items[1] == {"__name": {"S": "1"}, attribute: {"N": "7"}}


def get_shard(call: Call, stream: str, attributes: str) -> dict[str, object]:
    response = call("GetItem", f"{stream}1", {"AttributesToGet": attributes}, method="PUT")
    assert response.status_code == 200, response.text
    item: dict[str, object] = response.json()["Item"]
    return item
