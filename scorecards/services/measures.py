"""Writes of measures: entered, calculated from a formula over other measures, or rolled up
from measures of the units below; what they read is kept as rows (formula inputs, rollup
sources) so that cycles, frequencies and renames are checked before anything is saved."""

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.graphs import cycle_through
from core.services import NOT_CHANGED_HERE, apply_changes, delete_or_explain, save_validated
from core.versioning import data_changed

from .. import formulas
from ..choices import FREQUENCY_WORDS, POLARITY_WORDS
from ..models import FormulaInput, Measure, OrgUnit, RollupSource

MEASURE_FIELDS = {
    "code",
    "name",
    "unit_label",
    "polarity",
    "frequency",
    "aggregation",
    "weight",
    "owner",
    "tolerance",
    "formula",
    "rollup",
    "description",
    "decimal_places",
    "min_value",
    "max_value",
    "baseline",
}
MEASURE_FIXED = {"objective": NOT_CHANGED_HERE}  # a measure stays with its objective
# A change of frequency refused because of the values stored, by the stored frequency.
HAS_VALUES_OF_FREQUENCY = {
    "monthly": gettext_lazy(
        "%(measure)s already has monthly values; their periods would no longer fit. Create a "
        "new measure for the new frequency."
    ),
    "quarterly": gettext_lazy(
        "%(measure)s already has quarterly values; their periods would no longer fit. Create a "
        "new measure for the new frequency."
    ),
    "annual": gettext_lazy(
        "%(measure)s already has annual values; their periods would no longer fit. Create a "
        "new measure for the new frequency."
    ),
}


@transaction.atomic
def measure_create(*, actor, data: dict) -> Measure:
    """Add a measure to an objective (entered, calculated by `formula`, or a rollup of
    `sources`): `data` names the objective and the measure's fields."""
    data = dict(data)
    sources = data.pop("sources", ())
    objective = data.pop("objective", None)
    if objective is None:
        raise ValidationError({"objective": _("Choose the objective the measure measures.")})
    measure = Measure(objective=objective, unit_id=objective.unit_id)
    apply_changes(measure, data, allowed=MEASURE_FIELDS)
    save_validated(measure, actor=actor)
    _set_formula_inputs(measure)
    _set_sources(measure, sources)
    return measure


@transaction.atomic
def measure_update(*, actor, instance: Measure, data: dict) -> Measure:
    """Change a measure (see `validate_measure_change` for what is refused) and, if `data`
    has `sources`, the full list of a rollup's sources. It stays with its objective."""
    data = dict(data)
    sources = data.pop("sources", None)
    apply_changes(instance, data, allowed=MEASURE_FIELDS, fixed=MEASURE_FIXED)
    instance.full_clean()
    validate_measure_change(instance)
    save_validated(instance, actor=actor)
    _set_formula_inputs(instance)
    if sources is None:
        # Kept sources are checked again: the rollup's frequency may have changed.
        sources = list(instance.sources.all()) if instance.is_rollup else []
    _set_sources(instance, sources)
    return instance


@transaction.atomic
def measure_save(*, actor, instance: Measure) -> Measure:
    """Validate and save a measure whose fields a form has set, then resolve its formula's
    inputs (the admin's path; rollup sources are set by their own rows)."""
    if instance.objective_id:
        instance.unit_id = instance.objective.unit_id
    instance.full_clean()
    validate_measure_change(instance)
    save_validated(instance, actor=actor)
    _set_formula_inputs(instance)
    return instance


@transaction.atomic
def measure_delete(*, actor, instance: Measure) -> None:
    """Delete a measure without values, goals, incentives or rollups using it."""
    delete_or_explain(instance, actor=actor)


def validate_measure_change(measure: Measure) -> None:
    """The rules of saving a measure that depend on other rows, checked against the row as
    stored (so a form can ask before saving): formulas resolve (syntax, codes, frequency,
    cycles); a code or frequency read by formulas, a frequency with values or sources into
    rollups, a polarity with red flags and entered actuals on a calculated or rollup measure
    do not change under the data."""
    if measure.formula:
        resolve_formula(measure)
    stored = Measure.objects.filter(pk=measure.pk).first() if measure.pk else None
    if stored is None:
        return
    if measure.code != stored.code or measure.frequency != stored.frequency:
        _refuse_change_read_by_formulas(measure, stored)
    if (
        measure.polarity != stored.polarity
        and stored.values.filter(red_flag__isnull=False).exists()
    ):
        raise ValidationError(
            {
                "polarity": _(
                    "%(measure)s has red flags set for its old polarity (%(polarity)s); they "
                    "would fall on the wrong side of the targets. Clear them first, or create a "
                    "new measure."
                )
                % {"measure": measure.code, "polarity": POLARITY_WORDS[stored.polarity]}
            }
        )
    if measure.frequency != stored.frequency:
        if stored.values.exists():
            raise ValidationError(
                {"frequency": HAS_VALUES_OF_FREQUENCY[stored.frequency] % {"measure": measure.code}}
            )
        rollups = sorted(
            f"{m.unit.code}.{m.code}"
            for m in stored.rolled_up_into.select_related("unit")
            if m.frequency != measure.frequency
        )
        if rollups:
            raise ValidationError(
                {
                    "frequency": _(
                        "%(measure)s is a source of %(rollups)s; sources share their rollup's "
                        "frequency. Remove it from those rollups first."
                    )
                    % {"measure": measure.code, "rollups": ", ".join(rollups)}
                }
            )
    if not measure.takes_actuals and stored.values.filter(actual__isnull=False).exists():
        raise ValidationError(
            {
                "formula" if measure.is_calculated else "rollup": _(
                    "%(measure)s has entered actuals; clear them before making it calculated or "
                    "a rollup."
                )
                % {"measure": measure.code}
            }
        )


def _refuse_change_read_by_formulas(measure: Measure, stored: Measure) -> None:
    """A code or frequency that formulas read does not change under them."""
    readers = sorted(
        f"{link.measure.unit.code}.{link.measure.code}"
        for link in stored.formula_links.select_related("measure__unit")
    )
    if not readers:
        return
    where = {"readers": ", ".join(readers), "measure": stored.code}
    if measure.code != stored.code:
        message = _(
            "The formulas of %(readers)s read %(measure)s; change them before changing its code."
        )
        raise ValidationError({"code": message % where})
    message = _(
        "The formulas of %(readers)s read %(measure)s; change them before changing its frequency."
    )
    raise ValidationError({"frequency": message % where})


# What a measure reads: formula inputs and rollup sources ------------------------------------


def _dependencies(excluding: int, kind: str) -> dict[int, set[int]]:
    """What each measure reads (formula inputs and rollup sources), without `excluding`'s
    edges of `kind` ("formula" or "sources"), which the caller is replacing."""
    graph: dict[int, set[int]] = defaultdict(set)
    inputs = FormulaInput.objects.values_list("measure_id", "input_id")
    sources = RollupSource.objects.values_list("rollup_measure_id", "source_id")
    if kind == "formula":
        inputs = inputs.exclude(measure_id=excluding)
    else:
        sources = sources.exclude(rollup_measure_id=excluding)
    for measure_id, dependency_id in [*inputs, *sources]:
        graph[measure_id].add(dependency_id)
    return graph


def refuse_cycle(measure: Measure, dependencies: Iterable[int], *, field: str) -> None:
    """Refuse new dependencies of `measure` that would lead back to it, naming the cycle."""
    graph = _dependencies(measure.pk, "formula" if field == "formula" else "sources")
    graph[measure.pk] |= set(dependencies)
    path = cycle_through(graph, measure.pk)
    if path:
        names = {
            m.pk: f"{m.unit.code}.{m.code}"
            for m in Measure.objects.filter(pk__in=path).select_related("unit")
        }
        cycle = " → ".join(names[m] for m in path)
        raise ValidationError(
            {
                field: _("This would make a cycle of measures reading each other: %(cycle)s.")
                % {"cycle": cycle}
            }
        )


def resolve_formula(measure: Measure) -> list[Measure]:
    """Parse the formula and find the measures it names (`CODE` in the measure's own unit,
    `UNITCODE.CODE` elsewhere); refuse syntax errors, unknown codes, other frequencies and
    cycles with a message naming the position or the codes."""
    try:
        tree = formulas.parse(measure.formula)
    except formulas.FormulaError as error:
        raise ValidationError(
            {"formula": _("Syntax error: %(error)s.") % {"error": error}}
        ) from None
    own_unit = measure.unit.code
    wanted = [(ref.unit_code or own_unit, ref.code) for ref in formulas.references(tree)]
    query = Q(pk__in=[])
    for unit_code, code in wanted:
        query |= Q(unit__code=unit_code, code=code)
    found = {(m.unit.code, m.code): m for m in Measure.objects.filter(query).select_related("unit")}
    unknown = [f"{u}.{c}" for u, c in wanted if (u, c) not in found]
    if unknown:
        raise ValidationError(
            {"formula": _("Unknown measure code(s): %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    # `X` and `UNIT.X` may name the same measure: each input once.
    inputs = list({found[key].pk: found[key] for key in wanted}.values())
    if any(m.pk == measure.pk for m in inputs):
        raise ValidationError(
            {"formula": _("%(measure)s cannot read itself.") % {"measure": measure.code}}
        )
    other = [
        f"{m.unit.code}.{m.code} ({FREQUENCY_WORDS[m.frequency]})"
        for m in inputs
        if m.frequency != measure.frequency
    ]
    if other:
        raise ValidationError(
            {
                "formula": _(
                    "Inputs must share the measure's frequency (%(frequency)s): %(inputs)s."
                )
                % {"frequency": FREQUENCY_WORDS[measure.frequency], "inputs": ", ".join(other)}
            }
        )
    refuse_cycle(measure, [m.pk for m in inputs], field="formula")
    return inputs


def _set_formula_inputs(measure: Measure) -> None:
    inputs = resolve_formula(measure) if measure.formula else []
    measure.input_links.exclude(input__in=inputs).delete()
    existing = set(measure.input_links.values_list("input_id", flat=True))
    FormulaInput.objects.bulk_create(
        [FormulaInput(measure=measure, input=m) for m in inputs if m.pk not in existing]
    )
    data_changed()  # bulk_create sends no signal


def validate_sources(measure: Measure, sources: list[Measure]) -> None:
    """Rollup sources: measures of units below the rollup's, of its frequency, no cycle."""
    if sources and not measure.is_rollup:
        raise ValidationError({"sources": _("Only a rollup measure has sources; choose a rollup.")})
    below = set(OrgUnit.objects.subtree_of(measure.unit_id).values_list("id", flat=True))
    below.discard(measure.unit_id)
    outside = [s for s in sources if s.unit_id not in below]
    if outside:
        codes = ", ".join(sorted(f"{s.unit.code}.{s.code}" for s in outside))
        raise ValidationError(
            {
                "sources": _(
                    "%(measures)s: rollup sources must be measures of units below %(unit)s."
                )
                % {"measures": codes, "unit": measure.unit.code}
            }
        )
    other_frequency = [s for s in sources if s.frequency != measure.frequency]
    if other_frequency:
        codes = ", ".join(sorted(f"{s.unit.code}.{s.code}" for s in other_frequency))
        raise ValidationError(
            {
                "sources": _(
                    "%(measures)s: sources must share the rollup's frequency (%(frequency)s)."
                )
                % {"measures": codes, "frequency": FREQUENCY_WORDS[measure.frequency]}
            }
        )
    if measure.pk and sources:
        refuse_cycle(measure, [s.pk for s in sources], field="sources")


def _set_sources(measure: Measure, sources: Iterable[Measure]) -> None:
    sources = list(sources)
    validate_sources(measure, sources)
    measure.source_links.exclude(source__in=sources).delete()
    existing = set(measure.source_links.values_list("source_id", flat=True))
    RollupSource.objects.bulk_create(
        [RollupSource(rollup_measure=measure, source=s) for s in sources if s.pk not in existing]
    )
    data_changed()  # bulk_create sends no signal
