"""What the user management tests share: a small organisation with one user per role.

ENT > SALES > SHOP, and ENT > MAKE. `head` heads SALES (Unit head); `staff` is OSM staff
(and `boss` too, so there are two); `hr`, `employee`, `exec` have those roles. Ann has an
employee record (ann@example.com) without a user yet, for an invitation to link.
"""

import re
from types import SimpleNamespace

from core.roles import EMPLOYEE, EXECUTIVE, HR, OSM_STAFF, UNIT_HEAD
from tests import factories as f

LINK = re.compile(r"https?://\S+(/accounts/users/invitation/[^/\s]+/[^/\s]+/)")
PASSWORD = "pw-long-enough-1"
NEW_PASSWORD = "a brand new passphrase 42"


def build_world() -> SimpleNamespace:
    """The organisation above (each test module makes it its `world` fixture)."""
    ent = f.EnterpriseFactory()
    head = f.UserFactory(username="head", first_name="Hal", last_name="Head", roles=[UNIT_HEAD])
    sales = f.OrgUnitFactory(code="SALES", name="Sales", parent=ent, head=head)
    shop = f.OrgUnitFactory(code="SHOP", name="Shop", parent=sales, kind="department")
    make = f.OrgUnitFactory(code="MAKE", name="Make", parent=ent)
    f.EmployeeFactory(name="Ann Archer", email="ann@example.com", unit=shop)
    return SimpleNamespace(
        ent=ent,
        sales=sales,
        shop=shop,
        make=make,
        head=head,
        staff=f.UserFactory(
            username="staff", first_name="Sam", last_name="Staff", roles=[OSM_STAFF]
        ),
        boss=f.UserFactory(username="boss", first_name="Bea", last_name="Boss", roles=[OSM_STAFF]),
        hr=f.UserFactory(username="hr", first_name="Hana", last_name="Human", roles=[HR]),
        employee=f.UserFactory(username="emp", first_name="Eve", last_name="Em", roles=[EMPLOYEE]),
        exec=f.UserFactory(username="exec", first_name="Ed", last_name="Exec", roles=[EXECUTIVE]),
    )


def roles(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def invitation_path(body: str) -> str:
    """The path of the set-password link in an invitation's text."""
    found = LINK.search(body)
    assert found, body
    return found.group(1)
