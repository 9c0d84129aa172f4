"""The plan of a scorecard import: what each row of the workbook would create, change or
leave as it is, and every row refused with its sheet, row, column and message. Nothing is
written here; scorecard_import.py applies a plan through the scorecards services, which
check everything once more.

Rows are matched by code within the unit (an arrow by its two codes, a target by its
measure and period). The checks are the app's: each candidate row is validated by its
model's own fields (`clean_fields`: codes, lengths, digits, choices) and constraints (their
messages), and by the rules of the services (themes and supported objectives of the units
above, formulas and rollup sources, what a measure with values may no longer change, the
values' rules of `scorecards.services.values.value_problems`, closed months).

Reads are bounded: the unit, its objectives, arrows, measures and the values the file
names are loaded once (about twenty queries whatever the number of rows); no query runs
per row.

Decisions: a theme named in the file that neither the unit nor a unit above has is created
in the unit (a map's themes are the unit's own words); supported objectives and rollup
sources are named `UNITCODE.CODE`; an objective's or measure's owner by username (an active
user, or the one already there); a column left out keeps what is stored, an empty cell means
no value (or the field's default); targets are taken as confirmed (the preview lists them),
an empty figure keeps the stored one and nothing is ever cleared or deleted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from core.numbers import NumberError, active_number_format, parse_decimal
from core.validators import positive_weight
from scorecards.models import CauseEffect, Objective, OrgUnit, Perspective, Theme
from scorecards.models.objectives import CascadeLink
from scorecards.selectors.tree import breadcrumbs

from .scorecard_workbook import ARROWS, OBJECTIVES, Definition, Row, problem, split_codes

KINDS = ("themes", "objectives", "links", "measures", "targets")
CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
# The model's fields that the rows name by something else than their id.
OBJECTIVE_RELATIONS = ["unit", "perspective", "theme", "owner"]


@dataclass
class Step:
    """What the import does with one row: `kind` (one of KINDS), `action` (create,
    update, unchanged), where the row is, a `label` naming it, the `data` the service is
    told, the stored `instance` an update changes, and the `changes` as (column, before,
    after) texts for the preview."""

    kind: str
    action: str
    sheet: str | None
    row: int | None
    label: str
    data: dict = field(default_factory=dict)
    instance: object = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    # A measure's: as the row would leave it (for the checks of its targets), its rollup
    # sources as named (None: the column is left out), its row's refusals, and what it
    # reads ("UNITCODE.CODE"), so that it is written after the measures of the file it reads.
    candidate: object = None
    sources: list[str] | None = None
    errors: object = None
    reads: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class NewTheme:
    """A theme the import creates in the unit (a placeholder until it exists)."""

    name: str


@dataclass
class Plan:
    """The steps of an import by kind, and the refused rows."""

    unit: OrgUnit
    steps: dict[str, list[Step]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: list[dict] = field(default_factory=list)

    def add(self, step: Step) -> Step:
        self.steps[step.kind].append(step)
        return step

    def counts(self, action: str) -> dict[str, int]:
        """How many rows of each kind the import would `action` (create, update, unchanged)."""
        return {kind: sum(1 for s in self.steps[kind] if s.action == action) for kind in KINDS}

    def changed(self) -> list[Step]:
        """The steps that write something, sheet by sheet."""
        return [s for kind in KINDS for s in self.steps[kind] if s.action != UNCHANGED]


class RowErrors:
    """The refusals of one row, by column; `ok` while there is none."""

    def __init__(self, plan: Plan, row: Row):
        self.plan, self.row, self.count = plan, row, 0

    def __call__(self, column: str | None, message) -> None:
        self.plan.errors.append(problem(self.row.sheet, self.row.number, column, message))
        self.count += 1

    @property
    def ok(self) -> bool:
        return self.count == 0

    def from_validation(self, error: ValidationError, columns: dict | None = None) -> None:
        """A model's or service's refusal, each message at its column (`columns` renames a
        field; a field that is no column, such as the unit, is the row's)."""
        for name, messages in error.update_error_dict({}).items():
            column = (columns or {}).get(name, name)
            column = None if column in (NON_FIELD_ERRORS, "unit") else column
            for message in ValidationError(messages).messages:
                self(column, message)


# Cells ----------------------------------------------------------------------------------------


def read_number(text: str, *, percent: bool = False) -> Decimal | None:
    """A figure of a cell: None when empty; a number cell's text ("77.9"), or a number typed
    as text in the reader's language ("77,9" in French); with `percent`, "10%" is 0.1.
    ValueError saying what is wrong."""
    text = text.strip()
    if not text:
        return None
    divide = percent and text.endswith("%")
    typed = text[:-1].strip() if divide else text
    try:
        value = Decimal(typed)
    except InvalidOperation:
        try:
            value = parse_decimal(typed, active_number_format())
        except NumberError as error:
            raise ValueError(error.message) from None
    if not value.is_finite():
        raise ValueError(_("'%(text)s' is not a number.") % {"text": text})
    return value / 100 if divide else value


def text_of(value) -> str:
    """A value as the preview shows it: a decimal without trailing zeros, a row by its
    code or name, nothing as an empty text."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, NewTheme):
        return value.name
    if isinstance(value, list):
        return "; ".join(sorted(text_of(v) for v in value))
    if isinstance(value, Objective):
        return f"{value.unit.code}.{value.code}" if value.unit_id else value.code
    username = getattr(value, "username", None)
    return username if username is not None else str(value)


def constraint_message(model, name: str) -> str:
    """The message of one of `model`'s constraints (the words the app refuses it with)."""
    constraint = next(c for c in model._meta.constraints if c.name == name)
    return str(constraint.violation_error_message)


# What the unit has ----------------------------------------------------------------------------


class State:
    """What the import compares the workbook with, read once: the unit and the units above,
    the perspectives, the themes in reach, the unit's objectives (with what they support)
    and arrows, the objectives above that the file names and the people it names.
    scorecard_plan_measures.py adds the measures' part."""

    def __init__(self, unit: OrgUnit, definition: Definition):
        self.unit = unit
        chain = breadcrumbs(unit)  # the root first
        self.above = list(reversed(chain[:-1]))  # the nearest first
        self.perspectives = {p.name.lower(): p for p in Perspective.objects.order_by("order")}
        self._themes = list(Theme.objects.filter(unit__in=chain).select_related("unit"))
        self.objectives = {
            o.code: o
            for o in Objective.objects.filter(unit=unit).select_related(
                "perspective", "theme", "owner", "unit"
            )
        }
        # What each objective supports, as "UNITCODE.CODE".
        self.supports: dict[int, set[str]] = defaultdict(set)
        for supporting, unit_code, code in CascadeLink.objects.filter(
            supporting__unit=unit
        ).values_list("supporting_id", "supported__unit__code", "supported__code"):
            self.supports[supporting].add(f"{unit_code}.{code}")
        self.arrows = {
            (a.cause.code, a.effect.code): a
            for a in CauseEffect.objects.filter(cause__unit=unit).select_related("cause", "effect")
        }
        self.objectives_above = self._objectives_above(definition)
        self.people = self._people(definition)

    def _objectives_above(self, definition: Definition) -> dict[str, Objective]:
        """The objectives of the units above that the Objectives sheet names, by
        "UNITCODE.CODE" (one query, or none)."""
        named = {
            tuple(code.split(".", 1))
            for row in definition.objectives
            for code in split_codes(row.text("supports"))
            if code.count(".") == 1
        }
        if not named or not self.above:
            return {}
        found = Objective.objects.filter(
            unit__in=self.above, code__in={c for _u, c in named}
        ).select_related("unit")
        return {f"{o.unit.code}.{o.code}": o for o in found if (o.unit.code, o.code) in named}

    def _people(self, definition: Definition) -> dict:
        usernames = {
            row.text("owner")
            for row in [*definition.objectives, *definition.measures]
            if row.text("owner")
        }
        if not usernames:
            return {}
        users = get_user_model().objects.filter(username__in=usernames)
        return {user.username: user for user in users}

    def theme(self, name: str) -> Theme | None:
        """The theme of that name nearest the unit (its own first), any case."""
        order = [self.unit.pk] + [u.pk for u in self.above]
        matches = [t for t in self._themes if t.name.lower() == name.lower()]
        exact = [t for t in matches if t.name == name]
        for candidates in (exact, matches):
            for unit_id in order:
                for theme in candidates:
                    if theme.unit_id == unit_id:
                        return theme
        return None

    def person(self, username: str, stored, errors: RowErrors):
        """The active user of that username (or the one already there); None if empty."""
        if not username:
            return None
        user = self.people.get(username)
        if user is not None and (user.is_active or user == stored):
            return user
        errors("owner", _("No active user has the username “%(name)s”.") % {"name": username})
        return stored


# Objectives -----------------------------------------------------------------------------------


def _perspective(state: State, row: Row, errors: RowErrors):
    name = row.text("perspective")
    found = state.perspectives.get(name.lower())
    if found is None and name:
        names = ", ".join(p.name for p in state.perspectives.values())
        message = _("“%(name)s” is not a perspective; the perspectives are: %(names)s.")
        errors("perspective", message % {"name": name, "names": names})
    elif found is None:
        errors("perspective", _("Give the objective's perspective."))
    return found


def _theme(state: State, row: Row, errors: RowErrors, new_themes: dict):
    """The theme the row names: one in reach of the unit, else a new one of the unit."""
    name = row.text("theme")
    if not name:
        return None
    found = state.theme(name)
    if found is not None:
        return found
    key = name.lower()
    if key not in new_themes:
        try:
            Theme(unit=state.unit, name=name).clean_fields(exclude=["unit"])
        except ValidationError as error:
            errors.from_validation(error, {"name": "theme"})
            return None
        new_themes[key] = NewTheme(name)
    return new_themes[key]


def _supports(state: State, row: Row, errors: RowErrors) -> list[Objective]:
    found, unknown = [], []
    for code in split_codes(row.text("supports")):
        objective = state.objectives_above.get(code)
        if objective is None:
            unknown.append(code)
        else:
            found.append(objective)
    if unknown:
        above = ", ".join(u.code for u in state.above) or "—"
        errors(
            "supports",
            _(
                "%(codes)s: an objective supports objectives of the units above %(unit)s "
                "(%(above)s), each written UNITCODE.CODE."
            )
            % {"codes": ", ".join(unknown), "unit": state.unit.code, "above": above},
        )
    return found


def _objective_values(state, row, stored, errors, new_themes) -> dict:
    """The row's fields as the service is told them: those the sheet gives, and for a new
    objective the defaults of those it leaves out."""
    values = {"code": row.text("code"), "name": row.text("name")}
    values["perspective"] = _perspective(state, row, errors)
    if row.given("theme") or stored is None:
        values["theme"] = _theme(state, row, errors, new_themes)
    if row.given("weight") or stored is None:
        try:
            weight = read_number(row.text("weight"))
            values["weight"] = Decimal("1") if weight is None else weight
            positive_weight(values["weight"])
        except ValueError as exc:
            errors("weight", exc)
        except ValidationError as exc:
            errors("weight", exc.messages[0])
    if row.given("owner") or stored is None:
        values["owner"] = state.person(row.text("owner"), stored and stored.owner, errors)
    if row.given("description") or stored is None:
        values["description"] = row.cells.get("description", "").strip()
    if row.given("supports") or stored is None:
        values["supports"] = _supports(state, row, errors)
    # The model's own checks of its fields (code, lengths, digits), without a query.
    candidate = Objective(
        unit=state.unit,
        code=values["code"],
        name=values["name"],
        description=values.get("description", ""),
        weight=values.get("weight", Decimal("1")),
    )
    try:
        candidate.clean_fields(exclude=OBJECTIVE_RELATIONS)
    except ValidationError as error:
        errors.from_validation(error)
    return values


def objective_changes(state: State, stored: Objective, values: dict) -> list[tuple]:
    """(column, before, after) of each field of `values` that differs from `stored`."""
    changes = []
    for name, new in values.items():
        if name == "supports":
            before = state.supports.get(stored.pk, set())
            after = {text_of(o) for o in new}
            if before != after:
                changes.append((name, "; ".join(sorted(before)), "; ".join(sorted(after))))
            continue
        old = getattr(stored, name)
        if isinstance(new, NewTheme) or old != new:  # rows compare by id, decimals by value
            changes.append((name, text_of(old), text_of(new)))
    return changes


def plan_objectives(plan: Plan, state: State, rows: list[Row]) -> dict[str, Step]:
    """The Objectives sheet: a step per row, the refused rows named; the steps by code."""
    seen: dict[str, int] = {}
    steps: dict[str, Step] = {}
    new_themes: dict[str, NewTheme] = {}
    created_themes: set[NewTheme] = set()
    for row in rows:
        errors = RowErrors(plan, row)
        code = row.text("code")
        if code and code in seen:
            message = _("Row %(row)s already defines the objective %(code)s.")
            errors("code", message % {"row": seen[code], "code": code})
            continue
        seen[code] = row.number
        stored = state.objectives.get(code)
        values = _objective_values(state, row, stored, errors, new_themes)
        if not errors.ok:
            continue
        theme = values.get("theme")
        if isinstance(theme, NewTheme) and theme not in created_themes:
            created_themes.add(theme)  # by the first row naming it
            plan.add(
                Step("themes", CREATE, OBJECTIVES, row.number, theme.name, {"name": theme.name})
            )
        if stored is None:
            step = Step("objectives", CREATE, OBJECTIVES, row.number, code, values)
            step.changes = [("name", "", values["name"])]
        else:
            changes = objective_changes(state, stored, values)
            action = UPDATE if changes else UNCHANGED
            step = Step("objectives", action, OBJECTIVES, row.number, code, values, stored, changes)
        steps[code] = plan.add(step)
    return steps


# Arrows ---------------------------------------------------------------------------------------


def _arrow_end(state, row, name, objective_codes, errors) -> str | None:
    code = row.text(name)
    if not code:
        errors(name, _("Give the code of an objective of %(unit)s.") % {"unit": state.unit.code})
        return None
    if code not in objective_codes:
        errors(
            name,
            _(
                "%(code)s is not an objective of %(unit)s: an arrow joins two objectives of the "
                "unit's map, named by their codes (in the Objectives sheet or already there)."
            )
            % {"code": code, "unit": state.unit.code},
        )
        return None
    return code


def plan_arrows(plan: Plan, state: State, rows: list[Row], file_codes: set[str]) -> None:
    """The Arrows sheet: both ends are objectives of the unit (stored or in the file), two
    different ones, each pair once; a stored arrow is updated when its rationale changes."""
    codes = set(state.objectives) | file_codes
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        errors = RowErrors(plan, row)
        cause = _arrow_end(state, row, "cause", codes, errors)
        effect = _arrow_end(state, row, "effect", codes, errors)
        if not errors.ok:
            continue
        if cause == effect:
            errors("effect", constraint_message(CauseEffect, "cause_effect_not_self"))
            continue
        if (cause, effect) in seen:
            message = _("Row %(row)s already draws the arrow %(cause)s → %(effect)s.")
            errors(
                "effect", message % {"row": seen[cause, effect], "cause": cause, "effect": effect}
            )
            continue
        seen[cause, effect] = row.number
        label = f"{cause} → {effect}"
        stored = state.arrows.get((cause, effect))
        rationale = row.cells.get("rationale", "").strip()
        data = {"cause": cause, "effect": effect, "rationale": rationale}
        if stored is None:
            changes = [("rationale", "", rationale)] if rationale else []
            plan.add(Step("links", CREATE, ARROWS, row.number, label, data, changes=changes))
            continue
        changes = []
        if row.given("rationale") and stored.rationale != rationale:
            changes.append(("rationale", stored.rationale, rationale))
        action = UPDATE if changes else UNCHANGED
        plan.add(Step("links", action, ARROWS, row.number, label, data, stored, changes))
