"""Writes with rules for the scorecards app. Keyword-only, one transaction each; the admin,
views, API, tasks and commands all call these. Bad input raises ValidationError (with
field messages) and leaves the database as it was."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.services import apply_changes, delete_or_explain, save_validated
from core.versioning import data_changed

from . import formulas, scoring
from .models import (
    CascadeLink,
    CauseEffect,
    FormulaInput,
    Measure,
    MeasureValue,
    Objective,
    OrgUnit,
    Perspective,
    RollupSource,
    Theme,
)
from .models.objectives import validate_supports

UNIT_FIELDS = {"code", "name", "kind", "parent", "head"}
OBJECTIVE_FIELDS = {"code", "name", "description", "perspective", "theme", "owner", "weight"}
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
}
VALUE_FIELDS = {"actual", "target", "red_flag", "note"}


# Units -------------------------------------------------------------------------------------


@transaction.atomic
def unit_create(*, code: str, name: str, kind: str, parent: OrgUnit | None = None, head=None):
    """Add a unit to the tree."""
    return save_validated(OrgUnit(code=code, name=name, kind=kind, parent=parent, head=head))


def _names_unit(formula: str, unit_code: str) -> bool:
    """Whether a (valid, saved) formula names measures as `unit_code`.CODE."""
    return any(ref.unit_code == unit_code for ref in formulas.references(formulas.parse(formula)))


# Checks other apps add (in their AppConfig.ready) for links a unit move could break; each
# takes (subtree unit ids, ids of the units above the subtree after the move) and returns
# descriptions of the links that would point outside their allowed reach.
UNIT_MOVE_CHECKS: list = []


def register_unit_move_check(check) -> None:
    """Let an app refuse unit moves that would break its links (dependency inversion: the
    scorecards app cannot import the apps built on it)."""
    if check not in UNIT_MOVE_CHECKS:
        UNIT_MOVE_CHECKS.append(check)


def broken_scorecard_links(subtree: set[int], above: set[int]) -> list[str]:
    """Cascade links, rollup sources and themes from inside a moved subtree to units that
    would no longer be above it."""
    reach = subtree | above
    broken = [
        f"{link.supporting.unit.code}.{link.supporting.code} supports "
        f"{link.supported.unit.code}.{link.supported.code}"
        for link in CascadeLink.objects.filter(supporting__unit__in=subtree)
        .exclude(supported__unit__in=reach)
        .select_related("supporting__unit", "supported__unit")
    ]
    broken += [
        f"{link.source.unit.code}.{link.source.code} is a source of "
        f"{link.rollup_measure.unit.code}.{link.rollup_measure.code}"
        for link in RollupSource.objects.filter(source__unit__in=subtree)
        .exclude(rollup_measure__unit__in=reach)
        .select_related("source__unit", "rollup_measure__unit")
    ]
    broken += [
        f"{o.unit.code}.{o.code} uses the theme '{o.theme.name}' of {o.theme.unit.code}"
        for o in Objective.objects.filter(unit__in=subtree, theme__isnull=False)
        .exclude(theme__unit__in=reach)
        .select_related("unit", "theme__unit")
    ]
    return broken


def validate_unit_change(unit: OrgUnit) -> None:
    """The rules of changing a stored unit that depend on other rows, checked against the
    row as stored (so a form can ask before saving): a rename must not break formulas that
    name the unit (`UNIT.CODE`); a move must not leave links of the subtree (cascade,
    rollups, themes, and what other apps register) pointing at units no longer above it."""
    if unit.pk is None:
        return
    stored = OrgUnit.objects.filter(pk=unit.pk).values("code", "parent_id").first()
    if stored is None:
        return
    old_code = stored["code"]
    if unit.code != old_code:
        readers = sorted(
            {
                f"{link.measure.unit.code}.{link.measure.code}"
                for link in FormulaInput.objects.filter(input__unit=unit).select_related(
                    "measure__unit"
                )
                if link.measure.unit_id != unit.pk or _names_unit(link.measure.formula, old_code)
            }
        )
        if readers:
            raise ValidationError(
                {
                    "code": (
                        f"The formulas of {', '.join(readers)} name measures as "
                        f"{old_code}.CODE; change them before renaming the unit."
                    )
                }
            )
    if unit.parent_id != stored["parent_id"] and unit.parent_id is not None:
        subtree = set(OrgUnit.objects.subtree_of(unit.pk).values_list("id", flat=True))
        if unit.parent_id in subtree:
            return  # a cycle: the model's clean() says so
        above = set(
            OrgUnit.objects.ancestors_of(unit.parent_id, include_self=True).values_list(
                "id", flat=True
            )
        )
        broken = broken_scorecard_links(subtree, above)
        for check in UNIT_MOVE_CHECKS:
            broken += check(subtree, above)
        if broken:
            shown = "; ".join(sorted(broken)[:5]) + ("; …" if len(broken) > 5 else "")
            raise ValidationError(
                {
                    "parent": (
                        f"Moving {unit.code} there would break {len(broken)} link(s) to units "
                        f"that would no longer be above it: {shown}. Change those links first."
                    )
                }
            )


@transaction.atomic
def unit_update(*, unit: OrgUnit, **changes) -> OrgUnit:
    """Rename, re-head or move a unit (see `validate_unit_change` for what is refused)."""
    apply_changes(unit, changes, allowed=UNIT_FIELDS)
    unit.full_clean()
    validate_unit_change(unit)
    return save_validated(unit)


@transaction.atomic
def unit_delete(*, unit: OrgUnit) -> None:
    """Delete a unit that nothing depends on any more."""
    delete_or_explain(unit)


@transaction.atomic
def theme_create(*, unit: OrgUnit, name: str, description: str = "") -> Theme:
    """Add a strategic theme to a unit's map."""
    return save_validated(Theme(unit=unit, name=name, description=description))


@transaction.atomic
def perspective_create(*, name: str, order: int, description: str = "") -> Perspective:
    """Add a perspective (public bodies often put Mission on top)."""
    return save_validated(Perspective(name=name, order=order, description=description))


@transaction.atomic
def perspective_update(*, perspective: Perspective, **changes) -> Perspective:
    """Rename or reorder a perspective."""
    apply_changes(perspective, changes, allowed={"name", "order", "description"})
    return save_validated(perspective)


@transaction.atomic
def perspective_delete(*, perspective: Perspective) -> None:
    """Delete a perspective no objective is placed in."""
    delete_or_explain(perspective)


@transaction.atomic
def theme_update(*, theme: Theme, **changes) -> Theme:
    """Rename a theme or move it up or down the tree (not away from its objectives)."""
    apply_changes(theme, changes, allowed={"unit", "name", "description"})
    return save_validated(theme)


@transaction.atomic
def theme_delete(*, theme: Theme) -> None:
    """Delete a theme no objective uses."""
    delete_or_explain(theme)


# Objectives and the cascade ----------------------------------------------------------------


def _set_supports(objective: Objective, supported: Iterable[Objective], *, by=None) -> None:
    supported = list(supported)
    validate_supports(objective, supported)
    wanted = {o.pk for o in supported}
    current = set(objective.cascade_links_up.values_list("supported_id", flat=True))
    for link in objective.cascade_links_up.filter(supported_id__in=current - wanted):
        link._history_user = by
        link.delete()
    for target_id in wanted - current:
        link = CascadeLink(supporting=objective, supported_id=target_id)
        link._history_user = by
        link.save()


@transaction.atomic
def objective_create(
    *,
    unit: OrgUnit,
    code: str,
    name: str,
    perspective: Perspective,
    description: str = "",
    theme: Theme | None = None,
    owner=None,
    weight: Decimal = Decimal("1"),
    supports: Iterable[Objective] = (),
    by=None,
) -> Objective:
    """Create an objective and cascade it: `supports` names objectives of ancestor units."""
    objective = save_validated(
        Objective(
            unit=unit,
            code=code,
            name=name,
            description=description,
            perspective=perspective,
            theme=theme,
            owner=owner,
            weight=weight,
        ),
        actor=by,
    )
    _set_supports(objective, supports, by=by)
    return objective


@transaction.atomic
def objective_update(
    *, objective: Objective, supports: Iterable[Objective] | None = None, by=None, **changes
) -> Objective:
    """Change an objective's fields and, if given, the full list of objectives it supports."""
    apply_changes(objective, changes, allowed=OBJECTIVE_FIELDS)
    save_validated(objective, actor=by)
    if supports is not None:
        _set_supports(objective, supports, by=by)
    return objective


@transaction.atomic
def objective_support(*, objective: Objective, supported: Objective, by=None) -> CascadeLink:
    """Cascade: `objective` supports `supported`, an objective of an ancestor unit."""
    validate_supports(objective, [supported])
    if objective.cascade_links_up.filter(supported=supported).exists():
        raise ValidationError({"supports": f"{objective.code} already supports {supported.code}."})
    link = CascadeLink(supporting=objective, supported=supported)
    return save_validated(link, actor=by)


@transaction.atomic
def objective_delete(*, objective: Objective, by=None) -> None:
    """Delete an objective nothing depends on (measures, goals, budget lines, initiatives,
    supporting objectives); otherwise refuse, naming them."""
    delete_or_explain(objective, actor=by)


@transaction.atomic
def cause_effect_link(*, cause: Objective, effect: Objective, rationale: str = "") -> CauseEffect:
    """Draw an arrow of a unit's strategy map between two of its objectives."""
    return save_validated(CauseEffect(cause=cause, effect=effect, rationale=rationale))


@transaction.atomic
def cause_effect_update(*, link: CauseEffect, **changes) -> CauseEffect:
    """Change an arrow's ends or rationale (still two objectives of one unit, once)."""
    apply_changes(link, changes, allowed={"cause", "effect", "rationale"})
    return save_validated(link)


@transaction.atomic
def cause_effect_delete(*, link: CauseEffect) -> None:
    """Remove an arrow from the strategy map."""
    delete_or_explain(link)


# Measures ----------------------------------------------------------------------------------


# Formulas and dependencies -----------------------------------------------------------------


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
    # Depth first in id order with an explicit stack, not recursion: a chain of rollups down
    # a deep unit tree may be thousands long. `path` is the chain from `measure` down.
    path, seen = [measure.pk], {measure.pk}
    pending = [iter(sorted(graph.get(measure.pk, ())))]
    found = False
    while pending and not found:
        for nxt in pending[-1]:
            if nxt == measure.pk:
                path.append(nxt)
                found = True
                break
            if nxt not in seen:
                seen.add(nxt)
                path.append(nxt)
                pending.append(iter(sorted(graph.get(nxt, ()))))
                break
        else:
            pending.pop()
            path.pop()
    if found:
        names = {
            m.pk: f"{m.unit.code}.{m.code}"
            for m in Measure.objects.filter(pk__in=path).select_related("unit")
        }
        cycle = " → ".join(names[m] for m in path)
        raise ValidationError(
            {field: f"This would make a cycle of measures reading each other: {cycle}."}
        )


def resolve_formula(measure: Measure) -> list[Measure]:
    """Parse the formula and find the measures it names (`CODE` in the measure's own unit,
    `UNITCODE.CODE` elsewhere); refuse syntax errors, unknown codes, other frequencies and
    cycles with a message naming the position or the codes."""
    try:
        tree = formulas.parse(measure.formula)
    except formulas.FormulaError as error:
        raise ValidationError({"formula": f"Syntax error: {error}."}) from None
    own_unit = measure.unit.code
    wanted = [(ref.unit_code or own_unit, ref.code) for ref in formulas.references(tree)]
    query = Q(pk__in=[])
    for unit_code, code in wanted:
        query |= Q(unit__code=unit_code, code=code)
    found = {(m.unit.code, m.code): m for m in Measure.objects.filter(query).select_related("unit")}
    unknown = [f"{u}.{c}" for u, c in wanted if (u, c) not in found]
    if unknown:
        raise ValidationError({"formula": f"Unknown measure code(s): {', '.join(unknown)}."})
    # `X` and `UNIT.X` may name the same measure: each input once.
    inputs = list({found[key].pk: found[key] for key in wanted}.values())
    if any(m.pk == measure.pk for m in inputs):
        raise ValidationError({"formula": f"{measure.code} cannot read itself."})
    other = [
        f"{m.unit.code}.{m.code} ({m.frequency})"
        for m in inputs
        if m.frequency != measure.frequency
    ]
    if other:
        raise ValidationError(
            {
                "formula": (
                    f"Inputs must share the measure's frequency ({measure.frequency}): "
                    f"{', '.join(other)}."
                )
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
        raise ValidationError({"sources": "Only a rollup measure has sources; choose a rollup."})
    below = set(OrgUnit.objects.subtree_of(measure.unit_id).values_list("id", flat=True))
    below.discard(measure.unit_id)
    outside = [s for s in sources if s.unit_id not in below]
    if outside:
        codes = ", ".join(sorted(f"{s.unit.code}.{s.code}" for s in outside))
        raise ValidationError(
            {
                "sources": (
                    f"{codes}: rollup sources must be measures of units below {measure.unit.code}."
                )
            }
        )
    other_frequency = [s for s in sources if s.frequency != measure.frequency]
    if other_frequency:
        codes = ", ".join(sorted(f"{s.unit.code}.{s.code}" for s in other_frequency))
        raise ValidationError(
            {
                "sources": (
                    f"{codes}: sources must share the rollup's frequency ({measure.frequency})."
                )
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


@transaction.atomic
def measure_create(
    *,
    objective: Objective,
    code: str,
    name: str,
    sources: Iterable[Measure] = (),
    by=None,
    **fields,
) -> Measure:
    """Add a measure to an objective (entered, calculated by `formula`, or a rollup)."""
    apply_changes(Measure(), fields, allowed=MEASURE_FIELDS)  # refuse unknown fields early
    measure = Measure(objective=objective, unit_id=objective.unit_id, code=code, name=name)
    apply_changes(measure, fields, allowed=MEASURE_FIELDS)
    save_validated(measure, actor=by)
    _set_formula_inputs(measure)
    _set_sources(measure, sources)
    return measure


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
        readers = sorted(
            f"{link.measure.unit.code}.{link.measure.code}"
            for link in stored.formula_links.select_related("measure__unit")
        )
        if readers:
            field = "code" if measure.code != stored.code else "frequency"
            raise ValidationError(
                {
                    field: (
                        f"The formulas of {', '.join(readers)} read {stored.code}; change "
                        f"them before changing its {field}."
                    )
                }
            )
    if (
        measure.polarity != stored.polarity
        and stored.values.filter(red_flag__isnull=False).exists()
    ):
        raise ValidationError(
            {
                "polarity": (
                    f"{measure.code} has red flags set for its old polarity ({stored.polarity}); "
                    "they would fall on the wrong side of the targets. Clear them first, or "
                    "create a new measure."
                )
            }
        )
    if measure.frequency != stored.frequency:
        if stored.values.exists():
            raise ValidationError(
                {
                    "frequency": (
                        f"{measure.code} already has {stored.frequency} values; their periods "
                        "would no longer fit. Create a new measure for the new frequency."
                    )
                }
            )
        rollups = sorted(
            f"{m.unit.code}.{m.code}"
            for m in stored.rolled_up_into.select_related("unit")
            if m.frequency != measure.frequency
        )
        if rollups:
            raise ValidationError(
                {
                    "frequency": (
                        f"{measure.code} is a source of {', '.join(rollups)}; sources share "
                        "their rollup's frequency. Remove it from those rollups first."
                    )
                }
            )
    if not measure.takes_actuals and stored.values.filter(actual__isnull=False).exists():
        raise ValidationError(
            {
                "formula" if measure.is_calculated else "rollup": (
                    f"{measure.code} has entered actuals; clear them before making it "
                    "calculated or a rollup."
                )
            }
        )


@transaction.atomic
def measure_save(*, measure: Measure, by=None) -> Measure:
    """Validate and save a measure whose fields a form has set, then resolve its formula's
    inputs (the admin's path; rollup sources are set by their own rows)."""
    if measure.objective_id:
        measure.unit_id = measure.objective.unit_id
    measure.full_clean()
    validate_measure_change(measure)
    save_validated(measure, actor=by)
    _set_formula_inputs(measure)
    return measure


@transaction.atomic
def measure_update(
    *, measure: Measure, sources: Iterable[Measure] | None = None, by=None, **changes
) -> Measure:
    """Change a measure (see `validate_measure_change` for what is refused) and, if given,
    the full list of a rollup's sources."""
    apply_changes(measure, changes, allowed=MEASURE_FIELDS)
    measure.full_clean()
    validate_measure_change(measure)
    save_validated(measure, actor=by)
    _set_formula_inputs(measure)
    if sources is None:
        # Kept sources are checked again: the rollup's frequency may have changed.
        sources = list(measure.sources.all()) if measure.is_rollup else []
    _set_sources(measure, sources)
    return measure


@transaction.atomic
def measure_delete(*, measure: Measure, by=None) -> None:
    """Delete a measure without values, goals, incentives or rollups using it."""
    delete_or_explain(measure, actor=by)


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
    by=None,
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
    if by is not None:
        value.entered_by = by
    if require_note_if_red:
        red_needs_note(value, measure)
    try:
        with transaction.atomic():
            save_validated(value, actor=by)
    except IntegrityError:
        # Another request inserted the same (measure, period) first.
        raise ValidationError(
            {"period": f"{measure.code} already has a value for {period.isoformat()}."}
        ) from None
    return value, created


RED_NEEDS_NOTE = "This value is red: say in the note why, and what is being done about it."


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
def measure_value_delete(*, value: MeasureValue, by=None) -> None:
    """Remove a value (its history stays)."""
    delete_or_explain(value, actor=by)


# Many values at once --------------------------------------------------------------------------

BULK_FIELDS = ("actual", "target", "red_flag", "note")
BULK_MAX_ROWS = 20_000


class BulkError(Exception):
    """A batch with bad rows: `errors` lists {"row", "field", "message"}; nothing was written."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def _measure_id(ref) -> int | None:
    """A measure id from a row (an int, or digits), or None; never beyond what ids reach."""
    if isinstance(ref, bool):
        return None
    if isinstance(ref, str) and ref.strip().isdigit():
        ref = int(ref)
    return ref if isinstance(ref, int) and 0 < ref < 2**63 else None


def _decimal(text, row: int, field: str, errors: list) -> Decimal | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, bool) or not isinstance(text, (int, float, str, Decimal)):
        errors.append({"row": row, "field": field, "message": "Enter a number."})
        return None
    try:
        value = Decimal(str(text).strip())
    except ArithmeticError:
        errors.append({"row": row, "field": field, "message": f"'{text}' is not a number."})
        return None
    if not value.is_finite():
        errors.append({"row": row, "field": field, "message": "Enter a finite number."})
        return None
    return value


@transaction.atomic
def measure_values_bulk_record(
    *, rows: list[dict], by=None, may_enter=None, require_note_if_red: bool = False
) -> tuple[int, int]:
    """Insert or update many measure values in one go, all or nothing.

    Each row names its measure by `measure` (id) or `measure_code` ("UNITCODE.CODE") and
    gives `period` and any of actual, target, red_flag, note: a field left out keeps its
    stored value, an explicit None clears it. `may_enter(measure)` says whether the caller
    may enter values of that measure. Every row is checked as `measure_value_record` would
    (period of the measure's frequency, red flag on its side of the target, no entered
    actual on a calculated or rollup measure, with `require_note_if_red` a note on a red
    value) and no (measure, period) may appear twice;
    any bad row raises BulkError naming row and field, and nothing is written. Returns
    (created, updated)."""
    from .periods import parse_period

    if not rows:
        raise BulkError([{"row": None, "field": None, "message": "There are no rows."}])
    if len(rows) > BULK_MAX_ROWS:
        raise BulkError(
            [
                {
                    "row": None,
                    "field": None,
                    "message": f"At most {BULK_MAX_ROWS:,} rows at once; split the batch.",
                }
            ]
        )
    errors: list[dict] = []
    ids, codes = set(), set()
    for row in rows:
        if not isinstance(row, dict):
            continue  # reported below
        key = _measure_id(row.get("measure"))
        if key is not None:
            ids.add(key)
        code = row.get("measure_code")
        if isinstance(code, str) and code.count(".") == 1:
            codes.add(tuple(code.strip().split(".")))
    # Codes by two IN lists, matched in pairs here: an OR per pair grows past what SQLite
    # parses for a thousand measures.
    query = Q(pk__in=ids) | Q(unit__code__in={u for u, _ in codes}, code__in={c for _, c in codes})
    measures = list(Measure.objects.filter(query).select_related("unit"))
    by_id = {m.pk: m for m in measures if m.pk in ids}
    by_code = {(m.unit.code, m.code): m for m in measures if (m.unit.code, m.code) in codes}
    allowed = {m.pk: (may_enter(m) if may_enter else True) for m in measures}

    parsed = []  # (row number, measure, period, {field: value})
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            errors.append({"row": number, "field": None, "message": "Each row is an object."})
            continue
        row_errors: list[dict] = []
        measure = None
        ref, code = row.get("measure"), row.get("measure_code")
        if ref not in (None, ""):
            measure = by_id.get(_measure_id(ref))
            if measure is None:
                row_errors.append(
                    {"row": number, "field": "measure", "message": "No such measure."}
                )
        elif code not in (None, ""):
            parts = tuple(str(code).strip().split("."))
            measure = by_code.get(parts) if len(parts) == 2 else None
            if measure is None:
                row_errors.append(
                    {
                        "row": number,
                        "field": "measure_code",
                        "message": f"No measure {code}: use UNITCODE.MEASURECODE.",
                    }
                )
        else:
            row_errors.append(
                {"row": number, "field": "measure", "message": "Give measure or measure_code."}
            )
        if measure is not None and not allowed[measure.pk]:
            row_errors.append(
                {
                    "row": number,
                    "field": "measure",
                    "message": f"You may not enter values of {measure.unit.code}.{measure.code}.",
                }
            )
        period = None
        try:
            period = parse_period(row.get("period") or "")
        except ValueError as exc:
            row_errors.append({"row": number, "field": "period", "message": str(exc)})
        values = {}
        for field in ("actual", "target", "red_flag"):
            if field in row:
                values[field] = _decimal(row[field], number, field, row_errors)
        if "note" in row:
            note = row["note"]
            if note is not None and not isinstance(note, str):
                row_errors.append({"row": number, "field": "note", "message": "Enter text."})
            elif note and "\x00" in note:
                row_errors.append(
                    {"row": number, "field": "note", "message": "Null characters are not allowed."}
                )
            else:
                values["note"] = note or ""
        errors += row_errors
        if not row_errors:
            parsed.append((number, measure, period, values))
    if not parsed:
        raise BulkError(errors)
    # The rows that parsed are checked on, so one answer lists every row's problems.

    seen: dict[tuple[int, dt.date], int] = {}
    for number, measure, period, _ in parsed:
        key = (measure.pk, period)
        if key in seen:
            errors.append(
                {
                    "row": number,
                    "field": "period",
                    "message": (
                        f"Row {seen[key]} already gives {measure.code} for {period:%Y-%m-%d}."
                    ),
                }
            )
        seen[key] = number
    existing = {
        (v.measure_id, v.period): v
        for v in MeasureValue.objects.filter(
            measure_id__in={m.pk for _, m, _, _ in parsed},
            period__gte=min(p for _, _, p, _ in parsed),
            period__lte=max(p for _, _, p, _ in parsed),
        )
    }
    creates, updates = [], []
    for number, measure, period, values in parsed:
        value = existing.get((measure.pk, period))
        is_new = value is None
        if is_new:
            value = MeasureValue(measure=measure, period=period)
        else:
            value.measure = measure
        for field, given in values.items():
            setattr(value, field, given)
        value.entered_by = by
        try:
            value.clean_fields(exclude=["measure", "entered_by"])
            value.clean()
            if require_note_if_red:
                red_needs_note(value, measure)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    errors.append(
                        {
                            "row": number,
                            "field": None if field == "__all__" else field,
                            "message": message,
                        }
                    )
            continue
        (creates if is_new else updates).append(value)
    if errors:
        raise BulkError(errors)
    # One INSERT ... ON CONFLICT (measure, period) DO UPDATE for new and known rows alike
    # (bulk_update would send a CASE WHEN per field), then their history rows.
    now = timezone.now()
    rows_out = creates + updates
    for value in rows_out:
        value.updated_at = now
        if value.created_at is None:
            value.created_at = now
    MeasureValue.objects.bulk_create(
        rows_out,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["measure", "period"],
        update_fields=[*BULK_FIELDS, "entered_by", "updated_at"],
    )
    if any(v.pk is None for v in rows_out):  # a database that returns no ids
        ids = {
            (m, p): pk
            for pk, m, p in MeasureValue.objects.filter(
                measure_id__in={v.measure_id for v in rows_out}
            ).values_list("id", "measure_id", "period")
        }
        for value in rows_out:
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
                entered_by=by,
                created_at=v.created_at,
                updated_at=now,
                history_date=now,
                history_type="+" if id(v) in created else "~",
                history_user=by,
            )
            for v in rows_out
        ],
        batch_size=1000,
    )
    data_changed()  # bulk writes send no signal
    return len(creates), len(updates)
