"""Hostile-input machinery: strategies that build request parameters from botocore's
model (right shapes, wrong types, missing members, huge values, odd text), and a
recorder that sees every request the dispatcher answers, so each answer can be checked.
"""
from __future__ import annotations

import base64
import datetime
import json
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Callable, Iterator, Mapping

import botocore.session
import pytest
from hypothesis import strategies as st

import mock_putrecord
from mock_putrecord.core import dispatch as dispatch_module
from mock_putrecord.core.wire import WireRequest, WireResponse

PACKAGE_DIR = str(Path(mock_putrecord.__file__).parent)
MIB = 1024 * 1024
_MODELS = botocore.session.get_session()


def operation_model(service: str, operation: str) -> Any:
    return _MODELS.get_service_model(service).operation_model(operation)


# ---------------------------------------------------------------- generic values
def _text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=12),
        st.text(st.characters(blacklist_categories=()), max_size=6),  # any code point, lone surrogates too
        st.sampled_from(["", " ", "\x00", "null", "%", "%ff", "../..", "a/b", "\udcff", "é" * 3]),
    )


def huge_text() -> st.SearchStrategy[str]:
    return st.sampled_from([129, 257, 1025, MIB + 1]).map(lambda n: "k" * n)


def hostile_scalar() -> st.SearchStrategy[Any]:
    """A value of any JSON type (and then some) for a member that expects another."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.sampled_from([0, -1, 2**31, 2**63, 2**128, 10**40]),
        st.floats(allow_nan=True, allow_infinity=True),
        _text(),
        st.binary(max_size=8),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    )


@dataclass
class Hints:
    """Member-name specific values that reach deep code paths (a real stream name, a
    valid iterator), on top of the generic ones. Filled in per example."""

    values: dict[str, list[Any]] = field(default_factory=dict)

    def strategy(self, name: str) -> st.SearchStrategy[Any] | None:
        known = self.values.get(name)
        return st.sampled_from(known) if known else None


def for_shape(shape: Any, hints: Mapping[str, st.SearchStrategy[Any]], depth: int = 0, name: str = "") -> st.SearchStrategy[Any]:
    """A value for ``shape``: mostly plausible, sometimes of the wrong type or huge."""
    hinted = hints.get(name)
    plausible = _plausible(shape, hints, depth)
    if hinted is not None:
        plausible = st.one_of(hinted, hinted, plausible)
    return st.one_of(plausible, plausible, plausible, plausible, plausible, hostile_scalar())


def _plausible(shape: Any, hints: Mapping[str, st.SearchStrategy[Any]], depth: int,
               exact: set[str] = set()) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if depth > 3:
            return st.just({})
        members = {n: hints[n] if n in exact else for_shape(m, hints, depth + 1, n) for n, m in shape.members.items()}
        required = set(shape.required_members)
        # Required members are usually present (missing ones are still drawn), others usually not.
        return st.fixed_dictionaries({}, optional=members).flatmap(
            lambda drawn: st.fixed_dictionaries(
                {n: st.just(v) for n, v in drawn.items()},
                optional={n: members[n] for n in required if n not in drawn},
            )
        )
    if kind == "list":
        member = for_shape(shape.member, hints, depth + 1, shape.member.name)
        # (Over-long lists come from the hints: 501 copies of a huge member would be slow.)
        return st.lists(member, max_size=3)
    if kind == "map":
        return st.dictionaries(_text(), for_shape(shape.value, hints, depth + 1), max_size=3)
    if kind == "string":
        options = [_text(), huge_text()] if depth < 2 else [_text()]
        if shape.enum:
            options.insert(0, st.sampled_from(shape.enum))
        return st.one_of(*options)
    if kind in ("integer", "long"):
        low, high = meta.get("min", 0), meta.get("max", 10_000)
        return st.one_of(st.integers(low - 2, min(high, low + 20) + 2), st.integers(high - 2, high + 2))
    if kind in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "blob":
        return st.one_of(
            st.binary(max_size=32),
            st.sampled_from([b"\xff\xfe\x80", b""] + ([b"x" * (MIB + 1)] if depth < 3 else [])),
        )
    if kind == "timestamp":
        return st.one_of(
            st.datetimes(min_value=datetime.datetime(1970, 1, 2), max_value=datetime.datetime(2100, 1, 1),
                         timezones=st.just(datetime.timezone.utc)),
            st.floats(min_value=-1e12, max_value=1e12),
            st.sampled_from(["yesterday", "2024-13-45T99:00:00Z", ""]),
        )
    return hostile_scalar()


def params_for(service: str, operation: str, hints: Mapping[str, st.SearchStrategy[Any]],
               *, for_botocore: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """Parameters for ``operation``. ``for_botocore``: members that feed botocore's
    endpoint rules (``StreamARN``...) or its URL path (``FeatureGroupName`` of the
    rest-json runtime) take only their hinted values, and are always present: botocore
    itself refuses anything else before a request exists."""
    model = operation_model(service, operation)
    shape = model.input_shape
    if shape is None:
        return st.just({})
    if for_botocore:
        endpoint_members = {p.name for p in model.context_parameters} | {
            name for name, member in shape.members.items() if member.serialization.get("location") == "uri"}
        hints = {**hints, **{name: hints.get(name, st.nothing()) for name in endpoint_members}}
        uri = {name for name, member in shape.members.items() if member.serialization.get("location") == "uri"}
        strategy = _plausible(shape, hints, 0, exact=endpoint_members).flatmap(
            lambda drawn: st.fixed_dictionaries({**{n: st.just(v) for n, v in drawn.items()},
                                                 **{n: hints[n] for n in uri if n not in drawn}}))
    else:
        strategy = _plausible(shape, hints, 0)
    return strategy


def raw_bodies(valid: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[bytes]:
    """Bytes a hostile client could send: bad JSON, non-UTF-8, wrong JSON shapes, and
    model-shaped objects serialised by hand (blobs as base64, or as raw latin-1 text)."""
    def dumper(blob: Callable[[bytes], str]) -> Callable[[Any], bytes]:
        def dump(value: Any) -> bytes:
            def default(o: Any) -> Any:
                return blob(o) if isinstance(o, bytes) else str(o)

            return json.dumps(value, default=default).encode("utf-8", "surrogatepass")

        return dump

    return st.one_of(
        st.binary(max_size=64),
        st.sampled_from([b"", b"{", b"{}", b"[]", b"null", b"1", b'"x"', b"\xff\xfe{}", b'{"a":1}{',
                         b'{"Records": "notalist"}', b'{"Records": [1, null, "x"]}', b"{" * 10_000,
                         b'{"StreamName": NaN}', b'{"Data": "!!!notbase64"}', b"\xef\xbb\xbf{}"]),
        st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                     max_leaves=8).map(dumper(str)),
        valid.map(dumper(lambda b: base64.b64encode(b).decode())),
        valid.map(dumper(lambda b: base64.b64encode(b).decode())),
        valid.map(dumper(lambda b: b.decode("latin-1"))),
    )


# ---------------------------------------------------------------- the recorder
@dataclass
class Answer:
    request: WireRequest
    response: WireResponse | None
    error: BaseException | None
    seconds: float


class Recorder:
    """Wraps the dispatcher; keeps what it answered (or raised) for the current example."""

    def __init__(self) -> None:
        self.answers: list[Answer] = []
        self.reached = 0

    def wrap(self, real: Callable[[WireRequest], WireResponse | None]) -> Callable[[WireRequest], WireResponse | None]:
        def recorded(request: WireRequest) -> WireResponse | None:
            started = time.perf_counter()
            try:
                response = real(request)
            except BaseException as error:
                self.answers.append(Answer(request, None, error, time.perf_counter() - started))
                raise
            self.answers.append(Answer(request, response, None, time.perf_counter() - started))
            return response

        return recorded

    def take(self) -> list[Answer]:
        answers, self.answers = self.answers, []
        self.reached += bool(answers)
        return answers


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    recorder = Recorder()
    monkeypatch.setattr(dispatch_module, "dispatch", recorder.wrap(dispatch_module.dispatch))
    from mock_putrecord.v3io import transport

    monkeypatch.setattr(transport, "dispatch", recorder.wrap(transport.dispatch))
    yield recorder


def frames_in_package(tb: TracebackType | None) -> list[str]:
    return [f"{frame.f_code.co_filename}:{lineno}" for frame, lineno in traceback.walk_tb(tb)
            if frame.f_code.co_filename.startswith(PACKAGE_DIR)]


def check_answer(answer: Answer, well_formed_error: Callable[[WireResponse], str | None],
                 allowed_5xx: Callable[[Answer], bool] = lambda a: False) -> None:
    """An answer is a success or a well-formed 4xx error, returned in good time."""
    assert answer.error is None, (
        f"{answer.request.operation} raised {answer.error!r} inside the mock:\n"
        + "".join(traceback.format_exception(answer.error)))
    response = answer.response
    assert response is not None
    assert answer.seconds < 5, f"{answer.request.operation} took {answer.seconds:.1f}s"
    assert 200 <= response.status < 500 or allowed_5xx(answer), (
        f"{answer.request.operation} answered {response.status}: {response.body[:300]!r}")
    if response.status >= 400 and response.status != 413:
        problem = well_formed_error(response)
        assert problem is None, f"{answer.request.operation}: malformed error ({problem}): {response.body[:300]!r}"
    elif response.body and "json" in response.headers.get("Content-Type", ""):
        json.loads(response.body)  # a success body botocore can parse


def json_error(code_in_header: bool = False) -> Callable[[WireResponse], str | None]:
    """AWS JSON errors: ``__type`` in the body (JSON 1.1) or ``x-amzn-ErrorType`` (rest-json)."""

    def check(response: WireResponse) -> str | None:
        try:
            body = json.loads(response.body)
        except ValueError:
            return "body is not JSON"
        if not isinstance(body, dict):
            return "body is not an object"
        code = response.headers.get("x-amzn-ErrorType") if code_in_header else body.get("__type")
        if not code or not isinstance(code, str):
            return "no error code"
        message = body.get("message", body.get("Message", ""))
        return None if isinstance(message, str) else "message is not text"

    return check
