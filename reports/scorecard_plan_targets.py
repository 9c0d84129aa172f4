"""The plan of a scorecard import, third part: the Targets sheet. A row sets the target
and red flag of one period of a measure of the unit (in the Measures sheet or stored); an
empty figure keeps the stored one. Each row that changes something is checked by the
values' own rules (`scorecards.services.values.value_problems`: the period starts one of
the measure's periods, the red flag is on the right side of the target, the measure's valid
range and decimal places, a note on a value turned red) against the measure as the file
leaves it, and refused in a closed month (`services.reporting.locked_message`), as the
bulk upload of values refuses it. Two queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from scorecards.models import MeasureValue
from scorecards.periods import closing_month, parse_period
from scorecards.selectors.reporting import closed_months
from scorecards.services.reporting import locked_message
from scorecards.services.values import value_problems

from .scorecard_plan import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Plan,
    RowErrors,
    State,
    Step,
    read_number,
    text_of,
)
from .scorecard_plan_measures import MeasureState
from .scorecard_workbook import TARGETS, Row

FIGURES = ("target", "red_flag")
KEPT = ("actual", "note")  # of a stored value: never changed by the import


def _period(row: Row, errors: RowErrors) -> dt.date | None:
    text = row.text("period")
    if not text:
        errors("period", _("Give the period's first month: YYYY-MM."))
        return None
    try:
        day = parse_period(text)
    except ValueError as exc:
        errors("period", exc)
        return None
    if day.day != 1:
        errors(
            "period",
            _("A period is named by its first month: write %(month)s.") % {"month": f"{day:%Y-%m}"},
        )
        return None
    return day


def _read_rows(plan: Plan, state: State, ms: MeasureState, rows, measure_steps) -> list:
    """Each readable row with its measure (as the file leaves it), period and figures."""
    read, seen = [], {}
    for row in rows:
        errors = RowErrors(plan, row)
        code = row.text("measure")
        step = measure_steps.get(code)
        if step is not None and not step.errors.ok:
            continue  # its measure's row is refused: fix that first
        measure = step.candidate if step is not None else ms.measures.get(code)
        if measure is None:
            message = _(
                "%(code)s is not a measure of %(unit)s (in the Measures sheet or already there)."
            )
            errors("measure", message % {"code": code, "unit": state.unit.code})
            continue
        period = _period(row, errors)
        figures = {}
        for name in FIGURES:
            try:
                figure = read_number(row.text(name))
            except ValueError as exc:
                errors(name, exc)
                continue
            if figure is not None:
                figures[name] = figure
        if not errors.ok:
            continue
        if not figures:
            errors("target", _("Give the period's target, its red flag or both."))
            continue
        if (code, period) in seen:
            message = _("Row %(row)s already gives %(measure)s for %(period)s.")
            where = {"row": seen[code, period], "measure": code, "period": period.isoformat()}
            errors("period", message % where)
            continue
        seen[code, period] = row.number
        read.append((row, errors, measure, period, figures))
    return read


def _stored_values(state: State, read: list) -> dict:
    periods = {period for _r, _e, _m, period, _f in read}
    if not periods:
        return {}
    rows = MeasureValue.objects.filter(measure__unit=state.unit, period__in=periods)
    return {(v.measure_id, v.period): v for v in rows}


def plan_targets(plan: Plan, state: State, ms: MeasureState, rows, measure_steps) -> None:
    """The Targets sheet: a step per row, the refused rows named."""
    read = _read_rows(plan, state, ms, rows, measure_steps)
    stored = _stored_values(state, read)
    ends = {(m.frequency, p): closing_month(p, m.frequency) for _r, _e, m, p, _f in read}
    closed = closed_months(ends.values())
    for row, errors, measure, period, figures in read:
        value_before = stored.get((measure.pk, period))
        # A fresh row with the stored figures: the checks need no reviewer or author.
        before = {name: getattr(value_before, name, None) for name in (*FIGURES, *KEPT)}
        before["note"] = before["note"] or ""
        value = MeasureValue(measure=measure, period=period, **{**before, **figures})
        changes = [
            (name, text_of(before[name]), text_of(new))
            for name, new in figures.items()
            if before[name] != new
        ]
        label = f"{measure.code} {period:%Y-%m}"
        data = {"measure": measure.code, "period": period, "values": figures}
        if not changes:
            plan.add(Step("targets", UNCHANGED, TARGETS, row.number, label, data))
            continue
        if ends[measure.frequency, period] in closed:
            errors("period", locked_message(measure, period, ends[measure.frequency, period]))
            continue
        problems = value_problems(value, measure, before, history=list, confirm=True)
        for name, messages in problems.items():
            column = name if name in (*FIGURES, "period") else "target"
            for message in messages:
                errors(column, " ".join(message.messages))
        if errors.ok:
            action = UPDATE if value_before is not None else CREATE
            plan.add(Step("targets", action, TARGETS, row.number, label, data, None, changes))
