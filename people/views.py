"""The people pages (issue 6, point 5): employees, an employee's goals and incentive
components, goal templates and their application, goal alignment per unit.

Thin: every page asks the rules (`people.view_employee`, `people.add_goal`, ...), reads
through people/selectors.py and writes through people/services.py; the create, edit, delete
and apply pages are the view kit's (core/views.py): a service's refusal is shown on the form
next to its fields, with status 400, and nothing is written."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.scoping import restrict
from core.views import NO_ROLE, Crumb, ServiceDeleteView, ServiceFormView, require
from scorecards.display import show_unit
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
UNALIGNED_SHOWN = 100


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
    require(request.user, "people.view_employee")
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
    require(request.user, "people.view_employee", employee)
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


class _EmployeeRowPage:
    """Pages of an employee's goals and incentive components: under the employee's page,
    back to it for the row's fiscal year."""

    crumb = ""

    def employee(self) -> Employee:
        raise NotImplementedError

    def employee_url(self) -> str:
        return reverse("people:employee", args=[self.employee().pk])

    def crumbs(self):
        return [
            Crumb(_("Employees"), reverse("people:index")),
            Crumb(self.employee().name, self.cancel_url()),
            Crumb(self.crumb),
        ]

    def cancel_url(self) -> str:
        if self.object is None:
            return self.employee_url()
        return _employee_url(self.object.employee_id, self.object.fiscal_year)


class _EmployeeRowForm(_EmployeeRowPage, ServiceFormView):
    """Add or edit a goal or incentive component: the objective and measure are offered
    among those of the employee's unit chain only. `?kind=` and `?fiscal_year=` preset a
    new row."""

    template_name = "people/row_form.html"  # the kit's, with the unit chain said above it

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "employee": self.employee()}
        if self.request.method == "GET":
            kwargs["initial"] = {
                k: v for k, v in self.request.GET.items() if k in ("kind", "fiscal_year")
            }
        return kwargs

    def extra_context(self, form):
        return {"employee": self.employee()}

    def success_url(self, saved):
        return _employee_url(saved.employee_id, saved.fiscal_year)

    def success_message(self, saved):
        return _("Saved: %(row)s.") % {"row": saved}


class _EmployeeRowCreate(_EmployeeRowForm):
    crumb = gettext_lazy("New")

    def get_object(self):
        self.parent = get_object_or_404(
            Employee.objects.select_related("unit"), pk=self.kwargs["pk"]
        )
        return None

    def employee(self):
        return self.parent

    def permission_object(self):
        return self.parent


class _EmployeeRowEdit(_EmployeeRowForm):
    crumb = gettext_lazy("Edit")
    model = None

    def get_object(self):
        return get_object_or_404(
            self.model.objects.select_related("employee__unit"), pk=self.kwargs["pk"]
        )

    def employee(self):
        return self.object.employee


class GoalCreate(_EmployeeRowCreate):
    """A new goal (performance or development) for an employee."""

    form_class = GoalForm
    permission = "people.add_goal"
    service = services.goal_create
    parent_field = "employee"

    def title(self):
        return _("New goal of %(employee)s") % {"employee": self.parent.name}


class GoalEdit(_EmployeeRowEdit):
    """Change a goal: title, weight, progress, the objective or measure it serves."""

    model = Goal
    form_class = GoalForm
    permission = "people.change_goal"
    service = services.goal_update

    def title(self):
        return _("Goal of %(employee)s: %(title)s") % {
            "employee": self.object.employee.name,
            "title": self.object.title,
        }


class IncentiveCreate(_EmployeeRowCreate):
    """A new incentive component for an employee."""

    form_class = IncentiveForm
    permission = "people.add_incentivecomponent"
    service = services.incentive_create
    parent_field = "employee"

    def title(self):
        return _("New incentive component of %(employee)s") % {"employee": self.parent.name}


class IncentiveEdit(_EmployeeRowEdit):
    """Change an incentive component."""

    model = IncentiveComponent
    form_class = IncentiveForm
    permission = "people.change_incentivecomponent"
    service = services.incentive_update

    def title(self):
        return _("Incentive component of %(employee)s: %(name)s") % {
            "employee": self.object.employee.name,
            "name": self.object.name,
        }


class _EmployeeRowDelete(_EmployeeRowPage, ServiceDeleteView):
    """Ask, then delete a goal or incentive component and return to the employee's page."""

    crumb = gettext_lazy("Delete")
    model = None
    # "Delete the goal “%(row)s”?" and "Deleted the goal “%(row)s”." for each kind of row.
    asking = done_text = ""

    def get_object(self):
        return get_object_or_404(
            self.model.objects.select_related("employee"), pk=self.kwargs["pk"]
        )

    def employee(self):
        return self.object.employee

    def title(self):
        return self.asking % {"row": self.object}

    def question(self):
        return _("It is removed for good (its change history stays).")

    def back_url(self):
        return self.cancel_url()

    def success_message(self, deleted):
        return self.done_text % {"row": deleted}


class GoalDelete(_EmployeeRowDelete):
    model = Goal
    asking = gettext_lazy("Delete the goal “%(row)s”?")
    done_text = gettext_lazy("Deleted the goal “%(row)s”.")
    permission = "people.delete_goal"
    service = services.goal_delete


class IncentiveDelete(_EmployeeRowDelete):
    model = IncentiveComponent
    asking = gettext_lazy("Delete the incentive component “%(row)s”?")
    done_text = gettext_lazy("Deleted the incentive component “%(row)s”.")
    permission = "people.delete_incentivecomponent"
    service = services.incentive_delete


# Goal templates ------------------------------------------------------------------------------


@login_required
def template_list(request):
    """`/people/templates/`: the goal templates, with how many goals each has given."""
    require(request.user, "people.view_goaltemplate")
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


class _TemplatePage:
    """Pages of one goal template: under the list of templates, back to it."""

    def crumbs(self):
        return [Crumb(_("Goal templates"), reverse("people:templates")), Crumb(self.title())]

    def cancel_url(self) -> str:
        return reverse("people:templates")

    def back_url(self) -> str:
        return reverse("people:templates")

    def success_url(self, saved) -> str:
        return reverse("people:templates")


class _TemplateForm(_TemplatePage, ServiceFormView):
    """Add or edit a template. Posting with `_pick` (the unit's "Show its strategy" button,
    or htmx when the unit changes) redraws the form with that unit's objectives and
    measures, saving nothing."""

    template_name = "people/template_form.html"
    form_class = GoalTemplateForm

    def post(self, request, *args, **kwargs):
        if "_pick" not in request.POST:
            return super().post(request, *args, **kwargs)
        initial = {k: request.POST.get(k) for k in GoalTemplateForm.base_fields}
        kwargs = {k: v for k, v in self.get_form_kwargs().items() if k == "instance"}
        return self.render_form(GoalTemplateForm(initial=initial, **kwargs))

    def render_form(self, form, status=200):
        # With htmx, choosing the unit redraws the form at once (the button does it without).
        form.fields["link_unit"].widget.attrs.update(
            {
                "hx-post": self.request.path,
                "hx-trigger": "change",
                "hx-vals": '{"_pick": "1"}',
                "hx-target": "#template-form",
                "hx-select": "#template-form",
                "hx-swap": "outerHTML",
            }
        )
        return super().render_form(form, status=status)

    @staticmethod
    def data(form) -> dict:
        return {k: v for k, v in form.cleaned_data.items() if k != "link_unit"}

    def success_message(self, saved):
        return _("Saved the goal template “%(template)s”.") % {"template": saved}


class TemplateCreate(_TemplateForm):
    """A new goal template."""

    permission = "people.add_goaltemplate"

    def save(self, form):
        return services.goal_template_create(actor=self.request.user, data=self.data(form))

    def title(self):
        return _("New goal template")


class TemplateEdit(_TemplateForm):
    """Change a goal template (the goals already given from it stay as they are)."""

    permission = "people.change_goaltemplate"

    def get_object(self):
        return get_object_or_404(GoalTemplate, pk=self.kwargs["pk"])

    def save(self, form):
        return services.goal_template_update(
            actor=self.request.user, instance=form.instance, data=self.data(form)
        )

    def title(self):
        return _("Goal template %(template)s") % {"template": self.object}


class TemplateDelete(_TemplatePage, ServiceDeleteView):
    """Ask, then delete a goal template; the goals given from it stay."""

    permission = "people.delete_goaltemplate"
    service = services.goal_template_delete

    def get_object(self):
        return get_object_or_404(GoalTemplate, pk=self.kwargs["pk"])

    def title(self):
        return _("Delete the goal template “%(template)s”?") % {"template": self.object}

    def question(self):
        return _("The goals already given from it stay.")

    def crumbs(self):
        return [
            Crumb(_("Goal templates"), reverse("people:templates")),
            Crumb(_("Delete %(name)s") % {"name": self.object.name}),
        ]

    def success_message(self, deleted):
        return _("Deleted the goal template “%(template)s”.") % {"template": deleted}


class TemplateApply(_TemplatePage, ServiceFormView):
    """`/people/templates/<id>/apply/`: choose a unit and/or job family (GET), see who will
    receive the goal, who already has it and who is out of its reach, then confirm (POST):
    every goal is created at once, or none."""

    template_name = "people/template_apply.html"
    form_class = TemplateApplyForm
    permission = "people.add_goal"  # anywhere, as for HR and OSM staff

    def get_object(self):
        template = get_object_or_404(
            GoalTemplate.objects.select_related("objective__unit", "measure__unit"),
            pk=self.kwargs["pk"],
        )
        require(self.request.user, "people.view_goaltemplate", template)
        return template

    def permission_object(self):
        return None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "GET" and self.request.GET:
            kwargs["data"] = self.request.GET  # a preview
        return kwargs

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        status = 200
        if form.is_bound and form.is_valid():
            self.chosen = self.choice(form)
        elif form.is_bound:
            status = 400
        return self.render_form(form, status=status)

    @staticmethod
    def choice(form) -> dict:
        return {"unit": form.cleaned_data["unit"], "job_family": form.cleaned_data["job_family"]}

    def save(self, form):
        self.chosen = self.choice(form)  # a refusal shows the preview again
        return services.goal_template_apply(
            actor=self.request.user, template=self.object, **self.chosen
        )

    def extra_context(self, form):
        chosen = getattr(self, "chosen", None)
        audience = template_audience(self.object, **chosen) if chosen else None
        return {"template": self.object, "audience": audience}

    def title(self):
        return _("Apply “%(name)s”") % {"name": self.object.name}

    def crumbs(self):
        return [
            Crumb(_("Goal templates"), reverse("people:templates")),
            Crumb(_("Apply %(name)s") % {"name": self.object.name}),
        ]

    def success_message(self, done):
        return ngettext(
            "Applied “%(template)s”: %(created)s employee received the goal; %(skipped)s "
            "already had it and were skipped.",
            "Applied “%(template)s”: %(created)s employees received the goal; %(skipped)s "
            "already had it and were skipped.",
            done.created,
        ) % {"template": self.object, "created": done.created, "skipped": done.skipped}


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
    require(request.user, "people.view_employee")
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
    require(request.user, "people.view_employee", unit)
    show_unit(form, unit)
    report = goal_alignment(unit, _year(form))
    context = {
        "form": form,
        "report": report,
        "unaligned": report.unaligned[:UNALIGNED_SHOWN],
        "shown": UNALIGNED_SHOWN,
        "nav": _nav(request),
    }
    return render(request, "people/alignment.html", context)
