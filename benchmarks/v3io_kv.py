"""Case 6: v3io beside the stream, through ``requests`` as a user sends it.

* GetItems over a 10,000-item table, ``Limit`` 100: the cost of one page at the first,
  middle and last page (each page re-requested with its own ``Marker``, median of the
  repeats). A page bisects to its marker, so the three should cost the same: O(returned),
  not O(position in the table).
* PutObject then GetObject of 1 MiB, against a plain ``responses`` callback that keeps
  the body and returns it (the floor). Alternating activations, median round.

(A module of its own, beside ``v3io.py``'s PutRecords case, so the two evolve apart.)"""
from __future__ import annotations

import re
from typing import Any

import requests
import responses

from mock_putrecord import mock_putrecord

from .common import Config, Row, collect, interleaved, median, timed

WEBAPI = "http://v3io-webapi:8081"
HEADERS = {"X-v3io-session-key": "bench"}
TABLE = "/bigdata/bench/table/"
OBJECT = "/bigdata/bench/object"
MIB = b"x" * (1 << 20)


def _page(session: requests.Session, marker: str | None) -> dict[str, Any]:
    body = {"Limit": 100, "AttributesToGet": "*", **({"Marker": marker} if marker else {})}
    response = session.put(WEBAPI + TABLE, json=body, headers={**HEADERS, "X-v3io-function": "GetItems"})
    if response.status_code != 200:
        raise AssertionError(response.text)
    page: dict[str, Any] = response.json()
    return page


def get_items_pages(items: int, repeats: int) -> dict[str, float]:
    """Milliseconds per page at the first, middle and last page of an ``items`` table."""
    with mock_putrecord() as mock, requests.Session() as session:
        box = mock.v3io.container("bigdata")
        for i in range(items):  # the table, written directly (PutItem is not what is measured)
            box.item_for_write(f"bench/table/k{i:06d}").attributes.update({"i": {"N": str(i)}, "s": {"S": "x" * 20}})
        markers: list[str | None] = [None]
        while (marker := _page(session, markers[-1]).get("NextMarker")) is not None:
            markers.append(marker)
        assert len(markers) == items // 100, len(markers)
        chosen = {"first": markers[0], "middle": markers[len(markers) // 2], "last": markers[-1]}
        collect()
        times = interleaved({name: (lambda m=m: _page(session, m)) for name, m in chosen.items()}, repeats)
        last_page = _page(session, chosen["last"])
        assert "NextMarker" not in last_page and len(last_page["Items"]) == 100
    return {name: median(values) * 1e3 for name, values in times.items()}


def _objects(session: requests.Session, count: int) -> None:
    for _ in range(count):
        response = session.put(WEBAPI + OBJECT, data=MIB, headers=HEADERS)
        if response.status_code != 200:
            raise AssertionError(response.text)
        response = session.get(WEBAPI + OBJECT, headers=HEADERS)
        if len(response.content) != len(MIB):
            raise AssertionError(response.status_code)


def objects_floor(count: int) -> float:
    store: dict[str, bytes] = {}

    def put(request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        store["object"] = request.body  # type: ignore[assignment]
        return 200, {}, b""

    def get(request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "application/octet-stream"}, store["object"]

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_callback(responses.PUT, re.compile(".*"), callback=put)
        rsps.add_callback(responses.GET, re.compile(".*"), callback=get)
        with requests.Session() as session:
            return timed(lambda: _objects(session, count)) / count


def objects_mock(count: int) -> float:
    with mock_putrecord(), requests.Session() as session:
        return timed(lambda: _objects(session, count)) / count


def run(config: Config) -> list[Row]:
    repeats = config.pick(41, 21, 3)
    items = config.pick(10_000, 10_000, 1_000)
    pages = get_items_pages(items, repeats)
    spread = pages["last"] / pages["first"] - 1
    rounds, per_round = config.pick((11, 20), (7, 10), (2, 2))
    objects_floor(2), objects_mock(2)  # warm-up
    mock_times: list[float] = []
    floor_times: list[float] = []
    for index in range(rounds):
        pair = [(mock_times, objects_mock), (floor_times, objects_floor)]
        for times, func in pair if index % 2 == 0 else pair[::-1]:
            collect()
            times.append(func(per_round))
    mock_ms, floor_ms = median(mock_times) * 1e3, median(floor_times) * 1e3
    return [
        Row(case="6. v3io KV and objects", measure=f"GetItems page of 100 over {items:,} items: first page",
            unit="ms/page", mock=pages["first"], extra={"ms_per_page": pages}),
        Row(case="6. v3io KV and objects", measure="GetItems: middle page", unit="ms/page", mock=pages["middle"]),
        Row(case="6. v3io KV and objects", measure="GetItems: last page vs first", unit="% change",
            mock=spread * 100, ratio=spread, ratio_label="last page / first page - 1",
            target="O(returned): flat (within ±15%)", met=abs(spread) <= 0.15, extra={"ms_last": pages["last"]}),
        Row(case="6. v3io KV and objects", measure="PutObject + GetObject of 1 MiB via requests", unit="ms/pair",
            mock=mock_ms, floor=floor_ms, ratio=floor_ms / mock_ms, ratio_label="throughput vs floor",
            target=">= 0.8", met=floor_ms / mock_ms >= 0.8,
            note="floor: responses callbacks that keep the body and return it"),
    ]
