"""The scorecard definition workbook: one file that holds a unit's whole scorecard (its
objectives, the arrows of its strategy map, its measures and their targets), to download as
a template, fill in or edit, and import into a unit (scorecard_import.py).

Layout: an "Instructions" sheet first (in the reader's language: what the workbook is for,
how rows are matched, then every sheet and column in plain words), then four sheets whose
names and column headers are fixed English words, read back whatever the language (as the
CSV uploads' headers are):

- Objectives: code, name, perspective, theme, weight, owner, supports, description
- Arrows: cause, effect, rationale
- Measures: code, objective, name, unit_label, polarity, frequency, aggregation, weight,
  tolerance, decimal_places, min_value, max_value, baseline, owner, formula, rollup,
  sources, description
- Targets: measure, period, target, red_flag

Cells are written with core/xlsx.py's kit: numbers as numbers, periods as months, text
always as text (a name "=HYPERLINK(...)" is a name, never a formula). For a unit with a
scorecard the template comes filled with it (the export of the round trip); targets of
closed months are left out, as they can no longer change.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.xlsx import XLSX, Column, new_workbook, open_workbook, read_sheet, workbook_bytes
from core.xlsx import write_table as write_sheet
from scorecards.models import CauseEffect, Measure, MeasureValue, Objective, OrgUnit, Perspective
from scorecards.periods import closing_month
from scorecards.selectors.reporting import closed_months

from .files import PackFile, file_name

OBJECTIVES, ARROWS, MEASURES, TARGETS = "Objectives", "Arrows", "Measures", "Targets"
SHEETS = (OBJECTIVES, ARROWS, MEASURES, TARGETS)
MAX_ROWS = 20_000  # rows of all sheets together, as a bulk upload of values
LIST_SEPARATORS = ";,\n"  # between codes in a cell: semicolons, as written; commas accepted


@dataclass(frozen=True)
class Field:
    """A column of a sheet: its header (read back), how its cells are written (`text`,
    `number`, `integer`, `month`), whether a sheet may leave it out, and what to write in
    it, for the Instructions sheet."""

    name: str
    kind: str
    required: bool
    help: Promise


def _f(name, kind, required, help_text) -> Field:
    return Field(name, kind, required, help_text)


CODE_HELP = gettext_lazy(
    "A code starts with a letter and holds only letters, digits and underscores."
)
OWNER_HELP = gettext_lazy("The username of the person responsible. Empty: no one.")
FIELDS: dict[str, tuple[Field, ...]] = {
    OBJECTIVES: (
        _f("code", "text", True, gettext_lazy("The objective's code, unique in the unit.")),
        _f("name", "text", True, gettext_lazy("What the unit must achieve.")),
        _f("perspective", "text", True, gettext_lazy("The name of a perspective.")),
        _f(
            "theme",
            "text",
            False,
            gettext_lazy(
                "The name of a strategic theme of the unit or of a unit above it. A name none "
                "of them has becomes a new theme of the unit. Empty: no theme."
            ),
        ),
        _f(
            "weight",
            "number",
            False,
            gettext_lazy("Its weight in its perspective's score, a positive number. Empty: 1."),
        ),
        _f("owner", "text", False, OWNER_HELP),
        _f(
            "supports",
            "text",
            False,
            gettext_lazy(
                "The objectives of units above this one that it supports, each as "
                "UNITCODE.CODE, separated by semicolons. Empty: none."
            ),
        ),
        _f("description", "text", False, gettext_lazy("What the objective means. Optional.")),
    ),
    ARROWS: (
        _f(
            "cause",
            "text",
            True,
            gettext_lazy("The code of the objective whose progress drives the other's."),
        ),
        _f("effect", "text", True, gettext_lazy("The code of the objective it drives.")),
        _f("rationale", "text", False, gettext_lazy("Why the cause drives the effect. Optional.")),
    ),
    MEASURES: (
        _f("code", "text", True, gettext_lazy("The measure's code, unique in the unit.")),
        _f(
            "objective",
            "text",
            True,
            gettext_lazy(
                "The code of the objective it measures. A measure stays with its objective "
                "once created."
            ),
        ),
        _f("name", "text", True, gettext_lazy("What is measured.")),
        _f(
            "unit_label",
            "text",
            False,
            gettext_lazy(
                "The unit of its figures: %, EUR, days. A measure in % takes figures from 0 to "
                "100 unless it has a valid range. Optional."
            ),
        ),
        _f(
            "polarity",
            "text",
            False,
            gettext_lazy(
                "increase (higher is better) or decrease (lower is better). Empty: increase."
            ),
        ),
        _f(
            "frequency",
            "text",
            False,
            gettext_lazy("monthly, quarterly or annual. Empty: monthly."),
        ),
        _f(
            "aggregation",
            "text",
            False,
            gettext_lazy(
                "How its periods make the year to date: sum, average or last. Empty: last."
            ),
        ),
        _f(
            "weight",
            "number",
            False,
            gettext_lazy("Its weight in its objective's score, a positive number. Empty: 1."),
        ),
        _f(
            "tolerance",
            "number",
            False,
            gettext_lazy(
                "Where the red flag lies when none is given, as a fraction of the target: 0.1 "
                "(or 10%) means 10%. Empty: 0.1."
            ),
        ),
        _f(
            "decimal_places",
            "integer",
            False,
            gettext_lazy("How many decimals its figures have, 0 to 6. Empty: as entered."),
        ),
        _f("min_value", "number", False, gettext_lazy("The lowest valid figure. Empty: no limit.")),
        _f(
            "max_value", "number", False, gettext_lazy("The highest valid figure. Empty: no limit.")
        ),
        _f(
            "baseline",
            "number",
            False,
            gettext_lazy("Where the measure stood before the strategy. Optional."),
        ),
        _f("owner", "text", False, OWNER_HELP),
        _f(
            "formula",
            "text",
            False,
            gettext_lazy(
                "For a calculated measure: a formula over measure codes (CODE for a measure of "
                "this unit, UNITCODE.CODE for another unit's) with + - * / ( ), numbers, min, "
                "max and abs, such as (REV - COGS) / REV * 100, without a leading =. Its "
                "actuals are computed; enter its targets. Empty: not calculated."
            ),
        ),
        _f(
            "rollup",
            "text",
            False,
            gettext_lazy(
                "For a measure combining measures of the units below: sum, average, min or "
                "max. Empty: none."
            ),
        ),
        _f(
            "sources",
            "text",
            False,
            gettext_lazy(
                "For a rollup: the measures it combines, each as UNITCODE.CODE of a unit below "
                "this one, separated by semicolons."
            ),
        ),
        _f("description", "text", False, gettext_lazy("What the measure means. Optional.")),
    ),
    TARGETS: (
        _f(
            "measure",
            "text",
            True,
            gettext_lazy(
                "The code of a measure of the unit (in the Measures sheet or already there)."
            ),
        ),
        _f(
            "period",
            "month",
            True,
            gettext_lazy(
                "The period's first month, YYYY-MM: a quarter or a fiscal year by its first month."
            ),
        ),
        _f("target", "number", True, gettext_lazy("The period's target. Empty: as stored.")),
        _f(
            "red_flag",
            "number",
            False,
            gettext_lazy(
                "The figure below which the measure is red (above which, for lower is better). "
                "Empty: as stored, or the target less the tolerance."
            ),
        ),
    ),
}


def sheet_title(sheet: str) -> str:
    """A sheet's name in the reader's language (the sheets keep their English names)."""
    return {
        OBJECTIVES: _("Objectives"),
        ARROWS: _("Arrows"),
        MEASURES: _("Measures"),
        TARGETS: _("Targets"),
    }[sheet]


# Writing --------------------------------------------------------------------------------------


def _plain(value):
    """A stored decimal as people write it (1, not 1.000; 4000, not 4E+3); other values as
    they are."""
    if not isinstance(value, Decimal):
        return value
    plain = value.normalize()
    return plain if plain.as_tuple().exponent <= 0 else plain.quantize(Decimal(1))


def _codes(objects) -> str:
    return "; ".join(sorted(f"{o.unit.code}.{o.code}" for o in objects))


def _username(user) -> str:
    return user.username if user is not None else ""


def objective_rows(unit: OrgUnit) -> list[list]:
    """The unit's objectives as rows of the Objectives sheet (two queries)."""
    objectives = (
        Objective.objects.filter(unit=unit)
        .select_related("perspective", "theme", "owner")
        .prefetch_related(
            Prefetch("supports", queryset=Objective.objects.select_related("unit").order_by())
        )
        .order_by("perspective__order", "code")
    )
    return [
        [
            o.code,
            o.name,
            o.perspective.name,
            o.theme.name if o.theme else "",
            _plain(o.weight),
            _username(o.owner),
            _codes(o.supports.all()),
            o.description,
        ]
        for o in objectives
    ]


def arrow_rows(unit: OrgUnit) -> list[list]:
    """The arrows of the unit's strategy map (one query)."""
    arrows = (
        CauseEffect.objects.filter(cause__unit=unit)
        .select_related("cause", "effect")
        .order_by("cause__code", "effect__code")
    )
    return [[a.cause.code, a.effect.code, a.rationale] for a in arrows]


def measure_rows(unit: OrgUnit) -> list[list]:
    """The unit's measures, every field that defines one (two queries)."""
    measures = (
        Measure.objects.filter(unit=unit)
        .select_related("objective", "owner")
        .prefetch_related(
            Prefetch("sources", queryset=Measure.objects.select_related("unit").order_by())
        )
        .order_by("code")
    )
    return [
        [
            m.code,
            m.objective.code,
            m.name,
            m.unit_label,
            m.polarity,
            m.frequency,
            m.aggregation,
            _plain(m.weight),
            _plain(m.tolerance),
            m.decimal_places,
            _plain(m.min_value),
            _plain(m.max_value),
            _plain(m.baseline),
            _username(m.owner),
            m.formula or "",
            m.rollup,
            _codes(m.sources.all()),
            m.description,
        ]
        for m in measures
    ]


def target_rows(unit: OrgUnit) -> list[list]:
    """The targets and red flags of the unit's measures in the months still open (two
    queries): a closed month's cannot change, so the file would only be refused them."""
    values = list(
        MeasureValue.objects.filter(measure__unit=unit)
        .filter(Q(target__isnull=False) | Q(red_flag__isnull=False))
        .order_by("measure__code", "period")
        .values_list("measure__code", "measure__frequency", "period", "target", "red_flag")
    )
    ends = {
        (period, frequency): closing_month(period, frequency)
        for _c, frequency, period, *_ in values
    }
    closed = closed_months(ends.values())
    return [
        [code, period, _plain(target), _plain(red_flag)]
        for code, frequency, period, target, red_flag in values
        if ends[period, frequency] not in closed
    ]


def _instructions(book, unit: OrgUnit, filled: bool) -> None:
    perspectives = ", ".join(Perspective.objects.order_by("order").values_list("name", flat=True))
    where = {"unit": unit.name, "code": unit.code}
    title = (
        _("Scorecard of %(unit)s (%(code)s)") % where
        if filled
        else _("Scorecard template for %(unit)s (%(code)s)") % where
    )
    notes = [
        title,
        _(
            "This workbook defines a unit's scorecard: its objectives, the arrows of its "
            "strategy map, its measures and their targets. Fill in the four sheets after this "
            "one, then import the file on the unit's Import a scorecard page."
        ),
        _(
            "Rows are matched by code within the unit: a code the unit has updates that "
            "objective or measure, a new code creates one. Nothing is deleted: what the file "
            "leaves out stays as it is."
        ),
        _(
            "The import first shows what it would create and change, and every row it refuses "
            "with its sheet, row and column; then it imports all of it, or nothing."
        ),
        _(
            "An empty cell of Objectives or Measures means no value, or the default said "
            "below; an empty figure in Targets keeps the stored one. A column left out of a "
            "sheet keeps what is stored. Keep the sheet names and the column headers as they "
            "are (in English)."
        ),
        _(
            "Targets of closed months are not listed and cannot be imported: OSM staff can "
            "reopen a month."
        ),
        _("Perspectives: %(names)s.") % {"names": perspectives},
        CODE_HELP,
    ]
    required = {True: _("Required"), False: _("Optional")}
    rows = [
        [sheet, field.name, required[field.required], str(field.help)]
        for sheet in SHEETS
        for field in FIELDS[sheet]
    ]
    columns = [
        Column(_("Sheet")),
        Column(_("Column")),
        Column(_("Required")),
        Column(_("What to write")),
    ]
    write_sheet(book, _("Instructions"), columns, rows, notes=notes)


def definition_workbook(unit: OrgUnit) -> bytes:
    """The workbook template of `unit`: filled with its scorecard if it has one (the export
    that imports back into the same scorecard), else empty with its headers. A fixed number
    of queries whatever the size of the scorecard."""
    rows = {
        OBJECTIVES: objective_rows(unit),
        ARROWS: arrow_rows(unit),
        MEASURES: measure_rows(unit),
        TARGETS: target_rows(unit),
    }
    book = new_workbook()
    _instructions(book, unit, filled=bool(rows[OBJECTIVES]))
    for sheet in SHEETS:
        columns = [Column(field.name, field.kind) for field in FIELDS[sheet]]
        write_sheet(book, sheet, columns, rows[sheet])
    return workbook_bytes(book)


def definition_file(unit: OrgUnit) -> PackFile:
    """The template as a download, named after what it holds and the day:
    `IND-scorecard-definition-2026-12-07.xlsx` (`...-scorecard-template-...` when empty)."""
    content = definition_workbook(unit)
    kind = (
        "scorecard-definition"
        if Objective.objects.filter(unit=unit).exists()
        else "scorecard-template"
    )
    name = file_name(unit.code, kind, timezone.localdate().isoformat(), ext="xlsx")
    return PackFile(name, XLSX, content)


# Reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A row of a sheet as read: its sheet, its number in the sheet (the header is row 1
    in the template), and its cells by column name (only the sheet's columns)."""

    sheet: str
    number: int
    cells: dict[str, str]

    def given(self, name: str) -> bool:
        """Whether the sheet has the column `name` (a column left out keeps what is stored)."""
        return name in self.cells

    def text(self, name: str) -> str:
        return self.cells.get(name, "").strip()


@dataclass(frozen=True)
class Definition:
    """A workbook's rows, sheet by sheet."""

    objectives: list[Row]
    arrows: list[Row]
    measures: list[Row]
    targets: list[Row]

    @property
    def size(self) -> int:
        return len(self.objectives) + len(self.arrows) + len(self.measures) + len(self.targets)


class WorkbookError(Exception):
    """A workbook that cannot be read as a scorecard definition: `errors` lists
    {"sheet", "row", "field", "message"}."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def problem(sheet, row, field, message) -> dict:
    """One refusal as the import names it: the sheet, the row, the column, the message."""
    return {"sheet": sheet, "row": row, "field": field, "message": str(message)}


def _sheet_rows(book, sheet: str, errors: list[dict]) -> list[Row]:
    try:
        table = read_sheet(book, sheet)
    except ValueError as exc:
        errors.append(problem(sheet, None, None, exc))
        return []
    known = {field.name for field in FIELDS[sheet]}
    header = table.header
    missing = [f.name for f in FIELDS[sheet] if f.required and f.name not in header]
    unknown = [name for name in header if name and name not in known]
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    for name in missing:
        message = _('The sheet "%(sheet)s" has no column "%(column)s".')
        errors.append(problem(sheet, 1, name, message % {"sheet": sheet, "column": name}))
    for name in unknown:
        message = _(
            '"%(column)s" is not a column of the sheet "%(sheet)s"; its columns are: %(columns)s.'
        )
        where = {
            "column": name,
            "sheet": sheet,
            "columns": ", ".join(f.name for f in FIELDS[sheet]),
        }
        errors.append(problem(sheet, 1, name, message % where))
    for name in repeated:
        message = _('The column "%(column)s" appears twice.') % {"column": name}
        errors.append(problem(sheet, 1, name, message))
    if missing or unknown or repeated:
        return []
    rows = []
    for number, cells in table.rows:
        padded = cells + [""] * (len(header) - len(cells))
        rows.append(Row(sheet, number, {name: padded[i] for i, name in enumerate(header) if name}))
    return rows


def read_definition(body: bytes) -> Definition:
    """The rows of a scorecard workbook; WorkbookError naming every problem of its shape
    (not a workbook, a sheet or a required column missing, a column unknown or given twice,
    no rows, too many rows). Rows are checked by the import."""
    try:
        book = open_workbook(body)
    except ValueError as exc:
        raise WorkbookError([problem(None, None, None, exc)]) from None
    errors: list[dict] = []
    try:
        sheets = {sheet: _sheet_rows(book, sheet, errors) for sheet in SHEETS}
    except Exception as exc:  # a damaged workbook (openpyxl raises many kinds): no 500
        raise WorkbookError(
            [
                problem(
                    None, None, None, _("The workbook cannot be read: %(error)s") % {"error": exc}
                )
            ]
        ) from None
    finally:
        book.close()
    if errors:
        raise WorkbookError(errors)
    definition = Definition(*(sheets[sheet] for sheet in SHEETS))
    if not definition.size:
        raise WorkbookError([problem(None, None, None, _("The workbook has no rows to import."))])
    if definition.size > MAX_ROWS:
        message = _("At most %(number)s rows at once; split the workbook.") % {"number": MAX_ROWS}
        raise WorkbookError([problem(None, None, None, message)])
    return definition


def split_codes(text: str) -> list[str]:
    """The codes of a list cell ("MERIDIAN.F_GROW; MERIDIAN.C_SAT"), each once, in order."""
    for separator in LIST_SEPARATORS[1:]:
        text = text.replace(separator, LIST_SEPARATORS[0])
    codes = [code.strip() for code in text.split(LIST_SEPARATORS[0])]
    return list(dict.fromkeys(code for code in codes if code))
