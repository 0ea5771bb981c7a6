"""The patch registry: every patch is on while a mock is active, and after the last
``stop()`` every patched attribute is the very object it was before, whatever other
libraries patched meanwhile."""
from __future__ import annotations

import importlib
import sys
from typing import Any, Iterator

import boto3
import botocore.endpoint
import pytest
import requests
import requests.adapters
import responses
import wrapt
from botocore.config import Config

from mock_putrecord import UnmockedRequestError, mock_putrecord
from mock_putrecord.core import patches

_MISSING = object()
ONE_ATTEMPT = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def _import_all_patched_modules() -> None:
    for patch in patches.registered():
        try:
            importlib.import_module(patch.module)
        except ImportError:
            pass  # an optional library (moto, v3io-py, aiobotocore) that is not installed


def _snapshot() -> dict[str, Any]:
    """Identity of every attribute the registry patches (and of ``HTTPAdapter.send``,
    which ``responses`` patches), as stored on its owner."""
    state: dict[str, Any] = {"HTTPAdapter.send": requests.adapters.HTTPAdapter.__dict__["send"]}
    for patch in patches.registered():
        module = sys.modules.get(patch.module)
        owner = patch.owner_in(module) if module is not None else None
        if owner is not None:
            state[repr((patch.module, patch.owner, patch.attribute))] = owner.__dict__.get(patch.attribute, _MISSING)
    state["meta_path"] = list(sys.meta_path)
    return state


@pytest.fixture
def before() -> Iterator[dict[str, Any]]:
    _import_all_patched_modules()
    snapshot = _snapshot()
    yield snapshot
    assert _snapshot() == snapshot  # nothing leaks into the next test either


def test_every_loaded_patch_is_a_wrapt_wrapper_while_active(before: dict[str, Any]) -> None:
    with mock_putrecord():
        loaded = [p for p in patches.registered() if p.module in sys.modules]
        assert loaded and all(p.applied for p in loaded)
        assert isinstance(botocore.endpoint.Endpoint.__dict__["_send"], wrapt.FunctionWrapper)
        assert botocore.endpoint.Endpoint.__dict__["_send"].__wrapped__ is before[
            repr(("botocore.endpoint", "Endpoint", "_send"))]
    assert not any(p.applied for p in patches.registered())
    assert _snapshot() == before


def test_nested_activations_apply_and_remove_once(before: dict[str, Any]) -> None:
    with mock_putrecord():
        during = _snapshot()
        with mock_putrecord(region="eu-west-1"):
            assert _snapshot() == during
        assert _snapshot() == during
    assert _snapshot() == before


def test_a_users_responses_mock_started_inside_and_stopped_after_ours(before: dict[str, Any]) -> None:
    mock = mock_putrecord().start()
    user = responses.RequestsMock(assert_all_requests_are_fired=False)
    user.start()
    user.add(responses.GET, "http://example.invalid/a", body="users")
    mock.stop()
    assert requests.get("http://example.invalid/a", timeout=1).text == "users"
    user.stop()
    assert _snapshot() == before


def test_a_users_responses_mock_started_before_and_stopped_inside_ours(before: dict[str, Any]) -> None:
    user = responses.RequestsMock(assert_all_requests_are_fired=False)
    user.start()
    mock = mock_putrecord().start()
    user.stop()
    mock.stop()
    assert _snapshot() == before


def test_a_third_party_patch_made_after_import_is_kept_and_called(before: dict[str, Any]) -> None:
    original = botocore.endpoint.Endpoint.__dict__["_send"]
    sent: list[str] = []

    def theirs(self: Any, request: Any) -> Any:
        sent.append(request.url)
        raise ConnectionAbortedError("their patch answered")

    botocore.endpoint.Endpoint._send = theirs  # type: ignore[method-assign]
    try:
        with mock_putrecord(passthrough=True):
            client = boto3.client("sqs", region_name="us-east-1", config=ONE_ATTEMPT)
            with pytest.raises(Exception, match="their patch answered"):
                client.list_queues()
        assert botocore.endpoint.Endpoint.__dict__["_send"] is theirs
        assert sent and sent[0].startswith("https://sqs.us-east-1.amazonaws.com")
    finally:
        botocore.endpoint.Endpoint._send = original  # type: ignore[method-assign]


def test_a_patch_over_ours_keeps_ours_as_a_pass_through_until_it_is_undone(before: dict[str, Any]) -> None:
    key = repr(("botocore.endpoint", "Endpoint", "_send"))
    calls: list[str] = []
    mock = mock_putrecord().start()
    ours = botocore.endpoint.Endpoint.__dict__["_send"]

    def theirs(self: Any, request: Any) -> Any:
        calls.append("theirs")
        return ours.__get__(self, type(self))(request)

    botocore.endpoint.Endpoint._send = theirs  # type: ignore[method-assign]
    client = boto3.client("sqs", region_name="us-east-1", config=ONE_ATTEMPT)
    with pytest.raises(UnmockedRequestError):  # our guard, called by theirs
        client.list_queues()
    mock.stop()
    assert botocore.endpoint.Endpoint.__dict__["_send"] is theirs  # theirs is not removed
    # ours, still in their chain, is now a pure pass-through to the original
    assert ours.__wrapped__ is before[key]
    botocore.endpoint.Endpoint._send = ours.__wrapped__  # they undo their patch
    assert calls == ["theirs"]
    assert _snapshot() == before


def test_moto_started_inside_ours_leaves_its_stubber_as_before(before: dict[str, Any]) -> None:
    moto = pytest.importorskip("moto")
    with mock_putrecord():
        with moto.mock_aws():
            boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="bucket-inside")
    assert _snapshot() == before


def test_a_library_imported_during_the_activation_is_patched_then_restored(before: dict[str, Any]) -> None:
    name = "v3io.dataplane.transport.httpclient"
    pytest.importorskip(name)
    parent = sys.modules[name.rpartition(".")[0]]
    saved = sys.modules.pop(name)
    try:
        with mock_putrecord():
            module = importlib.import_module(name)  # a fresh module object
            assert module is not saved
            assert isinstance(module.Transport.__dict__["send_request"], wrapt.FunctionWrapper)
        assert not isinstance(module.Transport.__dict__["send_request"], wrapt.FunctionWrapper)
    finally:  # later tests use the module everyone else imported
        sys.modules[name] = saved
        setattr(parent, "httpclient", saved)
    assert _snapshot() == before
