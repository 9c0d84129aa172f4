"""Importing a scorecard definition workbook (scorecard_workbook.py) into a unit: read
it, plan it (scorecard_plan*.py: what each row would create or change, and every refused
row), and, unless it is a dry run, apply the plan through the scorecards services in one
transaction: all of it, or nothing.

The services check every write once more (a rule the plan would miss still refuses the
row, named by its sheet, row and column, and rolls the whole import back). Writes go in
dependency order: new themes, objectives (with what they support), arrows, measures (a
formula after the measures it reads), then targets in one batch through the bulk values
service (its month locks, approvals and alerts). Reading and planning take a fixed number
of queries; each written row costs its service's few queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scorecards.models import OrgUnit
from scorecards.periods import MONTH
from scorecards.services import (
    BulkError,
    cause_effect_create,
    cause_effect_update,
    measure_create,
    measure_update,
    measure_values_bulk_record,
    objective_create,
    objective_update,
    theme_create,
)
from scorecards.value_inputs import BulkRow

from .scorecard_plan import (
    CREATE,
    KINDS,
    UNCHANGED,
    NewTheme,
    Plan,
    State,
    Step,
    plan_arrows,
    plan_objectives,
)
from .scorecard_plan_measures import MeasureState, plan_measures
from .scorecard_plan_targets import plan_targets
from .scorecard_workbook import (
    ARROWS,
    MEASURES,
    OBJECTIVES,
    TARGETS,
    Definition,
    WorkbookError,
    problem,
    read_definition,
)


@dataclass
class ImportResult:
    """What an import did or would do: counts by kind (themes, objectives, links,
    measures, targets) of rows to create, update and leave unchanged; every refusal
    ({"sheet", "row", "field", "message"}); whether the workbook could be read at all
    (`readable`: else its shape is wrong, and nothing was planned); whether it was applied;
    and the steps that write, for a preview."""

    create: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    update: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    errors: list[dict] = field(default_factory=list)
    readable: bool = True
    applied: bool = False
    changes: list[Step] = field(default_factory=list)

    @classmethod
    def of(cls, plan: Plan, **kwargs) -> ImportResult:
        return cls(
            create=plan.counts(CREATE),
            update=plan.counts("update"),
            unchanged=plan.counts(UNCHANGED),
            changes=plan.changed(),
            **{"errors": list(plan.errors), **kwargs},
        )

    def answer(self) -> dict:
        """The API's answer: counts and errors."""
        return {
            "create": self.create,
            "update": self.update,
            "unchanged": self.unchanged,
            "errors": self.errors,
        }


SHEET_ORDER = {OBJECTIVES: 0, ARROWS: 1, MEASURES: 2, TARGETS: 3}


def plan_import(unit: OrgUnit, definition: Definition) -> Plan:
    """The plan of importing `definition` into `unit` (reads only, a fixed number of
    queries)."""
    plan = Plan(unit)
    state = State(unit, definition)
    plan_objectives(plan, state, definition.objectives)
    # The codes the file defines, its refused rows' too: a row naming one is not refused
    # for it (its own row says what is wrong).
    file_codes = {row.text("code") for row in definition.objectives}
    plan_arrows(plan, state, definition.arrows, file_codes)
    measures_state = MeasureState(state, definition)
    measures = plan_measures(plan, state, measures_state, definition.measures, file_codes)
    plan_targets(plan, state, measures_state, definition.targets, measures)
    plan.errors.sort(key=lambda e: (SHEET_ORDER.get(e["sheet"], -1), e["row"] or 0))
    return plan


def import_scorecard(unit: OrgUnit, body: bytes, user, *, dry_run: bool) -> ImportResult:
    """Import the workbook `body` into `unit` as `user`: the plan only with `dry_run`, else
    the plan applied all or nothing (any refusal: nothing written). Who may import is the
    caller's check (`scorecards.add_objective` on the unit)."""
    try:
        definition = read_definition(body)
    except WorkbookError as exc:
        return ImportResult(errors=exc.errors, readable=False)
    plan = plan_import(unit, definition)
    if plan.errors or dry_run:
        return ImportResult.of(plan)
    try:
        with transaction.atomic():
            _apply(plan, user)
    except _Refused as exc:
        return ImportResult.of(plan, errors=exc.errors)
    return ImportResult.of(plan, applied=True)


# Applying -------------------------------------------------------------------------------------


class _Refused(Exception):
    """A service refused a write: the transaction is rolled back."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def _run(step: Step, service, **kwargs):
    """Call `service` (its own transaction, a savepoint here); its refusal, at the step's
    row and columns, ends the import."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        errors = []
        for name, messages in error.update_error_dict({}).items():
            column = None if name in ("__all__", "unit") else name
            for message in ValidationError(messages).messages:
                errors.append(problem(step.sheet, step.row, column, message))
        raise _Refused(errors) from None
    except IntegrityError:
        message = _("Another change to this scorecard was saved meanwhile: import the file again.")
        raise _Refused([problem(step.sheet, step.row, None, message)]) from None


def _writes(plan: Plan, kind: str) -> list[Step]:
    """The steps of `kind` that write something."""
    return [s for s in plan.steps[kind] if s.action != UNCHANGED]


def _apply(plan: Plan, actor) -> None:
    """Write the plan's steps through the services, each after what it names: new themes,
    objectives, arrows, measures, then the targets. A refusal raises `_Refused`."""
    unit = plan.unit
    themes = {}
    for step in _writes(plan, "themes"):
        theme = _run(step, theme_create, actor=actor, data={"unit": unit, **step.data})
        themes[theme.name.lower()] = theme
    objectives = {s.label: s.instance for s in plan.steps["objectives"] if s.instance}
    for step in _writes(plan, "objectives"):
        data = dict(step.data)
        if isinstance(data.get("theme"), NewTheme):
            data["theme"] = themes[data["theme"].name.lower()]
        if step.action == CREATE:
            data["unit"] = unit
            objectives[step.label] = _run(step, objective_create, actor=actor, data=data)
        else:
            _run(step, objective_update, actor=actor, instance=step.instance, data=data)
    objectives.update(_stored_objectives(plan, objectives))
    for step in _writes(plan, "links"):
        data = {
            **step.data,
            "cause": objectives[step.data["cause"]],
            "effect": objectives[step.data["effect"]],
        }
        if step.action == CREATE:
            _run(step, cause_effect_create, actor=actor, data=data)
        else:
            _run(step, cause_effect_update, actor=actor, instance=step.instance, data=data)
    measures = _apply_measures(plan, actor, objectives)
    _apply_targets(plan, actor, measures)


def _stored_objectives(plan: Plan, known: dict) -> dict:
    """The unit's objectives the arrows name that no row of the Objectives sheet names."""
    wanted = {s.data[end] for s in plan.steps["links"] for end in ("cause", "effect")}
    missing = wanted - set(known)
    if not missing:
        return {}
    return {o.code: o for o in plan.unit.objectives.filter(code__in=missing)}


def _measure_order(unit: OrgUnit, steps: list[Step]) -> list[Step]:
    """The measures to write, each after the measures of the file its formula reads (the
    plan refused cycles)."""
    keys = {f"{unit.code}.{s.label}": s for s in steps}
    done: list[Step] = []
    placed: set[str] = set()
    while len(done) < len(steps):
        ready = [
            key
            for key, step in keys.items()
            if key not in placed and not ((step.reads & set(keys)) - placed)
        ]
        for key in ready or [k for k in keys if k not in placed]:
            done.append(keys[key])
            placed.add(key)
    return done


def _apply_measures(plan: Plan, actor, objectives: dict) -> dict:
    """Create and update the measures; every measure of the unit the targets name, by code."""
    measures = {s.label: s.instance for s in plan.steps["measures"] if s.instance}
    for step in _measure_order(plan.unit, _writes(plan, "measures")):
        data = dict(step.data)
        if step.action == CREATE:
            objective = data["objective"]
            data["objective"] = objectives[objective] if isinstance(objective, str) else objective
            measures[step.label] = _run(step, measure_create, actor=actor, data=data)
        else:
            measures[step.label] = _run(
                step, measure_update, actor=actor, instance=step.instance, data=data
            )
    missing = {s.data["measure"] for s in _writes(plan, "targets")} - set(measures)
    if missing:
        measures.update({m.code: m for m in plan.unit.measures.filter(code__in=missing)})
    return measures


def _apply_targets(plan: Plan, actor, measures: dict) -> None:
    """The targets in one batch, numbered by their rows of the Targets sheet."""
    steps = _writes(plan, "targets")
    if not steps:
        return
    rows = [
        BulkRow(
            s.row,
            measure=measures[s.data["measure"]].pk,
            period=s.data["period"],
            values=dict(s.data["values"]),
            period_kind=MONTH,
        )
        for s in steps
    ]
    try:
        measure_values_bulk_record(
            actor=actor,
            rows=rows,
            may_enter=lambda m: actor.has_perm("scorecards.add_measurevalue", m),
            confirm_all=True,  # the preview listed every target; a plan is no actual
        )
    except BulkError as exc:
        raise _Refused(
            [problem(TARGETS, e["row"], e.get("field"), e["message"]) for e in exc.errors]
        ) from None


def result_message(result: ImportResult, unit: OrgUnit) -> str:
    """ "Imported into Industrial Equipment: 6 objectives, 5 arrows, 7 measures and 40
    targets created; 1 objective changed." for the page after an import."""
    created = _counted(result.create)
    updated = _counted(result.update)
    where = {"unit": unit.name}
    if created and updated:
        return _("Imported into %(unit)s: %(created)s created; %(updated)s changed.") % {
            **where,
            "created": created,
            "updated": updated,
        }
    if created:
        return _("Imported into %(unit)s: %(created)s created.") % {**where, "created": created}
    if updated:
        return _("Imported into %(unit)s: %(updated)s changed.") % {**where, "updated": updated}
    return _("Imported into %(unit)s: everything was already as the file says.") % where


def _counted(counts: dict[str, int]) -> str:
    words = {
        "themes": lambda n: ngettext("%(number)s theme", "%(number)s themes", n),
        "objectives": lambda n: ngettext("%(number)s objective", "%(number)s objectives", n),
        "links": lambda n: ngettext("%(number)s arrow", "%(number)s arrows", n),
        "measures": lambda n: ngettext("%(number)s measure", "%(number)s measures", n),
        "targets": lambda n: ngettext("%(number)s target", "%(number)s targets", n),
    }
    return ", ".join(
        words[kind](counts[kind]) % {"number": counts[kind]} for kind in KINDS if counts[kind]
    )
