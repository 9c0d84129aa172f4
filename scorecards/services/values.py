"""Writes of measure values: one row per measure and period with its actual, target, red
flag and note. The web's data entry records (inserts or corrects) a period's value; the API
creates, changes and deletes rows; many values at once are in services/bulk.py."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.services import apply_changes, delete_or_explain, save_validated

from .. import scoring
from ..models import Measure, MeasureValue

VALUE_FIELDS = {"actual", "target", "red_flag", "note"}
VALUE_FIXED = {
    "measure": "A value stays with its measure; delete it and create another.",
    "period": "A value stays in its period; delete it and create another.",
}


_UNSET = object()


@transaction.atomic
def measure_value_record(
    *,
    measure: Measure,
    period: dt.date,
    actual=_UNSET,
    target=_UNSET,
    red_flag=_UNSET,
    note=_UNSET,
    actor,
    require_note_if_red: bool = False,
) -> tuple[MeasureValue, bool]:
    """Record (insert or update) a measure's value for a period; fields not given keep
    their stored value. With `require_note_if_red` (the web's data entry) a value that
    scores red must carry a note saying why. Returns (value, created)."""
    value = MeasureValue.objects.select_for_update().filter(measure=measure, period=period).first()
    created = value is None
    if created:
        value = MeasureValue(measure=measure, period=period)
    for name, given in (("actual", actual), ("target", target), ("red_flag", red_flag)):
        if given is not _UNSET:
            setattr(value, name, given)
    if note is not _UNSET:
        value.note = note or ""
    if actor is not None:
        value.entered_by = actor
    if require_note_if_red:
        red_needs_note(value, measure)
    try:
        with transaction.atomic():
            save_validated(value, actor=actor)
    except IntegrityError:
        # Another request inserted the same (measure, period) first.
        raise ValidationError(
            {"period": f"{measure.code} already has a value for {period.isoformat()}."}
        ) from None
    return value, created


RED_NEEDS_NOTE = "This value is off target: say in the note why, and what is being done about it."


def red_needs_note(value: MeasureValue, measure: Measure) -> None:
    """A value whose actual scores red against its target must carry a note: readers of a
    red measure first ask why. Raises ValidationError on `note`."""
    if value.note.strip() or value.actual is None or value.target is None:
        return
    status = scoring.measure_status(
        value.actual, value.target, value.red_flag, measure.polarity, measure.tolerance
    )
    if status == scoring.RED:
        raise ValidationError({"note": RED_NEEDS_NOTE})


@transaction.atomic
def measure_value_create(*, actor, data: dict) -> MeasureValue:
    """A new value of a measure for a period (the API's create): refused when the period
    already has one, which is then to be changed instead."""
    data = dict(data)
    measure, period = data.pop("measure"), data.pop("period")
    existing = MeasureValue.objects.filter(measure=measure, period=period).first()
    if existing is not None:
        raise ValidationError(
            {
                "period": (
                    f"{measure.code} already has a value for {period.isoformat()} "
                    f"(id {existing.pk}); change that one instead."
                )
            }
        )
    apply_changes(MeasureValue(), data, allowed=VALUE_FIELDS)  # refuse other fields
    value, _created = measure_value_record(measure=measure, period=period, actor=actor, **data)
    return value


@transaction.atomic
def measure_value_update(*, actor, instance: MeasureValue, data: dict) -> MeasureValue:
    """Change a value's figures or note; it stays with its measure and in its period."""
    apply_changes(instance, data, allowed=VALUE_FIELDS, fixed=VALUE_FIXED)
    changes = {name: data[name] for name in VALUE_FIELDS if name in data}
    value, _created = measure_value_record(
        measure=instance.measure, period=instance.period, actor=actor, **changes
    )
    return value


@transaction.atomic
def measure_value_delete(*, actor, instance: MeasureValue) -> None:
    """Remove a value (its history stays)."""
    delete_or_explain(instance, actor=actor)
