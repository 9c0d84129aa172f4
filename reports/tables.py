"""The tables of the report packs, from the same readings the pages and the API show: a
unit's scorecard, a measure's history, the alignment report, a budget, the initiative
portfolio and a subtree's goals and incentive components. Pure shaping (no ORM): each
builder takes what a selector read and gives `Table`s, which `files.py` writes as a
workbook or a CSV.

Figures stay exact until the file: actuals, targets and red flags as Decimals with the
digits the API gives (six places at most), scores with two, percentages 0-100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.formatting import api_decimal, api_number, status_word
from core.xlsx import Column
from scorecards import scoring

STATUSES = ("green", "yellow", "red", "no_data")


@dataclass
class Table:
    """A titled table: `notes` are lines above it (what, as of when), then the columns."""

    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def figure(value: Fraction | Decimal | None) -> Decimal | None:
    """An actual, target, red flag or amount as the API gives it (six places at most)."""
    text = api_decimal(value)
    return None if text is None else Decimal(text)


def score(value: Fraction | None) -> float | None:
    """A 0-10 score or a 0-100 percentage with two decimals."""
    return api_number(value)


def status_words() -> dict[str, str]:
    """The status codes in the reader's words (On target, Watch, Off target, No data)."""
    return {code: status_word(code) for code in STATUSES}


def trend_word(trend: str | None) -> str:
    return {"up": _("Up"), "down": _("Down"), "flat": _("Flat")}.get(trend or "", "")


# A unit's scorecard ---------------------------------------------------------------------------


def scorecard_tables(card, *, company: str) -> list[Table]:
    """The scorecard as of a month (or year to date): the perspectives' summary, then one
    row per measure with its perspective and objective (an objective without measures, scored
    from its cascade, has a row of its own)."""
    when = card.as_of.strftime("%Y-%m")
    basis = _("year to date") if card.ytd else _("the latest period")
    notes = [
        f"{company} · {card.unit.code} {card.unit.name}",
        _("Scorecard as of %(month)s (%(basis)s); overall score %(score)s, %(status)s.")
        % {
            "month": when,
            "basis": basis,
            "score": _("none") if card.score is None else f"{score(card.score):.2f}",
            "status": status_word(card.status),
        },
    ]
    summary = Table(
        _("Perspectives"),
        [
            Column(_("Perspective")),
            Column(_("Score"), "number", 2),
            Column(_("Status"), "status"),
            Column(_("Objectives"), "integer"),
        ],
        notes=notes,
    )
    measures = Table(
        _("Scorecard"),
        [
            Column(_("Perspective")),
            Column(_("Objective code")),
            Column(_("Objective")),
            Column(_("Objective score"), "number", 2),
            Column(_("Objective status"), "status"),
            Column(_("Measure code")),
            Column(_("Measure")),
            Column(_("Unit of measure")),
            Column(_("Period"), "date"),
            Column(_("Actual"), "number"),
            Column(_("Target"), "number"),
            Column(_("Red flag"), "number"),
            Column(_("Score"), "number", 2),
            Column(_("Status"), "status"),
            Column(_("Trend")),
            Column(_("Overdue")),
        ],
        notes=notes,
    )
    for perspective in card.perspectives:
        summary.rows.append(
            [perspective.name, score(perspective.score), perspective.status,
             len(perspective.objectives)]
        )  # fmt: skip
        for objective in perspective.objectives:
            head = [
                perspective.name,
                objective.code,
                objective.name,
                score(objective.score),
                objective.status,
            ]
            if not objective.measures:
                measures.rows.append([*head, *[None] * 11])
            for m in objective.measures:
                measures.rows.append(
                    [
                        *head,
                        m.code,
                        m.name,
                        m.unit_label,
                        m.period,
                        figure(m.actual),
                        figure(m.target),
                        figure(m.red_flag),
                        score(m.score),
                        m.status,
                        trend_word(m.trend),
                        _("yes") if m.overdue else "",
                    ]
                )
    return [summary, measures]


# A measure's history --------------------------------------------------------------------------


def history_table(series, *, unit_name: str) -> Table:
    """Every stored period of a measure: actual, target, red flag (entered, or the default
    from the tolerance, as scored), score and status."""
    info = series.measure
    label = f" ({info.unit_label})" if info.unit_label else ""
    table = Table(
        _("History"),
        [
            Column(_("Period"), "date"),
            Column(_("Actual"), "number", info.decimal_places),
            Column(_("Target"), "number", info.decimal_places),
            Column(_("Red flag"), "number", info.decimal_places),
            Column(_("Score"), "number", 2),
            Column(_("Status"), "status"),
        ],
        notes=[
            f"{info.unit_code} {unit_name} · {info.code} {info.name}{label}",
            _("Polarity: %(polarity)s; frequency: %(frequency)s.")
            % {"polarity": info.polarity, "frequency": info.frequency},
        ],
    )
    for row in scored_history(series):
        table.rows.append(
            [row.period, figure(row.actual), figure(row.target), figure(row.red_flag),
             score(row.score), row.status]
        )  # fmt: skip
    return table


@dataclass(frozen=True)
class ScoredPeriod:
    period: object
    actual: Fraction | None
    target: Fraction | None
    red_flag: Fraction | None  # entered, or the default from the tolerance
    score: Fraction | None
    status: str


def scored_history(series) -> list[ScoredPeriod]:
    """Each stored period of a measure scored as DESIGN.md "Scoring" says: the red flag
    entered or, where a target has none, the default from the measure's tolerance."""
    info = series.measure
    rows = []
    for value in series.ordered():
        red_flag = value.red_flag
        if red_flag is None and value.target is not None:
            red_flag = scoring.default_red_flag(value.target, info.polarity, info.tolerance)
        args = (value.actual, value.target, red_flag, info.polarity, info.tolerance)
        rows.append(
            ScoredPeriod(value.period, value.actual, value.target, red_flag,
                         scoring.measure_score(*args), scoring.measure_status(*args))
        )  # fmt: skip
    return rows


# The alignment report -------------------------------------------------------------------------


def alignment_tables(report, *, labels: dict, lists: Sequence, company: str) -> list[Table]:
    """The subtree's metrics, each unit's row, and one table per list of what is out of line
    (`lists`: (name, title) of those the reader may see)."""
    names = list(labels)
    notes = [
        f"{company} · {report.unit.code} {report.unit.name}",
        _("Alignment, fiscal year %(year)s (statuses of %(month)s).")
        % {"year": report.fiscal_year, "month": report.status_month.strftime("%Y-%m")},
    ]
    metrics = Table(
        _("Alignment"),
        [Column(_("Metric")), Column(_("Value (%)"), "percent", 1)],
        notes=notes,
    )
    values = report.metrics.as_dict()
    for name in names:
        metrics.rows.append([str(labels[name]), score(values[name])])
    units = Table(
        _("Units"),
        [Column(_("Unit code")), Column(_("Unit")), Column(_("Depth"), "integer")]
        + [Column(str(labels[name]), "percent", 1) for name in names],
        notes=notes,
    )
    for unit in report.units:
        unit_values = unit.metrics.as_dict()
        units.rows.append(
            [unit.code, unit.name, unit.depth, *[score(unit_values[n]) for n in names]]
        )
    tables = [metrics, units]
    for name, title in lists:
        table = Table(
            str(title)[:31],
            [Column(_("Unit code")), Column(pgettext("alignment list column", "Item")),
             Column(_("Detail"))],
            notes=[str(title), *notes[:1]],
        )  # fmt: skip
        for item in getattr(report.lists, name):
            detail = status_word(item.status) if item.status else item.detail
            table.rows.append([item.unit_code, item.label, detail])
        tables.append(table)
    return tables


# Budget and portfolio -------------------------------------------------------------------------


def budget_tables(summary, lines, *, categories: dict, company: str) -> list[Table]:
    """The subtree's budget for a year: by category (planned, actual, linked share), by unit,
    then every line with what it is linked to."""
    notes = [
        f"{company} · {summary.unit.code} {summary.unit.name}",
        _("Budget, fiscal year %(year)s.") % {"year": summary.fiscal_year},
    ]
    money = Column(_("Planned"), "number", 2), Column(_("Actual"), "number", 2)
    by_category = Table(
        _("By category"),
        [Column(_("Category")), *money, Column(_("Linked to strategy (%)"), "percent", 1),
         Column(_("Lines"), "integer")],
        notes=notes,
    )  # fmt: skip
    for code, amounts in [*summary.by_category.items(), ("", summary.total)]:
        by_category.rows.append(
            [
                str(categories.get(code, _("Total"))),
                amounts.planned,
                amounts.actual,
                score(amounts.linked_share),
                amounts.lines,
            ]
        )
    by_unit = Table(
        _("By unit"),
        [Column(_("Unit code")), Column(_("Unit")), *money,
         Column(_("Linked to strategy (%)"), "percent", 1)],
        notes=notes,
    )  # fmt: skip
    for unit in summary.units:
        total = unit.total
        by_unit.rows.append(
            [unit.code, unit.name, total.planned, total.actual, score(total.linked_share)]
        )
    every_line = Table(
        _("Lines"),
        [Column(_("Unit code")), Column(_("Category")), Column(_("Label")), *money,
         Column(_("Objective")), Column(_("Initiative"))],
        notes=notes,
    )  # fmt: skip
    for line in lines:
        every_line.rows.append(
            [
                line.unit.code,
                str(categories.get(line.category, line.category)),
                line.label,
                line.planned,
                line.actual,
                _code_name(line.objective),
                _code_name(line.initiative),
            ]
        )
    return [by_category, by_unit, every_line]


def _code_name(row) -> str:
    if row is None:
        return ""
    return f"{row.unit.code}.{row.code} {row.name}"


def portfolio_table(initiatives, *, show_money: bool, company: str, title: str) -> Table:
    """The initiatives (as `initiatives.selectors.portfolio` reads them): unit, code, name,
    owner, dates, status, percent complete, milestones done of due, the objectives they
    advance and, for who may see budgets, planned and actual money linked to each."""
    columns = [
        Column(_("Unit code")),
        Column(_("Code")),
        Column(_("Initiative")),
        Column(_("Owner")),
        Column(_("Start"), "date"),
        Column(_("End"), "date"),
        Column(_("Status")),
        Column(_("Complete (%)"), "percent", 0),
        Column(_("Milestones done")),
        Column(_("Next milestone")),
        Column(_("Objectives")),
    ]
    if show_money:
        columns += [Column(_("Planned"), "number", 2), Column(_("Actual"), "number", 2)]
    table = Table(_("Initiatives"), columns, notes=[company, title])
    today = timezone.localdate()
    for initiative in initiatives:
        milestones = list(initiative.milestones.all())
        done = sum(1 for m in milestones if m.done_on is not None)
        upcoming = [m for m in milestones if m.done_on is None]
        next_one = (
            f"{upcoming[0].due.isoformat()} {upcoming[0].name}"
            + (" " + _("(late)") if upcoming[0].due < today else "")
            if upcoming
            else ""
        )
        row = [
            initiative.unit.code,
            initiative.code,
            initiative.name,
            _person(initiative.owner),
            initiative.start,
            initiative.end,
            initiative.get_status_display(),
            initiative.percent_complete,
            f"{done}/{len(milestones)}",
            next_one,
            "; ".join(f"{o.unit.code}.{o.code}" for o in initiative.objectives.all()),
        ]
        if show_money:
            row += [getattr(initiative, "planned_total", None),
                    getattr(initiative, "actual_total", None)]  # fmt: skip
        table.rows.append(row)
    return table


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


# People: goals and incentive components (pay data) -------------------------------------------


def _strategy_code(row) -> str:
    """An objective or measure as UNIT.CODE (codes are unique within a unit only)."""
    return "" if row is None else f"{row.unit.code}.{row.code}"


def _weight(value: Decimal) -> Decimal:
    """A stored weight (three places) without its trailing zeros: 2, 0.5 (never 1E+1)."""
    return Decimal(format(value.normalize(), "f"))


def _people_columns() -> list[Column]:
    return [Column(_("Employee")), Column(_("E-mail")), Column(_("Unit code"))]


def goal_table(goals, *, notes: list[str]) -> Table:
    """One row per goal (`goals` with employee, unit, objective and measure joined):
    employee, e-mail, unit, kind, title, weight, the objective and measure it serves
    (UNIT.CODE) and its progress (0-100)."""
    table = Table(
        _("Goals"),
        [*_people_columns(), Column(_("Kind")), Column(_("Title")), Column(_("Weight"), "number"),
         Column(_("Objective code")), Column(_("Measure code")),
         Column(_("Progress (%)"), "percent", 0)],
        notes=notes,
    )  # fmt: skip
    for goal in goals:
        employee = goal.employee
        table.rows.append(
            [employee.name, employee.email, employee.unit.code, goal.get_kind_display(),
             goal.title, _weight(goal.weight), _strategy_code(goal.objective),
             _strategy_code(goal.measure), goal.progress]
        )  # fmt: skip
    return table


def incentive_table(incentives, *, notes: list[str]) -> Table:
    """One row per incentive component (employee, unit, objective and measure joined):
    employee, e-mail, unit, name, weight and the objective and measure it is linked to."""
    table = Table(
        _("Incentive components"),
        [*_people_columns(), Column(_("Component")), Column(_("Weight"), "number"),
         Column(_("Objective code")), Column(_("Measure code"))],
        notes=notes,
    )  # fmt: skip
    for component in incentives:
        employee = component.employee
        table.rows.append(
            [employee.name, employee.email, employee.unit.code, component.name,
             _weight(component.weight), _strategy_code(component.objective),
             _strategy_code(component.measure)]
        )  # fmt: skip
    return table
