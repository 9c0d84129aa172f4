"""Many measure values at once (the API's bulk endpoint and the web's CSV upload), all or
nothing: the rows are read into typed rows first (value_inputs.py); here each row's measure
is found and the caller's right to enter it checked, every row is checked as
`measure_value_record` would check it, and the batch is written in one upsert with its
change history."""

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.versioning import data_changed

from ..models import Measure, MeasureValue
from ..value_inputs import BulkError, BulkRow
from .values import VALUE_FIELDS, red_needs_note


@transaction.atomic
def measure_values_bulk_record(
    *,
    actor,
    rows: list[BulkRow],
    may_enter: Callable[[Measure], bool] | None = None,
    require_note_if_red: bool = False,
) -> tuple[int, int]:
    """Insert or update the values of `rows` (as `value_inputs.read_rows` read them), all or
    nothing; returns (created, updated).

    `may_enter(measure)` says whether the caller may enter values of that measure. Every
    row is checked as `measure_value_record` would (period of the measure's frequency, red
    flag on its side of the target, no entered actual on a calculated or rollup measure,
    with `require_note_if_red` a note on a red value) and no (measure, period) may appear
    twice. Any bad row raises BulkError naming every row's problems (each row's measure
    first, then what could not be read; then repeats; then the values' checks), and
    nothing is written."""
    found, errors = _find_measures(rows, may_enter)
    if not found:
        raise BulkError(errors)
    # The rows that were read are checked on, so one answer lists every row's problems.
    errors += _repeated(found)
    creates, updates, value_errors = _prepare(found, actor, require_note_if_red)
    errors += value_errors
    if errors:
        raise BulkError(errors)
    _upsert(creates, updates, actor)
    data_changed()  # bulk writes send no signal
    return len(creates), len(updates)


def _find_measures(rows: list[BulkRow], may_enter) -> tuple[list, list[dict]]:
    """Each row that was read with the measure it names, if there is one the caller may
    enter values of; and every row's problems, in the order of the rows. Two queries
    whatever the number of rows."""
    ids = {row.measure for row in rows if row.measure}
    codes = {
        tuple(row.measure_code.strip().split("."))
        for row in rows
        if isinstance(row.measure_code, str) and row.measure_code.count(".") == 1
    }
    # Codes by two IN lists, matched in pairs here: an OR per pair grows past what SQLite
    # parses for a thousand measures.
    query = Q(pk__in=ids) | Q(unit__code__in={u for u, _ in codes}, code__in={c for _, c in codes})
    measures = list(Measure.objects.filter(query).select_related("unit"))
    by_id = {m.pk: m for m in measures if m.pk in ids}
    by_code = {(m.unit.code, m.code): m for m in measures if (m.unit.code, m.code) in codes}
    allowed = {m.pk: (may_enter(m) if may_enter else True) for m in measures}
    found, errors = [], []
    for row in rows:
        if not row.is_object:
            errors += row.errors
            continue
        problems = _measure_problems(row, by_id, by_code, allowed)
        if isinstance(problems, Measure) and not row.errors:
            found.append((row, problems))
        errors += ([] if isinstance(problems, Measure) else problems) + row.errors
    return found, errors


def _measure_problems(row: BulkRow, by_id, by_code, allowed):
    """The measure a row names, or the problems with it (as a list of errors)."""

    def error(field, message):
        return [{"row": row.number, "field": field, "message": message}]

    if row.measure is not None:
        measure = by_id.get(row.measure)
        if measure is None:
            return error("measure", "No such measure.")
    elif row.measure_code is not None:
        measure = by_code.get(tuple(str(row.measure_code).strip().split(".")))
        if measure is None:
            return error(
                "measure_code", f"No measure {row.measure_code}: use UNITCODE.MEASURECODE."
            )
    else:
        return error("measure", "Give measure or measure_code.")
    if not allowed[measure.pk]:
        return error("measure", f"You may not enter values of {measure.unit.code}.{measure.code}.")
    return measure


def _repeated(found: list) -> list[dict]:
    """A (measure, period) given twice is refused at its second row."""
    seen: dict[tuple[int, dt.date], int] = {}
    errors = []
    for row, measure in found:
        key = (measure.pk, row.period)
        if key in seen:
            message = f"Row {seen[key]} already gives {measure.code} for {row.period:%Y-%m-%d}."
            errors.append({"row": row.number, "field": "period", "message": message})
        seen[key] = row.number
    return errors


def _prepare(found: list, actor, require_note_if_red: bool):
    """The values to create and to update, each with the row's fields set and checked as
    a single value would be; and the errors of the rows that fail."""
    periods = [row.period for row, _ in found]
    existing = {
        (v.measure_id, v.period): v
        for v in MeasureValue.objects.filter(
            measure_id__in={m.pk for _, m in found},
            period__gte=min(periods),
            period__lte=max(periods),
        )
    }
    creates, updates, errors = [], [], []
    for row, measure in found:
        value = existing.get((measure.pk, row.period))
        is_new = value is None
        if is_new:
            value = MeasureValue(measure=measure, period=row.period)
        else:
            value.measure = measure
        for name, given in row.values.items():
            setattr(value, name, given)
        value.entered_by = actor
        try:
            value.clean_fields(exclude=["measure", "entered_by"])
            value.clean()
            if require_note_if_red:
                red_needs_note(value, measure)
        except ValidationError as exc:
            errors += [
                {"row": row.number, "field": None if name == "__all__" else name, "message": m}
                for name, messages in exc.message_dict.items()
                for m in messages
            ]
            continue
        (creates if is_new else updates).append(value)
    return creates, updates, errors


def _upsert(creates: list[MeasureValue], updates: list[MeasureValue], actor) -> None:
    """One INSERT ... ON CONFLICT (measure, period) DO UPDATE for new and known rows alike
    (bulk_update would send a CASE WHEN per field), then their history rows."""
    now = timezone.now()
    rows = creates + updates
    for value in rows:
        value.updated_at = now
        if value.created_at is None:
            value.created_at = now
    MeasureValue.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["measure", "period"],
        update_fields=[*sorted(VALUE_FIELDS), "entered_by", "updated_at"],
    )
    if any(v.pk is None for v in rows):  # a database that returns no ids
        ids = {
            (m, p): pk
            for pk, m, p in MeasureValue.objects.filter(
                measure_id__in={v.measure_id for v in rows}
            ).values_list("id", "measure_id", "period")
        }
        for value in rows:
            value.pk = ids[(value.measure_id, value.period)]
    history = MeasureValue.history.model
    created = {id(v) for v in creates}
    history.objects.bulk_create(
        [
            history(
                id=v.pk,
                measure_id=v.measure_id,
                period=v.period,
                actual=v.actual,
                target=v.target,
                red_flag=v.red_flag,
                note=v.note,
                entered_by=actor,
                created_at=v.created_at,
                updated_at=now,
                history_date=now,
                history_type="+" if id(v) in created else "~",
                history_user=actor,
            )
            for v in rows
        ],
        batch_size=1000,
    )
