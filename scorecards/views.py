"""The scorecard pages: a measure and its data entry, the CSV upload of values, "My
updates", and the cascade (a unit's objectives, measures and arrows) for unit heads.

Thin: every rule is in `osm/rules.py` (asked with `has_perm`), in the forms and in the
services; reads come from the selectors.
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from core.roles import OSM_STAFF, has_role
from core.scoping import headed_subtree_ids

from . import services
from .charts import measure_history
from .csv_values import rows_from_csv
from .forms import (
    CauseEffectForm,
    MeasureForm,
    MeasureValueForm,
    ObjectiveForm,
    ValuesUploadForm,
)
from .models import CascadeLink, CauseEffect, Measure, MeasureValue, Objective, OrgUnit
from .periods import parse_period
from .selectors import breadcrumbs
from .selectors.measure import measure_detail
from .selectors.updates import owed_values

NO_ROLE = "You have no role in OSM yet: ask the OSM staff for one."


def _require_role(user) -> None:
    if not user.has_perm("scorecards.view_objective"):
        raise PermissionDenied(NO_ROLE)


def _require(user, permission: str, obj=None) -> None:
    if not user.has_perm(permission, obj):
        raise PermissionDenied("You may not do this here.")


# A measure and its values ------------------------------------------------------------------


@login_required
def measure_page(request, pk: int):
    """A measure: its chart and the table of its periods; for its owner, the heads of its
    unit and the OSM staff, a form to enter or correct a period's value. A value that
    scores red needs a note. With htmx, a GET returns only the form for `?period=`."""
    _require_role(request.user)
    measure = get_object_or_404(Measure.objects.select_related("unit", "objective", "owner"), pk=pk)
    user = request.user
    may_enter = user.has_perm("scorecards.add_measurevalue", measure)
    status = 200
    if request.method == "POST":
        _require(user, "scorecards.add_measurevalue", measure)
        form = MeasureValueForm(request.POST, measure=measure)
        if form.is_valid():
            saved = _record_value(request, measure, form)
            if saved:
                url = reverse("measure", args=[measure.pk])
                return redirect(f"{url}?period={saved:%Y-%m}")
        status = 400
    else:
        form = MeasureValueForm(measure=measure, initial=_initial_value(measure, request.GET))
    if request.htmx and request.method == "GET":
        return render(request, "scorecards/value_form.html", {"measure": measure, "form": form})
    detail = measure_detail(measure)
    context = {
        "measure": measure,
        "detail": detail,
        "reading": detail.reading,
        "chart": measure_history(detail.series),
        "form": form if may_enter else None,
        "may_delete": user.has_perm("scorecards.delete_measurevalue", measure),
        "may_edit": user.has_perm("scorecards.change_measure", measure),
        "trail": breadcrumbs(measure.unit),
        "sources": measure.sources.select_related("unit").order_by("unit__code", "code"),
        "inputs": Measure.objects.filter(formula_links__measure=measure)
        .select_related("unit")
        .order_by("unit__code", "code"),
    }
    return render(request, "scorecards/measure.html", context, status=status)


def _record_value(request, measure: Measure, form: MeasureValueForm):
    """Save the form's value through the service; the period saved, or None with the
    service's errors put on the form."""
    data = form.cleaned_data
    figures = {name: data[name] for name in ("actual", "target", "red_flag") if name in data}
    try:
        value, created = services.measure_value_record(
            measure=measure,
            period=data["period"],
            note=data["note"],
            by=request.user,
            require_note_if_red=True,
            **figures,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    reading = measure_detail(measure).reading
    messages.success(
        request,
        f"{'Entered' if created else 'Corrected'} {measure.code} for {value.period:%b %Y}. "
        f"The measure is now {reading.status.replace('_', ' ')}.",
    )
    return value.period


def _initial_value(measure: Measure, query) -> dict:
    """The form's figures for `?period=` (what is stored), else for the oldest period the
    measure owes, else the next one due."""
    period = None
    if query.get("period"):
        try:
            period = parse_period(query["period"])
        except ValueError:
            period = None
    if period is None:
        owed = owed_values(Q(pk=measure.pk))
        period = owed[0].period if owed else None
    if period is None:
        return {}
    stored = MeasureValue.objects.filter(measure=measure, period=period).first()
    initial = {"period": f"{period:%Y-%m}"}
    if stored:
        initial.update(
            actual=stored.actual, target=stored.target, red_flag=stored.red_flag, note=stored.note
        )
    return initial


@login_required
@require_POST
def measure_value_delete(request, pk: int, period: str):
    """Remove a period's value (unit heads and OSM staff; its history stays)."""
    measure = get_object_or_404(Measure, pk=pk)
    _require(request.user, "scorecards.delete_measurevalue", measure)
    try:
        day = parse_period(period)
    except ValueError:
        raise Http404("No such period.") from None
    value = get_object_or_404(MeasureValue, measure=measure, period=day)
    services.measure_value_delete(value=value, by=request.user)
    messages.success(request, f"Removed {measure.code}'s value for {day:%b %Y}.")
    return redirect("measure", pk=measure.pk)


# Many values from a CSV --------------------------------------------------------------------

PREVIEW_ROWS = 50


@login_required
def values_upload(request):
    """Upload a CSV of values: the first post shows a preview (every row's errors, or what
    would be created and updated), the second saves it, all or nothing."""
    user = request.user
    _require_role(user)
    _require(user, "scorecards.add_measurevalue")
    form = ValuesUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method != "POST":
        return render(request, "scorecards/upload.html", context)
    if getattr(request, "upload_too_large", False):  # see osm/uploads.py
        form.is_valid()
        form.errors.clear()
        form.add_error(
            "file",
            f"The file is over {settings.BULK_MAX_BYTES // 1_000_000} MB: split it into "
            "smaller files.",
        )
        return render(request, "scorecards/upload.html", context, status=413)
    if not form.is_valid():
        return render(request, "scorecards/upload.html", context, status=400)
    text = form.cleaned_data["csv_text"]
    try:
        rows, lines = rows_from_csv(text.encode("utf-8"))
    except ValueError as exc:
        form.add_error("file", str(exc))
        return render(request, "scorecards/upload.html", context, status=400)
    confirm = "confirm" in request.POST
    errors, counts = [], None
    try:
        with transaction.atomic():
            counts = services.measure_values_bulk_record(
                rows=rows,
                by=user,
                may_enter=lambda m: user.has_perm("scorecards.add_measurevalue", m),
                require_note_if_red=True,
            )
            if not confirm:
                transaction.set_rollback(True)  # a preview writes nothing
    except services.BulkError as exc:
        errors = sorted(
            ({**e, "line": lines[e["row"] - 1] if e["row"] else None} for e in exc.errors),
            key=lambda e: e["line"] or 0,
        )
    if confirm and not errors:
        created, updated = counts
        messages.success(request, f"Saved {created} new and {updated} corrected values.")
        return redirect("my-updates")
    by_line = defaultdict(list)
    for error in errors:
        by_line[error["line"]].append(error)
    context.update(
        preview=[
            {"line": line, "row": row, "errors": by_line.get(line, [])}
            for line, row in list(zip(lines, rows, strict=True))[:PREVIEW_ROWS]
        ],
        errors=errors,
        general=by_line.get(None, []),
        row_count=len(rows),
        counts=counts,
        csv_text=text,
        more=max(len(rows) - PREVIEW_ROWS, 0),
    )
    return render(request, "scorecards/upload.html", context, status=400 if errors else 200)


# My updates --------------------------------------------------------------------------------


@login_required
def my_updates(request):
    """What the user owes (actuals of the measures he or she owns), and for unit heads and
    the OSM staff what each owner of their units owes."""
    user = request.user
    _require_role(user)
    mine = owed_values(Q(owner=user))
    team_scope = None
    if has_role(user, OSM_STAFF) or user.is_superuser:
        team_scope = Q()
    elif headed := headed_subtree_ids(user):
        team_scope = Q(unit_id__in=headed)
    owners = []
    if team_scope is not None:
        by_owner = defaultdict(list)
        for item in owed_values(team_scope & ~Q(owner=user)):
            by_owner[item.owner_id].append(item)
        people = get_user_model().objects.in_bulk([k for k in by_owner if k])
        for owner_id, items in by_owner.items():
            overdue = [i for i in items if i.overdue]
            owners.append(
                {
                    "owner": people.get(owner_id),
                    "overdue": len(overdue),
                    "oldest": overdue[0] if overdue else None,
                    "next": next((i for i in items if not i.overdue), None),
                    "units": sorted({i.unit_code for i in items}),
                }
            )
        owners.sort(key=lambda o: (-o["overdue"], o["oldest"].due if o["oldest"] else dt.date.max))
    context = {
        "overdue": [i for i in mine if i.overdue],
        "upcoming": [i for i in mine if not i.overdue],
        "owners": owners,
        "team": team_scope is not None,
        "may_upload": user.has_perm("scorecards.add_measurevalue"),
    }
    return render(request, "scorecards/my_updates.html", context)


# The cascade: a unit's objectives, measures and arrows ------------------------------------


@login_required
def unit_cascade(request, code: str):
    """A unit's objectives with what they support, the objectives of the units above that
    none of them supports yet (each with a button to cascade it), its measures and the
    arrows of its strategy map."""
    _require_role(request.user)
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
    may_edit = request.user.has_perm("scorecards.add_objective", unit)
    context = {
        "unit": unit,
        "trail": breadcrumbs(unit),
        "objectives": objectives,
        "not_supported": not_supported,
        "arrows": CauseEffect.objects.filter(cause__unit=unit)
        .select_related("cause", "effect")
        .order_by("cause__code", "effect__code"),
        "arrow_form": CauseEffectForm(unit=unit) if may_edit else None,
        "may_edit": may_edit,
    }
    return render(request, "scorecards/cascade.html", context)


def _objective_fields(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "supports"}


@login_required
def objective_new(request, code: str):
    """A new objective of the unit, cascaded under objectives of the units above
    (`?supports=ID` ticks one, and takes its perspective, for the "cascade" buttons)."""
    unit = get_object_or_404(OrgUnit, code=code)
    _require(request.user, "scorecards.add_objective", unit)
    initial = {}
    up = request.GET.get("supports", "")
    if up.isdigit():
        parent = Objective.objects.filter(pk=int(up)).first()
        if parent:
            initial = {"supports": [parent.pk], "perspective": parent.perspective_id}
    form = ObjectiveForm(request.POST or None, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_create(
                unit=unit,
                supports=form.cleaned_data["supports"],
                by=request.user,
                **_objective_fields(form.cleaned_data),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Created {objective.code} {objective.name}.")
            return redirect("unit-cascade", code=unit.code)
    return _form_page(request, form, f"New objective of {unit.name}", unit)


@login_required
def objective_edit(request, pk: int):
    """Change an objective and the objectives it supports."""
    objective = get_object_or_404(Objective.objects.select_related("unit"), pk=pk)
    _require(request.user, "scorecards.change_objective", objective)
    form = ObjectiveForm(request.POST or None, instance=objective, unit=objective.unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_update(
                objective=objective,
                supports=form.cleaned_data["supports"],
                by=request.user,
                **_objective_fields(form.cleaned_data),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved {objective.code}.")
            return redirect("objective", pk=objective.pk)
    return _form_page(request, form, f"Edit {objective.code} {objective.name}", objective.unit)


@login_required
def objective_delete(request, pk: int):
    """Delete an objective nothing depends on (else say what depends on it)."""
    objective = get_object_or_404(Objective.objects.select_related("unit"), pk=pk)
    _require(request.user, "scorecards.delete_objective", objective)
    return _delete_page(
        request,
        objective,
        lambda: services.objective_delete(objective=objective, by=request.user),
        reverse("unit-cascade", args=[objective.unit.code]),
    )


@login_required
def measure_new(request, pk: int):
    """A new measure of the objective `pk`."""
    objective = get_object_or_404(Objective.objects.select_related("unit"), pk=pk)
    _require(request.user, "scorecards.add_measure", objective)
    form = MeasureForm(request.POST or None, objective=objective)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k not in ("code", "name")}
        sources = fields.pop("sources")
        try:
            measure = services.measure_create(
                objective=objective,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                sources=sources,
                by=request.user,
                **fields,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Created the measure {measure.code}.")
            return redirect("measure", pk=measure.pk)
    return _form_page(request, form, f"New measure of {objective.code}", objective.unit)


@login_required
def measure_edit(request, pk: int):
    """Change a measure (a rollup's sources too)."""
    measure = get_object_or_404(Measure.objects.select_related("unit", "objective"), pk=pk)
    _require(request.user, "scorecards.change_measure", measure)
    form = MeasureForm(request.POST or None, instance=measure, objective=measure.objective)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        sources = fields.pop("sources")
        try:
            services.measure_update(measure=measure, sources=sources, by=request.user, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved the measure {measure.code}.")
            return redirect("measure", pk=measure.pk)
    return _form_page(request, form, f"Edit {measure.code} {measure.name}", measure.unit)


@login_required
def measure_delete(request, pk: int):
    """Delete a measure without values or anything else depending on it."""
    measure = get_object_or_404(Measure.objects.select_related("unit", "objective"), pk=pk)
    _require(request.user, "scorecards.delete_measure", measure)
    return _delete_page(
        request,
        measure,
        lambda: services.measure_delete(measure=measure, by=request.user),
        reverse("objective", args=[measure.objective_id]),
    )


@login_required
@require_POST
def arrow_add(request, code: str):
    """Draw an arrow of the unit's strategy map."""
    unit = get_object_or_404(OrgUnit, code=code)
    _require(request.user, "scorecards.add_causeeffect", unit)
    form = CauseEffectForm(request.POST, unit=unit)
    if form.is_valid():
        try:
            link = services.cause_effect_link(**form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Drew {link.cause.code} → {link.effect.code}.")
            return redirect("unit-cascade", code=unit.code)
    return _form_page(request, form, f"New arrow of {unit.name}'s strategy map", unit)


@login_required
@require_POST
def arrow_delete(request, pk: int):
    """Remove an arrow of a strategy map."""
    link = get_object_or_404(CauseEffect.objects.select_related("cause__unit", "effect"), pk=pk)
    _require(request.user, "scorecards.delete_causeeffect", link)
    services.cause_effect_delete(link=link)
    messages.success(request, f"Removed {link.cause.code} → {link.effect.code}.")
    return redirect("unit-cascade", code=link.cause.unit.code)


def _form_page(request, form, title: str, unit: OrgUnit):
    status = 400 if form.is_bound else 200  # a bound form here did not save
    context = {"form": form, "title": title, "unit": unit, "trail": breadcrumbs(unit)}
    return render(request, "scorecards/form.html", context, status=status)


def _delete_page(request, obj, delete, done_url: str):
    """GET: ask; POST: delete, or say what still depends on it."""
    status = 200
    if request.method == "POST":
        try:
            delete()
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            status = 400
        else:
            messages.success(request, f"Deleted {obj.code} {obj.name}.")
            return redirect(done_url)
    context = {"obj": obj, "back": done_url}
    return render(request, "scorecards/confirm_delete.html", context, status=status)
