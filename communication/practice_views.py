"""The practice pages: `/practices/` lists them by endorsements (filters: unit, objective,
measure, words), `/practices/<id>/` shows one with its documents and the Endorse / Withdraw
button, `/practices/new/`, `/<id>/edit/` and `/<id>/delete/` write them (anyone with a role
writes one; its author and the OSM staff change and delete it), and a document is
downloaded only through `/practices/<id>/attachments/<id>/`, to who may see the practice.
`/practices/for-measure/<id>/` is the panel a measure's page loads (htmx) when the measure is
Off target or on Watch: practices of the units where the same measure is on target.

Thin: writes are the services', reads the selectors'; every page asks the rules."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.scoping import restrict
from core.uploads import takes_large_body
from core.views import Crumb, ServiceDeleteView, ServiceFormView, require
from scorecards.display import unit_choices
from scorecards.models import Measure, Objective
from scorecards.selectors import unit_tree
from scorecards.selectors.search import code_name, matching

from .models import Practice, PracticeAttachment
from .practice_forms import PracticeFilter, PracticeForm
from .selectors.practices import practice_page, practices_for, suggested_practices, with_links
from .services import practices as services

VIEW, ADD = "communication.view_practice", "communication.add_practice"
CHANGE, DELETE = "communication.change_practice", "communication.delete_practice"
PAGE_SIZE = 25
SUGGESTIONS_SHOWN = 10  # on the measure's page
SUGGESTIONS_LISTED = 200  # on the page of their own


def _list_crumb() -> Crumb:
    return Crumb(_("Practices"), reverse("practices"))


def _visible(user, pk: int) -> Practice:
    """A practice `user` may see (403 without a role, 404 out of sight or unknown)."""
    require(user, VIEW)
    return get_object_or_404(restrict(Practice.objects.select_related("unit"), user), pk=pk)


def attachment_response(attachment: PracticeAttachment) -> FileResponse:
    """An attachment as a download under the name it was given, never shown in the page's
    origin as what the browser guesses it is (the pages and the API answer with it)."""
    try:
        handle = attachment.file.storage.open(attachment.file.name, "rb")
    except OSError:
        raise Http404(_("The file of this attachment is missing.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Reading -----------------------------------------------------------------------------------


@login_required
def practice_list(request):
    """The practices, most endorsed first, then newest; filtered and paginated."""
    user = request.user
    require(user, VIEW)
    filters = PracticeFilter(request.GET or None, queryset=with_links(practices_for(user)))
    filters.form.fields["unit"].widget.choices = unit_choices(unit_tree(), empty=_("All units"))
    context = {
        "filters": filters,
        "can_add": user.has_perm(ADD),
        "crumbs": [Crumb(_("Practices"))],
    }
    if filters.is_bound and not filters.is_valid():
        return render(request, "communication/practices/list.html", context, status=400)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(page=page, practices=list(page.object_list))
    return render(request, "communication/practices/list.html", context)


@login_required
def practice_detail(request, pk: int):
    """One practice: its text, unit, objectives and measures, documents and endorsements."""
    user = request.user
    require(user, VIEW)
    practice = practice_page(user, pk)
    if practice is None:
        raise Http404(_("No such practice."))
    context = {
        "practice": practice,
        "crumbs": [_list_crumb(), Crumb(practice.title)],
        "can_change": user.has_perm(CHANGE, practice),
        "can_delete": user.has_perm(DELETE, practice),
        "can_endorse": services.may_endorse(user, practice),
    }
    return render(request, "communication/practices/detail.html", context)


@require_POST
@login_required
def practice_endorsement(request, pk: int):
    """Endorse a practice, or (`withdraw=1`) withdraw one's endorsement. With htmx the
    button and the count are answered; otherwise the practice's page."""
    user = request.user
    practice = _visible(user, pk)
    withdraw = request.POST.get("withdraw") == "1"
    service = services.practice_unendorse if withdraw else services.practice_endorse
    error = ""
    try:
        service(actor=user, practice=practice)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        context = {
            "practice": practices_for(user).get(pk=practice.pk),
            "can_endorse": services.may_endorse(user, practice),
            "error": error,
        }
        return render(
            request, "communication/practices/_endorse.html", context, status=400 if error else 200
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Endorsement withdrawn.") if withdraw else _("Endorsed."))
    return redirect("practice", pk=practice.pk)


@require_GET
@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    """A document of a practice, to who may see the practice."""
    practice = _visible(request.user, pk)
    attachment = get_object_or_404(PracticeAttachment, practice=practice, pk=attachment_pk)
    return attachment_response(attachment)


@require_POST
@login_required
def attachment_remove(request, pk: int, attachment_pk: int):
    """Remove a document (the practice's author, the OSM staff)."""
    practice = _visible(request.user, pk)
    require(request.user, CHANGE, practice)
    attachment = get_object_or_404(PracticeAttachment, practice=practice, pk=attachment_pk)
    services.attachment_delete(actor=request.user, instance=attachment)
    messages.success(request, _("Removed “%(name)s”.") % {"name": attachment.name})
    return redirect("practice", pk=practice.pk)


@login_required
def measure_suggestions(request, measure_pk: int):
    """The practices suggested on a measure Off target or on Watch (the panel its page
    loads with htmx; a page of its own otherwise). Empty for any other measure."""
    user = request.user
    require(user, VIEW)
    measure = get_object_or_404(
        restrict(Measure.objects.select_related("unit", "objective"), user), pk=measure_pk
    )
    suggestions = suggested_practices(user, measure)
    shown = SUGGESTIONS_SHOWN if request.htmx else SUGGESTIONS_LISTED
    practices = list(suggestions.practices[: shown + 1])
    context = {
        "measure": measure,
        "suggestions": suggestions,
        "practices": practices[:shown],
        "more": bool(request.htmx) and len(practices) > shown,
        "crumbs": [
            _list_crumb(),
            Crumb(f"{measure.unit.code}.{measure.code}", reverse("measure", args=[measure.pk])),
            Crumb(_("Suggested practices")),
        ],
    }
    template = "_suggestions.html" if request.htmx else "suggestions.html"
    return render(request, f"communication/practices/{template}", context)


# The form boxes' searches ------------------------------------------------------------------


def _search(request, model, permission: str) -> JsonResponse:
    require(request.user, permission)
    rows = restrict(model.objects.order_by("unit__code", "code"), request.user)
    query = request.GET.get("q", "")[:100].replace("\x00", "")  # PostgreSQL takes no NUL
    found = matching(rows, query)
    return JsonResponse({"results": [{"value": row.pk, "text": code_name(row)} for row in found]})


@require_GET
@login_required
def objectives_search(request):
    """JSON for the objectives box (core.widgets.SearchedSelectMultiple): the objectives
    matching `?q=`, `{"results": [{"value": id, "text": "UNIT.CODE name"}]}`."""
    return _search(request, Objective, "scorecards.view_objective")


@require_GET
@login_required
def measures_search(request):
    """JSON for the measures box, as `objectives_search`."""
    return _search(request, Measure, "scorecards.view_measure")


# Writing -----------------------------------------------------------------------------------


class _PracticeFormPage(ServiceFormView):
    """What the new and edit pages share: the form with its documents (a body larger than
    the uploads' ceiling arrives without its files, core/uploads.py: then said so)."""

    form_class = PracticeForm
    template_name = "communication/practices/form.html"

    def get_form_kwargs(self) -> dict:
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "limit_text": services.size_text(settings.ATTACHMENT_MAX_BYTES),
        }

    def post(self, request, *args, **kwargs):
        form = self.get_form()  # reads the body: only then is a body too large marked
        if getattr(request, "upload_too_large", False):  # see core/uploads.py
            form.is_valid()
            form.errors.pop("attachments", None)
            form.add_error("attachments", services.too_large_message())
            return self.render_form(form, status=400)
        return super().post(request, *args, **kwargs)

    def extra_context(self, form) -> dict:
        held = list(self.object.attachments.all()) if self.object is not None else []
        return {"attachments": held}

    def success_url(self, saved) -> str:
        return reverse("practice", args=[saved.pk])


@takes_large_body("ATTACHMENT_MAX_BYTES")  # several documents; each checked by the service
class PracticeCreate(_PracticeFormPage):
    """`/practices/new/`: write a practice (anyone with a role)."""

    permission = ADD
    service = services.practice_create

    def title(self) -> str:
        return _("New practice")

    def crumbs(self):
        return [_list_crumb(), Crumb(_("New practice"))]

    def cancel_url(self) -> str:
        return reverse("practices")

    def success_message(self, saved) -> str:
        return _("Published the practice “%(title)s”.") % {"title": saved.title}


@takes_large_body("ATTACHMENT_MAX_BYTES")
class PracticeEdit(_PracticeFormPage):
    """`/practices/<id>/edit/`: change a practice, attach more (its author, the OSM staff)."""

    permission = CHANGE
    service = services.practice_update

    def get_object(self):
        return _visible(self.request.user, self.kwargs["pk"])

    def title(self) -> str:
        return _("Edit “%(title)s”") % {"title": self.object.title}

    def crumbs(self):
        return [
            _list_crumb(),
            Crumb(self.object.title, self.cancel_url()),
            Crumb(_("Edit")),
        ]

    def cancel_url(self) -> str:
        return reverse("practice", args=[self.object.pk])

    def success_message(self, saved) -> str:
        return _("Saved the practice “%(title)s”.") % {"title": saved.title}


class PracticeDelete(ServiceDeleteView):
    """`/practices/<id>/delete/`: delete a practice (its author, the OSM staff)."""

    permission = DELETE
    service = services.practice_delete

    def get_object(self):
        return _visible(self.request.user, self.kwargs["pk"])

    def crumbs(self):
        return [_list_crumb(), Crumb(self.object.title, self.back_url()), Crumb(_("Delete"))]

    def question(self) -> str:
        return _(
            "Its endorsements and attached documents are deleted with it. This cannot be undone."
        )

    def back_url(self) -> str:
        return reverse("practice", args=[self.object.pk])

    def success_url(self, deleted) -> str:
        return reverse("practices")

    def success_message(self, deleted) -> str:
        return _("Deleted the practice “%(title)s”.") % {"title": deleted.title}
