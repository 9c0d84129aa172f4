"""Small organisations the communication tests share: `small_org()` (announcements'
audience), `pulse_world()` and `answers()` (awareness pulses)."""

from communication.models import PulseAnswer
from tests.factories import OrgUnitFactory, PulseFactory, UserFactory


def small_org():
    """ENT > B1 > D1 > T1, and ENT > B2; five people with a login in B1's subtree, one more
    in B2, and two who are not reached (a former employee, a record without a login):

    - B1: ana, ben; D1: cy, dee; T1: eve (5 people reached by an announcement to B1)
    - D1: fay (inactive employee record), an employee without a login
    - B2: gus
    - head: the head of B1 (no employee record); staff: OSM staff (none either).
    """
    from types import SimpleNamespace

    from scorecards.choices import UnitKind
    from tests.factories import EmployeeFactory, EnterpriseFactory

    ent = EnterpriseFactory(code="ENT")
    head = UserFactory(username="head", roles=["Unit head"])
    b1 = OrgUnitFactory(code="B1", name="Sales", parent=ent, head=head)
    d1 = OrgUnitFactory(code="D1", name="Sales North", parent=b1, kind=UnitKind.DEPARTMENT)
    t1 = OrgUnitFactory(code="T1", name="Key accounts", parent=d1, kind=UnitKind.TEAM)
    b2 = OrgUnitFactory(code="B2", name="Services", parent=ent)
    people = {}
    for name, unit in (("ana", b1), ("ben", b1), ("cy", d1), ("dee", d1), ("eve", t1),
                       ("fay", d1), ("gus", b2)):  # fmt: skip
        user = UserFactory(username=name, roles=["Employee"])
        EmployeeFactory(user=user, unit=unit, name=name.title(), active=name != "fay")
        people[name] = user
    EmployeeFactory(user=None, unit=d1, name="No login")
    staff = UserFactory(username="staff", roles=["OSM staff"])
    return SimpleNamespace(ent=ent, b1=b1, d1=d1, t1=t1, b2=b2, head=head, staff=staff, **people)


def answers(pulse, unit, rows) -> list:
    """Answers of `pulse` from `unit`: one per (aware, understanding) of `rows` (bulk)."""
    return PulseAnswer.objects.bulk_create(
        PulseAnswer(pulse=pulse, unit=unit, aware=aware, understanding=understanding)
        for aware, understanding in rows
    )


def pulse_world():
    """ACME (enterprise) > BU > DEP, and OTHER beside BU; a pulse of BU's subtree open from
    20 November to 4 December 2026.

    Objectives: ACME E1 "Grow revenue", E2 "Delight customers"; BU B1 "Win the north"; DEP
    D1 "Ship on time"; OTHER O1..O6 ("Other goal 1".."6") and O7 "grow revenue" (named as
    E1: never offered beside it). People (users with employee records): dana and nora (no
    role) of DEP, bob of BU, olga of OTHER, ivan of DEP (inactive record); staff (OSM staff),
    hal (head of BU) and xena (executive) have no employee record."""
    from types import SimpleNamespace

    from core.roles import EMPLOYEE, EXECUTIVE, OSM_STAFF, UNIT_HEAD
    from tests.factories import EmployeeFactory, EnterpriseFactory, ObjectiveFactory

    people = {
        "staff": UserFactory(username="staff", roles=[OSM_STAFF]),
        "hal": UserFactory(username="hal", roles=[UNIT_HEAD]),
        "xena": UserFactory(username="xena", roles=[EXECUTIVE]),
        "dana": UserFactory(username="dana", roles=[EMPLOYEE]),
        "nora": UserFactory(username="nora"),
        "bob": UserFactory(username="bob", roles=[EMPLOYEE]),
        "olga": UserFactory(username="olga", roles=[EMPLOYEE]),
        "ivan": UserFactory(username="ivan", roles=[EMPLOYEE]),
    }
    acme = EnterpriseFactory(code="ACME", name="Acme")
    bu = OrgUnitFactory(code="BU", name="Business", parent=acme, head=people["hal"])
    dep = OrgUnitFactory(code="DEP", name="Department", parent=bu, kind="department")
    other = OrgUnitFactory(code="OTHER", name="Other", parent=acme)
    objectives = {
        "E1": ObjectiveFactory(unit=acme, code="E1", name="Grow revenue"),
        "E2": ObjectiveFactory(unit=acme, code="E2", name="Delight customers"),
        "B1": ObjectiveFactory(unit=bu, code="B1", name="Win the north"),
        "D1": ObjectiveFactory(unit=dep, code="D1", name="Ship on time"),
        **{
            f"O{n}": ObjectiveFactory(unit=other, code=f"O{n}", name=f"Other goal {n}")
            for n in range(1, 7)
        },
        "O7": ObjectiveFactory(unit=other, code="O7", name="grow revenue"),
    }
    for name, unit in (("dana", dep), ("nora", dep), ("bob", bu), ("olga", other)):
        EmployeeFactory(user=people[name], unit=unit, name=name.capitalize())
    EmployeeFactory(user=people["ivan"], unit=dep, name="Ivan", active=False)
    pulse = PulseFactory(unit=bu, title="Autumn pulse")
    return SimpleNamespace(**people, acme=acme, bu=bu, dep=dep, other=other,
                           objectives=objectives, pulse=pulse)  # fmt: skip
