"""The announcement pages (issue 17, item 3): `/announcements/` lists those addressed to the
person (to his or her unit or a unit above it; `?show=all`: every one), unread ones marked;
`/announcements/<id>/` shows one and marks it read; `/announcements/new/`, `<id>/edit/` and
`<id>/delete/` publish, change and withdraw one (the OSM staff, unit heads for their
subtree); `<id>/reach/` is the read share by unit, for its author and the OSM staff.

Thin: the rules are asked by name (`communication.*_announcement`), writes go through
communication/services/announcements.py, reads through its selectors."""

from __future__ import annotations

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
from django.views.decorators.http import require_GET, require_http_methods

from core.scoping import restrict
from core.views import Crumb, ServiceDeleteView, ServiceFormView, require
from scorecards.crumbs import unit_url
from scorecards.models import OrgUnit
from scorecards.selectors.search import code_name, matching

from .announcement_forms import AnnouncementForm
from .models import Announcement
from .selectors.announcements import (
    announcements_for,
    employee_unit_id,
    objectives_offered,
    publishable_units,
    reach_of,
    sees_reach,
    with_read,
)
from .services import announcements as services

VIEW = "communication.view_announcement"
ADD = "communication.add_announcement"
PER_PAGE = 20


def _list_url() -> str:
    return reverse("announcements")


def _crumbs(*after: Crumb) -> list[Crumb]:
    return [Crumb(_("Announcements"), _list_url()), *after]


@login_required
@require_http_methods(["GET", "HEAD"])
def announcement_list(request):
    """Those addressed to the person, latest first (`?show=all`: every announcement), a page
    at a time, the unread ones marked. Without an employee record OSM cannot tell which are
    addressed to him or her: every one is shown."""
    user = request.user
    require(user, VIEW)
    unit_id = employee_unit_id(user)
    show = request.GET.get("show")
    if show not in ("all", "mine") or not unit_id:
        show = "mine" if unit_id else "all"
    rows = announcements_for(user, mine=show == "mine", unit_id=unit_id)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "crumbs": [Crumb(_("Announcements"))],
        "page": page,
        "show": show,
        "has_unit": bool(unit_id),
        "can_publish": user.has_perm(ADD),
    }
    return render(request, "communication/announcements/list.html", context)


def _announcement(request, pk: int) -> Announcement:
    """The announcement `pk` as the person may see it (404 otherwise), with `read`."""
    require(request.user, VIEW)
    rows = with_read(restrict(Announcement.objects.select_related("unit", "author"),
                              request.user), request.user)  # fmt: skip
    return get_object_or_404(rows, pk=pk)


@login_required
@require_http_methods(["GET", "HEAD"])
def announcement_detail(request, pk: int):
    """One announcement, its text rendered sanitised and the objectives it is about; opening
    it marks it read (and its inbox notification). Its author and the OSM staff get the link
    to its read share, those who may change it the links to do so."""
    user = request.user
    announcement = _announcement(request, pk)
    if request.method == "GET":
        services.announcement_read(actor=user, announcement=announcement)
    objectives = restrict(announcement.objectives.select_related("unit"), user)
    context = {
        "crumbs": _crumbs(Crumb(announcement.title)),
        "announcement": announcement,
        "unit_url": unit_url(announcement.unit),
        "objectives": objectives.order_by("unit__code", "code"),
        "can_reach": sees_reach(user, announcement),
        "can_change": user.has_perm("communication.change_announcement", announcement),
        "can_delete": user.has_perm("communication.delete_announcement", announcement),
    }
    return render(request, "communication/announcements/detail.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def announcement_reach(request, pk: int):
    """Who of the people it reaches has read it: in all and unit by unit (each unit's own
    people), for its author and the OSM staff (403 for anyone else)."""
    announcement = _announcement(request, pk)
    if not sees_reach(request.user, announcement):
        raise PermissionDenied(
            _("Only its author and the OSM staff see who has read an announcement.")
        )
    context = {
        "crumbs": _crumbs(
            Crumb(announcement.title, reverse("announcement", args=[announcement.pk])),
            Crumb(_("Read by")),
        ),
        "announcement": announcement,
        "reach": reach_of(announcement),
    }
    return render(request, "communication/announcements/reach.html", context)


@require_GET
@login_required
def objectives_search(request):
    """JSON for the objectives box of the announcement form (core.widgets.
    SearchedSelectMultiple): the objectives the person may see matching `?q=`,
    `{"results": [{"value": id, "text": label}]}`."""
    require(request.user, ADD)
    text = request.GET.get("q", "")[:100].replace("\x00", "")  # PostgreSQL refuses NUL
    found = matching(objectives_offered(request.user), text)
    return JsonResponse({"results": [{"value": o.pk, "text": code_name(o)} for o in found]})


class _AnnouncementFormPage(ServiceFormView):
    """What the publish and edit pages share: the units offered (those the person may
    publish to) and the objectives (those he or she sees, searched as typed). A unit out of
    reach posted anyway is a 403, as in the API."""

    form_class = AnnouncementForm
    novalidate = True

    @cached_property
    def units(self):
        return publishable_units(self.request.user)

    def post(self, request, *args, **kwargs):
        posted = request.POST.get("unit", "")
        # a number of a unit (not one too long for the database to look up)
        unit = (
            OrgUnit.objects.filter(pk=int(posted)).first()
            if posted.isdigit() and len(posted) < 10
            else None
        )
        if unit is not None and not self.units.filter(pk=unit.pk).exists():
            raise PermissionDenied(
                _("You may publish announcements only to the units of your subtree.")
            )
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict:
        return {
            **super().get_form_kwargs(),
            "units": self.units,
            "objectives": objectives_offered(self.request.user),
        }

    def success_url(self, saved) -> str:
        return reverse("announcement", args=[saved.pk])


class AnnouncementCreate(_AnnouncementFormPage):
    """`/announcements/new/` (`?unit=<code>` picks the unit): publish an announcement to a
    unit and everything below it; its audience is told in the inbox."""

    permission = ADD
    service = services.announcement_publish
    submit_label = gettext_lazy("Publish")

    @property
    def lead(self):
        return _(
            "It reaches everyone of the unit chosen and of the units below it: each is told "
            "in the inbox, and it shows on their strategy page."
        )

    def get_form_kwargs(self) -> dict:
        kwargs = super().get_form_kwargs()
        unit = self.units.filter(code=self.request.GET.get("unit", "")).first()
        if unit is not None:
            kwargs["initial"] = {"unit": unit.pk}
        return kwargs

    def crumbs(self):
        return _crumbs(Crumb(_("New")))

    def title(self):
        return _("Publish an announcement")

    def cancel_url(self):
        return _list_url()

    def success_message(self, saved):
        return _("Published: %(title)s.") % {"title": saved.title}


class _OfAnnouncement:
    """Pages about one announcement (`pk`), with its unit."""

    def get_object(self):
        return get_object_or_404(Announcement.objects.select_related("unit"), pk=self.kwargs["pk"])

    def cancel_url(self):
        return reverse("announcement", args=[self.object.pk])


class AnnouncementEdit(_OfAnnouncement, _AnnouncementFormPage):
    """`/announcements/<id>/edit/`: change its title, text, objectives or unit (moved, it
    tells the people it newly reaches)."""

    permission = "communication.change_announcement"
    service = services.announcement_update

    def crumbs(self):
        return _crumbs(Crumb(self.object.title, self.cancel_url()), Crumb(_("Edit")))

    def title(self):
        return _("Edit the announcement “%(title)s”") % {"title": self.object.title}

    def success_message(self, saved):
        return _("Saved: %(title)s.") % {"title": saved.title}


class AnnouncementDelete(_OfAnnouncement, ServiceDeleteView):
    """`/announcements/<id>/delete/`: asks, then (POST) withdraws an announcement."""

    permission = "communication.delete_announcement"
    service = services.announcement_delete

    def crumbs(self):
        return _crumbs(Crumb(self.object.title, self.cancel_url()), Crumb(_("Delete")))

    def title(self):
        return _("Withdraw the announcement “%(title)s”?") % {"title": self.object.title}

    def question(self):
        return _(
            "It disappears from everyone's list and inbox, with its read marks. This cannot "
            "be undone."
        )

    def details(self):
        return _("Addressed to %(unit)s, published %(when)s.") % {
            "unit": self.object.unit,
            "when": date_format(timezone.localtime(self.object.published_at), "DATE_FORMAT"),
        }

    def back_url(self):
        return self.cancel_url()

    def success_url(self, deleted):
        return _list_url()

    def success_message(self, deleted):
        return _("Withdrawn: %(title)s.") % {"title": deleted.title}
