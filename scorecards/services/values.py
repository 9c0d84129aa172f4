"""Writes of measure values: one row per measure and period with its actual, target, red
flag and note. The web's data entry records (inserts or corrects) a period's value; the API
creates, changes and deletes rows; many values at once are in services/bulk.py.

Every door (the web form, the CSV upload, the API, the bulk endpoint, the admin) goes
through the checks here (`value_problems`), so the same figure is refused, or asked to be
confirmed, wherever it comes from (`measure_value_enter`, `measure_value_create`,
`measure_value_update`, `measure_values_bulk_record`, the admin's `MeasureValueForm`):

- a figure outside the measure's valid range (`Measure.valid_range`) is refused;
- a figure with more decimal places than the measure declares is refused (not rounded: a
  person who typed 77.95 for a one-place measure meant something the stored 78.0 is not);
- a value that scores red needs a note saying why;
- a figure far outside the measure's own history (`scorecards.unusual`) is saved only when
  confirmed (`confirm=True`); otherwise refused with the code `unusual`;
- nothing is written into a value whose month is closed (`services/reporting.py`), not even
  by `measure_value_record`;
- in a unit that requires approval, a measure owner's actual and note are submitted, not
  written over the approved ones (`submits`, `settle_approval`; approving and returning
  are in services/approval.py).

Only the figures that change are checked against the range, the places and the history, so
a value stored before a range was declared can still have its note corrected.

`measure_value_record` is for programs recording figures they have checked themselves (the
demo, tests): it keeps the range, the places and the row's rules, and asks for a note on a
red value only when told to; no door calls it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.numbers import active_number_format, format_plain
from core.services import apply_changes, delete_or_explain, save_validated

from .. import scoring
from ..choices import ValueState
from ..display import month_text
from ..models import Measure, MeasureValue
from ..selectors.approval import approval_by_unit
from ..unusual import unusual_figure
from .alerts import notify_submitted, watch_red
from .reporting import ensure_open

VALUE_FIELDS = {"actual", "target", "red_flag", "note"}
FIGURES = ("actual", "target", "red_flag")
# Set by the heads of the measure's unit and of the units above it, and by the OSM staff; a
# measure's owner enters its actuals and notes only (else he could set his own target to 0
# and his red flag to -1, and turn a red value green).
TARGET_FIELDS = ("target", "red_flag")
VALUE_ORDER = (*FIGURES, "note")
# What an owner submits for approval, and the columns that hold a submission.
SUBMITTED_FIELDS = ("actual", "note")
APPROVAL_FIELDS = (
    "state",
    "submitted_actual",
    "submitted_note",
    "submitted_by",
    "submitted_at",
    "reviewed_by",
    "reviewed_at",
    "review_comment",
)
# A value's fields as a sentence names them ("actual 77.9 → 79.2").
FIELD_LABELS = {
    "actual": gettext_lazy("actual"),
    "target": gettext_lazy("target"),
    "red_flag": gettext_lazy("red flag"),
    "note": gettext_lazy("note"),
}
VALUE_FIXED = {
    "measure": gettext_lazy("A value stays with its measure; delete it and create another."),
    "period": gettext_lazy("A value stays in its period; delete it and create another."),
}
UNUSUAL = "unusual"  # the code of a refusal that a confirmation lifts
NOTHING_TO_SAVE = gettext_lazy(
    "Enter an actual, a target, a red flag or a note: there is nothing to save."
)


_UNSET = object()


def number_text(value) -> str:
    """A figure for a message, in the active language, without trailing zeros."""
    return format_plain(Decimal(value), active_number_format())


@dataclass
class ValueChange:
    """What a write did to a period's value: the value as saved, whether it was created,
    and each field that changed, as (before, after), in the order actual, target, red flag,
    note."""

    value: MeasureValue
    created: bool
    changes: dict[str, tuple] = field(default_factory=dict)

    @property
    def submitted(self) -> bool:
        """Whether the write was submitted for approval rather than approved."""
        return bool(self.changes) and self.value.state == ValueState.SUBMITTED


def may_set_targets(actor, measure: Measure) -> bool:
    """Whether `actor` sets `measure`'s targets and red flags: who may change the measure
    (the heads of its unit and above, the OSM staff); a program (no actor) does."""
    return actor is None or actor.has_perm("scorecards.change_measure", measure)


def submits(actor, measure: Measure, requires: bool | None = None) -> bool:
    """Whether `actor`'s actuals and notes of `measure` wait for approval: its unit requires
    approval (`requires`, when the caller knows) and `actor` is neither a unit head above
    it nor OSM staff (who may set its targets, and approve). A program (no actor) never
    submits."""
    if actor is None or may_set_targets(actor, measure):
        return False
    if requires is None:
        requires = approval_by_unit([measure.unit_id])[measure.unit_id]
    return requires


def starting_point(value: MeasureValue, submitting: bool) -> dict:
    """The value's fields as a write starts from them: for a submitter, his pending actual
    and note where he has submitted (or was returned) some."""
    before = _snapshot(value)
    if submitting and value.state != ValueState.APPROVED:
        before["actual"], before["note"] = value.submitted_actual, value.submitted_note
    return before


def settle_approval(value: MeasureValue, approved: dict, changed, *, submitting, actor, now):
    """After a write's fields are set and checked on `value`: a submitter's actual and note
    move to the submission and the approved ones (`approved`, as stored) are put back; a
    direct write of the actual or note ends a pending submission. Returns whether the
    approval columns changed."""
    if submitting:
        value.submitted_actual, value.submitted_note = value.actual, value.note
        value.actual, value.note = approved["actual"], approved["note"]
        value.state, value.submitted_by, value.submitted_at = ValueState.SUBMITTED, actor, now
        value.reviewed_by, value.reviewed_at, value.review_comment = None, None, ""
        return True
    if value.state != ValueState.APPROVED and set(SUBMITTED_FIELDS) & set(changed):
        # The reviewer's own figure replaces what was submitted.
        value.state, value.submitted_actual, value.submitted_note = ValueState.APPROVED, None, ""
        value.reviewed_by, value.reviewed_at, value.review_comment = actor, now, ""
        return True
    return False


def targets_refused(actor, measure: Measure, changed) -> dict[str, list[str]]:
    """The refusal of each target or red flag in `changed` that `actor` may not set."""
    fields = [name for name in TARGET_FIELDS if name in changed]
    if not fields or may_set_targets(actor, measure):
        return {}
    message = _(
        "Targets and red flags of %(measure)s are set by the heads of %(unit)s and of the "
        "units above it, and by the OSM staff; enter the actual and a note."
    ) % {"measure": measure.code, "unit": measure.unit.code}
    return {name: [message] for name in fields}


def figure_problems(measure: Measure, name: str, figure: Decimal) -> list[ValidationError]:
    """A new figure's problems against what the measure declares: its valid range and its
    decimal places."""
    problems = []
    low, high = measure.valid_range()
    shown = number_text(figure)
    if (low is not None and figure < low) or (high is not None and figure > high):
        where = {"measure": measure.code, "figure": shown}
        if low is not None and high is not None:
            message = _(
                "%(measure)s takes values from %(low)s to %(high)s: %(figure)s is outside "
                "that range."
            ) % {**where, "low": number_text(low), "high": number_text(high)}
        elif low is not None:
            message = _(
                "%(measure)s takes values of at least %(low)s: %(figure)s is outside that range."
            ) % {**where, "low": number_text(low)}
        else:
            message = _(
                "%(measure)s takes values of at most %(high)s: %(figure)s is outside that range."
            ) % {**where, "high": number_text(high)}
        problems.append(ValidationError(message, code="range"))
    places = measure.decimal_places
    if places is not None:
        exponent = figure.normalize().as_tuple().exponent
        given = max(-exponent, 0) if isinstance(exponent, int) else 0
        if given > places:
            where = {"measure": measure.code, "figure": shown, "places": places, "given": given}
            if places == 0:
                message = _("%(measure)s is written in whole numbers: %(figure)s has %(given)s.")
            else:
                message = ngettext(
                    "%(measure)s is written with %(places)s decimal place: %(figure)s has "
                    "%(given)s.",
                    "%(measure)s is written with %(places)s decimal places: %(figure)s has "
                    "%(given)s.",
                    places,
                )
            problems.append(ValidationError(message % where, code="decimal_places"))
    return problems


RED_NEEDS_NOTE = gettext_lazy(
    "This value is off target: say in the note why, and what is being done about it."
)


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


def unusual_message(measure: Measure, figure: Decimal, history) -> str | None:
    """Why `figure` asks for a confirmation, or None (the rule: `scorecards.unusual`;
    `history` is the measure's other figures, or their `unusual.History`)."""
    unusual = unusual_figure(figure, history)
    if unusual is None:
        return None
    figures = {
        "figure": number_text(figure),
        "measure": measure.code,
        "median": number_text(unusual.median),
    }
    if unusual.ratio is not None and unusual.ratio > 10:
        message = _(
            "%(figure)s is more than ten times the usual size of %(measure)s's figures (their "
            "median is %(median)s). Check it; if it is right, confirm it to save it."
        )
    else:
        message = _(
            "%(figure)s is far outside the usual range of %(measure)s's figures (their median "
            "is %(median)s). Check it; if it is right, confirm it to save it."
        )
    return message % figures


def value_problems(
    value: MeasureValue,
    measure: Measure,
    before: dict,
    *,
    history,
    confirm: bool,
    note_if_red: bool = True,
) -> dict[str, list[ValidationError]]:
    """Every problem of `value` (with the fields given set on it) by field, as one write
    would meet them: the row's own rules (`clean`), the range and places of each figure that
    changed from `before`, a note on a red value (unless not `note_if_red`), then (only when
    nothing else is wrong and not `confirm`ed) figures far from the history. `history()`
    gives the measure's figures of its other periods (or their `unusual.History`); it is
    asked only when needed."""
    errors: dict[str, list[ValidationError]] = defaultdict(list)
    changed = [name for name in FIGURES if getattr(value, name) != before.get(name)]
    for name in changed:
        figure = getattr(value, name)
        problems = [] if figure is None else figure_problems(measure, name, figure)
        if problems:
            errors[name] += problems
    try:
        value.clean_fields(exclude=["measure", "entered_by"])
        value.clean()
    except ValidationError as exc:
        for name, problems in exc.update_error_dict({}).items():
            errors[name] += problems
    if not errors and note_if_red:
        try:
            red_needs_note(value, measure)
        except ValidationError as exc:
            errors["note"] += exc.error_dict["note"]
    if not errors and not confirm:
        figures = [(name, getattr(value, name)) for name in changed]
        figures = [(name, figure) for name, figure in figures if figure is not None]
        past = history() if figures else None
        for name, figure in figures:
            message = unusual_message(measure, figure, past)
            if message:
                errors[name].append(ValidationError(message, code=UNUSUAL))
    return dict(errors)


def figures_of_other_periods(measure: Measure, period: dt.date) -> list[Decimal]:
    """The measure's actuals and targets stored for its other periods."""
    rows = MeasureValue.objects.filter(measure=measure).exclude(period=period)
    return [
        figure
        for pair in rows.values_list("actual", "target")
        for figure in pair
        if figure is not None
    ]


def _snapshot(value: MeasureValue) -> dict:
    return {name: getattr(value, name) for name in VALUE_ORDER}


def _changes(before: dict, value: MeasureValue) -> dict[str, tuple]:
    return {
        name: (before[name], getattr(value, name))
        for name in VALUE_ORDER
        if before[name] != getattr(value, name)
    }


def measure_value_enter(
    *, actor, measure: Measure, period: dt.date, data: dict, confirm: bool = False
) -> ValueChange:
    """Record a period's value from the fields in `data` (any of actual, target, red_flag,
    note; a field left out keeps its stored value, so an empty form field never clears
    one; a new period needs at least one of them), checked as every door checks it
    (`value_problems`); `confirm` saves figures far from the measure's history. Returns what
    changed."""
    unknown = set(data) - VALUE_FIELDS
    if unknown:
        apply_changes(MeasureValue(), data, allowed=VALUE_FIELDS)  # refuses by field
    empty = all(data.get(name) is None for name in FIGURES) and not data.get("note")
    if empty and not MeasureValue.objects.filter(measure=measure, period=period).exists():
        raise ValidationError({NON_FIELD_ERRORS: NOTHING_TO_SAVE})
    return _record(measure=measure, period=period, given=data, actor=actor, confirm=confirm)


@transaction.atomic
def _record(
    *,
    measure,
    period,
    given: dict,
    actor,
    confirm: bool,
    note_if_red: bool = True,
    door: bool = True,
) -> ValueChange:
    """Write `given` on the period's value (locked while it is read and written), checked by
    `value_problems`; nothing is written when nothing changes. Through a `door` (not a
    program's `measure_value_record`), only who may set targets sets targets."""
    value = MeasureValue.objects.select_for_update().filter(measure=measure, period=period).first()
    created = value is None
    if created:
        value = MeasureValue(measure=measure, period=period)
    value.measure = measure  # the caller's copy: no query to check it
    submitting = door and bool(set(SUBMITTED_FIELDS) & set(given)) and submits(actor, measure)
    approved = _snapshot(value)  # a new value: no figures and an empty note
    before = starting_point(value, submitting)
    for name in SUBMITTED_FIELDS:  # a submitter edits his submission
        setattr(value, name, before[name])
    for name, figure in given.items():
        setattr(value, name, (figure or "") if name == "note" else figure)
    changes = _changes(before, value)
    resubmit = submitting and value.state == ValueState.RETURNED  # even unchanged
    if not created and not changes and not resubmit:
        for name in SUBMITTED_FIELDS:
            setattr(value, name, approved[name])
        return ValueChange(value, False, {})  # as stored: nothing to write or check
    ensure_open(measure, [period])
    refused = targets_refused(actor, measure, changes) if door else {}
    if refused:
        raise ValidationError(refused)
    errors = value_problems(
        value,
        measure,
        before,
        history=lambda: figures_of_other_periods(measure, period),
        confirm=confirm,
        note_if_red=note_if_red,
    )
    if errors:
        raise ValidationError(errors)
    newly_submitted = submitting and value.state != ValueState.SUBMITTED
    settle_approval(
        value, approved, changes, submitting=submitting, actor=actor, now=timezone.now()
    )
    if actor is not None and not submitting:
        value.entered_by = actor
    # approved figures that change may turn the measure or its objective red
    watched = [] if submitting or not set(FIGURES) & set(changes) else [measure.objective_id]
    try:
        with transaction.atomic(), watch_red(watched, actor):
            save_validated(value, actor=actor)
    except IntegrityError:
        # Another request inserted the same (measure, period) first.
        raise ValidationError(
            {
                "period": _("%(measure)s already has a value for %(period)s.")
                % {"measure": measure.code, "period": period.isoformat()}
            }
        ) from None
    if newly_submitted:
        notify_submitted([value], actor)
    return ValueChange(value, created, changes)


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
    """Record (insert or update) a measure's value for a period, for programs that checked
    the figures themselves (the demo, tests; no door calls it): fields not given keep their
    stored value, None clears a figure. The row's rules, the range and the decimal places
    are checked, and the month must be open; a note on a red value only with
    `require_note_if_red`; neither the history nor who may set targets is asked about
    (`actor` is the history's author). Returns (value, created)."""
    given = {
        name: figure
        for name, figure in (
            ("actual", actual),
            ("target", target),
            ("red_flag", red_flag),
            ("note", note),
        )
        if figure is not _UNSET
    }
    change = _record(
        measure=measure,
        period=period,
        given=given,
        actor=actor,
        confirm=True,
        note_if_red=require_note_if_red,
        door=False,
    )
    return change.value, change.created


@transaction.atomic
def measure_value_clear(*, actor, instance: MeasureValue, fields) -> ValueChange:
    """Clear figures of a stored value (the web's "Clear" action: emptying a field of the
    form never does): `fields` names which of actual, target and red_flag. The change is in
    the value's history like any other; a value left red by it still needs its note."""
    wanted = set(fields)
    unknown = sorted(wanted - set(FIGURES))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, _("Only figures can be cleared.")))
    value = MeasureValue.objects.select_for_update().select_related("measure").get(pk=instance.pk)
    if submits(actor, value.measure):
        # An owner clears his actual as he enters it: by a submission (he sets no targets).
        refused = targets_refused(actor, value.measure, wanted - {"actual"})
        if refused:
            raise ValidationError(refused)
        if "actual" in wanted:
            change = _record(
                measure=value.measure,
                period=value.period,
                given={"actual": None},
                actor=actor,
                confirm=True,
            )
            if change.changes:
                return change
        wanted = set()  # nothing of his to clear: said below
    to_clear = [name for name in FIGURES if name in wanted and getattr(value, name) is not None]
    if not to_clear:
        message = _("%(measure)s has nothing to clear for %(period)s.") % {
            "measure": value.measure.code,
            "period": month_text(value.period),
        }
        raise ValidationError({NON_FIELD_ERRORS: message})
    ensure_open(value.measure, [value.period])
    refused = targets_refused(actor, value.measure, to_clear)
    if refused:
        raise ValidationError(refused)
    before = _snapshot(value)
    for name in to_clear:
        setattr(value, name, None)
    if actor is not None:
        value.entered_by = actor
    red_needs_note(value, value.measure)
    with watch_red([value.measure.objective_id], actor):
        save_validated(value, actor=actor)
    return ValueChange(value, False, _changes(before, value))


@transaction.atomic
def measure_value_create(*, actor, data: dict) -> MeasureValue:
    """A new value of a measure for a period (the API's create): refused when the period
    already has one, which is then to be changed instead. `confirm` (true) saves figures
    far from the measure's history."""
    data = dict(data)
    measure, period = data.pop("measure"), data.pop("period")
    confirm = bool(data.pop("confirm", False))
    existing = MeasureValue.objects.filter(measure=measure, period=period).first()
    if existing is not None:
        raise ValidationError(
            {
                "period": _(
                    "%(measure)s already has a value for %(period)s (id %(id)s); change that "
                    "one instead."
                )
                % {"measure": measure.code, "period": period.isoformat(), "id": existing.pk}
            }
        )
    apply_changes(MeasureValue(), data, allowed=VALUE_FIELDS)  # refuse other fields
    change = _record(measure=measure, period=period, given=data, actor=actor, confirm=confirm)
    return change.value


@transaction.atomic
def measure_value_update(*, actor, instance: MeasureValue, data: dict) -> MeasureValue:
    """Change a value's figures or note; it stays with its measure and in its period.
    `confirm` (true) saves figures far from the measure's history."""
    data = dict(data)
    confirm = bool(data.pop("confirm", False))
    apply_changes(instance, data, allowed=VALUE_FIELDS, fixed=VALUE_FIXED)
    given = {name: data[name] for name in VALUE_FIELDS if name in data}
    change = _record(
        measure=instance.measure, period=instance.period, given=given, actor=actor, confirm=confirm
    )
    return change.value


@transaction.atomic
def measure_value_delete(*, actor, instance: MeasureValue) -> None:
    """Remove a value (its history stays); not one of a closed month."""
    ensure_open(instance.measure, [instance.period])
    delete_or_explain(instance, actor=actor)
