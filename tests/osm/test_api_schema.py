"""The OpenAPI schema: generated and validated with warnings as failures; every field of
every component and every parameter described."""

import io

import pytest
import yaml
from django.core.management import call_command


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yml"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(path), stdout=io.StringIO()
    )
    return yaml.safe_load(path.read_text())


def test_schema_validates_without_warnings(schema):
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/measure-values/bulk/" in schema["paths"]


def test_every_field_has_a_description(schema):
    missing = []
    for name, component in schema["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            if not spec.get("description"):
                missing.append(f"{name}.{field}")
    assert not missing, f"fields without a description: {missing}"


def test_every_parameter_has_a_description(schema):
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if not parameter.get("description"):
                    missing.append(f"{method.upper()} {path} ?{parameter['name']}")
    assert not missing, f"parameters without a description: {missing}"
