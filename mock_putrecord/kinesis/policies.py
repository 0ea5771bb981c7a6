"""Resource policies (Put/Get/DeleteResourcePolicy) on streams and, through
``resources``, on any ARN-addressed Kinesis resource.

The API reference asks for a JSON policy that "must include the identity of the
principal and the actions allowed on this resource"; the mock checks that shape. AWS
publishes no texts for these refusals: the messages below are the mock's.
"""
from __future__ import annotations

import json
from typing import Any

from .exceptions import InvalidArgumentException, ResourceNotFoundException
from .resources import Resource

NO_POLICY = "{}"
"""What GetResourcePolicy returns for a resource without a policy (LocalStack's AWS capture)."""


def _invalid(reason: str) -> InvalidArgumentException:
    return InvalidArgumentException(f"Invalid resource policy: {reason}")


def _actions(statement: dict[str, Any]) -> list[Any]:
    action = statement.get("Action", statement.get("NotAction"))
    return action if isinstance(action, list) else [action]


def validate(text: str) -> None:
    """A policy document: a JSON object whose ``Statement`` (one or a list) each have an
    ``Effect`` of Allow or Deny, a ``Principal`` and ``kinesis:`` actions."""
    try:
        document = json.loads(text)
    except ValueError:
        raise _invalid("the policy is not valid JSON.") from None
    if not isinstance(document, dict):
        raise _invalid("the policy must be a JSON object.")
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise _invalid("the policy must have at least one Statement.")
    for statement in statements:
        if not isinstance(statement, dict):
            raise _invalid("each Statement must be a JSON object.")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise _invalid("each Statement must have an Effect of Allow or Deny.")
        if "Principal" not in statement:
            raise _invalid("each Statement must name a Principal.")
        actions = _actions(statement)
        if not actions or not all(isinstance(a, str) and (a == "*" or a.lower().startswith("kinesis:"))
                                  for a in actions):
            raise _invalid("each Statement must have kinesis: Actions.")


def put(resource: Resource, text: str) -> None:
    """Attach (or replace) the policy after :func:`validate`."""
    validate(text)
    resource.policy = text


def get(resource: Resource) -> str:
    return resource.policy if resource.policy is not None else NO_POLICY


def delete(resource: Resource, arn: str) -> None:
    """Detach the policy; ResourceNotFoundException if there is none (moto's text)."""
    if resource.policy is None:
        raise ResourceNotFoundException(f"No resource policy found for resource ARN {arn}.")
    resource.policy = None
