"""The discussion of a subject (an objective, a measure, an initiative, a value, an action
item): its analysis and recommendations for the month chosen, and its comments with
replies. A page of its own (`/discuss/<type>/<id>/`), also loaded by htmx into the
subject's page. Thin: the rules are the services'."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from core.subjects import load_subject, subject_kind
from core.views import require

from . import services
from .forms import AnalysisForm, CommentForm
from .models import COMMENT_SUBJECTS, MONTHLY_SUBJECTS, Comment
from .selectors import analyses_of, analysis_of, thread

ROLE = "communication.view_comment"


def _subject(kind_name: str, pk: int):
    if kind_name not in COMMENT_SUBJECTS:
        raise Http404(_("No such subject."))
    subject = load_subject(kind_name, pk)
    if subject is None:
        raise Http404(_("No such subject."))
    return subject_kind(kind_name), subject


def _month(text: str | None) -> dt.date:
    """`?month=YYYY-MM`, else last month (the one being reported on)."""
    if text:
        try:
            return dt.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            pass
    first = timezone.localdate().replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def _context(request, kind, subject, month, analysis_form=None, comment_form=None) -> dict:
    monthly = kind.name in MONTHLY_SUBJECTS
    analysis = analysis_of(kind.name, subject.pk, month) if monthly else None
    may_analyse = monthly and services.may_analyse(request.user, kind.name, subject)
    if may_analyse and analysis_form is None:
        initial = (
            {"analysis": analysis.analysis, "recommendations": analysis.recommendations}
            if analysis
            else {}
        )
        analysis_form = AnalysisForm(initial=initial)
    return {
        "kind": kind,
        "subject": subject,
        "title": kind.title(subject),
        "subject_url": kind.url(subject),
        "month": month,
        "months": [(month.replace(day=1) - dt.timedelta(days=1)).replace(day=1), month],
        "monthly": monthly,
        "analysis": analysis,
        "earlier": analyses_of(kind.name, subject.pk) if monthly else [],
        "analysis_form": analysis_form if may_analyse else None,
        "comments": thread(kind.name, subject.pk),
        "comment_form": comment_form or CommentForm(),
        "is_staff": services.moderates(request.user),
        "here": reverse("discussion", args=[kind.name, subject.pk]) + f"?month={month:%Y-%m}",
    }


@login_required
def discussion(request, kind: str, pk: int):
    """The subject's analysis for the month and its comments (a whole page, or the panel
    the subject's page loads with htmx)."""
    require(request.user, ROLE)
    kind, subject = _subject(kind, pk)
    context = _context(request, kind, subject, _month(request.GET.get("month")))
    template = "communication/_panel.html" if request.htmx else "communication/discussion.html"
    return render(request, template, context)


@require_POST
@login_required
def analysis_post(request, kind: str, pk: int):
    """Save the month's analysis (its owner, the heads above, the OSM staff)."""
    require(request.user, "communication.add_analysis")
    kind, subject = _subject(kind, pk)
    month = _month(request.POST.get("month"))
    form = AnalysisForm(request.POST)
    if form.is_valid():
        try:
            services.analysis_save(
                actor=request.user,
                subject_type=kind.name,
                subject_id=subject.pk,
                month=month,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved the analysis."))
            return redirect(_back(kind, subject, month))
    context = _context(request, kind, subject, month, analysis_form=form)
    return render(request, "communication/discussion.html", context, status=400)


@require_POST
@login_required
def comment_post(request, kind: str, pk: int):
    """Add a comment, or a reply (`parent`)."""
    require(request.user, "communication.add_comment")
    kind, subject = _subject(kind, pk)
    month = _month(request.POST.get("month"))
    form = CommentForm(request.POST)
    if form.is_valid():
        data = {"subject_type": kind.name, "subject": subject.pk, **form.cleaned_data}
        try:
            comment = services.comment_create(actor=request.user, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Comment added."))
            return redirect(f"{_back(kind, subject, month)}#comment-{comment.pk}")
    context = _context(request, kind, subject, month, comment_form=form)
    return render(request, "communication/discussion.html", context, status=400)


@require_POST
@login_required
def comment_delete(request, pk: int):
    """Delete a comment (its author, or the OSM staff moderating)."""
    comment = get_object_or_404(Comment, pk=pk)
    require(request.user, "communication.delete_comment")
    services.comment_delete(actor=request.user, instance=comment)
    messages.success(request, _("Comment deleted."))
    return redirect(
        reverse("discussion", args=[comment.subject_type, comment.subject_id])
        + f"#comment-{comment.pk}"
    )


def _back(kind, subject, month) -> str:
    return reverse("discussion", args=[kind.name, subject.pk]) + f"?month={month:%Y-%m}"
