"""The demo's reporting cycle (issue 15): months closed up to two months ago (the last
closing through the service, so everyone is told), Industrial Equipment requiring approval
with a correction submitted and one returned, turned-red alerts for the owner's red
measures, last month's analysis of every red objective, a comment thread with mentions,
and the executive's monthly report pack: a step of `DemoBuilder` (builder.py)."""

from decimal import Decimal

from django.db.models import Max, Min

from communication import services as communication
from reports import subscriptions as report_subscriptions
from reports.choices import Cadence, PackKind
from scorecards import services as scorecard_services
from scorecards.choices import PeriodAction, PeriodStatus
from scorecards.models import MeasureValue, Objective, ReportingPeriod, ReportingPeriodEvent
from scorecards.periods import add_months
from scorecards.scoring import RED
from scorecards.selectors.scorecard import objective_scores
from scorecards.services.alerts import notify_turned_red, reds_among


class CycleSteps:
    """The reporting cycle (mixed into DemoBuilder)."""

    def create_reporting_cycle(self) -> None:
        self.require_approval()
        self.close_months()
        owner = self.users["owner"]
        objectives = {m.objective_id for m in self.measures.values() if m.owner_id == owner.pk}
        notify_turned_red(list(reds_among(objectives).values()))
        self.write_analyses()
        self.discuss()
        self.subscribe_executive()

    def subscribe_executive(self) -> None:
        """The report pack goes out: the executive receives the enterprise's unit report
        every month, on the 3rd."""
        report_subscriptions.subscription_create(
            actor=self.users["executive"],
            data={"unit": self.units["MERIDIAN"], "kind": PackKind.UNIT_REPORT_PDF,
                  "cadence": Cadence.MONTHLY, "day": 3},
        )  # fmt: skip

    def write_analyses(self) -> None:
        """Last month's analysis of every red objective, by its owner (else its unit's
        head), before the month closes."""
        month = add_months(self.window.today.replace(day=1), -1)
        scores = objective_scores(as_of=month, today=self.window.today)
        red = [reading for reading in scores.values() if reading.status == RED]
        objectives = Objective.objects.in_bulk([reading.id for reading in red])
        for reading in sorted(red, key=lambda r: r.code):
            objective = objectives[reading.id]
            author = objective.owner or self.users[self.unit_specs[objective.unit.code].head]
            communication.analysis_save(
                actor=author,
                subject_type="objective",
                subject_id=objective.pk,
                month=month,
                analysis=f"**{objective.name}** is below its red flag for {month:%B %Y}: "
                "the measures below it missed their targets for a second month, mostly "
                "through volume lost to low-cost competitors and two late deliveries.",
                recommendations="- Review the pricing of the three largest tenders.\n"
                "- Weekly delivery check with the plants until the measure is back on target.",
            )

    def discuss(self) -> None:
        """A thread on On-time delivery: the executive asks the owner, who answers and
        brings in the unit head; the OSM staff point HR to the training goal."""
        otd = self.measures["IND.OTD"]
        users = self.users
        first = communication.comment_create(
            actor=users["executive"],
            data={"subject_type": "measure", "subject": otd.pk,
                  "body": "@owner what is behind the dip in on-time delivery? Is it the "
                  "Brno plant again?"},
        )  # fmt: skip
        communication.comment_create(
            actor=users["owner"],
            data={"subject_type": "measure", "subject": otd.pk, "parent": first,
                  "body": "Partly: two orders were booked late by the ERP (see my "
                  "correction), the rest is the paint line. @unithead has the plan."},
        )  # fmt: skip
        communication.comment_create(
            actor=users["unithead"],
            data={"subject_type": "measure", "subject": otd.pk, "parent": first,
                  "body": "The paint line is back to two shifts from Monday. @osm, can we "
                  "look at it in the next operational review?"},
        )  # fmt: skip
        communication.comment_create(
            actor=users["osm"],
            data={"subject_type": "measure", "subject": otd.pk,
                  "body": "Added to the agenda. @hr: the operators' multi-skilling goal "
                  "would help here."},
        )  # fmt: skip

    def require_approval(self) -> None:
        """Industrial Equipment (and so its departments) requires approval; the owner sends
        a correction of On-time delivery (waiting in Victor's queue: he heads IND) and one of
        the scrap rate, which Victor returns."""
        industrial = self.units["IND"]
        industrial.approval_required = True
        industrial.save(update_fields=["approval_required"])
        owner, head = self.users["owner"], self.users["unithead"]
        corrections = [
            ("IND.OTD", "+0.4", "Corrected after the ERP re-run: two orders were shipped on "
             "the last day of the month and booked late."),
            ("IND_MFG.SCRAP", "-0.30", "Rework counted separately from scrap from now on."),
        ]  # fmt: skip
        for key, change, note in corrections:
            measure = self.measures[key]
            latest = MeasureValue.objects.filter(measure=measure, actual__isnull=False).aggregate(
                Max("period")
            )["period__max"]
            value = MeasureValue.objects.get(measure=measure, period=latest)
            scorecard_services.measure_value_enter(
                actor=owner,
                measure=measure,
                period=latest,
                data={"actual": value.actual + Decimal(change), "note": note},
                confirm=True,
            )
        scrap = MeasureValue.objects.get(measure=self.measures["IND_MFG.SCRAP"], state="submitted")
        scorecard_services.measure_value_return(
            actor=head,
            instance=scrap,
            comment="Scrap and rework were reported together all year: keep them together "
            "until the plant report changes in January, or the trend means nothing.",
        )

    def close_months(self) -> None:
        """Every month with values, up to two months ago, is closed: the older ones as they
        were at the time (one closing each), the last through the service."""
        last = add_months(self.window.today.replace(day=1), -2)
        month = MeasureValue.objects.aggregate(first=Min("period"))["first"].replace(day=1)
        while month < last:
            closed_at = self.moment(add_months(month, 1).replace(day=12), f"close {month}")
            period = ReportingPeriod.objects.create(
                month=month, status=PeriodStatus.CLOSED, closed_by=self.osm, closed_at=closed_at
            )
            event = ReportingPeriodEvent.objects.create(
                period=period, action=PeriodAction.CLOSE, by=self.osm
            )
            ReportingPeriodEvent.objects.filter(pk=event.pk).update(at=closed_at)
            month = add_months(month, 1)
        scorecard_services.month_close(actor=self.osm, month=last, today=self.window.today)
