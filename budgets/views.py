"""The budget pages: a unit subtree's fiscal year (split by category, linked share, lines
not linked, every line) and the editing of lines through the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_safe

from core.clock import current_fiscal_year
from core.roles import OSM_STAFF, UNIT_HEAD, group_names, has_role
from core.scoping import headed_subtree_ids
from scorecards.models import OrgUnit
from scorecards.selectors import enterprise_unit

from . import charts, selectors, services
from .choices import BudgetCategory
from .forms import BudgetFilterForm, BudgetLineForm
from .models import BudgetLine

LINES_PER_PAGE = 50
UNLINKED_SHOWN = 100
NO_ROLE = "You have no role in OSM that shows budgets: ask the OSM staff."


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


def _visible_units(user, root: OrgUnit | None):
    """The units the filter offers (any code is accepted; the rules decide)."""
    if root is not None and user.has_perm("budgets.view_budgetline", root):
        return OrgUnit.objects.order_by("code")
    return _headed_units(user).order_by("code")


def _writable_units(user):
    """The units a new or moved line may go to: all for OSM staff, the headed subtree for
    a unit head (the rules are asked again for the unit chosen)."""
    if has_role(user, OSM_STAFF):
        return OrgUnit.objects.all()
    return _headed_units(user)


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
        raise PermissionDenied(f"You may not see the budget of {unit.code}.")
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
            f"{unit.code} FY{year}",
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


def _line_form_page(request, form, *, line=None, status=200):
    return render(
        request,
        "budgets/line_form.html",
        {"form": form, "line": line, "unit": form.chain_unit},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def line_create(request):
    """`/budgets/lines/new/?unit=CODE&fiscal_year=YYYY`: a new line for the unit."""
    user = request.user
    code = request.GET.get("unit")
    unit = get_object_or_404(OrgUnit, code=code) if code else _default_unit(user, enterprise_unit())
    if unit is None or not user.has_perm("budgets.add_budgetline", unit):
        raise PermissionDenied("You may not add budget lines to this unit.")
    initial = {"unit": unit, "fiscal_year": _year_param(request), "actual": 0}
    form = BudgetLineForm(
        request.POST or None, units=_writable_units(user), chain_unit=unit, initial=initial
    )
    if request.method == "POST":
        if form.is_valid():
            target = form.cleaned_data["unit"]
            if not user.has_perm("budgets.add_budgetline", target):
                raise PermissionDenied(f"You may not add budget lines to {target.code}.")
            try:
                line = services.budget_line_create(by=user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"Budget line “{line.label}” added to {target.code}.")
                return redirect(_page_url(target, line.fiscal_year))
        return _line_form_page(request, form, status=400)
    return _line_form_page(request, form)


def _year_param(request) -> int:
    text = request.GET.get("fiscal_year", "")
    if text.isdigit() and 1900 <= int(text) <= 2999:
        return int(text)
    return current_fiscal_year()


def _line_or_404(pk: int) -> BudgetLine:
    return get_object_or_404(
        BudgetLine.objects.select_related("unit", "objective__unit", "initiative__unit"), pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def line_edit(request, pk: int):
    """`/budgets/lines/<id>/edit/`: change a line (its unit too, within what the user may
    write to)."""
    user = request.user
    line = _line_or_404(pk)
    if not user.has_perm("budgets.change_budgetline", line):
        raise PermissionDenied("You may not change this budget line.")
    initial = {
        "unit": line.unit,
        "fiscal_year": line.fiscal_year,
        "category": line.category,
        "label": line.label,
        "planned": line.planned,
        "actual": line.actual,
        "objective": line.objective,
        "initiative": line.initiative,
    }
    form = BudgetLineForm(
        request.POST or None,
        units=_writable_units(user),
        chain_unit=line.unit,
        line=line,
        initial=initial,
    )
    if request.method == "POST":
        if form.is_valid():
            target = form.cleaned_data["unit"]
            if not user.has_perm("budgets.change_budgetline", target):
                raise PermissionDenied(f"You may not move budget lines to {target.code}.")
            try:
                line = services.budget_line_update(line=line, by=user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
                line = _line_or_404(pk)  # as stored: the service may have set fields
            else:
                messages.success(request, f"Budget line “{line.label}” saved.")
                return redirect(_page_url(line.unit, line.fiscal_year))
        return _line_form_page(request, form, line=line, status=400)
    return _line_form_page(request, form, line=line)


@login_required
@require_http_methods(["GET", "POST"])
def line_delete(request, pk: int):
    """`/budgets/lines/<id>/delete/`: asks, then deletes on POST."""
    user = request.user
    line = _line_or_404(pk)
    if not user.has_perm("budgets.delete_budgetline", line):
        raise PermissionDenied("You may not delete this budget line.")
    error = None
    if request.method == "POST":
        unit, year, label = line.unit, line.fiscal_year, line.label
        try:
            services.budget_line_delete(line=line, by=user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Budget line “{label}” deleted.")
            return redirect(_page_url(unit, year))
    return render(
        request,
        "budgets/line_confirm_delete.html",
        {"line": line, "error": error, "back": _page_url(line.unit, line.fiscal_year)},
        status=400 if error else 200,
    )
