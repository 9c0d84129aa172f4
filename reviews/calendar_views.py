"""The strategy calendar pages: a unit's fiscal year as a timeline and a table, and the
pages that add, change and delete its stored events. Thin: the reads come from
reviews/calendar.py, the writes go through the services, every page asks the rules."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_safe

from core.clock import current_fiscal_year, fiscal_year_of
from core.forms import add_service_errors
from core.roles import EXECUTIVE, HR, OSM_STAFF, UNIT_HEAD, group_names, has_role
from scorecards.models import OrgUnit
from scorecards.selectors import unit_tree

from . import charts, services
from .calendar import LANES, strategy_calendar, with_links
from .calendar_forms import CalendarEventForm, CalendarFilterForm
from .models import CalendarEvent

NO_ROLE = "You have no role in OSM yet: ask the OSM staff for one."
ADD, CHANGE, DELETE = (
    "reviews.add_calendarevent",
    "reviews.change_calendarevent",
    "reviews.delete_calendarevent",
)


def calendar_url(unit: OrgUnit, year: int) -> str:
    return f"{reverse('calendar:index')}?{urlencode({'unit': unit.code, 'year': year})}"


def _default_unit(user, tree: list[tuple[OrgUnit, int]]) -> OrgUnit | None:
    """The enterprise (the root of `tree`); for a unit head who does not read everything,
    the first unit he heads, whose calendar shows the enterprise's steps too."""
    if not tree:
        return None
    if UNIT_HEAD in group_names(user) and not has_role(user, OSM_STAFF, EXECUTIVE, HR):
        headed = next((u for u, _ in tree if u.head_id == user.pk), None)
        if headed is not None:
            return headed
    return tree[0][0]


@login_required
@require_safe
def index(request):
    """`/calendar/?unit=CODE&year=YYYY` (defaults: the enterprise, or the unit a unit head
    heads, and the current fiscal year): the timeline, then every entry by month."""
    user = request.user
    if not user.has_perm("reviews.view_calendarevent"):
        raise PermissionDenied(NO_ROLE)
    tree = unit_tree()
    form = CalendarFilterForm(request.GET or None, tree=tree)
    if form.is_bound and not form.is_valid():
        return render(request, "reviews/calendar.html", {"form": form}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    unit = data.get("unit") or _default_unit(user, tree)
    if unit is None:
        return render(request, "reviews/calendar.html", {"form": form, "empty": True})
    year = data.get("year") or current_fiscal_year()
    # The filters show what the page shows, defaults included.
    form = CalendarFilterForm(initial={"unit": unit.code, "year": year}, tree=tree)
    today = timezone.localdate()
    calendar = with_links(strategy_calendar(unit, year, today=today), user)
    deletable = {
        e.event.pk
        for e in calendar.entries
        if e.event is not None and user.has_perm(DELETE, e.event)
    }
    context = {
        "form": form,
        "unit": unit,
        "year": year,
        "calendar": calendar,
        "months": calendar.months(),
        "lanes": [label for _, label in LANES],
        "chart": charts.calendar_timeline(
            calendar.entries,
            window=(calendar.start, calendar.end),
            today=today,
            title=f"{unit.code}, FY{year}",
        ),
        "deletable": deletable,
        "can_add": user.has_perm(ADD, unit),
        "add_query": urlencode({"unit": unit.code}),
        "previous_url": calendar_url(unit, year - 1),
        "next_url": calendar_url(unit, year + 1),
    }
    return render(request, "reviews/calendar.html", context)


# Writing events ----------------------------------------------------------------------------


def _units_where(user, perm: str) -> list[tuple[OrgUnit, int]]:
    """The units in which `user` has `perm`, in tree order with their depths (all for OSM
    staff, the headed subtree for a unit head; no query per unit)."""
    return [(u, depth) for u, depth in unit_tree() if user.has_perm(perm, u)]


def _refuse_unit_outside(request, perm: str) -> None:
    """A posted unit the user may not use is refused (403), not treated as a slip: the
    form never offers it."""
    raw = request.POST.get("unit", "")
    if raw.isdigit():
        unit = OrgUnit.objects.filter(pk=int(raw)).first()
        if unit is not None and not request.user.has_perm(perm, unit):
            raise PermissionDenied(f"You may not put calendar events in {unit.code}.")


def _form_page(request, form, *, event=None, back: str, status=200):
    return render(
        request,
        "reviews/calendar_event_form.html",
        {"form": form, "event": event, "back": back},
        status=status,
    )


def _saved(request, event: CalendarEvent, verb: str):
    messages.success(request, f"Event “{event.title}” {verb}.")
    year = fiscal_year_of(event.starts_on, settings.FISCAL_YEAR_START_MONTH)
    return redirect(calendar_url(event.unit, year))


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request):
    """`/calendar/events/new/?unit=CODE`: add an event to a unit the user may add events to
    (the unit preselected)."""
    user = request.user
    if not user.has_perm(ADD):
        raise PermissionDenied(NO_ROLE)
    units = _units_where(user, ADD)
    if request.method == "POST":
        _refuse_unit_outside(request, ADD)
        form = CalendarEventForm(request.POST, units=units)
        if form.is_valid():
            try:
                event = services.calendar_event_create(by=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return _saved(request, event, "added")
        return _form_page(request, form, back=reverse("calendar:index"), status=400)
    unit = None
    code = request.GET.get("unit")
    if code:
        unit = get_object_or_404(OrgUnit, code=code)
        if not user.has_perm(ADD, unit):
            raise PermissionDenied(f"You may not add calendar events to {unit.code}.")
    elif len(units) == 1:
        unit = units[0][0]
    form = CalendarEventForm(initial={"unit": unit}, units=units)
    back = calendar_url(unit, current_fiscal_year()) if unit else reverse("calendar:index")
    return _form_page(request, form, back=back)


def _event_or_404(pk: int) -> CalendarEvent:
    return get_object_or_404(CalendarEvent.objects.select_related("unit"), pk=pk)


def _back(event: CalendarEvent) -> str:
    return calendar_url(
        event.unit, fiscal_year_of(event.starts_on, settings.FISCAL_YEAR_START_MONTH)
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, pk: int):
    """`/calendar/events/<id>/edit/`: change an event, or move it to another unit the user
    may change events in."""
    user = request.user
    event = _event_or_404(pk)
    if not user.has_perm(CHANGE, event):
        raise PermissionDenied("You may not change this calendar event.")
    units = _units_where(user, CHANGE)
    if request.method == "POST":
        _refuse_unit_outside(request, CHANGE)
        form = CalendarEventForm(request.POST, instance=event, units=units)
        if form.is_valid():
            # A copy for the service: on refusal the page still shows the event as stored.
            target = _event_or_404(pk)
            try:
                services.calendar_event_update(event=target, by=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return _saved(request, target, "saved")
        return _form_page(request, form, event=event, back=_back(event), status=400)
    form = CalendarEventForm(instance=event, units=units)
    return _form_page(request, form, event=event, back=_back(event))


@login_required
@require_http_methods(["GET", "POST"])
def event_delete(request, pk: int):
    """`/calendar/events/<id>/delete/`: asks, then deletes on POST."""
    user = request.user
    event = _event_or_404(pk)
    if not user.has_perm(DELETE, event):
        raise PermissionDenied("You may not delete this calendar event.")
    back = _back(event)
    error = None
    if request.method == "POST":
        title = event.title
        try:
            services.calendar_event_delete(event=event, by=user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Event “{title}” deleted.")
            return redirect(back)
    return render(
        request,
        "reviews/calendar_event_confirm_delete.html",
        {"event": event, "error": error, "back": back},
        status=400 if error else 200,
    )
