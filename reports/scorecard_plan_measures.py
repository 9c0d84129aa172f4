"""The plan of a scorecard import, second part: the Measures and Targets sheets (the
first part, the objectives and arrows, and the shared pieces are in scorecard_plan.py).

A measure row is checked as the measure's form and service check one: its fields by the
model (`clean_fields`, the constraints' messages), its formula parsed and resolved (codes,
frequencies, no cycle), its rollup sources (measures of units below, same frequency), and
for a stored measure what may no longer change under its data (its objective; a frequency
with values or read by formulas or rollups; a polarity with red flags; entered actuals of
a measure becoming calculated or a rollup). A target row is checked by the values' own
rules (`scorecards.services.values.value_problems`) against the measure as the file leaves
it, and refused in a closed month.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from core.graphs import cycle_through
from scorecards import formulas
from scorecards.choices import (
    FREQUENCY_WORDS,
    POLARITY_WORDS,
    Aggregation,
    Frequency,
    Polarity,
    Rollup,
)
from scorecards.models import FormulaInput, Measure, MeasureValue, OrgUnit, RollupSource
from scorecards.services.measures import HAS_VALUES_OF_FREQUENCY

from .scorecard_plan import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Plan,
    RowErrors,
    State,
    Step,
    constraint_message,
    read_number,
    text_of,
)
from .scorecard_workbook import MEASURES, Definition, Row, split_codes

TEXTS = ("name", "unit_label", "description")
CHOICES = {
    "polarity": Polarity,
    "frequency": Frequency,
    "aggregation": Aggregation,
    "rollup": Rollup,
}
NUMBERS = ("weight", "tolerance", "min_value", "max_value", "baseline")
# Fields a measure's service is told, as the Measures sheet names them (the objective and
# the sources apart).
FIELDS = (*TEXTS, *CHOICES, *NUMBERS, "decimal_places", "owner", "formula")
RELATIONS = ["objective", "unit", "owner"]


class MeasureState:
    """The unit's measures as stored, with what their data forbids to change (three flags
    and who reads them), and the measures of other units that the file's formulas and
    rollup sources name (a fixed number of queries)."""

    def __init__(self, state: State, definition: Definition):
        unit = state.unit
        values = MeasureValue.objects.filter(measure=OuterRef("pk"))
        self.measures = {
            m.code: m
            for m in Measure.objects.filter(unit=unit)
            .select_related("objective", "owner", "unit")
            .annotate(
                has_values=Exists(values),
                has_red_flags=Exists(values.filter(red_flag__isnull=False)),
                has_actuals=Exists(values.filter(actual__isnull=False)),
            )
        }
        self.sources: dict[int, set[str]] = defaultdict(set)
        for pk, unit_code, code in RollupSource.objects.filter(
            rollup_measure__unit=unit
        ).values_list("rollup_measure_id", "source__unit__code", "source__code"):
            self.sources[pk].add(f"{unit_code}.{code}")
        self.readers: dict[int, list[str]] = defaultdict(list)
        for pk, unit_code, code in FormulaInput.objects.filter(input__unit=unit).values_list(
            "input_id", "measure__unit__code", "measure__code"
        ):
            self.readers[pk].append(f"{unit_code}.{code}")
        self.rollups_into: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for pk, unit_code, code, frequency in RollupSource.objects.filter(
            source__unit=unit
        ).values_list(
            "source_id",
            "rollup_measure__unit__code",
            "rollup_measure__code",
            "rollup_measure__frequency",
        ):
            self.rollups_into[pk].append((f"{unit_code}.{code}", frequency))
        self.named, self.below = self._named(unit, definition)

    @staticmethod
    def _named(unit: OrgUnit, definition: Definition):
        """The measures of other units named "UNITCODE.CODE" by formulas and sources, and
        the ids of the units below the unit (when sources are named)."""
        named, has_sources = set(), False
        for row in definition.measures:
            for code in split_codes(row.text("sources")):
                has_sources = True
                if code.count(".") == 1:
                    named.add(tuple(code.split(".")))
            try:
                tree = formulas.parse(row.text("formula")) if row.text("formula") else None
            except formulas.FormulaError:
                tree = None
            for ref in formulas.references(tree) if tree else []:
                if ref.unit_code and ref.unit_code != unit.code:
                    named.add((ref.unit_code, ref.code))
        found = {}
        if named:
            rows = Measure.objects.filter(
                unit__code__in={u for u, _c in named}, code__in={c for _u, c in named}
            ).select_related("unit")
            found = {f"{m.unit.code}.{m.code}": m for m in rows if (m.unit.code, m.code) in named}
        below = set()
        if has_sources:
            below = set(OrgUnit.objects.subtree_of(unit.pk).values_list("id", flat=True))
            below.discard(unit.pk)
        return found, below


# A measure's row ------------------------------------------------------------------------------


def _choice(row: Row, name: str, errors: RowErrors):
    text = row.text(name).lower()
    choices = CHOICES[name]
    if not text:
        return Measure._meta.get_field(name).default
    if text in choices.values:
        return text
    errors(
        name,
        _("“%(text)s” is not one of: %(choices)s.")
        % {"text": row.text(name), "choices": ", ".join(choices.values)},
    )
    return None


def _number(row: Row, name: str, errors: RowErrors):
    try:
        value = read_number(row.text(name), percent=name == "tolerance")
    except ValueError as exc:
        errors(name, exc)
        return None
    if value is None and name in ("weight", "tolerance"):
        return Measure._meta.get_field(name).default
    return value


def _places(row: Row, errors: RowErrors):
    try:
        value = read_number(row.text("decimal_places"))
    except ValueError as exc:
        errors("decimal_places", exc)
        return None
    if value is not None and (value != value.to_integral_value() or not 0 <= value <= 6):
        errors("decimal_places", constraint_message(Measure, "measure_decimal_places_max"))
        return None
    return None if value is None else int(value)


def _read_fields(state: State, row: Row, stored, errors: RowErrors) -> dict:
    """The fields the row gives (all of them for a new measure: empty means the default)."""
    values = {"code": row.text("code")}
    for name in FIELDS:
        if not (row.given(name) or stored is None):
            continue
        if name in TEXTS:
            values[name] = row.cells.get(name, "").strip()
        elif name in CHOICES:
            values[name] = _choice(row, name, errors)
        elif name in NUMBERS:
            values[name] = _number(row, name, errors)
        elif name == "decimal_places":
            values[name] = _places(row, errors)
        elif name == "owner":
            values[name] = state.person(row.text("owner"), stored and stored.owner, errors)
        else:
            values[name] = row.text("formula") or None
    return values


def _candidate(state: State, stored, values: dict, number: int) -> Measure:
    """The measure as the row would leave it, for the checks (never saved). A new one gets
    a negative id so that its values' own checks (`MeasureValue.clean`) run on it."""
    if stored is None:
        candidate = Measure(unit=state.unit, pk=-number)
    else:
        candidate = Measure(
            **{f.attname: getattr(stored, f.attname) for f in Measure._meta.concrete_fields}
        )
    for name, value in values.items():
        # A choice or figure that could not be read is refused already: its default stays
        # for the other checks. The owner is checked by the state.
        if name == "owner" or (value is None and (name in CHOICES or name in NUMBERS[:2])):
            continue
        setattr(candidate, name, value)
    return candidate


def _check_candidate(candidate: Measure, errors: RowErrors) -> None:
    """The model's checks of its fields and the constraints of one row, without a query."""
    try:
        candidate.clean_fields(exclude=RELATIONS)
    except ValidationError as error:
        errors.from_validation(error)
    low, high = candidate.min_value, candidate.max_value
    checks = (
        ("weight", "measure_weight_positive", candidate.weight <= 0),
        ("tolerance", "measure_tolerance_fraction", not 0 <= candidate.tolerance <= 1),
        ("max_value", "measure_range_ordered", None not in (low, high) and low > high),
        ("rollup", "measure_formula_or_rollup", bool(candidate.formula) and candidate.is_rollup),
    )
    for column, name, broken in checks:
        if broken:
            errors(column, constraint_message(Measure, name))


def _objective(state: State, row: Row, stored, file_objectives, errors: RowErrors):
    """The objective the row names: stored, or created by the file (by its code)."""
    code = row.text("objective")
    if not code:
        errors("objective", _("Give the code of the objective the measure measures."))
        return None
    if stored is not None:
        if code != stored.objective.code:
            errors(
                "objective",
                _(
                    "%(measure)s measures %(objective)s: a measure stays with its objective. "
                    "Create a new measure under %(new)s instead."
                )
                % {"measure": stored.code, "objective": stored.objective.code, "new": code},
            )
        return stored.objective
    found = state.objectives.get(code)
    if found is not None or code in file_objectives:
        return found or code
    errors(
        "objective",
        _("%(code)s is not an objective of %(unit)s (in the Objectives sheet or already there).")
        % {"code": code, "unit": state.unit.code},
    )
    return None


def _stored_rules(ms: MeasureState, stored: Measure, candidate: Measure, errors) -> None:
    """What a stored measure's data forbids to change (services.validate_measure_change)."""
    where = {"measure": stored.code}
    if candidate.frequency != stored.frequency:
        rollups = sorted(
            code for code, f in ms.rollups_into.get(stored.pk, []) if f != candidate.frequency
        )
        if ms.readers.get(stored.pk):  # asked first, as the service does
            message = _(
                "The formulas of %(readers)s read %(measure)s; change them before changing its "
                "frequency."
            )
            readers = ", ".join(sorted(ms.readers[stored.pk]))
            errors("frequency", message % {**where, "readers": readers})
        elif stored.has_values:
            errors("frequency", HAS_VALUES_OF_FREQUENCY[stored.frequency] % where)
        elif rollups:
            message = _(
                "%(measure)s is a source of %(rollups)s; sources share their rollup's "
                "frequency. Remove it from those rollups first."
            )
            errors("frequency", message % {**where, "rollups": ", ".join(rollups)})
    if candidate.polarity != stored.polarity and stored.has_red_flags:
        message = _(
            "%(measure)s has red flags set for its old polarity (%(polarity)s); they would fall "
            "on the wrong side of the targets. Clear them first, or create a new measure."
        )
        errors("polarity", message % {**where, "polarity": POLARITY_WORDS[stored.polarity]})
    if not candidate.takes_actuals and stored.has_actuals:
        message = _(
            "%(measure)s has entered actuals; clear them before making it calculated or a rollup."
        )
        errors("formula" if candidate.is_calculated else "rollup", message % where)


def _changes(ms: MeasureState, stored: Measure, values: dict, sources) -> list[tuple]:
    changes = []
    for name, new in values.items():
        old = getattr(stored, name)
        if old != new:  # users by id, decimals by value
            changes.append((name, text_of(old), text_of(new)))
    if sources is not None:
        before, after = ms.sources.get(stored.pk, set()), set(sources)
        if before != after:
            changes.append(("sources", "; ".join(sorted(before)), "; ".join(sorted(after))))
    return changes


def plan_measures(plan: Plan, state: State, ms: MeasureState, rows, file_objectives) -> dict:
    """The Measures sheet: a step per row (its `candidate` kept for the targets), the
    refused rows named; the steps by code. Formulas and sources are checked once every row
    is read, as a formula may name a measure of a later row."""
    seen: dict[str, int] = {}
    steps: dict[str, Step] = {}
    for row in rows:
        errors = RowErrors(plan, row)
        code = row.text("code")
        if code and code in seen:
            message = _("Row %(row)s already defines the measure %(code)s.")
            errors("code", message % {"row": seen[code], "code": code})
            continue
        seen[code] = row.number
        stored = ms.measures.get(code)
        objective = _objective(state, row, stored, file_objectives, errors)
        values = _read_fields(state, row, stored, errors)
        candidate = _candidate(state, stored, values, row.number)
        _check_candidate(candidate, errors)
        if stored is not None and errors.ok:
            _stored_rules(ms, stored, candidate, errors)
        sources = split_codes(row.text("sources")) if row.given("sources") else None
        step = Step("measures", CREATE, MEASURES, row.number, code, values, stored)
        step.candidate, step.sources, step.errors = candidate, sources, errors
        if stored is None:
            values["objective"] = objective
            step.changes = [("name", "", values["name"])]
        else:
            fields = {k: v for k, v in values.items() if k != "code"}
            step.changes = _changes(ms, stored, fields, sources)
            step.action = UPDATE if step.changes else UNCHANGED
        steps[code] = step
    check_links(state, ms, steps)
    for step in steps.values():
        if step.errors.ok:
            plan.add(step)
    return steps


# Formulas, rollup sources, cycles -------------------------------------------------------------


def _formula_inputs(state, ms, steps, step) -> set[str]:
    """The measures a row's formula reads, as "UNITCODE.CODE", checked as the service
    resolves them (syntax, codes, the measure's frequency, not itself)."""
    candidate, errors, unit_code = step.candidate, step.errors, state.unit.code
    try:
        tree = formulas.parse(candidate.formula)
    except formulas.FormulaError as error:
        errors("formula", _("Syntax error: %(error)s.") % {"error": error})
        return set()
    inputs, unknown = {}, []
    for ref in formulas.references(tree):
        key = f"{ref.unit_code or unit_code}.{ref.code}"
        if (ref.unit_code or unit_code) == unit_code:
            own = steps.get(ref.code)
            found = own.candidate if own is not None else ms.measures.get(ref.code)
        else:
            found = ms.named.get(key)
        if found is None:
            unknown.append(key)
        else:
            inputs[key] = found
    if unknown:
        errors("formula", _("Unknown measure code(s): %(codes)s.") % {"codes": ", ".join(unknown)})
    elif f"{unit_code}.{candidate.code}" in inputs:
        errors("formula", _("%(measure)s cannot read itself.") % {"measure": candidate.code})
    else:
        other = [
            f"{key} ({FREQUENCY_WORDS[m.frequency]})"
            for key, m in inputs.items()
            if m.frequency != candidate.frequency
        ]
        if other:
            message = _("Inputs must share the measure's frequency (%(frequency)s): %(inputs)s.")
            frequency = FREQUENCY_WORDS[candidate.frequency]
            errors("formula", message % {"frequency": frequency, "inputs": ", ".join(other)})
    return set(inputs) if errors.ok else set()


def _sources(state, ms, step) -> set[str]:
    """A rollup's sources as the service checks them: measures of units below, of its
    frequency; resolved into the step's data."""
    candidate, errors, codes = step.candidate, step.errors, step.sources
    if not codes:
        step.data["sources"] = []
        return set()
    if not candidate.is_rollup:
        errors("sources", _("Only a rollup measure has sources; choose a rollup."))
        return set()
    found = {code: ms.named.get(code) for code in codes}
    outside = [c for c, m in found.items() if m is None or m.unit_id not in ms.below]
    if outside:
        message = _("%(measures)s: rollup sources must be measures of units below %(unit)s.")
        codes = ", ".join(sorted(outside))
        errors("sources", message % {"measures": codes, "unit": state.unit.code})
        return set()
    other = sorted(c for c, m in found.items() if m.frequency != candidate.frequency)
    if other:
        message = _("%(measures)s: sources must share the rollup's frequency (%(frequency)s).")
        frequency = FREQUENCY_WORDS[candidate.frequency]
        errors("sources", message % {"measures": ", ".join(other), "frequency": frequency})
        return set()
    step.data["sources"] = list(found.values())
    return set(found)


def _stored_graph() -> dict[str, set[str]]:
    """What every measure reads (formula inputs and rollup sources), by "UNITCODE.CODE"
    (two queries)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for model, reader, read in (
        (FormulaInput, "measure", "input"),
        (RollupSource, "rollup_measure", "source"),
    ):
        for pair in model.objects.values_list(
            f"{reader}__unit__code", f"{reader}__code", f"{read}__unit__code", f"{read}__code"
        ):
            graph[f"{pair[0]}.{pair[1]}"].add(f"{pair[2]}.{pair[3]}")
    return graph


def check_links(state: State, ms: MeasureState, steps: dict[str, Step]) -> None:
    """The formulas and sources of the rows that write (the service resolves them at every
    save), then no cycle of measures reading each other through them."""
    reads: dict[str, set[str]] = {}
    for code, step in steps.items():
        if not step.errors.ok or step.action == UNCHANGED:
            continue
        candidate, key = step.candidate, f"{state.unit.code}.{code}"
        found = _formula_inputs(state, ms, steps, step) if candidate.formula else set()
        if step.sources is not None:
            found |= _sources(state, ms, step)
        elif step.instance is not None and candidate.is_rollup:
            found |= ms.sources.get(step.instance.pk, set())
        if step.errors.ok:
            reads[key] = step.reads = found
    if not any(reads.values()):
        return
    graph = _stored_graph()
    graph.update(reads)
    for key in reads:
        path = cycle_through(graph, key)
        if path:
            step = steps[key.split(".", 1)[1]]
            message = _("This would make a cycle of measures reading each other: %(cycle)s.")
            column = "formula" if step.candidate.formula else "sources"
            step.errors(column, message % {"cycle": " → ".join(path)})
