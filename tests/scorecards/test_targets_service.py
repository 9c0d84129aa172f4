"""Setting a measure's targets for a fiscal year in one go (services.measure_targets_set)
and planning them from an annual target (services.measure_targets_plan)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from core.roles import MEASURE_OWNER, OSM_STAFF
from scorecards import services
from scorecards.models import MeasureValue
from tests import factories as f
from tests.helpers import refused

pytestmark = pytest.mark.django_db

JAN, FEB, MAR, DEC = (dt.date(2026, m, 1) for m in (1, 2, 3, 12))


def stored(measure) -> dict:
    return {
        v.period: (v.actual, v.target, v.red_flag, v.note)
        for v in MeasureValue.objects.filter(measure=measure)
    }


def test_targets_are_added_replaced_and_kept_and_actuals_never_touched():
    measure = f.MeasureFactory(code="REV")
    actor = f.UserFactory(roles=[OSM_STAFF])  # who sets targets (not the measure's owner)
    MeasureValue.objects.create(measure=measure, period=JAN, actual=D(95), target=D(100))
    MeasureValue.objects.create(measure=measure, period=FEB, actual=D(80), note="late")
    MeasureValue.objects.create(measure=measure, period=MAR, target=D(120))

    done = services.measure_targets_set(
        actor=actor,
        measure=measure,
        fiscal_year=2026,
        targets={JAN: D(110), FEB: D(105), MAR: D(120), DEC: D(130)},
    )

    assert stored(measure) == {
        JAN: (D(95), D(110), None, ""),  # the target replaced, the actual kept
        FEB: (D(80), D(105), None, "late"),  # a target added to an actual and its note
        MAR: (None, D(120), None, ""),  # already so
        DEC: (None, D(130), None, ""),  # a new row
    }
    assert done.added == [FEB, DEC]
    assert done.changed == [(JAN, D(100), D(110))]
    assert done.unchanged == [MAR]
    assert done.describe() == (
        "Targets for 2026: 2 added, 1 changed (Jan 2026 100 → 110), 1 already so; "
        "actuals untouched."
    )
    assert MeasureValue.objects.get(measure=measure, period=DEC).entered_by == actor
    # the history says who replaced January's target, and keeps the old one
    january = MeasureValue.objects.get(measure=measure, period=JAN)
    assert [h.target for h in january.history.order_by("history_date")] == [D(100), D(110)]
    assert january.history.latest().history_user == actor


def test_every_bad_period_is_named_and_nothing_is_written():
    measure = f.MeasureFactory(code="OEE", unit_label="%", decimal_places=1)
    MeasureValue.objects.create(measure=measure, period=FEB, target=D(80), red_flag=D(75))
    with refused(
        {
            "targets": [
                "Jan 2026: 101 is above the highest valid value (100).",
                "Feb 2026: its red flag 75 would be above the target 70; change or clear "
                "the red flag first.",
                "Mar 2026: 50.25 has more than 1 decimal place.",
                "Jan 2027: not a monthly period of this fiscal year.",
            ]
        }
    ):
        services.measure_targets_set(
            actor=None,
            measure=measure,
            fiscal_year=2026,
            targets={
                JAN: D(101),
                FEB: D(70),
                MAR: D("50.25"),
                DEC: D(90),  # good, but the batch is refused as a whole
                dt.date(2027, 1, 1): D(90),
            },
        )
    assert stored(measure) == {FEB: (None, D(80), D(75), "")}


def test_a_lower_is_better_measure_keeps_its_red_flags_above_the_targets():
    measure = f.MeasureFactory(polarity="decrease")
    MeasureValue.objects.create(measure=measure, period=JAN, target=D(10), red_flag=D(12))
    with refused(
        {
            "targets": [
                "Jan 2026: its red flag 12 would be below the target 13; change or clear "
                "the red flag first."
            ]
        }
    ):
        services.measure_targets_set(
            actor=None, measure=measure, fiscal_year=2026, targets={JAN: D(13)}
        )
    done = services.measure_targets_set(
        actor=None, measure=measure, fiscal_year=2026, targets={JAN: D(11)}
    )
    assert done.changed == [(JAN, D(10), D(11))]


def test_no_targets_is_refused():
    with refused({"targets": ["Give the target of at least one period."]}):
        services.measure_targets_set(
            actor=None, measure=f.MeasureFactory(), fiscal_year=2026, targets={}
        )


@override_settings(FISCAL_YEAR_START_MONTH=4)
def test_quarters_follow_the_fiscal_year():
    measure = f.MeasureFactory(frequency="quarterly")
    with refused({"targets": ["Jan 2026: not a quarterly period of this fiscal year."]}):
        # January 2026 starts a quarter of fiscal year 2025 (April 2025 - March 2026)
        services.measure_targets_set(
            actor=None, measure=measure, fiscal_year=2026, targets={JAN: D(1)}
        )
    services.measure_targets_set(
        actor=None, measure=measure, fiscal_year=2026, targets={dt.date(2027, 1, 1): D(1)}
    )
    assert list(stored(measure)) == [dt.date(2027, 1, 1)]


# Planning from an annual target ----------------------------------------------------------------


def test_plan_even_sum_with_the_measures_decimal_places():
    measure = f.MeasureFactory(aggregation="sum", decimal_places=0)
    plan = services.measure_targets_plan(
        measure=measure, fiscal_year=2026, method="even", annual_target=D(1000)
    )
    # 1000 / 12 = 83.33: 83 each = 996, the 4 left to the last four months (84)
    assert list(plan) == [dt.date(2026, m, 1) for m in range(1, 13)]
    assert list(plan.values()) == [D(83)] * 8 + [D(84)] * 4


def test_plan_without_decimal_places_keeps_six():
    measure = f.MeasureFactory(aggregation="sum", frequency="quarterly")
    plan = services.measure_targets_plan(
        measure=measure, fiscal_year=2026, method="even", annual_target=D(100)
    )
    # 100 / 4 = 25 exactly, written with the 6 places values are stored with
    assert list(plan.values()) == [D("25.000000")] * 4


def test_plan_linear_needs_the_baseline():
    measure = f.MeasureFactory(aggregation="last", frequency="quarterly")
    with refused({"baseline": ["A linear spread starts from the baseline: enter the baseline."]}):
        services.measure_targets_plan(
            measure=measure, fiscal_year=2026, method="linear", annual_target=D(100)
        )
    measure.baseline = D(80)
    plan = services.measure_targets_plan(
        measure=measure, fiscal_year=2026, method="linear", annual_target=D(100)
    )
    # (100 - 80) / 4 = 5 a quarter: 85, 90, 95, 100
    assert [v.normalize() for v in plan.values()] == [D(85), D(90), D(95), D(100)]


def test_plan_by_last_years_shape_reads_last_years_actuals():
    measure = f.MeasureFactory(aggregation="sum", frequency="quarterly", decimal_places=0)
    for month, actual in ((1, 100), (4, 200), (7, 300), (10, 400)):
        MeasureValue.objects.create(measure=measure, period=dt.date(2025, month, 1), actual=actual)
    plan = services.measure_targets_plan(
        measure=measure, fiscal_year=2026, method="shape", annual_target=D(2000)
    )
    # last year 100, 200, 300, 400 = 1000; 2000 is twice that
    assert list(plan.values()) == [D(200), D(400), D(600), D(800)]


def test_plan_by_last_years_shape_names_the_missing_periods():
    measure = f.MeasureFactory(frequency="quarterly")
    MeasureValue.objects.create(measure=measure, period=dt.date(2025, 1, 1), actual=D(1))
    MeasureValue.objects.create(measure=measure, period=dt.date(2025, 7, 1), target=D(1))
    with refused(
        {
            "target_method": [
                "Last year's shape needs an actual for every period of 2025; missing: "
                "Apr 2025, Jul 2025, Oct 2025."
            ]
        }
    ):
        services.measure_targets_plan(
            measure=measure, fiscal_year=2026, method="shape", annual_target=D(10)
        )


def test_plan_refuses_an_annual_target_finer_than_the_measure():
    measure = f.MeasureFactory(code="NPS", decimal_places=0)
    with refused({"annual_target": ["NPS takes at most 0 decimal places."]}):
        services.measure_targets_plan(
            measure=measure, fiscal_year=2026, method="even", annual_target=D("10.5")
        )


def test_a_measure_owner_does_not_set_the_year_s_targets():
    owner = f.UserFactory(roles=[MEASURE_OWNER])
    measure = f.MeasureFactory(code="REV", owner=owner)
    with pytest.raises(ValidationError, match="Targets and red flags of REV are set by the heads"):
        services.measure_targets_set(actor=owner, measure=measure, fiscal_year=2026,
                                     targets={JAN: D(0)})  # fmt: skip
    assert not MeasureValue.objects.exists()


def test_a_measure_owner_clears_an_actual_but_not_a_target():
    # Clear is a door too: the owner may empty January's actual, not its target
    owner = f.UserFactory(roles=[MEASURE_OWNER])
    measure = f.MeasureFactory(code="REV", owner=owner)
    value = MeasureValue.objects.create(measure=measure, period=JAN, actual=D(95), target=D(100))
    with pytest.raises(ValidationError) as refused:
        services.measure_value_clear(actor=owner, instance=value, fields=["target"])
    assert "Targets and red flags of REV" in refused.value.message_dict["target"][0]
    services.measure_value_clear(actor=owner, instance=value, fields=["actual"])
    value.refresh_from_db()
    assert (value.actual, value.target) == (None, D(100))
