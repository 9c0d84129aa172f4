"""Small helpers every app shares: the code validator, fiscal periods, money fields."""

import datetime as dt
from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator

CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
code_validator = RegexValidator(
    CODE_PATTERN,
    "A code starts with a letter and holds only letters, digits and underscores.",
    code="invalid_code",
)
non_negative = MinValueValidator(Decimal("0"), "Must not be negative.")


def positive_weight(value) -> None:
    """Weights are positive (the models' CHECK constraints say so too); a field validator,
    so forms and the API name the field."""
    from django.core.exceptions import ValidationError

    if value is not None and value <= 0:
        raise ValidationError("The weight must be positive.")


MONEY = {"max_digits": 16, "decimal_places": 2}
WEIGHT = {"max_digits": 8, "decimal_places": 3}
VALUE = {"max_digits": 20, "decimal_places": 6}


def fiscal_year_of(day: dt.date, start_month: int) -> int:
    """The fiscal year containing `day`, named after the calendar year in which it starts."""
    return day.year if day.month >= start_month else day.year - 1


def fiscal_year_bounds(year: int, start_month: int) -> tuple[dt.date, dt.date]:
    """First and last day of fiscal year `year`."""
    start = dt.date(year, start_month, 1)
    next_start = dt.date(year + 1, start_month, 1)
    return start, next_start - dt.timedelta(days=1)


def save_validated(instance, *, by=None):
    """Validate fields, `clean()` and constraints, then save; `by` is recorded in history.

    Raises ValidationError with field messages and writes nothing on bad input.
    """
    instance.full_clean()
    if by is not None:
        instance._history_user = by
    instance.save()
    return instance


def apply_changes(instance, changes: dict, *, allowed: set[str]):
    """Set `changes` on `instance`, refusing fields that may not change this way."""
    from django.core.exceptions import ValidationError

    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here."))
    for name, value in changes.items():
        setattr(instance, name, value)
    return instance


def delete_or_explain(instance, *, by=None):
    """Delete `instance`, or refuse with a message naming what still depends on it."""
    from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
    from django.db.models import ProtectedError, RestrictedError

    if by is not None:
        instance._history_user = by
    try:
        instance.delete()
    except (ProtectedError, RestrictedError) as exc:
        blockers = list(
            exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        )
        verb = "depends" if len(blockers) == 1 else "depend"
        # Keyed like every other refusal of the services, so callers can use `message_dict`.
        raise ValidationError(
            {
                NON_FIELD_ERRORS: (
                    f"{instance._meta.verbose_name.capitalize()} '{instance}' cannot be deleted: "
                    f"{describe_dependents(blockers)} still {verb} on it."
                )
            }
        ) from None


def describe_dependents(objects) -> str:
    """'3 measure values (e.g. REV 2026-01, …), 1 goal (e.g. …)' for a refusal message."""
    groups: dict[str, list] = {}
    for obj in objects:
        meta = obj._meta
        groups.setdefault((meta.verbose_name, meta.verbose_name_plural), []).append(obj)
    parts = []
    for (singular, plural), items in sorted(groups.items()):
        items = sorted(items, key=str)  # the blockers come as a set: name them in a stable order
        label = singular if len(items) == 1 else plural
        examples = ", ".join(str(o) for o in items[:3])
        more = ", …" if len(items) > 3 else ""
        parts.append(f"{len(items)} {label} (e.g. {examples}{more})")
    return "; ".join(parts)


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
    "red_flag": "Red flag: below it (above, for decrease) the measure is red; null = default.",
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


def data_version() -> str:
    """The current data version (see osm.models.DataVersion): its epoch and counter."""
    from .models import DataVersion

    row = DataVersion.objects.filter(pk=1).values_list("epoch", "counter").first()
    return f"{row[0]}-{row[1]}" if row else "none"


def data_changed() -> None:
    """Move the data version on: cached computed reads stop being served. Writes through
    the ORM call this by signal (osm.apps); bulk writes that send no signals call it.
    The row is made by a migration, so concurrent first writes cannot share a number."""
    from django.db.models import F

    from .models import DataVersion

    if not DataVersion.objects.filter(pk=1).update(counter=F("counter") + 1):
        DataVersion.objects.get_or_create(pk=1)  # after a flush; a new epoch
        DataVersion.objects.filter(pk=1).update(counter=F("counter") + 1)


def add_service_errors(form, error) -> None:
    """Put a service's ValidationError on a bound form: each message next to its field when
    the form has that field, else at the top of the form (a non-field error)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def money_text(value) -> str:
    """An amount of money as pages and charts write it: whole amounts without decimals,
    others with two (1,120.50)."""
    amount = Decimal(value).quantize(Decimal("0.01"))
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def week_of(day: dt.date) -> dt.date:
    """The Monday of `day`'s week: the ledger period of weekly messages."""
    return day - dt.timedelta(days=day.weekday())


def parse_day(text: str) -> dt.date:
    """A `--date` argument: YYYY-MM-DD within the years 1900-2999; ValueError saying why."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date: use YYYY-MM-DD.") from None
    if not 1900 <= day.year <= 2999:
        raise ValueError("The date must be between the years 1900 and 2999.")
    return day
