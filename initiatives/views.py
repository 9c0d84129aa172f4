"""The initiatives pages: the portfolio with its timeline, one initiative, and the pages
that create, change and delete initiatives and their milestones. Thin: reads come from
the selectors, writes go through the services, every page asks the rules; the create, edit
and delete pages are the view kit's (core/views.py)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core.clock import fiscal_year_bounds
from core.roles import EXECUTIVE, HR, OSM_STAFF, has_role
from core.scoping import restrict
from core.views import Crumb, ServiceDeleteView, ServiceFormView, require
from scorecards.models import OrgUnit
from scorecards.selectors import unit_tree
from scorecards.selectors.search import code_name

from . import charts, selectors, services
from .filters import InitiativePortfolioFilter
from .forms import InitiativeForm, MilestoneForm, tree_choices
from .models import Initiative, Milestone

PAGE_SIZE = 50


def _units_where(user, perm: str) -> list[tuple[OrgUnit, int]]:
    """The units in which `user` has `perm`, in tree order with their depths (the rules
    decide, with no query per unit)."""
    return [(u, depth) for u, depth in unit_tree() if user.has_perm(perm, u)]


def _refuse_unit_outside(request, perm: str) -> None:
    """A unit posted that the user may not use is refused (403), not treated as a slip:
    the form never offers it."""
    raw = request.POST.get("unit", "")
    if raw.isdigit():
        unit = OrgUnit.objects.filter(pk=int(raw)).first()
        if unit is not None and not request.user.has_perm(perm, unit):
            raise PermissionDenied(
                _("You may not put initiatives in %(unit)s.") % {"unit": unit.code}
            )


def _picked(raw: str | None, units: list[tuple[OrgUnit, int]]) -> OrgUnit | None:
    """The unit of `units` named by id in `raw`, or None."""
    return next((u for u, _ in units if str(u.pk) == raw), None)


def _index_crumb() -> Crumb:
    return Crumb(_("Initiatives"), reverse("initiatives:index"))


def _initiative_crumb(initiative: Initiative) -> Crumb:
    return Crumb(initiative.code, reverse("initiatives:detail", args=[initiative.pk]))


# Reading -----------------------------------------------------------------------------------


@login_required
def index(request):
    """`/initiatives/?subtree=<unit id>&status=<status>&fiscal_year=<year>&page=<n>`: the
    portfolio table (with planned and actual money for who may see budget lines) and the
    timeline of the initiatives on the page."""
    user = request.user
    require(user, "initiatives.view_initiative")
    filters = InitiativePortfolioFilter(
        request.GET or None,
        queryset=restrict(Initiative.objects.all(), user),
    )
    # Shown in tree order (the field's queryset still validates the choice).
    filters.form.fields["subtree"].widget.choices = tree_choices(unit_tree(), _("All units"))
    context = {"filters": filters, "can_add": user.has_perm("initiatives.add_initiative")}
    if filters.is_bound and not filters.is_valid():
        return render(request, "initiatives/index.html", context, status=400)
    year = filters.form.cleaned_data.get("fiscal_year") if filters.is_bound else None
    lines = selectors.visible_budget_lines(user)
    paginator = Paginator(selectors.portfolio(filters.qs, lines=lines, fiscal_year=year), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    initiatives = list(page.object_list)
    for initiative in initiatives:
        initiative.can_change = user.has_perm("initiatives.change_initiative", initiative)
    window = fiscal_year_bounds(year, settings.FISCAL_YEAR_START_MONTH) if year else None
    query = request.GET.copy()
    query.pop("page", None)
    context |= {
        "page": page,
        "initiatives": initiatives,
        "fiscal_year": year,
        "show_money": lines is not None,
        # A unit head sees the lines of his subtree only: the page says so.
        "money_scoped": lines is not None and not has_role(user, OSM_STAFF, EXECUTIVE, HR),
        "totals": selectors.budget_totals(filters.qs, lines, fiscal_year=year)
        if lines is not None
        else None,
        "chart": charts.timeline(
            selectors.timeline_rows(initiatives),
            today=timezone.localdate(),
            window=window,
            title=_("Timeline, FY%(year)s") % {"year": year} if year else _("Timeline"),
        )
        if initiatives
        else None,
        "query": query.urlencode(),
    }
    return render(request, "initiatives/index.html", context)


@login_required
def detail(request, pk: int):
    """One initiative: its figures, the objectives it advances, its milestones (done,
    open or overdue, in words), the budget lines funding it (for who may see them) and
    its change history; edit buttons for who may use them."""
    user = request.user
    require(user, "initiatives.view_initiative")
    lines = selectors.visible_budget_lines(user)
    initiative = get_object_or_404(
        selectors.portfolio(Initiative.objects.all(), lines=lines), pk=pk
    )
    today = timezone.localdate()
    milestones = list(initiative.milestones.all())
    for milestone in milestones:
        milestone.state = selectors.milestone_state(milestone.due, milestone.done_on, today)
        milestone.can_change = user.has_perm("initiatives.change_milestone", milestone)
        milestone.can_delete = user.has_perm("initiatives.delete_milestone", milestone)
    context = {
        "initiative": initiative,
        "milestones": milestones,
        "show_money": lines is not None,
        "money_scoped": lines is not None and not has_role(user, OSM_STAFF, EXECUTIVE, HR),
        "budget": selectors.budget_summary(initiative, lines) if lines is not None else [],
        "chart": charts.timeline(
            selectors.timeline_rows([initiative]),
            today=today,
            title=_("%(code)s: timeline and milestones") % {"code": initiative.code},
        ),
        "crumbs": [
            _index_crumb(),
            Crumb(
                initiative.unit.code, f"{reverse('initiatives:index')}?subtree={initiative.unit.pk}"
            ),
            Crumb(initiative.code),
        ],
        "history": initiative.history.select_related("history_user").order_by("-history_date")[:10],
        "can_change": user.has_perm("initiatives.change_initiative", initiative),
        "can_delete": user.has_perm("initiatives.delete_initiative", initiative),
        "can_add_milestone": user.has_perm("initiatives.add_milestone", initiative),
    }
    return render(request, "initiatives/detail.html", context)


@require_GET
@login_required
def objectives_search(request):
    """JSON for the objectives box of the initiative form (core.widgets.SearchedSelectMultiple):
    the objectives within reach of `?unit=` (of the units where the user may launch or change
    initiatives, without one) matching `?q=`: `{"results": [{"value": id, "text": label}]}`."""
    require(request.user, "scorecards.view_objective")
    raw = request.GET.get("unit", "")
    if raw:
        if not raw.isdigit():
            return JsonResponse({"unit": [_("Not a unit.")]}, status=400)
        unit_ids = [get_object_or_404(OrgUnit, pk=int(raw)).pk]
    else:
        user = request.user
        unit_ids = [
            u.pk
            for u, _depth in unit_tree()
            if user.has_perm("initiatives.add_initiative", u)
            or user.has_perm("initiatives.change_initiative", u)
        ]
    found = selectors.objectives_within_reach_matching(unit_ids, request.GET.get("q", "")[:100])
    return JsonResponse({"results": [{"value": o.pk, "text": code_name(o)} for o in found]})


# Writing initiatives -----------------------------------------------------------------------


class _InitiativeFormPage(ServiceFormView):
    """What the new and edit pages share: the units offered (those where the user has the
    page's permission, in tree order), the objectives offered (those the unit shown may
    advance) and, with htmx, their refresh when another unit is chosen."""

    form_class = InitiativeForm

    @cached_property
    def units(self) -> list[tuple[OrgUnit, int]]:
        return _units_where(self.request.user, self.permission)

    def post(self, request, *args, **kwargs):
        _refuse_unit_outside(request, self.permission)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict:
        kwargs = {
            **super().get_form_kwargs(),
            "units": self.units,
            "refresh_url": self.request.path,
        }
        if self.request.method == "POST":
            # Every objective any offered unit may reach: the service names the ones the
            # chosen unit may not, next to the field.
            kwargs["objectives"] = selectors.objectives_within_reach([u.pk for u, _ in self.units])
            unit = _picked(self.request.POST.get("unit"), self.units)
            kwargs["search_url"] = self.search_url(unit)
            return kwargs
        unit = self.unit_shown()
        kwargs["search_url"] = self.search_url(unit)
        kwargs["initial"] = self.initial(unit)
        unit_ids = [unit.pk] if unit else [u.pk for u, _ in self.units]
        kwargs["objectives"] = selectors.objectives_within_reach(unit_ids)
        return kwargs

    def search_url(self, unit: OrgUnit | None) -> str:
        """Where the objectives box searches: what `unit` may advance, or with no unit
        chosen yet, what the units offered may."""
        url = reverse("initiatives:objectives-search")
        return f"{url}?unit={unit.pk}" if unit else url

    def unit_shown(self) -> OrgUnit | None:
        """The unit the form starts with (`?unit=<id>` picks one of those offered)."""
        raise NotImplementedError

    def initial(self, unit: OrgUnit | None) -> dict:
        raise NotImplementedError

    def render_form(self, form, status: int = 200):
        if form.is_bound and getattr(form, "cleaned_data", {}).get("unit"):
            # Re-shown after a refusal: offer what the unit chosen may advance (the wider
            # list validated the input, so that the service could name what it refused).
            form.fields["objectives"].queryset = selectors.objectives_within_reach(
                [form.cleaned_data["unit"].pk]
            )
        return super().render_form(form, status=status)


class InitiativeCreate(_InitiativeFormPage):
    """`/initiatives/new/` (`?unit=<id>` picks the unit): launch an initiative in a unit
    the user may add initiatives to."""

    permission = "initiatives.add_initiative"
    service = services.initiative_create
    submit_label = gettext_lazy("Create")

    def unit_shown(self):
        unit = _picked(self.request.GET.get("unit"), self.units)
        if unit is None and len(self.units) == 1:
            unit = self.units[0][0]
        return unit

    def initial(self, unit):
        return {"unit": unit, "objectives": self.request.GET.getlist("objectives")}

    def title(self):
        return _("New initiative")

    def crumbs(self):
        return [_index_crumb(), Crumb(_("New"))]

    def cancel_url(self):
        return reverse("initiatives:index")

    def success_url(self, saved):
        return reverse("initiatives:detail", args=[saved.pk])

    def success_message(self, saved):
        return _("Initiative %(initiative)s created.") % {"initiative": saved}


class InitiativeEdit(_InitiativeFormPage):
    """`/initiatives/<id>/edit/`: change an initiative, move it to another unit the user
    may change initiatives in, and set the objectives it advances."""

    permission = "initiatives.change_initiative"
    service = services.initiative_update

    def get_object(self):
        return get_object_or_404(Initiative.objects.select_related("unit"), pk=self.kwargs["pk"])

    def unit_shown(self):
        return _picked(self.request.GET.get("unit"), self.units) or self.object.unit

    def initial(self, unit):
        initial = {"unit": unit}
        if "objectives" in self.request.GET:  # the unit was changed on the page (htmx)
            initial["objectives"] = self.request.GET.getlist("objectives")
        return initial

    def title(self):
        return _("Edit %(code)s %(name)s") % {"code": self.object.code, "name": self.object.name}

    def crumbs(self):
        return [_index_crumb(), _initiative_crumb(self.object), Crumb(_("Edit"))]

    def cancel_url(self):
        return reverse("initiatives:detail", args=[self.object.pk])

    def success_url(self, saved):
        return self.cancel_url()

    def success_message(self, saved):
        return _("Initiative %(initiative)s saved.") % {"initiative": saved}


class InitiativeDelete(ServiceDeleteView):
    """`/initiatives/<id>/delete/`: asks, then (POST) deletes an initiative that no budget
    line funds."""

    permission = "initiatives.delete_initiative"
    service = services.initiative_delete

    def get_object(self):
        return get_object_or_404(Initiative.objects.select_related("unit"), pk=self.kwargs["pk"])

    def title(self):
        return _("Delete initiative %(code)s?") % {"code": self.object.code}

    def question(self):
        initiative = self.object
        return _(
            "This deletes %(initiative)s %(name)s, with its milestones and its links to "
            "objectives. It cannot be undone."
        ) % {"initiative": f"{initiative.unit.code}.{initiative.code}", "name": initiative.name}

    def crumbs(self):
        return [_index_crumb(), _initiative_crumb(self.object), Crumb(_("Delete"))]

    def back_url(self):
        return reverse("initiatives:detail", args=[self.object.pk])

    def success_url(self, deleted):
        return reverse("initiatives:index")

    def success_message(self, deleted):
        return _("Initiative %(initiative)s deleted.") % {"initiative": deleted}


# Writing milestones ------------------------------------------------------------------------


class _MilestonePage:
    """Pages of one initiative's milestones: the crumbs lead to the initiative, and so do
    Cancel and the redirect after."""

    def initiative(self) -> Initiative:
        raise NotImplementedError

    def crumbs(self):
        return [_index_crumb(), _initiative_crumb(self.initiative()), Crumb(self.step)]

    def cancel_url(self) -> str:
        return reverse("initiatives:detail", args=[self.initiative().pk])

    back_url = cancel_url

    def success_url(self, saved) -> str:
        return self.cancel_url()


class _MilestoneFormPage(_MilestonePage, ServiceFormView):
    form_class = MilestoneForm

    @property
    def lead(self):
        initiative = self.initiative()
        if initiative.end:
            return _("The initiative starts on %(start)s and ends on %(end)s.") % {
                "start": date_format(initiative.start),
                "end": date_format(initiative.end),
            }
        return _("The initiative starts on %(start)s.") % {"start": date_format(initiative.start)}


class MilestoneCreate(_MilestoneFormPage):
    """`/initiatives/<id>/milestones/new/`: add a milestone to an initiative."""

    permission = "initiatives.add_milestone"
    service = services.milestone_create
    parent_field = "initiative"
    submit_label = gettext_lazy("Add")
    step = gettext_lazy("New milestone")

    def dispatch(self, request, *args, pk: int, **kwargs):
        self.parent = get_object_or_404(Initiative.objects.select_related("unit"), pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def initiative(self):
        return self.parent

    def permission_object(self):
        return self.parent

    def title(self):
        return _("New milestone of %(code)s %(name)s") % {
            "code": self.parent.code,
            "name": self.parent.name,
        }

    def success_message(self, saved):
        return _("Milestone '%(milestone)s' added.") % {"milestone": saved}


def _milestone(pk: int, milestone_pk: int) -> Milestone:
    """The milestone `milestone_pk` of the initiative `pk` (404 if it is another's)."""
    return get_object_or_404(
        Milestone.objects.select_related("initiative__unit"), pk=milestone_pk, initiative_id=pk
    )


class MilestoneEdit(_MilestoneFormPage):
    """`/initiatives/<id>/milestones/<id>/edit/`: rename, reschedule, mark done or not."""

    permission = "initiatives.change_milestone"
    service = services.milestone_update
    step = gettext_lazy("Edit milestone")

    def get_object(self):
        return _milestone(self.kwargs["pk"], self.kwargs["milestone_pk"])

    def initiative(self):
        return self.object.initiative

    def title(self):
        initiative = self.object.initiative
        return _("Edit milestone “%(milestone)s” of %(code)s %(name)s") % {
            "milestone": self.object.name,
            "code": initiative.code,
            "name": initiative.name,
        }

    def success_message(self, saved):
        return _("Milestone '%(milestone)s' saved.") % {"milestone": saved}


class MilestoneDelete(_MilestonePage, ServiceDeleteView):
    """`/initiatives/<id>/milestones/<id>/delete/`: asks, then (POST) removes a milestone."""

    permission = "initiatives.delete_milestone"
    service = services.milestone_delete
    step = gettext_lazy("Delete milestone")

    def get_object(self):
        return _milestone(self.kwargs["pk"], self.kwargs["milestone_pk"])

    def initiative(self):
        return self.object.initiative

    def title(self):
        return _("Delete milestone '%(milestone)s'?") % {"milestone": self.object}

    def question(self):
        milestone, initiative = self.object, self.object.initiative
        return _(
            "This deletes the milestone '%(milestone)s' (due %(due)s) of %(initiative)s "
            "%(name)s. It cannot be undone."
        ) % {
            "milestone": milestone,
            "due": date_format(milestone.due),
            "initiative": f"{initiative.unit.code}.{initiative.code}",
            "name": initiative.name,
        }

    def success_message(self, deleted):
        return _("Milestone '%(milestone)s' deleted.") % {"milestone": deleted}
