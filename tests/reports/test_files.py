"""The report packs' files, opened with real readers (openpyxl, pypdf, python-pptx, and
LibreOffice where installed) and checked against the scorecard API for the same unit and
month; the API's and the web's download parameters, permissions and errors.

The scorecard of these tests, as of 2026-05 (scores by DESIGN.md "Scoring"):
- REV (increase): actual 95, target 100, red flag 90 -> (95-90)/(100-90) = 0.5 -> 10/3 +
  0.5 * 10/3 = 5.00, yellow ("Watch").
- COST (decrease): actual 120, target 100, red flag 110 -> past the red flag: red; score
  10/3 + (120-110)/(100-110) * 10/3 = 10/3 - 10/3 = 0.00.
- GROW (REV only) 5.00 yellow; SAVE (COST only) 0.00 red; Financial = (5 + 0) / 2 = 2.50,
  red (below 10/3).
"""

import datetime as dt
import io
import os
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation
from pptx import Presentation
from pypdf import PdfReader
from rest_framework.test import APIClient

from communication.models import Analysis
from core.roles import EXECUTIVE, MEASURE_OWNER, OSM_STAFF
from scorecards import services
from tests import factories as f

pytestmark = pytest.mark.django_db

MAY = dt.date(2026, 5, 1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TRAP = '=HYPERLINK("http://evil.example","click")'


def value(measure, period, actual, target, red_flag):
    services.measure_value_record(
        measure=measure, period=period, actual=Decimal(actual), target=Decimal(target),
        red_flag=Decimal(red_flag), actor=None,
    )  # fmt: skip


@pytest.fixture
def org():
    ent = f.EnterpriseFactory(code="ACME", name="Acmé Société 株式会社")
    bu = f.OrgUnitFactory(code="BU", parent=ent, name="Qualité 品質")
    grow = f.ObjectiveFactory(unit=bu, code="GROW", name="Croître à l'export 輸出を伸ばす")
    save = f.ObjectiveFactory(unit=bu, code="SAVE", name="Save costs")
    f.CauseEffectFactory(cause=save, effect=grow)
    rev = f.MeasureFactory(objective=grow, code="REV", name=TRAP)
    cost = f.MeasureFactory(objective=save, code="COST", name="Cost", polarity="decrease")
    value(rev, MAY, 95, 100, 90)
    value(cost, MAY, 120, 100, 110)
    Analysis.objects.create(
        subject_type="objective", subject_id=save.pk, month=MAY,
        analysis="Costs rose **sharply**. <script>alert(1)</script>",
        recommendations="Renegotiate the 3 largest contracts.",
    )  # fmt: skip
    initiative = f.InitiativeFactory(unit=bu, code="LEAN", name="Lean programme")
    f.MilestoneFactory(initiative=initiative, name="Pilot line", due=dt.date(2026, 3, 31))
    return bu, rev, cost


def client_for(*roles):
    client = APIClient()
    client.force_authenticate(f.UserFactory(roles=list(roles)))
    return client


def workbook(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_scorecard_workbook_has_the_api_numbers(org):
    bu, *_ = org
    client = client_for(OSM_STAFF)
    api = client.get(f"/api/v1/units/{bu.pk}/scorecard/?as_of=2026-05").json()
    response = client.get(f"/api/v1/units/{bu.pk}/scorecard/?as_of=2026-05&format=xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="BU-scorecard-2026-05.xlsx"'
    book = workbook(response)
    assert book.sheetnames == ["Perspectives", "Scorecard"]
    sheet = book["Scorecard"]
    header_row = 4  # two notes, a blank row, then the header
    header = [c.value for c in sheet[header_row]]
    assert sheet.freeze_panes == f"A{header_row + 1}"
    assert sheet.auto_filter.ref.startswith(f"A{header_row}:")
    rows = {
        r[header.index("Measure code")]: dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=header_row + 1, values_only=True)
    }
    measures = {
        m["code"]: m for p in api["perspectives"] for o in p["objectives"] for m in o["measures"]
    }
    assert set(rows) == set(measures) == {"REV", "COST"}
    for code, measure in measures.items():
        row = rows[code]
        assert Decimal(str(row["Actual"])) == Decimal(measure["actual"])
        assert Decimal(str(row["Target"])) == Decimal(measure["target"])
        assert row["Score"] == measure["score"]
    assert rows["REV"]["Score"] == 5.0 and rows["REV"]["Status"] == "Watch"
    assert rows["COST"]["Score"] == 0.0 and rows["COST"]["Status"] == "Off target"
    assert isinstance(rows["REV"]["Period"], dt.datetime)  # a date, not text
    assert rows["REV"]["Measure"] == TRAP
    # The formula-looking name is a text cell, and the status has its colour.
    cells = {c.value: c for c in sheet[header_row + 1]} | {
        c.value: c for c in sheet[header_row + 2]
    }
    assert cells[TRAP].data_type == "s"
    assert cells["Off target"].fill.fgColor.rgb.endswith("F4C7C3")
    perspectives = book["Perspectives"]
    financial = next(r for r in perspectives.iter_rows(values_only=True) if r[0] == "Financial")
    assert financial[1:3] == (2.5, "Off target")  # (5.00 + 0.00) / 2


def test_scorecard_csv_neutralises_formulas(org):
    bu, *_ = org
    response = client_for(EXECUTIVE).get(
        f"/api/v1/units/{bu.pk}/scorecard/?as_of=2026-05&format=csv"
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert "REV" in text and "Watch" in text


def test_history_json_xlsx_and_csv(org):
    _, rev, _ = org
    client = client_for(MEASURE_OWNER)
    body = client.get(f"/api/v1/measures/{rev.pk}/history/").json()
    assert body == {
        "measure": rev.pk,
        "values": [
            {"period": "2026-05-01", "actual": "95", "target": "100", "red_flag": "90",
             "score": 5.0, "status": "yellow"}
        ],
    }  # fmt: skip
    book = workbook(client.get(f"/api/v1/measures/{rev.pk}/history/?format=xlsx"))
    rows = list(book["History"].iter_rows(min_row=5, values_only=True))
    assert rows == [(dt.datetime(2026, 5, 1), 95, 100, 90, 5.0, "Watch")]
    response = client.get(f"/api/v1/measures/{rev.pk}/history/?format=csv")
    assert response["Content-Type"] == "text/csv"
    assert "2026-05-01,95,100,90,5.0,Watch" in response.content.decode("utf-8-sig")


def test_alignment_workbook_matches_the_json(org):
    bu, *_ = org
    client = client_for(OSM_STAFF)
    api = client.get(f"/api/v1/alignment/?unit={bu.pk}&fiscal_year=2026").json()
    response = client.get(f"/api/v1/alignment/?unit={bu.pk}&fiscal_year=2026&format=xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="BU-alignment-FY2026.xlsx"'
    book = workbook(response)
    assert book.sheetnames[:2] == ["Alignment", "Units"]
    metrics = {r[0]: r[1] for r in book["Alignment"].iter_rows(min_row=5, values_only=True)}
    assert metrics["Objective linkage"] == api["objective_linkage"]
    assert metrics["Alignment index"] == api["alignment_index"]
    units = list(book["Units"].iter_rows(min_row=5, values_only=True))
    assert [u[0] for u in units] == [u["code"] for u in api["units"]]
    csv = client.get(f"/api/v1/alignment/?unit={bu.pk}&format=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Unit code,Unit,Depth,Objective linkage")


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_unit_report_pdf(org):
    bu, *_ = org
    response = client_for(EXECUTIVE).get(f"/api/v1/units/{bu.pk}/report/?as_of=2026-05")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="BU-unit-report-2026-05.pdf"'
    reader, text = pdf_text(response.content)
    assert 6 <= len(reader.pages) <= 12  # cover, map, scorecard, attention, initiatives, ...
    page = reader.pages[0].mediabox
    assert (round(page.width), round(page.height)) == (595, 842)  # A4 in points
    for words in ("Acmé Société 株式会社", "Qualité 品質", "輸出を伸ばす", "Save costs",
                  "Off target", "Watch", "Costs rose sharply", "Renegotiate the 3 largest",
                  "LEAN", "Pilot line", "Objective linkage", "Page 2 / "):  # fmt: skip
        assert words in text, words
    # The CJK names drawn with a font that has them (no empty boxes): the cover's fonts.
    cover = reader.pages[0]["/Resources"]["/Font"]
    fonts = {str(font.get_object()["/BaseFont"]) for font in cover.values()}
    assert any("WenQuanYi" in name or "CJK" in name for name in fonts), fonts
    # Markdown rendered; the HTML typed in it shown as the text it is (no live markup).
    assert "**sharply**" not in text and "<script>alert(1)</script>" in text
    assert reader.outline, "PDF bookmarks from the headings"


def test_unit_report_on_letter_paper_and_in_french(org):
    bu, *_ = org
    client = client_for(OSM_STAFF)
    with translation.override("fr"):
        response = client.get(
            f"/api/v1/units/{bu.pk}/report/?as_of=2026-05&paper=letter",
            HTTP_ACCEPT_LANGUAGE="fr",
        )
    reader, _text = pdf_text(response.content)
    page = reader.pages[0].mediabox
    assert (round(page.width), round(page.height)) == (612, 792)  # US Letter


def test_executive_deck(org):
    bu, *_ = org
    response = client_for(OSM_STAFF).get(f"/api/v1/units/{bu.pk}/report/?as_of=2026-05&format=pptx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="BU-executive-deck-2026-05.pptx"'
    )
    deck = Presentation(io.BytesIO(response.content))
    titles = [s.shapes.title.text for s in deck.slides]
    # title, map, one per perspective (4 default ones), one per red objective (SAVE),
    # initiatives, alignment: 1 + 1 + 4 + 1 + 1 + 1 = 9
    assert len(titles) == 9
    assert titles[0] == "BU Qualité 品質"
    assert titles[1] == "Strategy map"
    assert titles[2] == "Financial: 2.50, Off target"
    assert "SAVE Save costs" in titles
    red = deck.slides[titles.index("SAVE Save costs")]
    texts = " ".join(s.text_frame.text for s in red.shapes if s.has_text_frame)
    assert "Costs rose sharply" in texts and "Renegotiate" in texts
    assert any(s.shape_type == 13 for s in red.shapes)  # the measure's chart, a picture


def test_deck_opens_in_libreoffice(org, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("OSM_REQUIRE_SERVICES"):
            pytest.fail("LibreOffice (soffice) is missing: apt-get install libreoffice-impress")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-impress-nogui)")
    bu, *_ = org
    content = client_for(OSM_STAFF).get(f"/api/v1/units/{bu.pk}/report/?format=pptx").content
    deck = tmp_path / "deck.pptx"
    deck.write_bytes(content)
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck)],
        check=True, timeout=120, capture_output=True,
    )  # fmt: skip
    reader, text = pdf_text((tmp_path / "deck.pdf").read_bytes())
    assert len(reader.pages) == 9 and "Strategy map" in text


def test_briefing_book_pdf(org):
    bu, *_ = org
    meeting = f.ReviewMeetingFactory(unit=bu, title="May review")
    response = client_for(EXECUTIVE).get(f"/api/v1/reviews/{meeting.pk}/briefing-book/")
    assert response.status_code == 200
    _, text = pdf_text(response.content)
    assert "Briefing book" in text and "May review" in text and "Agenda" in text


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("units/{bu}/scorecard/?format=docx", "format"),
        ("units/{bu}/scorecard/?format=xlsx&as_of=2026-13", "as_of"),
        ("units/{bu}/report/?format=xlsx", "format"),
        ("units/{bu}/report/?paper=a5", "paper"),
        ("units/{bu}/report/?as_of=May", "as_of"),
        ("alignment/?format=xlsx&unit=999999", "unit"),
        ("measures/{rev}/history/?format=pdf", "format"),
    ],
)
def test_bad_parameters_are_400_in_json(org, url, field):
    bu, rev, _ = org
    response = client_for(OSM_STAFF).get("/api/v1/" + url.format(bu=bu.pk, rev=rev.pk))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert field in response.json()


def test_permissions(org):
    bu, rev, _ = org
    meeting = f.ReviewMeetingFactory(unit=bu)
    urls = [
        f"/api/v1/units/{bu.pk}/scorecard/?format=xlsx",
        f"/api/v1/units/{bu.pk}/report/",
        f"/api/v1/reviews/{meeting.pk}/briefing-book/",
        f"/api/v1/measures/{rev.pk}/history/?format=csv",
        "/api/v1/alignment/?format=xlsx",
    ]
    nobody = client_for()
    for url in urls:
        assert nobody.get(url).status_code == 403, url
        assert APIClient().get(url).status_code in (401, 403), url
    assert client_for(OSM_STAFF).get("/api/v1/units/999999/report/").status_code == 404
    assert client_for(OSM_STAFF).get("/api/v1/measures/999999/history/").status_code == 404


def test_pdf_without_pango_says_what_to_install(org, monkeypatch, client):
    from reports import documents

    def missing():
        raise documents.PdfUnavailable("PDF files cannot be made: install libpango-1.0-0")

    monkeypatch.setattr(documents, "_weasyprint", missing)
    bu, *_ = org
    response = client_for(OSM_STAFF).get(f"/api/v1/units/{bu.pk}/report/")
    assert response.status_code == 503
    assert "libpango" in response.json()["detail"]
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    page = client.get(f"/reports/units/{bu.code}/report/")
    assert page.status_code == 503 and "libpango" in page.content.decode()


def test_web_downloads_and_menus(org, client):
    bu, rev, _ = org
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))
    response = client.get(f"/reports/units/{bu.code}/scorecard/?format=xlsx&as_of=2026-05")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    response = client.get(f"/reports/budget/?unit={bu.code}&fiscal_year=2026")
    assert response["Content-Disposition"] == 'attachment; filename="BU-budget-FY2026.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["By category", "By unit", "Lines"]
    response = client.get("/reports/initiatives/")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content))["Initiatives"].values)
    assert any(r[1] == "LEAN" and r[9].endswith("Pilot line (late)") for r in rows[3:])
    bad = client.get(f"/reports/units/{bu.code}/scorecard/?format=docx")
    assert bad.status_code == 400 and "format" in bad.content.decode()
    page = client.get(f"/units/{bu.code}/").content.decode()
    assert f"/reports/units/{bu.code}/report/" in page and "Download" in page
    page = client.get(f"/measures/{rev.pk}/").content.decode()
    assert f"/reports/measures/{rev.pk}/history/" in page


def test_measure_owner_gets_no_budget(org, client):
    bu, *_ = org
    client.force_login(f.UserFactory(roles=[MEASURE_OWNER]))
    assert client.get(f"/reports/budget/?unit={bu.code}").status_code == 403
    assert "/reports/budget/" not in client.get(f"/budgets/?unit={bu.code}").content.decode()


def test_the_image_installs_what_make_install_does_for_pdfs():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    makefile = (root / "Makefile").read_text()
    line = next(x for x in makefile.splitlines() if x.startswith("PDF_PACKAGES :="))
    packages = line.split(":=", 1)[1].split()
    assert "libpango-1.0-0" in packages and "fonts-wqy-microhei" in packages
    dockerfile = (root / "Dockerfile").read_text()
    assert all(p in dockerfile for p in packages), packages


def test_dollar_signs_in_names_are_text_not_formulas(org):
    """matplotlib reads "$...$" as a formula to typeset and fails on a lone "$": names are
    drawn as typed, in the chart and on the map."""
    from django.db.models import Q

    from alignment.strategy_map import tested_map
    from reports import pictures
    from reports.tables import status_words
    from scorecards.models import Measure, Objective
    from scorecards.selectors.scorecard import unit_scorecard
    from scorecards.selectors.series import load_series

    bu, rev, _ = org
    Measure.objects.filter(pk=rev.pk).update(name="Sales in $ (US$ m) $x^2$")
    Objective.objects.filter(code="GROW").update(name="Win $ share")
    series = load_series(Q(pk=rev.pk))[rev.pk]
    svg = pictures.measure_chart(series, fmt="svg").decode()
    assert "$x^2$" in svg  # the text as typed, not a typeset x²
    drawn = pictures.strategy_map_chart(
        tested_map(bu, unit_scorecard(bu, as_of=MAY)), fmt="svg", status_words=status_words()
    ).decode()
    assert "Win $ share" in drawn
