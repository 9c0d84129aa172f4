"""The people pages (issue 6, point 5): employees, an employee's goals and incentive
components, goal templates and their application, goal alignment per unit.

Thin: every page asks the rules (`people.view_employee`, `people.add_goal`, ...), reads
through people/selectors.py and writes through people/services.py; a service's refusal is
shown on the form next to its fields, with status 400, and nothing is written."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.scoping import restrict
from scorecards.models import OrgUnit
from scorecards.selectors import enterprise_unit

from . import services
from .forms import (
    EmployeeListFilter,
    GoalForm,
    GoalTemplateForm,
    IncentiveForm,
    TemplateApplyForm,
    UnitYearForm,
    YearForm,
    current_fiscal_year,
)
from .models import Employee, Goal, GoalTemplate, IncentiveComponent
from .selectors import employee_year, goal_alignment, template_audience, with_year_figures

PAGE_SIZE = 50
UNALIGNED_SHOWN = 500
NO_ROLE = "You have no role in OSM that lets you see this: ask the OSM staff."


def _require(request, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(NO_ROLE)


def _put_errors(form, exc: ValidationError) -> None:
    """A service's refusal on the form: each message next to its field, the others (and
    fields not on the form) above it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _year(form) -> int:
    """The fiscal year chosen on a valid form, else the current one."""
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return data.get("fiscal_year") or current_fiscal_year()


def _query_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


# Employees -----------------------------------------------------------------------------------


@login_required
def employee_list(request):
    """`/people/`: the employees the user may see, filtered by unit (with the units below
    it), job family, active and name, with the number of goals of the fiscal year, whether
    one is aligned and the incentive weight linked; 50 a page."""
    _require(request, "people.view_employee")
    visible = restrict(Employee.objects.all(), request.user)
    filterset = EmployeeListFilter(request.GET or None, queryset=visible)
    status, page = 200, None
    if filterset.is_bound and not filterset.is_valid():
        status = 400
    else:
        year = _year(filterset.form)
        rows = with_year_figures(filterset.qs, year).order_by("name", "pk")
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "fiscal_year": _year(filterset.form),
        "query": _query_without(request, "page"),
        "nav": _nav(request),
    }
    return render(request, "people/employee_list.html", context, status=status)


@login_required
def employee_page(request, pk: int):
    """`/people/<id>/`: an employee's goals and incentive components of a fiscal year, each
    with the objective or measure it serves; HR adds, edits and deletes them."""
    employee = get_object_or_404(Employee.objects.select_related("unit", "manager"), pk=pk)
    _require(request, "people.view_employee", employee)
    form = YearForm(request.GET or None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    year = _year(form)
    goals, incentives = employee_year(employee, year)
    user = request.user
    context = {
        "employee": employee,
        "form": form,
        "fiscal_year": year,
        "goals": [
            (g, user.has_perm("people.change_goal", g), user.has_perm("people.delete_goal", g))
            for g in goals
        ],
        "incentives": [
            (
                c,
                user.has_perm("people.change_incentivecomponent", c),
                user.has_perm("people.delete_incentivecomponent", c),
            )
            for c in incentives
        ],
        "goal_weight": sum((g.weight for g in goals), 0),
        "incentive_weight": sum((c.weight for c in incentives), 0),
        "incentive_weight_linked": sum((c.weight for c in incentives if c.is_linked), 0),
        "can_add_goal": user.has_perm("people.add_goal", employee),
        "can_add_incentive": user.has_perm("people.add_incentivecomponent", employee),
        "nav": _nav(request),
    }
    return render(request, "people/employee.html", context, status=status)


def _nav(request) -> dict:
    """Which of the people pages the user may open, for the links between them."""
    return {
        "templates": request.user.has_perm("people.add_goaltemplate"),
        "alignment": _default_unit(request.user) is not None,
    }


def _employee_url(employee_id: int, fiscal_year: int) -> str:
    return f"{reverse('people:employee', args=[employee_id])}?fiscal_year={fiscal_year}"


def _row_form(request, *, form_class, employee, instance, save, title, cancel):
    """The add or edit page of a goal or incentive component: GET shows the form, POST
    saves through `save(cleaned_data)` and returns to the employee's page of that year."""
    kwargs = {"employee": employee}
    if instance is not None:
        kwargs["instance"] = instance
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                row = save(dict(form.cleaned_data))
            except ValidationError as exc:
                _put_errors(form, exc)
            else:
                messages.success(request, f"Saved: {row}.")
                return redirect(_employee_url(employee.pk, row.fiscal_year))
        status = 400
    else:
        initial = {k: v for k, v in request.GET.items() if k in ("kind", "fiscal_year")}
        form = form_class(initial=initial, **kwargs)
    context = {"form": form, "employee": employee, "title": title, "cancel": cancel}
    return render(request, "people/row_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def goal_add(request, pk: int):
    """A new goal (performance or development) for an employee."""
    employee = get_object_or_404(Employee.objects.select_related("unit"), pk=pk)
    _require(request, "people.add_goal", employee)
    return _row_form(
        request,
        form_class=GoalForm,
        employee=employee,
        instance=None,
        save=lambda data: services.goal_create(employee=employee, by=request.user, **data),
        title=f"New goal of {employee.name}",
        cancel=reverse("people:employee", args=[employee.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, pk: int):
    """Change a goal: title, weight, progress, the objective or measure it serves."""
    goal = get_object_or_404(Goal.objects.select_related("employee__unit"), pk=pk)
    _require(request, "people.change_goal", goal)
    return _row_form(
        request,
        form_class=GoalForm,
        employee=goal.employee,
        instance=goal,
        save=lambda data: services.goal_update(goal=goal, by=request.user, **data),
        title=f"Goal of {goal.employee.name}: {goal.title}",
        cancel=_employee_url(goal.employee_id, goal.fiscal_year),
    )


@login_required
@require_http_methods(["GET", "POST"])
def incentive_add(request, pk: int):
    """A new incentive component for an employee."""
    employee = get_object_or_404(Employee.objects.select_related("unit"), pk=pk)
    _require(request, "people.add_incentivecomponent", employee)
    return _row_form(
        request,
        form_class=IncentiveForm,
        employee=employee,
        instance=None,
        save=lambda data: services.incentive_create(employee=employee, by=request.user, **data),
        title=f"New incentive component of {employee.name}",
        cancel=reverse("people:employee", args=[employee.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def incentive_edit(request, pk: int):
    """Change an incentive component."""
    component = get_object_or_404(
        IncentiveComponent.objects.select_related("employee__unit"), pk=pk
    )
    _require(request, "people.change_incentivecomponent", component)
    return _row_form(
        request,
        form_class=IncentiveForm,
        employee=component.employee,
        instance=component,
        save=lambda data: services.incentive_update(component=component, by=request.user, **data),
        title=f"Incentive component of {component.employee.name}: {component.name}",
        cancel=_employee_url(component.employee_id, component.fiscal_year),
    )


def _row_delete(request, *, row, what, delete):
    """GET asks for confirmation; POST deletes and returns to the employee's page."""
    back = _employee_url(row.employee_id, row.fiscal_year)
    error, status = None, 200
    if request.method == "POST":
        try:
            delete()
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
        else:
            messages.success(request, f"Deleted the {what} “{row}”.")
            return redirect(back)
    context = {"row": row, "what": what, "cancel": back, "error": error}
    return render(request, "people/confirm_delete.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def goal_delete(request, pk: int):
    goal = get_object_or_404(Goal.objects.select_related("employee"), pk=pk)
    _require(request, "people.delete_goal", goal)
    return _row_delete(
        request,
        row=goal,
        what="goal",
        delete=lambda: services.goal_delete(goal=goal, by=request.user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def incentive_delete(request, pk: int):
    component = get_object_or_404(IncentiveComponent.objects.select_related("employee"), pk=pk)
    _require(request, "people.delete_incentivecomponent", component)
    return _row_delete(
        request,
        row=component,
        what="incentive component",
        delete=lambda: services.incentive_delete(component=component, by=request.user),
    )


# Goal templates ------------------------------------------------------------------------------


@login_required
def template_list(request):
    """`/people/templates/`: the goal templates, with how many goals each has given."""
    _require(request, "people.view_goaltemplate")
    user = request.user
    rows = (
        GoalTemplate.objects.select_related("objective__unit", "measure__unit")
        .annotate(applied=Count("goals"))
        .order_by("-fiscal_year", "name")
    )
    templates = [t for t in rows if user.has_perm("people.view_goaltemplate", t)]
    context = {
        "templates": [
            (
                t,
                user.has_perm("people.change_goaltemplate", t),
                user.has_perm("people.delete_goaltemplate", t),
            )
            for t in templates
        ],
        "can_add": user.has_perm("people.add_goaltemplate"),
        "can_apply": user.has_perm("people.add_goal"),
        "nav": _nav(request),
    }
    return render(request, "people/template_list.html", context)


def _template_form(request, *, instance, save, title):
    """Add or edit a template. Posting with `_pick` (the unit's "Show its strategy" button,
    or htmx when the unit changes) redraws the form with that unit's objectives and
    measures, saving nothing."""
    status = 200
    if request.method == "POST" and "_pick" in request.POST:
        initial = {k: request.POST.get(k) for k in GoalTemplateForm.base_fields}
        form = GoalTemplateForm(initial=initial, instance=instance)
    elif request.method == "POST":
        form = GoalTemplateForm(request.POST, instance=instance)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "link_unit"}
            try:
                template = save(data)
            except ValidationError as exc:
                _put_errors(form, exc)
            else:
                messages.success(request, f"Saved the goal template “{template}”.")
                return redirect("people:templates")
        status = 400
    else:
        form = GoalTemplateForm(instance=instance)
    # With htmx, choosing the unit redraws the form at once (the button does it without).
    form.fields["link_unit"].widget.attrs.update(
        {
            "hx-post": request.path,
            "hx-trigger": "change",
            "hx-vals": '{"_pick": "1"}',
            "hx-target": "#template-form",
            "hx-select": "#template-form",
            "hx-swap": "outerHTML",
        }
    )
    context = {"form": form, "title": title, "cancel": reverse("people:templates")}
    return render(request, "people/template_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def template_add(request):
    _require(request, "people.add_goaltemplate")
    return _template_form(
        request,
        instance=None,
        save=lambda data: services.goal_template_create(by=request.user, **data),
        title="New goal template",
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, pk: int):
    template = get_object_or_404(GoalTemplate, pk=pk)
    _require(request, "people.change_goaltemplate", template)
    return _template_form(
        request,
        instance=template,
        save=lambda data: services.goal_template_update(template=template, by=request.user, **data),
        title=f"Goal template {template}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_delete(request, pk: int):
    template = get_object_or_404(GoalTemplate, pk=pk)
    _require(request, "people.delete_goaltemplate", template)
    error, status = None, 200
    if request.method == "POST":
        try:
            services.goal_template_delete(template=template, by=request.user)
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
        else:
            messages.success(request, f"Deleted the goal template “{template}”.")
            return redirect("people:templates")
    context = {
        "row": template,
        "what": "goal template",
        "cancel": reverse("people:templates"),
        "error": error,
        "note": "The goals already given from it stay.",
    }
    return render(request, "people/confirm_delete.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def template_apply(request, pk: int):
    """`/people/templates/<id>/apply/`: choose a unit and/or job family (GET), see who will
    receive the goal, who already has it and who is out of its reach, then confirm (POST):
    every goal is created at once, or none."""
    template = get_object_or_404(
        GoalTemplate.objects.select_related("objective__unit", "measure__unit"), pk=pk
    )
    _require(request, "people.view_goaltemplate", template)
    _require(request, "people.add_goal")
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = TemplateApplyForm(data)
    status, audience = 200, None
    if form.is_bound and form.is_valid():
        unit, job_family = form.cleaned_data["unit"], form.cleaned_data["job_family"]
        if request.method == "POST":
            try:
                done = services.goal_template_apply(
                    template=template, unit=unit, job_family=job_family, by=request.user
                )
            except ValidationError as exc:
                _put_errors(form, exc)
                status = 400
            else:
                messages.success(
                    request,
                    f"Applied “{template}”: {done.created} employee"
                    f"{'' if done.created == 1 else 's'} received the goal; {done.skipped} "
                    "already had it and were skipped.",
                )
                return redirect("people:templates")
        audience = template_audience(template, unit=unit, job_family=job_family)
    elif form.is_bound:
        status = 400
    context = {"template": template, "form": form, "audience": audience}
    return render(request, "people/template_apply.html", context, status=status)


# Goal alignment ------------------------------------------------------------------------------


def _default_unit(user) -> OrgUnit | None:
    """The enterprise for those who see everyone, else the first unit the user heads."""
    root = enterprise_unit()
    if root is not None and user.has_perm("people.view_employee", root):
        return root
    return OrgUnit.objects.filter(head=user).order_by("code").first()


@login_required
def alignment_page(request):
    """`/people/alignment/?unit=CODE&fiscal_year=YYYY`: per unit of the subtree, the active
    employees, those with at least one aligned goal of the year and the share; then the
    employees without one."""
    _require(request, "people.view_employee")
    default = _default_unit(request.user)
    form = UnitYearForm(
        request.GET or None,
        initial={"unit": default.code if default else None, "fiscal_year": current_fiscal_year()},
    )
    if form.is_bound and not form.is_valid():
        context = {"form": form, "nav": _nav(request)}
        return render(request, "people/alignment.html", context, status=400)
    unit = (form.cleaned_data.get("unit") if form.is_bound else None) or default
    if unit is None:
        raise PermissionDenied(NO_ROLE)
    _require(request, "people.view_employee", unit)
    report = goal_alignment(unit, _year(form))
    context = {
        "form": form,
        "report": report,
        "unaligned": report.unaligned[:UNALIGNED_SHOWN],
        "shown": UNALIGNED_SHOWN,
        "nav": _nav(request),
    }
    return render(request, "people/alignment.html", context)
