"""A post-processing hook of the OpenAPI schema: describe what the generator leaves bare.

Filters named after fields get the field's meaning (osm.utils.FIELD_DESCRIPTIONS), with
`_after`/`_before` ranges said as such; path ids and the paginated list wrappers get theirs.
Nothing already described is touched.
"""

from osm.utils import FIELD_DESCRIPTIONS

PAGINATION = {
    "count": "How many rows match, on all pages.",
    "next": "URL of the next page, or null on the last.",
    "previous": "URL of the previous page, or null on the first.",
    "results": "The rows of this page.",
}
RANGES = {"_after": "on or after", "_before": "on or before", "_min": "at least", "_max": "at most"}


def parameter_description(name: str) -> str:
    for suffix, words in RANGES.items():
        if name.endswith(suffix):
            field = name.removesuffix(suffix)
            return f"Only rows whose {field.replace('_', ' ')} is {words} this value."
    if name == "id":
        return "Identifier."
    meaning = FIELD_DESCRIPTIONS.get(name)
    if meaning:
        return f"Filter: {meaning[0].lower()}{meaning[1:]}"
    return f"Filter by {name.replace('_', ' ')}."


def describe(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if not parameter.get("description"):
                    parameter["description"] = parameter_description(parameter["name"])
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.startswith("Paginated"):
            for field, spec in component.get("properties", {}).items():
                if not spec.get("description") and field in PAGINATION:
                    spec["description"] = PAGINATION[field]
    return result
