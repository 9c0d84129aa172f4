"""The words of the OpenAPI schema: what each API field means (`FIELD_DESCRIPTIONS`, which
serializers take when the model field has no help_text), and a post-processing hook that
describes what the generator leaves bare.

Filters named after fields get the field's meaning (`FIELD_DESCRIPTIONS`), with
`_after`/`_before` ranges said as such; path ids and the paginated list wrappers get theirs.
Nothing already described is touched.
"""

from core.formatting import status_words_help

# A scorecard status (of a measure, objective, perspective or scorecard): its code in the API,
# and the words the pages, e-mails and files show for it.
SCORE_STATUS = (
    f"Status: {status_words_help()}, each code with the words the pages, e-mails and files "
    "show for it. green: the actual meets the target; yellow: short of the target but it "
    "meets the red flag; red: it does not meet the red flag; no_data: no actual or no "
    "target. An aggregate's status goes by its score: green from 6.67, yellow from 3.33."
)

# What API fields mean, for the OpenAPI schema: serializers take the description from here
# when the model field has no help_text (a test checks that every field has one).
FIELD_DESCRIPTIONS = {
    "id": "Identifier.",
    "code": "Code: a letter, then letters, digits or underscores.",
    "name": "Name shown to people.",
    "title": "Title shown to people.",
    "label": "Label shown to people.",
    "description": "Free text.",
    "kind": "Kind (see the allowed values).",
    "status": "Status (see the allowed values).",
    "unit": "Id of the org unit.",
    "parent": "Id of the parent unit; null for the enterprise.",
    "head": "User id of the unit's head, or null.",
    "owner": "User id of the owner, or null.",
    "order": "Position, top to bottom.",
    "perspective": "Id of the perspective.",
    "theme": "Id of the strategic theme, or null.",
    "weight": "Positive weight in weighted means.",
    "supports": "Ids of the objectives of units above this one that it supports.",
    "cause": "Id of the objective that drives the effect.",
    "effect": "Id of the objective that the cause drives (same unit).",
    "rationale": "Why the cause drives the effect.",
    "objective": "Id of the objective, or null.",
    "objectives": "Ids of the objectives.",
    "measure": "Id of the measure, or null.",
    "unit_label": "Unit of the figures, e.g. %, EUR, days.",
    "polarity": "increase: higher is better; decrease: lower is better.",
    "frequency": "How often a value is reported.",
    "aggregation": "How periods combine year to date: sum, average or last.",
    "tolerance": "Default red-flag distance from the target, as a fraction (0.10 = 10%).",
    "formula": "Calculated measure: a formula over measure codes, or null.",
    "rollup": "Rollup function over `sources`, or none.",
    "sources": "Ids of measures of units below that a rollup combines.",
    "period": "First day of the month, quarter or year (YYYY-MM-DD; YYYY-MM accepted).",
    "actual": "Actual value, or null.",
    "target": "Target value, or null.",
    "red_flag": (
        "Red flag: below it (above, for decrease) the measure is red (Off target); null = default."
    ),
    "note": "Explanation of the value.",
    "entered_by": "User id of whoever last entered the value.",
    "updated_at": "When the row last changed.",
    "created_at": "When the row was created.",
    "start": "First day.",
    "end": "Last day, or null while open-ended.",
    "percent_complete": "Progress, 0 to 100.",
    "initiative": "Id of the initiative, or null.",
    "due": "Due date.",
    "done_on": "Date done, or null.",
    "fiscal_year": "Fiscal year, named after the calendar year in which it starts.",
    "category": "opex, capex or stratex (strategic expenditure, which names an initiative).",
    "planned": "Planned amount (decimal string).",
    "email": "Email address.",
    "manager": "Id of the employee's manager, or null.",
    "job_family": "Job family.",
    "user": "User id of the login, or null.",
    "active": "Whether the person currently works here.",
    "employee": "Id of the employee.",
    "progress": "Progress in percent, 0 to 100.",
    "scheduled_for": "Date and time of the meeting.",
    "chair": "User id of the chair, or null.",
    "attendees": "User ids of the attendees.",
    "meeting": "Id of the review meeting.",
    "minutes": "Minutes and decisions.",
}

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
