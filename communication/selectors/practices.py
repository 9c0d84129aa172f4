"""Reads of best practices: the list by endorsements (then newest), one practice with what
its page shows, and the practices suggested on a measure that is off target or on watch:
those of the units where the measure of the same code is on target.

Every read is a fixed number of queries, however many practices, endorsements, links and
units there are (counts are annotated, links prefetched)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.fields import BooleanField

from core.scoping import restrict
from scorecards.models import Measure, Objective
from scorecards.selectors.scorecard import Clock, read_measure
from scorecards.selectors.series import load_latest

from ..models import Endorsement, Practice

# A measure whose latest status is one of these gets suggestions (Off target, Watch).
SUGGESTING = ("red", "yellow")
GREEN = "green"


def practices_for(user) -> QuerySet[Practice]:
    """The practices `user` may see, each with `endorsement_count` and `endorsed` (by
    `user`), most endorsed first, then newest."""
    endorsed = (
        Exists(Endorsement.objects.filter(practice=OuterRef("pk"), user_id=user.pk))
        if user.is_authenticated
        else Value(False, output_field=BooleanField())
    )
    return (
        restrict(Practice.objects.select_related("unit", "author"), user)
        .annotate(endorsement_count=Count("endorsements", distinct=True), endorsed=endorsed)
        .order_by("-endorsement_count", "-created_at", "-id")
    )


def with_links(practices: QuerySet[Practice]) -> QuerySet[Practice]:
    """`practices` with their objectives and measures (and their units) and attachments
    prefetched: three more queries for any number of rows."""
    return practices.prefetch_related(
        Prefetch("objectives", Objective.objects.select_related("unit").order_by("unit__code",
                                                                                 "code")),
        Prefetch("measures", Measure.objects.select_related("unit").order_by("unit__code", "code")),
        "attachments",
    )  # fmt: skip


def matching_text(practices: QuerySet[Practice], text: str) -> QuerySet[Practice]:
    """The practices whose title or body holds every word of `text` (any case)."""
    for word in text.split()[:8]:  # eight words find anything; more only cost time
        practices = practices.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return practices


def practice_page(user, pk: int) -> Practice | None:
    """One practice `user` may see, with its counts, links and attachments; None if there is
    no such practice or it is out of sight."""
    return with_links(practices_for(user)).filter(pk=pk).first()


# Suggestions on a measure ------------------------------------------------------------------


@dataclass(frozen=True)
class Peer:
    """A measure of another unit with the same code, on target at its latest period."""

    measure_id: int
    unit_id: int
    unit_code: str
    objective_id: int


@dataclass
class Suggestions:
    """A measure's latest status, the units where its code is on target (`peers`), and the
    practices suggested from them (a queryset, most endorsed first)."""

    status: str
    peers: list[Peer]
    practices: QuerySet[Practice]

    @property
    def applies(self) -> bool:
        """Whether the measure needs suggestions at all (Off target or Watch)."""
        return self.status in SUGGESTING


def measure_peers(measure: Measure, *, as_of: dt.date | None = None) -> tuple[str, list[Peer]]:
    """The latest status of `measure` (as its page scores it: the latest period with an
    actual and a target on or before the month) and the measures of other units with the
    same code whose latest status is on target. A fixed number of queries whatever the
    number of units: every measure of that code is scored from one read of its latest
    value (scorecards' `load_latest`)."""
    clock = Clock.make(as_of)
    status, peers = "no_data", []
    for measure_id, series in load_latest(Q(code=measure.code), upto=clock.as_of).items():
        info = series.measure
        if info.code != measure.code:  # an input or a source of a calculated one
            continue
        reading = read_measure(series, clock, light=True)
        if measure_id == measure.pk:
            status = reading.status
        elif reading.status == GREEN:
            peers.append(Peer(measure_id, info.unit_id, info.unit_code, info.objective_id))
    return status, sorted(peers, key=lambda peer: peer.unit_code)


def suggested_practices(user, measure: Measure, *, as_of: dt.date | None = None) -> Suggestions:
    """What OSM suggests on `measure` when it is Off target or on Watch: the practices (that
    `user` may see) serving a measure of the same code that is on target in another unit,
    and the practices of those units serving the objective that measure belongs to. None
    for a measure on target or without data."""
    status, peers = measure_peers(measure, as_of=as_of)
    practices = practices_for(user)
    if status not in SUGGESTING or not peers:
        return Suggestions(status, peers, practices.none())
    serves_measure = Q(measures__in=[peer.measure_id for peer in peers])
    # The objective's unit is the practice's own: a unit on target practises it there.
    serves_objective = Q(
        objectives__in=[peer.objective_id for peer in peers], objectives__unit=F("unit")
    )
    chosen = Practice.objects.filter(serves_measure | serves_objective).values("pk")
    return Suggestions(status, peers, practices.filter(pk__in=chosen))
