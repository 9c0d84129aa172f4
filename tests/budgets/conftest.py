"""A small organisation with budget lines whose sums are worked out by hand in the tests,
and logins for every role."""

import html
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest

from budgets.choices import BudgetCategory
from core.roles import UNIT_HEAD
from scorecards.choices import UnitKind
from tests import factories as f

OPEX, CAPEX, STRATEX = BudgetCategory.OPEX, BudgetCategory.CAPEX, BudgetCategory.STRATEX


@pytest.fixture
def org():
    """ACME > (BU > D1), S1; BU is headed by `head`.

    FY2026 lines (planned / actual):
      BU   OPEX    Rent     300.00 / 250.00  nothing named            not linked
      BU   OPEX    Ads      200.00 / 100.00  objective SELL           linked
      BU   STRATEX Push     500.00 / 400.00  initiative LINKED (SELL) linked
      D1   STRATEX Pilot    100.00 /  20.00  initiative LOOSE (none)  not linked
      D1   CAPEX   Machine  400.00 / 350.50  objective GROW (above)   linked
      S1   OPEX    Payroll 1000.00 / 900.00  nothing named            not linked
      ACME OPEX    HQ       500.00 / 480.00  objective GROW           linked
    FY2025: BU OPEX Old 999.00 / 999.00, not linked (another year: never counted in 2026).
    """
    head = f.UserFactory(username="head", roles=[UNIT_HEAD])
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent, head=head)
    d1 = f.OrgUnitFactory(code="D1", name="Stores", parent=bu, kind=UnitKind.DEPARTMENT)
    s1 = f.OrgUnitFactory(code="S1", name="Support", parent=ent, kind=UnitKind.SUPPORT)
    grow = f.ObjectiveFactory(unit=ent, code="GROW", name="Grow")
    sell = f.ObjectiveFactory(unit=bu, code="SELL", name="Sell more", supports=[grow])
    serve = f.ObjectiveFactory(unit=s1, code="SERVE", name="Serve well")
    linked = f.InitiativeFactory(unit=bu, code="LINKED", name="Linked push", objectives=[sell])
    loose = f.InitiativeFactory(unit=d1, code="LOOSE", name="Loose pilot")

    def line(unit, category, label, planned, actual, year=2026, **links):
        return f.BudgetLineFactory(
            unit=unit,
            fiscal_year=year,
            category=category,
            label=label,
            planned=Decimal(planned),
            actual=Decimal(actual),
            **links,
        )

    lines = SimpleNamespace(
        rent=line(bu, OPEX, "Rent", "300.00", "250.00"),
        ads=line(bu, OPEX, "Ads", "200.00", "100.00", objective=sell),
        push=line(bu, STRATEX, "Push", "500.00", "400.00", initiative=linked),
        pilot=line(d1, STRATEX, "Pilot", "100.00", "20.00", initiative=loose),
        machine=line(d1, CAPEX, "Machine", "400.00", "350.50", objective=grow),
        payroll=line(s1, OPEX, "Payroll", "1000.00", "900.00"),
        hq=line(ent, OPEX, "HQ", "500.00", "480.00", objective=grow),
        old=line(bu, OPEX, "Old", "999.00", "999.00", year=2025),
    )
    return SimpleNamespace(
        head=head, ent=ent, bu=bu, d1=d1, s1=s1, grow=grow, sell=sell, serve=serve,
        linked=linked, loose=loose, lines=lines,
    )  # fmt: skip


@pytest.fixture
def login(client):
    """login(role) logs a new user with that role (None: no role) into `client`."""

    def log_in(role=None, user=None):
        user = user or f.UserFactory(roles=[role] if role else [])
        client.force_login(user)
        return user

    return log_in


def text_of(response) -> str:
    """The page's text without tags, spaces collapsed (to read figures in sentences)."""
    body = response.content.decode()
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def field_errors(response, name: str) -> list[str]:
    """The error messages rendered next to form field `name` (Django's errorlist with the
    field's id, which the input's aria-describedby names)."""
    body = response.content.decode()
    found = re.search(rf'<ul class="errorlist" id="id_{name}_error">(.*?)</ul>', body, re.S)
    assert found, f"no errors next to {name}"
    assert re.search(rf'aria-describedby="[^"]*id_{name}_error[^"]*"', body)
    return [html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", found[1], re.S)]


def nonfield_errors(response) -> list[str]:
    body = response.content.decode()
    found = re.search(r'<ul class="errorlist nonfield">(.*?)</ul>', body, re.S)
    assert found, "no error above the form"
    return [html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", found[1], re.S)]
