"""The pages that bring every app's figures together: the dashboards (the enterprise's at /,
each unit's at /units/<code>/), the objective page, where each person lands after signing
in, and "my strategy" (the strategy as it concerns an employee)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from alignment.selectors import cached_alignment_metrics
from alignment.strategy_map import tested_map
from communication.selectors.announcements import latest_for
from core.downloads import downloads
from core.reads import cached_read
from core.scoping import restrict
from core.views import Crumb, require
from people.models import Goal
from reviews.choices import MeetingStatus
from reviews.models import ReviewMeeting
from scorecards import selectors as scorecard_selectors
from scorecards.charts import measure_history
from scorecards.crumbs import unit_crumbs
from scorecards.models import Objective, OrgUnit
from scorecards.selectors.attention import (
    ATTENTION,
    cached_subtree_attention,
    overdue_values,
    value_notes,
)
from scorecards.selectors.cascade import scored_cascade
from scorecards.selectors.scorecard import Clock, read_measure, unit_scorecard
from scorecards.selectors.series import load_series

from . import selectors
from .forms import DashboardForm


@login_required
def home(request):
    """The dashboard of the enterprise."""
    return dashboard(request, None)


@login_required
def unit_pick(request):
    """`/units/?unit=CODE` (the unit picker without script) → that unit's dashboard."""
    code = request.GET.get("unit", "")
    query = request.GET.copy()
    query.pop("unit", None)
    target = reverse("unit", args=[code]) if code else reverse("home")
    return redirect(f"{target}?{query.urlencode()}" if query else target)


@login_required
def dashboard(request, code: str | None):
    """A unit's dashboard (the enterprise's at /): its scorecard as of a month or year to
    date, what needs attention (the red and yellow objectives of the unit and of every unit
    below it, with the owners' notes; its overdue values), the next review meetings and the
    alignment index; breadcrumbs up the tree and links down."""
    if not request.user.has_perm("scorecards.view_objective"):
        raise PermissionDenied(_("You have no role in OSM yet: ask the OSM staff for one."))
    root = scorecard_selectors.enterprise_unit()
    if root is None:
        return render(request, "dashboards/home.html", {"root": None})
    unit = root if code is None else get_object_or_404(OrgUnit, code=code)
    form = DashboardForm(request.GET or None)
    status = 200
    as_of, ytd = None, False
    if request.GET:
        if form.is_valid():
            as_of, ytd = form.cleaned_data["as_of"], form.cleaned_data["ytd"]
        else:
            status = 400
    meetings = list(
        ReviewMeeting.objects.filter(
            unit__in=OrgUnit.objects.ancestors_of(unit.pk, include_self=True),
            scheduled_for__gte=timezone.now(),
            status=MeetingStatus.SCHEDULED,
        )
        .select_related("unit")
        .order_by("scheduled_for")[:5]
    )
    query = request.GET.urlencode()
    menu = _downloads_menu(request, unit, as_of, ytd, query)
    # The body is the same for everyone shown the same download menu: kept under the data
    # version, the query (the form's values and errors), the day, and the meetings listed
    # (one that starts drops out of the list, which the data version would not tell).
    parts = (unit.pk, query, timezone.localdate(), [m.pk for m in meetings], menu)
    body = cached_read(
        "dashboard", parts,
        lambda: _dashboard_body(request, root, unit, form, as_of, ytd, meetings, menu),
    )  # fmt: skip
    context = {"root": root, "unit": unit, "body": mark_safe(body)}  # nosec B308 B703
    return render(request, "dashboards/home.html", context, status=status)


def _downloads_menu(request, unit, as_of, ytd, query: str) -> str:
    """The download menu this user is offered (with the month and year-to-date choice
    when the page has a query), as HTML."""
    objects = {"unit": unit}
    if query:
        objects |= {"as_of": Clock.make(as_of).as_of, "ytd": ytd}
    offered = downloads("unit", request.user, **objects)
    return render_to_string("core/_downloads.html", {"downloads": offered}, request)


def _dashboard_body(request, root, unit, form, as_of, ytd, meetings, menu) -> str:
    """The dashboard below the site's header, as HTML (dashboards/_dashboard.html)."""
    card = unit_scorecard(unit, as_of=as_of, ytd=ytd)
    query = request.GET.urlencode()
    context = {
        "root": root,
        "unit": unit,
        "card": card,
        "form": form,
        "ytd": ytd,
        "crumbs": _dashboard_crumbs(unit, query),
        "children": unit.children.order_by("code"),
        "tree": scorecard_selectors.unit_tree(),
        "attention": cached_subtree_attention(unit, as_of=as_of, ytd=ytd),
        "overdue": overdue_values(card),
        "query": query,
        "query_suffix": f"?{query}" if query else "",
        "meetings": meetings,
        "alignment_index": cached_alignment_metrics(unit).alignment_index,
        "map": tested_map(unit, card),
        "downloads_menu": mark_safe(menu),  # nosec B308 B703 - rendered by our template
    }
    return render_to_string("dashboards/_dashboard.html", context, request)


def _dashboard_crumbs(unit, query: str) -> list[Crumb]:
    """The units down to this one; the links keep the month and year-to-date choice."""
    crumbs = unit_crumbs(unit)
    suffix = f"?{query}" if query else ""
    return [Crumb(c.label, f"{c.url}{suffix}") for c in crumbs[:-1]] + [Crumb(crumbs[-1].label)]


@login_required
def objective_page(request, pk: int):
    """An objective: each measure's chart over time and its figures this month, the
    cascade below it, what it supports, the initiatives advancing it, the goals linked to
    it (for those who may see them) and its change history."""
    if not request.user.has_perm("scorecards.view_objective"):
        raise PermissionDenied(_("You have no role in OSM yet: ask the OSM staff for one."))
    objective = get_object_or_404(
        Objective.objects.select_related("unit", "perspective", "theme", "owner"), pk=pk
    )
    clock = Clock.make()
    series = sorted(
        (s for s in load_series(Q(objective=objective)).values()
         if s.measure.objective_id == objective.pk),
        key=lambda s: s.measure.code,
    )  # fmt: skip
    measures = [
        {"reading": read_measure(s, clock), "chart": measure_history(s), "chart_id": f"m{i}"}
        for i, s in enumerate(series)
    ]
    # Why a measure is red or yellow, in its owner's words: the note on the value scored.
    notes = value_notes(
        (m["reading"].id, m["reading"].period)
        for m in measures
        if m["reading"].status in ATTENTION and m["reading"].period
    )
    for item in measures:
        item["note"] = notes.get((item["reading"].id, item["reading"].period), "")
    goals = restrict(
        Goal.objects.filter(objective=objective).select_related("employee"), request.user
    )
    # the objective's score is read with its cascade's
    tree, readings = scored_cascade(objective)
    context = {
        "objective": objective,
        "reading": readings.get(objective.pk),
        "measures": measures,
        "tree": tree,
        "supports": objective.supports.select_related("unit").order_by("unit__code", "code"),
        "initiatives": objective.initiatives.select_related("owner").order_by("code"),
        "goals": goals.order_by("employee__name")[:100],
        "goal_count": goals.count(),
        "history": objective.history.select_related("history_user").order_by("-history_date")[:10],
        "crumbs": unit_crumbs(objective.unit, Crumb(objective.code)),
        "can_edit": request.user.has_perm("scorecards.change_objective", objective),
    }
    return render(request, "dashboards/objective.html", context)


@login_required
def landing(request):
    """`/start/`, where signing in leads (LOGIN_REDIRECT_URL): to `?next=` when it is a
    page of this site, else to where the person's work is (`selectors.landing_url`)."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(selectors.landing_url(request.user))


@login_required
def my_strategy(request):
    """`/my/strategy/`, where an employee lands: the strategy as it concerns her: what is
    off target along her chain, the latest announcements to her, the objectives of her unit
    with what they support, those above them, every objective of the enterprise, and her
    goals and incentives of the year; a link on to her work. Without an employee record, it
    says so."""
    require(request.user, "scorecards.view_objective")
    employee = selectors.employee_of(request.user)
    work = selectors.work_url(request.user)
    context = {
        "employee": employee,
        "strategy": selectors.my_strategy(employee) if employee else None,
        "announcements": latest_for(request.user, unit_id=employee.unit_id) if employee else None,
        "work_url": work,
        "work_label": _("The enterprise's dashboard")
        if work == reverse("home")
        else _("Your work"),
        "crumbs": [Crumb(_("My strategy"))],
    }
    return render(request, "dashboards/my_strategy.html", context)
