"""The budget pages: a unit subtree's fiscal year (split by category, linked share, lines
not linked, every line) and the editing of lines through the services."""

import copy

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from core.clock import current_fiscal_year
from core.formatting import money_text
from core.roles import OSM_STAFF, UNIT_HEAD, group_names, has_role
from core.scoping import headed_subtree_ids
from core.views import NOT_HERE, Crumb, ServiceDeleteView, ServiceFormView
from scorecards.display import show_unit
from scorecards.models import OrgUnit
from scorecards.selectors import enterprise_unit, unit_tree

from . import charts, selectors, services
from .choices import BudgetCategory
from .forms import BudgetFilterForm, BudgetLineForm
from .models import BudgetLine

LINES_PER_PAGE = 50
UNLINKED_SHOWN = 100
NO_ROLE = gettext_lazy("You have no role in OSM that shows budgets: ask the OSM staff.")


def _headed_units(user):
    """The units a unit head heads and those below them; none for anyone else."""
    if UNIT_HEAD in group_names(user):
        return OrgUnit.objects.filter(id__in=headed_subtree_ids(user))
    return OrgUnit.objects.none()


def _default_unit(user, root: OrgUnit | None) -> OrgUnit | None:
    """The enterprise (`root`); for a unit head who may not see it, the first unit he
    heads."""
    if root is None or user.has_perm("budgets.view_budgetline", root):
        return root
    return user.headed_units.order_by("code").first() or root


def _visible_units(user, root: OrgUnit | None) -> list[tuple[OrgUnit, int]]:
    """The units the filter offers, in tree order with their depths (any code is accepted;
    the rules decide)."""
    tree = unit_tree()
    if root is not None and user.has_perm("budgets.view_budgetline", root):
        return tree
    headed = headed_subtree_ids(user) if UNIT_HEAD in group_names(user) else set()
    return [(unit, depth) for unit, depth in tree if unit.pk in headed]


def _writable_units(user):
    """The units a new or moved line may go to: all for OSM staff, the headed subtree for
    a unit head (the rules are asked again for the unit chosen)."""
    if has_role(user, OSM_STAFF):
        return OrgUnit.objects.all()
    return _headed_units(user)


def unit_year(unit: OrgUnit, year: int) -> str:
    """'Meridian Group, FY2026': a unit's fiscal year, in the breadcrumbs and the chart's title."""
    return _("%(unit)s, FY%(year)s") % {"unit": unit, "year": year}


def _page_url(unit: OrgUnit, year: int) -> str:
    return f"{reverse('budgets:index')}?{urlencode({'unit': unit.code, 'fiscal_year': year})}"


@login_required
@require_safe
def budget_page(request):
    """`/budgets/?unit=CODE&fiscal_year=YYYY&page=N` (defaults: the enterprise, this year):
    planned and actual by category with a chart, the linked and STRATEX shares, each unit
    of the subtree, the lines not linked and every line."""
    user = request.user
    if not user.has_perm("budgets.view_budgetline"):
        raise PermissionDenied(NO_ROLE)
    root = enterprise_unit()
    form = BudgetFilterForm(
        request.GET or None,
        visible_units=_visible_units(user, root),
        initial={"fiscal_year": current_fiscal_year()},
    )
    if request.GET and not form.is_valid():
        return render(request, "budgets/page.html", {"form": form}, status=400)
    data = form.cleaned_data if request.GET else {}
    unit = data.get("unit") or _default_unit(user, root)
    if unit is None:
        return render(request, "budgets/page.html", {"form": form, "empty": True})
    if not user.has_perm("budgets.view_budgetline", unit):
        raise PermissionDenied(_("You may not see the budget of %(unit)s.") % {"unit": unit})
    show_unit(form, unit)
    year = data.get("fiscal_year") or current_fiscal_year()

    summary = selectors.budget_summary(unit, year)
    unlinked = list(selectors.unlinked_lines(unit, year)[:UNLINKED_SHOWN])
    # The sums already counted every line: no COUNT query for the pages.
    lines = Paginator(selectors.all_lines(unit, year), LINES_PER_PAGE)
    lines.count = summary.total.lines
    page = lines.get_page(request.GET.get("page"))
    shown = {line.pk: line for line in (*unlinked, *page.object_list)}
    context = {
        "form": form,
        "unit": unit,
        "fiscal_year": year,
        "summary": summary,
        "categories": [(c.value, c.label) for c in BudgetCategory],
        "category_rows": [
            (value, label, summary.by_category[value]) for value, label in BudgetCategory.choices
        ],
        "chart": charts.category_split(
            [
                (c.upper(), summary.by_category[c].planned, summary.by_category[c].actual)
                for c in BudgetCategory.values
            ],
            unit_year(unit, year),
        ),
        "unlinked": unlinked,
        "unlinked_count": summary.total.lines_unlinked,
        "page": page,
        "page_query": urlencode({"unit": unit.code, "fiscal_year": year}),
        "can_add": user.has_perm("budgets.add_budgetline", unit),
        "can_change": {
            pk for pk, line in shown.items() if user.has_perm("budgets.change_budgetline", line)
        },
        "can_delete": {
            pk for pk, line in shown.items() if user.has_perm("budgets.delete_budgetline", line)
        },
    }
    return render(request, "budgets/page.html", context)


def _year_param(request) -> int:
    text = request.GET.get("fiscal_year", "")
    if text.isdigit() and 1900 <= int(text) <= 2999:
        return int(text)
    return current_fiscal_year()


def _line_or_404(pk: int) -> BudgetLine:
    return get_object_or_404(
        BudgetLine.objects.select_related("unit", "objective__unit", "initiative__unit"), pk=pk
    )


def _line_crumbs(unit: OrgUnit, year: int, step: str) -> list[Crumb]:
    return [
        Crumb(_("Budgets"), reverse("budgets:index")),
        Crumb(unit_year(unit, year), _page_url(unit, year)),
        Crumb(step),
    ]


class _LineFormPage(ServiceFormView):
    """What the new and edit pages of a line share: the units it may go to, the objectives
    and initiatives offered (those of `chain_unit` and the units above it), the words."""

    form_class = BudgetLineForm

    def chain_unit(self) -> OrgUnit:
        raise NotImplementedError

    def get_form_kwargs(self) -> dict:
        return {
            **super().get_form_kwargs(),
            "units": _writable_units(self.request.user),
            "chain_unit": self.chain_unit(),
        }

    @property
    def lead(self):
        return _(
            "Objectives and initiatives offered are those of %(unit)s and of the units above it."
        ) % {"unit": self.chain_unit().code}

    def refuse_unit(self, unit: OrgUnit, permission: str, message: str) -> None:
        """The unit chosen on the form is asked of the rules again (403)."""
        if not self.request.user.has_perm(permission, unit):
            raise PermissionDenied(message)

    def success_url(self, saved):
        return _page_url(saved.unit, saved.fiscal_year)


class LineCreate(_LineFormPage):
    """`/budgets/lines/new/?unit=CODE&fiscal_year=YYYY`: a new line for the unit."""

    permission = "budgets.add_budgetline"
    submit_label = gettext_lazy("Add the line")

    @cached_property
    def unit(self) -> OrgUnit | None:
        code = self.request.GET.get("unit")
        if code:
            return get_object_or_404(OrgUnit, code=code)
        return _default_unit(self.request.user, enterprise_unit())

    def permission_object(self):
        if self.unit is None:  # no organisation yet
            raise PermissionDenied(NOT_HERE)
        return self.unit

    def chain_unit(self):
        return self.unit

    def get_form_kwargs(self):
        initial = {"unit": self.unit, "fiscal_year": _year_param(self.request), "actual": 0}
        return {**super().get_form_kwargs(), "initial": initial}

    def save(self, form):
        target = form.cleaned_data["unit"]
        self.refuse_unit(
            target,
            self.permission,
            _("You may not add budget lines to %(unit)s.") % {"unit": target.code},
        )
        return services.budget_line_create(actor=self.request.user, data=form.cleaned_data)

    def title(self):
        return _("New budget line for %(unit)s") % {"unit": self.unit}

    def crumbs(self):
        return _line_crumbs(self.unit, _year_param(self.request), _("New line"))

    def cancel_url(self):
        return f"{reverse('budgets:index')}?{urlencode({'unit': self.unit.code})}"

    def success_message(self, saved):
        return _("Budget line “%(label)s” added to %(unit)s.") % {
            "label": saved.label,
            "unit": saved.unit.code,
        }


class LineEdit(_LineFormPage):
    """`/budgets/lines/<id>/edit/`: change a line (its unit too, within what the user may
    write to)."""

    permission = "budgets.change_budgetline"

    def get_object(self):
        return _line_or_404(self.kwargs["pk"])

    def chain_unit(self):
        return self.object.unit

    def get_form_kwargs(self):
        line = self.object
        initial = {name: getattr(line, name) for name in BudgetLineForm.base_fields}
        return {**super().get_form_kwargs(), "line": line, "initial": initial}

    def save(self, form):
        target = form.cleaned_data["unit"]
        self.refuse_unit(
            target,
            self.permission,
            _("You may not move budget lines to %(unit)s.") % {"unit": target.code},
        )
        # A copy: on a refusal the page still shows the line as it is stored.
        return services.budget_line_update(
            actor=self.request.user, instance=copy.copy(self.object), data=form.cleaned_data
        )

    def title(self):
        return _("Edit budget line %(label)s") % {"label": self.object.label}

    def crumbs(self):
        return _line_crumbs(self.object.unit, self.object.fiscal_year, _("Edit line"))

    def cancel_url(self):
        return _page_url(self.object.unit, self.object.fiscal_year)

    def success_message(self, saved):
        return _("Budget line “%(label)s” saved.") % {"label": saved.label}


class LineDelete(ServiceDeleteView):
    """`/budgets/lines/<id>/delete/`: asks, then deletes on POST."""

    permission = "budgets.delete_budgetline"
    service = services.budget_line_delete

    def get_object(self):
        return _line_or_404(self.kwargs["pk"])

    def title(self):
        return _("Delete budget line %(label)s") % {"label": self.object.label}

    def crumbs(self):
        return _line_crumbs(self.object.unit, self.object.fiscal_year, _("Delete line"))

    def details(self):
        line = self.object
        return _(
            "%(unit)s · FY%(year)s · %(category)s · planned %(planned)s, actual %(actual)s."
        ) % {
            "unit": line.unit.code,
            "year": line.fiscal_year,
            "category": line.category.upper(),
            "planned": money_text(line.planned),
            "actual": money_text(line.actual),
        }

    def question(self):
        return _("Delete this line? Its change history is kept.")

    def back_url(self):
        return _page_url(self.object.unit, self.object.fiscal_year)

    def success_message(self, deleted):
        return _("Budget line “%(label)s” deleted.") % {"label": deleted.label}
