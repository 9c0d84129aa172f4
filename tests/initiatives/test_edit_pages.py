"""Creating, changing and deleting initiatives and milestones on the pages: who may (each
role, a unit head inside and outside his subtree), what is offered, bad input shown next
to the fields with nothing written, and the service's refusals."""

import datetime as dt
import re

import pytest
from django.utils.html import escape

from initiatives.models import Initiative, InitiativeObjective, Milestone
from tests import factories as f

pytestmark = pytest.mark.django_db

NEW = "/initiatives/new/"
REFUSED = ["executive", "hr", "measure_owner", "employee", "no_role"]


def snapshot():
    """Every row the pages could write, to show that nothing was."""
    return (
        list(Initiative.objects.order_by("pk").values()),
        list(Milestone.objects.order_by("pk").values()),
        list(InitiativeObjective.objects.order_by("pk").values()),
    )


def form_data(world, **changes) -> dict:
    data = {
        "code": "NEWONE",
        "name": "A new one",
        "description": "",
        "unit": world.tree.b1.pk,
        "owner": world.owner.pk,
        "objectives": [world.grow.pk, world.sell.pk],
        "start": "2026-03-01",
        "end": "2026-09-30",
        "status": "approved",
        "percent_complete": "10",
    }
    data.update(changes)
    return data


def initiative_data(initiative, **changes) -> dict:
    """The edit form's data as it stands, with `changes`."""
    data = {
        "code": initiative.code,
        "name": initiative.name,
        "description": initiative.description,
        "unit": initiative.unit_id,
        "owner": initiative.owner_id or "",
        "objectives": [o.pk for o in initiative.objectives.all()],
        "start": initiative.start.isoformat(),
        "end": initiative.end.isoformat() if initiative.end else "",
        "status": initiative.status,
        "percent_complete": str(initiative.percent_complete),
    }
    data.update(changes)
    return data


def assert_shown_by(html: str, field: str, message: str) -> None:
    """The message is rendered in the field's own block (between its label and the next
    label), or at the top of the form for a non-field error."""
    shown = re.escape(escape(message))
    if field == "__all__":
        assert re.search(rf'<ul class="errorlist nonfield">\s*<li>{shown}', html), html
    else:
        not_a_label = "(?:(?!<label).)*?"
        pattern = rf'<label for="id_{field}">{not_a_label}errorlist{not_a_label}{shown}'
        assert re.search(pattern, html, re.S), html


def choice_values(form, name) -> list[str]:
    return [str(value) for value, _ in form.fields[name].widget.choices if value != ""]


# Who may: every write page, each role ----------------------------------------------------


def actions(world):
    """(name, url, POST data) of every write page, all on B1's LAUNCH (in the head's
    subtree); "delete" removes a spare initiative no budget line funds."""
    launch = world.launch
    milestone = launch.milestones.order_by("due").first()
    spare = f.InitiativeFactory(unit=world.tree.b1, code="SPARE")
    return [
        ("new", NEW, form_data(world)),
        ("edit", f"/initiatives/{launch.pk}/edit/", initiative_data(launch, name="Renamed")),
        ("delete", f"/initiatives/{spare.pk}/delete/", {}),
        ("milestone-new", f"/initiatives/{launch.pk}/milestones/new/",
         {"name": "Gate", "due": "2026-05-01", "done_on": ""}),
        ("milestone-edit", f"/initiatives/{launch.pk}/milestones/{milestone.pk}/edit/",
         {"name": "Kick-off", "due": "2026-02-01", "done_on": ""}),
        ("milestone-delete", f"/initiatives/{launch.pk}/milestones/{milestone.pk}/delete/", {}),
    ]  # fmt: skip


@pytest.mark.parametrize("who", REFUSED)
def test_roles_that_may_not_write_get_403_and_write_nothing(client, world, login, who):
    login(who)
    for name, url, data in actions(world):
        before = snapshot()
        assert client.get(url).status_code == 403, name
        assert client.post(url, data).status_code == 403, name
        assert snapshot() == before, name


@pytest.mark.parametrize("who", ["staff", "head"])
def test_staff_and_the_unit_head_may_write_in_his_subtree(client, world, login, who):
    login(who)
    for name, url, data in actions(world):
        assert client.get(url).status_code == 200, name
        response = client.post(url, data)
        assert response.status_code == 302, (name, response.content.decode()[:3000])
    assert Initiative.objects.filter(code="NEWONE", unit=world.tree.b1).exists()
    assert Initiative.objects.get(pk=world.launch.pk).name == "Renamed"
    assert not Initiative.objects.filter(code="SPARE").exists()
    # the "Kick-off" milestone was edited (not done any more), then deleted; "Gate" added
    assert sorted(world.launch.milestones.values_list("name", flat=True)) == [
        "Beta", "Gate", "Launch day",
    ]  # fmt: skip


def test_a_unit_head_outside_his_subtree_gets_403(client, world, login):
    login("head")
    other = world.other_initiative  # B2's
    milestone = f.MilestoneFactory(initiative=other, due=dt.date(2027, 3, 1))
    pages = [
        (f"/initiatives/{other.pk}/edit/", initiative_data(other, name="Mine now")),
        (f"/initiatives/{other.pk}/delete/", {}),
        (f"/initiatives/{other.pk}/milestones/new/", {"name": "X", "due": "2027-04-01"}),
        (f"/initiatives/{other.pk}/milestones/{milestone.pk}/edit/",
         {"name": "X", "due": "2027-04-01"}),
        (f"/initiatives/{other.pk}/milestones/{milestone.pk}/delete/", {}),
    ]  # fmt: skip
    for url, data in pages:
        before = snapshot()
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
        assert snapshot() == before, url
    # nor may he create in B2, or move his own initiative there
    before = snapshot()
    assert (
        client.post(NEW, form_data(world, unit=world.tree.b2.pk, objectives=[])).status_code == 403
    )
    moved = initiative_data(world.launch, unit=world.tree.b2.pk, objectives=[world.grow.pk])
    assert client.post(f"/initiatives/{world.launch.pk}/edit/", moved).status_code == 403
    assert snapshot() == before


def test_anonymous_is_sent_to_log_in_and_writes_nothing(client, world):
    before = snapshot()
    response = client.post(NEW, form_data(world))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert snapshot() == before


# Creating ----------------------------------------------------------------------------------


def test_create(client, world, login):
    user = login("staff")
    response = client.post(NEW, form_data(world), follow=True)
    initiative = Initiative.objects.get(code="NEWONE")
    assert response.redirect_chain == [(f"/initiatives/{initiative.pk}/", 302)]
    assert "Initiative NEWONE A new one created." in response.content.decode()
    assert (initiative.unit, initiative.owner, initiative.status) == (
        world.tree.b1, world.owner, "approved",
    )  # fmt: skip
    assert (initiative.start, initiative.end, initiative.percent_complete) == (
        dt.date(2026, 3, 1), dt.date(2026, 9, 30), 10,
    )  # fmt: skip
    assert set(initiative.objectives.all()) == {world.grow, world.sell}
    assert initiative.history.get().history_user == user


def test_a_unit_head_creates_below_his_unit(client, world, login):
    login("head")
    data = form_data(world, unit=world.tree.d1.pk, objectives=[world.grow.pk, world.ship.pk])
    assert client.post(NEW, data).status_code == 302
    created = Initiative.objects.get(code="NEWONE")
    assert created.unit == world.tree.d1
    assert set(created.objectives.all()) == {world.grow, world.ship}


def test_units_offered(client, world, login):
    login("head")
    form = client.get(NEW).context["form"]
    t = world.tree
    # the subtree he heads, in tree order: B1, D1 below it, T1 below D1
    assert choice_values(form, "unit") == [str(t.b1.pk), str(t.d1.pk), str(t.t1.pk)]
    client.logout()
    login("staff")
    form = client.get(NEW).context["form"]
    # every unit, depth first, children by code: ENT, B1, D1, T1, B2, D2, S1
    units = [t.ent, t.b1, t.d1, t.t1, t.b2, t.d2, t.s1]
    assert choice_values(form, "unit") == [str(u.pk) for u in units]


def test_objectives_offered_are_those_the_unit_may_advance(client, world, login):
    login("staff")
    w = world
    # B2: its own, below (D2: none) and above (ENT): ENT.GROW and B2.OTHER
    form = client.get(NEW, {"unit": w.tree.b2.pk}).context["form"]
    assert form.initial["unit"] == w.tree.b2
    assert choice_values(form, "objectives") == [str(w.other.pk), str(w.grow.pk)]
    # D1: its own (SHIP), above (B1.SELL, ENT.GROW), not B2's; by unit code, then code
    form = client.get(NEW, {"unit": w.tree.d1.pk}).context["form"]
    assert choice_values(form, "objectives") == [str(w.sell.pk), str(w.ship.pk), str(w.grow.pk)]
    # the unit head, before choosing a unit: what any of B1, D1, T1 may reach
    client.logout()
    login("head")
    form = client.get(NEW).context["form"]
    assert choice_values(form, "objectives") == [str(w.sell.pk), str(w.ship.pk), str(w.grow.pk)]


def test_htmx_refresh_keeps_the_objectives_still_within_reach(client, world, login):
    login("staff")
    w = world
    response = client.get(
        NEW, {"unit": w.tree.b2.pk, "objectives": [w.grow.pk, w.sell.pk]}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert f'<option value="{w.grow.pk}" selected>ENT.GROW Grow</option>' in html
    assert "B1.SELL" not in html  # out of B2's reach: no longer offered
    assert 'hx-select="#id_objectives"' in html


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": ""}, "name", "This field is required."),
        ({"code": "9lives"}, "code", "A code starts with a letter"),
        ({"start": "31/02/2026"}, "start", "Enter a valid date."),
        ({"percent_complete": "101"}, "percent_complete", "less than or equal to 100"),
        ({"status": "dreaming"}, "status", "Select a valid choice."),
        ({"unit": ""}, "unit", "This field is required."),
        # the service's refusals, next to the field they name ...
        ({"objectives": ["OBJ"]}, "objectives", "“OBJ” is not a valid value."),
        ("other", "objectives", "B2.OTHER: an initiative of B1 may advance objectives of its "
                                "own unit and of the units above or below it only."),
        # ... or above the form when no field is theirs
        ({"code": "LAUNCH"}, "__all__", "This unit already has an initiative with this code."),
        ({"end": "2026-01-31"}, "__all__", "The end date cannot be before the start date."),
    ],
)  # fmt: skip
def test_bad_input_is_shown_by_the_field_and_writes_nothing(
    client, world, login, changes, field, message
):
    login("staff")
    if changes == "other":  # B2's objective for an initiative of B1
        changes = {"objectives": [world.grow.pk, world.other.pk]}
    before = snapshot()
    response = client.post(NEW, form_data(world, **changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert_shown_by(response.content.decode(), field, message)
    assert snapshot() == before  # not even the initiative saved before its links failed


# Changing ----------------------------------------------------------------------------------


def test_edit(client, world, login):
    user = login("staff")
    url = f"/initiatives/{world.launch.pk}/edit/"
    form = client.get(url).context["form"]
    assert set(form.initial["objectives"]) == {world.grow, world.sell}
    data = initiative_data(
        world.launch, name="Launch it", status="on_hold", objectives=[world.sell.pk], end=""
    )
    response = client.post(url, data, follow=True)
    assert response.redirect_chain == [(f"/initiatives/{world.launch.pk}/", 302)]
    assert "Initiative LAUNCH Launch it saved." in response.content.decode()
    launch = Initiative.objects.get(pk=world.launch.pk)
    assert (launch.name, launch.status, launch.end) == ("Launch it", "on_hold", None)
    assert list(launch.objectives.all()) == [world.sell]
    assert launch.history.order_by("-history_date").first().history_user == user


def test_a_unit_head_moves_an_initiative_down_his_subtree(client, world, login):
    login("head")
    tools = world.tools
    data = initiative_data(tools, unit=world.tree.t1.pk)  # D1 → T1, SHIP (D1) is above T1
    assert client.post(f"/initiatives/{tools.pk}/edit/", data).status_code == 302
    assert Initiative.objects.get(pk=tools.pk).unit == world.tree.t1


def test_a_bad_edit_writes_nothing_and_shows_the_initiative_as_it_is(client, world, login):
    login("staff")
    url = f"/initiatives/{world.launch.pk}/edit/"
    before = snapshot()
    # to S1 (beside B1): B1.SELL is no longer within reach; nor is the new name saved
    data = initiative_data(world.launch, unit=world.tree.s1.pk, name="Moved")
    response = client.post(url, data)
    assert response.status_code == 400
    assert (
        "B1.SELL: an initiative of S1 may advance"
        in response.context["form"].errors["objectives"][0]
    )
    assert snapshot() == before
    assert "<h1>Edit LAUNCH Launch the product</h1>" in response.content.decode()
    # offered again: what S1 may advance (S1 has none; ENT above it: GROW)
    assert choice_values(response.context["form"], "objectives") == [str(world.grow.pk)]
    response = client.post(url, initiative_data(world.launch, start="2027-01-01"))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "The end date cannot be before the start date."
    ]
    assert snapshot() == before


# Deleting ----------------------------------------------------------------------------------


def test_delete(client, world, login):
    login("staff")
    url = f"/initiatives/{world.other_initiative.pk}/delete/"
    page = client.get(url).content.decode()
    assert "This deletes B2.ELSE Elsewhere" in page and 'class="danger"' in page
    response = client.post(url, follow=True)
    assert response.redirect_chain == [("/initiatives/", 302)]
    assert "Initiative ELSE Elsewhere deleted." in response.content.decode()
    assert not Initiative.objects.filter(pk=world.other_initiative.pk).exists()


def test_an_initiative_with_budget_lines_is_not_deleted(client, world, login):
    login("staff")
    before = snapshot()
    response = client.post(f"/initiatives/{world.launch.pk}/delete/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be deleted: 4 budget lines" in html and "still depend on it" in html
    assert snapshot() == before


# Milestones --------------------------------------------------------------------------------


def test_add_a_milestone(client, world, login):
    login("head")
    url = f"/initiatives/{world.launch.pk}/milestones/new/"
    data = {"name": "Gate 2", "due": "2026-10-01", "done_on": "2026-09-28"}
    response = client.post(url, data, follow=True)
    assert response.redirect_chain == [(f"/initiatives/{world.launch.pk}/", 302)]
    assert "Milestone &#x27;Gate 2&#x27; added." in response.content.decode()
    added = world.launch.milestones.get(name="Gate 2")
    assert (added.due, added.done_on) == (dt.date(2026, 10, 1), dt.date(2026, 9, 28))


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": "", "due": "2026-10-01"}, "name", "This field is required."),
        ({"name": "Gate", "due": ""}, "due", "This field is required."),
        ({"name": "Gate", "due": "someday"}, "due", "Enter a valid date."),
        # the service: LAUNCH starts on 2026-01-01
        ({"name": "Gate", "due": "2026-10-01", "done_on": "2025-12-31"}, "done_on",
         "A milestone cannot be done before its initiative starts."),
    ],
)  # fmt: skip
def test_bad_milestones_are_refused_by_the_field(client, world, login, data, field, message):
    login("staff")
    before = snapshot()
    response = client.post(f"/initiatives/{world.launch.pk}/milestones/new/", data)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert_shown_by(response.content.decode(), field, message)
    assert snapshot() == before


def test_edit_and_delete_a_milestone(client, world, login):
    login("staff")
    beta = world.launch.milestones.get(name="Beta")
    url = f"/initiatives/{world.launch.pk}/milestones/{beta.pk}/edit/"
    assert client.get(url).context["form"].initial["name"] == "Beta"
    done = {"name": "Beta", "due": beta.due.isoformat(), "done_on": "2026-06-01"}
    assert client.post(url, done).status_code == 302
    assert Milestone.objects.get(pk=beta.pk).done_on == dt.date(2026, 6, 1)
    # done before LAUNCH's start: refused next to the field, nothing changed
    early = dict(done, done_on="2025-06-01", name="Renamed")
    response = client.post(url, early)
    assert response.status_code == 400
    assert response.context["form"].errors["done_on"] == [
        "A milestone cannot be done before its initiative starts."
    ]
    assert "Edit milestone “Beta”" in response.content.decode()
    assert Milestone.objects.get(pk=beta.pk).name == "Beta"
    response = client.post(f"/initiatives/{world.launch.pk}/milestones/{beta.pk}/delete/")
    assert response.status_code == 302
    assert not Milestone.objects.filter(pk=beta.pk).exists()


def test_a_milestone_is_reached_through_its_own_initiative(client, world, login):
    login("staff")
    beta = world.launch.milestones.get(name="Beta")
    assert (
        client.get(f"/initiatives/{world.tools.pk}/milestones/{beta.pk}/edit/").status_code == 404
    )
    assert (
        client.post(f"/initiatives/{world.tools.pk}/milestones/{beta.pk}/delete/").status_code
        == 404
    )
    assert Milestone.objects.filter(pk=beta.pk).exists()
