"""The review meeting pages (issue 7, point 1): the meetings list, a meeting with its agenda,
minutes, decisions and action items, the printable briefing book, and the pages that
schedule, change and delete meetings and action items.

Thin: every page asks the rules (`reviews.*` in osm/rules.py), reads through
reviews/selectors.py and writes through reviews/services.py; a service's refusal is shown
on the form, next to its field where it has one, with status 400, and nothing is written."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from core.scoping import restrict
from scorecards.models import OrgUnit
from scorecards.selectors import unit_tree

from . import selectors, services
from .choices import ActionStatus, MeetingStatus
from .forms import (
    ActionItemForm,
    ActionStatusForm,
    MeetingFilterForm,
    MeetingForm,
    MinutesForm,
    UnitPickForm,
)
from .models import ActionItem, ReviewMeeting

PAGE_SIZE = 50
NO_ROLE = "You have no role in OSM yet: ask the OSM staff for one."


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(NO_ROLE if obj is None else "You may not do this here.")


def _meeting(pk: int) -> ReviewMeeting:
    return get_object_or_404(ReviewMeeting.objects.select_related("unit", "chair"), pk=pk)


def _item(pk: int) -> ActionItem:
    return get_object_or_404(
        ActionItem.objects.select_related("meeting__unit", "objective__unit", "owner"), pk=pk
    )


def _next_or(request, fallback: str) -> str:
    """The `next` page named by the request when it is one of ours, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _confirm_page(request, *, title, what, back, error=None, status=200):
    return render(
        request,
        "reviews/confirm_delete.html",
        {"title": title, "what": what, "back": back, "error": error},
        status=status,
    )


# The meetings list ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def index(request):
    """`/reviews/?unit=CODE&kind=&status=&when=upcoming|past&page=`: the meetings of a unit
    and the units below it (all units by default), next ones first; a button to schedule
    one for those who may (in the unit chosen, or anywhere)."""
    user = request.user
    _require(user, "reviews.view_reviewmeeting")
    tree = unit_tree()
    form = MeetingFilterForm(request.GET or None, tree=tree)
    meetings = restrict(ReviewMeeting.objects.all(), user)
    unit, page, status = None, None, 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        if data.get("unit"):
            unit = next(u for u, _ in tree if u.code == data["unit"])
            meetings = meetings.filter(unit__in=OrgUnit.objects.subtree_of(unit.pk))
        if data.get("kind"):
            meetings = meetings.filter(kind=data["kind"])
        if data.get("status"):
            meetings = meetings.filter(status=data["status"])
        now = timezone.now()
        if data.get("when") == "upcoming":
            meetings = meetings.filter(scheduled_for__gte=now)
        elif data.get("when") == "past":
            meetings = meetings.filter(scheduled_for__lt=now)
        page = Paginator(selectors.meetings_of(meetings, now=now), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "unit": unit,
        "now": timezone.now(),
        "query": query.urlencode(),
        "can_add": user.has_perm("reviews.add_reviewmeeting", unit),
    }
    return render(request, "reviews/index.html", context, status=status)


# One meeting ----------------------------------------------------------------------------------


def _with_permissions(user, items, today):
    """Each item with what the user may do with it and whether it is late."""
    for item in items:
        item.late = item.status == ActionStatus.OPEN and item.due < today
        item.can_edit = user.has_perm("reviews.change_reviewmeeting", item.meeting)
        item.can_delete = item.can_edit and user.has_perm("reviews.delete_actionitem", item)
        # Its owner (who does not run the meeting) changes the status only.
        item.status_only = not item.can_edit and user.has_perm("reviews.change_actionitem", item)
    return items


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def detail(request, pk: int):
    """`/reviews/<id>/`: the meeting's agenda (live from the scorecard while it is
    scheduled, frozen once held), attendees, minutes and decisions (a form for those who may
    change the meeting: save, or hold the meeting, which freezes its agenda; or cancel it),
    its action items and the open ones carried over from the unit's earlier meetings."""
    user = request.user
    meeting = _meeting(pk)
    _require(user, "reviews.view_reviewmeeting", meeting)
    can_change = user.has_perm("reviews.change_reviewmeeting", meeting)
    form = MinutesForm(initial={"minutes": meeting.minutes, "decisions": meeting.decisions})
    status, cancel_error = 200, None
    if request.method == "POST":
        _require(user, "reviews.change_reviewmeeting", meeting)
        action = request.POST.get("action", "save")
        copy = ReviewMeeting.objects.get(pk=meeting.pk)  # the page keeps the saved one
        if action == "cancel":
            try:
                services.meeting_cancel(meeting=copy, by=user)
            except ValidationError as exc:
                cancel_error = " ".join(exc.messages)
            else:
                messages.success(request, f"Meeting '{copy.title}' cancelled.")
                return redirect("reviews:detail", meeting.pk)
        else:
            form = MinutesForm(request.POST)
            if action not in ("save", "hold"):
                form.add_error(None, "Choose to save the minutes or to hold the meeting.")
            elif form.is_valid():
                try:
                    if action == "hold":
                        services.meeting_hold(meeting=copy, by=user, **form.cleaned_data)
                    else:
                        services.meeting_update(meeting=copy, by=user, **form.cleaned_data)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    done = "held: its agenda is frozen" if action == "hold" else "saved"
                    messages.success(request, f"Meeting '{copy.title}' {done}.")
                    return redirect("reviews:detail", meeting.pk)
        status = 400
    today = timezone.localdate()
    agenda = selectors.meeting_agenda(meeting, today=today)
    items = _with_permissions(
        user,
        list(meeting.action_items.select_related("owner", "objective__unit", "meeting")),
        today,
    )
    carried = _with_permissions(user, list(selectors.carried_over_items(meeting)), today)
    context = {
        "meeting": meeting,
        "attendees": list(meeting.attendees.order_by("first_name", "last_name", "username")),
        "agenda": agenda,
        # A live agenda's items are the ones listed below it, with their controls.
        "hide_agenda_items": not agenda.frozen,
        "form": form,
        "items": items,
        "carried": carried,
        "can_change": can_change,
        "cancel_error": cancel_error,
        "can_delete": user.has_perm("reviews.delete_reviewmeeting", meeting),
        "can_add_item": user.has_perm("reviews.add_actionitem", meeting),
        "status_choices": ActionStatus.choices,
        "scheduled": meeting.status == MeetingStatus.SCHEDULED,
        "held": meeting.status == MeetingStatus.HELD,
    }
    return render(request, "reviews/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def briefing(request, pk: int):
    """`/reviews/<id>/briefing/`: the briefing book, made to print on A4: the meeting, its
    attendees, the agenda with every figure, the open action items and the decisions of
    the unit's last meeting (and, once held, its own minutes and decisions)."""
    user = request.user
    meeting = _meeting(pk)
    _require(user, "reviews.view_reviewmeeting", meeting)
    context = {
        "meeting": meeting,
        "attendees": list(meeting.attendees.order_by("first_name", "last_name", "username")),
        "agenda": selectors.meeting_agenda(meeting),
        "held": meeting.status == MeetingStatus.HELD,
    }
    return render(request, "reviews/briefing.html", context)


# Scheduling, changing and deleting meetings ---------------------------------------------------


def _meeting_form_page(request, form, *, unit, meeting=None, status=200):
    return render(
        request,
        "reviews/meeting_form.html",
        {"form": form, "unit": unit, "meeting": meeting},
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def create(request):
    """`/reviews/new/?unit=CODE`: schedule a meeting of a unit the user may add meetings
    to; without `unit`, first choose one of those units."""
    user = request.user
    _require(user, "reviews.add_reviewmeeting")
    code = request.GET.get("unit", "")
    if not code:
        units = [(u, d) for u, d in unit_tree() if user.has_perm("reviews.add_reviewmeeting", u)]
        return render(request, "reviews/unit_pick.html", {"form": UnitPickForm(units=units)})
    unit = get_object_or_404(OrgUnit, code=code)
    if not user.has_perm("reviews.add_reviewmeeting", unit):
        raise PermissionDenied(f"You may not schedule meetings of {unit.code}.")
    if request.method == "POST":
        form = MeetingForm(request.POST, unit=unit)
        if form.is_valid():
            try:
                meeting = services.meeting_schedule(unit=unit, **form.meeting_fields())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Meeting '{meeting.title}' scheduled.")
                return redirect("reviews:detail", meeting.pk)
        return _meeting_form_page(request, form, unit=unit, status=400)
    return _meeting_form_page(request, MeetingForm(unit=unit), unit=unit)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request, pk: int):
    """`/reviews/<id>/edit/`: change a meeting's kind, title, date and time, chair and
    attendees (its unit stays)."""
    user = request.user
    meeting = _meeting(pk)
    _require(user, "reviews.change_reviewmeeting", meeting)
    if request.method == "POST":
        form = MeetingForm(request.POST, instance=meeting, unit=meeting.unit)
        if form.is_valid():
            copy = ReviewMeeting.objects.get(pk=meeting.pk)  # the page keeps the saved one
            try:
                services.meeting_update(meeting=copy, by=user, **form.meeting_fields())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Meeting '{copy.title}' saved.")
                return redirect("reviews:detail", meeting.pk)
        return _meeting_form_page(request, form, unit=meeting.unit, meeting=meeting, status=400)
    form = MeetingForm(instance=meeting, unit=meeting.unit)
    return _meeting_form_page(request, form, unit=meeting.unit, meeting=meeting)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request, pk: int):
    """`/reviews/<id>/delete/`: asks, then (POST) deletes a meeting with its action items."""
    user = request.user
    meeting = _meeting(pk)
    _require(user, "reviews.delete_reviewmeeting", meeting)
    count = meeting.action_items.count()
    page = {
        "title": f"Delete the meeting '{meeting.title}'?",
        "what": f"the {meeting.get_kind_display().lower()} of {meeting.unit.code} on "
        f"{timezone.localtime(meeting.scheduled_for):%d %B %Y, %H:%M}, with its minutes, "
        f"decisions and {count} action item{'' if count == 1 else 's'}",
        "back": reverse("reviews:detail", args=[meeting.pk]),
    }
    if request.method == "POST":
        try:
            services.meeting_delete(meeting=meeting, by=user)
        except ValidationError as exc:
            return _confirm_page(request, **page, error=" ".join(exc.messages), status=400)
        messages.success(request, f"Meeting '{meeting.title}' deleted.")
        return redirect(f"{reverse('reviews:index')}?unit={meeting.unit.code}")
    return _confirm_page(request, **page)


# Action items ---------------------------------------------------------------------------------


def _item_form_page(request, form, *, meeting, item=None, status=200):
    return render(
        request,
        "reviews/item_form.html",
        {"form": form, "meeting": meeting, "item": item, "next": _next_or(request, "")},
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def item_create(request, pk: int):
    """`/reviews/<id>/items/new/`: record a decision of the meeting as an action item."""
    user = request.user
    meeting = _meeting(pk)
    _require(user, "reviews.add_actionitem", meeting)
    if request.method == "POST":
        form = ActionItemForm(request.POST, meeting=meeting)
        if form.is_valid():
            try:
                item = services.action_item_create(meeting=meeting, by=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Action item '{item.title}' added.")
                return redirect("reviews:detail", meeting.pk)
        return _item_form_page(request, form, meeting=meeting, status=400)
    return _item_form_page(request, ActionItemForm(meeting=meeting), meeting=meeting)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def item_edit(request, pk: int):
    """`/reviews/items/<id>/edit/`: change an action item; its owner, when he or she does
    not run the meeting, changes its status only (as in the API)."""
    user = request.user
    item = _item(pk)
    _require(user, "reviews.change_actionitem", item)
    meeting = item.meeting
    full = user.has_perm("reviews.change_reviewmeeting", meeting)
    back = _next_or(request, reverse("reviews:detail", args=[meeting.pk]))

    def make(*args):
        if full:
            return ActionItemForm(*args, instance=item, meeting=meeting)
        return ActionStatusForm(*args, instance=item)

    if request.method == "POST":
        form = make(request.POST)
        if form.is_valid():
            copy = ActionItem.objects.get(pk=item.pk)
            try:
                services.action_item_update(item=copy, by=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Action item '{copy.title}' saved.")
                return redirect(back)
        return _item_form_page(request, form, meeting=meeting, item=item, status=400)
    return _item_form_page(request, make(), meeting=meeting, item=item)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def item_delete(request, pk: int):
    """`/reviews/items/<id>/delete/`: asks, then (POST) deletes an action item."""
    user = request.user
    item = _item(pk)
    _require(user, "reviews.delete_actionitem", item)
    meeting = item.meeting
    back = reverse("reviews:detail", args=[meeting.pk])
    page = {
        "title": f"Delete the action item '{item.title}'?",
        "what": f"the action item '{item.title}' (due {item.due:%d %B %Y}) of the meeting "
        f"'{meeting.title}'",
        "back": back,
    }
    if request.method == "POST":
        try:
            services.action_item_delete(item=item, by=user)
        except ValidationError as exc:
            return _confirm_page(request, **page, error=" ".join(exc.messages), status=400)
        messages.success(request, f"Action item '{item.title}' deleted.")
        return redirect(back)
    return _confirm_page(request, **page)
