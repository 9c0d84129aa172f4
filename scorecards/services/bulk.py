"""Many measure values at once (the API's bulk endpoint and the web's CSV upload), all or
nothing: the rows are read into typed rows first (value_inputs.py); here each row's measure
is found and the caller's right to enter it checked, every row is checked as one value is
(`values.value_problems`: the row's rules, range, decimal places, a note on a red value,
figures far from the history unless confirmed; and a row that would change a value of a
closed month is refused, `reporting.locked_periods`), and the batch is written with its
change history. A measure owner's actuals and notes in a unit that requires approval are
submitted, as from the form (`values.settle_approval`).

Writes are safe against a concurrent edit: the stored rows the batch may change are locked
(`select_for_update`) before they are read, and each row writes only the fields it gives,
so a note-only row never puts back a target someone else has just changed.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.versioning import data_changed

from ..choices import ValueState
from ..models import Measure, MeasureValue
from ..periods import kind_problem
from ..selectors.approval import approval_by_unit
from ..unusual import History, history_of
from ..value_inputs import BulkError, BulkRow
from .alerts import notify_submitted, watch_red
from .reporting import locked_periods
from .values import (
    APPROVAL_FIELDS,
    FIGURES,
    SUBMITTED_FIELDS,
    TARGET_FIELDS,
    UNUSUAL,
    VALUE_ORDER,
    settle_approval,
    starting_point,
    submits,
    targets_refused,
    value_problems,
)


class BulkCounts(NamedTuple):
    """What a batch did: values created, values changed, and rows that matched what was
    stored already (nothing written for them)."""

    created: int
    updated: int
    unchanged: int = 0


@transaction.atomic
def measure_values_bulk_record(
    *,
    actor,
    rows: list[BulkRow],
    may_enter: Callable[[Measure], bool] | None = None,
    confirm_all: bool = False,
) -> BulkCounts:
    """Insert or update the values of `rows` (as `value_inputs.read_rows` read them), all or
    nothing; returns the counts.

    `may_enter(measure)` says whether the caller may enter values of that measure. Every
    row is checked as a single value is (`values.value_problems`), its period against the
    measure's frequency, and no (measure, period) may appear twice. A figure far from its
    measure's history is refused (the error's `code` is "unusual") unless the row says
    `confirm`, or `confirm_all` (the web's preview, whose reader has seen them). Any bad row
    raises BulkError naming every row's problems (each row's measure first, then what could
    not be read; then repeats; then the values' checks), and nothing is written."""
    found, errors = _find_measures(rows, may_enter)
    if not found:
        raise BulkError(errors)
    # The rows that were read are checked on, so one answer lists every row's problems.
    errors += _repeated(found)
    writes, value_errors = _prepare(found, actor, confirm_all)
    errors += value_errors
    if errors:
        raise BulkError(errors)
    created = sum(1 for w in writes if w.created)
    changed = [w for w in writes if w.created or w.fields]
    # approved figures that change may turn measures or objectives red
    watched = {w.value.measure.objective_id for w in changed if w.fields & set(FIGURES)}
    with watch_red(watched, actor):
        _upsert(changed, actor)
    submitted = [w.value for w in changed if w.submitted]
    if submitted:
        notify_submitted(submitted, actor)
    if changed:
        data_changed()  # bulk writes send no signal
    return BulkCounts(created, len(changed) - created, len(writes) - len(changed))


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
            return error("measure", _("No such measure."))
    elif row.measure_code is not None:
        measure = by_code.get(tuple(str(row.measure_code).strip().split(".")))
        if measure is None:
            return error(
                "measure_code",
                _("No measure %(code)s: use UNITCODE.MEASURECODE.") % {"code": row.measure_code},
            )
    else:
        return error("measure", _("Give measure or measure_code."))
    if not allowed[measure.pk]:
        return error(
            "measure",
            _("You may not enter values of %(measure)s.")
            % {"measure": f"{measure.unit.code}.{measure.code}"},
        )
    return measure


def _repeated(found: list) -> list[dict]:
    """A (measure, period) given twice is refused at its second row."""
    seen: dict[tuple[int, dt.date], int] = {}
    errors = []
    for row, measure in found:
        key = (measure.pk, row.period)
        if key in seen:
            message = _("Row %(row)s already gives %(measure)s for %(period)s.") % {
                "row": seen[key],
                "measure": measure.code,
                "period": row.period.isoformat(),
            }
            errors.append({"row": row.number, "field": "period", "message": message})
        seen[key] = row.number
    return errors


class _Write(NamedTuple):
    """A row's value with its fields set, whether it is new, the fields it changes, and
    whether it newly submits the value for approval."""

    value: MeasureValue
    created: bool
    fields: frozenset
    submitted: bool = False


def _stored(found: list) -> dict:
    """The stored values the batch may change, locked until the batch is written (one
    query: the rows of its measures between its first and last period)."""
    periods = [row.period for row, _ in found]
    rows = MeasureValue.objects.select_for_update().filter(
        measure_id__in={m.pk for _, m in found}, period__gte=min(periods), period__lte=max(periods)
    )
    return {(v.measure_id, v.period): v for v in rows}


def _histories(found: list) -> Callable[[int], History | None]:
    """Each measure's history for the batch's figures: the actuals and targets stored for
    its periods the batch does not give (a batch that corrects a run of periods is not
    judged by the figures it replaces). One query, when first asked; computed once per
    measure."""
    given = defaultdict(set)
    for row, measure in found:
        given[measure.pk].add(row.period)
    computed: dict[int, History | None] = {}
    figures: dict[int, list] = {}

    def history(measure_id: int) -> History | None:
        if not figures:
            figures.update({pk: [] for pk in given})
            rows = MeasureValue.objects.filter(measure_id__in=given.keys())
            for pk, day, actual, target in rows.values_list(
                "measure_id", "period", "actual", "target"
            ):
                if day not in given[pk]:
                    figures[pk] += [f for f in (actual, target) if f is not None]
        if measure_id not in computed:
            computed[measure_id] = history_of(figures[measure_id])
        return computed[measure_id]

    return history


def _prepare(found: list, actor, confirm_all: bool):
    """The writes of the rows, each with the row's fields set on the stored value (or a new
    one) and checked as a single value would be; and the errors of the rows that fail."""
    existing = _stored(found)
    history = _histories(found)
    locked = locked_periods((measure, row.period) for row, measure in found)
    requires = approval_by_unit({measure.unit_id for _, measure in found})
    now = timezone.now()
    writes, errors = [], []
    sets_targets = {}  # by measure: whether the actor may set its targets (asked once)
    submitting_of = {}  # by measure: whether the actor's actuals and notes are submitted
    for row, measure in found:

        def error(field, message, code=None, row=row):
            entry = {"row": row.number, "field": field, "message": message}
            return {**entry, "code": code} if code else entry

        problem = kind_problem(row.period_kind, measure.frequency)
        if problem:
            errors.append(
                error(
                    "period",
                    _("%(measure)s: %(problem)s") % {"measure": measure.code, "problem": problem},
                )
            )
            continue
        if measure.pk not in submitting_of:
            submitting_of[measure.pk] = submits(actor, measure, requires[measure.unit_id])
        submitting = submitting_of[measure.pk] and bool(set(SUBMITTED_FIELDS) & set(row.values))
        value = existing.get((measure.pk, row.period))
        created = value is None
        value, approved, before, fields = _given(row, measure, value, submitting)
        if not created and not fields:
            for name in SUBMITTED_FIELDS:
                setattr(value, name, approved[name])
            writes.append(_Write(value, created, fields))  # as stored: nothing to write
            continue
        if (measure.pk, row.period) in locked:
            errors.append(error("period", locked[measure.pk, row.period]))
            continue
        if fields & set(TARGET_FIELDS):
            if measure.pk not in sets_targets:
                sets_targets[measure.pk] = targets_refused(actor, measure, TARGET_FIELDS)
            refused = sets_targets[measure.pk]
            if refused:
                errors += [
                    error(name, refused[name][0]) for name in TARGET_FIELDS if name in fields
                ]
                continue
        problems = value_problems(
            value,
            measure,
            before,
            history=lambda m=measure: history(m.pk),
            confirm=confirm_all or row.confirm,
        )
        if problems:
            errors += _row_errors(problems, error)
            continue
        newly_submitted = submitting and value.state != ValueState.SUBMITTED
        if settle_approval(value, approved, fields, submitting=submitting, actor=actor, now=now):
            if submitting:
                fields -= set(SUBMITTED_FIELDS)
            fields |= set(APPROVAL_FIELDS)
        if not submitting:
            value.entered_by = actor
        writes.append(_Write(value, created, fields, newly_submitted))
    return writes, errors


def _given(row: BulkRow, measure: Measure, stored: MeasureValue | None, submitting: bool):
    """The row's fields set on its stored value (or a new one): (value, the approved fields
    as stored, the fields as the write starts from them, the fields it changes). A
    submitter starts from his pending actual and note (`values.starting_point`)."""
    value = stored or MeasureValue(measure=measure, period=row.period)
    value.measure = measure
    approved = {name: getattr(value, name) for name in VALUE_ORDER}
    before = starting_point(value, submitting)
    for name in SUBMITTED_FIELDS:  # a submitter edits his submission
        setattr(value, name, before[name])
    for name, given in row.values.items():
        setattr(value, name, given)
    fields = frozenset(name for name in row.values if before[name] != getattr(value, name))
    return value, approved, before, fields


def _row_errors(problems: dict, error) -> list[dict]:
    """A row's problems (`values.value_problems`) as the batch's errors, by field."""
    errors = []
    for name, messages in problems.items():
        for problem in messages:
            code = UNUSUAL if problem.code == UNUSUAL else None
            field = None if name == "__all__" else name
            errors += [error(field, message, code) for message in problem.messages]
    return errors


def _upsert(writes: list[_Write], actor) -> None:
    """INSERT ... ON CONFLICT (measure, period) DO UPDATE, one statement per set of fields
    the rows give (a row updates only the fields it gives; bulk_update would send a CASE
    WHEN per field), then their history rows."""
    now = timezone.now()
    by_fields = defaultdict(list)
    for write in writes:
        value = write.value
        value.updated_at = now
        if value.created_at is None:
            value.created_at = now
        by_fields[write.fields].append(value)
    for fields, values in by_fields.items():
        MeasureValue.objects.bulk_create(
            values,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["measure", "period"],
            update_fields=[*sorted(fields), "entered_by", "updated_at"],
        )
    rows = [w.value for w in writes]
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
    created = {id(w.value) for w in writes if w.created}
    columns = [f.attname for f in MeasureValue._meta.concrete_fields]
    history.objects.bulk_create(
        [
            history(
                **{name: getattr(v, name) for name in columns},
                history_date=now,
                history_type="+" if id(v) in created else "~",
                history_user=actor,
            )
            for v in rows
        ],
        batch_size=1000,
    )
