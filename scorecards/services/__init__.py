"""Writes with rules of the scorecards app, one module per part of the model (as in
models/): the organisation, objectives and arrows, measures, values, and many values at
once. Keyword-only, one transaction each; the admin, views, API, tasks and commands all
call these. Creates take `(*, actor, data)`, changes `(*, actor, instance, data)`, deletes
`(*, actor, instance)`. Bad input raises ValidationError (with field messages) and leaves
the database as it was."""

from ..value_inputs import BulkError
from .bulk import BulkCounts, measure_values_bulk_record
from .measures import (
    MEASURE_FIELDS,
    measure_create,
    measure_delete,
    measure_save,
    measure_update,
    refuse_cycle,
    resolve_formula,
    validate_measure_change,
    validate_sources,
)
from .objectives import (
    cause_effect_create,
    cause_effect_delete,
    cause_effect_update,
    objective_create,
    objective_delete,
    objective_support,
    objective_update,
)
from .targets import TargetsSet, measure_targets_plan, measure_targets_set
from .units import (
    broken_scorecard_links,
    perspective_create,
    perspective_delete,
    perspective_update,
    register_unit_move_check,
    theme_create,
    theme_delete,
    theme_update,
    unit_create,
    unit_delete,
    unit_update,
    validate_unit_change,
)
from .values import (
    RED_NEEDS_NOTE,
    UNUSUAL,
    VALUE_FIELDS,
    ValueChange,
    figures_of_other_periods,
    measure_value_clear,
    measure_value_create,
    measure_value_delete,
    measure_value_enter,
    measure_value_record,
    measure_value_update,
    red_needs_note,
    value_problems,
)

__all__ = [
    "MEASURE_FIELDS",
    "RED_NEEDS_NOTE",
    "UNUSUAL",
    "VALUE_FIELDS",
    "BulkCounts",
    "BulkError",
    "TargetsSet",
    "ValueChange",
    "broken_scorecard_links",
    "cause_effect_create",
    "cause_effect_delete",
    "cause_effect_update",
    "figures_of_other_periods",
    "measure_create",
    "measure_delete",
    "measure_save",
    "measure_targets_plan",
    "measure_targets_set",
    "measure_update",
    "measure_value_clear",
    "measure_value_create",
    "measure_value_delete",
    "measure_value_enter",
    "measure_value_record",
    "measure_value_update",
    "measure_values_bulk_record",
    "objective_create",
    "objective_delete",
    "objective_support",
    "objective_update",
    "perspective_create",
    "perspective_delete",
    "perspective_update",
    "red_needs_note",
    "refuse_cycle",
    "register_unit_move_check",
    "resolve_formula",
    "theme_create",
    "theme_delete",
    "theme_update",
    "unit_create",
    "unit_delete",
    "unit_update",
    "validate_measure_change",
    "validate_sources",
    "validate_unit_change",
    "value_problems",
]
