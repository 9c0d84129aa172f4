"""The initiatives pages: the portfolio with its timeline, one initiative, and the pages
that create, change and delete initiatives and their milestones. Thin: reads come from
the selectors, writes go through the services, every page asks the rules (osm/rules.py)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from core.clock import fiscal_year_bounds
from core.forms import add_service_errors
from core.roles import EXECUTIVE, HR, OSM_STAFF, has_role
from core.scoping import restrict
from scorecards.models import OrgUnit
from scorecards.selectors import unit_tree

from . import charts, selectors, services
from .filters import InitiativePortfolioFilter
from .forms import InitiativeForm, MilestoneForm, tree_choices
from .models import Initiative, Milestone

PAGE_SIZE = 50
NO_ROLE = "You have no role in OSM yet: ask the OSM staff for one."


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(NO_ROLE if obj is None else "You may not do this here.")


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
            raise PermissionDenied(f"You may not put initiatives in {unit.code}.")


def _picked(raw: str | None, units: list[tuple[OrgUnit, int]]) -> OrgUnit | None:
    """The unit of `units` named by id in `raw`, or None."""
    return next((u for u, _ in units if str(u.pk) == raw), None)


# Reading -----------------------------------------------------------------------------------


@login_required
def index(request):
    """`/initiatives/?subtree=<unit id>&status=<status>&fiscal_year=<year>&page=<n>`: the
    portfolio table (with planned and actual money for who may see budget lines) and the
    timeline of the initiatives on the page."""
    user = request.user
    _require(user, "initiatives.view_initiative")
    filters = InitiativePortfolioFilter(
        request.GET or None,
        queryset=restrict(Initiative.objects.all(), user),
    )
    # Shown in tree order (the field's queryset still validates the choice).
    filters.form.fields["subtree"].widget.choices = tree_choices(unit_tree(), "All units")
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
            title=f"Timeline, FY{year}" if year else "Timeline",
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
    _require(user, "initiatives.view_initiative")
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
            title=f"{initiative.code}: timeline and milestones",
        ),
        "history": initiative.history.select_related("history_user").order_by("-history_date")[:10],
        "can_change": user.has_perm("initiatives.change_initiative", initiative),
        "can_delete": user.has_perm("initiatives.delete_initiative", initiative),
        "can_add_milestone": user.has_perm("initiatives.add_milestone", initiative),
    }
    return render(request, "initiatives/detail.html", context)


# Writing initiatives -----------------------------------------------------------------------


def _form_page(request, form, *, initiative=None, status=200):
    if form.is_bound and getattr(form, "cleaned_data", {}).get("unit"):
        # Re-shown after a refusal: offer what the unit chosen may advance (the wider list
        # validated the input, so that the service could name what it refused).
        form.fields["objectives"].queryset = selectors.objectives_within_reach(
            [form.cleaned_data["unit"].pk]
        )
    return render(
        request,
        "initiatives/form.html",
        {"form": form, "initiative": initiative},
        status=status,
    )


@login_required
def create(request):
    """`/initiatives/new/` (`?unit=<id>` picks the unit): launch an initiative in a unit
    the user may add initiatives to."""
    user = request.user
    _require(user, "initiatives.add_initiative")
    units = _units_where(user, "initiatives.add_initiative")
    unit_ids = [u.pk for u, _ in units]
    if request.method == "POST":
        _refuse_unit_outside(request, "initiatives.add_initiative")
        # Every objective any offered unit may reach: the service names the ones the
        # chosen unit may not, next to the field.
        form = InitiativeForm(
            request.POST,
            units=units,
            objectives=selectors.objectives_within_reach(unit_ids),
            refresh_url=request.path,
        )
        if form.is_valid():
            try:
                initiative = services.initiative_create(by=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Initiative {initiative} created.")
                return redirect("initiatives:detail", initiative.pk)
        return _form_page(request, form, status=400)
    unit = _picked(request.GET.get("unit"), units)
    if unit is None and len(units) == 1:
        unit = units[0][0]
    form = InitiativeForm(
        initial={"unit": unit, "objectives": request.GET.getlist("objectives")},
        units=units,
        objectives=selectors.objectives_within_reach([unit.pk] if unit else unit_ids),
        refresh_url=request.path,
    )
    return _form_page(request, form)


@login_required
def edit(request, pk: int):
    """`/initiatives/<id>/edit/`: change an initiative, move it to another unit the user
    may change initiatives in, and set the objectives it advances."""
    user = request.user
    initiative = get_object_or_404(Initiative.objects.select_related("unit"), pk=pk)
    _require(user, "initiatives.change_initiative", initiative)
    units = _units_where(user, "initiatives.change_initiative")
    if request.method == "POST":
        _refuse_unit_outside(request, "initiatives.change_initiative")
        form = InitiativeForm(
            request.POST,
            instance=initiative,
            units=units,
            objectives=selectors.objectives_within_reach([u.pk for u, _ in units]),
            refresh_url=request.path,
        )
        if form.is_valid():
            # A copy for the service: on refusal the page still shows the initiative as it is.
            target = Initiative.objects.get(pk=initiative.pk)
            try:
                services.initiative_update(initiative=target, by=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Initiative {target} saved.")
                return redirect("initiatives:detail", initiative.pk)
        return _form_page(request, form, initiative=initiative, status=400)
    unit = _picked(request.GET.get("unit"), units) or initiative.unit
    initial = {"unit": unit}
    if "objectives" in request.GET:  # the unit was changed on the page (htmx)
        initial["objectives"] = request.GET.getlist("objectives")
    form = InitiativeForm(
        instance=initiative,
        initial=initial,
        units=units,
        objectives=selectors.objectives_within_reach([unit.pk]),
        refresh_url=request.path,
    )
    return _form_page(request, form, initiative=initiative)


def _confirm_page(request, *, title, what, back, error=None, status=200):
    return render(
        request,
        "initiatives/confirm_delete.html",
        {"title": title, "what": what, "back": back, "error": error},
        status=status,
    )


@login_required
def delete(request, pk: int):
    """`/initiatives/<id>/delete/`: asks, then (POST) deletes an initiative that no budget
    line funds."""
    user = request.user
    initiative = get_object_or_404(Initiative.objects.select_related("unit"), pk=pk)
    _require(user, "initiatives.delete_initiative", initiative)
    page = {
        "title": f"Delete initiative {initiative.code}?",
        "what": f"{initiative.unit.code}.{initiative.code} {initiative.name}, with its "
        "milestones and its links to objectives",
        "back": reverse("initiatives:detail", args=[initiative.pk]),
    }
    if request.method == "POST":
        try:
            services.initiative_delete(initiative=initiative, by=user)
        except ValidationError as exc:
            return _confirm_page(request, **page, error=" ".join(exc.messages), status=400)
        messages.success(request, f"Initiative {initiative} deleted.")
        return redirect("initiatives:index")
    return _confirm_page(request, **page)


# Writing milestones ------------------------------------------------------------------------


def _milestone_page(request, form, *, initiative, milestone=None, status=200):
    return render(
        request,
        "initiatives/milestone_form.html",
        {"form": form, "initiative": initiative, "milestone": milestone},
        status=status,
    )


@login_required
def milestone_create(request, pk: int):
    """`/initiatives/<id>/milestones/new/`: add a milestone to an initiative."""
    user = request.user
    initiative = get_object_or_404(Initiative.objects.select_related("unit"), pk=pk)
    _require(user, "initiatives.add_milestone", initiative)
    if request.method == "POST":
        form = MilestoneForm(request.POST)
        if form.is_valid():
            try:
                milestone = services.milestone_add(initiative=initiative, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Milestone '{milestone}' added.")
                return redirect("initiatives:detail", initiative.pk)
        return _milestone_page(request, form, initiative=initiative, status=400)
    return _milestone_page(request, MilestoneForm(), initiative=initiative)


def _milestone(pk: int, milestone_pk: int) -> Milestone:
    return get_object_or_404(
        Milestone.objects.select_related("initiative__unit"), pk=milestone_pk, initiative_id=pk
    )


@login_required
def milestone_edit(request, pk: int, milestone_pk: int):
    """`/initiatives/<id>/milestones/<id>/edit/`: rename, reschedule, mark done or not."""
    user = request.user
    milestone = _milestone(pk, milestone_pk)
    _require(user, "initiatives.change_milestone", milestone)
    if request.method == "POST":
        form = MilestoneForm(request.POST, instance=milestone)
        if form.is_valid():
            target = _milestone(pk, milestone_pk)  # the page keeps showing the saved one
            try:
                services.milestone_update(milestone=target, by=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Milestone '{target}' saved.")
                return redirect("initiatives:detail", pk)
        return _milestone_page(
            request, form, initiative=milestone.initiative, milestone=milestone, status=400
        )
    return _milestone_page(
        request,
        MilestoneForm(instance=milestone),
        initiative=milestone.initiative,
        milestone=milestone,
    )


@login_required
def milestone_delete(request, pk: int, milestone_pk: int):
    """`/initiatives/<id>/milestones/<id>/delete/`: asks, then (POST) removes a milestone."""
    user = request.user
    milestone = _milestone(pk, milestone_pk)
    _require(user, "initiatives.delete_milestone", milestone)
    initiative = milestone.initiative
    page = {
        "title": f"Delete milestone '{milestone}'?",
        "what": f"the milestone '{milestone}' (due {milestone.due:%d %b %Y}) of "
        f"{initiative.unit.code}.{initiative.code} {initiative.name}",
        "back": reverse("initiatives:detail", args=[initiative.pk]),
    }
    if request.method == "POST":
        try:
            services.milestone_delete(milestone=milestone, by=user)
        except ValidationError as exc:
            return _confirm_page(request, **page, error=" ".join(exc.messages), status=400)
        messages.success(request, f"Milestone '{milestone}' deleted.")
        return redirect("initiatives:detail", pk)
    return _confirm_page(request, **page)
