"""The simple-object API on the wire: exact statuses, headers and error bodies."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import requests

from .conftest import ENDPOINT, KEY, Call, assert_error

AUTH = {"X-v3io-session-key": KEY}


def send(method: str, path: str, data: bytes | None = None, **headers: str) -> requests.Response:
    return requests.request(method, f"{ENDPOINT}{path}", data=data, headers={**AUTH, **headers})


def test_put_get_head_delete(mock: object) -> None:
    assert (send("PUT", "/bigdata/d/o", b"0123456789").status_code, send("PUT", "/bigdata/d/o", b"x").content) == (200, b"")
    assert send("POST", "/bigdata/d/o", b"abcdef").status_code == 200  # POST is PUT
    response = send("GET", "/bigdata/d/o")
    assert (response.status_code, response.content, response.headers["Content-Length"]) == (200, b"abcdef", "6")
    head = send("HEAD", "/bigdata/d/o")
    assert (head.status_code, head.headers["Content-Length"], head.content) == (200, "6", b"")
    assert send("DELETE", "/bigdata/d/o").status_code == 204
    assert_error(send("GET", "/bigdata/d/o"), 404, "No such file or directory", -2)
    assert (send("HEAD", "/bigdata/d/o").status_code, send("HEAD", "/bigdata/d/o").content) == (404, b"")


def test_ranges(mock: object) -> None:
    send("PUT", "/bigdata/o", b"0123456789")
    ranged = send("GET", "/bigdata/o", Range="bytes=2-4")
    assert (ranged.status_code, ranged.content, ranged.headers["Content-Range"]) == (206, b"234", "bytes 2-4/10")
    assert send("GET", "/bigdata/o", Range="bytes=-3").content == b"789"
    assert send("GET", "/bigdata/o", Range="bytes=8-").content == b"89"
    assert_error(send("GET", "/bigdata/o", Range="bytes=10-"), 416, "Invalid argument", -22)
    assert_error(send("GET", "/bigdata/o", Range="lines=1"), 400, "Invalid argument", -22)
    send("PUT", "/bigdata/o", b"AB", Range="bytes=3-")
    send("PUT", "/bigdata/o", b"!", Range="-1")
    assert send("GET", "/bigdata/o").content == b"012AB56789!"
    assert_error(send("PUT", "/bigdata/o", b"x", Range="bytes=12-"), 416, "Invalid argument", -22)


def test_directories(call: Call) -> None:
    assert send("PUT", "/bigdata/dir/sub/").status_code == 200
    send("PUT", "/bigdata/dir/file", b"x")
    assert (send("HEAD", "/bigdata/dir").status_code, send("HEAD", "/bigdata/dir").headers["Content-Length"]) == (200, "0")
    assert_error(send("PUT", "/bigdata/dir", b"x"), 400, "Is a directory", -21)
    assert_error(send("PUT", "/bigdata/dir/file/inner", b"x"), 400, "Not a directory", -20)
    assert_error(send("DELETE", "/bigdata/dir"), 409, "Directory not empty", -39)
    root = ET.fromstring(send("GET", "/bigdata/dir/").content)
    assert [e.text for e in root.iter("Key")] == ["dir/file"]
    assert [e.text for e in root.iter("Prefix")] == ["dir/sub/"]
    assert send("DELETE", "/bigdata/dir/sub").status_code == 204
    assert send("DELETE", "/bigdata/dir/file").status_code == 204
    assert send("DELETE", "/bigdata/dir").status_code == 204
    assert_error(send("GET", "/bigdata?prefix=dir"), 404, "No such file or directory", -2)


def test_stream_listing_shows_shards_and_consumer_group_files(call: Call, stream: str) -> None:
    send("PUT", f"{stream}cg-state.json", b"{}")
    root = ET.fromstring(send("GET", "/bigdata?prefix=test/stream/").content)
    assert [e.text for e in root.iter("Key")] == [f"test/stream/{i}" for i in range(4)] + ["test/stream/cg-state.json"]
    assert root.find("IsTruncated").text == "false"  # type: ignore[union-attr]
    assert_error(send("PUT", f"{stream}2", b"x"), 400, "Is a directory", -21)  # a shard is not a plain object
    assert_error(send("DELETE", "/bigdata/test"), 409, "Directory not empty", -39)
    assert send("DELETE", stream).status_code == 204
    assert_error(call("DescribeStream", stream, method="PUT"), 404, "ResourceNotFoundException")
