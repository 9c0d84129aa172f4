"""The rules every door applies to a value (scorecards/services/values.py): the measure's
valid range and decimal places, a note on a red value, a confirmation of figures far from the
measure's history, an empty field that never clears a figure, the Clear action and what a
write says it changed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from scorecards import services
from scorecards.models import MeasureValue
from tests import factories as f
from tests.helpers import refused

pytestmark = pytest.mark.django_db
D = Decimal
NOV, OCT = dt.date(2026, 11, 1), dt.date(2026, 10, 1)


def month(k: int) -> dt.date:
    return dt.date(2026, k, 1)


@pytest.fixture
def oee():
    """A percentage measure (held to 0-100) with one decimal place."""
    unit = f.OrgUnitFactory(code="PLANT", parent=f.EnterpriseFactory())
    return f.MeasureFactory(
        objective=f.ObjectiveFactory(unit=unit), code="OEE", unit_label="%", decimal_places=1
    )


@pytest.fixture
def history(oee):
    """Six months of OEE, actuals 75..80 and no targets: median 77.5; deviations 2.5, 1.5,
    0.5, 0.5, 1.5, 2.5: MAD 1.5."""
    for k, actual in enumerate(range(75, 81), start=1):
        f.MeasureValueFactory(measure=oee, period=month(k), actual=D(actual), target=None,
                              red_flag=None)  # fmt: skip
    return oee


def enter(measure, period=NOV, confirm=False, **data):
    return services.measure_value_enter(
        actor=None, measure=measure, period=period, data=data, confirm=confirm
    )


# The valid range ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["actual", "target", "red_flag"])
def test_a_percentage_is_held_to_0_100(oee, name):
    with refused({name: ["OEE takes values from 0 to 100: 779 is outside that range."]}):
        enter(oee, **{name: D(779)})
    assert not MeasureValue.objects.exists()


def test_a_declared_range_is_held_at_both_ends(oee):
    oee.min_value, oee.max_value, oee.unit_label = D(10), D(20), "hours"
    oee.save()
    with refused({"actual": ["OEE takes values from 10 to 20: 9.9 is outside that range."]}):
        enter(oee, actual=D("9.9"))
    enter(oee, actual=D(10), note="at the edge")
    enter(oee, period=OCT, actual=D(20))
    assert MeasureValue.objects.count() == 2


@pytest.mark.parametrize(
    ("low", "high", "figure", "message"),
    [
        (D(0), None, D(-1), "OEE takes values of at least 0: -1 is outside that range."),
        (None, D(5), D("5.5"), "OEE takes values of at most 5: 5.5 is outside that range."),
    ],
)
def test_a_range_with_one_end(oee, low, high, figure, message):
    oee.min_value, oee.max_value, oee.unit_label = low, high, ""
    oee.save()
    with refused({"actual": [message]}):
        enter(oee, actual=figure)


def test_a_figure_stored_before_the_range_still_lets_the_note_change(oee):
    value = f.MeasureValueFactory(measure=oee, period=NOV, actual=D(150), target=None)
    enter(oee, actual=D(150), note="Measured before the range was set.")
    value.refresh_from_db()
    assert (value.actual, value.note) == (D(150), "Measured before the range was set.")


# Decimal places -----------------------------------------------------------------------------


def test_more_places_than_declared_are_refused_not_rounded(oee):
    with refused({"actual": ["OEE is written with 1 decimal place: 77.95 has 2."]}):
        enter(oee, actual=D("77.95"))
    enter(oee, actual=D("77.90"))  # trailing zeros are no places
    assert MeasureValue.objects.get().actual == D("77.9")


def test_whole_numbers(oee):
    oee.decimal_places = 0
    oee.save()
    with refused({"target": ["OEE is written in whole numbers: 77.5 has 1."]}):
        enter(oee, target=D("77.5"))
    oee.decimal_places = 2
    oee.save()
    with refused({"target": ["OEE is written with 2 decimal places: 77.125 has 3."]}):
        enter(oee, target=D("77.125"))


# A note on a red value, at every door --------------------------------------------------------

RED = {"note": [services.RED_NEEDS_NOTE]}


def test_the_web_door_needs_a_note_on_red(oee):
    # 60 against 76 and a red flag of 70: red.
    with refused(RED):
        enter(oee, actual=D(60), target=D(76), red_flag=D(70))
    enter(oee, actual=D(60), target=D(76), red_flag=D(70), note="Line 3 down for a week.")
    assert MeasureValue.objects.get().note == "Line 3 down for a week."


def test_the_api_create_and_update_need_a_note_on_red(oee):
    data = {"measure": oee, "period": NOV, "actual": D(60), "target": D(76)}
    with refused(RED):  # the default red flag: 76 - 10% = 68.4, and 60 < 68.4
        services.measure_value_create(actor=None, data=data)
    value = services.measure_value_create(actor=None, data={**data, "actual": D(75)})
    with refused(RED):
        services.measure_value_update(actor=None, instance=value, data={"actual": D(60)})
    value.refresh_from_db()
    assert value.actual == D(75)
    services.measure_value_update(
        actor=None, instance=value, data={"actual": D(60), "note": "Strike."}
    )
    with refused(RED):  # a red value's note may not be emptied either
        services.measure_value_update(actor=None, instance=value, data={"note": ""})
    value.refresh_from_db()
    assert (value.actual, value.note) == (D(60), "Strike.")


def test_a_program_recording_checked_figures_may_leave_the_note(oee):
    services.measure_value_record(measure=oee, period=NOV, actual=D(60), target=D(76), actor=None)
    with refused(RED):
        services.measure_value_record(
            measure=oee, period=OCT, actual=D(60), target=D(76), actor=None,
            require_note_if_red=True,
        )  # fmt: skip


# Figures far from the history ----------------------------------------------------------------


def test_a_figure_far_from_the_history_asks_for_a_confirmation(history):
    # 99 is within 0-100, but z = 0.6745 * (99 - 77.5) / 1.5 = 9.67 > 6.
    with pytest.raises(ValidationError) as info:
        enter(history, actual=D(99))
    (error,) = info.value.error_dict["actual"]
    assert error.code == services.UNUSUAL
    assert error.message == (
        "99 is far outside the usual range of OEE's figures (their median is 77.5). Check it; "
        "if it is right, confirm it to save it."
    )
    assert not MeasureValue.objects.filter(period=NOV).exists()
    change = enter(history, actual=D(99), confirm=True)
    assert change.value.actual == D(99)
    # 86: z = 0.6745 * 8.5 / 1.5 = 3.82: saved without asking.
    assert enter(history, period=OCT, actual=D(86)).value.actual == D(86)


def test_an_unusual_figure_is_asked_about_only_when_nothing_else_is_wrong(history):
    with refused({"actual": ["OEE is written with 1 decimal place: 99.55 has 2."]}):
        enter(history, actual=D("99.55"))


def test_the_period_being_corrected_is_left_out_of_its_history(history):
    # A seventh month of 99, confirmed; correcting it to 79: its own 99 is not in the
    # history it is judged by (75..80 again), and 79 is usual there.
    enter(history, period=month(7), actual=D(99), confirm=True)
    change = enter(history, period=month(7), actual=D(79))
    assert change.changes == {"actual": (D(99), D(79))}


# An empty field keeps the stored figure --------------------------------------------------------


def test_figures_left_out_are_kept(oee):
    enter(oee, actual=D("77.9"), target=D(80), red_flag=D(70), note="")
    change = enter(oee, note="Checked.")  # the form left actual, target, red flag empty
    value = MeasureValue.objects.get()
    assert (value.actual, value.target, value.red_flag) == (D("77.9"), D(80), D(70))
    assert change.changes == {"note": ("", "Checked.")}


def test_a_write_that_changes_nothing_writes_nothing(oee):
    enter(oee, actual=D("77.9"), target=D(80))
    before = MeasureValue.history.count()
    change = enter(oee, actual=D("77.90"), note="")
    assert (change.created, change.changes) == (False, {})
    assert MeasureValue.history.count() == before


def test_the_change_says_old_and_new(oee):
    first = enter(oee, actual=D("77.9"), target=D(80))
    assert first.created is True
    assert first.changes == {"actual": (None, D("77.9")), "target": (None, D(80))}
    second = enter(oee, actual=D("79.2"), note="Better.")
    assert second.created is False
    assert second.changes == {"actual": (D("77.9"), D("79.2")), "note": ("", "Better.")}


def test_an_empty_form_for_a_new_period_saves_nothing(oee):
    with refused({"__all__": [services.values.NOTHING_TO_SAVE]}):
        enter(oee, note="")
    assert not MeasureValue.objects.exists()


def test_unknown_fields_are_refused(oee):
    with refused({"entered_by": ["This field cannot be changed here."]}):
        enter(oee, entered_by=None)


# Clearing -------------------------------------------------------------------------------------


def test_clearing_an_actual_is_recorded_in_history(oee):
    alice = f.UserFactory()
    enter(oee, actual=D("77.9"), target=D(80))
    value = MeasureValue.objects.get()
    change = services.measure_value_clear(actor=alice, instance=value, fields=["actual"])
    value.refresh_from_db()
    assert (value.actual, value.target) == (None, D(80))
    assert change.changes == {"actual": (D("77.9"), None)}
    last = value.history.latest("history_id")
    assert (last.actual, last.history_type, last.history_user) == (None, "~", alice)
    assert value.history.count() == 2


def test_clearing_nothing_is_refused(oee):
    enter(oee, target=D(80))
    value = MeasureValue.objects.get()
    with refused({"__all__": ["OEE has nothing to clear for Nov 2026."]}):
        services.measure_value_clear(actor=None, instance=value, fields=["actual"])
    with refused({"note": ["Only figures can be cleared."]}):
        services.measure_value_clear(actor=None, instance=value, fields=["note"])


def test_clearing_a_red_flag_that_leaves_the_value_red_needs_its_note(oee):
    # 71 against 80 with a red flag of 70: yellow. Without it the default is 80 - 10% = 72,
    # which 71 does not meet: red, so clearing it needs a note first.
    enter(oee, actual=D(71), target=D(80), red_flag=D(70))
    value = MeasureValue.objects.get()
    with refused(RED):
        services.measure_value_clear(actor=None, instance=value, fields=["red_flag"])
    value.refresh_from_db()
    assert value.red_flag == D(70)
