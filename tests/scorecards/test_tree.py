"""The unit tree: one enterprise at the root, no cycles, single-query subtree and ancestors."""

import pytest

from scorecards import selectors, services
from scorecards.choices import UnitKind
from scorecards.models import OrgUnit
from tests import factories as f
from tests.helpers import db_refuses, refused

pytestmark = pytest.mark.django_db

ROOT_MESSAGE = "The enterprise unit has no parent; every other unit must have one."


@pytest.fixture
def tree():
    return f.four_level_tree()


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


# Subtree and ancestors ---------------------------------------------------------------------


def test_subtree_of_a_business_unit_is_it_and_everything_below(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = codes(OrgUnit.objects.subtree_of(tree.b1.pk))
    assert found == {"B1", "D1", "T1"}


def test_subtree_of_the_root_is_the_whole_tree(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = codes(OrgUnit.objects.subtree_of(tree.ent.pk))
    assert found == {"ENT", "B1", "B2", "S1", "D1", "D2", "T1"}


def test_subtree_of_several_roots_is_their_union(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = codes(OrgUnit.objects.subtree_of(tree.d1.pk, tree.b2.pk))
    assert found == {"D1", "T1", "B2", "D2"}


def test_subtree_of_a_leaf_is_the_leaf(tree):
    assert codes(OrgUnit.objects.subtree_of(tree.t1.pk)) == {"T1"}


def test_subtree_of_nothing_is_empty(tree, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list(OrgUnit.objects.subtree_of()) == []


def test_ancestors_of_the_deepest_unit(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = codes(OrgUnit.objects.ancestors_of(tree.t1.pk))
    assert found == {"D1", "B1", "ENT"}


def test_ancestors_including_self(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = codes(OrgUnit.objects.ancestors_of(tree.t1.pk, include_self=True))
    assert found == {"T1", "D1", "B1", "ENT"}


def test_the_root_has_no_ancestors(tree):
    assert codes(OrgUnit.objects.ancestors_of(tree.ent.pk)) == set()


def test_ancestor_ids_is_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        ids = tree.d2.ancestor_ids()
    assert ids == {tree.b2.pk, tree.ent.pk}
    assert tree.d2.ancestor_ids(include_self=True) == {tree.d2.pk, tree.b2.pk, tree.ent.pk}


def test_ancestor_ids_of_an_unsaved_unit_are_its_parents_chain(tree):
    unsaved = OrgUnit(code="NEW", name="New", kind=UnitKind.TEAM, parent=tree.d1)
    assert unsaved.ancestor_ids() == {tree.d1.pk, tree.b1.pk, tree.ent.pk}


def test_subtree_follows_a_move(tree):
    services.unit_update(actor=None, instance=tree.d2, data={"parent": tree.b1})
    assert codes(OrgUnit.objects.subtree_of(tree.b1.pk)) == {"B1", "D1", "T1", "D2"}
    assert codes(OrgUnit.objects.subtree_of(tree.b2.pk)) == {"B2"}


def test_enterprise_unit_selector(tree):
    assert selectors.enterprise_unit() == tree.ent


def test_enterprise_unit_selector_without_units():
    assert selectors.enterprise_unit() is None


# No cycles ---------------------------------------------------------------------------------


def test_moving_a_unit_below_its_own_descendant_is_refused(tree):
    with refused({"parent": ["A unit cannot move below one of its own descendants (cycle)."]}):
        services.unit_update(actor=None, instance=tree.b1, data={"parent": tree.t1})
    tree.b1.refresh_from_db()
    assert tree.b1.parent == tree.ent


def test_moving_a_unit_below_its_direct_child_is_refused(tree):
    with refused({"parent": ["A unit cannot move below one of its own descendants (cycle)."]}):
        services.unit_update(actor=None, instance=tree.d1, data={"parent": tree.t1})


def test_moving_a_unit_below_itself_is_refused(tree):
    with refused({"parent": ["A unit cannot be its own parent."]}):
        services.unit_update(actor=None, instance=tree.d1, data={"parent": tree.d1})
    tree.d1.refresh_from_db()
    assert tree.d1.parent == tree.b1


def test_moving_a_unit_to_another_branch_works(tree):
    moved = services.unit_update(actor=None, instance=tree.d1, data={"parent": tree.b2})
    moved.refresh_from_db()
    assert moved.parent == tree.b2
    # T1 moved with it: still below D1.
    assert codes(OrgUnit.objects.ancestors_of(tree.t1.pk)) == {"D1", "B2", "ENT"}


# One enterprise, at the root ---------------------------------------------------------------


def test_a_second_enterprise_is_refused(tree):
    with refused({"__all__": ["There is already an enterprise unit."]}):
        services.unit_create(
            actor=None, data={"code": "ENT2", "name": "Another", "kind": UnitKind.ENTERPRISE}
        )
    assert OrgUnit.objects.filter(kind=UnitKind.ENTERPRISE).count() == 1


def test_the_database_refuses_a_second_enterprise(tree):
    with db_refuses():
        OrgUnit.objects.create(code="ENT2", name="Another", kind=UnitKind.ENTERPRISE)


def test_an_enterprise_with_a_parent_is_refused(tree):
    # Refused twice over: it has a parent, and the enterprise already exists.
    with refused({"__all__": [ROOT_MESSAGE, "There is already an enterprise unit."]}):
        services.unit_create(
            actor=None,
            data={
                "code": "ENT2",
                "name": "Another",
                "kind": UnitKind.ENTERPRISE,
                "parent": tree.b1,
            },
        )
    assert not OrgUnit.objects.filter(code="ENT2").exists()


def test_the_enterprise_cannot_move_below_another_unit(tree):
    # Every unit is below the enterprise, so giving it a parent is always a cycle.
    with refused({"parent": ["A unit cannot move below one of its own descendants (cycle)."]}):
        services.unit_update(actor=None, instance=tree.ent, data={"parent": tree.b1})
    tree.ent.refresh_from_db()
    assert tree.ent.parent is None


def test_the_database_refuses_an_enterprise_with_a_parent(tree):
    with db_refuses():
        OrgUnit.objects.filter(pk=tree.ent.pk).update(parent=tree.b2)


def test_a_unit_other_than_the_enterprise_needs_a_parent(tree):
    with refused({"__all__": [ROOT_MESSAGE]}):
        services.unit_create(
            actor=None, data={"code": "LOOSE", "name": "Loose", "kind": UnitKind.BUSINESS}
        )
    assert not OrgUnit.objects.filter(code="LOOSE").exists()


def test_the_database_refuses_a_unit_without_parent(tree):
    with db_refuses():
        OrgUnit.objects.create(code="LOOSE", name="Loose", kind=UnitKind.DEPARTMENT)


def test_the_first_enterprise_can_be_created():
    unit = services.unit_create(
        actor=None, data={"code": "ACME", "name": "Acme", "kind": UnitKind.ENTERPRISE}
    )
    assert unit.pk and unit.parent is None


def test_enterprise_factory_gets_the_existing_root(tree):
    assert f.EnterpriseFactory() == tree.ent
    assert OrgUnit.objects.filter(kind=UnitKind.ENTERPRISE).count() == 1


# Unit codes --------------------------------------------------------------------------------

CODE_MESSAGE = "A code starts with a letter and holds only letters, digits and underscores."
BAD_CODES = ["1ABC", "A-B", "A B", "_A", "ÄB", "A.B"]


@pytest.mark.parametrize("code", BAD_CODES)
def test_a_unit_code_must_match_the_code_pattern(tree, code):
    with refused({"code": [CODE_MESSAGE]}):
        services.unit_create(
            actor=None,
            data={"code": code, "name": "Bad", "kind": UnitKind.BUSINESS, "parent": tree.ent},
        )


@pytest.mark.parametrize("code", ["a", "Z9", "Sales_2026"])
def test_unit_codes_of_letters_digits_and_underscores_are_accepted(tree, code):
    assert services.unit_create(
        actor=None, data={"code": code, "name": "Ok", "kind": UnitKind.BUSINESS, "parent": tree.ent}
    )


def test_unit_codes_are_unique(tree):
    with refused({"code": ["Org unit with this Code already exists."]}):
        services.unit_create(
            actor=None,
            data={"code": "B1", "name": "Twin", "kind": UnitKind.SUPPORT, "parent": tree.ent},
        )


def test_the_database_refuses_a_duplicate_unit_code(tree):
    with db_refuses():
        OrgUnit.objects.create(code="B1", name="Twin", kind=UnitKind.SUPPORT, parent=tree.ent)
