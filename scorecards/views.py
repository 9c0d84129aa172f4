"""The scorecard pages: a measure and its data entry, "My updates", and the cascade (a
unit's objectives, measures and arrows) for unit heads. The Clear and Remove actions of a
value and the CSV upload are in value_views.py, with the words of the data entry's messages.

Thin: every rule is in the rules (asked with `has_perm`), in the forms and in the services;
reads come from the selectors; the create, edit and delete pages are the view kit's.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from core.forms import add_service_errors
from core.roles import OSM_STAFF, has_role
from core.scoping import headed_subtree_ids
from core.views import Crumb, ServiceDeleteView, ServiceFormView, require

from . import services
from .charts import measure_history
from .choices import ROLLUP_WORDS, ValueState
from .crumbs import unit_crumbs
from .forms import (
    CauseEffectForm,
    MeasureValueForm,
    ObjectiveForm,
    locale_month_names,
)
from .models import CascadeLink, CauseEffect, Measure, MeasureValue, Objective, OrgUnit
from .periods import period_for, period_text
from .selectors.approval import awaiting_review, returned_to, submitted_by
from .selectors.measure import measure_detail
from .selectors.owed_owners import owners_page
from .selectors.updates import entered_measure_count, owed_values, personal_goals
from .value_views import change_message, measure_url, period_status

OWNERS_PER_PAGE = 50
# My updates shows the first of the approval queue and of one's own submissions; the
# approvals page has them all.
QUEUE_ON_UPDATES = 20
ROLE = "scorecards.view_objective"  # any role reads the strategy


# A measure and its values ------------------------------------------------------------------


@login_required
def measure_page(request, pk: int):
    """A measure: its chart and the table of its periods; for its owner, the heads of its
    unit and the OSM staff, a form to enter or correct a period's value. With htmx, a GET
    returns only the form for `?period=` (as typed; an unreadable period is a field error,
    the text kept)."""
    require(request.user, ROLE)
    measure = get_object_or_404(Measure.objects.select_related("unit", "objective", "owner"), pk=pk)
    user = request.user
    may_enter = user.has_perm("scorecards.add_measurevalue", measure)
    status = 200
    if request.method == "POST":
        require(user, "scorecards.add_measurevalue", measure)
        form = MeasureValueForm(
            request.POST, measure=measure, sets_targets=services.may_set_targets(user, measure)
        )
        if form.is_valid():
            saved = _record_value(request, measure, form)
            if saved:
                return redirect(measure_url(measure, saved))
        status = 400
    else:
        form = _entry_form(measure, request.GET, services.may_set_targets(user, measure))
    if request.htmx and request.method == "GET":
        return render(request, "scorecards/value_form.html", {"measure": measure, "form": form})
    detail = measure_detail(measure)
    context = {
        "measure": measure,
        "detail": detail,
        "reading": detail.reading,
        "chart": measure_history(detail.series),
        "form": form if may_enter else None,
        "can_delete": user.has_perm("scorecards.delete_measurevalue", measure),
        "can_clear": user.has_perm("scorecards.change_measurevalue", measure),
        "can_edit": user.has_perm("scorecards.change_measure", measure),
        "crumbs": unit_crumbs(
            measure.unit,
            Crumb(measure.objective.code, reverse("objective", args=[measure.objective_id])),
            Crumb(measure.code),
        ),
        "rollup_word": ROLLUP_WORDS.get(measure.rollup, ""),
    }
    sources = list(measure.sources.select_related("unit").order_by("unit__code", "code"))
    inputs = list(
        Measure.objects.filter(formula_links__measure=measure)
        .select_related("unit")
        .order_by("unit__code", "code")
    )
    context.update(
        sources=sources,
        inputs=inputs,
        source_links=_measure_links(sources),
        input_links=_measure_links(inputs),
    )
    return render(request, "scorecards/measure.html", context, status=status)


def _measure_links(measures) -> str:
    """Links to measures, "UNIT.CODE" each, separated by commas (for a sentence)."""
    return format_html_join(
        ", ",
        '<a href="{}">{}.{}</a>',
        ((reverse("measure", args=[m.pk]), m.unit.code, m.code) for m in measures),
    )


def _record_value(request, measure: Measure, form: MeasureValueForm):
    """Save the form's value through the service; the period saved, or None with the
    service's errors put on the form (and, for figures far from the history, what the
    "Yes, save" button confirms)."""
    period = form.cleaned_data["period"]
    before = period_status(measure, period)
    try:
        change = services.measure_value_enter(
            actor=request.user,
            measure=measure,
            period=period,
            data=form.given(),
            confirm=form.confirms(request.POST.get("confirm", "")),
        )
    except ValidationError as exc:
        form.unusual = _unusual(exc, form)
        add_service_errors(form, exc)
        return None
    after = period_status(measure, period) if change.changes else before
    messages.success(request, change_message(measure, period, change, before, after))
    return period


def _unusual(exc: ValidationError, form) -> list[tuple[str, object]]:
    """The figures a confirmation would save, when confirming is all the refusal asks."""
    if not hasattr(exc, "error_dict"):
        return []
    codes = {error.code for errors in exc.error_dict.values() for error in errors}
    if codes != {services.UNUSUAL}:
        return []
    return [(name, form.cleaned_data[name]) for name in exc.error_dict]


def _entry_form(measure: Measure, query, sets_targets: bool) -> MeasureValueForm:
    """The form for `?period=` as typed (what is stored for it; a period that cannot be
    read keeps its text, with the reason), else for the oldest period the measure owes,
    else the next one due."""
    text = query.get("period", "").strip()
    if text:
        try:
            period = period_for(
                text, measure.frequency, settings.FISCAL_YEAR_START_MONTH, locale_month_names()
            )
        except ValueError:
            form = MeasureValueForm({"period": text}, measure=measure, sets_targets=sets_targets)
            form.is_valid()  # the period's error, next to the text as typed
            return form
    else:
        owed = owed_values(Q(pk=measure.pk))
        period = owed[0].period if owed else None
    if period is None:
        return MeasureValueForm(measure=measure, sets_targets=sets_targets)
    stored = MeasureValue.objects.filter(measure=measure, period=period).first()
    initial = {"period": period_text(period, measure.frequency, settings.FISCAL_YEAR_START_MONTH)}
    if stored:
        initial.update(
            actual=stored.actual, target=stored.target, red_flag=stored.red_flag, note=stored.note
        )
        if not sets_targets and stored.state != ValueState.APPROVED:
            # an owner goes on from what he submitted (and may have had returned)
            initial.update(actual=stored.submitted_actual, note=stored.submitted_note)
    return MeasureValueForm(measure=measure, initial=initial, sets_targets=sets_targets)


# The Clear and Remove actions and the CSV upload are in value_views.py.


# My updates --------------------------------------------------------------------------------


@login_required
def my_updates(request):
    """What the user owes (actuals of the measures he or she owns), for unit heads and the
    OSM staff what each owner of their units owes, and for an employee her goals. Each empty
    list says why it is empty: nothing owned, or everything in."""
    user = request.user
    require(user, ROLE)
    mine = owed_values(Q(owner=user))
    owned = entered_measure_count(Q(owner=user))
    team_scope, staff = None, has_role(user, OSM_STAFF) or user.is_superuser
    if staff:
        team_scope = Q()
    elif headed := headed_subtree_ids(user):
        team_scope = Q(unit_id__in=headed)
    owners, team_measures = [], 0
    if team_scope is not None:
        others = team_scope & ~Q(owner=user)
        team_measures = entered_measure_count(others)
        # The most behind first, a page at a time, paged by the database: the staff see every
        # owner (8,000 at seed_scale), and their scope is every measure's values.
        page = request.GET.get("page")
        owners = owners_page(others, page, OWNERS_PER_PAGE, every_value=staff)
        people = get_user_model().objects.in_bulk([o["owner_id"] for o in owners if o["owner_id"]])
        for row in owners:
            row["owner"] = people.get(row["owner_id"])
    reviewer = team_scope is not None and user.has_perm("scorecards.change_measure")
    queue = awaiting_review(user) if reviewer else MeasureValue.objects.none()
    context = {
        "queue": list(queue[:QUEUE_ON_UPDATES]),
        "queue_count": queue.count() if reviewer else 0,
        "returned": list(returned_to(user)[:QUEUE_ON_UPDATES]),
        "submitted": list(submitted_by(user)[:QUEUE_ON_UPDATES]),
        "overdue": [i for i in mine if i.overdue],
        "upcoming": [i for i in mine if not i.overdue],
        "owned": owned,
        "owners": owners,
        "team": team_scope is not None,
        "team_measures": team_measures,
        "goals": personal_goals(user),
        "can_upload": user.has_perm("scorecards.add_measurevalue"),
    }
    return render(request, "scorecards/my_updates.html", context)


# The cascade: a unit's objectives, measures and arrows ------------------------------------


@login_required
def unit_cascade(request, code: str):
    """A unit's objectives with what they support, the objectives of the units above that
    none of them supports yet (each with a button to cascade it), its measures and the
    arrows of its strategy map."""
    require(request.user, ROLE)
    unit = get_object_or_404(OrgUnit, code=code)
    objectives = (
        Objective.objects.filter(unit=unit)
        .select_related("perspective", "theme", "owner")
        .prefetch_related(
            Prefetch("supports", queryset=Objective.objects.select_related("unit")),
            Prefetch("measures", queryset=Measure.objects.order_by("code")),
        )
        .order_by("perspective__order", "code")
    )
    supported = CascadeLink.objects.filter(supporting__unit=unit).values("supported_id")
    not_supported = (
        Objective.objects.filter(unit__in=OrgUnit.objects.ancestors_of(unit.pk))
        .exclude(pk__in=supported)
        .select_related("unit", "perspective")
        .order_by("unit__code", "code")
        if unit.parent_id
        else Objective.objects.none()
    )
    can_edit = request.user.has_perm("scorecards.add_objective", unit)
    context = {
        "unit": unit,
        "crumbs": unit_crumbs(unit, Crumb(_("Cascade"))),
        "objectives": objectives,
        "not_supported": not_supported,
        "arrows": CauseEffect.objects.filter(cause__unit=unit)
        .select_related("cause", "effect")
        .order_by("cause__code", "effect__code"),
        "arrow_form": CauseEffectForm(unit=unit) if can_edit else None,
        "can_edit": can_edit,
    }
    return render(request, "scorecards/cascade.html", context)


class _OnUnit:
    """Pages of a unit's cascade: the crumbs lead to it; their forms leave the checking of
    what is typed to the server."""

    novalidate = True

    def unit(self) -> OrgUnit:
        raise NotImplementedError

    def crumbs(self):
        return unit_crumbs(
            self.unit(), Crumb(_("Cascade"), reverse("unit-cascade", args=[self.unit().code]))
        )

    def cancel_url(self) -> str:
        return reverse("unit-cascade", args=[self.unit().code])


class NewOfUnit:
    """A page that adds something to the unit its address names (`<str:code>`): the unit
    is the new row's parent, what the permission is asked of, and the form's `unit`."""

    parent_field = "unit"

    def dispatch(self, request, *args, code: str, **kwargs):
        self.parent = get_object_or_404(OrgUnit, code=code)
        return super().dispatch(request, *args, **kwargs)

    def unit(self):
        return self.parent

    def permission_object(self):
        return self.parent

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "unit": self.parent}


class ObjectiveCreate(NewOfUnit, _OnUnit, ServiceFormView):
    """A new objective of the unit, cascaded under objectives of the units above
    (`?supports=ID` ticks one, and takes its perspective, for the "cascade" buttons)."""

    form_class = ObjectiveForm
    permission = "scorecards.add_objective"
    service = services.objective_create

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        up = self.request.GET.get("supports", "")
        parent = Objective.objects.filter(pk=int(up)).first() if up.isdigit() else None
        if parent:
            kwargs["initial"] = {"supports": [parent.pk], "perspective": parent.perspective_id}
        return kwargs

    def title(self):
        return _("New objective of %(unit)s") % {"unit": self.parent.name}

    def success_url(self, saved):
        return reverse("unit-cascade", args=[self.parent.code])

    def success_message(self, saved):
        return _("Created %(code)s %(name)s.") % {"code": saved.code, "name": saved.name}


class ObjectiveEdit(_OnUnit, ServiceFormView):
    """Change an objective and the objectives it supports."""

    form_class = ObjectiveForm
    permission = "scorecards.change_objective"
    service = services.objective_update

    def get_object(self):
        return get_object_or_404(Objective.objects.select_related("unit"), pk=self.kwargs["pk"])

    def unit(self):
        return self.object.unit

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "unit": self.object.unit}

    def title(self):
        return _("Edit %(code)s %(name)s") % {"code": self.object.code, "name": self.object.name}

    def success_url(self, saved):
        return reverse("objective", args=[saved.pk])

    def success_message(self, saved):
        return _("Saved %(code)s.") % {"code": saved.code}


class ObjectiveDelete(_OnUnit, ServiceDeleteView):
    """Delete an objective nothing depends on (else say what depends on it)."""

    permission = "scorecards.delete_objective"
    service = services.objective_delete

    def get_object(self):
        return get_object_or_404(Objective.objects.select_related("unit"), pk=self.kwargs["pk"])

    def unit(self):
        return self.object.unit

    def title(self):
        return _("Delete %(code)s %(name)s?") % {"code": self.object.code, "name": self.object.name}

    def back_url(self):
        return reverse("unit-cascade", args=[self.object.unit.code])

    def success_message(self, deleted):
        return _("Deleted %(code)s %(name)s.") % {"code": deleted.code, "name": deleted.name}


class MeasureDelete(_OnUnit, ServiceDeleteView):
    """Delete a measure without values or anything else depending on it."""

    permission = "scorecards.delete_measure"
    service = services.measure_delete

    def get_object(self):
        return get_object_or_404(
            Measure.objects.select_related("unit", "objective"), pk=self.kwargs["pk"]
        )

    def unit(self):
        return self.object.unit

    def title(self):
        return _("Delete %(code)s %(name)s?") % {"code": self.object.code, "name": self.object.name}

    def back_url(self):
        return reverse("objective", args=[self.object.objective_id])

    def success_message(self, deleted):
        return _("Deleted %(code)s %(name)s.") % {"code": deleted.code, "name": deleted.name}


class ArrowCreate(NewOfUnit, _OnUnit, ServiceFormView):
    """Draw an arrow of the unit's strategy map (posted from the cascade page)."""

    form_class = CauseEffectForm
    permission = "scorecards.add_causeeffect"
    service = services.cause_effect_create
    http_method_names = ["post"]
    parent_field = ""  # the arrow names its unit in the form, not as a parent

    def title(self):
        return _("New arrow of %(unit)s's strategy map") % {"unit": self.parent.name}

    def success_url(self, saved):
        return reverse("unit-cascade", args=[self.parent.code])

    def success_message(self, saved):
        return _("Drew %(cause)s → %(effect)s.") % {
            "cause": saved.cause.code,
            "effect": saved.effect.code,
        }


class ArrowDelete(_OnUnit, ServiceDeleteView):
    """Remove an arrow of a strategy map (a button on the cascade page)."""

    permission = "scorecards.delete_causeeffect"
    service = services.cause_effect_delete
    http_method_names = ["post"]

    def get_object(self):
        return get_object_or_404(
            CauseEffect.objects.select_related("cause__unit", "effect"), pk=self.kwargs["pk"]
        )

    def unit(self):
        return self.object.cause.unit

    def back_url(self):
        return reverse("unit-cascade", args=[self.object.cause.unit.code])

    def success_message(self, deleted):
        return _("Removed %(cause)s → %(effect)s.") % {
            "cause": deleted.cause.code,
            "effect": deleted.effect.code,
        }
