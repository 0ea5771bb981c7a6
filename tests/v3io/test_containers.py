"""Containers exist only when declared: the defaults, ``v3io_containers=[...]`` or
``mock.v3io.create_container``; any other name is v3io's 404 "Container not found"."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests

from mock_putrecord import mock_putrecord
from mock_putrecord.v3io.exceptions import ContainerNotFound

from .conftest import ENDPOINT, KEY, Call, assert_error

STREAM_BODY = {"ShardCount": 1, "RetentionPeriodHours": 1}


@pytest.mark.parametrize(
    ("function", "method", "body"),
    [
        ("CreateStream", "POST", STREAM_BODY),
        ("DescribeStream", "PUT", None),
        ("PutRecords", "POST", {"Records": [{"Data": "eA=="}]}),
        ("Seek", "PUT", {"Type": "EARLIEST"}),
        ("GetItems", "PUT", {}),
        ("PutItem", "PUT", {"Item": {"a": {"N": "1"}}}),
        (None, "GET", None),
        (None, "PUT", "data"),
        (None, "DELETE", None),
    ],
)
def test_every_function_on_a_missing_container_is_404(call: Call, function: str | None, method: str, body: object) -> None:
    if function is None:
        response = requests.request(method, f"{ENDPOINT}/nosuch/a/b", data=body, headers={"X-v3io-session-key": KEY})
    else:
        response = call(function, "/nosuch/a/b/", body, method=method)
    assert_error(response, 404, "Container not found", -2)


def test_default_containers_exist(call: Call) -> None:
    for name in ("bigdata", "users", "projects"):
        assert call("CreateStream", f"/{name}/s/", STREAM_BODY).status_code == 204


def _create(path: str) -> requests.Response:
    headers = {"X-v3io-function": "CreateStream", "X-v3io-session-key": KEY}
    return requests.post(f"{ENDPOINT}{path}", json=STREAM_BODY, headers=headers)


def test_declared_containers_replace_the_defaults() -> None:
    with mock_putrecord(v3io_containers=["mine"]) as mock:
        assert _create("/mine/s/").status_code == 204
        assert_error(_create("/bigdata/s/"), 404, "Container not found", -2)
        assert mock.v3io.container_names() == ["mine"]


def test_create_container_through_the_view(mock: object, call: Call) -> None:
    handle = mock  # the conftest fixture's active handle
    assert_error(call("CreateStream", "/extra/s/", STREAM_BODY), 404, "Container not found")
    handle.v3io.create_container("extra")  # type: ignore[attr-defined]
    assert call("CreateStream", "/extra/s/", STREAM_BODY).status_code == 204
    assert "extra" in handle.v3io.container_names()  # type: ignore[attr-defined]


def test_view_raises_container_not_found(mock: object) -> None:
    with pytest.raises(ContainerNotFound):
        mock.v3io.create_stream("nosuch", "s")  # type: ignore[attr-defined]


def test_get_root_lists_the_containers(mock: object) -> None:
    mock.v3io.create_container("extra")  # type: ignore[attr-defined]
    response = requests.get(f"{ENDPOINT}/", headers={"X-v3io-session-key": KEY})
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert [bucket.find("Name").text for bucket in root.find("Buckets")] == ["bigdata", "extra", "projects", "users"]  # type: ignore[union-attr]


def test_container_names_must_be_iterables_not_strings() -> None:
    with pytest.raises(TypeError):
        mock_putrecord(v3io_containers="bigdata")


def test_containers_reset_between_activations() -> None:
    with mock_putrecord() as mock:
        mock.v3io.create_container("extra")
    with mock_putrecord() as mock:
        assert "extra" not in mock.v3io.container_names()
