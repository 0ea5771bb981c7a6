"""storey's integration-test helpers, ported from mlrun/storey@7f9ec9d
``integration/integration_test_utils.py`` and ``integration/test_flow_integration.py``
(the wheel does not ship them). They talk to the web API with plain aiohttp, exactly as in
storey, and read the endpoint and key through storey's own ``NeedsV3ioAccess`` (the
``V3IO_API`` and ``V3IO_ACCESS_KEY`` environment variables). The only change: each
helper closes its aiohttp session (storey's leak theirs, which warns under pytest).

Import this module only after ``pytest.importorskip("storey")``."""
from __future__ import annotations

import base64
import json
import random
import re
import string
from datetime import datetime, timezone
from typing import Any

import aiohttp
from storey.drivers import NeedsV3ioAccess
from storey.dtypes import V3ioError

_non_int_char_pattern = re.compile(r"[^-0-9]")


class V3ioHeaders(NeedsV3ioAccess):  # type: ignore[misc]
    """storey's ``V3ioHeaders``: one header set per web-API function."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name, function in (("get_item", "GetItem"), ("get_items", "GetItems"), ("put_item", "PutItem"),
                               ("update_item", "UpdateItem"), ("put_records", "PutRecords"),
                               ("create_stream", "CreateStream"), ("describe_stream", "DescribeStream"),
                               ("seek", "Seek"), ("get_records", "GetRecords")):
            setattr(self, f"_{name}_headers", {"X-v3io-function": function, "X-v3io-session-key": self._access_key})
        self._get_put_file_headers = {"X-v3io-session-key": self._access_key}


class GetShardData(V3ioHeaders):
    """storey's ``GetShardData``: every record of one shard, through Seek EARLIEST and GetRecords."""

    async def get_shard_data(self, path: str) -> list[bytes]:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector()) as client_session:
            response = await client_session.request("PUT", f"{self._webapi_url}/{path}", headers=self._seek_headers,
                                                    data=json.dumps({"Type": "EARLIEST"}), ssl=False)
            if response.status == 404:
                return []
            if response.status == 400:  # Regression in 2.10
                body = await response.text()
                try:
                    if json.loads(body)["ErrorMessage"] == "ResourceNotFoundException":
                        return []
                except Exception:
                    raise AssertionError(f"Got response status code 400: {body}")
            assert response.status == 200, await response.text()
            location = json.loads(await response.text())["Location"]
            data = []
            while True:
                response = await client_session.request("PUT", f"{self._webapi_url}/{path}",
                                                        headers=self._get_records_headers,
                                                        data=json.dumps({"Location": location}), ssl=False)
                assert response.status == 200, await response.text()
                response_dict = json.loads(await response.text())
                for record in response_dict["Records"]:
                    data.append(base64.b64decode(record["Data"]))
                if response_dict["RecordsBehindLatest"] == 0:
                    break
                location = response_dict["NextLocation"]
            return data


def generate_table_name(prefix: str = "bigdata/storey_ci/Aggr_test") -> str:
    """storey's ``_generate_table_name``: a random directory under ``prefix``."""
    random_table = "".join([random.choice(string.ascii_letters) for _ in range(10)])
    return f"{prefix}/{random_table}/"


async def create_stream(stream_path: str) -> None:
    """storey's ``create_stream``: a 2-shard stream with a 1-hour retention."""
    v3io_access = V3ioHeaders()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector()) as client_session:
        request_body = json.dumps({"ShardCount": 2, "RetentionPeriodHours": 1})
        response = await client_session.request("POST", f"{v3io_access._webapi_url}/{stream_path}/",
                                                headers=v3io_access._create_stream_headers, data=request_body,
                                                ssl=False)
        assert response.status == 204, f"Bad response {await response.text()} to request {request_body}"


async def recursive_delete(path: str, v3io_access: V3ioHeaders) -> None:
    """storey's ``recursive_delete``: page the directory with GetItems, delete each item,
    then the directory (a stream directory included)."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector()) as client_session:
        has_more = True
        next_marker = ""
        while has_more:
            get_items_body = {"AttributesToGet": "__name", "Marker": next_marker}
            response = await client_session.put(f"{v3io_access._webapi_url}/{path}/",
                                                headers=v3io_access._get_items_headers,
                                                data=json.dumps(get_items_body), ssl=False)
            body = await response.text()
            if response.status == 200:
                res = _v3io_parse_get_items_response(body)
                for item in res["Items"]:
                    await _delete_item(f'{v3io_access._webapi_url}/{path}/{item["__name"]}', v3io_access,
                                       client_session)
                has_more = "NextMarker" in res
                if has_more:
                    next_marker = res["NextMarker"]
            elif response.status == 404:
                break
            else:
                raise V3ioError(f"Failed to delete table {path}. Response status code was {response.status}: {body}")
        await _delete_item(f"{v3io_access._webapi_url}/{path}/", v3io_access, client_session)


async def _delete_item(path: str, v3io_access: V3ioHeaders, client_session: aiohttp.ClientSession) -> None:
    response = await client_session.delete(path, headers=v3io_access._get_put_file_headers, ssl=False)
    if response.status >= 300 and response.status != 404 and response.status != 409:
        body = await response.text()
        raise V3ioError(f"Failed to delete item at {path}. Response status code was {response.status}: {body}")


def _v3io_parse_get_items_response(response_body: str) -> dict[str, Any]:
    response_object: dict[str, Any] = json.loads(response_body)
    response_object["Items"] = [
        {name: convert_nginx_to_python_type(typ, value) for name, type_to_value in item.items()
         for typ, value in type_to_value.items()}
        for item in response_object["Items"]
    ]
    return response_object


def convert_nginx_to_python_type(typ: str, value: Any) -> Any:
    """storey's ``_convert_nginx_to_python_type``: one typed KV wire value as Python."""
    if typ == "S" or typ == "BOOL":
        return value
    if typ == "N":
        return float(value) if _non_int_char_pattern.search(value) else int(value)
    if typ == "B":
        return base64.b64decode(value)
    if typ == "TS":
        secs, nanosecs = value.split(":", 1)
        return datetime.fromtimestamp(int(secs) + int(nanosecs) / 1000000000, timezone.utc).replace(tzinfo=None)
    raise V3ioError(f"Type {typ} in get item response is not supported")
