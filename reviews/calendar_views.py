"""The strategy calendar pages: a unit's fiscal year as a timeline and a table, and the
pages that add, change and delete its stored events (the view kit's, core/views.py). Thin:
the reads come from reviews/calendar.py, the writes go through the services, every page
asks the rules."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from core.clock import current_fiscal_year, fiscal_year_of
from core.roles import EXECUTIVE, HR, OSM_STAFF, UNIT_HEAD, group_names, has_role
from core.views import Crumb, ServiceDeleteView, ServiceFormView, require
from scorecards.models import OrgUnit
from scorecards.selectors import unit_tree

from . import charts, services
from .calendar import LANES, strategy_calendar, with_links
from .calendar_forms import CalendarEventForm, CalendarFilterForm
from .models import CalendarEvent

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
    require(user, "reviews.view_calendarevent")
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
            title=_("%(unit)s, FY%(year)s") % {"unit": unit, "year": year},
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
            raise PermissionDenied(
                _("You may not put calendar events in %(unit)s.") % {"unit": unit.code}
            )


def _year_url(event: CalendarEvent) -> str:
    """The calendar of the event's unit, in the fiscal year in which it starts."""
    return calendar_url(
        event.unit, fiscal_year_of(event.starts_on, settings.FISCAL_YEAR_START_MONTH)
    )


def _event_or_404(pk: int) -> CalendarEvent:
    return get_object_or_404(CalendarEvent.objects.select_related("unit"), pk=pk)


class _EventForm(ServiceFormView):
    """What adding and changing an event share: the units offered (those where the user
    has `permission`), a posted unit outside them refused (403), the words of the page."""

    form_class = CalendarEventForm
    lead = gettext_lazy(
        "A step of the year's cycle. It shows on the calendar of its unit, of the units "
        "below it and of the units above it."
    )

    def post(self, request, *args, **kwargs):
        _refuse_unit_outside(request, self.permission)
        return super().post(request, *args, **kwargs)

    @cached_property
    def units(self) -> list[tuple[OrgUnit, int]]:
        """The units the event may be put in."""
        return _units_where(self.request.user, self.permission)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "units": self.units}

    def crumbs(self):
        label = _("Edit event") if self.object else _("New event")
        return [Crumb(_("Strategy calendar"), self.cancel_url()), Crumb(label)]

    def success_url(self, saved):
        return _year_url(saved)


class EventCreate(_EventForm):
    """`/calendar/events/new/?unit=CODE`: add an event to a unit the user may add events to
    (the unit preselected)."""

    permission = ADD
    service = services.calendar_event_create
    submit_label = gettext_lazy("Add the event")

    unit = None  # preselected on the form (`?unit=CODE` of the GET, or the only one offered)

    def get(self, request, *args, **kwargs):
        code = request.GET.get("unit")
        if code:
            self.unit = get_object_or_404(OrgUnit, code=code)
            if not request.user.has_perm(ADD, self.unit):
                raise PermissionDenied(
                    _("You may not add calendar events to %(unit)s.") % {"unit": self.unit.code}
                )
        elif len(self.units) == 1:
            self.unit = self.units[0][0]
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "initial": {"unit": self.unit}}

    def title(self):
        return _("New calendar event")

    def cancel_url(self):
        if self.unit is None:
            return reverse("calendar:index")
        return calendar_url(self.unit, current_fiscal_year())

    def success_message(self, saved):
        return _("Event “%(title)s” added.") % {"title": saved.title}


class EventEdit(_EventForm):
    """`/calendar/events/<id>/edit/`: change an event, or move it to another unit the user
    may change events in."""

    permission = CHANGE
    service = services.calendar_event_update

    def get_object(self):
        return _event_or_404(self.kwargs["pk"])

    def title(self):
        return _("Edit calendar event %(title)s") % {"title": self.object.title}

    def cancel_url(self):
        return _year_url(self.object)

    def success_message(self, saved):
        return _("Event “%(title)s” saved.") % {"title": saved.title}


class EventDelete(ServiceDeleteView):
    """`/calendar/events/<id>/delete/`: asks, then deletes on POST."""

    permission = DELETE
    service = services.calendar_event_delete

    def get_object(self):
        return _event_or_404(self.kwargs["pk"])

    def crumbs(self):
        return [Crumb(_("Strategy calendar"), self.back_url()), Crumb(_("Delete event"))]

    def title(self):
        return _("Delete calendar event %(title)s") % {"title": self.object.title}

    def details(self):
        event = self.object
        if event.ends_on and event.ends_on != event.starts_on:
            dates = _("%(first)s to %(last)s") % {
                "first": _day(event.starts_on),
                "last": _day(event.ends_on),
            }
        else:
            dates = _day(event.starts_on)
        return f"{event.unit.code} · {event.get_kind_display()} · {dates}."

    def question(self):
        return _(
            "Delete this event from the calendar of %(unit)s and the units around it? It "
            "cannot be undone."
        ) % {"unit": self.object.unit.code}

    def back_url(self):
        return _year_url(self.object)

    def success_message(self, deleted):
        return _("Event “%(title)s” deleted.") % {"title": deleted.title}


def _day(day) -> str:
    return date_format(day)
