"""The review meeting pages (issue 7, point 1): the meetings list, a meeting with its agenda,
minutes, decisions and action items, the printable briefing book, and the pages that
schedule, change and delete meetings and action items (the view kit's, core/views.py).

Thin: every page asks the rules (`reviews.*`, from the models' access declarations), reads through
reviews/selectors.py and writes through reviews/services.py; a service's refusal is shown
on the form, next to its field where it has one, with status 400, and nothing is written."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from core.scoping import restrict
from core.views import Crumb, ServiceDeleteView, ServiceFormView, require
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


def _meetings_url(unit: OrgUnit | None = None) -> str:
    """The meetings list, of `unit` and the units below it if given."""
    url = reverse("reviews:index")
    return f"{url}?unit={unit.code}" if unit else url


def _detail_url(meeting: ReviewMeeting) -> str:
    return reverse("reviews:detail", args=[meeting.pk])


def _meeting_crumbs(meeting: ReviewMeeting, *after: Crumb) -> list[Crumb]:
    """The crumbs of a page about `meeting`: the meetings list, the meeting, then `after`."""
    return [
        Crumb(_("Review meetings"), _meetings_url()),
        Crumb(meeting.title, _detail_url(meeting)),
        *after,
    ]


# The meetings list ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def index(request):
    """`/reviews/?unit=CODE&kind=&status=&when=upcoming|past&page=`: the meetings of a unit
    and the units below it (all units by default), next ones first; a button to schedule
    one for those who may (in the unit chosen, or anywhere)."""
    user = request.user
    require(user, "reviews.view_reviewmeeting")
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
    require(user, "reviews.view_reviewmeeting", meeting)
    form = MinutesForm(
        initial={"minutes": meeting.minutes, "decisions": meeting.decisions,
                 "approved_version": meeting.approved_version_id},
        meeting=meeting,
    )  # fmt: skip
    status, cancel_error = 200, None
    if request.method == "POST":
        require(user, "reviews.change_reviewmeeting", meeting)
        done, form, cancel_error = _meeting_action(request, meeting, form)
        if done is not None:
            return done
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
        "crumbs": [
            Crumb(_("Review meetings"), _meetings_url()),
            Crumb(str(meeting.unit), _meetings_url(meeting.unit)),
            Crumb(meeting.title),
        ],
        "attendees": list(meeting.attendees.order_by("first_name", "last_name", "username")),
        "agenda": agenda,
        # A live agenda's items are the ones listed below it, with their controls.
        "hide_agenda_items": not agenda.frozen,
        "form": form,
        "items": items,
        "carried": carried,
        "can_change": user.has_perm("reviews.change_reviewmeeting", meeting),
        "cancel_error": cancel_error,
        "can_delete": user.has_perm("reviews.delete_reviewmeeting", meeting),
        "can_add_item": user.has_perm("reviews.add_actionitem", meeting),
        "status_choices": ActionStatus.choices,
        "scheduled": meeting.status == MeetingStatus.SCHEDULED,
        "held": meeting.status == MeetingStatus.HELD,
    }
    return render(request, "reviews/detail.html", context, status=status)


def _meeting_action(request, meeting: ReviewMeeting, form: MinutesForm):
    """The meeting page's buttons (`action`): save the minutes and decisions, hold the
    meeting or cancel it. Returns (a redirect when done, else None; the form to show; the
    refusal of a cancellation)."""
    user = request.user
    action = request.POST.get("action", "save")
    copy = ReviewMeeting.objects.get(pk=meeting.pk)  # the page keeps the saved one
    if action == "cancel":
        try:
            services.meeting_cancel(actor=user, meeting=copy)
        except ValidationError as exc:
            return None, form, " ".join(exc.messages)
        messages.success(request, _("Meeting '%(title)s' cancelled.") % {"title": copy.title})
        return redirect("reviews:detail", meeting.pk), form, None
    form = MinutesForm(request.POST, meeting=meeting)
    if action not in ("save", "hold"):
        form.add_error(None, _("Choose to save the minutes or to hold the meeting."))
    elif form.is_valid():
        try:
            if action == "hold":
                services.meeting_hold(actor=user, meeting=copy, **form.cleaned_data)
            else:
                services.meeting_update(actor=user, instance=copy, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if action == "hold":
                done = _("Meeting '%(title)s' held: its agenda is frozen.")
            else:
                done = _("Meeting '%(title)s' saved.")
            messages.success(request, done % {"title": copy.title})
            return redirect("reviews:detail", meeting.pk), form, None
    return None, form, None


@login_required
@require_http_methods(["GET", "HEAD"])
def briefing(request, pk: int):
    """`/reviews/<id>/briefing/`: the briefing book, made to print on A4: the meeting, its
    attendees, the agenda with every figure, the open action items and the decisions of
    the unit's last meeting (and, once held, its own minutes and decisions)."""
    user = request.user
    meeting = _meeting(pk)
    require(user, "reviews.view_reviewmeeting", meeting)
    context = {
        "meeting": meeting,
        "attendees": list(meeting.attendees.order_by("first_name", "last_name", "username")),
        "agenda": selectors.meeting_agenda(meeting),
        "held": meeting.status == MeetingStatus.HELD,
    }
    return render(request, "reviews/briefing.html", context)


# Scheduling, changing and deleting meetings ---------------------------------------------------


class MeetingCreate(ServiceFormView):
    """`/reviews/new/?unit=CODE`: schedule a meeting of a unit the user may add meetings
    to; without `unit`, first choose one of those units."""

    http_method_names = ["get", "head", "post"]  # as release 1's pages

    template_name = "reviews/meeting_form.html"
    form_class = MeetingForm
    permission = "reviews.add_reviewmeeting"
    submit_label = pgettext_lazy("meeting", "Schedule")

    def get_object(self):
        # A role first (403), then the unit (404), then the right to schedule in it (403).
        require(self.request.user, self.permission)
        code = self.request.GET.get("unit", "")
        self.unit = get_object_or_404(OrgUnit, code=code) if code else None
        return None

    def permission_object(self):
        return self.unit

    def get(self, request, *args, **kwargs):
        return self.pick_unit() if self.unit is None else super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.pick_unit() if self.unit is None else super().post(request, *args, **kwargs)

    def pick_unit(self):
        """The units where the user may schedule meetings, to choose one."""
        user = self.request.user
        units = [(u, d) for u, d in unit_tree() if user.has_perm(self.permission, u)]
        context = {
            "form": UnitPickForm(units=units),
            "crumbs": [Crumb(_("Review meetings"), _meetings_url()), Crumb(_("New"))],
        }
        return render(self.request, "reviews/unit_pick.html", context)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "unit": self.unit}

    def save(self, form):
        data = {**form.meeting_fields(), "unit": self.unit}
        return services.meeting_create(actor=self.request.user, data=data)

    def crumbs(self):
        return [Crumb(_("Review meetings"), _meetings_url(self.unit)), Crumb(_("New"))]

    def title(self):
        return _("Schedule a meeting of %(unit)s") % {"unit": self.unit}

    def cancel_url(self):
        return _meetings_url(self.unit)

    def success_url(self, saved):
        return _detail_url(saved)

    def success_message(self, saved):
        return _("Meeting '%(title)s' scheduled.") % {"title": saved.title}


class _OfMeeting:
    """Pages about one meeting (`pk`), with its unit and chair."""

    def get_object(self):
        return _meeting(self.kwargs["pk"])


class MeetingEdit(_OfMeeting, ServiceFormView):
    """`/reviews/<id>/edit/`: change a meeting's kind, title, date and time, chair and
    attendees (its unit stays)."""

    http_method_names = ["get", "head", "post"]  # as release 1's pages

    template_name = "reviews/meeting_form.html"
    form_class = MeetingForm
    permission = "reviews.change_reviewmeeting"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "unit": self.object.unit}

    def save(self, form):
        return services.meeting_update(
            actor=self.request.user, instance=form.instance, data=form.meeting_fields()
        )

    def crumbs(self):
        meeting = self.object
        return [
            Crumb(_("Review meetings"), _meetings_url(meeting.unit)),
            Crumb(meeting.title, _detail_url(meeting)),
            Crumb(_("Edit")),
        ]

    def title(self):
        return _("Edit %(title)s") % {"title": self.object.title}

    def cancel_url(self):
        return _detail_url(self.object)

    def success_url(self, saved):
        return _detail_url(saved)

    def success_message(self, saved):
        return _("Meeting '%(title)s' saved.") % {"title": saved.title}


class MeetingDelete(_OfMeeting, ServiceDeleteView):
    """`/reviews/<id>/delete/`: asks, then (POST) deletes a meeting with its action items."""

    http_method_names = ["get", "head", "post"]  # as release 1's pages

    permission = "reviews.delete_reviewmeeting"
    service = services.meeting_delete

    def crumbs(self):
        return _meeting_crumbs(self.object, Crumb(_("Delete")))

    def title(self):
        return _("Delete the meeting '%(title)s'?") % {"title": self.object.title}

    def question(self):
        meeting = self.object
        count = meeting.action_items.count()
        when = timezone.localtime(meeting.scheduled_for)
        return ngettext(
            "This deletes the %(kind)s of %(unit)s on %(when)s, with its minutes, decisions "
            "and %(count)s action item. It cannot be undone.",
            "This deletes the %(kind)s of %(unit)s on %(when)s, with its minutes, decisions "
            "and %(count)s action items. It cannot be undone.",
            count,
        ) % {
            "kind": str(meeting.get_kind_display()).lower(),
            "unit": meeting.unit.code,
            "when": date_format(when, "DATETIME_FORMAT"),
            "count": count,
        }

    def back_url(self):
        return _detail_url(self.object)

    def success_url(self, deleted):
        return _meetings_url(deleted.unit)

    def success_message(self, deleted):
        return _("Meeting '%(title)s' deleted.") % {"title": deleted.title}


# Action items ---------------------------------------------------------------------------------


class ItemCreate(ServiceFormView):
    """`/reviews/<id>/items/new/`: record a decision of the meeting as an action item."""

    http_method_names = ["get", "head", "post"]  # as release 1's pages

    template_name = "reviews/item_form.html"
    form_class = ActionItemForm
    permission = "reviews.add_actionitem"
    submit_label = gettext_lazy("Add")

    def get_object(self):
        self.meeting = _meeting(self.kwargs["pk"])
        return None

    def permission_object(self):
        return self.meeting

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "meeting": self.meeting}

    def save(self, form):
        data = {**form.cleaned_data, "meeting": self.meeting}
        return services.action_item_create(actor=self.request.user, data=data)

    def extra_context(self, form):
        return {"next": _next_or(self.request, "")}

    def crumbs(self):
        return _meeting_crumbs(self.meeting, Crumb(_("New action item")))

    def title(self):
        return _("New action item")

    def cancel_url(self):
        return _next_or(self.request, _detail_url(self.meeting))

    def success_url(self, saved):
        return _detail_url(self.meeting)

    def success_message(self, saved):
        return _("Action item '%(title)s' added.") % {"title": saved.title}


class ItemEdit(ServiceFormView):
    """`/reviews/items/<id>/edit/`: change an action item; its owner, when he or she does
    not run the meeting, changes its status only (as in the API)."""

    http_method_names = ["get", "head", "post"]  # as release 1's pages

    template_name = "reviews/item_form.html"
    permission = "reviews.change_actionitem"
    service = services.action_item_update

    def get_object(self):
        return _item(self.kwargs["pk"])

    @cached_property
    def runs_the_meeting(self) -> bool:
        """Whether the user may change the whole item (else its status only)."""
        return self.request.user.has_perm("reviews.change_reviewmeeting", self.object.meeting)

    @property
    def form_class(self):
        return ActionItemForm if self.runs_the_meeting else ActionStatusForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.runs_the_meeting:
            kwargs["meeting"] = self.object.meeting
        return kwargs

    @property
    def lead(self) -> str:
        """For its owner, what the item is and what he or she may change."""
        item = self.object
        if self.runs_the_meeting:
            return ""
        due = date_format(item.due)
        if item.objective:
            objective = item.objective
            return _(
                "Due %(due)s, about %(objective)s %(name)s. As its owner you may change its "
                "status; the rest is for those who run the meeting."
            ) % {
                "due": due,
                "objective": f"{objective.unit.code}.{objective.code}",
                "name": objective.name,
            }
        return _(
            "Due %(due)s. As its owner you may change its status; the rest is for those who "
            "run the meeting."
        ) % {"due": due}

    def extra_context(self, form):
        return {"next": _next_or(self.request, "")}

    def crumbs(self):
        return _meeting_crumbs(self.object.meeting, Crumb(_("Action item")))

    def title(self):
        return self.object.title

    def cancel_url(self):
        return _next_or(self.request, _detail_url(self.object.meeting))

    def success_url(self, saved):
        return self.cancel_url()

    def success_message(self, saved):
        return _("Action item '%(title)s' saved.") % {"title": saved.title}


class ItemDelete(ServiceDeleteView):
    """`/reviews/items/<id>/delete/`: asks, then (POST) deletes an action item."""

    http_method_names = ["get", "head", "post"]  # as release 1's pages

    permission = "reviews.delete_actionitem"
    service = services.action_item_delete

    def get_object(self):
        return _item(self.kwargs["pk"])

    def crumbs(self):
        return _meeting_crumbs(self.object.meeting, Crumb(_("Delete an action item")))

    def title(self):
        return _("Delete the action item '%(title)s'?") % {"title": self.object.title}

    def question(self):
        item = self.object
        return _(
            "This deletes the action item '%(title)s' (due %(due)s) of the meeting "
            "'%(meeting)s'. It cannot be undone."
        ) % {"title": item.title, "due": date_format(item.due), "meeting": item.meeting.title}

    def back_url(self):
        return _detail_url(self.object.meeting)

    def success_message(self, deleted):
        return _("Action item '%(title)s' deleted.") % {"title": deleted.title}
