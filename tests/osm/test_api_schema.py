"""The OpenAPI schema: generated and validated with warnings as failures; every field of
every component and every parameter described."""

import io
import re

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


def test_request_bodies_are_json_only_but_the_bulk_upload(schema):
    """One body type per operation (JSON in, API.md), so generated clients get one model; the
    bulk upload takes CSV too; the only file upload, a practice's document, is multipart."""
    bodies = {
        f"{method.upper()} {path}": sorted(operation["requestBody"]["content"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    }
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    bulk = bodies.pop("POST /api/v1/measure-values/bulk/")
    assert bulk == ["application/json", xlsx, "text/csv"]
    # The scorecard import takes the workbook only (reports/api/imports.py).
    assert bodies.pop("POST /api/v1/units/{id}/scorecard-import/") == [xlsx]
    # A practice's document (communication/api/practices.py): one file, multipart.
    assert bodies.pop("POST /api/v1/practices/{id}/attachments/") == ["multipart/form-data"]
    assert len(bodies) > 40  # creates, updates, partial updates, the token
    others = {op: types for op, types in bodies.items() if types != ["application/json"]}
    assert not others, f"request bodies other than JSON: {others}"


def test_descriptions_stand_on_their_own(schema):
    """No description points to a document a schema reader does not have (DESIGN.md,
    API.md, docs/api.md): it says what is meant."""
    found = []

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")
        elif isinstance(node, str) and re.search(r"\.md\b|\bdesign doc", node, re.I):
            found.append(f"{where}: {node}")

    walk(schema, "")
    assert not found, "descriptions pointing elsewhere:\n" + "\n".join(found)
