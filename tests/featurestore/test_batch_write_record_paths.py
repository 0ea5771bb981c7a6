"""BatchWriteRecord's fast path answers and stores exactly what the reference path does.

Two ways through ``featurestore.responses.RuntimeAdapter.batch_write_record``: botocore's
parameters the body was serialized from (proven by identity), checked by
``batch_write_record_is_valid`` (no body
parsing, no model walk), and the reference: the parsed body through the model validator.
Random batches (valid and not: unknown groups and features, bad values and event times,
per-entry and request TTLs, target stores, shapes the model refuses) go through each into
its own region under one frozen clock; the answers and the stored state must be identical,
and equal to PutRecord applied entry by entry in a third region (BatchWriteRecord's own
loop looks each group up once and gives every entry the request's time).
"""
from __future__ import annotations

import json
import random
from typing import Any

import pytest

from mock_putrecord import MockPutRecord, mock_putrecord
from mock_putrecord.core.dispatch import dispatch
from mock_putrecord.core.settings import settings
from mock_putrecord.core.wire import ClientParameters, WireRequest
from mock_putrecord.featurestore.exceptions import FeatureStoreError

from ..helpers import requires_operation

RUNTIME = "sagemaker-featurestore-runtime"
REGIONS = {"client_parameters": "us-east-1", "reference": "us-west-2", "one_by_one": "eu-west-1"}
GROUPS = ("fs-a", "fs-b")
FEATURES = {"id": "String", "t": "String", "n": "Integral", "x": "Fractional"}

pytestmark = requires_operation(RUNTIME, "BatchWriteRecord")


def _value(rng: random.Random, name: str) -> str:
    good = {"id": f"r{rng.randrange(6)}", "t": f"2099-01-0{rng.randint(1, 3)}T00:00:0{rng.randint(0, 9)}Z",
            "n": str(rng.randint(-5, 5)), "x": rng.choice(["0.5", "1e3", "-2"])}[name]
    if rng.random() < 0.06:  # a value the group's type refuses (or an impossible date)
        return {"id": "", "t": "2099-02-30T00:00:00Z", "n": "1.5", "x": "NaN"}[name] if name != "id" else good
    return good


def _entry(rng: random.Random) -> dict[str, Any]:
    names = [name for name in FEATURES if name in ("id", "t") and rng.random() < 0.97 or rng.random() < 0.7]
    record = [{"FeatureName": name, "ValueAsString": _value(rng, name)} for name in names]
    if rng.random() < 0.05:
        record.append({"FeatureName": "unknown", "ValueAsString": "1"})
    if rng.random() < 0.03:
        record.append({"FeatureName": "bad name!", "ValueAsString": "1"})  # the model's pattern refuses it
    if rng.random() < 0.03:
        record.append({"FeatureName": "n", "ValueAsString": "1\n2"})  # a line terminator
    if rng.random() < 0.02:  # features the model refuses, or allows only off the plain path
        record.insert(rng.randrange(len(record) + 1), rng.choice([
            {"FeatureName": "x", "ValueAsString": 5},  # not a string
            {"FeatureName": ["x"], "ValueAsString": "1"},  # not a string (unhashable)
            {"ValueAsString": "1"},  # no FeatureName
            "x",  # not a structure
            {"FeatureName": "x", "ValueAsString": "1", "ValueAsStringList": ["1"]},  # both values
            {"FeatureName": "x", "ValueAsStringList": ["1"]},  # a list for a scalar feature
            {"FeatureName": "id", "ValueAsString": "r\tab"},  # a tab: not printable, but allowed
            {"FeatureName": "id", "ValueAsString": "r\u2028"},  # a Java line terminator
            {"FeatureName": "id", "ValueAsString": ""},  # an empty identifier
            {"FeatureName": "x", "ValueAsString": "1" * 358_401},  # longer than a value may be
        ]))
    entry: dict[str, Any] = {"FeatureGroupName": rng.choice(GROUPS + ("fs-missing",) if rng.random() < 0.1 else GROUPS),
                             "Record": record}
    if rng.random() < 0.2:
        entry["TargetStores"] = rng.choice([["OnlineStore"], ["OfflineStore"], ["OnlineStore", "OfflineStore"], []])
    if rng.random() < 0.2:
        entry["TtlDuration"] = {"Unit": rng.choice(["Seconds", "Hours", "Days"]), "Value": rng.choice([1, 30, 0])}
    return entry


def _params(rng: random.Random) -> dict[str, Any]:
    params: dict[str, Any] = {"Entries": [_entry(rng) for _ in range(rng.choice([1, 3, 10, 25, 26]))]}
    if rng.random() < 0.3:
        params["TtlDuration"] = {"Unit": "Minutes", "Value": rng.choice([5, 0])}
    return params


def _request(region: str, params: dict[str, Any] | None, body: bytes) -> WireRequest:
    url = f"https://featurestore-runtime.sagemaker.{region}.amazonaws.com/BatchWriteRecord"
    return WireRequest("POST", url, "/BatchWriteRecord", "", {}, body, RUNTIME, "BatchWriteRecord", region,
                       settings.account_id,
                       body_source=ClientParameters(params) if params is not None else None)


def _one_by_one(mock: MockPutRecord, params: dict[str, Any]) -> list[dict[str, Any]]:
    """What BatchWriteRecord must do: each entry a PutRecord (its TTL, else the request's)."""
    backend = mock.featurestore.backend(REGIONS["one_by_one"])
    errors = []
    for entry in params["Entries"]:
        try:
            backend.put_record(entry["FeatureGroupName"], entry["Record"], entry.get("TargetStores"),
                               entry.get("TtlDuration") or params.get("TtlDuration"))
        except FeatureStoreError as error:
            errors.append({"Entry": entry, "ErrorCode": error.code, "ErrorMessage": error.message})
    return errors


def _stored(mock: MockPutRecord, region: str) -> dict[str, Any]:
    backend = mock.featurestore.backend(region)
    state = {}
    for name in GROUPS:
        group = backend._runtime_group(name)  # noqa: SLF001 - the exact stored state, tombstones and TTLs included
        online = {key: (r.values, r.event_time_ms, r.expires_at_ms, r.deleted) for key, r in group.online.items()}
        offline = [(r.values, r.api_invocation_time, r.write_time, r.is_deleted) for r in group.offline]
        state[name] = (online, offline)
    return state


@pytest.mark.parametrize("seed", range(30))
def test_fast_path_equals_the_reference_path(seed: int) -> None:
    rng = random.Random(seed)
    with mock_putrecord() as mock:
        mock.advance(0)  # freeze the clock: write times compare equal
        for region in REGIONS.values():
            for name in GROUPS:
                mock.featurestore.create_feature_group(
                    name, record_identifier="id", event_time="t", features=FEATURES,
                    offline=name == "fs-b", region=region)
        for _ in range(4):
            params = _params(rng)
            body = json.dumps(params).encode()
            fast = dispatch(_request(REGIONS["client_parameters"], params, body))
            reference = dispatch(_request(REGIONS["reference"], None, body))
            assert fast is not None and reference is not None
            assert (fast.status, json.loads(fast.body)) == (reference.status, json.loads(reference.body)), params
            if reference.status == 200:  # the batch as PutRecord calls, one entry at a time
                assert json.loads(reference.body)["Errors"] == _one_by_one(mock, params), params
            mock.advance(0.001)
        assert _stored(mock, REGIONS["client_parameters"]) == _stored(mock, REGIONS["reference"])
        assert _stored(mock, REGIONS["one_by_one"]) == _stored(mock, REGIONS["reference"])
        written.append(sum(len(online) for online, _ in _stored(mock, REGIONS["client_parameters"]).values()))


written: list[int] = []


def test_the_random_batches_wrote_records() -> None:
    """The comparison above is not vacuous: most seeds stored records (run after it)."""
    if not written:
        pytest.skip("runs after the comparison test, in the same process")
    assert sum(1 for count in written if count) >= len(written) // 2


def test_the_fast_path_is_taken_for_plain_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_putrecord.featurestore import responses

    parsed: list[bytes] = []
    original = responses.RuntimeAdapter._json_body
    monkeypatch.setattr(responses.RuntimeAdapter, "_json_body",
                        lambda self, request: parsed.append(request.body) or original(self, request))
    with mock_putrecord() as mock:
        mock.featurestore.create_feature_group("fs-a", record_identifier="id", event_time="t", features=FEATURES)
        params = {"Entries": [{"FeatureGroupName": "fs-a",
                               "Record": [{"FeatureName": "id", "ValueAsString": "r1"},
                                          {"FeatureName": "t", "ValueAsString": "2099-01-01T00:00:00Z"}]}]}
        answer = dispatch(_request("us-east-1", params, json.dumps(params).encode()))
        assert answer is not None and (answer.status, json.loads(answer.body)) == (
            200, {"Errors": [], "UnprocessedEntries": []})
        assert parsed == []
        assert mock.featurestore.online_count("fs-a", region="us-east-1") == 1
