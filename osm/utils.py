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
