"""Approval of updates (DESIGN.md "Reporting cycle"): a unit head above a measure, or the
OSM staff, approve a measure owner's submitted actual and note (they become the value's
approved ones, which every computed figure reads) or return them with a comment (the
owner corrects and submits again). Writing and submitting are in services/values.py."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import save_validated

from .. import scoring
from ..choices import ValueState
from ..display import month_text
from ..models import MeasureValue
from .alerts import notify_reviewed, watch_red
from .reporting import ensure_open
from .values import may_set_targets


def may_review(actor, measure) -> bool:
    """Whether `actor` approves and returns `measure`'s submitted values: who sets its
    targets (the heads of its unit and above, the OSM staff)."""
    return actor is not None and may_set_targets(actor, measure)


def _reviewable(actor, instance: MeasureValue) -> MeasureValue:
    """The value locked for the review, once `actor` may review it and it waits for one."""
    value = (
        # only the value's row: PostgreSQL locks no row of a nullable join (submitted_by)
        MeasureValue.objects.select_for_update(of=("self",))
        .select_related("measure__unit", "submitted_by")
        .get(pk=instance.pk)
    )
    if not may_review(actor, value.measure):
        raise PermissionDenied(
            _(
                "Values of %(measure)s are approved by the heads of %(unit)s and of the units "
                "above it, and by the OSM staff."
            )
            % {"measure": value.measure.code, "unit": value.measure.unit.code}
        )
    if value.state != ValueState.SUBMITTED:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _(
                    "The %(period)s value of %(measure)s is not waiting for approval."
                )
                % {"period": month_text(value.period), "measure": value.measure.code}
            }
        )
    ensure_open(value.measure, [value.period])
    return value


@transaction.atomic
def measure_value_approve(*, actor, instance: MeasureValue) -> MeasureValue:
    """Approve a submitted value: its submitted actual and note become the approved ones
    (scores, statuses and every report read them from now on). A value it would leave red
    without a note is refused: return it asking for one."""
    value = _reviewable(actor, instance)
    measure = value.measure
    actual, note = value.submitted_actual, value.submitted_note
    if actual is not None and value.target is not None and not note.strip():
        status = scoring.measure_status(
            actual, value.target, value.red_flag, measure.polarity, measure.tolerance
        )
        if status == scoring.RED:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _(
                        "This value is off target and its note is empty: return it, asking "
                        "the owner to say why and what is being done about it."
                    )
                }
            )
    value.actual, value.note = actual, note
    value.submitted_actual, value.submitted_note = None, ""
    value.state = ValueState.APPROVED
    value.reviewed_by, value.reviewed_at, value.review_comment = actor, timezone.now(), ""
    value.entered_by = value.submitted_by
    with watch_red([measure.objective_id], actor):
        save_validated(value, actor=actor)
    notify_reviewed(value, actor, approved=True)
    return value


@transaction.atomic
def measure_value_return(*, actor, instance: MeasureValue, comment: str) -> MeasureValue:
    """Return a submitted value to its owner with `comment` (required: what to correct).
    The approved value stays as it was; the owner's next write submits again."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what the owner should correct.")})
    value = _reviewable(actor, instance)
    value.state = ValueState.RETURNED
    value.reviewed_by, value.reviewed_at, value.review_comment = actor, timezone.now(), comment
    save_validated(value, actor=actor)
    notify_reviewed(value, actor, approved=False)
    return value
