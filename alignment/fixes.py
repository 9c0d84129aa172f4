"""Where each gap the Alignment page lists is fixed: a link to the app's own page for it
(never to the admin), offered to the users the rules let fix it there.

- an objective no objective below supports: a new objective in a unit right below it,
  ticked to support it (one link per unit below where the user may add objectives);
- an objective linked to nothing above: its edit page (what it supports);
- an unfunded red or yellow objective: a new initiative of its unit advancing it;
- an overdue measure: the measure's page, where its value is entered;
- a budget line linked to nothing: its edit page;
- an employee without an aligned goal: the employee's goals of the year;
- an incentive component linked to nothing: its edit page.

The rules are asked per unit of the report (in memory, one query for the units), never per
item, so the page's queries do not grow with the lists.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from scorecards.models import OrgUnit

from .selectors import AlignmentReport, Item


@dataclass(frozen=True)
class Fix:
    """A link to the page where a gap is fixed."""

    label: str
    url: str


@dataclass(frozen=True)
class Row:
    """One item of a list with the links that fix it (none where the user may not)."""

    item: Item
    fixes: tuple[Fix, ...]


@dataclass(frozen=True)
class Shown:
    """A list as the page shows it: its name, its first rows, and how many items it has in
    all."""

    name: str
    rows: list[Row]
    count: int


def _url(name: str, *args, query: dict | None = None) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


class _Units:
    """The report's units by code, and which of them a permission is held in."""

    def __init__(self, report: AlignmentReport, user):
        self.user = user
        self.by_code = {
            u.code: u
            for u in OrgUnit.objects.filter(pk__in=[row.id for row in report.units]).only(
                "id", "code", "parent_id"
            )
        }
        self.children: dict[int, list[OrgUnit]] = defaultdict(list)
        for unit in sorted(self.by_code.values(), key=lambda u: u.code):
            self.children[unit.parent_id].append(unit)
        self._asked: dict[tuple[str, int], bool] = {}

    def may(self, permission: str, unit: OrgUnit | None) -> bool:
        if unit is None:
            return False
        key = (permission, unit.pk)
        if key not in self._asked:
            self._asked[key] = self.user.has_perm(permission, unit)
        return self._asked[key]


def _not_cascaded(item: Item, units: _Units, year: int) -> list[Fix]:
    unit = units.by_code.get(item.unit_code)
    below = units.children.get(unit.pk, []) if unit else []
    return [
        Fix(
            _("Cascade into %(unit)s") % {"unit": child.code},
            _url("objective-new", child.code, query={"supports": item.id}),
        )
        for child in below
        if units.may("scorecards.add_objective", child)
    ]


def _unlinked_objective(item: Item, units: _Units, year: int) -> list[Fix]:
    if not units.may("scorecards.change_objective", units.by_code.get(item.unit_code)):
        return []
    return [Fix(_("Link it to an objective above"), _url("objective-edit", item.id))]


def _unfunded(item: Item, units: _Units, year: int) -> list[Fix]:
    unit = units.by_code.get(item.unit_code)
    if not units.may("initiatives.add_initiative", unit):
        return []
    query = {"unit": unit.pk, "objectives": item.id}
    return [Fix(_("Start an initiative for it"), _url("initiatives:new", query=query))]


def _overdue(item: Item, units: _Units, year: int) -> list[Fix]:
    return [Fix(_("Enter the value"), _url("measure", item.id))]


def _budget_line(item: Item, units: _Units, year: int) -> list[Fix]:
    if not units.may("budgets.change_budgetline", units.by_code.get(item.unit_code)):
        return []
    return [Fix(_("Link it"), _url("budgets:line-edit", item.id))]


def _employee(item: Item, units: _Units, year: int) -> list[Fix]:
    if not units.may("people.view_employee", units.by_code.get(item.unit_code)):
        return []
    return [Fix(_("Goals"), _url("people:employee", item.id, query={"fiscal_year": year}))]


def _incentive(item: Item, units: _Units, year: int) -> list[Fix]:
    if not units.may("people.change_incentivecomponent", units.by_code.get(item.unit_code)):
        return []
    return [Fix(_("Link it"), _url("people:incentive-edit", item.id))]


FIXES = {
    "not_cascaded": _not_cascaded,
    "unlinked_objectives": _unlinked_objective,
    "unfunded_gaps": _unfunded,
    "overdue_measures": _overdue,
    "unlinked_budget_lines": _budget_line,
    "unaligned_employees": _employee,
    "unlinked_incentives": _incentive,
}


SHOWN = 50  # items of a list the page shows; all of one list when asked


def fix_links(report: AlignmentReport, user, *, limit: int = SHOWN, whole: str = "") -> dict:
    """Each list of `report` as the page shows it (its first `limit` items, every item of
    the list named `whole`), every item with the links that fix it for `user`."""
    units = _Units(report, user)
    shown = {}
    for name, fix in FIXES.items():
        items = getattr(report.lists, name)
        first = items if name == whole else items[:limit]
        rows = [Row(item, tuple(fix(item, units, report.fiscal_year))) for item in first]
        shown[name] = Shown(name, rows, len(items))
    return shown
