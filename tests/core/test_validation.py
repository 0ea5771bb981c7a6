"""The one model-driven validator: a service's wording is declared, not coded, and the
Feature Store's rule modules stand on their own (no import cycle through its models)."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from mock_putrecord.core.errors import ServiceError
from mock_putrecord.core.deserialiser import SerializationException
from mock_putrecord.core.validation import ValidationException, Validator, Wording, java_string
from mock_putrecord.featurestore.exceptions import ValidationError
from mock_putrecord.featurestore.validation import wording as feature_store_wording

ROOT = Path(__file__).resolve().parents[2]
KINESIS = Validator("kinesis", Wording(java_package="com.amazonaws.kinesis.v20131202"))
KINESIS_IN_FEATURE_STORE_WORDS = Validator("kinesis", feature_store_wording(ValidationError))


def _message(validator: Validator, operation: str, params: object) -> tuple[type[ServiceError], str]:
    with pytest.raises(ServiceError) as excinfo:
        validator.validate(operation, params)
    return type(excinfo.value), excinfo.value.message


FEATURE_STORE_RULES = ("definitions", "times", "record_rules", "validation")


@pytest.mark.parametrize("module", [*FEATURE_STORE_RULES, "models"])
def test_each_feature_store_module_imports_alone(module: str) -> None:
    done = subprocess.run([sys.executable, "-c", f"import mock_putrecord.featurestore.{module}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def _local_imports(module: str) -> set[str]:
    """The featurestore modules ``module`` imports (at any level, typing-only included)."""
    tree = ast.parse((ROOT / "mock_putrecord" / "featurestore" / f"{module}.py").read_text())
    return {node.module for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module}


def test_the_rule_modules_never_import_the_models() -> None:
    # The old validation.py imported models.FeatureDefinition while models imported it.
    reached: set[str] = set()
    pending = list(FEATURE_STORE_RULES)
    while pending:
        module = pending.pop()
        if module not in reached:
            reached.add(module)
            pending.extend(_local_imports(module))
    assert reached == {*FEATURE_STORE_RULES, "exceptions"}


def test_a_wrong_type_is_a_serialization_exception_or_a_constraint_failure_as_the_wording_says() -> None:
    params = {"StreamName": 5, "ShardCount": 1}
    assert _message(KINESIS, "CreateStream", params) == (
        SerializationException, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be "
        "converted to an String")
    assert _message(KINESIS_IN_FEATURE_STORE_WORDS, "CreateStream", params) == (
        ValidationError, "1 validation error detected: Value '5' at 'streamName' failed to satisfy constraint: "
        "Member must be a string")


def test_a_failing_list_of_strings_names_declared_or_broken_constraints() -> None:
    params = {"StreamName": "s", "TagKeys": ["a" * 129]}
    declared = ("[Member must have length less than or equal to 128, "
                "Member must have length greater than or equal to 1]")
    assert _message(KINESIS, "RemoveTagsFromStream", params)[1].endswith(declared)
    assert _message(KINESIS_IN_FEATURE_STORE_WORDS, "RemoveTagsFromStream", params)[1].endswith(
        "Member must satisfy constraint: [Member must have length less than or equal to 128]")


def test_the_header_counts_the_failures_listed_or_every_failure() -> None:
    params = {"StreamName": "s", "Records": [{"Data": "", "PartitionKey": ""} for _ in range(12)]}
    kinesis = _message(KINESIS, "PutRecords", params)[1]
    feature_store = _message(KINESIS_IN_FEATURE_STORE_WORDS, "PutRecords", params)[1]
    assert kinesis.startswith("10 validation errors detected: ") and kinesis.count("failed to satisfy") == 10
    assert feature_store.startswith("12 validation errors detected: ") and feature_store.count("failed to satisfy") == 10


def test_scalar_list_enums_are_checked_by_the_walk_with_the_other_failures() -> None:
    params = {"StreamName": "bad name", "ShardLevelMetrics": ["Bogus"]}
    assert _message(KINESIS, "EnableEnhancedMonitoring", params) == (
        ValidationException,
        "2 validation errors detected: Value 'bad name' at 'streamName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '[Bogus]' at 'shardLevelMetrics' "
        "failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
        "[IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, "
        "ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]]",
    )


def test_values_print_as_java_prints_them() -> None:
    # Java's AbstractCollection.toString prints a null element as "null".
    assert _message(KINESIS, "RemoveTagsFromStream", {"StreamName": "s", "TagKeys": ["", None]})[1] == (
        "1 validation error detected: Value '[, null]' at 'tagKeys' failed to satisfy constraint: Member must "
        "satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater "
        "than or equal to 1]")
    assert java_string([True, None, float("nan"), {"k": [1.5, float("-inf")]}]) == "[true, null, NaN, {k=[1.5, -Infinity]}]"
    deep: list[object] = []
    for _ in range(50_000):  # far beyond the recursion limit
        deep = [deep]
    assert java_string(deep) == "[" * 50_001 + "]" * 50_001


def test_recursive_shapes_compile_and_are_walked() -> None:
    # SageMaker Search's SearchExpression nests itself (SubExpressions).
    validator = Validator("sagemaker", feature_store_wording(ValidationError))
    nested = {"SubExpressions": [{"SubExpressions": [{"Filters": [{"Name": "n", "Operator": "Nope"}]}]}]}
    assert _message(validator, "Search", {"Resource": "FeatureGroup", "SearchExpression": nested})[1] == (
        "1 validation error detected: Value 'Nope' at 'searchExpression.subExpressions.1.member.subExpressions.1"
        ".member.filters.1.member.operator' failed to satisfy constraint: Member must satisfy enum value set: "
        + "[" + ", ".join(validator_enum("sagemaker", "Operator")) + "]")


def validator_enum(service: str, shape: str) -> list[str]:
    from mock_putrecord.core.service_models import service_model

    return list(service_model(service).shape_for(shape).enum)
