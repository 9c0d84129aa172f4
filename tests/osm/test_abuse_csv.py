"""Abuse cases (issue 14, point 12): every CSV the app writes neutralises cells a
spreadsheet would run as a formula (OWASP "CSV injection"): text beginning with `=`, `+`,
`-`, `@`, a tab or a carriage return gets a leading single quote; numbers stay numbers.
"""

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from alignment.reports import alignment_reports_compose, lists_csv
from alignment.selectors import alignment_report
from core import csv_safe
from core.models import OutgoingMessage
from core.roles import OSM_STAFF
from tests import factories as f

PAYLOAD = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    "cell,written",
    [
        (PAYLOAD, "'" + PAYLOAD),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Rent", "Rent"),  # text that starts with nothing special is left alone
        ("a=b", "a=b"),
        ("", ""),
        # Numbers stay numbers: as numbers, or as text that is only a number.
        (Decimal("-12.50"), Decimal("-12.50")),
        (-3, -3),
        (-0.5, -0.5),
        ("-12.50", "-12.50"),
        ("+7", "+7"),
        ("-1e3", "-1e3"),
        (None, None),
    ],
)
def test_safe_cell(cell, written):
    assert csv_safe.safe_cell(cell) == written


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_writers_neutralise_every_text_cell():
    out = io.StringIO()
    writer = csv_safe.writer(out)
    writer.writerow(["label", "amount"])
    writer.writerows([[PAYLOAD, Decimal("-250.00")], ["@x", -4]])
    assert read(out.getvalue()) == [
        ["label", "amount"],
        ["'" + PAYLOAD, "-250.00"],  # the negative amount is written as a number
        ["'@x", "-4"],
    ]
    out = io.StringIO()
    writer = csv_safe.DictWriter(out, fieldnames=["label", "amount"])
    writer.writeheader()
    writer.writerows([{"label": "-x", "amount": Decimal("-1.5")}])
    assert read(out.getvalue()) == [["label", "amount"], ["'-x", "-1.5"]]


@pytest.mark.django_db
def test_a_budget_line_label_arrives_as_text_in_the_alignment_attachment():
    ent = f.EnterpriseFactory(code="ACME")
    bu = f.OrgUnitFactory(code="BU", parent=ent)
    f.BudgetLineFactory(unit=bu, label=PAYLOAD, planned=Decimal("300"))  # linked to nothing
    f.UserFactory(roles=[OSM_STAFF], email="osm@example.com")
    # The CSV of the lists, as the report builds it.
    report = alignment_report(ent, fiscal_year=2026, today=dt.date(2026, 6, 15))
    rows = read(lists_csv(report))
    line = next(row for row in rows if row[0] == "Budget lines not linked")
    assert line[:3] == ["Budget lines not linked", "BU", "'" + PAYLOAD]
    # And as the weekly e-mail attaches it.
    assert alignment_reports_compose(day=dt.date(2026, 6, 15)) == 1
    (attachment,) = OutgoingMessage.objects.get().attachments
    assert attachment["mimetype"] == "text/csv"
    line = next(row for row in read(attachment["content"]) if row[0] == "Budget lines not linked")
    assert line[2] == "'" + PAYLOAD


def test_every_csv_writer_of_the_app_is_the_safe_one():
    """No module of ours writes CSV with the csv module's own writers: only core/csv_safe.py
    does, so a new export cannot forget the neutralising."""
    root = Path(settings.BASE_DIR)
    pattern = re.compile(
        r"\bcsv\.(writer|DictWriter)\b|from csv import[^\n]*\b(writer|DictWriter)\b"
    )
    # Every package of ours: the top-level folders that are Python packages, not the tests.
    packages = [p.parent for p in root.glob("*/__init__.py") if p.parent.name != "tests"]
    assert {"core", "alignment", "budgets"} <= {p.name for p in packages}
    found = []
    for package in packages:
        for path in package.rglob("*.py"):
            if path == root / "core" / "csv_safe.py" or "migrations" in path.parts:
                continue
            if pattern.search(path.read_text()):
                found.append(str(path.relative_to(root)))
    assert not found, f"CSV written without core.csv_safe: {found}"
